"""benchlib.py - what the long-running benchmarks (bench/steady, bench/scale/fleet) share:
reading a running process's CPU, memory, threads and descriptors from /proc, sampling them
over a window, a store's size, the daemon's own figures, and writing a site of simulated
cameras. No timing of its own beyond the window it is told to watch."""
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
import cwtest  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
MIB = 1024.0 * 1024.0


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def proc_cpu_s(pid):
    """user+sys CPU seconds of a running process (all its threads), from /proc."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return float("nan")


def proc_status(pid):
    """(RSS MiB, threads) from /proc/PID/status."""
    rss, threads = float("nan"), 0
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024.0
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError:
        pass
    return rss, threads


def proc_pss(pid):
    """(PSS MiB, private MiB) from /proc/PID/smaps_rollup: RSS counts every shared library page
    in full (about 27 MiB of camwatchd's are FFmpeg's dependency tree); these do not."""
    pss = private = 0
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                k = line.split(":")[0]
                if k == "Pss":
                    pss = int(line.split()[1])
                elif k in ("Private_Clean", "Private_Dirty"):
                    private += int(line.split()[1])
    except OSError:
        return float("nan"), float("nan")
    return pss / 1024.0, private / 1024.0


def proc_fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


def store_bytes(db):
    """The store's size as SQLite counts it (pages in use, the WAL's committed ones included),
    read through a read-only connection beside the daemon."""
    try:
        c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
        try:
            pages = c.execute("PRAGMA page_count").fetchone()[0]
            free = c.execute("PRAGMA freelist_count").fetchone()[0]
            size = c.execute("PRAGMA page_size").fetchone()[0]
            return (pages - free) * size
        finally:
            c.close()
    except sqlite3.Error:
        return float("nan")


def daemon_vitals(conf):
    """`camwatch status --daemon --json`, or None."""
    r = cwtest.camwatch(conf, "status", "--daemon", "--json")
    if r.rc != 0:
        return None
    try:
        return json.loads(r.out)
    except ValueError:
        return None


class Watch:
    """Samples of a set of processes every `every` seconds for `window` seconds: CPU, RSS,
    threads, descriptors, PSS and private memory of each (indices 0-5 of a sample), and
    whatever extra(t) returns (a dict) at each sample."""

    def __init__(self, pids, window, every=5.0, extra=None):
        self.pids, self.window, self.every, self.extra = pids, window, every, extra
        self.samples = []  # (t, {pid: (cpu, rss, threads, fds)}, extra dict)

    def run(self):
        t0 = time.monotonic()
        while True:
            t = time.monotonic() - t0
            snap = {p: (proc_cpu_s(p),) + proc_status(p) + (proc_fds(p),) + proc_pss(p)
                    for p in self.pids}
            self.samples.append((t, snap, self.extra(t) if self.extra else {}))
            if t >= self.window:
                break
            time.sleep(min(self.every, max(0.0, self.window - t)))
        return self

    def cpu_pct(self, pids=None):
        """CPU over the window as % of one core, summed over pids (default all)."""
        (t0, a, _), (t1, b, _) = self.samples[0], self.samples[-1]
        pids = pids or self.pids
        return 100.0 * sum(b[p][0] - a[p][0] for p in pids) / (t1 - t0)

    def rss(self, pid):
        """(peak, final, mean of the first minute, mean of the last minute), MiB."""
        pts = [(t, s[pid][1]) for t, s, _ in self.samples]
        end = pts[-1][0]
        span = min(60.0, end / 2)
        first = [r for t, r in pts if t <= span]
        last = [r for t, r in pts if t >= end - span]
        return (max(r for _, r in pts), pts[-1][1], sum(first) / len(first),
                sum(last) / len(last))

    def final(self, pid, index):
        return self.samples[-1][1][pid][index]

    def most(self, pid, index):
        return max(s[pid][index] for _, s, _ in self.samples)

    def extras(self, key):
        return [e[key] for _, _, e in self.samples if e.get(key) is not None]

    def elapsed(self):
        return self.samples[-1][0] - self.samples[0][0]


def write_fleet_site(directory, n, port, gst=None, hang=0, stream=None, rtsp=None,
                     classes=None):
    """A site of n cameras on the simulated fleet at 127.0.0.1:port (rtsp_cheap.py; a list of
    ports spreads the cameras over several): the first len(gst) cameras at the GStreamer URLs
    given instead, the last `hang` under /hang (they accept and never answer). Returns the
    conf path. Written directly, not through cwtest's csv writer, so 100,000 rows take a
    second."""
    gst = gst or []
    ports = port if isinstance(port, list) else [port]
    os.makedirs(directory, exist_ok=True)
    probe = {"interval": "30s", "timeout": "5s"}
    probe.update(rtsp or {})
    sections = {"probe.stream": dict(stream or {})}
    # The simulated stream is 90 kbit/s: a low bitrate would make every sample a fault (and
    # every camera a priority one), which is not a fleet's steady state.
    sections["class default"] = {"min_bitrate_kbps": "0"}
    sections.update(classes or {})
    conf = cwtest.write_config(directory, [], probe=probe, sections=sections)
    header = ",".join(cwtest.CSV_HEADER)
    with open(os.path.join(directory, "cameras.csv"), "w", encoding="utf-8") as f:
        f.write(header + "\n")
        for i in range(n):
            if i < len(gst):
                url = gst[i]
            elif i >= n - hang:
                url = "rtsp://127.0.0.1:%d/hang/cam%06d" % (ports[i % len(ports)], i)
            else:
                url = "rtsp://127.0.0.1:%d/cam%06d" % (ports[i % len(ports)], i)
            row = {k: "" for k in cwtest.CSV_HEADER}
            row.update({"id": "cam%06d" % i, "name": "Camera %d" % i, "owner": "CAH",
                        "commune": "Lai Vung", "site_kind": "district", "rtsp_url": url})
            f.write(",".join(row[k] for k in cwtest.CSV_HEADER) + "\n")
    return conf


def machine():
    """One line: CPUs, OS, kernel, load average now."""
    cpus = os.cpu_count()
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return "%d CPUs (%s), Linux %s, %s" % (cpus, model, platform.release(),
                                            time.strftime("%Y-%m-%d"))


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def wait_first_round(conf, proc, n, deadline_s):
    """Wait until the daemon's vitals show every camera judged (none unknown)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < deadline_s:
        if proc.popen.poll() is not None:
            raise RuntimeError("camwatchd exited: %s" % proc.stderr_text()[-2000:])
        v = daemon_vitals(conf)
        if v and v.get("cameras") == n and v.get("states", {}).get("unknown", 1) == 0:
            return time.monotonic() - t0
        time.sleep(2)
    raise RuntimeError("the first round did not end within %d s" % deadline_s)


def run(argv, timeout=3600):
    """Run argv; (wall s, CPU s of it and its children, peak RSS MiB, rc, stdout)."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "t0 = time.monotonic()\n"
        "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)\n"
        "wall = time.monotonic() - t0\n"
        "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "sys.stderr.write('%f %f %d %d\\n' % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss,"
        " p.returncode))\n"
        "sys.stdout.buffer.write(p.stdout)\n")
    p = subprocess.run([cwtest.PYTHON, "-c", wrapper] + argv, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=timeout)
    wall, cpu, rss, rc = p.stderr.decode().strip().splitlines()[-1].split()
    return float(wall), float(cpu), int(rss) / 1024.0, int(rc), p.stdout.decode("utf-8",
                                                                               "replace")
