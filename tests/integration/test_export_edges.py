#!/usr/bin/python3
"""`request export` at its edges, as an investigator meets them with the real binaries: a file
size limit (`ulimit -f`) halfway through an MP4, a camera whose recorder was never scanned
beside one whose footage is delivered, a range after the last scan, a request (made by an
older version) that selects no camera, an export killed (SIGKILL) halfway, which `audit
verify` names as begun with no end, told from one running now (its folder's lock held) and
closed by hand with `audit close-export`, and an API export of a camwatchd killed halfway, which the
next camwatchd closes as it starts (a CLI export running meanwhile left alone).

    /usr/bin/python3 tests/integration/test_export_edges.py --build build [-v]

The site: recorder nvr (dir) holds CHO-01's footage, two 4 s MP4 segments of noise encoded
losslessly (several MB: more than the limit the test sets, far more than the store); CAH-002
is on recorder nvr-away, whose folder does not exist, so it was never scanned without error.
"""
import datetime
import errno
import hashlib
import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import sys
import types
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
import dirsite  # noqa: E402

BUILD = cwtest.build_dir()
LIMIT = 2 * 1024 * 1024  # bytes: the file size limit of the export that hits it


def big_segments(directory, n):
    """n segments of dirsite.SEG_S seconds of noise, lossless H.264: MBs each."""
    os.makedirs(directory, exist_ok=True)
    r = cwtest.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                    "-i", "nullsrc=size=320x240:rate=10,geq=lum='random(1)*255':cb=128:cr=128",
                    "-t", str(n * dirsite.SEG_S), "-c:v", "libx264", "-preset", "ultrafast",
                    "-qp", "0", "-g", "10", "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-f",
                    "segment", "-segment_time", str(dirsite.SEG_S), "-segment_format", "mp4",
                    "-reset_timestamps", "1", os.path.join(directory, "seg%03d.mp4")],
                   timeout=300)
    assert r.rc == 0, r
    return [os.path.join(directory, "seg%03d.mp4" % i) for i in range(n)]


def no_thread_stacks():
    """preexec_fn: the stack limit, which glibc takes as every new thread's stack size, past the
    address space, so that no thread can be made (pthread_create: EAGAIN, as when memory runs
    out); the process itself runs as before."""
    _, hard = resource.getrlimit(resource.RLIMIT_STACK)
    want = 1 << 50  # 1 PiB: more than a process's 128 TiB of address space
    if hard != resource.RLIM_INFINITY and hard < want:
        hard = want  # root may raise it
    resource.setrlimit(resource.RLIMIT_STACK, (want, hard))


def temps(folder):
    """The export temporaries in folder ([] when it does not exist)."""
    return [n for n in os.listdir(folder) if n.startswith(".camwatch-export-")] \
        if os.path.isdir(folder) else []


def in_fifo_open(pid):
    """A thread of pid blocks opening a FIFO no writer opened."""
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/wchan" % (pid, tid)) as f:
            if f.read() in ("wait_for_partner", "fifo_open"):
                return True
    return False


def audit_append(db, actor, action, subject, detail):
    """An audit row appended as camwatch appends one (store_audit.c: the SHA-256 of its fields
    and the row before), as an older version wrote it: its id."""
    with sqlite3.connect(db) as con:
        last = con.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        rid, prev = (last[0] + 1, last[1]) if last else (1, "0" * 64)
        at_ms = int(datetime.datetime.now().timestamp() * 1000)
        text = "%d|%d|" % (rid, at_ms) + "".join(
            "%d:%s|" % (len(f.encode()), f) for f in (actor, action, subject, detail)) + prev
        con.execute("INSERT INTO audit (id, at_ms, actor, action, subject, detail, prev_hash, "
                    "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (rid, at_ms, actor, action, subject, detail, prev,
                     hashlib.sha256(text.encode()).hexdigest()))
    return rid


def file_size_limit():
    """preexec_fn: the export may write no file past LIMIT bytes (as `ulimit -f`)."""
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, hard))


class ExportEdgesTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-export-edges-"

    @classmethod
    def start(cls):
        tmp = cls.tmp
        closed = cwtest.closed_port()
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        cls.t0 = now - datetime.timedelta(minutes=10)
        cls.nvr = os.path.join(tmp, "nvr")
        segs = big_segments(os.path.join(tmp, "src"), 2)
        assert sum(os.path.getsize(s) for s in segs) > 2 * LIMIT, [os.path.getsize(s)
                                                                  for s in segs]
        for k, s in enumerate(segs):
            dirsite.place(s, cls.nvr, dirsite.name("CHO-01", cls.t0 + k * dirsite.SEG_S
                                                   * dirsite.SEC))
        cams = [cwtest.camera("CHO-01", cwtest.rtsp_url(closed, "/a"), name="Cổng chợ",
                              recorder="nvr"),
                cwtest.camera("CAH-002", cwtest.rtsp_url(closed, "/b"), name="Ngã ba",
                              recorder="nvr-away")]
        cls.conf = cwtest.write_config(
            os.path.join(tmp, "site"), cams,
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr": {"kind": "dir", "path": cls.nvr,
                                       "pattern": dirsite.PATTERN},
                      "recorder nvr-away": {"kind": "dir", "path": os.path.join(tmp, "away"),
                                            "pattern": dirsite.PATTERN}})
        cls.db = os.path.join(os.path.dirname(cls.conf), "var", "camwatch.db")
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r

    def cli(self, *args, **kw):
        argv = [cwtest.program("camwatch"), "-c", self.conf, *args]
        return subprocess.run(argv, capture_output=True, text=True, timeout=300,
                              stdin=subprocess.DEVNULL, **kw)

    def request(self, frm, to, *place):
        r = self.cli("request", "create", "--json", "--from", frm.isoformat(), "--to",
                     to.isoformat(), *place, "--case", "VV-2026-130", "--reason", "thử",
                     "--by", "it-staff")
        self.assertEqual(r.returncode, 0, r)
        return json.loads(r.stdout)["id"]

    def api_export(self, port, token, length, case):
        """Through the daemon's API: a request for CHO-01 from t0 over length, exported; the
        request's and the export's ids."""
        r = cwtest.http(port, "POST", "/api/v1/requests", token,
                        body={"from": dirsite.iso(self.t0), "to": dirsite.iso(self.t0 + length),
                              "camera": "CHO-01", "case": case, "reason": "thử"})
        self.assertEqual(r.status, 201, r)
        rid = r.json()["id"]
        r = cwtest.http(port, "POST", "/api/v1/requests/%d/export" % rid, token)
        self.assertEqual(r.status, 202, r)
        return rid, r.json()["id"]

    def audit_rows(self, rid):
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as con:
            return con.execute("SELECT action, detail FROM audit WHERE subject = ? ORDER BY id",
                               ("request %d" % rid,)).fetchall()

    def test_a_file_size_limit_fails_the_export_whole_and_audited(self):
        # `ulimit -f`: SIGXFSZ killed the CLI (exit 153), leaving a 100 MB temporary in DIR and
        # an export.start row with no end; a write past the limit must fail as a full disk does
        rid = self.request(self.t0, self.t0 + 8 * dirsite.SEC, "--camera", "CHO-01")
        out = os.path.join(self.tmp, "limited")
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff",
                     preexec_fn=file_size_limit)
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("camera CHO-01: CHO-01.mp4: ", r.stderr)
        self.assertIn(os.strerror(27), r.stderr)  # EFBIG: "File too large"
        self.assertFalse(os.path.exists(out), os.listdir(out) if os.path.isdir(out) else out)
        rows = self.audit_rows(rid)
        self.assertEqual([a for a, _ in rows], ["request.create", "export.start",
                                                "export.failed"], rows)
        self.assertIn("CHO-01.mp4", rows[2][1])
        self.assertIn(os.strerror(27), rows[2][1])
        # a folder that was there stays, empty: nothing of the export left in it
        os.mkdir(out, 0o750)
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff",
                     preexec_fn=file_size_limit)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual(os.listdir(out), [])
        # without the limit it is made
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("CHO-01.mp4", os.listdir(out))

    def test_a_file_size_limit_fails_the_daemons_export_not_the_daemon(self):
        # the API's export runs in camwatchd: SIGXFSZ would kill the daemon itself
        port = cwtest.free_port()
        site = os.path.join(self.tmp, "site-api")
        conf = cwtest.write_config(
            site, [cwtest.camera("CHO-01", cwtest.rtsp_url(cwtest.closed_port(), "/a"),
                                 recorder="nvr")],
            http_listen="127.0.0.1:%d" % port,
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr": {"kind": "dir", "path": self.nvr,
                                       "pattern": dirsite.PATTERN}})
        self.assertEqual(cwtest.camwatchd(conf, "--once").rc, 0)
        token = cwtest.add_token(conf, "t-inv", "investigator")
        os.makedirs(os.path.join(site, "var", "exports"), mode=0o750)
        d = self.procs.start(["prlimit", "--fsize=%d:" % LIMIT, cwtest.program("camwatchd"),
                              "-c", conf], name="camwatchd")
        cwtest.wait_http(port, token, d)
        rid, eid = self.api_export(port, token, 8 * dirsite.SEC, "VV-2026-131")

        def ended():
            doc = cwtest.http(port, "GET", "/api/v1/exports/" + eid, token).json()
            return doc["state"] in ("done", "failed") and doc
        job = cwtest.wait_for("export %s ended" % eid, ended, proc=d)
        self.assertEqual(job["state"], "failed", job)
        self.assertIn("camera CHO-01: CHO-01.mp4: ", job["error"])
        self.assertIn(os.strerror(27), job["error"])
        self.assertEqual(cwtest.http(port, "GET", "/healthz", token).status, 200)
        self.assertIsNone(d.popen.poll())  # still running
        db = os.path.join(site, "var", "camwatch.db")
        with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as con:
            rows = con.execute("SELECT action, detail FROM audit WHERE subject = ? ORDER BY id",
                               ("request %d" % rid,)).fetchall()
        self.assertEqual([a for a, _ in rows], ["request.create", "export.start",
                                                "export.failed"], rows)
        self.assertIn(os.strerror(27), rows[2][1])
        # a request of no camera (an older version's): 409, nothing begun
        with sqlite3.connect(db) as con:
            none = con.execute(
                "INSERT INTO request (created_ms, by, case_ref, reason, from_ms, to_ms, place, "
                "place_text) VALUES (1, 'it-staff', 'VV-1', 'cũ', 1000, 2000, 'text', "
                "'không có chỗ này')").lastrowid
        r = cwtest.http(port, "POST", "/api/v1/requests/%d/export" % none, token)
        self.assertEqual(r.status, 409, r)
        self.assertIn("request %d selects no camera: nothing to export" % none,
                      r.json()["detail"])

    def test_every_camera_not_indexed_is_said_in_the_summary_and_audit_row(self):
        # CAH-002's recorder was never scanned: the summary named CHO-01's footage alone
        rid = self.request(self.t0, self.t0 + 8 * dirsite.SEC, "--camera", "CAH-002,CHO-01")
        out = os.path.join(self.tmp, "two")
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual(r.returncode, 0, r)
        self.assertRegex(r.stdout, r"\ndelivered: CAH-002 nothing \(not indexed: never "
                         r"scanned\), CHO-01 [0-9:]+-[0-9:]+\n")
        detail = self.audit_rows(rid)[-1][1]
        self.assertIn("CAH-002 nothing (not indexed: never scanned)", detail)

    def test_a_range_after_the_last_scan_says_not_indexed_with_times_whole(self):
        # after the last scan (a range beginning within the hour ahead a recorder's clock may
        # run; later is refused): nothing delivered, and "nothing delivered" is not "nothing
        # exists"
        frm = (datetime.datetime.now(dirsite.HCM) + datetime.timedelta(minutes=30)).replace(
            microsecond=0)
        to = frm + datetime.timedelta(minutes=10)
        rid = self.request(frm, to, "--camera", "CHO-01")
        out = os.path.join(self.tmp, "later")
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("0 files of 1 cameras", r.stdout)
        self.assertIn("; CHO-01 nothing (not indexed after ", self.audit_rows(rid)[-1][1])
        with open(os.path.join(out, "manifest.txt"), encoding="utf-8") as f:
            txt = f.read()
        # every time in manifest.txt whole, "2026-12-07 20:04:06 +07:00", none ISO
        m = re.search(r"Nothing delivered: not indexed after (\d{4}-\d\d-\d\d) "
                      r"(\d\d:\d\d:\d\d) \+07:00: recorder nvr not scanned since\n", txt)
        self.assertIsNotNone(m, txt)
        self.assertNotRegex(txt, r"\d\dT\d\d:")
        # the summary gives the time of day alone when the range (its end not included) and
        # the index's end are all of one day, and dates it when not (run just before midnight,
        # the range ends the next day)
        days = {frm.date().isoformat(), (to - datetime.timedelta(seconds=1)).date().isoformat(),
                m.group(1)}
        when = m.group(2) if len(days) == 1 else "%s %s" % m.groups()
        self.assertIn("\ndelivered: CHO-01 nothing (not indexed after %s)\n" % when, r.stdout)

    def test_a_request_selecting_no_camera_is_not_exported(self):
        # one an older version stored: its export said "0 files of 0 cameras", exit 0
        with sqlite3.connect(self.db) as con:
            rid = con.execute(
                "INSERT INTO request (created_ms, by, case_ref, reason, from_ms, to_ms, place, "
                "place_text) VALUES (1, 'it-staff', 'VV-1', 'cũ', 1000, 2000, 'text', "
                "'không có chỗ này')").lastrowid
        out = os.path.join(self.tmp, "none")
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual((r.returncode, r.stdout), (1, ""), r)
        self.assertIn("request %d selects no camera: nothing to export" % rid, r.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.audit_rows(rid), [])

    def test_a_by_name_the_audit_trail_cannot_hold_is_refused_before_anything(self):
        # The audit row of an export says who made it: `--by ""` wrote rows with no one, a new
        # line in it a row whose actor forges a line where it is printed, and a name past the
        # row's 127 bytes was cut (perhaps inside a letter). request create refuses all three
        # in its --by; export and close-export must too, writing nothing, exit 2.
        rid = self.request(self.t0, self.t0 + 4 * dirsite.SEC, "--camera", "CHO-01")
        out = os.path.join(self.tmp, "by-refused")
        for by, why in (("", "--by: required"), ("it-staff\nadmin", "--by: a control character"),
                        ("Nguyễn Văn Ánh " * 9, "--by: 127 bytes at the most")):
            with self.subTest(by=by):
                r = self.cli("request", "export", str(rid), "--out", out, "--by", by)
                self.assertEqual(r.returncode, 2, r)
                self.assertIn("camwatch: request export: %s" % why, r.stderr)
                self.assertFalse(os.path.exists(out))
                self.assertEqual([a for a, _ in self.audit_rows(rid)], ["request.create"])
                r = self.cli("audit", "close-export", "1", "--by", by, "--reason", "đã xem")
                self.assertEqual(r.returncode, 2, r)
                self.assertIn("camwatch: audit close-export: %s" % why, r.stderr)
        r = self.cli("audit", "close-export", "1", "--by", "it-staff", "--reason", "xem\nlại")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("camwatch: audit close-export: --reason: a control character", r.stderr)
        # a name of its letters, whole, as typed
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "Nguyễn Văn Ánh")
        self.assertEqual(r.returncode, 0, r)
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as con:
            actors = con.execute("SELECT action, actor FROM audit WHERE subject = ? ORDER BY id",
                                 ("request %d" % rid,)).fetchall()
        self.assertEqual(actors[1:], [("export.start", "Nguyễn Văn Ánh"),
                                      ("export", "Nguyễn Văn Ánh")])

    def export_held(self, rid, out):
        """A CLI export of rid into out, blocked writing its first progress line to a full
        stderr pipe (its start row written, its MP4's temporary made, its folder locked) until
        the caller kills it: (its Popen, the pipe's read end for the caller to close)."""
        rd, wr = cwtest.full_pipe()
        p = subprocess.Popen([cwtest.program("camwatch"), "-c", self.conf, "request", "export",
                              str(rid), "--out", out, "--by", "it-staff", "--progress"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=wr,
                             start_new_session=True)
        os.close(wr)
        try:
            cwtest.wait_for("the CLI blocked writing its progress",
                            lambda: cwtest.blocked_writing_stderr(p.pid))
        except BaseException:
            p.kill()
            p.wait()
            os.close(rd)
            raise
        return p, rd

    def test_a_running_export_is_told_from_a_killed_one_closed_by_hand(self):
        # A CLI export holds its folder's lock while it runs: audit verify says it runs now
        # (exit 0: no fault), close-export refuses it; killed (SIGKILL: the kernel drops the
        # lock), verify says killed (exit 3) and close-export writes its export.failed row
        # (by whom, why, naming its start row), after which verify exits 0.
        rid = self.request(self.t0, self.t0 + 8 * dirsite.SEC, "--camera", "CHO-01")
        out = os.path.join(self.tmp, "held")
        folder = os.path.realpath(os.path.dirname(out))  # the folder as the rows give it
        folder = os.path.join(folder, "held")
        p, rd = self.export_held(rid, out)  # made by the export: it did not exist
        try:
            with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as con:
                (create,), = con.execute("SELECT id FROM audit WHERE subject = ? AND action = "
                                         "'request.create'", ("request %d" % rid,))
                (start,), = con.execute("SELECT id FROM audit WHERE subject = ? AND action = "
                                        "'export.start'", ("request %d" % rid,))
            r = self.cli("audit", "verify", "--json")
            self.assertEqual(r.returncode, 0, r)
            [e] = json.loads(r.stdout)["unfinished_exports"]
            self.assertEqual((e["row"], e["folder"], e["state"], e["state_why"]),
                             (start, folder, "running", ""), e)
            r = self.cli("audit", "verify")
            self.assertEqual(r.returncode, 0, r)
            self.assertIn("export with no end recorded (running now: a process holds its "
                          "folder): audit row %d, " % start, r.stdout)
            r = self.cli("audit", "close-export", str(start), "--by", "it-lead", "--reason",
                         "x")
            self.assertEqual(r.returncode, 1, r)
            self.assertIn("audit row %d: the export into %s is running now (a process holds "
                          "its folder's lock): nothing written" % (start, folder), r.stderr)
            self.assertEqual([a for a, _ in self.audit_rows(rid)],
                             ["request.create", "export.start"])
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            os.close(rd)
        r = self.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 3, r)
        [e] = json.loads(r.stdout)["unfinished_exports"]
        self.assertEqual((e["row"], e["state"]), (start, "killed"), e)
        r = self.cli("audit", "verify")
        self.assertEqual(r.returncode, 3, r)
        self.assertIn("export with no end recorded (killed: no process holds its folder): "
                      "audit row %d, " % start, r.stdout)
        self.assertIn("`camwatch audit close-export ROW --by NAME --reason TEXT`", r.stdout)
        # refused: usage (exit 2), a row that began no export, one that does not exist
        for args, rc, said in (
                ((str(start), "--reason", "x"), 2, "--by NAME is needed"),
                ((str(start), "--by", "it-lead"), 2, "--reason TEXT is needed"),
                (("row", "--by", "it-lead", "--reason", "x"), 2, "is not an audit row number"),
                ((str(create), "--by", "it-lead", "--reason", "x"), 1,
                 "audit row %d is a request.create row, not an export.start row" % create),
                (("999999", "--by", "it-lead", "--reason", "x"), 1,
                 "audit row 999999: no such row")):
            r = self.cli("audit", "close-export", *args)
            self.assertEqual(r.returncode, rc, (args, r))
            self.assertIn(said, r.stderr, args)
        self.assertEqual([a for a, _ in self.audit_rows(rid)], ["request.create", "export.start"])
        r = self.cli("audit", "close-export", str(start), "--by", "it-lead", "--reason",
                     "temporary left in the folder, kept for the case file")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("audit row %d: the export it began is closed" % start, r.stdout)
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as con:
            [(actor, action, detail)] = con.execute(
                "SELECT actor, action, detail FROM audit WHERE subject = ? AND id > ?",
                ("request %d" % rid, start)).fetchall()
        self.assertEqual((actor, action, detail),
                         ("it-lead", "export.failed",
                          "%s: closed by hand: temporary left in the folder, kept for the case "
                          "file; export.start row %d" % (folder, start)))
        self.assertEqual(len([n for n in os.listdir(out)
                              if n.startswith(".camwatch-export-")]), 1, os.listdir(out))
        r = self.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(json.loads(r.stdout)["unfinished_exports"], [], r.stdout)
        r = self.cli("audit", "close-export", str(start), "--by", "it-lead", "--reason", "again")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("audit row %d: the export it began has its end row already" % start,
                      r.stderr)

    def test_an_export_of_a_version_without_the_lock_is_closed_only_when_said_not_running(self):
        # An export begun by a camwatch version before the folder lock holds none while it runs:
        # its free lock said "killed", and close-export closed it while it ran. Its start row
        # (the folder alone, no "; folder locked") is "unknown" now, saying why; close-export
        # refuses it (exit 1, nothing written) until the closer says it is not running.
        rid = self.request(self.t0, self.t0 + 8 * dirsite.SEC, "--camera", "CHO-01")
        folder = os.path.join(os.path.realpath(self.tmp), "older")
        os.mkdir(folder, 0o750)
        start = audit_append(self.db, "it-staff", "export.start", "request %d" % rid, folder)
        r = self.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 3, r)
        [e] = [e for e in json.loads(r.stdout)["unfinished_exports"] if e["row"] == start]
        self.assertEqual((e["folder"], e["locks_folder"], e["state"], e["state_why"]),
                         (folder, False, "unknown", "begun by a camwatch version that did not lock "
                          "its folder, so it may be running"), e)
        r = self.cli("audit", "verify")
        self.assertIn("export with no end recorded (running now, or killed: begun by a camwatch "
                      "version that did not lock its folder, so it may be running): audit row "
                      "%d, " % start, r.stdout)
        self.assertIn("; one begun by a version that did not lock its folder, once you know it "
                      "is not running, with --not-running)", r.stdout)
        r = self.cli("audit", "close-export", str(start), "--by", "it-lead", "--reason", "x")
        self.assertEqual(r.returncode, 1, r)
        self.assertIn("camwatch: audit row %d: the export into %s was begun by a camwatch version "
                      "that did not lock its folder, so it may be running: nothing written; once "
                      "you know it is not (no camwatch process exporting into that folder), close "
                      "it with --not-running\n" % (start, folder), r.stderr)
        self.assertEqual([a for a, _ in self.audit_rows(rid)], ["request.create", "export.start"])
        r = self.cli("audit", "close-export", "--help")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("--not-running   for an export begun by a camwatch version that did not "
                      "lock its folder", r.stdout)
        r = self.cli("audit", "close-export", str(start), "--by", "it-lead", "--reason",
                     "no camwatch process left, folder empty", "--not-running")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(self.audit_rows(rid)[2:],
                         [("export.failed", "%s: closed by hand (--not-running): no camwatch "
                           "process left, folder empty; export.start row %d" % (folder, start))])
        r = self.cli("audit", "verify", "--json")
        self.assertNotIn(start, [e["row"] for e in json.loads(r.stdout)["unfinished_exports"]])

    def test_an_export_that_cannot_watch_for_ctrl_c_begins_nothing(self):
        # The export watches for Ctrl-C on a thread of its own: when that thread cannot be made
        # (no memory for its stack), it wrote its export.start row first and returned with no
        # end row, audit verify exit 3 for an export that never ran. Now nothing is begun.
        rid = self.request(self.t0, self.t0 + 8 * dirsite.SEC, "--camera", "CHO-01")
        out = os.path.join(self.tmp, "unwatched")
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff",
                     preexec_fn=no_thread_stacks)
        self.assertEqual(r.returncode, 1, r)
        self.assertEqual([a for a, _ in self.audit_rows(rid)], ["request.create"])
        self.assertIn("camwatch: cannot watch for Ctrl-C (%s): nothing exported to %s\n"
                      % (os.strerror(errno.EAGAIN), out), r.stderr)
        self.assertFalse(os.path.exists(out))
        # without the limit it is made, its start row saying its folder is locked
        r = self.cli("request", "export", str(rid), "--out", out, "--by", "it-staff")
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(self.audit_rows(rid)[1], ("export.start",
                                                   os.path.realpath(out) + "; folder locked"))

    def test_an_export_killed_halfway_is_named_by_audit_verify(self):
        # SIGKILL (as a power cut, or the OOM killer) leaves its export.start row with no end:
        # the chain holds, and audit verify says which export began and has no end, exit 3.
        # Deterministic without a clock: its stderr is a full pipe, so the CLI blocks writing
        # its first progress line (its start row written, its MP4's temporary made) until the
        # test has killed it.
        rid = self.request(self.t0, self.t0 + 8 * dirsite.SEC, "--camera", "CHO-01")
        out = os.path.join(self.tmp, "killed")
        os.mkdir(out, 0o750)
        p, rd = self.export_held(rid, out)
        try:
            self.assertEqual(len([n for n in os.listdir(out)
                                  if n.startswith(".camwatch-export-")]), 1, os.listdir(out))
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            os.close(rd)
        self.assertEqual(p.returncode, -signal.SIGKILL)
        self.assertEqual([a for a, _ in self.audit_rows(rid)], ["request.create", "export.start"])
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as con:
            (start, at_ms), = con.execute("SELECT id, at_ms FROM audit WHERE subject = ? AND "
                                          "action = 'export.start'", ("request %d" % rid,))
        began = datetime.datetime.fromtimestamp(at_ms / 1000, dirsite.HCM).replace(microsecond=0)
        r = self.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 3, r)
        v = json.loads(r.stdout)
        self.assertTrue(v["intact"], v)
        self.assertEqual(v["unfinished_exports"],
                         [{"row": start, "began": began.isoformat(), "by": "it-staff",
                           "request": rid, "folder": os.path.realpath(out), "export": None,
                           "locks_folder": True, "state": "killed", "state_why": ""}], v)
        r = self.cli("audit", "verify")
        self.assertEqual(r.returncode, 3, r)
        lines = r.stdout.splitlines()
        self.assertTrue(lines[0].startswith("audit trail intact: "), r.stdout)
        self.assertEqual(lines[1], "export with no end recorded (killed: no process holds its "
                         "folder): audit "
                         "row %d, began %s by it-staff, request %d, folder %s"
                         % (start, began.strftime("%Y-%m-%d %H:%M:%S"), rid,
                            os.path.realpath(out)), r.stdout)
        # the same request exported again into another folder ends; the killed one stays named
        again = os.path.join(self.tmp, "killed-again")
        r = self.cli("request", "export", str(rid), "--out", again, "--by", "it-staff")
        self.assertEqual(r.returncode, 0, r)
        r = self.cli("audit", "verify", "--json")
        self.assertEqual(r.returncode, 3, r)
        self.assertEqual([e["row"] for e in json.loads(r.stdout)["unfinished_exports"]], [start])


    def api_export_held(self, name, case):
        """A site of its own (CHO-01 on a recorder of one segment) whose camwatchd runs an API
        export held: the segment is a FIFO when the export opens it (after the daemon's first
        scan; the next is an hour later), so it blocks in open() with its temporary made, until
        the caller opens the FIFO for writing or kills the daemon. Deterministic without a clock.
        A namespace of conf, port, token, db, seg, exports, d (the daemon), rid, eid, folder, and
        rows(rid): [(id, actor, action, detail)] of the request's audit rows."""
        h = types.SimpleNamespace(port=cwtest.free_port())
        site = os.path.join(self.tmp, "site-" + name)
        nvr = os.path.join(self.tmp, "nvr-" + name)
        rel = dirsite.name("CHO-01", self.t0)
        h.seg = dirsite.place(os.path.join(self.nvr, rel), nvr, rel)
        h.conf = cwtest.write_config(
            site, [cwtest.camera("CHO-01", cwtest.rtsp_url(cwtest.closed_port(), "/a"),
                                 recorder="nvr")],
            http_listen="127.0.0.1:%d" % h.port,
            sections={"probe.stream": {"workers": "0"}, "footage": {"scan_interval": "1h"},
                      "recorder nvr": {"kind": "dir", "path": nvr, "pattern": dirsite.PATTERN}})
        self.assertEqual(cwtest.camwatchd(h.conf, "--once").rc, 0)
        h.token = cwtest.add_token(h.conf, "t-inv", "investigator")
        h.exports = os.path.join(site, "var", "exports")
        os.makedirs(h.exports, mode=0o750)
        h.db = os.path.join(site, "var", "camwatch.db")

        def rows(rid):
            with sqlite3.connect("file:%s?mode=ro" % h.db, uri=True) as con:
                return con.execute("SELECT id, actor, action, detail FROM audit WHERE subject = "
                                   "? ORDER BY id", ("request %d" % rid,)).fetchall()
        h.rows = rows
        h.d = d = self.procs.start([cwtest.program("camwatchd"), "-v", "-c", h.conf],
                                   name="camwatchd")
        cwtest.wait_http(h.port, h.token, d)
        cwtest.wait_for("the daemon's first scan", lambda: "footage: recorder=nvr scanned in "
                        in d.stderr_text(), proc=d)
        os.rename(h.seg, h.seg + ".real")
        os.mkfifo(h.seg, 0o640)
        h.rid, h.eid = self.api_export(h.port, h.token, 4 * dirsite.SEC, case)
        h.folder = os.path.join(h.exports, h.eid)
        cwtest.wait_for("the API export's temporary", lambda: temps(h.folder), proc=d)
        cwtest.wait_for("the API export blocked opening its segment",
                        lambda: in_fifo_open(d.pid), proc=d)
        return h

    def test_close_export_refuses_an_api_export_while_camwatchd_runs(self):
        # The API export runs in camwatchd: while camwatchd runs, nothing outside it can tell a
        # running export from a dead one, so close-export refuses it (exit 1), saying to stop
        # camwatchd, which closes its own dead exports as it starts, and writes nothing.
        h = self.api_export_held("running", "VV-2026-133")
        [(start, actor, action, where)] = h.rows(h.rid)[1:]
        self.assertEqual((actor, action, where), ("t-inv", "export.start", h.eid))
        r = cwtest.camwatch(h.conf, "audit", "verify", "--json")
        self.assertEqual(r.rc, 3, r)
        self.assertEqual([(e["row"], e["export"], e["state"], e["state_why"])
                          for e in json.loads(r.out)["unfinished_exports"]],
                         [(start, h.eid, "unknown", "camwatchd is running")], r.out)
        r = cwtest.camwatch(h.conf, "audit", "close-export", str(start), "--by", "it-lead",
                            "--reason", "looks dead")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("camwatch: audit row %d: API export %s may be running now (camwatchd is "
                      "running): stop camwatchd first, which closes its own dead exports as it "
                      "starts\n" % (start, h.eid), r.err)
        self.assertEqual(h.rows(h.rid)[1:], [(start, "t-inv", "export.start", h.eid)])
        # --not-running is the closer's word for an export of a version without the lock, not
        # for camwatchd's: refused all the same
        r = cwtest.camwatch(h.conf, "audit", "close-export", str(start), "--by", "it-lead",
                            "--reason", "looks dead", "--not-running")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("API export %s may be running now (camwatchd is running)" % h.eid, r.err)
        self.assertEqual(h.rows(h.rid)[1:], [(start, "t-inv", "export.start", h.eid)])
        self.assertEqual(len(temps(h.folder)), 1, os.listdir(h.folder))
        # the FIFO opened for writing and closed: the export reads nothing and ends, by itself
        os.close(os.open(h.seg, os.O_WRONLY | os.O_NONBLOCK))
        cwtest.wait_for("the API export's end row",
                        lambda: h.rows(h.rid)[-1][2] in ("export", "export.failed"), proc=h.d)
        self.assertIsNone(h.d.popen.poll())
        h.d.stop()

    def test_an_api_export_of_a_killed_daemon_is_closed_when_it_starts_again(self):
        # camwatchd SIGKILLed (the OOM killer, a power cut) while its API export runs: the
        # export.start row had no end for good, audit verify exit 3 forever, the temporary
        # left in the exports folder. One daemon per store: the next camwatchd knows the
        # export is dead, writes its export.failed row (naming the start row) and clears its
        # temporaries, and leaves alone a CLI export running meanwhile.
        # Deterministic without a clock: the one segment is a FIFO when the exports open it
        # (api_export_held), so each blocks in open() with its temporary made, until killed.
        h = self.api_export_held("killed", "VV-2026-132")
        port, token, conf, seg, rows, d = h.port, h.token, h.conf, h.seg, h.rows, h.d
        rid, eid, folder = h.rid, h.eid, h.folder
        os.kill(d.pid, signal.SIGKILL)
        d.popen.wait()
        [(start, actor, action, where)] = rows(rid)[1:]
        self.assertEqual((actor, action, where), ("t-inv", "export.start", eid))
        self.assertEqual(len(temps(folder)), 1, os.listdir(folder))
        # a CLI export of the same request, running (blocked on the FIFO too) while the daemon
        # starts again: not the daemon's to close
        cli_out = os.path.join(self.tmp, "killed-daemon-cli")
        cli = subprocess.Popen([cwtest.program("camwatch"), "-c", conf, "request", "export",
                                str(rid), "--out", cli_out, "--by", "it-staff"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            cwtest.wait_for("the CLI export blocked opening its segment",
                            lambda: temps(cli_out) and in_fifo_open(cli.pid))
            d2 = self.procs.start([cwtest.program("camwatchd"), "-v", "-c", conf],
                                  name="camwatchd")
            cwtest.wait_http(port, token, d2)  # the dead export closed before the API listens
            got = rows(rid)
            self.assertEqual([a for _, _, a, _ in got],
                             ["request.create", "export.start", "export.start", "export.failed"],
                             got)
            cli_start = got[2][0]
            _, by, _, detail = got[3]
            self.assertEqual(by, "t-inv")
            self.assertEqual(detail, "%s: camwatchd stopped before the export ended (found at "
                             "start-up); 1 temporary removed, then its folder %s, empty; "
                             "export.start row %d" % (eid, os.path.realpath(folder), start))
            self.assertFalse(os.path.exists(folder), temps(folder))
            self.assertIn("api: export %s of request %d by t-inv (audit row %d) never ended: "
                          "camwatchd stopped before the export ended (found at start-up); "
                          % (eid, rid, start), d2.stderr_text())
            # the CLI's export untouched: no end row, its temporary there, audit verify names it
            # as running now (its folder's lock held): no fault, exit 0
            self.assertEqual(len(temps(cli_out)), 1, os.listdir(cli_out))
            r = cwtest.camwatch(conf, "audit", "verify", "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual([(e["row"], e["state"])
                              for e in json.loads(r.out)["unfinished_exports"]],
                             [(cli_start, "running")], r.out)
            # the FIFO opened for writing and closed: the CLI reads nothing and ends
            os.close(os.open(seg, os.O_WRONLY | os.O_NONBLOCK))
            self.assertEqual(cli.wait(timeout=300), 0)
        finally:
            if cli.poll() is None:
                cli.kill()
                cli.wait()
        self.assertEqual([a for _, _, a, _ in rows(rid)][-1], "export", rows(rid))
        r = cwtest.camwatch(conf, "audit", "verify", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(json.loads(r.out)["unfinished_exports"], [], r.out)
        # a daemon started again writes nothing more: the export stays closed once
        d2.stop()
        d3 = self.procs.start([cwtest.program("camwatchd"), "-v", "-c", conf], name="camwatchd")
        cwtest.wait_http(port, token, d3)
        self.assertEqual([a for _, _, a, _ in rows(rid)].count("export.failed"), 1, rows(rid))
        self.assertNotIn("never ended", d3.stderr_text())
        d3.stop()

if __name__ == "__main__":
    unittest.main()
