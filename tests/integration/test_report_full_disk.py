#!/usr/bin/python3
"""A report written with -o onto a full disk: each format fails naming the file the user gave
and the system's reason ("No space left on device"), never a temporary or nothing, and leaves
the old file as it was with no temporary beside it (libxlsxwriter prints lines of its own
first, naming the temporary it was given: camwatch's line is the one checked). The disk is a small tmpfs filled to the last
byte, in a mount namespace the test makes for itself (it re-executes itself under `unshare -m`
as root, `unshare -rm` otherwise, with --inside), so filling it touches nothing else. (Before:
the workbook's error named the temporary, `.../.camwatch-jrg5Nv: cannot write the workbook`, and
the page's gave no reason, `.../old.html: cannot write the page`.) When the machine allows no
mount namespace the test fails saying so, unless CW_SKIP_MOUNTNS=1 (then it says it skipped and
exits 0).

    /usr/bin/python3 tests/integration/test_report_full_disk.py --build build [-v]
"""
import errno
import os
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

INSIDE = cwtest.take_inside_flag()

MIN = 60 * 1000
H = 60 * MIN
FROM = 1793552400000  # 2026-11-02 00:00 +07:00
TO = FROM + 7 * 24 * H
OLD = b"the old report\n"


def fill(path):
    """Write zeros into path until the file system is full."""
    with open(path, "wb", buffering=0) as f:
        for size in (1 << 20, 4096, 512, 1):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise


class ReportFullDiskTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-report-full-"

    @classmethod
    def start(cls):
        cams = [cwtest.camera("CAH-%03d" % i, "rtsp://127.0.0.1:9/%d" % i, owner="CAH",
                              name="Ngã ba QL80 số %d" % i, commune="Long Thắng", road="QL80",
                              address="") for i in range(1, 6)]
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"), cams, site="Lai Vung",
            sections={"site": {"language": "vi", "authority": "Công an huyện Lai Vung"},
                      "costs": {"restore_link": "500.000 | BG-01/2026"}})
        events = []
        for i, c in enumerate(cams):
            events.append({"camera": c["id"], "at_ms": FROM - H, "to": "up", "reason": ""})
            events.append({"camera": c["id"], "at_ms": FROM + (i + 1) * H, "to": "down",
                           "reason": "timeout (after 5000 ms) after 3 failures"})
        spec = cwtest.write_json(os.path.join(cls.tmp, "spec.json"),
                                 {"created_ms": FROM - 30 * 24 * H, "events": events,
                                  "samples": [], "devices": []})
        fixture = os.path.join(cwtest.build_dir([]), "tests", "report_fixture")
        r = cwtest.run([fixture, cls.conf, spec])
        assert r.rc == 0, r
        cls.disk = os.path.join(cls.tmp, "disk")
        os.mkdir(cls.disk)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0750", "tmpfs", cls.disk],
                       check=True)
        try:
            for fmt in ("json", "csv", "xlsx", "html"):
                with open(os.path.join(cls.disk, "old." + fmt), "wb") as f:
                    f.write(OLD)
            fill(os.path.join(cls.disk, "filler"))
        except BaseException:
            subprocess.run(["umount", cls.disk], check=False)
            raise

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "disk", None) is not None:
            subprocess.run(["umount", cls.disk], check=False)
        super().tearDownClass()

    def test_each_format_names_the_file_and_the_reason_and_keeps_the_old_one(self):
        for kind in ("availability", "backlog"):
            for fmt in ("json", "csv", "xlsx", "html"):
                with self.subTest(kind=kind, fmt=fmt):
                    self.check_full(kind, fmt)

    def check_full(self, kind, fmt):
        path = os.path.join(self.disk, "old." + fmt)
        r = cwtest.camwatch(self.conf, "report", kind, "--from", "2026-11-02", "--to",
                            "2026-11-09", "-o", path)
        self.assertEqual(r.rc, 1, r)
        # camwatch's own line (libxlsxwriter prints its lines before it, naming what
        # it was given: the temporary)
        ours = [ln for ln in r.err.splitlines() if ln.startswith("camwatch: ")]
        self.assertEqual(len(ours), 1, r)
        self.assertTrue(ours[0].startswith("camwatch: %s: " % path), r)
        self.assertIn("No space left on device", ours[0])
        self.assertNotIn(".camwatch-", ours[0], "the user's file, not a temporary")
        with open(path, "rb") as f:
            self.assertEqual(f.read(), OLD, "the old file as it was")
        self.assertEqual(sorted(os.listdir(self.disk)),
                         ["filler", "old.csv", "old.html", "old.json", "old.xlsx"],
                         "no temporary left")


if __name__ == "__main__":
    cwtest.build_dir()
    if not INSIDE:
        cwtest.enter_namespace("m", __file__, "CW_SKIP_MOUNTNS",
                               "The report's disk is only ever filled inside one this test makes")
    unittest.main(verbosity=2)
