"""A dir-kind recorder's footage for the integration tests: MP4 segments made by ffmpeg's
segment muxer, placed under a recorder's folder as `{camera}/%Y-%m-%d/%H-%M-%S.mp4` in the
site's zone (PATTERN, the [recorder] pattern that reads them)."""
import datetime
import os
import shutil
import zoneinfo

import cwtest

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
SEG_S = 4  # seconds per segment; a keyframe every second
SEC = datetime.timedelta(seconds=1)
PATTERN = "{camera}/%Y-%m-%d/%H-%M-%S.*"


def make_segments(directory, n):
    """n MP4 segments of SEG_S seconds by ffmpeg's segment muxer: seg000.mp4..."""
    os.makedirs(directory, exist_ok=True)
    r = cwtest.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-f", "lavfi",
                    "-i", "testsrc=size=160x120:rate=10", "-t", str(n * SEG_S), "-c:v",
                    "libx264", "-preset", "ultrafast", "-g", "10", "-sc_threshold", "0",
                    "-pix_fmt", "yuv420p", "-f", "segment", "-segment_time", str(SEG_S),
                    "-segment_format", "mp4", "-reset_timestamps", "1",
                    os.path.join(directory, "seg%03d.mp4")], timeout=120)
    assert r.rc == 0, r
    return [os.path.join(directory, "seg%03d.mp4" % i) for i in range(n)]


def iso(t):
    return t.astimezone(HCM).isoformat()


def name(cam, t):
    """The file of cam's segment starting at t, relative to the recorder's folder."""
    t = t.astimezone(HCM)
    return "%s/%s/%s.mp4" % (cam, t.strftime("%Y-%m-%d"), t.strftime("%H-%M-%S"))


def place(src, root, rel):
    """Copy src to root/rel (its folders made); the copy's path."""
    dst = os.path.join(root, rel)
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)
    return dst
