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
import json
import os
import re
import shutil
import signal
import sys
import unicodedata
import unittest

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


def artifacts():
    d = os.environ.get("CW_ARTIFACTS") or os.path.join(cwtest.build_dir([]), "test-artifacts",
                                                        "dashboard")
    os.makedirs(d, exist_ok=True)
    return d


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
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        cls.tokens = {role: cwtest.add_token(cls.conf, "nguoi-" + role, role)
                      for role in ("viewer", "admin")}
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf],
                                     name="camwatchd")
        cwtest.wait_http(cls.port, cls.tokens["viewer"], cls.daemon)
        cls.url = "http://127.0.0.1:%d/" % cls.port
        cls.b = browser.Browser(cls.procs, cls.tmp)
        cls.shots = artifacts()

    def api(self, path):
        r = cwtest.http(self.port, "GET", path, self.tokens["viewer"])
        self.assertEqual(r.status, 200, r)
        return r.json()

    def login(self, role):
        b = self.b
        b.get(self.url)
        b.js("localStorage.clear(); localStorage.setItem('cw_lang', 'en');")
        b.get(self.url + "#/")
        b.js("location.reload()")
        b.type("#token", self.tokens[role])
        b.click("#login-go")
        b.wait_css(".card")

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
        self.b.click('.card[data-id="%s"]' % cam)
        self.b.wait_css('[data-facts="%s"]' % cam)
        one = self.api("/api/v1/cameras/" + cam)
        self.assertEqual(self.b.js("return document.querySelector('h2[data-camera]').textContent"),
                         "%s · %s" % (cam, one["status"]["name"]))
        facts = self.b.js("return document.querySelector('[data-facts]').textContent")
        self.assertIn(one["device"]["manufacturer"], facts)
        self.assertIn("%.1f s" % (one["device"]["clock_offset_ms"] / 1000), facts)
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
        self.b.screenshot(os.path.join(self.shots, "camera-%s-vi.png" % cam))
        self.b.click("#lang")

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

    def test_7_daemon_exits_clean(self):
        self.b.quit()
        os.kill(self.daemon.pid, signal.SIGTERM)
        rc = self.daemon.popen.wait(cwtest.RUN_TIMEOUT_S)
        self.assertEqual(rc, 0, self.daemon.stderr_text()[-3000:])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
