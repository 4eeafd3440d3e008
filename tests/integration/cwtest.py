"""cwtest.py - shared helpers for camwatch's integration tests and bench/sweep.

- build_dir(): the build directory, from --build DIR (removed from sys.argv so that
  unittest.main() does not see it), else $CW_BUILD, else <source>/build.
- Procs: starts fixture processes in their own process group, reads their "PORT <n>" line
  (or any other line, Proc.wait_line) with a bounded wait, and always kills the whole group on
  exit (context manager). What Procs and run() start gets SIGTERM should the test process
  die before it stops them (DIE_WITH_TEST), as the C tests' fixtures do.
- FixtureTestCase, fixtures(): a temp folder and the processes started in it, for a test class
  or one `with` block; everything is stopped and the folder removed (remove_tmp: kept when
  CW_KEEP_TMP is set).
- wait_for(), poll(): call a check until it holds, with a generous deadline (a guard against
  hangs, never a timed assertion).
- free_port(), closed_port(): loopback ports. full_pipe(): a pipe whose buffer is full, to
  hold a program at its first write (blocked_writing_stderr() tells when it is held there).
- write_json(): a JSON file for a fixture (devices, mounts).
- write_config(): a temp config dir (camwatch.conf, cameras.csv, credentials.ini chmod 600)
  from a list of camera dicts.
- run(), camwatchd(), camwatch(), status(), events(), samples(): run the programs with a
  generous subprocess timeout (a guard against hangs, not a timed assertion) and parse --json.
- have_gst_element(): whether a GStreamer element is installed (asked in a child process).
- http(), add_token(), wait_http(): the daemon's HTTP API over real loopback (http.client),
  optionally from another loopback source address; a token made with `camwatch token add`.
- jpeg_info(): what ffprobe says of a JPEG file, after checking its SOI/EOI markers.
- Notify: a NOTIFY_SOCKET read as systemd would, for the daemon's READY/STATUS/WATCHDOG.
- take_inside_flag(), enter_namespace(): a test that re-executes itself in a network or
  mount namespace of its own (unshare), with --inside.

Standard library only; run with Debian's /usr/bin/python3 (it has the GStreamer bindings).
"""
import atexit
import contextlib
import csv
import fcntl
import http.client as httpclient
import io
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(SOURCE_DIR, "tests", "fixtures")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

CSV_HEADER = ["id", "name", "owner", "commune", "site_kind", "address", "road", "lat", "lon",
              "rtsp_url", "onvif_url", "credential", "model", "installed_on", "recorder",
              "notes"]

PORT_WAIT_S = 60       # a fixture has this long to print its PORT line (ffmpeg runs first)
RUN_TIMEOUT_S = 300    # guard for one camwatchd/camwatch run; not a timed assertion
POLL_DEADLINE_S = int(os.environ.get("CW_POLL_DEADLINE_S", "120"))  # wait_for's guard
POLL_INTERVAL_S = 0.2
# Put before a command: it gets SIGTERM when the test process that started it dies, however it
# dies (the kernel's parent-death signal; SIGKILL runs no tearDown). In a session of its own,
# a fixture or a camwatchd left behind by a killed test would otherwise run for good, the
# daemon probing the fixture (issue: orphaned fleets found at 8 GB). setpriv sets the signal
# after the fork: the child then checks that its parent is still this process (as
# tests/cwtest.c does), since one that died before would never send it.
DIE_WITH_TEST = ["setpriv", "--pdeathsig", "TERM", "/bin/sh", "-c",
                 '[ "$PPID" = "$1" ] || exit 1; shift; exec "$@"', "die-with-test",
                 str(os.getpid())]

_build = None


def build_dir(argv=None):
    """The build directory. Strips --build DIR / --build=DIR from argv (default sys.argv)."""
    global _build
    argv = sys.argv if argv is None else argv
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--build" and i + 1 < len(argv):
            _build = os.path.abspath(argv[i + 1])
            del argv[i:i + 2]
            continue
        if a.startswith("--build="):
            _build = os.path.abspath(a.split("=", 1)[1])
            del argv[i]
            continue
        i += 1
    if _build is None:
        _build = os.path.abspath(os.environ.get("CW_BUILD", os.path.join(SOURCE_DIR, "build")))
    return _build


def program(name):
    """Path of build/<name>; raises FileNotFoundError when it was not built."""
    p = os.path.join(build_dir([]), name)
    if not os.access(p, os.X_OK):
        raise FileNotFoundError("%s not built (build dir %s)" % (name, build_dir([])))
    return p


def full_pipe():
    """A pipe (read end, write end) whose buffer is already full: a program given the write
    end blocks on its first write until the read end is read, which holds it at a known point
    without a clock."""
    rd, wr = os.pipe()
    flags = fcntl.fcntl(wr, fcntl.F_GETFL)
    fcntl.fcntl(wr, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    try:
        while True:
            os.write(wr, b"." * 4096)
    except BlockingIOError:
        pass
    fcntl.fcntl(wr, fcntl.F_SETFL, flags)
    return rd, wr


def free_port():
    """A loopback TCP port free right now (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_held = []  # sockets kept bound so their ports stay refused until this process exits


@atexit.register
def _release_held():
    for s in _held:
        s.close()


def closed_port():
    """A loopback port that refuses connections: a socket bound but never listening holds
    it (the kernel answers RST), so no other process can take the port meanwhile."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    _held.append(s)
    return s.getsockname()[1]


def raise_fd_limit():
    """Let this process and its children open many sockets (1,000 cameras at once)."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Proc:
    """A started process; its stderr goes to a temp file, stdout is a pipe."""

    def __init__(self, popen, name, errfile):
        self.popen, self.name, self.errfile = popen, name, errfile
        self.port = None

    @property
    def pid(self):
        return self.popen.pid

    def stderr_text(self):
        try:
            with open(self.errfile, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def _read_line(self, prefix, timeout):
        """Read stdout until a whole line starting with prefix (bytes); that line, or None when
        none came within timeout or the process closed its stdout or exited."""
        deadline = time.monotonic() + timeout
        buf = b""
        fd = self.popen.stdout.fileno()
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None
                buf += chunk
                for line in buf.split(b"\n")[:-1]:
                    if line.startswith(prefix):
                        return line
            elif self.popen.poll() is not None:
                return None
        return None

    def read_port(self, timeout=PORT_WAIT_S):
        """Wait for the "PORT <n>" line on stdout; raise with the stderr tail if it never
        comes."""
        line = self._read_line(b"PORT ", timeout)
        if line is None:
            raise RuntimeError("%s gave no PORT line within %ds (exit %s); stderr:\n%s"
                               % (self.name, timeout, self.popen.poll(),
                                  self.stderr_text()[-2000:]))
        self.port = int(line.split()[1])
        return self.port

    def wait_line(self, prefix, timeout):
        """Whether a line starting with prefix (bytes) comes on stdout within timeout."""
        return self._read_line(prefix, timeout) is not None

    def stop(self, grace=5.0):
        """SIGTERM the process group, then SIGKILL after grace seconds. Returns exit code."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)  # leftovers in the group
        except (ProcessLookupError, PermissionError):
            pass
        if self.popen.poll() is None:
            self.popen.wait()
        if self.popen.stdout:
            self.popen.stdout.close()
        return self.popen.returncode


class Procs:
    """Starts processes and kills them all (their whole process groups) on exit.

        with Procs() as procs:
            gst = procs.fixture("gst_rtsp_server.py", "--mounts", path)
            print(gst.port)
    """

    def __init__(self, tmpdir=None):
        self.procs = []
        self.tmpdir = tmpdir or tempfile.mkdtemp(prefix="cwtest.")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop_all()
        return False

    def start(self, argv, name=None, env=None):
        name = name or os.path.basename(argv[0] if argv[0] != PYTHON else argv[1])
        errfile = os.path.join(self.tmpdir, "%s.%d.stderr" % (name, len(self.procs)))
        with open(errfile, "wb") as err:
            p = subprocess.Popen(DIE_WITH_TEST + list(argv), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=err, start_new_session=True,
                                 env=env)
        proc = Proc(p, name, errfile)
        self.procs.append(proc)
        return proc

    def fixture(self, script, *args, wait_port=True):
        """Start tests/fixtures/<script> --port 0 ARGS and read its port."""
        proc = self.start([PYTHON, os.path.join(FIXTURES, script), "--port", "0"] + list(args),
                          name=script)
        if wait_port:
            proc.read_port()
        return proc

    def stop_all(self):
        for p in reversed(self.procs):
            p.stop()
        self.procs = []


def remove_tmp(tmp):
    """Remove a test's temp folder; with CW_KEEP_TMP set, keep it and say where it is."""
    if os.environ.get("CW_KEEP_TMP"):
        print("kept %s" % tmp, file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def fixtures(prefix="cw-"):
    """(tmp, procs): a fresh temp folder and a Procs whose files live in it. On leaving the
    block every process started is stopped, then the folder is removed (remove_tmp)."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        with Procs(tmp) as procs:
            yield tmp, procs
    finally:
        remove_tmp(tmp)


class FixtureTestCase(unittest.TestCase):
    """Tests sharing one temp folder (cls.tmp) and one set of processes (cls.procs): the
    subclass's classmethod start() starts its fixtures and writes its site; when start()
    fails, or after the last test, everything started is stopped and the folder removed
    (remove_tmp)."""
    TMP_PREFIX = "cw-"

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix=cls.TMP_PREFIX)
        cls.procs = Procs(cls.tmp)
        try:
            cls.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.procs.stop_all()
        remove_tmp(cls.tmp)


# x86_64 system call numbers of nanosleep and clock_nanosleep: SQLite's busy handler sleeps in
# one of them between tries (usleep); camwatchd's loop idles in epoll_wait, never in these.
SLEEP_SYSCALLS = {"35", "230"}


def can_see_syscalls():
    """Whether main_thread_sleeping can tell (x86_64, /proc/PID/task/TID/syscall readable)."""
    return os.uname().machine == "x86_64" and os.access(
        "/proc/self/task/%d/syscall" % os.getpid(), os.R_OK)


def main_thread_sleeping(pid):
    """Whether the main thread of process pid (camwatchd's loop) is asleep in a sleep call: for
    camwatchd, waiting in SQLite's busy handler for another connection's write lock."""
    try:
        with open("/proc/%d/task/%d/syscall" % (pid, pid)) as f:
            return f.read().split(" ", 1)[0] in SLEEP_SYSCALLS
    except OSError:
        return False


def blocked_writing_stderr(pid):
    """Whether the main thread of process pid is in write(2, ...), or any write to a full pipe
    (full_pipe(): a program held at its first write)."""
    try:
        with open("/proc/%d/syscall" % pid) as f:
            call = f.read().split()
        with open("/proc/%d/wchan" % pid) as f:
            wchan = f.read()
    except OSError:
        return False
    return call[:2] == ["1", "0x2"] or "pipe_write" in wchan


def alive(pid):
    """Whether process pid runs (exists and is not a zombie waiting to be reaped)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def poll(get, done, deadline_s=POLL_DEADLINE_S, interval=POLL_INTERVAL_S):
    """Call get() until done(value) holds or deadline_s has passed; the last value."""
    end = time.monotonic() + deadline_s
    while True:
        value = get()
        if done(value) or time.monotonic() >= end:
            return value
        time.sleep(interval)


def wait_for(what, check, deadline_s=POLL_DEADLINE_S, proc=None, interval=POLL_INTERVAL_S):
    """Call check() until it returns a true value, and return that value. After deadline_s
    (a guard against hangs, not a timed assertion) fail with `what`, the last value and, when
    proc is given, the tail of its stderr."""
    last = poll(check, bool, deadline_s, interval)
    if last:
        return last
    msg = "never happened: %s (last: %r)" % (what, last)
    if proc is not None:
        msg += "\n%s log:\n%s" % (proc.name, proc.stderr_text()[-3000:])
    raise AssertionError(msg)


def start_daemon(procs, conf, interval=POLL_INTERVAL_S, env=None):
    """camwatchd -c conf, started by procs (a fixtures() set) with env (None: ours), once it
    runs on its store."""
    d = procs.start([program("camwatchd"), "-c", conf], name="camwatchd", env=env)
    wait_for("the daemon running on its store", lambda: "; store " in d.stderr_text(), proc=d,
             interval=interval)
    return d


def write_lock(db_path):
    """A connection to the store at db_path holding its write lock (BEGIN IMMEDIATE), as
    another writer (the CLI, an admin's sqlite3 shell) would: the caller rolls back, closes."""
    db = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    return db


def write_json(path, obj, **dump_args):
    """Write obj as JSON to path (a fixture's devices or mounts); returns path."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, **dump_args)
    return path


def rtsp_url(port, path, host="127.0.0.1"):
    return "rtsp://%s:%d%s" % (host, port, path)


def camera(id, rtsp_url, credential="", owner="CAH", name=None, commune="Lai Vung",
           site_kind="district", **more):
    """A camera row with plausible defaults for the columns a test does not care about."""
    row = {k: "" for k in CSV_HEADER}
    row.update(id=id, name=name or ("Camera " + id), owner=owner, commune=commune,
               site_kind=site_kind, address="QL80", road="QL80", lat="10.29", lon="105.66",
               rtsp_url=rtsp_url, credential=credential, model="test", installed_on="2020-01-01")
    row.update(more)
    return row


DEFAULT_PROBE = {"interval": "30s", "timeout": "5s", "slow": "2s", "down_after": "3",
                 "up_after": "2", "concurrency": "64"}


def write_config(directory, cameras, credentials=None, probe=None, owners=None,
                 site="Test site", time_zone="Asia/Ho_Chi_Minh", http_listen=None,
                 store=None, sections=None, http=None):
    """Write camwatch.conf, cameras.csv and credentials.ini (mode 600) into directory.

    cameras: list of dicts keyed by CSV_HEADER (see camera()); when any has a "class", the
    optional 17th column "class" is written. credentials: {name: (user, password)}. probe:
    overrides for [probe.rtsp]. store: more [store] keys (cache, samples_days; database
    replaces var/camwatch.db). http: more [http] keys (socket, open_metrics...). sections:
    more sections in order, {"probe.stream": {"sample": "3s"}, "class default": {...}}.
    Returns the conf path."""
    os.makedirs(directory, exist_ok=True)
    owners = owners or {"CAH": "Công an huyện Lai Vung", "CAX": "Công an xã",
                        "BQLC": "Ban quản lý chợ Lai Vung"}
    p = dict(DEFAULT_PROBE)
    p.update(probe or {})
    st = {"database": "var/camwatch.db"}
    st.update(store or {})
    lines = ["[site]", "name = %s" % site, "time_zone = %s" % time_zone, "",
             "[store]"] + ["%s = %s" % kv for kv in st.items()] + ["",
             "[inventory]", "cameras = cameras.csv", "credentials = credentials.ini", "",
             "[probe.rtsp]"] + ["%s = %s" % kv for kv in p.items()] + [
             "", "[http]", "listen = %s" % (http_listen or "127.0.0.1:%d" % free_port())] + [
             "%s = %s" % kv for kv in (http or {}).items()] + ["",
             "[owners]"] + ["%s = %s" % kv for kv in owners.items()]
    for name, keys in (sections or {}).items():
        lines += ["", "[%s]" % name] + ["%s = %s" % kv for kv in keys.items()]
    conf = os.path.join(directory, "camwatch.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    header = CSV_HEADER + (["class"] if any(c.get("class") for c in cameras) else [])
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    w.writeheader()
    for cam in cameras:
        w.writerow({k: cam.get(k, "") for k in header})
    with open(os.path.join(directory, "cameras.csv"), "w", encoding="utf-8") as f:
        f.write(out.getvalue())
    cred = os.path.join(directory, "credentials.ini")
    fd = os.open(cred, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for name, (user, password) in (credentials or {}).items():
            f.write("[%s]\nusername = %s\npassword = %s\n\n" % (name, user, password))
    os.chmod(cred, 0o600)
    os.makedirs(os.path.join(directory, "var"), exist_ok=True)
    return conf


def conf_variant(conf, old, new, suffix):
    """A copy of conf beside it (conf + suffix, same folder, so its relative paths hold) with
    every old replaced by new; its path."""
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    assert old in text, "%r not in %s" % (old, conf)
    path = conf + suffix
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))
    return path


class Result:
    def __init__(self, argv, rc, out, err, wall):
        self.argv, self.rc, self.out, self.err, self.wall = argv, rc, out, err, wall

    def __repr__(self):
        return "<%s rc=%s>\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.argv), self.rc, self.out[-4000:], self.err[-4000:])


def run(argv, timeout=RUN_TIMEOUT_S, env=None):
    """Run argv to completion in its own process group; kill the group if it outlives
    timeout (then rc is None). Returns a Result with text stdout/stderr."""
    t0 = time.monotonic()
    p = subprocess.Popen(DIE_WITH_TEST + list(argv), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                         env=env)
    try:
        out, err = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        rc = None
    return Result(list(argv), rc, out.decode("utf-8", "replace"),
                  err.decode("utf-8", "replace"), time.monotonic() - t0)


def camwatchd(conf, *args, timeout=RUN_TIMEOUT_S):
    return run([program("camwatchd"), "-c", conf] + list(args), timeout=timeout)


def camwatch(conf, *args, timeout=RUN_TIMEOUT_S):
    return run([program("camwatch"), "-c", conf] + list(args), timeout=timeout)


def _json(res):
    if res.rc != 0:
        raise AssertionError("command failed: %r" % res)
    try:
        return json.loads(res.out)
    except ValueError as e:
        raise AssertionError("not JSON (%s): %r" % (e, res))


def status(conf, *args):
    """camwatch status --json as {id: object}."""
    return {o["id"]: o for o in _json(camwatch(conf, "status", "--json", *args))}


def events(conf, *args):
    """camwatch events --json as a list."""
    return _json(camwatch(conf, "events", "--json", *args))


def samples(conf, camera_id, *args):
    """camwatch samples CAM --json as a list."""
    return _json(camwatch(conf, "samples", camera_id, "--json", *args))


def have_gst_element(name):
    """The GStreamer element is installed. Asked in a child so the test process does not load
    GStreamer."""
    r = run([PYTHON, "-c", "import gi, sys; gi.require_version('Gst', '1.0'); "
             "from gi.repository import Gst; Gst.init(None); "
             "sys.exit(Gst.ElementFactory.find(sys.argv[1]) is None)", name], timeout=60)
    return r.rc == 0


def jpeg_info(path):
    """(first two bytes, last two bytes, ffprobe's {codec_name, width, height}) of a file;
    the ffprobe part is {} when ffprobe cannot read it."""
    with open(path, "rb") as f:
        data = f.read()
    r = run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "stream=codec_name,width,height", "-of", "json", path], timeout=60)
    info = {}
    if r.rc == 0:
        try:
            info = (json.loads(r.out).get("streams") or [{}])[0]
        except ValueError:
            info = {}
    return data[:2], data[-2:], info


class Http:
    """One HTTP answer: status, headers (lower-case names), body bytes, and body as JSON."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError as e:
            raise AssertionError("not JSON (%s): %r" % (e, self.body[:500]))

    def __repr__(self):
        return "<HTTP %s %r %r>" % (self.status, self.headers, self.body[:500])


def http(port, method, path, token=None, body=None, headers=None, source=None,
         timeout=RUN_TIMEOUT_S):
    """A request to the daemon on 127.0.0.1:port over a new connection, from source (a
    loopback address such as "127.0.0.7": another client as the server sees it). body: bytes,
    str or an object sent as JSON. Returns an Http."""
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
        h.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode("utf-8")
    conn = httpclient.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return Http(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def add_token(conf, name, role):
    """`camwatch token add NAME --role ROLE`; the token it printed."""
    r = camwatch(conf, "token", "add", name, "--role", role)
    if r.rc != 0:
        raise AssertionError("token add failed: %r" % r)
    return r.out.strip()


def wait_http(port, token, proc=None, path="/healthz"):
    """Wait until the daemon answers path with 200 (it is listening)."""
    def up():
        try:
            return http(port, "GET", path, token, timeout=10).status == 200
        except OSError:
            return False
    wait_for("the daemon answering %s on port %d" % (path, port), up, proc=proc)


class Notify:
    """A NOTIFY_SOCKET in directory for the daemon (pass .path as NOTIFY_SOCKET). A thread
    reads every datagram as systemd would: sd_notify blocks when nobody reads and the socket
    buffer fills."""

    def __init__(self, directory):
        self.path = os.path.join(directory, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        while self.running:
            try:
                m = self.sock.recv(4096).decode("utf-8", "replace")
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.messages.append(m)

    def seen(self, needle):
        with self.lock:
            return any(needle in m for m in self.messages)

    def last(self, key):
        """The value of the last KEY=value line sent (STATUS, say), or None."""
        with self.lock:
            for m in reversed(self.messages):
                for line in reversed(m.split("\n")):
                    if line.startswith(key + "="):
                        return line[len(key) + 1:]
        return None

    def close(self):
        self.running = False
        self.thread.join()
        self.sock.close()


INSIDE_FLAG = "--inside"


def take_inside_flag(argv=None):
    """Whether this run is the one inside the namespace; removes the flag from argv."""
    argv = sys.argv if argv is None else argv
    if INSIDE_FLAG not in argv:
        return False
    argv.remove(INSIDE_FLAG)
    return True


def enter_namespace(kind, script, skip_env, purpose):
    """Re-execute script (a test file) in a new namespace: kind "n" network, "m" mount; as
    root with `unshare -KIND`, otherwise in a user namespace too (`unshare -rKIND`). Never
    returns. When the machine allows none, exit 1 saying so and how to allow it, or 0 (saying
    it skipped) when the environment variable skip_env is 1. purpose says why the test wants
    its own."""
    name = os.path.basename(script)[:-3]
    unshare = shutil.which("unshare") or "/usr/bin/unshare"
    flags = ("-" if os.geteuid() == 0 else "-r") + kind
    try:
        check = subprocess.run([unshare, flags, "true"], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=60)
        why = check.stderr.decode(errors="replace").strip() or "exit %d" % check.returncode
        ok = check.returncode == 0
    except OSError as e:
        ok, why = False, str(e)
    if not ok:
        msg = "%s: cannot make a %s namespace (`%s %s`: %s). %s" % (
            name, "network" if kind == "n" else "mount", unshare, flags, why, purpose)
        if os.environ.get(skip_env) == "1":
            print(msg + "; SKIPPED because %s=1" % skip_env, file=sys.stderr)
            sys.exit(0)
        print(msg + ". Run as root, or allow unprivileged user namespaces "
              "(kernel.unprivileged_userns_clone=1, or on Ubuntu "
              "kernel.apparmor_restrict_unprivileged_userns=0), or set %s=1 to "
              "skip this test." % skip_env, file=sys.stderr)
        sys.exit(1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(unshare, [unshare, flags, PYTHON, os.path.abspath(script), INSIDE_FLAG,
                       "--build", build_dir()] + sys.argv[1:])
