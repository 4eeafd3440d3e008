#!/usr/bin/python3
"""The daemon's footage scan meets another connection's write lock and is written once it goes.

The daemon writes a scan on its loop a slice at a time and waits 5 ms at most for the store's
write lock. An investigator's `camwatch footage scan` or `request export` (or an admin's sqlite3
shell) holding the lock made the scan FAILED ("index not written: database is locked"), its
recorder's cameras "recorder NAME: cannot scan: ..." (nothing was wrong with the recorder) and
the work thrown away until the next scan. Now the slice is rolled back, the result kept, and
the same slice tried again after a backoff: the scan is recorded ok once the lock is let go.

The real daemon watches CAM-X (tests/fixtures/rtsp_fault.py --every ok) on recorder nvrA (dir
kind, MP4 segments made by ffmpeg). The test takes the store's write lock with python's sqlite3
before the daemon's first scan has written anything (checked under the lock: no segment, no
recorder row), waits until the daemon has met the lock (its log says so, or says the scan
failed), lets go, and then asks `camwatch footage recorders --json`, `camwatch status --json`
(after a probe made since the scan's end) and the segment table.

    /usr/bin/python3 tests/integration/test_footage_scan_beside_writer.py --build build [-v]

Waits are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took."""
import datetime
import json
import os
import sqlite3
import sys
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
from dirsite import PATTERN, SEC, SEG_S, make_segments, name, place  # noqa: E402

N_SEGMENTS = 5
MET = "footage: recorder=nvrA waits for another connection's write lock"
FAILED = "footage: recorder=nvrA index not written"
SCANNED = "footage: recorder=nvrA scanned in"


class FootageScanBesideWriterTest(unittest.TestCase):
    def test_a_scan_meeting_a_held_write_lock_is_written_once_it_goes(self):
        tmp, procs = self.enterContext(cwtest.fixtures("cw-scanlock-"))
        rtsp = procs.fixture("rtsp_fault.py", "--every", "ok")
        root = os.path.join(tmp, "nvrA")
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        t0 = now - datetime.timedelta(minutes=30)
        files = set()
        for k, seg in enumerate(make_segments(os.path.join(tmp, "segs"), N_SEGMENTS)):
            rel = name("CAM-X", t0 + k * SEG_S * SEC)
            place(seg, root, rel)
            files.add(rel)
        site = os.path.join(tmp, "site")
        conf = cwtest.write_config(
            site, [cwtest.camera("CAM-X", cwtest.rtsp_url(rtsp.port, "/ok"), recorder="nvrA")],
            probe={"interval": "2s", "timeout": "1s", "slow": "500ms", "down_after": "1",
                   "up_after": "1"},
            sections={"probe.stream": {"workers": "0"},
                      # one scan in this test; no gap verdict on half-hour-old footage
                      "footage": {"scan_interval": "1h", "max_gap": "off"},
                      "recorder nvrA": {"kind": "dir", "path": root, "pattern": PATTERN}})
        d = cwtest.start_daemon(procs, conf)

        db = cwtest.write_lock(os.path.join(site, "var", "camwatch.db"))
        try:
            # Under the lock: the scan has written nothing yet, so it cannot but meet the lock.
            before = db.execute("SELECT (SELECT count(*) FROM segment), "
                                "(SELECT count(*) FROM recorder)").fetchone()
            self.assertEqual(before, (0, 0), "the daemon wrote its scan before the lock was held")
            met = cwtest.wait_for(
                "the daemon's scan meeting the lock",
                lambda: next((w for w in (MET, FAILED, SCANNED) if w in d.stderr_text()), None),
                proc=d)
        finally:
            if db.in_transaction:
                db.rollback()
            db.close()
        self.assertNotEqual(met, SCANNED, "the scan was written through a held lock?")
        cwtest.wait_for("the scan over", lambda: SCANNED in d.stderr_text()
                        or "scan not written" in d.stderr_text()
                        or "recorder=nvrA gaps" in d.stderr_text()
                        or FAILED in d.stderr_text(), proc=d)
        over_ms = int(time.time() * 1000)

        r = cwtest.camwatch(conf, "footage", "recorders", "--json")
        self.assertEqual(r.rc, 0, r)
        recs = {x["name"]: x for x in json.loads(r.out)}
        log = d.stderr_text()
        self.assertIn("nvrA", recs, "no scan row for nvrA:\n" + log[-3000:])
        self.assertTrue(recs["nvrA"]["ok"], (recs["nvrA"], log[-3000:]))
        self.assertIsNone(recs["nvrA"]["error"], recs["nvrA"])
        self.assertNotIn(FAILED, log)
        self.assertNotIn("cannot scan", log)
        self.assertIn(SCANNED, log)

        # Every file indexed, each once.
        con = sqlite3.connect(os.path.join(site, "var", "camwatch.db"))
        try:
            rows = con.execute("SELECT dir || '/' || file, camera_id FROM segment "
                               "WHERE recorder = 'nvrA'").fetchall()
        finally:
            con.close()
        self.assertEqual(sorted(f for f, _ in rows), sorted(files))
        self.assertEqual({c for _, c in rows}, {"CAM-X"})

        # The camera as a probe made after the scan judged it: no "cannot scan" reason.
        st = cwtest.wait_for(
            "a probe of CAM-X stored after the scan",
            lambda: (lambda s: s if (s.get("last_probe_ms") or 0) > over_ms else None)(
                cwtest.status(conf)["CAM-X"]), proc=d)
        self.assertNotIn("cannot scan", st["reason"], st)
        self.assertEqual(st["state"], "up", st)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
