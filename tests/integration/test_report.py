#!/usr/bin/python3
"""Reports end to end: a made-up history of nine cameras over two weeks (state changes with
their reasons, maintenance, stream samples, ONVIF facts with clocks and firmware, tickets filed
through the CLI) is written into a real store through the store's own writers
(tests/report_fixture), then `camwatch report availability|backlog` is run in all four formats
and both languages, and every figure is checked against the value this file computes on its
own from the same history, in Python, from the rules as the README states them. The XLSX is
unzipped and every part parsed; the CSV is read back; the HTML is parsed, then printed to PDF
by Debian's headless Chromium and read back with pdftotext: the Vietnamese intact, no word
outside the page or over another. A copy of the site with a camera retired in the range
reports it as retired, over its monitored time, in every format. `report merge` sums two
districts and refuses one sent twice under its name in another form.

    /usr/bin/python3 tests/integration/test_report.py --build build [-v]
"""
import csv
import io
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
import unittest
import zipfile
from xml.dom import minidom

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402
import reportpage  # noqa: E402

MIN = 60 * 1000
H = 60 * MIN
DAY = 24 * H
TZ_OFFSET = 7 * H  # Asia/Ho_Chi_Minh, no daylight saving
FROM = 1793552400000  # 2026-11-02 00:00 +07:00, a Monday
TO = FROM + 14 * DAY  # 2026-11-16 00:00 +07:00: the end, not included
CREATED = FROM - 30 * DAY
CHROMIUM = "/usr/bin/chromium"
SOFFICE = "/usr/bin/soffice"  # libreoffice-calc-nogui

# The inventory: id, name, owner, commune, site_kind, road.
CAMERAS = [
    ("CAH-001", "Ngã ba QL80 - ĐT851", "CAH", "Long Thắng", "district", "QL80"),
    ("CAH-002", "Cầu Lai Vung", "CAH", "Thị trấn Lai Vung", "district", "QL 54"),
    ("CAH-003", "Trường THPT Lai Vung 1", "CAH", "Thị trấn Lai Vung", "district", "ĐT851"),
    ("TD-01", "UBND xã Tân Dương", "CAX-TD", "Tân Dương", "commune", ""),
    ("TD-02", "Giáp ranh Sa Đéc", "CAX-TD", "Tân Dương", "commune", ""),
    ("HT-01", "Ấp Long Thạnh", "CAX-HT", "Hòa Thành", "commune", ""),
    ("HT-02", "Bến đò Hòa Thành", "CAX-HT", "Hòa Thành", "commune", ""),
    ("CHO-01", "Chợ Lai Vung", "BQLC", "Thị trấn Lai Vung", "market", ""),
    ("CHO-02", "Chợ Lai Vung dãy B", "BQLC", "Thị trấn Lai Vung", "market", ""),
]
OWNERS = {"CAH": "Công an huyện Lai Vung", "CAX-TD": "Công an xã Tân Dương",
          "CAX-HT": "Công an xã Hòa Thành", "BQLC": "Ban quản lý chợ Lai Vung"}
COSTS = {"restore_link": (500000, "BG-01/2026"), "clean_lens": (200000, "BG-02/2026"),
         "reaim": (300000, "BG-03/2026"), "setup_ntp": (100000, "nhân công"),
         "reconfigure_encoder": (150000, "nhân công"), "update_firmware": (150000, "nhân công"),
         "repair_ir": (800000, "BG-04/2026"), "replace_camera": (3500000, "BG-05/2026"),
         "replace_disk": (2500000, "BG-06/2026")}  # update_credentials: no price

# Reasons as the daemon writes them, with the kinds this test knows they mean.
DEGRADED = [("slow answer: 2500 ms (limit 2000 ms)", ["slow"]),
            ("picture blurred (sharpness 14, class minimum 60)", ["blurred"]),
            ("fps 6.0 below 12", ["low_fps"]),
            ("slow answer: 3100 ms (limit 2000 ms); clock 83 s ahead", ["slow", "clock"])]
DOWN = [("timeout (after 5000 ms) after 3 failures", ["timeout"]),
        ("connection refused (nothing listens at 10.0.0.9:554) after 3 failures", ["refused"]),
        ("not found (status 404) after 3 failures", ["not_found"])]
AUTH_DOWN = ("authentication failed (status 401) after 3 failures", ["auth"])
FLAG_ACTION = {"no_media": "restore_link", "ts_faults": "restore_link",
               "low_res": "reconfigure_encoder", "low_fps": "reconfigure_encoder",
               "low_bitrate": "reconfigure_encoder", "long_gop": "reconfigure_encoder",
               "sdp_mismatch": "reconfigure_encoder", "blurred": "clean_lens", "moved": "reaim",
               "overexposed": "reaim", "dark": "repair_ir", "black": "replace_camera",
               "frozen": "replace_camera"}
CAUSE_ACTION = {"timeout": "restore_link", "refused": "restore_link", "unreachable": "restore_link",
                "other": "restore_link", "auth": "update_credentials",
                "not_found": "reconfigure_encoder", "protocol": "reconfigure_encoder"}
ACTIONS = ["restore_link", "clean_lens", "reaim", "setup_ntp", "reconfigure_encoder",
           "update_credentials", "update_firmware", "repair_ir", "replace_camera",
           "replace_disk"]


# ---- the history -----------------------------------------------------------------------

def random_walk(rng, cam, end_state=None, end_reason=None):
    """Events of one camera from shortly after creation to two days past the range: up,
    degraded and down in turn for 10 minutes to 30 hours each, and at the end end_state."""
    ev, t, cur = [], CREATED + H, "unknown"
    while t < TO + 2 * DAY:
        to = rng.choice([s for s in ("up", "degraded", "down") if s != cur])
        reason = ("recovered after 2 successes" if cur == "down" else "") if to == "up" else \
            rng.choice(DEGRADED if to == "degraded" else DOWN)
        ev.append(event(cam, t, to, reason))
        cur = to
        t += rng.randrange(10 * MIN, 30 * H, MIN)
    if end_state is not None and end_state != cur:
        ev.append(event(cam, t, end_state, end_reason))
    return ev


def event(cam, at, to, reason):
    text, kinds = reason if isinstance(reason, tuple) else (reason, [])
    return {"camera": cam, "at_ms": at, "to": to, "reason": text, "kinds": kinds}


def make_history():
    rng = random.Random(530)
    ev = []
    ev += random_walk(rng, "CAH-001", "down", DOWN[1])
    ev += random_walk(rng, "CAH-002", "up", "")
    ev += [event("CAH-003", CREATED + H, "up", "")]
    ev += random_walk(rng, "TD-01", "down", AUTH_DOWN)
    ev += [event("TD-02", CREATED + H, "up", ""),
           event("TD-02", FROM + 3 * DAY, "degraded", DEGRADED[1]),
           event("TD-02", FROM + 4 * DAY, "up", "")]
    # maintenance: shown apart, never down; then unknown until the next probe
    ev += [event("HT-01", CREATED + H, "up", ""),
           event("HT-01", FROM + 2 * DAY, "down", DOWN[0]),
           event("HT-01", FROM + 2 * DAY + 5 * H, "maintenance", "maintenance: thay nguồn"),
           event("HT-01", FROM + 3 * DAY, "unknown", "maintenance ended"),
           event("HT-01", FROM + 3 * DAY + 2 * MIN, "up", "")]
    ev += random_walk(rng, "HT-02")
    ev += [event("CHO-01", FROM - 2 * H, "up", ""),  # down before the range, repaired in it
           event("CHO-01", FROM - H, "down", DOWN[0]),
           event("CHO-01", FROM + 90 * MIN, "up", "recovered after 2 successes")]
    ev += [event("CHO-02", CREATED + H, "up", "")]
    samples = []
    for i in range(10):  # blurred in 6 of 10, the latest clean
        samples.append(sample("CHO-01", FROM + i * 6 * H, "blurred" if i < 6 else ""))
    for i in range(4):  # low_fps in 2 of 4, the latest clean: half the range's samples
        samples.append(sample("TD-01", FROM + DAY + i * H, "low_fps" if i % 2 == 0 else ""))
    for i in range(5):  # moved once in 5, the latest clean: no finding
        samples.append(sample("HT-02", FROM + i * DAY, "moved" if i == 1 else ""))
    for i in range(3):  # clean through the range, dark since: a finding of now alone
        samples.append(sample("CAH-003", FROM + (5 + i) * DAY, ""))
    samples.append(sample("CAH-003", TO + DAY, "dark", luma=18))
    devices = [
        device("CAH-001", firmware="V5.4.0"),
        device("CAH-002", firmware="V5.5.82", clock=-120000, ntp=False),
        device("CAH-003", firmware="V5.5.82",
               profile={"width": 352, "height": 288, "fps_limit": 4, "bitrate_limit_kbps": 384}),
        device("TD-02", ok=False, error="authentication failed (GetProfiles: ter:NotAuthorized)"),
        device("CHO-01", firmware="V5.4.0", clock=1500, ntp=True),
    ]
    return ev, samples, devices


def sample(cam, at, flags, luma=120):
    return {"camera": cam, "at_ms": at, "flags": flags, "luma": luma, "sharpness": 150}


def device(cam, firmware="", ok=True, error="", clock=None, ntp=True, profile=None):
    d = {"camera": cam, "probed_ms": FROM + 13 * DAY, "ok": ok, "error": error,
         "manufacturer": "HIKVISION" if ok else "", "model": "DS-2CD1023G0E-I" if ok else "",
         "firmware": firmware}
    if clock is not None:
        d["clock_offset_ms"], d["ntp"] = clock, ntp
    if profile is not None:
        d["profile"] = profile
    return d


# ---- what the reports must say, computed here --------------------------------------------

def spells(events, cam, lo, hi):
    """[(state, began, start, end, ended, kinds)] of cam over [lo, hi), as README defines."""
    out, state, began, kinds = [], "unknown", CREATED, []
    for e in [e for e in events if e["camera"] == cam] + [None]:
        t = hi if e is None else e["at_ms"]
        if e is not None and e["to"] == state:
            continue
        start, end = max(began, lo, CREATED), min(t, hi)
        if end > start or lo <= began < hi:
            out.append((state, began, start, max(end, start), e is not None and lo <= t < hi,
                        kinds))
        if e is None or t >= hi:
            break
        state, began, kinds = e["to"], t, e["kinds"]
    return out


def availability(events, cam, hi=TO):
    """cam's figures over [FROM, hi): hi is TO, or when it was retired."""
    f = {"ms": dict.fromkeys(("up", "degraded", "down", "unknown", "maintenance"), 0),
         "outages": 0, "longest": 0, "repairs": 0, "repair_ms": 0, "by": {}, "cameras": 1}
    for state, began, start, end, ended, kinds in spells(events, cam, FROM, hi):
        f["ms"][state] += end - start
        if state == "down":
            f["outages"] += FROM <= began < hi
            f["longest"] = max(f["longest"], end - start)
            if ended:
                f["repairs"] += 1
                f["repair_ms"] += end - began
        if state == "degraded":
            for k in kinds:
                f["by"][k] = f["by"].get(k, 0) + end - start
    return f


def add(a, b):
    for s in a["ms"]:
        a["ms"][s] += b["ms"][s]
    for k in ("outages", "repairs", "repair_ms", "cameras"):
        a[k] += b[k]
    a["longest"] = max(a["longest"], b["longest"])
    for k, v in b["by"].items():
        a["by"][k] = a["by"].get(k, 0) + v


def empty():
    return {"ms": dict.fromkeys(("up", "degraded", "down", "unknown", "maintenance"), 0),
            "outages": 0, "longest": 0, "repairs": 0, "repair_ms": 0, "by": {}, "cameras": 0}


def pct(f):
    mon = f["ms"]["up"] + f["ms"]["degraded"] + f["ms"]["down"]
    return None if mon == 0 else 100.0 * (f["ms"]["up"] + f["ms"]["degraded"]) / mon


def mttr(f):
    return None if f["repairs"] == 0 else f["repair_ms"] // f["repairs"]


def fold(s):
    s = unicodedata.normalize("NFD", s.lower()).replace("đ", "d")
    return "".join(c for c in s if not unicodedata.combining(c))


def version_key(v):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", v)]


def expected_backlog(events, samples, devices, tickets):
    items = []
    avail = {c[0]: availability(events, c[0]) for c in CAMERAS}
    for cid, name, owner, commune, kind, road in CAMERAS:
        cam_ev = [e for e in events if e["camera"] == cid]
        last = cam_ev[-1]
        state = last["to"]
        findings, actions = [], []  # actions: [action, ...] in the order they are called for
        if state == "down":
            findings.append("down")
            actions += [CAUSE_ACTION[k] for k in last["kinds"]]
        if avail[cid]["outages"] >= 3:
            findings.append("unstable")
            actions.append("restore_link")
        own = [s for s in samples if s["camera"] == cid]
        in_range = [s for s in own if FROM <= s["at_ms"] < TO]
        latest = max(own, key=lambda s: s["at_ms"])["flags"].split(",") if own else []
        for flag, act in FLAG_ACTION.items():
            n = sum(flag in s["flags"].split(",") for s in in_range)
            if flag in latest or (in_range and n * 100 >= len(in_range) * 50):
                findings.append(flag)
                actions.append(act)
        d = next((d for d in devices if d["camera"] == cid), None)
        if d is not None:
            if abs(d.get("clock_offset_ms", 0)) > 5000:
                findings.append("clock")
                actions.append("setup_ntp")
            if not d["ok"] and d["error"].startswith("authentication failed"):
                findings.append("onvif_auth")
                actions.append("update_credentials")
            p = d.get("profile")
            if p and (p["width"] < 640 or p["height"] < 360 or p["fps_limit"] < 12 or
                      p["bitrate_limit_kbps"] < 256):
                findings.append("encoder_config")
                actions.append("reconfigure_encoder")
            peers = [o["firmware"] for o in devices if o is not d and o["firmware"] and
                     o["model"] == d["model"]]
            if actions and d["firmware"] and peers and \
                    version_key(d["firmware"]) < max(map(version_key, peers)):
                findings.append("firmware")
                actions.append("update_firmware")
        own_tickets = [t for t in tickets if t["camera"] == cid]
        if not actions and not own_tickets:
            continue
        entries = []
        left = [a for i, a in enumerate(actions) if a not in actions[:i]]
        for t in own_tickets:
            cost = t["cost"] if t["cost"] is not None else COSTS.get(t["action"], (None,))[0]
            entries.append((t["action"], cost))
            if t["action"] in left:
                left.remove(t["action"])
        for a in sorted(left, key=ACTIONS.index):
            entries.append((a, COSTS.get(a, (None,))[0]))
        why = []
        if re.match(r"ql ?\d|quoc lo", fold(road)):
            why.append("national_road")
        if kind == "market":
            why.append("market")
        if "giap ranh" in fold(name):
            why.append("border")
        items.append({"id": cid, "owner": owner, "findings": findings, "actions": entries,
                      # none of its work priced: no cost at all, never 0 ("free")
                      "cost": (None if entries and all(c is None for _, c in entries)
                               else sum(c for _, c in entries if c is not None)),
                      "unpriced": sum(c is None for _, c in entries),
                      "priority": 1 if why else 2, "why": why, "state": state,
                      "downtime": avail[cid]["ms"]["down"], "outages": avail[cid]["outages"],
                      "pct": pct(avail[cid])})
    items.sort(key=lambda i: (i["priority"], -i["downtime"], -i["outages"], i["id"]))
    for rank, it in enumerate(items, 1):
        it["rank"] = rank
    return items


# ---- how the formats write numbers -------------------------------------------------------

def group(digits, sep):
    return "{:,}".format(int(digits)).replace(",", sep)


def num_text(v, lang, decimals=None, grouped=True):
    if decimals is None:
        return group(v, "." if lang == "vi" else ",") if grouped else str(int(v))
    whole, frac = ("%.*f" % (decimals, v)).split(".")
    whole = group(whole, "." if lang == "vi" else ",") if grouped else whole
    return whole + ("," if lang == "vi" else ".") + frac


def hours(ms):
    return ms / H


NO_PRICE = {"vi": "chưa có đơn giá", "en": "no price"}


# ---- reading the formats back -------------------------------------------------------------

def read_xlsx(path):
    """{sheet name: {(row, col): value}} with every XML part parsed (well-formed or this
    raises), plus the raw XML of each sheet."""
    sheets, raw = {}, {}
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        parts = {n: z.read(n) for n in z.namelist()}
    for name, data in parts.items():
        if name.endswith(".xml") or name.endswith(".rels"):
            minidom.parseString(data)  # well-formed, or it raises
    shared = [si.getElementsByTagName("t")[0].firstChild.data if
              si.getElementsByTagName("t")[0].firstChild else ""
              for si in minidom.parseString(parts["xl/sharedStrings.xml"])
              .getElementsByTagName("si")]
    wb = minidom.parseString(parts["xl/workbook.xml"])
    rels = minidom.parseString(parts["xl/_rels/workbook.xml.rels"])
    target = {r.getAttribute("Id"): r.getAttribute("Target")
              for r in rels.getElementsByTagName("Relationship")}
    for s in wb.getElementsByTagName("sheet"):
        xml = parts["xl/" + target[s.getAttribute("r:id")]]
        cells = {}
        for c in minidom.parseString(xml).getElementsByTagName("c"):
            ref, v = c.getAttribute("r"), c.getElementsByTagName("v")
            if not v:
                continue
            m = re.match(r"([A-Z]+)(\d+)", ref)
            col = 0
            for ch in m.group(1):
                col = col * 26 + ord(ch) - 64
            val = v[0].firstChild.data
            cells[(int(m.group(2)), col)] = shared[int(val)] if c.getAttribute("t") == "s" \
                else float(val)
        sheets[s.getAttribute("name")] = cells
        raw[s.getAttribute("name")] = xml.decode("utf-8")
    return sheets, raw


class ReportTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-report-"

    @classmethod
    def start(cls):
        cams = [cwtest.camera(cid, "rtsp://127.0.0.1:9/%s" % cid, owner=owner, name=name,
                              commune=commune, site_kind=kind, road=road, address="")
                for cid, name, owner, commune, kind, road in CAMERAS]
        costs = {a: "%s | %s" % (num_text(v, "vi"), src) for a, (v, src) in COSTS.items()}
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"), cams, owners=OWNERS, site="Lai Vung",
            sections={"site": {"language": "vi", "authority": "Công an huyện Lai Vung"},
                      "costs": costs})
        cls.events, cls.samples, cls.devices = make_history()
        spec = cwtest.write_json(os.path.join(cls.tmp, "spec.json"),
                                 {"created_ms": CREATED, "events": cls.events,
                                  "samples": cls.samples, "devices": cls.devices})
        fixture = os.path.join(cwtest.build_dir([]), "tests", "report_fixture")
        r = cwtest.run([fixture, cls.conf, spec])
        assert r.rc == 0, r
        cls.tickets = []
        for cam, action, note, cost in [("CHO-02", "reaim", "Cây che góc quay", "350.000"),
                                        ("CAH-003", "replace_camera", "Ống kính vỡ", None),
                                        ("TD-02", "clean_lens", "Kính bẩn", None)]:
            args = ["ticket", "add", cam, "--action", action, "--note", note, "--json"]
            r = cwtest.camwatch(cls.conf, *(args + (["--cost", cost] if cost else [])))
            assert r.rc == 0, r
            cls.tickets.append({"camera": cam, "action": action, "id": json.loads(r.out)["id"],
                                "cost": int(cost.replace(".", "")) if cost else None})
        r = cwtest.camwatch(cls.conf, "ticket", "close", str(cls.tickets[2]["id"]), "--note",
                            "đã lau kính")
        assert r.rc == 0, r
        cls.open_tickets = cls.tickets[:2]
        cls.out = {}
        for kind in ("backlog", "availability"):
            for lang in ("vi", "en"):
                for fmt in ("json", "csv", "xlsx", "html"):
                    path = os.path.join(cls.tmp, "%s-%s.%s" % (kind, lang, fmt))
                    r = cwtest.camwatch(cls.conf, "report", kind, "--from", "2026-11-02",
                                        "--to", "2026-11-16", "--lang", lang, "-o", path)
                    assert r.rc == 0, r
                    cls.out[(kind, lang, fmt)] = path
        cls.items = expected_backlog(cls.events, cls.samples, cls.devices, cls.open_tickets)

    def load(self, kind, lang="vi"):
        with open(self.out[(kind, lang, "json")], encoding="utf-8") as f:
            return json.load(f)

    # ---- availability ----

    def test_availability_json_equals_the_figures_computed_here(self):
        doc = self.load("availability")
        self.assertEqual((doc["from_ms"], doc["to_ms"]), (FROM, TO))
        total, owners = empty(), {}
        for c in doc["cameras"]:
            f = availability(self.events, c["id"])
            add(total, f)
            add(owners.setdefault(c["owner"], empty()), f)
            self.check_figures(c, f, c["id"])
        self.assertEqual(len(doc["cameras"]), len(CAMERAS))
        for o in doc["owners"]:
            self.check_figures(o, owners[o["owner"]], o["owner"])
            self.assertEqual(o["cameras"], owners[o["owner"]]["cameras"])
        self.check_figures(doc["total"], total, "total")
        # the maintenance spell is apart, and the camera down before it counts 5 h down
        ht = next(c for c in doc["cameras"] if c["id"] == "HT-01")
        self.assertEqual((ht["ms"]["maintenance"], ht["downtime_ms"]), (19 * H, 5 * H))
        # outages per week: the weeks of the range and the outages that began in each
        starts = sorted(e["at_ms"] for e in self.events if e["to"] == "down" and
                        FROM <= e["at_ms"] < TO and self.entered_down(e))
        self.assertEqual([w["start"] for w in doc["weeks"]], ["2026-11-02", "2026-11-09"])
        self.assertEqual([w["outages"] for w in doc["weeks"]],
                         [sum(FROM <= t < FROM + 7 * DAY for t in starts),
                          sum(FROM + 7 * DAY <= t < TO for t in starts)])

    def entered_down(self, e):
        before = [x for x in self.events if x["camera"] == e["camera"] and
                  x["at_ms"] < e["at_ms"]]
        return not before or before[-1]["to"] != "down"

    def check_figures(self, got, f, what):
        for s, v in f["ms"].items():
            self.assertEqual(got["ms"][s], v, "%s %s ms" % (what, s))
        self.assertEqual(got["outages"], f["outages"], what)
        self.assertEqual(got["downtime_ms"], f["ms"]["down"], what)
        self.assertEqual(got["longest_down_ms"], f["longest"], what)
        self.assertEqual(got["repairs"], f["repairs"], what)
        self.assertEqual(got["mttr_ms"], mttr(f), what)
        self.assertEqual(got["degraded_by"], f["by"], what)
        if pct(f) is None:
            self.assertIsNone(got["availability_pct"], what)
        else:
            # JSON reals carry 10 significant digits, as every document's
            self.assertAlmostEqual(got["availability_pct"], pct(f), 6, what)

    def test_availability_csv_xlsx_html_carry_the_same_figures(self):
        for lang in ("vi", "en"):
            with open(self.out[("availability", lang, "csv")], encoding="utf-8-sig") as f:
                rows = list(csv.reader(f))
            head, rows = rows[0], {r[1]: r for r in rows[1:]}
            self.assertEqual(head[0], "STT" if lang == "vi" else "No.")
            sheets, _ = read_xlsx(self.out[("availability", lang, "xlsx")])
            detail = sheets["Chi tiết" if lang == "vi" else "Detail"]
            xrows = {detail[(r, 2)]: r for r in range(3, 3 + len(CAMERAS))}
            page = reportpage.Tables()
            with open(self.out[("availability", lang, "html")], encoding="utf-8") as f:
                page.feed(f.read())
            hrows = {r[1]: r for r in page.tables[2][1:]}
            for cid, *_ in CAMERAS:
                f_ = availability(self.events, cid)
                want = [pct(f_), f_["outages"], hours(f_["ms"]["down"]), hours(f_["longest"]),
                        None if mttr(f_) is None else hours(mttr(f_)),
                        hours(f_["ms"]["degraded"])]
                cols = [5, 6, 7, 8, 9, 10]  # 0-based: pct, outages, down, longest, MTTR, degraded
                for w, c in zip(want, cols):
                    dec = None if c == 6 else 2
                    csv_text = "" if w is None else num_text(w, lang, dec, grouped=False)
                    html_text = "" if w is None else num_text(w, lang, dec)
                    self.assertEqual(rows[cid][c], csv_text, "%s csv col %d" % (cid, c))
                    self.assertEqual(hrows[cid][c], html_text, "%s html col %d" % (cid, c))
                    if w is None:
                        self.assertNotIn((xrows[cid], c + 1), detail)
                    else:
                        self.assertAlmostEqual(detail[(xrows[cid], c + 1)], w, 9, cid)

    # ---- the backlog ----

    def test_backlog_json_equals_the_backlog_worked_out_here(self):
        doc = self.load("backlog")
        got = doc["items"]
        self.assertEqual([i["id"] for i in got], [i["id"] for i in self.items])
        for g, w in zip(got, self.items):
            self.assertEqual(g["rank"], w["rank"])
            self.assertEqual(g["priority"], w["priority"], g["id"])
            self.assertEqual(g["priority_why"], w["why"], g["id"])
            self.assertEqual(sorted(f["kind"] for f in g["findings"]), sorted(w["findings"]),
                             g["id"])
            self.assertEqual([(a["action"], a["cost_vnd"]) for a in g["actions"]], w["actions"],
                             g["id"])
            self.assertEqual((g["cost_vnd"], g["unpriced"]), (w["cost"], w["unpriced"]), g["id"])
            self.assertEqual((g["downtime_ms"], g["outages"]), (w["downtime"], w["outages"]))
        self.assertIsNone(got[0]["recording_gaps"])  # not measured: said, not guessed
        self.assertFalse(doc["measured"]["recording_gaps"])
        for code in OWNERS:
            mine = [i for i in self.items if i["owner"] == code]
            o = next(o for o in doc["owners"] if o["owner"] == code)
            self.assertEqual(o["cameras"], sum(c[2] == code for c in CAMERAS))
            self.assertEqual(o["needing_work"], len(mine))
            self.assertEqual(o["down_now"], sum(i["state"] == "down" for i in mine))
            self.assertEqual(o["actions"], sum(len(i["actions"]) for i in mine))
            self.assertEqual(o["cost_vnd"], sum(i["cost"] or 0 for i in mine))
            self.assertEqual(o["priority_cost_vnd"],
                             sum(i["cost"] or 0 for i in mine if i["priority"] == 1))
            self.assertEqual(o["unpriced"], sum(i["unpriced"] for i in mine))
        t = doc["total"]
        self.assertEqual((t["cameras"], t["needing_work"]), (len(CAMERAS), len(self.items)))
        self.assertEqual(t["cost_vnd"], sum(i["cost"] or 0 for i in self.items))
        self.assertTrue(any(i["cost"] is None for i in self.items),
                        "a camera whose work is all unpriced is in the test")
        for a in doc["by_action"]:
            entries = [c for i in self.items for act, c in i["actions"] if act == a["action"]]
            self.assertEqual((a["count"], a["cost_vnd"], a["unpriced"]),
                             (len(entries), sum(c for c in entries if c is not None),
                              sum(c is None for c in entries)), a["action"])

    def test_backlog_csv_xlsx_html_carry_the_same_figures(self):
        doc = self.load("backlog")
        for lang in ("vi", "en"):
            with open(self.out[("backlog", lang, "csv")], "rb") as f:
                raw = f.read()
            self.assertTrue(raw.startswith(b"\xef\xbb\xbf"), "CSV starts with a BOM")
            rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
            self.assertEqual(len(rows), 1 + len(self.items))
            sheets, raw_xml = read_xlsx(self.out[("backlog", lang, "xlsx")])
            detail = sheets["Chi tiết" if lang == "vi" else "Detail"]
            summary = sheets["Tổng hợp" if lang == "vi" else "Summary"]
            page = reportpage.Tables()
            with open(self.out[("backlog", lang, "html")], encoding="utf-8") as f:
                page.feed(f.read())
            self.assertEqual(page.outside, [], "the page links to nothing outside")
            html_rows = page.tables[1][1:]
            for n, w in enumerate(self.items):
                c, x, h = rows[n + 1], n + 3, html_rows[n]
                want = [(0, w["rank"], None), (7, w["outages"], None),
                        (8, hours(w["downtime"]), 2)]
                if w["cost"] is not None:
                    want.append((12, w["cost"], None))
                else:  # unpriced work is said so in its cost cell, never 0
                    self.assertEqual((c[12], h[12], detail[(x, 13)]), (NO_PRICE[lang],) * 3)
                if w["pct"] is not None:
                    want.append((9, w["pct"], 2))
                self.assertEqual((c[1], h[1], detail[(x, 2)]), (w["id"],) * 3)
                # the priority on one line: a line break in a CSV field splits the row
                self.assertNotIn("\n", c[5])
                self.assertTrue(c[5].startswith(str(w["priority"])), c[5])
                for col, v, dec in want:
                    self.assertEqual(c[col], num_text(v, lang, dec, grouped=False))
                    self.assertEqual(h[col], num_text(v, lang, dec), "%s col %d" % (w["id"], col))
                    self.assertAlmostEqual(detail[(x, col + 1)], v, 9)
            # the total of the detail, and the summary per owner with its total
            self.assertEqual(detail[(3 + len(self.items), 13)], doc["total"]["cost_vnd"])
            self.assertEqual(html_rows[-1][12], num_text(doc["total"]["cost_vnd"], lang))
            for r, o in enumerate(doc["owners"] + [doc["total"]], 3):
                self.assertEqual(summary[(r, 3)], o["cameras"])
                self.assertEqual(summary[(r, 9)], o["cost_vnd"])
            self.assertEqual(summary[(3 + len(doc["owners"]), 2)],
                             "Tổng cộng" if lang == "vi" else "Total")
            # frozen heads, A4 landscape one page wide, money formatted
            for xml in raw_xml.values():
                self.assertRegex(xml, r'<pane ySplit="2" topLeftCell="A3"[^>]*state="frozen"')
                self.assertRegex(xml, r'<pageSetup paperSize="9"[^>]*orientation="landscape"')
                self.assertIn('<pageSetUpPr fitToPage="1"/>', xml)
                self.assertIn("<cols>", xml)

    def test_vietnamese_headings_and_money(self):
        with open(self.out[("backlog", "vi", "html")], encoding="utf-8") as f:
            page = f.read()
        for text in ("PHỤ LỤC", "DANH MỤC CAMERA AN NINH CẦN BẢO TRÌ, SỬA CHỮA",
                     "(Kèm theo Báo cáo số ……/BC-…… ngày …… tháng …… năm …… của "
                     "Công an huyện Lai Vung)",
                     "Kỳ báo cáo: từ ngày 02/11/2026 đến hết ngày 15/11/2026",
                     "<th>STT</th>", "Kinh phí dự kiến (đồng)", "THỦ TRƯỞNG ĐƠN VỊ",
                     "Khoảng trống ghi hình: chưa đo", "BG-01/2026"):
            self.assertIn(text, page)
        with open(self.out[("backlog", "en", "html")], encoding="utf-8") as f:
            self.assertIn("Period: from 2026-11-02 to the end of 2026-11-15", f.read())

    def test_libreoffice_opens_the_workbook_and_reads_the_same_figures(self):
        self.assertTrue(os.access(SOFFICE, os.X_OK), "LibreOffice (libreoffice-calc-nogui) is needed")
        doc = self.load("backlog")
        out = os.path.join(self.tmp, "lo")
        # every sheet to CSV (UTF-8, quoted): LibreOffice's own reading of the workbook
        r = cwtest.run([SOFFICE, "-env:UserInstallation=file://" + os.path.join(out, "profile"),
                        "--headless", "--convert-to",
                        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,"
                        "false,-1", "--outdir", out, self.out[("backlog", "vi", "xlsx")]])
        sheets = {}
        for name in ("Tổng hợp", "Chi tiết", "Theo hạng mục"):
            path = os.path.join(out, "backlog-vi-%s.csv" % name)
            self.assertTrue(os.path.exists(path), r)
            with open(path, encoding="utf-8") as f:
                sheets[name] = list(csv.reader(f))
        self.assertEqual(sheets["Chi tiết"][1][:2], ["STT", "Mã camera"])
        self.assertEqual([row[1] for row in sheets["Chi tiết"][2:2 + len(self.items)]],
                         [i["id"] for i in self.items])
        total = sheets["Tổng hợp"][2 + len(doc["owners"])]
        self.assertEqual((total[1], int(total[8])), ("Tổng cộng", doc["total"]["cost_vnd"]))

    # ---- printed ----

    def test_html_prints_to_pdf_with_the_vietnamese_intact_and_nothing_overflowing(self):
        self.assertTrue(os.access(CHROMIUM, os.X_OK), "Debian's chromium is needed")
        fonts = cwtest.run(["fc-list", ":lang=vi", "family"]).out
        self.assertRegex(fonts, "Liberation Serif|Times New Roman|DejaVu Serif",
                         "a serif font with Vietnamese glyphs (fonts-liberation2)")
        for kind, lang, words in [
                ("backlog", "vi", ["PHỤ LỤC", "DANH MỤC CAMERA AN NINH CẦN BẢO TRÌ",
                                   "Công an huyện Lai Vung", "Ngã", "ĐT851", "Giáp", "Đéc",
                                   "Chợ Lai Vung", "Tỷ lệ hoạt", "NGƯỜI LẬP BIỂU",
                                   "Khôi phục nguồn điện, đường truyền"]),
                ("backlog", "en", ["APPENDIX", "Ngã", "ĐT851", "Restore power or network link"]),
                ("availability", "vi", ["TÌNH HÌNH HOẠT ĐỘNG", "Long Thạnh", "Hòa Thành"]),
                # table II with each district's period in its rows
                ("province", "vi", ["TỔNG HỢP NHU CẦU BẢO TRÌ", "Sa Đéc", "hết ngày 15/11/2026",
                                    "12:30 ngày 14/11/2026", "không trùng nhau"])]:
            pdf = self.print_pdf(self.out[(kind, lang, "html")] if kind != "province"
                                 else self.province_with_two_periods())
            text = unicodedata.normalize("NFC", cwtest.run(["pdftotext", "-layout", pdf, "-"]).out)
            for w in words:
                self.assertIn(w, text, "%s %s" % (kind, lang))
            self.assertNotIn("\ufffd", text)
            info = cwtest.run(["pdfinfo", pdf]).out
            self.assertIn("841.92 x 594.96 pts (A4)", info)
            pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
            self.assertLessEqual(pages, 6, "%s %s: %d pages" % (kind, lang, pages))
            self.check_no_overflow(pdf)
            emb = cwtest.run(["pdffonts", pdf]).out.splitlines()[2:]
            self.assertTrue(emb and all(" yes " in line for line in emb), emb)

    def province_with_two_periods(self):
        """The province page of Lai Vung's backlog and a copy, Sa Đéc, sent to 12:30 on the 14th."""
        doc = self.load("backlog")
        doc.update(site="Sa Đéc", to="2026-11-14T12:30:00+07:00", to_ms=TO - DAY - 11 * H - 30 * MIN)
        b = cwtest.write_json(os.path.join(self.tmp, "sadec-14.json"), doc, ensure_ascii=False)
        page = os.path.join(self.tmp, "province-periods.html")
        r = cwtest.camwatch(self.conf, "report", "merge", self.out[("backlog", "vi", "json")], b,
                            "-o", page)
        self.assertEqual(r.rc, 0, r)
        return page

    def print_pdf(self, page):
        pdf = page + ".pdf"
        profile = tempfile.mkdtemp(prefix="chromium-", dir=self.tmp)
        r = cwtest.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--user-data-dir=" + profile, "--no-pdf-header-footer",
                        "--print-to-pdf=" + pdf, "file://" + page])
        shutil.rmtree(profile, ignore_errors=True)
        self.assertTrue(os.path.exists(pdf), r)
        return pdf

    def check_no_overflow(self, pdf):
        """Every word inside its page's printable width, and no two words on top of each
        other (text spilling out of a cell into the next would)."""
        out = cwtest.run(["pdftotext", "-bbox", pdf, "-"]).out
        for page in re.findall(r"<page (.*?)</page>", out, re.S):
            width = float(re.search(r'width="([\d.]+)"', page).group(1))
            boxes = [tuple(map(float, m)) for m in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page)]
            for x0, y0, x1, y1 in boxes:
                self.assertTrue(20 <= x0 and x1 <= width - 20, (x0, x1, width))
            boxes.sort()
            for i, (x0, y0, x1, y1) in enumerate(boxes):
                for a0, b0, a1, b1 in boxes[i + 1:]:
                    if a0 >= x1 - 0.5:
                        break
                    overlap_y = min(y1, b1) - max(y0, b0)
                    overlap_x = min(x1, a1) - max(x0, a0)
                    self.assertFalse(overlap_x > 1 and overlap_y > 1,
                                     "words overlap at %.1f,%.1f" % (x0, y0))

    # ---- a camera retired in the range ----

    def test_a_camera_retired_in_the_range(self):
        # CHO-02 taken out of the inventory on 12/11 05:00, as a sync does: a copy of the site
        # with an inventory without it, synced then (the other tests keep the whole fleet).
        site = os.path.join(self.tmp, "site-retired")
        shutil.copytree(os.path.dirname(self.conf), site)
        conf = os.path.join(site, os.path.basename(self.conf))
        with open(os.path.join(site, "cameras.csv"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        with open(os.path.join(site, "cameras-retired.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(l for l in lines if not l.startswith("CHO-02,")) + "\n")
        conf = cwtest.conf_variant(conf, "cameras = cameras.csv", "cameras = cameras-retired.csv",
                                   ".retired")
        retired_at = FROM + 10 * DAY + 5 * H
        spec = cwtest.write_json(os.path.join(self.tmp, "spec-retired.json"),
                                 {"created_ms": retired_at, "events": [], "samples": [],
                                  "devices": []})
        r = cwtest.run([os.path.join(cwtest.build_dir([]), "tests", "report_fixture"), conf,
                        spec])
        self.assertEqual(r.rc, 0, r)
        rng = ["--from", "2026-11-02", "--to", "2026-11-16"]
        out = {}
        for kind in ("availability", "backlog"):
            for lang in ("vi", "en"):
                for fmt in ("json", "csv", "xlsx", "html"):
                    out[(kind, lang, fmt)] = os.path.join(site, "%s-%s.%s" % (kind, lang, fmt))
                    r = cwtest.camwatch(conf, "report", kind, *rng, "--lang", lang, "-o",
                                        out[(kind, lang, fmt)])
                    self.assertEqual(r.rc, 0, r)
        with open(out[("availability", "vi", "json")], encoding="utf-8") as f:
            av = json.load(f)
        # its figures are over the time it was monitored, not the whole range
        f_ = availability(self.events, "CHO-02", retired_at)
        cho = next(c for c in av["cameras"] if c["id"] == "CHO-02")
        self.assertTrue(cho["retired"])
        self.assertEqual(cho["existed_ms"], retired_at - FROM)
        self.check_figures(cho, f_, "CHO-02")
        # every format says it was retired, in words, and what that means
        for lang, word, note in (("vi", "Đã gỡ bỏ", "Đã gỡ bỏ: camera đã được gỡ khỏi danh mục"),
                                 ("en", "retired", "Retired: a camera taken out of the")):
            with open(out[("availability", lang, "csv")], encoding="utf-8-sig") as f:
                rows = {r[1]: r for r in list(csv.reader(f))[1:]}
            self.assertEqual(rows["CHO-02"][14], word)
            self.assertEqual(rows["CHO-02"][5], num_text(pct(f_), lang, 2, grouped=False))
            self.assertNotEqual(rows["CHO-01"][14], word)
            sheets, _ = read_xlsx(out[("availability", lang, "xlsx")])
            detail = sheets["Chi tiết" if lang == "vi" else "Detail"]
            x = next(r for r in range(3, 3 + len(CAMERAS)) if detail[(r, 2)] == "CHO-02")
            self.assertEqual(detail[(x, 15)], word)
            self.assertAlmostEqual(detail[(x, 6)], pct(f_), 9)
            page = reportpage.Tables()
            with open(out[("availability", lang, "html")], encoding="utf-8") as f:
                text = f.read()
            page.feed(text)
            self.assertEqual(next(r for r in page.tables[2][1:] if r[1] == "CHO-02")[14], word)
            self.assertIn(note, text)
        # the backlog's owner rows: cameras, availability and outages of one set (the cameras
        # monitored in the range, CHO-02 too); needing work only of those still in the inventory
        with open(out[("backlog", "vi", "json")], encoding="utf-8") as f:
            bk = json.load(f)
        self.assertNotIn("CHO-02", [i["id"] for i in bk["items"]])
        self.assertEqual(len(bk["owners"]), len(bk["availability"]["owners"]))
        for o in bk["owners"]:
            a = next(x for x in bk["availability"]["owners"] if x["owner"] == o["owner"])
            self.assertEqual(o["cameras"], a["cameras"], o["owner"])
            self.assertEqual(o["retired"], int(o["owner"] == "BQLC"), o["owner"])
            self.assertEqual(o["needing_work"],
                             sum(i["owner"] == o["owner"] for i in bk["items"]), o["owner"])
        bqlc = next(o for o in bk["owners"] if o["owner"] == "BQLC")
        self.assertEqual(bqlc["cameras"], 2)
        self.assertEqual((bk["total"]["cameras"], bk["total"]["retired"]), (len(CAMERAS), 1))
        self.assertEqual(bk["total"]["cameras"], bk["availability"]["total"]["cameras"])
        for lang in ("vi", "en"):
            sheets, _ = read_xlsx(out[("backlog", lang, "xlsx")])
            summary = sheets["Tổng hợp" if lang == "vi" else "Summary"]
            for r, o in enumerate(bk["owners"], 3):
                a = next(x for x in bk["availability"]["owners"] if x["owner"] == o["owner"])
                self.assertEqual(summary[(r, 3)], a["cameras"])
                self.assertEqual(summary[(r, 7)], a["outages"])
                self.assertAlmostEqual(summary[(r, 6)], a["availability_pct"], 6)

    # ---- merge, tickets, mistakes ----

    def test_merge_sums_districts_and_names_a_bad_file(self):
        a = self.out[("backlog", "vi", "json")]
        doc = self.load("backlog")
        doc["site"] = "Sa Đéc"
        b = cwtest.write_json(os.path.join(self.tmp, "sadec.json"), doc, ensure_ascii=False)
        r = cwtest.camwatch(self.conf, "report", "merge", a, b, "--format", "json")
        self.assertEqual(r.rc, 0, r)
        prov = json.loads(r.out)
        self.assertEqual(sorted(d["site"] for d in prov["districts"]), ["Lai Vung", "Sa Đéc"])
        self.assertEqual(prov["total"]["cost_vnd"], 2 * doc["total"]["cost_vnd"])
        self.assertEqual(prov["total"]["needing_work"], 2 * len(self.items))
        path = os.path.join(self.tmp, "province.html")
        r = cwtest.camwatch(self.conf, "report", "merge", a, b, "-o", path)
        self.assertEqual(r.rc, 0, r)
        with open(path, encoding="utf-8") as f:
            page = f.read()
        self.assertIn("TỔNG HỢP NHU CẦU BẢO TRÌ", page)
        self.assertIn(num_text(prov["total"]["cost_vnd"], "vi"), page)
        # the same district again, its name saved decomposed (NFD) with white space around it,
        # as a hand edit can leave it: refused, not summed twice
        twin = dict(doc, site=" " + unicodedata.normalize("NFD", "Lai Vung Đéc") + " ")
        with open(a, encoding="utf-8") as f:
            first = json.load(f)
        first["site"] = "Lai Vung Đéc"
        a2 = cwtest.write_json(os.path.join(self.tmp, "laivung-nfc.json"), first,
                               ensure_ascii=False)
        b2 = cwtest.write_json(os.path.join(self.tmp, "laivung-nfd.json"), twin,
                               ensure_ascii=False)
        r = cwtest.camwatch(self.conf, "report", "merge", a2, b2, "--format", "json")
        self.assertEqual((r.rc, r.out), (1, ""), r)
        self.assertIn("laivung-nfd.json: site: 'Lai Vung Đéc' is given twice (also in %s)" % a2,
                      r.err)
        doc["total"]["cost_vnd"] = -1
        cwtest.write_json(b, doc)
        r = cwtest.camwatch(self.conf, "report", "merge", a, b)
        self.assertEqual(r.rc, 1)
        self.assertIn("sadec.json: total.cost_vnd: expected a whole number", r.err)

    def test_tickets_through_the_cli(self):
        r = cwtest.camwatch(self.conf, "ticket", "list", "--json")
        self.assertEqual([t["id"] for t in json.loads(r.out)],
                         [t["id"] for t in self.open_tickets])
        r = cwtest.camwatch(self.conf, "ticket", "add", "CAH-001", "--action", "paint",
                            "--note", "x")
        self.assertEqual(r.rc, 2)
        self.assertIn("unknown action 'paint' (one of: restore_link", r.err)
        r = cwtest.camwatch(self.conf, "ticket", "close", str(self.tickets[2]["id"]))
        self.assertEqual(r.rc, 1)
        self.assertIn("was closed already", r.err)

    def test_backlog_refuses_an_inventory_that_would_miss_cameras(self):
        # The backlog takes each camera's priority and class from its inventory row, and the
        # reader's load leaves a row with a problem out: CAH-001 (on QL80) and CHO-01 (a market)
        # would go to the province at priority 2. So the backlog is refused, each problem named
        # by file, line and field, nothing written; the availability report, which takes nothing
        # from the rows but the store has, is made with the warnings.
        site = os.path.dirname(self.conf)
        with open(os.path.join(site, "cameras.csv"), encoding="utf-8") as f:
            good = f.read()
        sheet = os.path.join(site, "cameras-broken.csv")
        lines = good.splitlines()
        cah, cho = [next(i for i, l in enumerate(lines) if l.startswith(cid + ","))
                    for cid in ("CAH-001", "CHO-01")]
        lines[cah] = lines[cah].replace(",10.29,", ",north,")
        lines[cho] = lines[cho].replace(",market,", ",chợ,")
        with open(sheet, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        conf = cwtest.conf_variant(self.conf, "cameras = cameras.csv",
                                   "cameras = cameras-broken.csv", ".broken")
        problems = ["camwatch: report backlog: %s:%d: lat: not a number: 'north'" % (sheet, cah + 1),
                    "camwatch: report backlog: %s:%d: site_kind: 'chợ'" % (sheet, cho + 1)]
        rng = ["--from", "2026-11-02", "--to", "2026-11-16"]
        kept = os.path.join(self.tmp, "kept.csv")
        with open(kept, "w", encoding="utf-8") as f:
            f.write("the last backlog\n")
        for out in ([], ["-o", kept], ["-o", os.path.join(self.tmp, "never-broken.xlsx")],
                    ["--format", "html"]):
            r = cwtest.camwatch(conf, "report", "backlog", *rng, *out)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            for p in problems:
                self.assertIn(p, r.err)
            self.assertIn("camwatch: report backlog: refused, nothing written: 2 problems in %s"
                          % sheet, r.err)
            self.assertIn("camwatchd -c %s --check-config" % conf, r.err)
            self.assertNotIn("wrote", r.err)
        with open(kept, encoding="utf-8") as f:
            self.assertEqual(f.read(), "the last backlog\n")
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "never-broken.xlsx")))
        r = cwtest.camwatch(conf, "report", "availability", *rng)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("camwatch: warning: %s:%d: lat: " % (sheet, cah + 1), r.err)
        # the sheet fixed: the backlog is made, the two cameras at priority 1
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(good)
        r = cwtest.camwatch(conf, "report", "backlog", *rng)
        self.assertEqual((r.rc, r.err), (0, ""), r)
        prio = {i["id"]: i["priority"] for i in json.loads(r.out)["items"]}
        self.assertEqual((prio["CAH-001"], prio["CHO-01"]), (1, 1), prio)

    def test_api_backlog_after_a_refused_reload_is_the_kept_inventorys(self):
        # The API's backlog cannot meet a sheet with a problem: the daemon never runs with one
        # (it refuses it at start and keeps the inventory it had on a reload), so the report it
        # serves is the inventory it runs, each camera with its row: CAH-001 keeps priority 1
        # from QL80 while its row in the sheet on disk has a bad lat. The CLI beside it, which
        # reads the sheet, refuses.
        site = os.path.join(self.tmp, "site-api")
        shutil.copytree(os.path.dirname(self.conf), site)
        conf = os.path.join(site, "camwatch.conf")
        port = cwtest.free_port()
        with open(conf, encoding="utf-8") as f:
            text = re.sub(r"(?m)^listen = .*$", "listen = 127.0.0.1:%d" % port, f.read())
        with open(conf, "w", encoding="utf-8") as f:
            f.write(text)
        token = cwtest.add_token(conf, "xem", "viewer")
        path = "/api/v1/reports/backlog?from=2026-11-02&to=2026-11-16&format=json"

        def priorities(r):
            self.assertEqual(r.status, 200, r)
            return {i["id"]: (i["priority"], i["priority_why"]) for i in r.json()["items"]}

        with cwtest.Procs(site) as procs:
            d = procs.start([cwtest.program("camwatchd"), "-c", conf], name="camwatchd")
            cwtest.wait_http(port, token, d)
            before = priorities(cwtest.http(port, "GET", path, token))
            self.assertEqual(before["CAH-001"], (1, ["national_road"]))
            sheet = os.path.join(site, "cameras.csv")
            with open(sheet, encoding="utf-8") as f:
                lines = f.read().splitlines()
            at = next(i for i, l in enumerate(lines) if l.startswith("CAH-001,"))
            lines[at] = lines[at].replace(",10.29,", ",north,")
            with open(sheet, "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
            os.kill(d.pid, signal.SIGHUP)
            cwtest.wait_for("the refusal logged",
                            lambda: "new configuration refused" in d.stderr_text(), proc=d)
            self.assertIn("cameras.csv:%d: lat: not a number" % (at + 1), d.stderr_text())
            self.assertEqual(priorities(cwtest.http(port, "GET", path, token)), before)
            r = cwtest.camwatch(conf, "report", "backlog", "--from", "2026-11-02", "--to",
                                "2026-11-16")
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("%s:%d: lat: not a number" % (sheet, at + 1), r.err)

    def test_bad_requests_are_refused_and_write_nothing(self):
        path = os.path.join(self.tmp, "never.xlsx")
        for args, msg in [(["--from", "2026-11-16", "--to", "2026-11-02"], "--from: must be before --to"),
                          (["--format", "pdf"], "--format takes json, csv, xlsx or html"),
                          (["--lang", "fr"], "--lang takes vi or en")]:
            r = cwtest.camwatch(self.conf, "report", "backlog", "-o", path, *args)
            self.assertEqual(r.rc, 2, r)
            self.assertIn(msg, r.err)
        self.assertFalse(os.path.exists(path))
        self.assertEqual([n for n in os.listdir(self.tmp) if n.startswith(".")], [],
                         "no temporary left behind")
        mode = os.stat(self.out[("backlog", "vi", "xlsx")]).st_mode & 0o777
        self.assertEqual(mode, 0o640)

    def test_xlsx_to_stdout_is_not_stopped_by_what_others_plant_in_tmpdir(self):
        # A shared TMPDIR (sticky, writable by all), where any user may plant a link or a
        # folder at the name the workbook's temporary once had, camwatch-report.xlsx.
        tmpdir = os.path.join(self.tmp, "shared-tmp")
        os.mkdir(tmpdir)
        os.chmod(tmpdir, 0o1777)
        victim = os.path.join(self.tmp, "victim")
        with open(victim, "w") as f:
            f.write("keep")
        fixed = os.path.join(tmpdir, "camwatch-report.xlsx")
        for plant in ("link", "folder"):
            if plant == "link":
                os.symlink(victim, fixed)
            else:
                os.mkdir(fixed)
            out = os.path.join(self.tmp, "stdout-%s.xlsx" % plant)
            with open(out, "wb") as f:
                p = subprocess.run([cwtest.program("camwatch"), "-c", self.conf, "report",
                                    "availability", "--from", "2026-11-02", "--to",
                                    "2026-11-16", "--format", "xlsx"],
                                   stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.PIPE,
                                   env=dict(os.environ, TMPDIR=tmpdir), timeout=120)
            self.assertEqual(p.returncode, 0, "%s: %s" % (plant, p.stderr.decode()))
            with zipfile.ZipFile(out) as z:
                self.assertIn("xl/workbook.xml", z.namelist())
            self.assertEqual(os.listdir(tmpdir), ["camwatch-report.xlsx"],
                             "no temporary left in TMPDIR")
            if plant == "link":
                os.unlink(fixed)
            else:
                os.rmdir(fixed)
        with open(victim) as f:
            self.assertEqual(f.read(), "keep")

    def test_an_empty_output_name_is_a_usage_error(self):
        for args, msg in [
                (["report", "availability", "-o", ""], "-o: empty file name"),
                (["report", "backlog", "--output="], "-o: empty file name"),
                (["report", "merge", self.out[("backlog", "vi", "json")], "-o", ""],
                 "-o: empty file name"),
                (["thumb", "CAH-001", "-o", ""], "-o: empty file name"),
                (["request", "export", "1", "--out", ""], "--out: empty folder name")]:
            r = cwtest.camwatch(self.conf, *args)
            self.assertEqual(r.rc, 2, r)
            self.assertIn(msg, r.err)
            self.assertEqual(r.out, "", r)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main()
