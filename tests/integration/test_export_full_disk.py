#!/usr/bin/python3
"""`request export` onto a disk that fills after the camera's MP4 is written, as the manifests
are: the export fails naming the file it could not write (`manifest.json`) in the folder the
user gave, and the system's reason ("No space left on device"), never only a temporary's name
(`.camwatch-export-XXXXXX`, removed by then, which tells the user nothing); nothing is left in
the folder, nor the folder it made; the audit row that ends the export says the same. (Before:
`camwatch: /mnt/ev/.camwatch-export-bVeac2: cannot write: No space left on device`.)

The disk is a tmpfs in a mount namespace the test makes for itself (it re-executes itself under
`unshare -m` as root, `unshare -rm` otherwise, with --inside), sized from the same export made
first on a roomy disk (an export of a request gives the same bytes each time): room for the MP4
and no more. When the machine allows no mount namespace
the test fails saying so, unless CW_SKIP_MOUNTNS=1 (then it says it skipped and exits 0).

    /usr/bin/python3 tests/integration/test_export_full_disk.py --build build [-v]
"""
import datetime
import os
import sqlite3
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
import dirsite  # noqa: E402

INSIDE = cwtest.take_inside_flag()
PAGE = 4096


class ExportFullDiskTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-export-full-"

    @classmethod
    def start(cls):
        tmp = cls.tmp
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        t0 = now - datetime.timedelta(minutes=10)
        nvr = os.path.join(tmp, "nvr")
        for k, s in enumerate(dirsite.make_segments(os.path.join(tmp, "src"), 3)):
            dirsite.place(s, nvr, dirsite.name("CHO-01", t0 + k * dirsite.SEG_S * dirsite.SEC))
        cams = [cwtest.camera("CHO-01", cwtest.rtsp_url(cwtest.closed_port(), "/a"),
                              name="Cổng chợ Lai Vung", recorder="nvr")]
        cls.conf = cwtest.write_config(
            os.path.join(tmp, "site"), cams,
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr": {"kind": "dir", "path": nvr,
                                       "pattern": dirsite.PATTERN}})
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        r = cwtest.camwatch(cls.conf, "request", "create", "--from", dirsite.iso(t0), "--to",
                            dirsite.iso(t0 + 3 * dirsite.SEG_S * dirsite.SEC), "--camera",
                            "CHO-01", "--case", "VV-118/2026", "--reason", "trộm xe máy",
                            "--by", "it-staff")
        assert r.rc == 0, r
        cls.req = r.out.strip()
        roomy = os.path.join(tmp, "roomy")
        r = cwtest.camwatch(cls.conf, "request", "export", cls.req, "--out", roomy)
        assert r.rc == 0, r
        mp4 = os.path.getsize(os.path.join(roomy, "CHO-01.mp4"))
        # Room for the MP4's pages and no more: manifest.json, written next, finds none.
        size = (mp4 + PAGE - 1) // PAGE * PAGE
        cls.disk = os.path.join(tmp, "disk")
        os.mkdir(cls.disk)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0750" % size, "tmpfs",
                        cls.disk], check=True)

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "disk", None) is not None:
            subprocess.run(["umount", cls.disk], check=False)
        super().tearDownClass()

    def test_a_manifest_that_cannot_be_written_is_named_with_the_reason(self):
        out = os.path.join(self.disk, "vv-118")
        r = cwtest.camwatch(self.conf, "request", "export", self.req, "--out", out)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("camwatch: %s: manifest.json: cannot write: No space left on device"
                      % out, r.err)
        self.assertNotIn(".camwatch-export-", r.err, "the file's own name, not a temporary's")
        self.assertEqual(os.listdir(self.disk), [], "nothing left, nor the folder it made")
        with sqlite3.connect(os.path.join(os.path.dirname(self.conf), "var",
                                          "camwatch.db")) as db:
            action, detail = db.execute(
                "SELECT action, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        self.assertEqual(action, "export.failed")
        self.assertIn("%s: manifest.json: cannot write: No space left on device" % out, detail)
        self.assertNotIn(".camwatch-export-", detail)


if __name__ == "__main__":
    cwtest.build_dir()
    if not INSIDE:
        cwtest.enter_namespace("m", __file__, "CW_SKIP_MOUNTNS",
                               "The export's disk is only ever filled inside one this test makes")
    unittest.main(verbosity=2)
