"""Signals during start-up: camwatchd holds SIGHUP, SIGTERM and SIGINT from the first
instruction of main until its loop's watchers take them, so a reload asked while it starts is
done once it runs, and a stop asked while it starts is a clean exit 0 (issue 10: they killed
it with 129 and 143).

The signal is sent at a point the daemon reports, not after a delay: the test holds the
store's write lock (BEGIN IMMEDIATE on the SQLite file, as another writer would), starts the
daemon, waits for its "daemon: starting" line, sends the signal, and only then lets go of the
lock; until then the daemon cannot finish its start-up (it syncs the inventory into the store
first). Waits are polls with a generous deadline, never timed assertions."""
import datetime
import os
import shutil
import signal
import sqlite3
import sys
import unittest
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402


class StartupSignalsTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.procs = self.enterContext(cwtest.fixtures("cw-sig-"))
        fault = self.procs.fixture("rtsp_fault.py")
        cams = [cwtest.camera("A", cwtest.rtsp_url(fault.port, "/ok")),
                cwtest.camera("B", cwtest.rtsp_url(fault.port, "/ok"))]
        self.conf = cwtest.write_config(
            os.path.join(self.tmp, "site"), cams,
            probe={"interval": "1s", "timeout": "900ms", "slow": "800ms"},
            sections={"probe.stream": {"workers": "0"}})
        r = cwtest.camwatchd(self.conf, "--once")  # the store exists, at this schema
        self.assertEqual(r.rc, 0, r)
        self.db = os.path.join(self.tmp, "site", "var", "camwatch.db")

    def start_during_startup(self, signum):
        """Start the daemon, deliver signum while its start-up waits for the store, let it go
        on; the daemon's Proc."""
        lock = sqlite3.connect(self.db, isolation_level=None, timeout=30)
        self.addCleanup(lock.close)
        lock.execute("BEGIN IMMEDIATE")
        d = self.procs.start([cwtest.program("camwatchd"), "-v", "-c", self.conf],
                             name="camwatchd")
        cwtest.wait_for("the daemon says it is starting",
                        lambda: "daemon: starting" in d.stderr_text(), proc=d)
        self.assertNotIn("cameras:", d.stderr_text(), "start-up went past the locked store")
        os.kill(d.pid, signum)
        lock.execute("COMMIT")
        return d

    def test_sighup_while_starting_is_a_reload_once_running(self):
        d = self.start_during_startup(signal.SIGHUP)
        cwtest.wait_for("the reload done once the loop runs, or the daemon gone",
                        lambda: "daemon: reloaded, 2 cameras" in d.stderr_text()
                        or d.popen.poll() is not None, proc=d)
        self.assertIsNone(d.popen.poll(), "daemon still running:\n" + d.stderr_text())
        cwtest.wait_for("both cameras probed up",
                        lambda: all(c["state"] == "up" for c in cwtest.status(self.conf).values()),
                        proc=d)
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.popen.wait(60), 0, d.stderr_text())

    def test_sigterm_while_starting_is_a_clean_exit(self):
        d = self.start_during_startup(signal.SIGTERM)
        rc = d.popen.wait(120)
        self.assertEqual(rc, 0, d.stderr_text())
        self.assertIn("daemon: signal 15, stopping", d.stderr_text())
        self.assertIn("daemon: stopped", d.stderr_text())

    def test_sigint_while_starting_is_a_clean_exit(self):
        d = self.start_during_startup(signal.SIGINT)
        self.assertEqual(d.popen.wait(120), 0, d.stderr_text())
        self.assertIn("daemon: signal 2, stopping", d.stderr_text())


class ZoneKeptOnReloadTest(unittest.TestCase):
    """TZ is set once, before the daemon's threads start: a reload that changes time_zone
    says it takes effect at a restart, instead of calling setenv("TZ") beside the workers."""

    def test_reload_with_another_zone_keeps_the_zone_until_restart(self):
        with cwtest.fixtures("cw-tz-") as (tmp, procs):
            fault = procs.fixture("rtsp_fault.py")
            cams = [cwtest.camera("A", cwtest.rtsp_url(fault.port, "/ok"))]
            site = os.path.join(tmp, "site")
            write = lambda tz: cwtest.write_config(  # noqa: E731
                site, cams, time_zone=tz, probe={"interval": "1s", "timeout": "900ms",
                                                 "slow": "800ms"},
                sections={"probe.stream": {"workers": "1"}})
            conf = write("Asia/Ho_Chi_Minh")
            d = procs.start([cwtest.program("camwatchd"), "-c", conf], name="camwatchd")
            cwtest.wait_for("the daemon running",
                            lambda: "daemon: 1 cameras" in d.stderr_text(), proc=d)
            write("UTC")
            os.kill(d.pid, signal.SIGHUP)
            cwtest.wait_for("the reload", lambda: "daemon: reloaded" in d.stderr_text(), proc=d)
            self.assertIn("time_zone UTC takes effect when camwatchd restarts; times are shown "
                          "in Asia/Ho_Chi_Minh until then", d.stderr_text())
            self.assertEqual(d.stop(grace=60), 0, d.stderr_text()[-2000:])

    def test_reload_keeps_the_zone_of_a_recorder_naming_none(self):
        """A recorder naming no time_zone reads its file names in the site's zone in force: a
        reload naming another site zone keeps the old one until restart, for the recorder too
        (it read its names in the new one: a file named 08:00 in Hồ Chí Minh City's time was
        indexed as 08:00 UTC, seven hours late)."""
        with cwtest.fixtures("cw-tz-") as (tmp, procs):
            fault = procs.fixture("rtsp_fault.py")
            nvr = os.path.join(tmp, "nvr1")
            seg = os.path.join(tmp, "seg.ts")
            os.makedirs(nvr)
            r = cwtest.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f",
                            "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "4", "-c:v",
                            "libx264", "-preset", "ultrafast", "-g", "10", "-pix_fmt",
                            "yuv420p", "-f", "mpegts", seg], timeout=120)
            self.assertEqual(r.rc, 0, r)
            cams = [cwtest.camera("A", cwtest.rtsp_url(fault.port, "/ok"), recorder="nvr1")]
            site = os.path.join(tmp, "site")
            port = cwtest.free_port()
            write = lambda tz: cwtest.write_config(  # noqa: E731
                site, cams, time_zone=tz, http_listen="127.0.0.1:%d" % port,
                probe={"interval": "1h", "timeout": "900ms", "slow": "800ms"},
                sections={"probe.stream": {"workers": "0"},
                          "recorder nvr1": {"kind": "dir", "path": nvr,
                                            "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.ts"}})
            conf = write("Asia/Ho_Chi_Minh")
            token = cwtest.add_token(conf, "t-inv", "investigator")
            d = procs.start([cwtest.program("camwatchd"), "-c", conf], name="camwatchd")
            cwtest.wait_http(port, token, d)
            cwtest.wait_for("the first scan",
                            lambda: "footage: recorder=nvr1 scanned" in d.stderr_text(), proc=d)
            # a segment of 10 hours ago, named in Hồ Chí Minh City's time, seen first by the
            # scan that follows the reload
            hcm = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
            t = (datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
                 - datetime.timedelta(hours=10)).astimezone(hcm)
            dst = os.path.join(nvr, "A", t.strftime("%Y-%m-%d"), t.strftime("%H-%M-%S.ts"))
            os.makedirs(os.path.dirname(dst))
            shutil.copyfile(seg, dst)
            write("UTC")
            os.kill(d.pid, signal.SIGHUP)
            cwtest.wait_for("the reload", lambda: "daemon: reloaded" in d.stderr_text(), proc=d)
            cwtest.wait_for("the scan after the reload",
                            lambda: d.stderr_text().count("footage: recorder=nvr1 scanned") >= 2,
                            proc=d)
            self.assertIn("time_zone UTC takes effect when camwatchd restarts", d.stderr_text())
            r = cwtest.http(port, "GET", "/api/v1/footage?camera=A&from=-1d&to=now", token)
            self.assertEqual(r.status, 200, r)
            doc = r.json()
            starts = [datetime.datetime.fromisoformat(w["start"])
                      for o in doc for w in o["windows"]]
            self.assertEqual(starts, [t], doc)
            self.assertEqual(d.stop(grace=60), 0, d.stderr_text()[-2000:])


class StoreKeptOnReloadTest(unittest.TestCase):
    """The store is opened once, at start, by the loop; the API's workers open the same file. A
    reload naming another [store] database (or time_zone) says it takes effect at a restart and
    keeps the old one everywhere: a write through the API still lands in the store the loop
    reads, and the other file is never made (the workers made and wrote it, the loop read the
    old one: maintenance answered 404)."""

    def test_reload_with_another_database_keeps_the_store_until_restart(self):
        with cwtest.fixtures("cw-db-") as (tmp, procs):
            fault = procs.fixture("rtsp_fault.py")
            cams = [cwtest.camera("A", cwtest.rtsp_url(fault.port, "/ok"))]
            site = os.path.join(tmp, "site")
            port = cwtest.free_port()
            write = lambda db, tz: cwtest.write_config(  # noqa: E731
                site, cams, time_zone=tz, store={"database": db},
                http_listen="127.0.0.1:%d" % port,
                probe={"interval": "1h", "timeout": "900ms", "slow": "800ms"},
                sections={"probe.stream": {"workers": "0"}})
            conf = write("var/camwatch.db", "Asia/Ho_Chi_Minh")
            token = cwtest.add_token(conf, "t-admin", "admin")
            d = procs.start([cwtest.program("camwatchd"), "-c", conf], name="camwatchd")
            cwtest.wait_http(port, token, d)
            write("var/other.db", "UTC")
            os.kill(d.pid, signal.SIGHUP)
            cwtest.wait_for("the reload", lambda: "daemon: reloaded" in d.stderr_text(), proc=d)
            db = os.path.join(site, "var", "camwatch.db")
            other = os.path.join(site, "var", "other.db")
            self.assertIn("[store] database %s takes effect when camwatchd restarts; the store "
                          "stays %s until then" % (other, db), d.stderr_text())
            self.assertIn("time_zone UTC takes effect when camwatchd restarts; times are shown "
                          "in Asia/Ho_Chi_Minh until then", d.stderr_text())
            r = cwtest.http(port, "POST", "/api/v1/cameras/A/maintenance", token,
                            body={"on": True, "note": "thay ống kính"})
            self.assertEqual(r.status, 200, r)
            doc = r.json()
            self.assertEqual((doc["changed"], doc["to"]), (True, "maintenance"))
            self.assertTrue(doc["since"].endswith("+07:00"), doc)  # the zone kept too
            # the loop's own connection, on the store it opened at start, sees the write
            r = cwtest.http(port, "GET", "/api/v1/cameras/A", token)
            self.assertEqual(r.json()["status"]["state"], "maintenance", r)
            self.assertFalse(os.path.exists(other), os.listdir(os.path.dirname(other)))
            self.assertEqual(d.stop(grace=60), 0, d.stderr_text()[-2000:])
            self.assertFalse(os.path.exists(other))


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
