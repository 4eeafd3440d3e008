"""scripts/demo under test, for test_demo_*.py: a copy of what it reads in a temporary tree,
the network namespace its fixed ports need, and what it started, found in /proc.

The demo listens on fixed ports (the Lai Vung example's 8554, 8555, 8580, 8640), so a test
re-executes itself in a network namespace of its own (enter_netns: `unshare -n` as root,
`unshare -rn` otherwise), where those ports are free whatever else runs on the machine; when
the machine allows none it fails saying so, unless CW_SKIP_NETNS=1 (then it says it skipped).
Inside, it runs a copy of the demo (demo_tree) on the programs already built
(CAMWATCH_DEMO_NO_BUILD=1), so the source tree is not written."""
import os
import re
import shutil
import socket
import subprocess
import sys

import cwtest

EXAMPLE = os.path.join("config", "examples", "lai-vung")
STATUS_HEAD = re.compile(r"(?m)^ID +NAME +OWNER +STATE ")  # `camwatch status`'s table head
LOG_DIR = re.compile(r"(/tmp/camwatch-demo\.\w+)")  # the folder of a run's logs, as it says


def enter_netns(script):
    cwtest.enter_namespace("n", script, "CW_SKIP_NETNS",
                           "The demo's fixed ports are only taken inside one this test makes")


def setup_netns(name):
    names = sorted(n for _, n in socket.if_nameindex())
    if names != ["lo"]:
        sys.exit("%s: --inside, but this namespace has interfaces %s" % (name, names))
    exe = shutil.which("ip") or "/usr/sbin/ip"
    subprocess.run([exe, "link", "set", "lo", "up"], check=True, timeout=60)


def demo_tree(tmp):
    """A copy of what scripts/demo reads, in tmp; the script's path."""
    src = cwtest.SOURCE_DIR
    os.makedirs(os.path.join(tmp, "scripts"))
    shutil.copy2(os.path.join(src, "scripts", "demo"), os.path.join(tmp, "scripts", "demo"))
    shutil.copytree(os.path.join(src, EXAMPLE), os.path.join(tmp, EXAMPLE),
                    ignore=shutil.ignore_patterns("var"))
    os.makedirs(os.path.join(tmp, "tests"))
    os.symlink(os.path.join(src, "tests", "fixtures"), os.path.join(tmp, "tests", "fixtures"))
    return os.path.join(tmp, "scripts", "demo")


def demo_env(build):
    """The demo's environment: the programs already built in build."""
    return dict(os.environ, CAMWATCH_DEMO_BUILD=build, CAMWATCH_DEMO_NO_BUILD="1")


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


def running_in(tmp):
    """Processes whose command line names the demo's tree (its fixtures) or that run in it
    (camwatchd, given the conf by a path relative to the tree)."""
    found = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink("/proc/%s/cwd" % d)
        except OSError:
            continue
        inside = cwd == tmp or cwd.startswith(tmp + "/")
        if (tmp in cmd or inside) and cwtest.alive(int(d)):
            found.append((int(d), cmd))
    return found


def kill_group(p):
    """SIGKILL the demo's session (it was started with start_new_session): every process it
    started, even once the script itself is gone."""
    try:
        os.killpg(p.pid, 9)
    except OSError:
        pass
    p.wait()


def kill_left(tmp):
    """SIGKILL whatever still runs from the demo's tree (a failed test's leftovers)."""
    for pid, _ in running_in(tmp):
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def remove_logs(output):
    """Remove the folders of logs the runs in output named (the demo keeps them)."""
    for d in set(LOG_DIR.findall(output)):
        shutil.rmtree(d, ignore_errors=True)
