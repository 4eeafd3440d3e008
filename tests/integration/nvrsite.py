"""A site of network recorders for the integration tests: the NVRs' file lists in the shape
tests/fixtures/nvr_http.py takes them (times as the NVRs write them, in the site's zone), and
NvrSite, the part of a test class that writes the sheet and asks camwatch about the
recorders. The class using it sets cls.site, cls.recorders ({name: [recorder] keys}),
cls.dead (an RTSP address no one answers) and cls.nvr (the nvr_http.py fixture)."""
import datetime
import json
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
    def find(cls, cam, start, end):
        """`footage find --json` for cam from start to end: its one answer."""
        r = cwtest.camwatch(cls.conf, "footage", "find", "--json", "--camera", cam,
                            "--from", iso(start), "--to", iso(end))
        assert r.rc == 0, r
        return json.loads(r.out)[0]
