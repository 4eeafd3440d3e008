"""The Lai Vung example is what scripts/gen-lai-vung.py writes: every file it makes, run again
into an empty folder, is the committed one byte for byte, so an edit of the example that the
generator does not know of (or the other way round) is caught here, not lost at the next run."""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
EXAMPLE = os.path.join(ROOT, "config", "examples", "lai-vung")
GENERATOR = os.path.join(ROOT, "scripts", "gen-lai-vung.py")


class ExampleGeneratedTest(unittest.TestCase):
    def test_the_generator_writes_the_committed_example(self):
        with tempfile.TemporaryDirectory(prefix="cw-example-") as out:
            r = subprocess.run(["/usr/bin/python3", GENERATOR, out], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            made = sorted(os.listdir(out))
            self.assertEqual(made, ["cameras.csv", "camwatch.conf", "credentials.ini",
                                    "demo-fleet.json", "demo-onvif.json"])
            for name in made:
                with open(os.path.join(out, name), "rb") as f:
                    new = f.read()
                with open(os.path.join(EXAMPLE, name), "rb") as f:
                    committed = f.read()
                self.assertEqual(new.decode("utf-8").splitlines(),
                                 committed.decode("utf-8").splitlines(), name)
                self.assertEqual(new, committed, name)


if __name__ == "__main__":
    cwtest.build_dir()  # ctest's --build DIR; this test needs no binary
    unittest.main()
