#!/usr/bin/python3
"""ONVIF against our device fixture: camwatchd --once reads every device's facts, endpoints,
profiles, encoder configuration and clock; camwatch device/clock show them in tables and
JSON; the clock, an ONVIF failure and a configuration below class make cameras degraded;
hostile XML is refused with nothing expanded, read or fetched; a firmware change is kept.

    /usr/bin/python3 tests/integration/test_onvif.py --build build [-v]

Fixtures: tests/fixtures/onvif_device.py with tests/data/onvif/fleet.json (devices in four
vendors' styles, an hour-off clock, digest-only, faults, HTML, truncated, huge, billion
laughs, XXE to a file and to a URL), and tests/fixtures/rtsp_fault.py --every ok as every
camera's RTSP side, so liveness is up and what ONVIF says decides the state. Timeouts only
guard against hangs; nothing asserts on time.
"""
import json
import os
import re
import sys
import unittest
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()
FLEET = os.path.join(cwtest.SOURCE_DIR, "tests", "data", "onvif", "fleet.json")
USER, PASSWORD = "admin", "camwatch"
HOUR_MS = 3600 * 1000
# The fixture's clocks are exact; ours is read at both ends of a loopback round trip. The
# measured offset must land within its own error bound, which the test also checks is small.
OFFSET_SLACK_MS = 1500

# camera id -> (fixture device, inventory path (None: the device's first profile's path),
# credential)
CAMERAS = {
    "hik": ("hik", None, "ok"),
    "axis": ("axis", None, "ok"),
    "axis-nat": ("axis", "/axis-media/media.amp?videocodec=h264&resolution=640x360", "ok"),
    "ns": ("ns", "/ns/sub", "ok"),
    "soap11": ("soap11", "/soap11/other", "ok"),
    "lowcfg": ("lowcfg", None, "ok"),
    "wrongpw": ("hik", None, "wrong"),
    "not_authorized": ("not_authorized", None, "ok"),
    "html": ("html", None, "ok"),
    "truncated": ("truncated", None, "ok"),
    "huge": ("huge", None, "ok"),
    "billion_laughs": ("billion_laughs", None, "ok"),
    "xxe_file": ("xxe_file", None, "ok"),
    "xxe_url": ("xxe_url", None, "ok"),
}

# A reason that the camera's clock is this many seconds ahead: as camwatch measured it (see
# clock_reason), not the fixture's exact offset.
CLOCK_AHEAD = "clock ahead"

# camera -> (state, reason substrings, or (CLOCK_AHEAD, seconds)) after one --once sweep
EXPECT = {
    "hik": ("degraded", [(CLOCK_AHEAD, 3600)]),
    "axis": ("degraded", [(CLOCK_AHEAD, 83)]),
    "axis-nat": ("degraded", [(CLOCK_AHEAD, 83)]),
    "ns": ("up", []),
    "soap11": ("up", []),
    "lowcfg": ("degraded", ["configured 4 fps, class minimum 12",
                            "configured 352x288, class minimum 640x360"]),
    "wrongpw": ("degraded", [(CLOCK_AHEAD, 3600), "ONVIF: authentication failed"]),
    "not_authorized": ("degraded", ["ONVIF: authentication failed", "NotAuthorized"]),
    "html": ("degraded", ["ONVIF: not SOAP"]),
    "truncated": ("degraded", ["ONVIF: truncated"]),
    "huge": ("degraded", ["ONVIF: response too large"]),
    "billion_laughs": ("degraded", ["ONVIF: bad answer", "DTD"]),
    "xxe_file": ("degraded", ["ONVIF: bad answer", "DTD"]),
    "xxe_url": ("degraded", ["ONVIF: bad answer", "DTD"]),
}


def fetch(port, path, data=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), data=data,
                                 method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


class OnvifTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-onvif-"

    @classmethod
    def start(cls):
        cls.rtsp = cls.procs.fixture("rtsp_fault.py", "--every", "ok")
        with open(FLEET, encoding="utf-8") as f:
            cls.devices = {d["name"]: d for d in json.load(f)}
        cls.onvif = cls.procs.fixture("onvif_device.py", "--devices", FLEET, "--rtsp-port",
                                      str(cls.rtsp.port))
        cls.canary_port = None
        cams = []
        for cid, (dev, path, cred) in CAMERAS.items():
            if path is None:
                profiles = cls.devices[dev].get("profiles") or [{}]
                uri = profiles[0].get("stream_uri", "rtsp://x/%s/main" % dev)
                path = re.sub(r"^rtsp://[^/]*", "", uri)
            cams.append(cwtest.camera(
                cid, cwtest.rtsp_url(cls.rtsp.port, path), credential=cred,
                onvif_url="http://127.0.0.1:%d/%s/onvif/device_service" % (cls.onvif.port, dev)))
        cls.conf = cwtest.write_config(
            cls.tmp, cams, credentials={"ok": (USER, PASSWORD), "wrong": (USER, "not-it")},
            probe={"up_after": "1", "timeout": "5s"},
            sections={"probe.stream": {"workers": "0"},
                      "probe.onvif": {"timeout": "5s", "max_clock_offset": "5s"}})
        cls.sweep = cwtest.camwatchd(cls.conf, "--once")

    def device(self, cid):
        r = cwtest.camwatch(self.conf, "device", cid, "--json")
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)

    def assert_clock(self, d, offset_s):
        self.assertIsNotNone(d["clock_offset_ms"], d)
        self.assertLess(d["clock_error_ms"], OFFSET_SLACK_MS, d)
        self.assertLessEqual(abs(d["clock_offset_ms"] - offset_s * 1000),
                             d["clock_error_ms"] + 100, d)

    def clock_reason(self, cid, offset_s):
        """The reason cid's clock, offset_s ahead, gives: the whole seconds camwatch measured,
        its offset rounded, as `camwatch device` has it and within its own error bound of
        offset_s (ONVIF clocks say whole seconds, and ours is read at both ends of a round
        trip: a loaded machine can measure 3600 s as 3601, and that is no wrong verdict)."""
        d = self.device(cid)
        self.assert_clock(d, offset_s)
        return "clock %d s ahead" % ((d["clock_offset_ms"] + 500) // 1000)

    # ---- the sweep ----

    def test_sweep_ran(self):
        self.assertEqual(self.sweep.rc, 0, self.sweep)

    def test_states_and_reasons(self):
        st = cwtest.status(self.conf)
        for cid, (state, reasons) in EXPECT.items():
            with self.subTest(camera=cid):
                self.assertEqual(st[cid]["state"], state, st[cid])
                for want in reasons:
                    if isinstance(want, tuple):
                        want = self.clock_reason(cid, want[1])
                    self.assertIn(want, st[cid]["reason"], st[cid])

    def test_status_table_shows_the_reasons(self):
        r = cwtest.camwatch(self.conf, "status")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"hik .*degraded.*" + re.escape(self.clock_reason("hik", 3600)))
        self.assertRegex(r.out, r"lowcfg .*degraded.*configured 4 fps, class minimum 12")
        self.assertRegex(r.out, r"not_authorized .*degraded.*ONVIF: authentication failed")

    # ---- facts of every well-behaved device ----

    def assert_facts(self, cid, dev):
        d = self.device(cid)
        want = self.devices[dev]
        self.assertTrue(d["ok"], d)
        self.assertEqual(d["id"], cid)
        for k in ("manufacturer", "model", "firmware", "serial", "hardware_id"):
            if k in want:
                self.assertEqual(d[k], want[k], k)
        return d

    def assert_profiles(self, d, dev, streamed_token):
        want = self.devices[dev]["profiles"]
        self.assertEqual([p["token"] for p in d["profiles"]], [p["token"] for p in want])
        for got, w in zip(d["profiles"], want):
            with self.subTest(profile=w["token"]):
                self.assertEqual(got["encoding"], w["encoding"].lower())
                self.assertEqual((got["width"], got["height"]), (w["width"], w["height"]))
                self.assertEqual(got["fps_limit"], w["fps"])
                self.assertEqual(got["bitrate_limit_kbps"], w["bitrate_kbps"] or None)
                # Media ver10 has no H265 element to hold a GovLength: a device may say it in
                # its H264 element (Hikvision does) or not at all.
                media2 = "media2" in d["endpoints"] and "media" not in d["endpoints"]
                if media2 or w["encoding"] == "H264":
                    self.assertEqual(got["gov_length"], w["gov"])
                else:
                    self.assertIn(got["gov_length"], (w["gov"], None))
                self.assertEqual(got["stream_uri"],
                                 w["stream_uri"].replace("{rtsp_port}", str(self.rtsp.port)))
                self.assertEqual(got["streamed"], w["token"] == streamed_token)

    def test_hik_an_hour_ahead_authenticates(self):
        d = self.assert_facts("hik", "hik")
        self.assert_clock(d, 3600)
        self.assertFalse(d["ntp"])
        self.assertEqual(d["auth"], "wsse")
        self.assertIsNone(d["stream_uri_note"])
        self.assert_profiles(d, "hik", "Profile_1")
        for svc in ("device", "media", "media2", "recording", "search", "replay"):
            self.assertIn(svc, d["endpoints"], d["endpoints"])
        # The fixture checked each WS-Security token against its own clock, an hour ahead.
        log = fetch(self.onvif.port, "/_log?device=hik")
        authed = [e for e in log if e.get("action") != "GetSystemDateAndTime"]
        self.assertTrue(any(e["auth_ok"] and e["wsse"] for e in authed), log)

    def test_hik_snapshot_fetched_as_a_thumbnail(self):
        d = self.device("hik")
        self.assertIsNotNone(d["snapshot_path"], d)
        with open(d["snapshot_path"], "rb") as f:
            self.assertEqual(f.read(2), b"\xff\xd8")

    def test_thumb_falls_back_to_the_onvif_snapshot(self):
        out = os.path.join(self.tmp, "hik-thumb.jpg")
        r = cwtest.camwatch(self.conf, "thumb", "hik", "-o", out)
        self.assertEqual(r.rc, 0, r)
        with open(out, "rb") as f:
            self.assertEqual(f.read(2), b"\xff\xd8")
        r = cwtest.camwatch(self.conf, "thumb", "html", "-o", out)  # no facts, no snapshot
        self.assertEqual(r.rc, 1, r)
        self.assertIn("no ONVIF snapshot", r.err)

    def test_axis_media2_found_through_capabilities(self):
        d = self.assert_facts("axis", "axis")
        self.assert_clock(d, 83)
        self.assertTrue(d["ntp"])
        self.assertIn("media2", d["endpoints"])
        self.assert_profiles(d, "axis", "profile_1_h264")

    def test_stream_uri_naming_another_host_is_nat(self):
        d = self.device("axis-nat")
        self.assertEqual(d["stream_uri_note"], "another host (192.0.2.40: normal behind NAT)")
        self.assertEqual([p["token"] for p in d["profiles"] if p["streamed"]], ["profile_2_h264"])

    def test_ns_digest_only(self):
        d = self.assert_facts("ns", "ns")
        self.assert_clock(d, -2.5)
        self.assertEqual(d["auth"], "wsse+digest")
        self.assert_profiles(d, "ns", "001")

    def test_soap11_envelopes_and_a_path_that_differs(self):
        d = self.assert_facts("soap11", "soap11")
        self.assert_clock(d, 0)
        self.assertEqual(d["stream_uri_note"],
                         "path /soap11/main differs from the inventory's /soap11/other")
        self.assert_profiles(d, "soap11", "Profile_1")

    def test_lowcfg_encoder_configuration(self):
        d = self.assert_facts("lowcfg", "lowcfg")
        p = d["profiles"][0]
        self.assertEqual((p["width"], p["height"], p["fps_limit"]), (352, 288, 4))

    # ---- failures ----

    def test_failed_devices_have_no_facts_and_say_why(self):
        for cid, words in (("not_authorized", "authentication failed"),
                           ("wrongpw", "authentication failed"), ("html", "not SOAP"),
                           ("truncated", "truncated"), ("huge", "response too large"),
                           ("billion_laughs", "DTD"), ("xxe_file", "DTD"), ("xxe_url", "DTD")):
            with self.subTest(camera=cid):
                d = self.device(cid)
                self.assertFalse(d["ok"], d)
                self.assertIn(words, d["error"])
                self.assertIsNone(d["manufacturer"], d)
                self.assertEqual(d["profiles"], [])

    def test_hostile_xml_expands_reads_and_fetches_nothing(self):
        canary = fetch(self.onvif.port, "/_canary")
        self.assertEqual(canary["hits"], 0, canary)
        secret = canary["xxe_secret"].encode()
        self.assertTrue(secret)
        db = os.path.join(self.tmp, "var", "camwatch.db")
        for path in (db, db + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    blob = f.read()
                self.assertNotIn(secret, blob)
                self.assertNotIn(b"lollollol", blob)
        self.assertNotIn(secret.decode(), self.sweep.err)
        for cid in ("billion_laughs", "xxe_file", "xxe_url"):
            r = cwtest.camwatch(self.conf, "device", cid, "--json")
            self.assertNotIn(secret.decode(), r.out)

    # ---- the CLI ----

    def test_device_table(self):
        r = cwtest.camwatch(self.conf, "device", "hik")
        self.assertEqual(r.rc, 0, r)
        for want in ("HIKVISION", "DS-2CD2143G2-I", "V5.7.3 build 220112", "Profile_1",
                     "2688x1520", "h265", "mainStream", "set by hand"):
            self.assertIn(want, r.out)
        self.assertRegex(r.out, r"clock\s+3(59\d|60\d)\.\d s ahead")
        self.assertRegex(r.out, r"media2\s+http://")

    def test_device_without_onvif_facts_is_an_error(self):
        r = cwtest.camwatch(self.conf, "device", "nosuch")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("unknown camera 'nosuch'", r.err)

    def test_clock_lists_worst_first(self):
        r = cwtest.camwatch(self.conf, "clock", "--json")
        self.assertEqual(r.rc, 0, r)
        rows = json.loads(r.out)
        ids = [x["id"] for x in rows]
        self.assertEqual(set(ids[:2]), {"hik", "wrongpw"})  # an hour, both on the hik device
        self.assertEqual(set(ids[2:4]), {"axis", "axis-nat"})
        for x in rows:
            self.assertEqual(sorted(x), ["clock_offset_ms", "error_ms", "id", "measured_at",
                                         "ntp"])
        offsets = [abs(x["clock_offset_ms"]) for x in rows]
        self.assertEqual(offsets, sorted(offsets, reverse=True))
        # A device whose every answer is hostile has no clock to list.
        self.assertNotIn("xxe_url", ids)
        t = cwtest.camwatch(self.conf, "clock")
        self.assertEqual(t.rc, 0, t)
        first = t.out.splitlines()[1]
        self.assertRegex(first, r"^(hik|wrongpw)\s+3(59\d|60\d)\.\d s ahead.*yes$")

    # ---- later sweeps ----

    def test_zz_firmware_change_is_recorded_and_clock_kept(self):
        fetch(self.onvif.port, "/_control/hik", json.dumps(
            {"firmware": "V5.8.0 build 230101"}).encode())
        r = cwtest.camwatchd(self.conf, "--once")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("firmware changed: V5.7.3 build 220112 -> V5.8.0 build 230101", r.err)
        d = self.device("hik")
        self.assertEqual(d["firmware"], "V5.8.0 build 230101")
        self.assertEqual([(c["field"], c["old"], c["new"]) for c in d["changes"]],
                         [("firmware", "V5.7.3 build 220112", "V5.8.0 build 230101")])
        self.assertEqual(len(d["clock_history"]), 2)
        for c in d["clock_history"]:
            self.assertLess(abs(c["clock_offset_ms"] - HOUR_MS), OFFSET_SLACK_MS)
        t = cwtest.camwatch(self.conf, "device", "hik")
        self.assertRegex(t.out, r"firmware\s+V5\.7\.3 build 220112\s+V5\.8\.0 build 230101")
        ev = [e for e in cwtest.events(self.conf, "--camera", "hik") if e["kind"] == "device"]
        self.assertEqual([(e["field"], e["old"], e["new"]) for e in ev],
                         [("firmware", "V5.7.3 build 220112", "V5.8.0 build 230101")])
        t = cwtest.camwatch(self.conf, "events", "--camera", "hik")
        self.assertRegex(t.out, r"hik\s+firmware changed\s+V5\.7\.3 build 220112 -> V5\.8\.0")


class OnvifTlsTest(cwtest.FixtureTestCase):
    """A camera serving ONVIF over https with a self-signed certificate: refused by default
    (the reason says TLS), taken when [probe.onvif] ca_file names its certificate, and when
    tls_verify = no."""
    TMP_PREFIX = "cw-onvif-tls-"

    @classmethod
    def start(cls):
        cert, key = os.path.join(cls.tmp, "cam.pem"), os.path.join(cls.tmp, "cam.key")
        r = cwtest.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=camera", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert])
        assert r.rc == 0, r
        devices = cwtest.write_json(
            os.path.join(cls.tmp, "devices.json"),
            [{"name": "tls", "style": "hik", "manufacturer": "HIKVISION",
              "profiles": [{"token": "Profile_1", "encoding": "H264", "width": 1280,
                            "height": 720, "fps": 25, "bitrate_kbps": 2048, "gov": 50,
                            "stream_uri": "rtsp://127.0.0.1:{rtsp_port}/tls/main"}]}])
        cls.rtsp = cls.procs.fixture("rtsp_fault.py", "--every", "ok")
        cls.onvif = cls.procs.fixture("onvif_device.py", "--devices", devices, "--rtsp-port",
                                      str(cls.rtsp.port), "--tls", cert, key)
        cls.confs = {}
        for name, keys in (("default", {}), ("ca_file", {"ca_file": cert}),
                           ("noverify", {"tls_verify": "no"})):
            cam = cwtest.camera("tls", cwtest.rtsp_url(cls.rtsp.port, "/tls/main"),
                                credential="ok",
                                onvif_url="https://127.0.0.1:%d/tls/onvif/device_service"
                                % cls.onvif.port)
            conf = cwtest.write_config(
                os.path.join(cls.tmp, name), [cam], credentials={"ok": (USER, PASSWORD)},
                probe={"up_after": "1"},
                sections={"probe.stream": {"workers": "0"},
                          "probe.onvif": dict({"timeout": "5s"}, **keys)})
            r = cwtest.camwatchd(conf, "--once")
            assert r.rc == 0, r
            cls.confs[name] = conf

    def test_self_signed_refused_by_default(self):
        r = cwtest.camwatch(self.confs["default"], "device", "tls", "--json")
        d = json.loads(r.out)
        self.assertFalse(d["ok"])
        self.assertIn("TLS failed", d["error"])
        self.assertIn("certificate", d["error"])
        st = cwtest.status(self.confs["default"])["tls"]
        self.assertEqual(st["state"], "degraded")
        self.assertIn("ONVIF: TLS failed", st["reason"])

    def test_trusted_through_ca_file_or_unchecked(self):
        for name in ("ca_file", "noverify"):
            with self.subTest(site=name):
                d = json.loads(cwtest.camwatch(self.confs[name], "device", "tls", "--json").out)
                self.assertTrue(d["ok"], d)
                self.assertEqual(d["manufacturer"], "HIKVISION")
                self.assertEqual(d["profiles"][0]["stream_uri"],
                                 "rtsp://127.0.0.1:%d/tls/main" % self.rtsp.port)
                self.assertEqual(cwtest.status(self.confs[name])["tls"]["state"], "up")


if __name__ == "__main__":
    unittest.main(verbosity=2)
