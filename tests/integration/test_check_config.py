"""camwatchd --check-config says everything it can in one run: camwatch.conf's own problems
(an unknown key, a value out of range, a bad URL) and, beside them, the warnings of what loaded
around them (a recorder's channel_map entry naming a camera whose row names another recorder),
each naming file, line and key; exit status 2. The real daemon on a site written to disk; no
camera is contacted."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

RECORDER = {"kind": "dir", "path": "footage", "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.mp4",
            "channel_map": "ch01=A, ch02=B"}


def line_of(conf, text, after=None):
    """The line number of text in conf (the first after the line `after`, when given)."""
    with open(conf, encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = lines.index(after) if after is not None else 0
    return lines.index(text, start) + 1


class CheckConfigTest(unittest.TestCase):
    def test_conf_problems_and_warnings_in_one_run(self):
        with cwtest.fixtures("cw-check-") as (tmp, procs):
            refused = cwtest.closed_port()
            site = os.path.join(tmp, "site")
            # A's row puts it on nvr2, yet nvr1's map names it: a warning. B is nvr1's own.
            cams = [cwtest.camera("A", cwtest.rtsp_url(refused, "/a"), recorder="nvr2"),
                    cwtest.camera("B", cwtest.rtsp_url(refused, "/b"), recorder="nvr1")]
            broken = {"probe.stream": {"workers": "0"},
                      "footage": {"scan_interval": "1s"},                     # out of range
                      "alerts": {"webhook": "ftp://127.0.0.1/hook"},         # not http(s)
                      "recorder nvr1": dict(RECORDER, colour="red")}          # unknown key
            conf = cwtest.write_config(site, cams, sections=broken)
            warning = ("camwatchd: warning: %s:%d: channel_map: [recorder nvr1]: ch01=A gives A "
                       "no new footage: its row (%s/cameras.csv:2) names recorder nvr2; take "
                       "ch01=A out of the map, or put nvr1 back in the row"
                       % (conf, line_of(conf, "channel_map = ch01=A, ch02=B"), site))

            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 2, r)
            self.assertNotIn("valid", r.out)
            err = r.err.splitlines()
            problems = [line for line in err if not line.startswith("camwatchd: warning:")]
            for key, text, after in (("scan_interval", "scan_interval = 1s", "[footage]"),
                                     ("webhook", "webhook = ftp://127.0.0.1/hook", "[alerts]"),
                                     ("colour", "colour = red", "[recorder nvr1]")):
                with self.subTest(key=key):
                    at = "%s:%d: %s: " % (conf, line_of(conf, text, after), key)
                    self.assertTrue(any(line.startswith(at) for line in problems), r.err)
            self.assertEqual(len(problems), 3, r.err)
            # The warning comes too, after the problems: met now, not on the run after they
            # are fixed.
            self.assertEqual(err[-1], warning, r.err)
            self.assertEqual(r.err.count("warning"), 1, r.err)

            # The problems fixed, the same warning alone: the configuration is valid (exit 0).
            fixed = {"probe.stream": {"workers": "0"}, "recorder nvr1": RECORDER}
            conf = cwtest.write_config(site, cams, sections=fixed)
            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 0, r)
            self.assertIn("valid", r.out)
            self.assertEqual(r.err.splitlines(),
                             ["camwatchd: warning: %s:%d: channel_map: [recorder nvr1]: ch01=A "
                              "gives A no new footage: its row (%s/cameras.csv:2) names recorder "
                              "nvr2; take ch01=A out of the map, or put nvr1 back in the row"
                              % (conf, line_of(conf, "channel_map = ch01=A, ch02=B"), site)])

    def test_one_camera_is_one_camera_and_once_is_not_ignored(self):
        with cwtest.fixtures("cw-check-") as (tmp, procs):
            cams = [cwtest.camera("A", cwtest.rtsp_url(cwtest.closed_port(), "/a"))]
            conf = cwtest.write_config(os.path.join(tmp, "site"), cams)
            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 0, r)
            self.assertIn('valid: site "Test site", 1 camera:', r.out)
            # --once beside it was ignored without a word: the check ran, nothing was swept
            r = cwtest.camwatchd(conf, "--check-config", "--once")
            self.assertEqual(r.rc, 2, r)
            self.assertEqual(r.out, "", r)
            self.assertTrue(r.err.startswith("camwatchd: --check-config and --once: one or the "
                                             "other\nusage: camwatchd"), r.err)
            self.assertFalse(os.path.exists(os.path.join(tmp, "site", "var", "camwatch.db")))

    def test_conf_problems_and_the_tokens_files_in_one_run(self):
        """A conf with a problem still has its tokens file checked whenever its path is known
        (the [http] tokens key taken, or not given: tokens.ini beside the conf), each problem
        naming file, line and key; exit status 2. When the key itself is the problem, the path
        is not known and nothing more is said of it."""
        with cwtest.fixtures("cw-check-tok-") as (tmp, procs):
            site = os.path.join(tmp, "site")
            folder = os.path.join(site, "tokfolder")
            os.makedirs(folder)
            cams = [cwtest.camera("A", cwtest.rtsp_url(cwtest.closed_port(), "/a"))]
            default = os.path.join(site, "tokens.ini")
            other = os.path.join(site, "api.ini")
            for path in (default, other):
                with open(path, "w") as f:
                    f.write("[alice]\nrole = chief\nsha256 = %s\n" % ("ab" * 32))
                os.chmod(path, 0o600)
            broken = {"probe.stream": {"workers": "0"},
                      "footage": {"scan_interval": "1s"}}                     # out of range
            bad_role = "%s:2: role: 'chief': expected viewer, investigator or admin"

            def check(http=None, twice=None):
                """--check-config of the broken conf: its problem said once; the conf and
                stderr's other lines, in order, returned."""
                conf = cwtest.write_config(site, cams, sections=broken, http=http)
                if twice is not None:
                    with open(conf, encoding="utf-8") as f:
                        text = f.read().replace("[http]\n", "[http]\n%s\n" % twice)
                    with open(conf, "w", encoding="utf-8") as f:
                        f.write(text)
                r = cwtest.camwatchd(conf, "--check-config")
                self.assertEqual(r.rc, 2, r)
                self.assertNotIn("valid", r.out)
                err = r.err.splitlines()
                at = "%s:%d: scan_interval: " % (conf, line_of(conf, "scan_interval = 1s"))
                self.assertEqual(len([line for line in err if line.startswith(at)]), 1, r.err)
                return conf, [line for line in err if not line.startswith(at)]

            # Not given: tokens.ini beside the conf, its problem by file, line and key.
            conf, rest = check()
            self.assertEqual(rest, [bad_role % default])
            # Given and taken: the file it names, not the default.
            conf, rest = check({"tokens": "api.ini"})
            self.assertEqual(rest, [bad_role % other])
            # A file that cannot be read at all names the key that gave it.
            conf, rest = check({"tokens": "tokfolder"})
            self.assertEqual(rest, ["%s:%d: tokens: [http]: %s: not a regular file of at most "
                                    "1048576 bytes" % (conf, line_of(conf, "tokens = tokfolder"),
                                                       folder)])
            # The key refused, or given twice: which file is meant is not known. The key's own
            # problem is said, nothing of a tokens file.
            conf, rest = check({"tokens": ""})
            self.assertEqual(len(rest), 1, rest)
            self.assertTrue(rest[0].startswith("%s:%d: tokens: "
                                               % (conf, line_of(conf, "tokens = "))), rest)
            conf, rest = check({"tokens": "api.ini"}, twice="tokens = tokens.ini")
            self.assertEqual(rest, ["%s:%d: tokens: set twice (first at line %d)"
                                    % (conf, line_of(conf, "tokens = api.ini"),
                                       line_of(conf, "tokens = tokens.ini"))])


    def test_a_tokens_file_deep_in_folders_is_named_by_its_end_and_its_key(self):
        """A tokens path longer than a message's file name holds (255 bytes; under PATH_MAX):
        its problems name it by its end after "..." (its own name, not a path cut inside a
        folder's name), and one that cannot be read at all names the conf's key too, as a
        short one does."""
        with cwtest.fixtures("cw-check-long-") as (tmp, procs):
            site = os.path.join(tmp, "d" * 200, "e" * 200)
            cams = [cwtest.camera("A", cwtest.rtsp_url(cwtest.closed_port(), "/a"))]
            conf = cwtest.write_config(site, cams, sections={"probe.stream": {"workers": "0"}})
            tokens = os.path.join(site, "tokens.ini")
            self.assertGreater(len(tokens), 400)
            with open(tokens, "w") as f:
                f.write("[alice]\nrole = chief\nsha256 = %s\n" % ("ab" * 32))
            os.chmod(tokens, 0o600)

            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 2, r)
            err = r.err.splitlines()
            self.assertEqual(len(err), 1, r.err)
            said = err[0]
            self.assertTrue(said.startswith("..."), said)
            self.assertTrue(said.endswith("/tokens.ini:2: role: 'chief': expected viewer, "
                                          "investigator or admin"), said)
            shown = said[3:-len(":2: role: 'chief': expected viewer, investigator or admin")]
            self.assertTrue(tokens.endswith(shown), said)
            self.assertEqual(len(shown), 252, said)

            os.remove(tokens)
            os.mkdir(tokens)
            r = cwtest.camwatchd(conf, "--check-config")
            self.assertEqual(r.rc, 2, r)
            self.assertEqual(r.err.splitlines(), ["...%s: tokens: [http]: %s: not a regular file "
                                                  "of at most 1048576 bytes"
                                                  % (conf[-(255 - 3):], tokens)], r.err)

if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main()
