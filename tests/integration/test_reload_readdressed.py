#!/usr/bin/python3
"""A down camera whose address is fixed in cameras.csv is asked again at the reload, not after
the backoff it earned at the wrong address.

    /usr/bin/python3 tests/integration/test_reload_readdressed.py --build build [-v]

The operator's journey: a camera's rtsp_url names a path its server does not have (a typo),
so it goes down and, on its own, is probed on a backoff (here 20 min: interval 10 min doubled,
down_interval 1 h). The sheet is fixed and camwatchd reloaded (SIGHUP): the camera is probed
at its new address at once and comes up. A camera down at an address the reload left as it was
keeps its backoff: its last probe stays the one before the reload. The cameras are
tests/fixtures/rtsp_fault.py's /notfound and /ok paths; waits are for conditions, guarded by
deadlines far under the backoff; nothing asserts on time.
"""
import os
import signal
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BUILD = cwtest.build_dir()

# One answer moves a camera either way; a down camera's next probe is 20 min away.
PROBE = {"interval": "10m", "timeout": "5s", "down_after": "1", "up_after": "1",
         "down_interval": "1h", "down_timeout": "5s"}
SECTIONS = {"probe.stream": {"workers": "0"}}


class ReloadReaddressed(unittest.TestCase):
    def test_a_fixed_address_is_probed_at_the_reload(self):
        with cwtest.fixtures("cw-readdr-") as (tmp, procs):
            port = procs.fixture("rtsp_fault.py").port
            site = os.path.join(tmp, "site")
            typo = cwtest.camera("TYPO", cwtest.rtsp_url(port, "/notfound/typo"))
            stays = cwtest.camera("STAYS", cwtest.rtsp_url(port, "/notfound/stays"))
            listen = "127.0.0.1:%d" % cwtest.free_port()
            conf = cwtest.write_config(site, [typo, stays], probe=PROBE, sections=SECTIONS,
                                       http_listen=listen)
            daemon = cwtest.start_daemon(procs, conf)
            down = cwtest.wait_for(
                "both cameras down (not found)",
                lambda: (lambda s: s if all(s.get(i, {}).get("state") == "down"
                                            for i in ("TYPO", "STAYS")) else None)(
                    cwtest.status(conf)), proc=daemon)
            self.assertTrue(down["TYPO"]["reason"].startswith("not found"), down["TYPO"])

            # The sheet fixed: TYPO's path corrected, STAYS as it was.
            typo["rtsp_url"] = cwtest.rtsp_url(port, "/ok/typo")
            cwtest.write_config(site, [typo, stays], probe=PROBE, sections=SECTIONS,
                                http_listen=listen)
            os.kill(daemon.pid, signal.SIGHUP)
            cwtest.wait_for("the reload taken",
                            lambda: "daemon: reloaded, 2 cameras" in daemon.stderr_text(),
                            proc=daemon)
            up = cwtest.wait_for(
                "TYPO up at its new address (its backoff was 20 min)",
                lambda: (lambda s: s if s.get("TYPO", {}).get("state") == "up" else None)(
                    cwtest.status(conf)), proc=daemon)
            self.assertEqual(up["TYPO"]["codec"], "h264", up["TYPO"])
            # STAYS's address did not change: it waits out its backoff, not probed again.
            self.assertEqual(up["STAYS"]["state"], "down", up["STAYS"])
            self.assertEqual(up["STAYS"]["last_probe_ms"], down["STAYS"]["last_probe_ms"],
                             up["STAYS"])


if __name__ == "__main__":
    unittest.main()
