"""A bad tokens.ini through the real programs: camwatchd (--check-config and a start) and
every `camwatch token` command name every problem by file, line and field, then fail once;
the CLI changes nothing in the file."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

BAD = ("; tokens of the district\n"
       "[nguyen.van.a]\n"
       "colour = red\n"
       "role = chief\n"
       "[tran.thi.b\n"
       "role = admin\n"
       "[le.van.c]\n"
       "sha256 = 12ab\n"
       "a note without a key\n"
       "role = viewer\n")
PROBLEMS = ["tokens.ini:3: colour: unknown key in [nguyen.van.a]",
            "tokens.ini:4: role: 'chief': expected viewer, investigator or admin",
            "tokens.ini:2: sha256: [nguyen.van.a] has no sha256",
            "tokens.ini:5: a [NAME] header without its ']': the keys under it are not read",
            "tokens.ini:8: sha256: expected 64 hex digits",
            "tokens.ini:9: expected 'key = value', a [NAME] header or a ';' comment"]


class TokensFileTest(unittest.TestCase):
    def assert_every_problem(self, r, prefix=""):
        for p in PROBLEMS:
            self.assertEqual(r.err.count(prefix + self.path[:-len("tokens.ini")] + p), 1,
                             (p, r.err))
        self.assertNotIn("again", r.err)  # the keys under the broken header are not read

    def test_every_problem_is_named_by_the_daemon_and_the_cli(self):
        with cwtest.fixtures("cw-tok-") as (tmp, procs):
            site = os.path.join(tmp, "site")
            conf = cwtest.write_config(
                site, [cwtest.camera("A", cwtest.rtsp_url(cwtest.closed_port(), "/a"))],
                sections={"probe.stream": {"workers": "0"}})
            self.path = os.path.join(site, "tokens.ini")
            with open(self.path, "w") as f:
                f.write(BAD)
            os.chmod(self.path, 0o600)

            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 2, r)
            self.assert_every_problem(r)
            r = cwtest.camwatchd(conf)  # refuses to start on it, naming them all
            self.assertNotEqual(r.rc, 0, r)
            self.assert_every_problem(r)

            for args in (["token", "list"], ["token", "add", "dave", "--role", "viewer"],
                         ["token", "remove", "le.van.c"]):
                r = cwtest.camwatch(conf, *args)
                self.assertNotEqual(r.rc, 0, r)
                self.assert_every_problem(r, "camwatch: ")
                self.assertIn("tokens.ini: 6 problems, each named above (the file is left as "
                              "it is)", r.err)
                with open(self.path) as f:
                    self.assertEqual(f.read(), BAD)


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main()
