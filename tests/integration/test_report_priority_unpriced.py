#!/usr/bin/python3
"""The backlog's "of which at priority sites" cost, when none of the work at an owner's priority
sites has a price: it reads "no price" ("chưa có đơn giá"), as the owner's cost cell beside it
does, never 0, which a province funding priority sites first would read as nothing to fund;
with some of it priced, the sum of that. In the district's page and workbook summary, in
`report merge`'s tables (CSV, page), and in the JSON: `priority_actions` and
`priority_unpriced` of each owner and the total, summed by `report merge` (a file of a version
before them, which gives neither, is still merged; its figures there are null), and checked
like the others (owners adding up to the total). (Before: "no price" beside "0".)

    /usr/bin/python3 tests/integration/test_report_priority_unpriced.py --build build [-v]

The site: CAH-001 (QL80: a priority site) down, so restore_link, with no [costs] price; CAX-001
(QL54) down too, its restore_link priced by a ticket's cost; BQLC-001 (no national road,
not a market) down, unpriced, at priority 2.
"""
import csv
import io
import json
import os
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
import reportpage  # noqa: E402

MIN = 60 * 1000
H = 60 * MIN
FROM = 1793552400000  # 2026-11-02 00:00 +07:00
NO_PRICE = {"vi": "chưa có đơn giá", "en": "no price"}


class PriorityUnpricedTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-prio-unpriced-"

    @classmethod
    def start(cls):
        cams = [cwtest.camera("CAH-001", "rtsp://127.0.0.1:9/1", owner="CAH",
                              name="Ngã ba QL80", commune="Long Thắng", road="QL80", address=""),
                cwtest.camera("CAX-001", "rtsp://127.0.0.1:9/2", owner="CAX",
                              name="Cầu Lai Vung", commune="Tân Dương", road="QL54", address=""),
                cwtest.camera("BQLC-001", "rtsp://127.0.0.1:9/3", owner="BQLC",
                              name="Hẻm 3", commune="Lai Vung", road="hẻm 3", address="")]
        cls.conf = cwtest.write_config(os.path.join(cls.tmp, "site"), cams, site="Lai Vung",
                                       sections={"site": {"authority": "Công an huyện"}})
        events = []
        for i, c in enumerate(cams):
            events.append({"camera": c["id"], "at_ms": FROM - H, "to": "up", "reason": ""})
            events.append({"camera": c["id"], "at_ms": FROM + (i + 1) * H, "to": "down",
                           "reason": "timeout (after 5000 ms) after 3 failures"})
        spec = cwtest.write_json(os.path.join(cls.tmp, "spec.json"),
                                 {"created_ms": FROM - 30 * 24 * H, "events": events,
                                  "samples": [], "devices": []})
        r = cwtest.run([os.path.join(cwtest.build_dir([]), "tests", "report_fixture"),
                        cls.conf, spec])
        assert r.rc == 0, r
        r = cwtest.camwatch(cls.conf, "ticket", "add", "CAX-001", "--action", "restore_link",
                            "--note", "thay bộ nguồn", "--cost", "500000")
        assert r.rc == 0, r

    def report(self, name, *args):
        out = os.path.join(self.tmp, name)
        r = cwtest.camwatch(self.conf, "report", *args, "-o", out)
        self.assertEqual(r.rc, 0, r)
        return out

    def backlog(self, fmt, lang):
        return self.report("backlog-%s.%s" % (lang, fmt), "backlog", "--from", "2026-11-02",
                           "--to", "2026-11-09", "--lang", lang)

    def test_the_json_counts_the_work_at_priority_sites_and_its_unpriced(self):
        with open(self.backlog("json", "en"), encoding="utf-8") as f:
            doc = json.load(f)
        owners = {o["owner"]: o for o in doc["owners"]}
        self.assertEqual((owners["CAH"]["priority_actions"], owners["CAH"]["priority_unpriced"],
                          owners["CAH"]["priority_cost_vnd"]), (1, 1, 0))
        self.assertEqual((owners["CAX"]["priority_actions"], owners["CAX"]["priority_unpriced"],
                          owners["CAX"]["priority_cost_vnd"]), (1, 0, 500000))
        self.assertEqual((owners["BQLC"]["priority_actions"],
                          owners["BQLC"]["priority_unpriced"]), (0, 0))
        t = doc["total"]
        self.assertEqual((t["priority_actions"], t["priority_unpriced"], t["priority_cost_vnd"]),
                         (2, 1, 500000))

    def test_the_summary_says_no_price_not_0_at_priority_sites_with_none_priced(self):
        for lang in ("vi", "en"):
            with self.subTest(lang=lang):
                summary = reportpage.page_tables(self.backlog("html", lang))[0]
                rows = {r[1]: r for r in summary[1:]}
                cah = rows["Công an huyện Lai Vung"]
                self.assertEqual((cah[8], cah[9]), (NO_PRICE[lang], NO_PRICE[lang]), cah)
                cax = rows["Công an xã"]
                money = "500.000" if lang == "vi" else "500,000"
                self.assertEqual((cax[8], cax[9]), (money, money), cax)
                bqlc = rows["Ban quản lý chợ Lai Vung"]  # no priority site: nothing there
                self.assertEqual((bqlc[8], bqlc[9]), (NO_PRICE[lang], "0"), bqlc)
                total = summary[-1]  # some priced: the sum of that
                self.assertEqual((total[8], total[9]), (money, money), total)

    def test_report_merge_says_no_price_at_priority_sites_with_none_priced(self):
        district = self.backlog("json", "vi")
        with open(district, encoding="utf-8") as f:
            other = json.load(f)
        other["site"] = "Sa Đéc"
        # as a version before priority_actions and priority_unpriced wrote it
        for o in other["owners"] + [other["total"]]:
            del o["priority_actions"], o["priority_unpriced"]
        old = cwtest.write_json(os.path.join(self.tmp, "sadec.json"), other)
        csv_out = self.report("province.csv", "merge", district, old, "--lang", "vi")
        with open(csv_out, encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
        got = {(r[1], r[4]): (r[9], r[10]) for r in rows[1:]}
        self.assertEqual(got[("Lai Vung", "Công an huyện Lai Vung")],
                         (NO_PRICE["vi"], NO_PRICE["vi"]))
        self.assertEqual(got[("Lai Vung", "Công an xã")], ("500000", "500000"))  # whole đồng
        # the older file cannot say: its figure as it gave it
        self.assertEqual(got[("Sa Đéc", "Công an huyện Lai Vung")], (NO_PRICE["vi"], "0"))
        r = cwtest.camwatch(self.conf, "report", "merge", district, old, "--format", "json")
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)
        by_site = {d["site"]: d for d in doc["districts"]}
        self.assertEqual((by_site["Lai Vung"]["priority_actions"],
                          by_site["Lai Vung"]["priority_unpriced"]), (2, 1))
        self.assertIsNone(by_site["Sa Đéc"]["priority_unpriced"])
        self.assertIsNone(doc["total"]["priority_unpriced"], "not known for every district")

    def test_report_merge_refuses_priority_figures_that_do_not_add_up(self):
        with open(self.backlog("json", "en"), encoding="utf-8") as f:
            doc = json.load(f)
        doc["total"]["priority_unpriced"] = 2
        bad = cwtest.write_json(os.path.join(self.tmp, "edited.json"), doc)
        r = cwtest.camwatch(self.conf, "report", "merge", bad)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("edited.json: owners: do not add up to total.priority_unpriced (1 against "
                      "2)", r.err)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
