"""/metrics as Prometheus reads it: `promtool check metrics` passes on the daemon's output, and
a real Prometheus (Debian's package, with its own config and a temporary store on a free
loopback port) scrapes the daemon with a bearer token, finds the target up, and holds the
cameras' series with the values the API gives. Waits are polls for a condition with a
generous deadline, never assertions about time."""
import os
import subprocess
import sys
import unittest
from urllib.parse import quote

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

PROMETHEUS = "/usr/bin/prometheus"
PROMTOOL = "/usr/bin/promtool"


@unittest.skipUnless(os.access(PROMETHEUS, os.X_OK) and os.access(PROMTOOL, os.X_OK),
                     "Debian's prometheus package is not installed")
class PrometheusTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-prom-"

    @classmethod
    def start(cls):
        fault = cls.procs.fixture("rtsp_fault.py")
        closed = cwtest.closed_port()
        nvr = os.path.join(cls.tmp, "nvr")  # CAH-001's footage: its oldest is a gauge
        r = cwtest.run([sys.executable, os.path.join(cwtest.SOURCE_DIR, "tests", "fixtures",
                                                     "footage_tree.py"),
                        "--root", nvr, "--cameras", "CAH-001", "--minutes", "2"], timeout=300)
        assert r.rc == 0, r
        cams = [cwtest.camera("CAH-001", cwtest.rtsp_url(fault.port, "/ok"),
                              name='Cầu "Tân Thạnh" \\ QL80', recorder="nvr"),
                cwtest.camera("TD-01", cwtest.rtsp_url(closed, "/x"), owner="CAX",
                              commune="Tân Dương")]
        cls.port = cwtest.free_port()
        cls.conf = cwtest.write_config(
            os.path.join(cls.tmp, "site"), cams,
            probe={"interval": "1s", "timeout": "900ms", "slow": "800ms", "down_after": "1",
                   "up_after": "1"},
            http_listen="127.0.0.1:%d" % cls.port,
            sections={"probe.stream": {"workers": "0"},
                      "recorder nvr": {"kind": "dir", "path": nvr,
                                       "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.mp4"}})
        cls.token = cwtest.add_token(cls.conf, "prometheus", "viewer")
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-c", cls.conf],
                                     name="camwatchd")
        cwtest.wait_http(cls.port, cls.token, cls.daemon)

    def metrics(self):
        r = cwtest.http(self.port, "GET", "/metrics", self.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        return r.body

    def test_promtool_passes_the_daemons_metrics(self):
        def settled():
            st = cwtest.http(self.port, "GET", "/api/v1/cameras", self.token).json()
            return {o["id"]: o["state"] for o in st} == {"CAH-001": "up", "TD-01": "down"}
        cwtest.wait_for("the cameras judged", settled, proc=self.daemon)
        cwtest.wait_for("the recorder scanned", lambda: b"camwatch_camera_footage_oldest_"
                        b"timestamp_seconds{" in self.metrics(), proc=self.daemon)
        body = self.metrics()
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                           timeout=cwtest.RUN_TIMEOUT_S)
        self.assertEqual(r.returncode, 0, (r.stdout, r.stderr, body.decode()[:3000]))
        self.assertEqual(r.stdout + r.stderr, b"", "promtool has no complaint, not even a lint")
        text = body.decode()
        self.assertIn('camwatch_camera_up{camera="CAH-001",owner="CAH"} 1\n', text)
        self.assertIn('camwatch_camera_up{camera="TD-01",owner="CAX"} 0\n', text)
        self.assertIn('name="Cầu \\"Tân Thạnh\\" \\\\ QL80"', text)
        self.assertIn('camwatch_probes_total{kind="rtsp",outcome="refused"}', text)
        self.assertIn('camwatch_camera_footage_oldest_timestamp_seconds{camera="CAH-001",'
                      'owner="CAH"} ', text)
        for name in ("camwatch_loop_lag_seconds", "camwatch_loop_lag_max_seconds",
                     "camwatch_store_write_seconds", "camwatch_store_write_max_seconds"):
            self.assertIn("\n%s " % name, text)
        # without the token: refused
        self.assertEqual(cwtest.http(self.port, "GET", "/metrics").status, 401)

    def test_a_real_prometheus_scrapes_the_daemon_as_up(self):
        prom_port = cwtest.free_port()
        token_file = os.path.join(self.tmp, "prometheus.token")
        with open(token_file, "w") as f:
            f.write(self.token)
        config = os.path.join(self.tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n"
                    "  - job_name: camwatch\n    scrape_interval: 1s\n"
                    "    authorization:\n      type: Bearer\n"
                    "      credentials_file: %s\n"
                    "    static_configs:\n      - targets: ['127.0.0.1:%d']\n"
                    % (token_file, self.port))
        prom = self.procs.start([PROMETHEUS, "--config.file=" + config,
                                 "--storage.tsdb.path=" + os.path.join(self.tmp, "tsdb"),
                                 "--web.listen-address=127.0.0.1:%d" % prom_port,
                                 "--log.level=warn"], name="prometheus")

        def api(path):
            r = cwtest.http(prom_port, "GET", path, timeout=30)
            return r.json() if r.status == 200 else None

        def target_up():
            try:
                doc = api("/api/v1/targets")
            except (OSError, AssertionError):
                return None
            targets = (doc or {}).get("data", {}).get("activeTargets", [])
            return targets and targets[0]["health"] == "up" and targets[0]
        target = cwtest.wait_for("Prometheus finds the target up", target_up, proc=prom)
        self.assertEqual(target["labels"]["job"], "camwatch")
        self.assertEqual(target["scrapeUrl"], "http://127.0.0.1:%d/metrics" % self.port)
        self.assertEqual(target["lastError"], "")

        def series():
            doc = api("/api/v1/query?query=" + quote("camwatch_camera_up"))
            res = (doc or {}).get("data", {}).get("result", [])
            return len(res) == 2 and {r["metric"]["camera"]: r["value"][1] for r in res}
        up = cwtest.wait_for("the cameras' series in Prometheus", series, proc=prom)
        api_states = {o["id"]: o["state"] for o in
                      cwtest.http(self.port, "GET", "/api/v1/cameras", self.token).json()}
        self.assertEqual(up, {c: "1" if s in ("up", "degraded") else "0"
                              for c, s in api_states.items()})
        doc = api("/api/v1/query?query=" + quote('sum(camwatch_owner_cameras{state="down"})'))
        self.assertEqual(doc["data"]["result"][0]["value"][1],
                         str(sum(s == "down" for s in api_states.values())))
        info = api("/api/v1/query?query=" + quote('camwatch_camera_info{camera="CAH-001"}'))
        self.assertEqual(info["data"]["result"][0]["metric"]["name"], 'Cầu "Tân Thạnh" \\ QL80')
        self.assertEqual(prom.stop(), 0, prom.stderr_text()[-2000:])


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
