#!/usr/bin/python3
"""camwatch discover against our WS-Discovery responder, inside a network namespace this test
makes for itself: no Probe may leave it.

    /usr/bin/python3 tests/integration/test_discover.py --build build [-v]

Run normally, the test re-executes itself under `unshare -n` (root) or `unshare -rn` (a user
namespace otherwise) with --inside. Inside, it refuses to go on unless lo is the only
interface, brings lo up with multicast and a route for 224.0.0.0/4, starts
tests/fixtures/wsd_responder.py (five cameras in three vendors' styles, a printer that must
not answer a camera Probe, a hostile answer with a DTD, a garbage datagram, an answer with a
wrong RelatesTo), writes an inventory where some cameras are those devices and some are not,
and runs `camwatch discover` to the multicast group on the responder's port and to
127.0.0.1 unicast. When the machine does not allow a network namespace the test fails saying
so, unless CW_SKIP_NETNS=1 (then it says it skipped and exits 0).

What is pinned: every device that answers is listed once (one repeats its answer) with its
XAddrs, types, scopes and decoded name, hardware and location; each is matched to the camera
whose onvif_url has the same host and port (port 80 when not written; a different port is
not a match; an NVR's cameras share one device); inventory cameras with an onvif_url that
did not answer are listed, cameras without one are not; the hostile, garbage and
wrong-RelatesTo answers are not listed and are counted as ignored, with their reasons under
--verbose; the table has the JSON's rows; the Probe itself (seen by the responder) is a
2005/04 Probe for dn:NetworkVideoTransmitter with a random urn:uuid MessageID, sent three
times to the group with TTL 1 and twice unicast; nothing answering is not an error; no store
is needed. Timeouts only guard against hangs; nothing asserts on time.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

INSIDE = cwtest.take_inside_flag()
BUILD = cwtest.build_dir()

GROUP = "239.255.255.250"
NS_DN = "http://www.onvif.org/ver10/network/wsdl"
WSD_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
ACTION_PROBE = "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe"
UUID4 = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
MULTICAST_COPIES = 3  # the first and SOAP-over-UDP's MULTICAST_UDP_REPEAT 2
UNICAST_COPIES = 2    # the first and UNICAST_UDP_REPEAT 1
LOG_WAIT_S = 30       # guard while waiting for the responder's log lines

HOSTILE = "urn:uuid:7e57a11e-0000-4000-8000-00000000d7d0"
STRANGER = "urn:uuid:7e57a11e-0000-4000-8000-0000057a1e9e"


def scope(kind, value):
    return "onvif://www.onvif.org/%s/%s" % (kind, value)


# What the responder announces. "expect" is what camwatch must make of each: name, hardware,
# location (decoded) and the camera it is, or None.
DEVICES = [
    {"name": "hik", "style": "hikvision", "repeat": 2,
     "endpoint": "urn:uuid:b4e3f1c2-1dd1-11b2-8a5c-4447cc123456",
     "types": ["dn:NetworkVideoTransmitter", "tds:Device"],
     "scopes": [scope("type", "video_encoder"), scope("Profile", "Streaming"),
                scope("hardware", "DS-2CD2143G2-I"), scope("name", "HIKVISION%20DS-2CD2143G2-I"),
                scope("location", "city/Lai%20Vung")],
     "xaddrs": ["http://127.0.1.1/onvif/device_service",
                "http://[fe80::4647:ccff:fe12:3456]/onvif/device_service"],
     "expect": ("HIKVISION DS-2CD2143G2-I", "DS-2CD2143G2-I", "city/Lai Vung", "CAH-001")},
    {"name": "axis", "style": "axis",
     "endpoint": "urn:uuid:a91b2c3d-0000-4000-8000-accc8e123456",
     "types": ["dn:NetworkVideoTransmitter", "tds:Device"],
     "scopes": [scope("type", "video_encoder"), scope("hardware", "P1365"),
                scope("name", "AXIS%20P1365%20Mk%20II"), scope("Profile", "Streaming")],
     "xaddrs": ["http://127.0.1.2/onvif/device_service"],
     "expect": ("AXIS P1365 Mk II", "P1365", None, "TD-01")},
    # Its camera's onvif_url says port 80; the device serves 8080: not the same device.
    {"name": "market", "style": "dotnet",
     "endpoint": "urn:uuid:6c1e2d3f-4a5b-4c6d-8e7f-001122334455",
     "types": ["dn:NetworkVideoTransmitter"],
     "scopes": [scope("name", "Ch%E1%BB%A3%20Lai%20Vung%20c%E1%BB%95ng%20ch%C3%ADnh"),
                scope("location", "country/vietnam"), scope("location", "city/Lai%20Vung")],
     "xaddrs": ["http://127.0.1.3:8080/onvif/device_service"],
     "expect": ("Chợ Lai Vung cổng chính", None, "country/vietnam, city/Lai Vung", None)},
    # One recorder for two inventory cameras: the first in the inventory is named.
    {"name": "nvr", "style": "hikvision",
     "endpoint": "urn:uuid:0a0b0c0d-1dd1-11b2-8a5c-4447cc654321",
     "types": ["dn:NetworkVideoTransmitter", "tds:Device"],
     "scopes": [scope("hardware", "DS-7608NI-K2"), scope("name", "NVR%20x%C3%A3")],
     "xaddrs": ["http://127.0.1.5:8000/onvif/device_service"],
     "expect": ("NVR xã", "DS-7608NI-K2", None, "HT-01")},
    {"name": "newcam", "style": "axis",
     "endpoint": "urn:uuid:a91b2c3d-0000-4000-8000-accc8e654321",
     "types": ["dn:NetworkVideoTransmitter"],
     "scopes": [scope("hardware", "M3106"), scope("name", "AXIS%20M3106")],
     "xaddrs": ["http://127.0.1.6/onvif/device_service"],
     "expect": ("AXIS M3106", "M3106", None, None)},
    # Not a video transmitter: a camera Probe must not find it.
    {"name": "printer", "style": "dotnet",
     "endpoint": "urn:uuid:6c1e2d3f-4a5b-4c6d-8e7f-0011223344ff",
     "types": ["wprt:PrintDeviceType"], "scopes": [],
     "xaddrs": ["http://127.0.1.7/wsd/print"], "expect": None},
]
ANNOUNCED = [d for d in DEVICES if d["expect"] is not None]

CAMERAS = [  # id, onvif_url
    ("CAH-001", "http://127.0.1.1:80/onvif/device_service"),
    ("TD-01", "http://127.0.1.2/onvif/device_service"),
    ("CHO-01", "http://127.0.1.3/onvif/device_service"),
    ("CAH-009", "http://127.0.1.9/onvif/device_service"),
    ("HT-01", "http://127.0.1.5:8000/onvif/device_service"),
    ("HT-02", "http://127.0.1.5:8000/onvif/device_service"),
    ("CAH-010", ""),
]
MISSING = [("CHO-01", "http://127.0.1.3/onvif/device_service"),
           ("CAH-009", "http://127.0.1.9/onvif/device_service")]


# ---- the namespace ----

def enter_netns():
    """Re-execute this file inside a new network namespace; never returns."""
    cwtest.enter_namespace("n", __file__, "CW_SKIP_NETNS",
                           "Discovery probes are only ever sent inside one this test makes")


def ip(*args):
    exe = shutil.which("ip") or next((p for p in ("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip")
                                      if os.access(p, os.X_OK)), None)
    if exe is None:
        sys.exit("test_discover: the `ip` command (iproute2) is needed inside the namespace")
    r = subprocess.run([exe] + list(args), capture_output=True, timeout=60)
    if r.returncode != 0:
        sys.exit("test_discover: ip %s: %s" % (" ".join(args), r.stderr.decode().strip()))


def setup_netns():
    """Inside: check this namespace is ours, then loopback with multicast."""
    names = sorted(name for _, name in socket.if_nameindex())
    if names != ["lo"]:
        sys.exit("test_discover: --inside, but this network namespace has interfaces %s; "
                 "refusing to send discovery probes outside a namespace made for the test"
                 % names)
    ip("link", "set", "lo", "up", "multicast", "on")
    # src: multicast leaves from 127.0.0.1 as it would from a real interface's address.
    ip("route", "add", "224.0.0.0/4", "dev", "lo", "src", "127.0.0.1")


# ---- the test ----

def discover(conf, *args):
    return cwtest.camwatch(conf, "discover", *args)


def discover_json(conf, *args):
    r = discover(conf, "--json", *args)
    if r.rc != 0:
        raise AssertionError("discover failed: %r" % r)
    return json.loads(r.out), r


class DiscoverTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-discover-"

    @classmethod
    def start(cls):
        devices = cwtest.write_json(os.path.join(cls.tmp, "devices.json"),
                                    [{k: v for k, v in d.items() if k != "expect"}
                                     for d in DEVICES])
        cls.log = os.path.join(cls.tmp, "probes.jsonl")
        cls.responder = cls.procs.fixture(
            "wsd_responder.py", "--devices", devices, "--log", cls.log, "--hostile", HOSTILE,
            "--garbage", "--wrong-relates-to", STRANGER)
        port = cls.responder.port
        cls.group_target = "%s:%d" % (GROUP, port)
        cls.unicast_target = "127.0.0.1:%d" % port
        cams = [cwtest.camera(cid, "rtsp://127.0.1.%d:554/main" % (i + 1), onvif_url=url)
                for i, (cid, url) in enumerate(CAMERAS)]
        cls.conf = cwtest.write_config(cls.tmp, cams)
        # A port that takes datagrams and never answers: a camera that is switched off.
        cls.mute = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.mute.bind(("127.0.0.1", 0))
        cls.mute_target = "127.0.0.1:%d" % cls.mute.getsockname()[1]

        cls.multi, cls.multi_run = discover_json(cls.conf, "--target", cls.group_target)
        cls.uni, cls.uni_run = discover_json(cls.conf, "--target", cls.unicast_target,
                                             "--verbose", "--timeout", "2s")
        cls.table = discover(cls.conf, "--target", cls.group_target)
        cls.none_table = discover(cls.conf, "--target", cls.mute_target, "--timeout", "500ms")
        cls.none, _ = discover_json(cls.conf, "--target", cls.mute_target, "--timeout", "500ms")

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, "mute", None) is not None:
            cls.mute.close()
        super().tearDownClass()

    def probes(self, want):
        """The responder's log, once it holds at least want Probes (bounded wait)."""
        def entries():
            with open(self.log, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        return cwtest.poll(entries, lambda e: len(e) >= want, LOG_WAIT_S, interval=0.1)

    # ---- the devices ----

    def assert_devices(self, result):
        got = {d["endpoint"]: d for d in result["devices"]}
        self.assertEqual(len(got), len(result["devices"]), "a device listed twice: %s" % result)
        self.assertEqual(sorted(got), sorted(d["endpoint"] for d in ANNOUNCED))
        for want in ANNOUNCED:
            with self.subTest(device=want["name"]):
                d = got[want["endpoint"]]
                name, hardware, location, camera = want["expect"]
                self.assertEqual(d["xaddrs"], want["xaddrs"])
                self.assertEqual(d["scopes"], want["scopes"])
                self.assertEqual(d["types"], want["types"])
                self.assertEqual(d["name"], name)
                self.assertEqual(d["hardware"], hardware)
                self.assertEqual(d["location"], location)
                self.assertEqual(d["camera"], camera)

    def test_multicast_lists_every_device_once_with_its_inventory_camera(self):
        self.assert_devices(self.multi)

    def test_unicast_lists_the_same(self):
        self.assert_devices(self.uni)

    def test_devices_in_inventory_come_first_in_inventory_order(self):
        cams = [d["camera"] for d in self.multi["devices"]]
        self.assertEqual(cams, ["CAH-001", "TD-01", "HT-01", None, None])

    def test_cameras_that_did_not_answer_are_listed(self):
        for result in (self.multi, self.uni):
            self.assertEqual([(m["id"], m["onvif_url"]) for m in result["missing"]], MISSING)

    def test_a_probe_for_cameras_does_not_find_the_printer(self):
        printer = [d for d in DEVICES if d["name"] == "printer"][0]
        for result in (self.multi, self.uni):
            self.assertNotIn(printer["endpoint"], [d["endpoint"] for d in result["devices"]])

    def test_hostile_garbage_and_wrong_relates_to_are_ignored(self):
        for result, run in ((self.multi, self.multi_run), (self.uni, self.uni_run)):
            endpoints = [d["endpoint"] for d in result["devices"]]
            self.assertNotIn(HOSTILE, endpoints)
            self.assertNotIn(STRANGER, endpoints)
            self.assertEqual(result["ignored"], 3, run)
            self.assertNotIn("lol", run.out)
            self.assertNotIn("root:", run.out)
        self.assertIn("3 answers ignored", self.multi_run.err)

    def test_verbose_says_why_each_answer_was_ignored(self):
        err = self.uni_run.err
        self.assertIn("XML with a DTD refused", err)
        self.assertIn("not XML", err)
        self.assertRegex(err, r"RelatesTo urn:uuid:\S+ is not our Probe")
        self.assertIn("1 repeated answer folded", err)  # hik answers twice
        self.assertIn("sent %d copies of Probe" % UNICAST_COPIES, err)

    def test_no_store_is_needed(self):
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "var", "camwatch.db")))

    # ---- the table ----

    def test_table_has_the_json_rows(self):
        r = self.table
        self.assertEqual(r.rc, 0, r)
        lines = r.out.splitlines()
        self.assertIn("%d ONVIF devices answered %s" % (len(ANNOUNCED), self.group_target),
                      r.out)
        device_lines = [ln for ln in lines if ln.startswith("urn:uuid:")]
        self.assertEqual(len(device_lines), len(self.multi["devices"]), r.out)
        for d, line in zip(self.multi["devices"], device_lines):
            with self.subTest(device=d["endpoint"]):
                self.assertTrue(line.startswith(d["endpoint"] + " "), line)
                self.assertIn(" %s " % (d["name"] or "-"), line)
                self.assertIn(" %s " % (d["hardware"] or "-"), line)
                self.assertIn(" %s " % " ".join(d["xaddrs"]), line)
                self.assertTrue(line.endswith(d["camera"] or "not in inventory"), line)
        missing_lines = [ln for ln in lines if ln.endswith("no answer")]
        self.assertEqual(len(missing_lines), len(MISSING), r.out)
        for (cid, url), line in zip(MISSING, missing_lines):
            self.assertRegex(line, r"^%s +%s +no answer$" % (re.escape(cid), re.escape(url)))

    # ---- nothing answers ----

    def test_nothing_answering_is_not_an_error(self):
        r = self.none_table
        self.assertEqual(r.rc, 0, r)
        self.assertIn("no ONVIF device answered %s" % self.mute_target, r.out)
        onvif = [(cid, url) for cid, url in CAMERAS if url]
        self.assertEqual(self.none["devices"], [])
        self.assertEqual(self.none["ignored"], 0)
        self.assertEqual([(m["id"], m["onvif_url"]) for m in self.none["missing"]], onvif)
        for cid, url in onvif:
            self.assertRegex(r.out, r"(?m)^%s +%s +no answer$" % (re.escape(cid),
                                                                   re.escape(url)))

    # ---- the Probe, as the responder saw it ----

    def test_probe_is_a_2005_04_probe_for_network_video_transmitters(self):
        entries = self.probes(2 * MULTICAST_COPIES + UNICAST_COPIES)
        self.assertTrue(entries)
        for e in entries:
            with self.subTest(entry=e):
                self.assertIsNone(e["error"])
                self.assertRegex(e["message_id"], UUID4)
                self.assertEqual(e["to"], WSD_TO)
                self.assertEqual(e["action"], ACTION_PROBE)
                self.assertEqual(e["types"], [[NS_DN, "NetworkVideoTransmitter"]])
                self.assertEqual(e["scopes"], [])

    def test_probe_is_repeated_with_one_message_id_and_ttl_1_to_the_group(self):
        entries = self.probes(2 * MULTICAST_COPIES + UNICAST_COPIES)
        runs = {}
        for e in entries:
            runs.setdefault(e["message_id"], []).append(e)
        group = [v for v in runs.values() if v[0]["dst"] == GROUP]
        unicast = [v for v in runs.values() if v[0]["dst"] == "127.0.0.1"]
        self.assertEqual(len(group), 2, runs)  # the JSON and the table runs
        self.assertEqual(len(unicast), 1, runs)
        for copies in group:
            self.assertEqual(len(copies), MULTICAST_COPIES, copies)
            self.assertEqual({e["dst"] for e in copies}, {GROUP})
            self.assertEqual({e["ttl"] for e in copies}, {1})
            self.assertEqual([e["duplicate"] for e in copies], [False, True, True])
            self.assertEqual(len({e["from"] for e in copies}), 1)  # one socket
        self.assertEqual(len(unicast[0]), UNICAST_COPIES, unicast)
        self.assertIn("Probe %s" % unicast[0][0]["message_id"], self.uni_run.err)

    # ---- usage ----

    def test_bad_options_are_usage_errors_and_send_nothing(self):
        before = len(self.probes(0))
        for args, want in ((["--target", "camera.local"], "not an IPv4 address"),
                           (["--target", "127.0.0.1:0"], "bad port"),
                           (["--target", "127.0.0.1:70000"], "bad port"),
                           (["--timeout", "0"], "bad timeout"),
                           (["--timeout", "2h"], "bad timeout"),
                           (["--timeout", "soon"], "bad timeout"),
                           (["extra"], "takes no arguments")):
            with self.subTest(args=args):
                r = discover(self.conf, *args)
                self.assertEqual(r.rc, 2, r)
                self.assertIn(want, r.err)
        self.assertEqual(len(self.probes(0)), before)


if __name__ == "__main__":
    if not INSIDE:
        enter_netns()
    setup_netns()
    unittest.main()
