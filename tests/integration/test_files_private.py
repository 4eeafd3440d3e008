"""What camwatch writes stays its own (issue 10).

Under umask 022, as when run by hand: the store, its WAL and shared memory, the cache
folders, the stream thumbnail, the ONVIF snapshot and what `camwatch thumb -o` writes are not
readable by other users (files 0640 at most, folders 0750). And `thumb -o` writes through a
mkstemp temporary beside its target: a link planted at the old "<out>.tmp" name is not
followed, a target that is a FIFO or a symbolic link is refused and left as it was, and
`-o -` writes to standard output.

Fixtures: GStreamer's RTSP server (one live mount: a stream sample and its thumbnail),
rtsp_fault.py (liveness for the ONVIF camera), onvif_device.py with tests/data/onvif/fleet.json
(the "hik" device gives a snapshot). Waits are bounded guards, never timed assertions."""
import os
import stat
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

FLEET = os.path.join(cwtest.SOURCE_DIR, "tests", "data", "onvif", "fleet.json")


def by_hand(argv):
    """Run argv as a person would from a shell: umask 022."""
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=300,
                       preexec_fn=lambda: os.umask(0o022))
    return cwtest.Result(argv, p.returncode, p.stdout.decode("utf-8", "replace"),
                         p.stderr.decode("utf-8", "replace"), 0)


class FilesPrivateTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-files-"

    @classmethod
    def start(cls):
        mounts = cwtest.write_json(os.path.join(cls.tmp, "mounts.json"), [
            {"path": "/live", "width": 640, "height": 360, "fps": 10, "codec": "h264",
             "noise": 5}])
        gst = cls.procs.fixture("gst_rtsp_server.py", "--mounts", mounts)
        fault = cls.procs.fixture("rtsp_fault.py", "--every", "ok")
        onvif = cls.procs.fixture("onvif_device.py", "--devices", FLEET, "--rtsp-port",
                                  str(fault.port))
        cams = [cwtest.camera("live", cwtest.rtsp_url(gst.port, "/live")),
                cwtest.camera("hik", cwtest.rtsp_url(fault.port, "/Streaming/Channels/101"),
                              credential="ok",
                              onvif_url="http://127.0.0.1:%d/hik/onvif/device_service"
                              % onvif.port)]
        cls.site = os.path.join(cls.tmp, "site")
        conf = lambda workers: cwtest.write_config(  # noqa: E731
            cls.site, cams, credentials={"ok": ("admin", "camwatch")},
            store={"cache": "var/cache"},
            sections={"probe.stream": {"workers": workers, "sample": "2s"},
                      "probe.onvif": {"timeout": "5s"}})
        # Sampling off: the ONVIF snapshot is the thumbnail, fetched and written.
        cls.conf = conf("0")
        cls.once_onvif = by_hand([cwtest.program("camwatchd"), "-c", cls.conf, "--once"])
        # Sampling on: the live camera's stream thumbnail.
        conf("1")
        cls.once_sample = by_hand([cwtest.program("camwatchd"), "-c", cls.conf, "--once"])
        cls.maintenance = by_hand([cwtest.program("camwatch"), "-c", cls.conf, "maintenance",
                                   "hik", "on", "--note", "lens"])
        cls.outdir = os.path.join(cls.tmp, "out")
        os.makedirs(cls.outdir)
        cls.thumb_out = os.path.join(cls.outdir, "live.jpg")
        cls.thumb_run = by_hand([cwtest.program("camwatch"), "-c", cls.conf, "thumb", "live", "-o",
                             cls.thumb_out])

    def thumb(self, out):
        return cwtest.camwatch(self.conf, "thumb", "live", "-o", out)

    def test_everything_written_was_written(self):
        for r in (self.once_onvif, self.once_sample, self.maintenance, self.thumb_run):
            self.assertEqual(r.rc, 0, r)
        var = os.path.join(self.site, "var")
        for name in ("camwatch.db", "camwatch.db-wal", "cache/thumbs/live.jpg",
                     "cache/snapshots/hik.jpg"):
            self.assertTrue(os.path.isfile(os.path.join(var, name)), name)
        self.assertTrue(os.path.isfile(self.thumb_out))

    def test_nothing_is_readable_by_other_users_under_umask_022(self):
        seen = []
        for top in (os.path.join(self.site, "var"), self.outdir):
            for root, dirs, files in os.walk(top):
                for name in dirs + files:
                    path = os.path.join(root, name)
                    mode = os.lstat(path).st_mode
                    seen.append(path)
                    self.assertEqual(mode & 0o007, 0, "%s is %o" % (path, stat.S_IMODE(mode)))
                    if stat.S_ISREG(mode):
                        self.assertEqual(mode & 0o020, 0, "%s is group-writable" % path)
        self.assertIn(os.path.join(self.site, "var", "cache", "thumbs", "live.jpg"), seen)
        self.assertIn(self.thumb_out, seen)

    def test_thumb_does_not_follow_a_link_planted_at_the_old_temporary_name(self):
        out = os.path.join(self.outdir, "planted.jpg")
        victim = os.path.join(self.outdir, "victim.txt")
        with open(victim, "w") as f:
            f.write("precious")
        os.symlink(victim, out + ".tmp")
        r = self.thumb(out)
        self.assertEqual(r.rc, 0, r)
        with open(victim) as f:
            self.assertEqual(f.read(), "precious")
        with open(out, "rb") as f:
            self.assertEqual(f.read(2), b"\xff\xd8")
        self.assertEqual(sorted(n for n in os.listdir(self.outdir) if n.startswith(".camwatch")),
                         [], "no temporary left behind")

    def test_thumb_refuses_a_fifo_or_a_link_as_its_target(self):
        fifo = os.path.join(self.outdir, "fifo.jpg")
        os.mkfifo(fifo)
        r = self.thumb(fifo)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("not a regular file (a FIFO)", r.err)
        self.assertTrue(stat.S_ISFIFO(os.lstat(fifo).st_mode))
        victim = os.path.join(self.outdir, "victim2.txt")
        with open(victim, "w") as f:
            f.write("precious")
        link = os.path.join(self.outdir, "link.jpg")
        os.symlink(victim, link)
        r = self.thumb(link)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("not a regular file (a symbolic link)", r.err)
        self.assertTrue(stat.S_ISLNK(os.lstat(link).st_mode))
        with open(victim) as f:
            self.assertEqual(f.read(), "precious")

    def test_thumb_dash_writes_to_standard_output(self):
        p = subprocess.run([cwtest.program("camwatch"), "-c", self.conf, "thumb", "live", "-o",
                            "-"], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout[:2], b"\xff\xd8")
        with open(self.thumb_out, "rb") as f:
            self.assertEqual(f.read(), p.stdout)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
