"""A running camwatchd turns glibc's per-thread malloc cache off (issue 15: across its threads
the cache pinned pages that malloc_trim could not give back, and the RSS between samples rose
for the first 20 samples). Only GLIBC_TUNABLES, read when a process starts, does that: the
daemon starts itself again, once, with glibc.malloc.tcache_count=0 added, in the same process
(same pid, so systemd's Type=notify and the vitals' pid still name it). A tcache_count set by
whoever started it is left as it is; --once is not started again.

What glibc was given is read from /proc/PID/environ, the new program's environment; the
daemon is known to run by its vitals (`camwatch status --daemon --json`), whose pid must be
the one this test started."""
import json
import os
import signal
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402


def tunables(pid):
    """The GLIBC_TUNABLES entries of pid's environment."""
    with open("/proc/%d/environ" % pid, "rb") as f:
        return [e.decode("utf-8", "replace") for e in f.read().split(b"\0")
                if e.startswith(b"GLIBC_TUNABLES=")]


class DaemonMallocTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.procs = self.enterContext(cwtest.fixtures("cw-malloc-"))
        cams = [cwtest.camera("A", cwtest.rtsp_url(cwtest.closed_port(), "/x"))]
        self.conf = cwtest.write_config(os.path.join(self.tmp, "site"), cams,
                                        sections={"probe.stream": {"workers": "0"}})

    def start(self, tunables=None):
        env = dict(os.environ)
        env.pop("GLIBC_TUNABLES", None)
        if tunables is not None:
            env["GLIBC_TUNABLES"] = tunables
        d = self.procs.start([cwtest.program("camwatchd"), "-c", self.conf], name="camwatchd",
                             env=env)
        v = cwtest.wait_for("the daemon's vitals", lambda: self.vitals(), proc=d)
        self.assertEqual(v["pid"], d.pid, "the vitals name another process")
        return d

    def vitals(self):
        r = cwtest.camwatch(self.conf, "status", "--daemon", "--json")
        return json.loads(r.out) if r.rc == 0 else None

    def stop(self, d):
        os.kill(d.pid, signal.SIGTERM)
        self.assertEqual(d.popen.wait(60), 0, d.stderr_text())

    def test_the_daemon_runs_without_the_thread_cache_in_its_own_process(self):
        d = self.start()
        self.assertEqual(tunables(d.pid), ["GLIBC_TUNABLES=glibc.malloc.tcache_count=0"])
        self.stop(d)

    def test_a_thread_cache_set_by_whoever_started_it_is_kept(self):
        d = self.start("glibc.malloc.tcache_count=3")
        self.assertEqual(tunables(d.pid), ["GLIBC_TUNABLES=glibc.malloc.tcache_count=3"])
        self.stop(d)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
