"""The dashboard in headless Chromium (Debian's chromium, driven over WebDriver by its
chromedriver: tests/integration/browser.py), against the demo fleet: the Lai Vung example's
128 cameras on GStreamer's RTSP server, the slow-camera fixture, closed ports, missing mounts
and an ONVIF device each (their snapshots are the thumbnails: stream samples are off here).

Shown in the browser, each checked against the API's own documents: the counts by state,
every camera grouped by owner and commune with its state, a filter by owner, a search
without diacritics, the map with one dot per placed camera in its state's colour, a camera's
page with its picture, facts and events, both languages, an admin's maintenance, and a change
made elsewhere shown without reloading the page. Screenshots are kept in
<build>/test-artifacts/dashboard/ (or $CW_ARTIFACTS). Waits are polls for a condition with a
generous deadline, never assertions about time."""
import datetime
import hashlib
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import unicodedata
import unittest
from urllib.parse import quote

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browser  # noqa: E402
import cwtest  # noqa: E402

EXAMPLE = os.path.join(cwtest.SOURCE_DIR, "config", "examples", "lai-vung")
STATES = ("up", "degraded", "down", "unknown", "maintenance")


def fold(s):
    """As the page folds text for search: no case, no diacritics, đ as d."""
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.replace("đ", "d").replace("Đ", "D").lower()


def demo_site(tmp, procs):
    """The Lai Vung example in tmp/site, pointed at fixtures on free ports; the conf path."""
    fleet = os.path.join(EXAMPLE, "demo-fleet.json")
    gst = procs.fixture("gst_rtsp_server.py", "--mounts", fleet)
    slow = procs.fixture("rtsp_fault.py", "--every", "slow", "--slow-ms", "2500")
    onvif = procs.fixture("onvif_device.py", "--devices", os.path.join(EXAMPLE, "demo-onvif.json"))
    with open(fleet, encoding="utf-8") as f:
        ports = json.load(f)
    site = os.path.join(tmp, "site")
    # Not var/: the store and thumbnails a run of scripts/demo left there, perhaps by another
    # build with another schema, are no part of the example.
    shutil.copytree(EXAMPLE, site, ignore=shutil.ignore_patterns("var"))
    # The market's recorder NVR-CHO, as scripts/demo fills it: half an hour of test footage,
    # CHO-04 with a 5-minute hole.
    r = cwtest.run([sys.executable, os.path.join(cwtest.SOURCE_DIR, "tests", "fixtures",
                                                 "footage_tree.py"),
                    "--root", os.path.join(site, "var", "recorder", "NVR-CHO"),
                    "--inventory", os.path.join(site, "cameras.csv"), "--recorder", "NVR-CHO",
                    "--minutes", "30", "--segment", "30", "--hole", "CHO-04:20:15"], timeout=300)
    assert r.rc == 0, r
    os.chmod(os.path.join(site, "credentials.ini"), 0o600)
    moves = {ports["port"]: gst.port, ports["slow_port"]: slow.port,
             ports["refused_port"]: cwtest.closed_port(), 8580: onvif.port}
    with open(os.path.join(site, "cameras.csv"), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"127\.0\.0\.1:(\d+)",
                  lambda m: "127.0.0.1:%d" % moves.get(int(m.group(1)), int(m.group(1))), text)
    with open(os.path.join(site, "cameras.csv"), "w", encoding="utf-8") as f:
        f.write(text)
    conf = os.path.join(site, "camwatch.conf")
    with open(conf, encoding="utf-8") as f:
        text = f.read()
    port = cwtest.free_port()
    text = re.sub(r"(?m)^workers = \d+", "workers = 0", text)  # pictures from ONVIF snapshots
    text = re.sub(r"(?m)^listen = .*$", "listen = 127.0.0.1:%d" % port, text)
    text = re.sub(r"(?m)^interval = 30s", "interval = 1h", text)  # a still store after a sweep
    with open(conf, "w", encoding="utf-8") as f:
        f.write(text)
    return conf, port


@unittest.skipUnless(browser.available(), "chromium and chromium-driver are not installed")
class DashboardTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-dash-"

    @classmethod
    def start(cls):
        cls.conf, cls.port = demo_site(cls.tmp, cls.procs)
        # CAH-RET is watched by the first sweep, then taken out of the sheet: the daemon's
        # start retires it, so this month's backlog counts one retired camera.
        sheet = os.path.join(os.path.dirname(cls.conf), "cameras.csv")
        with open(sheet, encoding="utf-8") as f:
            kept = f.read()
        first = kept.splitlines()[1]
        with open(sheet, "a", encoding="utf-8") as f:
            f.write("CAH-RET" + first[first.index(","):] + "\n")
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        with open(sheet, "w", encoding="utf-8") as f:
            f.write(kept)
        cls.tokens = {role: cwtest.add_token(cls.conf, "nguoi-" + role, role)
                      for role in ("viewer", "investigator", "admin")}
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf],
                                     name="camwatchd")
        cwtest.wait_http(cls.port, cls.tokens["viewer"], cls.daemon)
        cls.url = "http://127.0.0.1:%d/" % cls.port
        cls.b = browser.Browser(cls.procs, cls.tmp)
        cls.shots = browser.artifacts("dashboard")

    def api(self, path):
        r = cwtest.http(self.port, "GET", path, self.tokens["viewer"])
        self.assertEqual(r.status, 200, r)
        return r.json()

    def footage(self, frm, to, **where):
        """The API's footage document over the form's range [frm, to) for the place where."""
        q = "".join("&%s=%s" % (k, quote(v)) for k, v in where.items())
        return cwtest.http(self.port, "GET", "/api/v1/footage?from=%s&to=%s%s" % (
            quote(frm.replace("T", " ")), quote(to.replace("T", " ")), q),
            self.tokens["investigator"]).json()

    def find_place(self, text):
        """The Investigate form asked about text."""
        self.b.type('[data-find="place"]', text)
        self.b.click('[data-find="go"]')

    def login(self, role):
        b = self.b
        b.get(self.url)
        b.js("localStorage.clear(); localStorage.setItem('cw_lang', 'en');")
        b.get(self.url + "#/")
        b.js("location.reload()")
        b.type("#token", self.tokens[role])
        b.click("#login-go")
        b.wait_css(".card")

    def camera_page(self, cam):
        """Open cam's page from its card on the overview: the API's document of the camera and
        the page's facts, of the same ONVIF round. The daemon measures the device anew on each
        round (its clock offset differs by the network's delay), so a round that lands between
        the API's reads before and after the page's is a page read again, not a mismatch."""
        for _ in range(10):
            before = self.api("/api/v1/cameras/" + cam)["device"]
            self.b.get(self.url + "#/")
            self.b.wait_css('.card[data-id="%s"]' % cam)
            self.b.click('.card[data-id="%s"]' % cam)
            self.b.wait_css('[data-facts="%s"]' % cam)
            facts = self.b.js("return document.querySelector('[data-facts]').textContent")
            one = self.api("/api/v1/cameras/" + cam)
            if one["device"] == before:
                return one, facts
        self.fail("%s's device facts changed during each of 10 page loads" % cam)

    def shown(self):
        """What the overview shows: {id: state} of its cards, and the count tiles."""
        return self.b.js(
            "const cards = {}; for (const c of document.querySelectorAll('.card'))"
            "  cards[c.dataset.id] = c.querySelector('[data-state]').dataset.state;"
            "const tiles = {}; for (const t of document.querySelectorAll('[data-count]'))"
            "  tiles[t.dataset.count] = +t.querySelector('.n').textContent;"
            "return {cards, tiles};")

    def test_1_overview_shows_the_demo_fleet(self):
        self.login("viewer")
        doc = self.api("/api/v1/cameras")
        self.assertEqual(len(doc), 128)
        want = {c["id"]: c["state"] for c in doc}
        seen = self.b.wait_js("all 128 cards", "return document.querySelectorAll('.card').length "
                              "=== 128")
        self.assertTrue(seen)
        got = self.shown()
        self.assertEqual(got["cards"], want)
        self.assertEqual(got["tiles"]["total"], 128)
        for s in STATES:
            self.assertEqual(got["tiles"][s], sum(1 for v in want.values() if v == s), s)
        self.assertGreater(got["tiles"]["down"], 0, "closed ports and missing mounts are down")
        # grouped by owner, in the documents' owner names
        owners = self.b.js("return [...document.querySelectorAll('h2.owner')]"
                           ".map(h => h.dataset.owner)")
        self.assertEqual(owners, sorted({c["owner"] for c in doc}))
        # thumbnails: the ONVIF snapshots, fetched with the token
        self.b.wait_js("thumbnails shown", "return [...document.querySelectorAll('img.thumb')]"
                       ".filter(i => i.complete && i.naturalWidth > 0).length >= 100")
        # the 7-day availability bars
        self.b.wait_js("availability bars", "return document.querySelectorAll('.bar span')"
                       ".length >= 128")
        self.b.screenshot(os.path.join(self.shots, "overview.png"))

    def test_2_filter_by_owner_and_search_without_diacritics(self):
        self.login("viewer")
        self.b.select('select[data-filter="owner"]', "BQLC")
        want = {c["id"] for c in self.api("/api/v1/cameras?owner=BQLC")}
        self.assertEqual(len(want), 13)
        got = self.b.wait_js("only the market's cameras",
                             "const ids = [...document.querySelectorAll('.card')]"
                             ".map(c => c.dataset.id); return ids.length === 13 && ids;")
        self.assertEqual(set(got), want)
        self.b.screenshot(os.path.join(self.shots, "owner-BQLC.png"))
        self.b.select('select[data-filter="owner"]', "")
        self.b.type('input[data-filter="q"]', "tan duong")
        doc = self.api("/api/v1/cameras")
        want = {c["id"] for c in doc if all(w in fold(" ".join(
            c[k] or "" for k in ("id", "name", "address", "road", "commune", "owner_name")))
            for w in ("tan", "duong"))}
        self.assertTrue({c["id"] for c in self.api("/api/v1/cameras?commune=tan%20duong")}
                        <= want, "every camera of the commune Tân Dương is found")
        got = self.b.wait_js("the Tân Dương cameras",
                             "const ids = [...document.querySelectorAll('.card')]"
                             ".map(c => c.dataset.id); return ids.length === %d && ids;"
                             % len(want))
        self.assertEqual(set(got), want)
        self.b.screenshot(os.path.join(self.shots, "search-tan-duong.png"))

    def test_3_map_places_every_camera_in_its_colour(self):
        self.login("viewer")
        self.b.get(self.url + "#/map")
        doc = {c["id"]: c for c in self.api("/api/v1/cameras")}
        dots = self.b.wait_js("128 dots", "const d = [...document.querySelectorAll('circle')]"
                              ".map(c => [c.dataset.id, c.dataset.state, c.getAttribute('fill')]);"
                              "return d.length === 128 && d;")
        for cid, state, fill in dots:
            self.assertEqual(state, doc[cid]["state"], cid)
            self.assertEqual(fill, "var(--%s)" % state)
        # north is up: the northernmost camera has the smallest y
        north = max(doc.values(), key=lambda c: c["lat"])["id"]
        top = self.b.js("return [...document.querySelectorAll('circle')].sort((a, b) => "
                        "a.cy.baseVal.value - b.cy.baseVal.value)[0].dataset.id")
        self.assertEqual(top, north)
        self.b.screenshot(os.path.join(self.shots, "map.png"))

    def test_4_camera_page_in_both_languages(self):
        self.login("viewer")
        cam = "TT-07"  # its clock is 83 s ahead: degraded, with device facts
        one, facts = self.camera_page(cam)
        self.assertEqual(self.b.js("return document.querySelector('h2[data-camera]').textContent"),
                         "%s · %s" % (cam, one["status"]["name"]))
        self.assertIn(one["device"]["manufacturer"], facts)
        self.assertIn("%.1f s" % (one["device"]["clock_offset_ms"] / 1000), facts)
        # The availability heading says its figure: degraded all its life, it read "7 days: up".
        up = {c["id"]: c["percent"]["up"] for c in
              self.api("/api/v1/uptime?from=-7d&by=camera")["cameras"]}[cam]
        self.assertEqual(up, 0, "degraded since its first probe")
        avail = "return document.querySelector('h3[data-avail]').textContent"
        self.assertEqual(self.b.js(avail), "7 days: 0.0 % up")
        self.b.wait_js("the camera's picture", "const i = document.querySelector('img.big');"
                       "return i && i.complete && i.naturalWidth > 0")
        self.assertIsNone(self.b.find("[data-maint]"), "a viewer gets no maintenance button")
        self.b.screenshot(os.path.join(self.shots, "camera-%s-en.png" % cam))
        self.b.click("#lang")
        self.b.wait_js("Vietnamese", "return document.getElementById('nav-overview').textContent"
                       " === 'Tổng quan'")
        self.assertEqual(self.b.js("return document.documentElement.lang"), "vi")
        self.b.wait_js("Vietnamese facts", "return document.querySelector('[data-facts]')"
                       ".textContent.includes('Lệch đồng hồ')")
        self.assertEqual(self.b.js(avail), "7 ngày: hoạt động 0.0 %")
        self.b.screenshot(os.path.join(self.shots, "camera-%s-vi.png" % cam))
        self.b.click("#lang")

    def test_4b_a_mangled_camera_link_says_so_instead_of_a_blank_page(self):
        # "%E0%A4%A" is no percent-encoding: decodeURIComponent throws on it, which left the
        # page blank after opening such a link; it is the id of no camera, and said so.
        self.login("viewer")
        self.b.get(self.url + "#/camera/%E0%A4%A")
        self.b.js("location.reload()")
        self.b.wait_js("the page saying there is no such camera",
                       "return document.getElementById('error').textContent"
                       ".includes(\"unknown camera '%E0%A4%A'\")")
        self.assertFalse(self.b.js("return document.getElementById('nav').hidden"))
        self.b.get(self.url + "#/")
        self.b.wait_css(".card")

    def test_5_admin_maintenance_and_live_refresh(self):
        self.login("admin")
        self.b.js("window.notReloaded = true")
        before = self.shown()["tiles"]["maintenance"]
        # a change made elsewhere (the CLI) shows up without reloading
        r = cwtest.camwatch(self.conf, "maintenance", "CAH-030", "on", "--note", "di dời")
        self.assertEqual(r.rc, 0, r)
        self.b.wait_js("the CLI's change shown", "return +document.querySelector("
                       "'[data-count=\"maintenance\"] .n').textContent === %d" % (before + 1))
        self.assertTrue(self.b.js("return window.notReloaded === true"))
        # an admin puts a camera in maintenance from its page
        self.b.get(self.url + "#/camera/CHO-01")
        self.b.wait_css('[data-maint="on"]')
        self.b.type("[data-maint-note]", "thay ống kính")
        self.b.click('[data-maint="on"]')
        self.b.wait_css('[data-maint="off"]', "the button turned to ending maintenance")
        st = cwtest.status(self.conf)["CHO-01"]
        self.assertEqual((st["state"], st["reason"]), ("maintenance", "maintenance: thay ống kính"))
        self.b.wait_js("its state shown", "return document.querySelector('p [data-state]')"
                       ".dataset.state === 'maintenance'")
        self.b.screenshot(os.path.join(self.shots, "camera-CHO-01-maintenance.png"))

    def test_6_bad_token_is_refused_in_the_page(self):
        b = self.b
        b.get(self.url)
        b.js("localStorage.clear(); localStorage.setItem('cw_lang', 'en'); location.reload()")
        b.type("#token", "cw_wrong")
        b.click("#login-go")
        b.wait_js("the refusal", "return document.getElementById('login-bad').textContent ==="
                  " 'That token is not valid.'")
        self.assertIsNone(b.find(".card"))

    def test_6b_investigator_goes_from_place_and_time_to_a_hash_matching_export(self):
        downloads = os.path.join(self.tmp, "downloads")
        self.b.allow_downloads(downloads)
        self.login("investigator")
        self.assertFalse(self.b.js("return document.getElementById('nav-find').hidden"))
        self.b.click("#nav-find")
        self.b.wait_css('[data-find="go"]')
        # a place typed without diacritics, over the form's default range (the last hour)
        self.find_place("cho lai vung nha long")
        found = self.b.wait_js("the cameras found", "const r = [...document.querySelectorAll("
                               "'[data-result]')].map(e => e.dataset.result);"
                               "return r.length > 0 && r;")
        frm = self.b.js("return document.querySelector('[data-find=\"from\"]').value")
        to = self.b.js("return document.querySelector('[data-find=\"to\"]').value")
        api = self.footage(frm, to, place="cho lai vung nha long")
        self.assertEqual(found, [c["id"] for c in api])
        self.assertEqual(found, ["CHO-03", "CHO-04"])
        # the timeline: CHO-04's hole is a gap, CHO-03 has none inside its footage
        gaps = self.b.js("return [...document.querySelectorAll('[data-timeline=\"CHO-04\"] "
                         "rect.gap-not-recorded')].length")
        self.assertGreaterEqual(gaps, 1)
        wins = {c["id"]: len(c["windows"]) for c in api}
        self.assertEqual(wins, {"CHO-03": 1, "CHO-04": 2})
        self.b.screenshot(os.path.join(self.shots, "investigate-place.png"))
        # a point picked on the map: the dot of CHO-13, a 40 m circle around it
        self.b.type('[data-find="radius"]', "40")
        self.b.click('[data-pick-map] circle[data-id="CHO-13"]')
        point = self.b.wait_js("the point picked", "return document.querySelector("
                               "'[data-find=\"point\"]').textContent")
        self.assertIn("10.28", point)
        self.b.click('[data-find="go"]')
        near = self.b.wait_js("the cameras near the point", "const r = [...document."
                              "querySelectorAll('[data-result]')].map(e => e.dataset.result);"
                              "return r.length > 0 && !r.includes('CHO-03') && r;")
        # the point the page picked, asked of the API: the same cameras, nearest first (at this
        # scale a pixel is some 30 m, so the click on CHO-13's dot is near it, not on it)
        lat, lon = re.search(r"(-?[0-9.]+), (-?[0-9.]+)", point).groups()
        want = cwtest.http(self.port, "GET", "/api/v1/footage?from=%s&to=%s&near=%s,%s&radius=40"
                           % (quote(frm.replace("T", " ")), quote(to.replace("T", " ")), lat,
                              lon), self.tokens["investigator"]).json()
        self.assertEqual(near, [c["id"] for c in want])
        self.assertIn("CHO-13", near)
        self.b.screenshot(os.path.join(self.shots, "investigate-map.png"))
        # a camera on a recorder the configuration has no section for (CAH-005 on NVR-CAH-01):
        # its gaps are "not indexed" in their own colour with a legend entry, never "not
        # recorded", and the index says "not configured" (nothing will scan it)
        self.find_place("ben xe lai vung")
        unknown = self.b.wait_js("the bus station's cameras", "const r = [...document."
                                 "querySelectorAll('[data-result]')].map(e => e.dataset.result);"
                                 "return r.includes('CAH-005') && r;")
        api = self.footage(frm, to, place="ben xe lai vung")
        self.assertEqual(unknown, [c["id"] for c in api])
        cah = next(c for c in api if c["id"] == "CAH-005")
        self.assertEqual((cah["index"]["state"], cah["index"]["recorder"]),
                         ("not configured", "NVR-CAH-01"))
        self.assertEqual({g["cause"] for g in cah["gaps"]}, {"not indexed"})
        drawn = self.b.js("return [...document.querySelectorAll('[data-timeline=\"CAH-005\"] "
                          "rect.gap')].map(e => e.getAttribute('class'))")
        self.assertTrue(drawn and set(drawn) == {"gap gap-not-indexed"}, drawn)
        self.assertTrue(self.b.js("return !!document.querySelector('[data-index=\"not configured\"]')"))
        legend = self.b.js("return [...document.querySelectorAll('.legend span')]"
                           ".map(e => [e.querySelector('i') && e.querySelector('i').className,"
                           " e.textContent])")
        self.assertIn("gap-not-indexed", [c for c, _ in legend])
        self.assertNotEqual(self.b.js("return getComputedStyle(document.querySelector("
                                      "'.legend i.gap-not-indexed')).backgroundColor"),
                            self.b.js("return getComputedStyle(document.querySelector("
                                      "'.legend i.gap-not-recorded')).backgroundColor"))
        # how much it recorded is unknown, not 0%
        self.assertEqual(self.b.js("return document.querySelector('[data-result=\"CAH-005\"] "
                                   "[data-covered]').dataset.covered"), "unknown")
        self.b.screenshot(os.path.join(self.shots, "investigate-not-indexed.png"))
        # a range running two hours past now, so past NVR-CHO's last scan: the closing gap is
        # "not indexed" and the line under the camera says after when
        later = (datetime.datetime.fromisoformat(to) + datetime.timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M")
        self.b.js("document.querySelector('[data-find=\"to\"]').value = arguments[0]", later)
        self.find_place("cho lai vung nha long")
        line = self.b.wait_js("the line under CHO-03", "const e = document.querySelector("
                              "'[data-result=\"CHO-03\"] [data-index=\"scanned\"]');"
                              "return e && e.textContent;")
        api = self.footage(frm, later, camera="CHO-03")[0]
        self.assertEqual((api["index"]["state"], api["gaps"][-1]["cause"]),
                         ("scanned", "not indexed"))
        self.assertRegex(line, r"(không rõ phần sau|unknown after) \d{4}-\d\d-\d\d \d\d:\d\d "
                               r"\(NVR-CHO\)$")
        # the form's range again; the results cleared, so the wait below is for the new ones
        self.b.js("document.querySelector('[data-find=\"to\"]').value = arguments[0];"
                  "document.getElementById('find-results').replaceChildren()", to)
        # back to the place, then the request and its export
        self.find_place("cho lai vung nha long")
        self.b.wait_js("the place again", "return document.querySelectorAll('[data-result]')"
                       ".length === 2")
        self.b.type('[data-req="case"]', "VV-21/2026")
        self.b.type('[data-req="reason"]', "trộm cắp tại chợ")
        self.b.click('[data-req="go"]')
        rid = int(self.b.wait_css("[data-request]") and self.b.js(
            "return document.querySelector('[data-request]').dataset.request"))
        req = cwtest.http(self.port, "GET", "/api/v1/requests/%d" % rid,
                          self.tokens["investigator"]).json()["request"]
        self.assertEqual((req["by"], req["case"], req["place"]["text"]),
                         ("nguoi-investigator", "VV-21/2026", "cho lai vung nha long"))
        self.b.click("[data-export-go]")
        self.b.wait_css('[data-export][data-state="done"] [data-download="CHO-04.mp4"]',
                        "the export done")
        eid = self.b.js("return document.querySelector('[data-export]').dataset.export")
        self.b.click('[data-download="CHO-04.mp4"]')
        verdict = self.b.wait_js("the hash checked in the page", "const s = document."
                                 "querySelector('[data-status=\"CHO-04.mp4\"] [data-verified]');"
                                 "return s && [s.dataset.verified, s.dataset.sha256];")
        self.assertEqual(verdict[0], "yes")
        saved = os.path.join(downloads, "CHO-04.mp4")
        cwtest.wait_for("the download saved", lambda: os.path.exists(saved) and not
                        os.path.exists(saved + ".crdownload") and os.path.getsize(saved) > 0)
        with open(saved, "rb") as f:
            got = hashlib.sha256(f.read()).hexdigest()
        folder = os.path.join(os.path.dirname(self.conf), "var", "exports", eid)
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        want = [c["sha256"] for c in manifest["cameras"]
                if c["file"] and os.path.basename(c["file"]) == "CHO-04.mp4"]
        self.assertEqual([got], want, "the file the browser saved is the manifest's")
        self.assertEqual(verdict[1], got)
        self.b.screenshot(os.path.join(self.shots, "investigate-export.png"))
        # the audit trail: the search, the request, the export and the download, by the token
        with sqlite3.connect("file:%s?mode=ro" % os.path.join(
                os.path.dirname(self.conf), "var", "camwatch.db"), uri=True, timeout=30) as db:
            acts = {a for (a,) in db.execute(
                "SELECT action FROM audit WHERE actor = 'nguoi-investigator'")}
        self.assertTrue({"footage.find", "request.create", "export.start", "export",
                         "export.download"} <= acts, acts)

    def backlog_as_shown(self):
        """The backlog page opened afresh, read between two fetches of the API's document that
        agree on what the page shows (items, owners, total cost): the fleet is live (a camera
        that flaps moves in and out of the backlog), so a page and a document fetched apart
        may each be right at their moment. That document and the page's (items, owners, total
        cost)."""
        def key(doc):
            return ([i["id"] for i in doc["items"]], [o["owner"] for o in doc["owners"]],
                    doc["total"]["cost_vnd"])

        def attempt():
            before = self.api("/api/v1/reports/backlog?format=json&lang=en")
            self.b.click("#nav-map")
            self.b.wait_js("the backlog page closed",
                           "return !document.querySelector('[data-backlog]')")
            self.b.click("#nav-backlog")
            self.b.wait_css('[data-backlog="owners"]')
            shown = self.b.js(
                "return [[...document.querySelectorAll('[data-item]')].map(e => e.dataset.item),"
                " [...document.querySelectorAll('[data-backlog=\"owners\"] tr[data-owner]')]"
                ".map(e => e.dataset.owner),"
                " document.querySelector('[data-total-cost]').dataset.totalCost]")
            after = self.api("/api/v1/reports/backlog?format=json&lang=en")
            return (after, shown) if key(before) == key(after) else None
        return cwtest.wait_for("a backlog page read between two documents that agree", attempt)

    def test_6c_backlog_page_shows_the_reports_figures(self):
        downloads = os.path.join(self.tmp, "downloads-backlog")
        self.b.allow_downloads(downloads)
        self.login("viewer")
        self.assertTrue(self.b.js("return document.getElementById('nav-find').hidden"),
                        "a viewer is not offered footage")
        doc, (items, owners, total) = self.backlog_as_shown()
        self.assertEqual(items, [i["id"] for i in doc["items"]])
        self.assertGreater(len(items), 0, "the demo fleet has cameras needing work")
        self.assertEqual(owners, [o["owner"] for o in doc["owners"]] + [""])
        self.assertEqual(total, str(doc["total"]["cost_vnd"]))
        # CAH-RET, retired at the daemon's start, is among the owners' cameras; a note says so
        self.assertEqual(doc["total"]["retired"], 1, doc["total"])
        note = self.b.js("const n = document.querySelector('[data-retired]');"
                         " return n && [n.dataset.retired, n.textContent]")
        self.assertEqual(note, ["1", "Cameras: every camera monitored in the period, the 1 taken "
                                "out of the inventory during it included, with their availability "
                                "and outages until then; cameras needing work and down now count "
                                "only those still in the inventory."])
        # a camera none of whose work has a price shows that, not a cost of 0
        for it in doc["items"]:
            if it["cost_vnd"] is None:
                cell = self.b.js("return document.querySelector('[data-item=\"%s\"] "
                                 "[data-cost]').textContent" % it["id"])
                self.assertEqual(cell, "unpriced", it["id"])
        self.b.screenshot(os.path.join(self.shots, "backlog-en.png"))
        self.b.click('[data-report="xlsx"]')
        cwtest.wait_for("the workbook saved", lambda: [
            f for f in os.listdir(downloads) if f.endswith(".xlsx")] if os.path.isdir(
            downloads) else None)
        book = [f for f in os.listdir(downloads) if f.endswith(".xlsx")][0]
        self.assertTrue(book.startswith("camwatch-backlog-"), book)
        self.b.click("#lang")
        self.b.wait_js("Vietnamese", "return document.querySelector('h2') && document."
                       "querySelector('h2').textContent.startsWith('Tồn đọng')")
        self.assertTrue(self.b.js("return document.querySelector('[data-retired]').textContent")
                        .startswith("Số camera: tất cả camera được giám sát trong kỳ, kể cả 1 "
                                    "camera đã gỡ khỏi danh mục quản lý trong kỳ"))
        self.b.screenshot(os.path.join(self.shots, "backlog-vi.png"))
        self.b.click("#lang")
        # the printable page a district sends, as the API gives it, kept for a reader's eye
        page = cwtest.http(self.port, "GET", "/api/v1/reports/backlog?format=html&lang=vi",
                           self.tokens["viewer"])
        self.assertEqual(page.status, 200, page)
        kept = os.path.join(self.shots, "backlog-report-vi.html")
        with open(kept, "wb") as f:
            f.write(page.body)
        self.b.get("file://" + kept)
        self.b.wait_js("the report page", "return document.readyState === 'complete' && "
                       "document.querySelectorAll('table').length > 0")
        self.b.screenshot(os.path.join(self.shots, "backlog-report-vi.png"))

    def test_7_daemon_exits_clean(self):
        self.b.quit()
        os.kill(self.daemon.pid, signal.SIGTERM)
        rc = self.daemon.popen.wait(cwtest.RUN_TIMEOUT_S)
        self.assertEqual(rc, 0, self.daemon.stderr_text()[-3000:])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
