"""One camwatchd per store. Two daemons on one database (two configurations naming the same
[store] database, each its own [http] listen) both ran: each read the other's writes as a
staff's actions, every camera was probed twice and the vitals file was whoever wrote last.
Now the first holds "<database>.lock" (flock) for its life, reloads included; a second, and a
`camwatchd --once` beside it, exit 1 naming the first's pid; the CLI's writes still go beside
it; once the first stops, another starts.

    /usr/bin/python3 tests/integration/test_one_daemon_per_store.py --build build [-v]

Waits are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took."""
import os
import re
import signal
import socket
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

EXIT_WAIT_S = 60  # a refused daemon exits at once; this only guards against one that runs on


class OneDaemonPerStoreTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.procs = self.enterContext(cwtest.fixtures("cw-onelock-"))
        refused = cwtest.closed_port()
        cams = [cwtest.camera("C00001", cwtest.rtsp_url(refused, "/a")),
                cwtest.camera("C00002", cwtest.rtsp_url(refused, "/b"))]
        self.conf_a = cwtest.write_config(os.path.join(self.tmp, "site"), cams,
                                          probe={"interval": "1s", "timeout": "900ms", "slow": "800ms",
                                                 "down_after": "1"})
        with open(self.conf_a, encoding="utf-8") as f:
            listen = re.search(r"^listen = (\S+)$", f.read(), re.M).group(1)
        self.conf_b = cwtest.conf_variant(self.conf_a, "listen = " + listen,
                                          "listen = 127.0.0.1:%d" % cwtest.free_port(), ".b")
        self.db = os.path.join(self.tmp, "site", "var", "camwatch.db")

    def start(self, conf, name):
        return self.procs.start([cwtest.program("camwatchd"), "-c", conf], name=name)

    def running(self, d):
        cwtest.wait_for("%s running on the store" % d.name,
                        lambda: "; store " in d.stderr_text(), proc=d)

    def exit_code(self, d):
        try:
            return d.popen.wait(EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self.fail("%s still runs beside the first daemon; its log:\n%s"
                      % (d.name, d.stderr_text()[-3000:]))

    def assert_refused(self, text, holder):
        self.assertRegex(text, r"another camwatchd \(pid %d\) uses \S*camwatch\.db" % holder.pid)

    def test_a_second_daemon_on_the_store_is_refused(self):
        a = self.start(self.conf_a, "camwatchd-a")
        self.running(a)
        with open(self.db + ".lock", encoding="ascii") as f:
            self.assertEqual(f.read().strip(), str(a.pid))
        self.assertEqual(os.stat(self.db + ".lock").st_mode & 0o777, 0o640)
        cwtest.wait_for("a camera judged", lambda: cwtest.status(self.conf_a)["C00001"]["state"]
                        == "down")

        b = self.start(self.conf_b, "camwatchd-b")
        self.assertEqual(self.exit_code(b), 1, b.stderr_text())
        self.assert_refused(b.stderr_text(), a)
        self.assertNotIn("; store ", b.stderr_text(), "the second never ran")

        once = cwtest.camwatchd(self.conf_b, "--once")
        self.assertEqual(once.rc, 1, once)
        self.assert_refused(once.err, a)

        # The CLI's writes go beside the daemon, and the daemon keeps its lock over a reload.
        r = cwtest.camwatch(self.conf_a, "maintenance", "C00002", "on", "--note", "thay dây")
        self.assertEqual(r.rc, 0, r)
        os.kill(a.pid, signal.SIGHUP)
        cwtest.wait_for("the reload", lambda: "daemon: reloaded" in a.stderr_text(), proc=a)
        b = self.start(self.conf_b, "camwatchd-b2")
        self.assertEqual(self.exit_code(b), 1, b.stderr_text())
        self.assert_refused(b.stderr_text(), a)
        self.assertNotRegex(a.stderr_text(), r"camera=C00001 \S+ by staff")  # no other writer

        os.kill(a.pid, signal.SIGTERM)
        self.assertEqual(a.popen.wait(EXIT_WAIT_S), 0, a.stderr_text()[-2000:])
        once = cwtest.camwatchd(self.conf_b, "--once")
        self.assertEqual(once.rc, 0, once)  # the lock went with the first

    def test_a_taken_listen_address_names_the_conf_file_and_its_line(self):
        # "listen: cannot listen on 127.0.0.1:8640: Address already in use" named neither the
        # file nor the key that gave the address.
        holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(holder.close)
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        conf = cwtest.conf_variant(self.conf_a, "listen = ", "listen = 127.0.0.1:%d\n#" % port,
                                   ".taken")
        with open(conf, encoding="utf-8") as f:
            line = f.read().splitlines().index("listen = 127.0.0.1:%d" % port) + 1
        d = self.start(conf, "camwatchd-taken")
        self.assertNotEqual(self.exit_code(d), 0, d.stderr_text())
        self.assertIn("%s:%d: listen: [http]: cannot listen on 127.0.0.1:%d: Address already in "
                      "use\n" % (conf, line, port), d.stderr_text())

    def test_a_tokens_file_that_cannot_be_read_names_the_conf_file_and_its_line(self):
        # "tok: not a regular file of at most 1048576 bytes" named neither the conf file nor
        # the key that named that path. The daemon refuses to start, --check-config alike.
        os.mkdir(os.path.join(self.tmp, "site", "tok"))
        conf = cwtest.conf_variant(self.conf_a, "[http]\n", "[http]\ntokens = tok\n", ".tok")
        with open(conf, encoding="utf-8") as f:
            line = f.read().splitlines().index("tokens = tok") + 1
        want = ("%s:%d: tokens: [http]: %s: not a regular file of at most 1048576 bytes\n"
                % (conf, line, os.path.join(self.tmp, "site", "tok")))
        r = cwtest.camwatchd(conf, "--check-config")
        self.assertEqual(r.rc, 2, r)
        self.assertIn(want, r.err)
        d = self.start(conf, "camwatchd-tok")
        self.assertNotEqual(self.exit_code(d), 0, d.stderr_text())
        self.assertIn(want, d.stderr_text())


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
