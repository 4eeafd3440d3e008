"""cameras.csv's text as people save it, through the real daemon and CLI: a commune typed
decomposed (NFD: a sheet saved on macOS, Unikey's "Unicode to hop") is one commune with the
same commune typed precomposed in the store and the availability report, also in a store an
older version filled with the decomposed text; ids that differ only in case are refused."""
import os
import sqlite3
import sys
import unicodedata
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

NFC = "Long Thắng"
NFD = unicodedata.normalize("NFD", NFC)
STREAM_OFF = {"probe.stream": {"workers": "0"}}


def communes(conf):
    r = cwtest.camwatch(conf, "report", "availability", "--from", "-1d", "--format", "json")
    assert r.rc == 0, r
    doc = cwtest._json(r)
    return sorted((g["commune"], g["down_now"]) for g in doc["communes"]), doc


class InventoryTextTest(unittest.TestCase):
    def test_a_commune_typed_decomposed_is_one_commune_in_the_report(self):
        self.assertNotEqual(NFC, NFD)
        with cwtest.fixtures("cw-text-") as (tmp, procs):
            refused = cwtest.closed_port()
            cams = [cwtest.camera("CAM-1", cwtest.rtsp_url(refused, "/a"), commune=NFC),
                    cwtest.camera("CAM-2", cwtest.rtsp_url(refused, "/b"), commune=NFD)]
            conf = cwtest.write_config(os.path.join(tmp, "site"), cams, sections=STREAM_OFF)
            r = cwtest.camwatchd(conf, "--once")
            self.assertEqual(r.rc, 0, r)
            got, doc = communes(conf)
            self.assertEqual(got, [(NFC, 2)], doc["communes"])
            self.assertEqual({c["commune"] for c in doc["cameras"]}, {NFC})

            # A store an older version wrote keeps CAM-2's commune decomposed: the daemon's next
            # load of the inventory (start or reload) writes it precomposed.
            db = sqlite3.connect(os.path.join(tmp, "site", "var", "camwatch.db"))
            with db:
                db.execute("UPDATE camera SET commune = ? WHERE id = 'CAM-2'", (NFD,))
            db.close()
            got, _ = communes(conf)
            self.assertEqual(sorted(got), sorted([(NFC, 1), (NFD, 1)]))  # the old store's split
            r = cwtest.camwatchd(conf, "--once")
            self.assertEqual(r.rc, 0, r)
            got, _ = communes(conf)
            self.assertEqual(got, [(NFC, 2)])

    def test_ids_differing_only_in_case_are_refused(self):
        with cwtest.fixtures("cw-text-") as (tmp, procs):
            refused = cwtest.closed_port()
            cams = [cwtest.camera("CAM-1", cwtest.rtsp_url(refused, "/a")),
                    cwtest.camera("cam-1", cwtest.rtsp_url(refused, "/b"))]
            conf = cwtest.write_config(os.path.join(tmp, "site"), cams, sections=STREAM_OFF)
            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 2, r)
            self.assertIn("cameras.csv:3: id: cam-1 is the same id as line 2 (CAM-1) but for case", r.err)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main()
