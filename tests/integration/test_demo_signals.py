#!/usr/bin/python3
"""scripts/demo stops when told to: SIGTERM or SIGINT sent to it stops everything it started
and it exits, without going on to run `camwatch status` against nothing.

    /usr/bin/python3 tests/integration/test_demo_signals.py --build build [-v]

The demo listens on fixed ports (the Lai Vung example's 8554, 8555, 8580, 8640), so the test
re-executes itself in a network namespace of its own (`unshare -n` as root, `unshare -rn`
otherwise), where those ports are free whatever else runs on the machine; when the machine
allows none it fails saying so, unless CW_SKIP_NETNS=1 (then it says it skipped). Inside, it
runs a copy of the demo in a temporary tree (the script, the example without var/, the
fixtures) on the programs already built (CAMWATCH_DEMO_NO_BUILD=1), so the source tree is not
written.

Pinned: signalled while it waits for the first sweep (SIGTERM) and while it sleeps between
status rounds (SIGINT, sent to the script alone as `kill -INT` does), the demo exits with
128 + the signal, says it stops, prints no status after the signal, and every process it
started (the fleet, the fixtures, camwatchd, its sleep) is gone. Deadlines only guard
against hangs; nothing asserts on time.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

INSIDE = cwtest.take_inside_flag()
BUILD = cwtest.build_dir()
STATUS_HEAD = re.compile(r"(?m)^ID +NAME +OWNER +STATE ")  # `camwatch status`'s table head
EXIT_WAIT_S = 60               # guard while waiting for the demo to exit
START_WAIT_S = 180             # guard while waiting for it to reach a point


def enter_netns():
    cwtest.enter_namespace("n", __file__, "CW_SKIP_NETNS",
                           "The demo's fixed ports are only taken inside one this test makes")


def setup_netns():
    names = sorted(name for _, name in socket.if_nameindex())
    if names != ["lo"]:
        sys.exit("test_demo_signals: --inside, but this namespace has interfaces %s" % names)
    exe = shutil.which("ip") or "/usr/sbin/ip"
    subprocess.run([exe, "link", "set", "lo", "up"], check=True, timeout=60)


def demo_tree(tmp):
    """A copy of what scripts/demo reads, in tmp; the script's path."""
    src = cwtest.SOURCE_DIR
    os.makedirs(os.path.join(tmp, "scripts"))
    shutil.copy2(os.path.join(src, "scripts", "demo"), os.path.join(tmp, "scripts", "demo"))
    shutil.copytree(os.path.join(src, "config", "examples", "lai-vung"),
                    os.path.join(tmp, "config", "examples", "lai-vung"),
                    ignore=shutil.ignore_patterns("var"))
    os.makedirs(os.path.join(tmp, "tests"))
    os.symlink(os.path.join(src, "tests", "fixtures"), os.path.join(tmp, "tests", "fixtures"))
    return os.path.join(tmp, "scripts", "demo")


def descendants(pid):
    """Every live process below pid, from /proc."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def running_in(tmp):
    """Processes whose command line names the demo's tree (its fixtures, camwatchd's conf)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if tmp in cmd and alive(int(d)):
            found.append((int(d), cmd))
    return found


class DemoSignalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="cw-demo-")
        self.script = demo_tree(self.tmp)
        self.out = open(os.path.join(self.tmp, "demo.out"), "w+")
        env = dict(os.environ, CAMWATCH_DEMO_BUILD=BUILD, CAMWATCH_DEMO_NO_BUILD="1")
        # Its own session, so that whatever happens the tearDown can reach what it left.
        self.demo = subprocess.Popen(["bash", self.script, "--sweeps", "0"], env=env,
                                     stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def tearDown(self):
        if self.demo.poll() is None:
            os.killpg(self.demo.pid, signal.SIGKILL)
            self.demo.wait()
        for pid, _ in running_in(self.tmp):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.out.close()
        # the demo keeps its logs in a folder of its own, named in its output
        for m in re.finditer(r"logs in (/tmp/camwatch-demo\.\w+)\)", self.output_file()):
            shutil.rmtree(m.group(1), ignore_errors=True)
        cwtest.remove_tmp(self.tmp)

    def output_file(self):
        with open(self.out.name) as f:
            return f.read()

    def output(self):
        self.out.flush()
        return self.output_file()

    def wait_output(self, needle):
        cwtest.wait_for("demo to print %r" % needle,
                        lambda: needle in self.output() or self.demo.poll() is not None,
                        deadline_s=START_WAIT_S)
        self.assertIsNone(self.demo.poll(), "the demo ended early:\n" + self.output())
        self.assertIn(needle, self.output())

    def stop_and_check(self, sig):
        started = descendants(self.demo.pid)
        # the fleet, the slow fixture, the ONVIF devices and camwatchd at least
        self.assertGreaterEqual(len(started), 4, self.output())
        before = self.output()
        os.kill(self.demo.pid, sig)  # the script alone, not its group
        try:
            rc = self.demo.wait(timeout=EXIT_WAIT_S)
        except subprocess.TimeoutExpired:
            self.fail("the demo did not exit after signal %d:\n%s" % (sig, self.output()))
        self.assertEqual(rc, 128 + sig, self.output())
        after = self.output()[len(before):]
        self.assertIn("demo: stopping", after)
        self.assertIsNone(STATUS_HEAD.search(after), "a status after the signal:\n" + after)
        # Its children were waited for before it exited: none is left, none reparented.
        cwtest.wait_for("the demo's processes to end",
                        lambda: not any(alive(p) for p in started) and not running_in(self.tmp),
                        deadline_s=EXIT_WAIT_S)
        self.assertEqual([p for p in started if alive(p)], [])
        self.assertEqual(running_in(self.tmp), [])

    def test_sigterm_while_waiting_for_the_first_sweep_stops_everything(self):
        self.wait_output("demo: camwatchd running")
        time.sleep(1)  # into its wait for the first sweep: not a timing assertion
        self.stop_and_check(signal.SIGTERM)

    def test_sigint_between_status_rounds_stops_everything(self):
        self.wait_output("Ctrl-C stops the demo")  # it now sleeps until the next round
        self.assertEqual(len(STATUS_HEAD.findall(self.output())), 1, self.output())
        self.stop_and_check(signal.SIGINT)


if __name__ == "__main__":
    if not INSIDE:
        enter_netns()
    setup_netns()
    unittest.main()
