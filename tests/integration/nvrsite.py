"""A site of network recorders for the integration tests: the NVRs' file lists in the shape
tests/fixtures/nvr_http.py takes them (times as the NVRs write them, in the site's zone), and
NvrSite, the part of a test class that writes the sheet and asks camwatch about the
recorders (a cwtest.FixtureTestCase: cls.tmp, cls.procs)."""
import datetime
import json
import os
import urllib.request
import zoneinfo

import cwtest

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")  # the site's zone and the NVRs' (+07:00)
WALL = "%Y-%m-%d %H:%M:%S"
MIN = datetime.timedelta(minutes=1)
SEC = datetime.timedelta(seconds=1)


def wall(t):
    return t.astimezone(HCM).strftime(WALL)


def iso(t):
    return t.astimezone(HCM).isoformat("T", "seconds")


def at(text):
    return datetime.datetime.fromisoformat(text)


def nvr_file(channel, start, end, name):
    return {"channel": channel, "start": wall(start), "end": wall(end), "bytes": 1000000,
            "name": name}


def now():
    return datetime.datetime.now(datetime.timezone.utc)


class NvrSite:
    @classmethod
    def start_site(cls, hik_a, hik_b, dh_a, onv_a):
        """The NVRs (tests/fixtures/nvr_http.py: hikA and hikB, Hikvision ISAPI, and dhA, Dahua,
        holding those files) and onvA (tests/fixtures/onvif_device.py, recording onv_a, one
        channel each), as the site's recorders (cls.recorders: {name: [recorder] keys}); cls.site,
        and cls.dead, the cameras' RTSP address, a closed port."""
        nvrs = cwtest.write_json(os.path.join(cls.tmp, "nvrs.json"), [
            {"name": "hikA", "api": "isapi", "files": hik_a},
            {"name": "hikB", "api": "isapi", "files": hik_b},
            {"name": "dhA", "api": "dahua", "files": dh_a}])
        cls.nvr = cls.procs.fixture("nvr_http.py", "--nvrs", nvrs)
        devices = cwtest.write_json(os.path.join(cls.tmp, "devices.json"), [
            {"name": "onvA", "auth": "none", "recordings": onv_a}])
        cls.dev = cls.procs.fixture("onvif_device.py", "--devices", devices)
        base = "http://127.0.0.1:%d/" % cls.nvr.port
        cls.dead = cwtest.rtsp_url(cwtest.closed_port(), "/x")
        cls.site = os.path.join(cls.tmp, "site")
        cls.recorders = {
            "onvA": {"kind": "onvif", "timeout": "5s",
                     "url": "http://127.0.0.1:%d/onvA/onvif/device_service" % cls.dev.port},
            "hikA": {"kind": "hikvision", "url": base + "hikA", "credential": "nvr",
                     "timeout": "5s"},
            "hikB": {"kind": "hikvision", "url": base + "hikB", "credential": "nvr",
                     "timeout": "5s"},
            "dhA": {"kind": "dahua", "url": base + "dhA/", "credential": "nvr",
                    "timeout": "5s"},
        }

    @classmethod
    def write_sheet(cls, cameras, maps):
        """The conf of cameras ({id: recorder}) with each recorder's channel_map from maps."""
        sections = {"probe.stream": {"workers": "0"}}
        for name, keys in cls.recorders.items():
            sections["recorder " + name] = dict(keys, channel_map=maps[name])
        return cwtest.write_config(
            cls.site, [cwtest.camera(c, cls.dead, recorder=r) for c, r in cameras.items()],
            credentials={"nvr": ("admin", "camwatch")}, sections=sections)

    @classmethod
    def control_nvr(cls, name, obj):
        """What the fixture's NVR name holds from now on (obj: {"files": [...]})."""
        req = urllib.request.Request("http://127.0.0.1:%d/_control/%s" % (cls.nvr.port, name),
                                     data=json.dumps(obj).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as f:
            f.read()

    @classmethod
    def recorders_now(cls):
        """`footage recorders --json` by name, every one scanned ok."""
        r = cwtest.camwatch(cls.conf, "footage", "recorders", "--json")
        assert r.rc == 0, r
        recs = {o["name"]: o for o in json.loads(r.out)}
        assert all(o["ok"] for o in recs.values()), recs
        return recs

    @classmethod
    def wait_past_first_scans(cls, cams):
        """Wait until the clock is 2 s past the first scans (cls.first: each began at its
        scanned_at) and past what they indexed of cams: onvA's recordings end when it answered,
        which may come seconds after its scan began."""
        ends = [at(w["end"]) for cam in cams
                for w in cls.find(cam, cls.t0 - 60 * MIN, now())["windows"]]
        past = max([at(o["scanned_at"]) for o in cls.first.values()] + ends)
        cwtest.wait_for("the clock past the first scans and what they indexed",
                        lambda: now() > past + 2 * SEC)

    @classmethod
    def find(cls, cam, start, end):
        """`footage find --json` for cam from start to end: its one answer."""
        r = cwtest.camwatch(cls.conf, "footage", "find", "--json", "--camera", cam,
                            "--from", iso(start), "--to", iso(end))
        assert r.rc == 0, r
        return json.loads(r.out)[0]
