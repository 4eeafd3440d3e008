"""The shipped unit passes `systemd-analyze verify` and rates 2.5 or lower (exposure) in
`systemd-analyze security --offline=yes`. ExecStart is pointed at this build's camwatchd,
since verify checks that the program exists."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

BUILD = None
SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNIT = os.path.join(SRC, "systemd", "camwatchd.service")
MAX_EXPOSURE = 2.5


class SystemdUnitTest(unittest.TestCase):
    def setUp(self):
        if shutil.which("systemd-analyze") is None:
            self.fail("systemd-analyze is missing: scripts/install-deps installs systemd")
        self.tmp = tempfile.mkdtemp(prefix="cw-unit-")
        with open(UNIT, encoding="utf-8") as f:
            text = f.read()
        camwatchd = os.path.join(BUILD, "camwatchd")
        self.assertIn("/usr/local/bin/camwatchd", text)
        self.unit = os.path.join(self.tmp, "camwatchd.service")
        with open(self.unit, "w", encoding="utf-8") as f:
            f.write(text.replace("/usr/local/bin/camwatchd", camwatchd))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_unit_verifies(self):
        r = subprocess.run(["systemd-analyze", "verify", self.unit], capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertNotIn("camwatchd.service:", r.stderr, r.stderr)

    def test_unit_exposure_is_low(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", self.unit],
                           capture_output=True, text=True, timeout=120)
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(m, r.stdout + r.stderr)
        self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE, r.stdout)

    def test_unit_is_notify_with_watchdog_and_own_user(self):
        with open(UNIT, encoding="utf-8") as f:
            text = f.read()
        for line in ("Type=notify", "WatchdogSec=", "Restart=on-failure", "DynamicUser=yes",
                     "StateDirectory=camwatch", "ProtectSystem=strict",
                     "SystemCallFilter=@system-service", "CapabilityBoundingSet=\n"):
            self.assertIn(line, text)


if __name__ == "__main__":
    if "--build" in sys.argv:
        i = sys.argv.index("--build")
        BUILD = os.path.abspath(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    else:
        BUILD = os.path.join(SRC, "build")
    unittest.main(verbosity=2)
