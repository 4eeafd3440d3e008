"""The CLI as a new user meets it: each command group's --help, what a bad argument says and
the exit status it gives (0 ok, 1 runtime error, 2 usage or configuration error, as `camwatch
--help` says). The store is written by a real `camwatchd --once` over two cameras nobody
answers (closed loopback ports), so no fixture runs."""
import json
import os
import pty
import pwd
import re
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402


class CliUsageTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-cliuse-"

    @classmethod
    def start(cls):
        closed = cwtest.closed_port()
        cams = [cwtest.camera("CAH-001", cwtest.rtsp_url(closed, "/a"), name="Ngã ba Tân Dương"),
                cwtest.camera("TD-01", cwtest.rtsp_url(closed, "/b"), owner="CAX",
                              commune="Tân Dương")]
        # down after one failure: the one sweep leaves a state change to show
        cls.conf = cwtest.write_config(os.path.join(cls.tmp, "site"), cams,
                                       probe={"down_after": "1"},
                                       sections={"probe.stream": {"workers": "0"}})
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r

    def cw(self, *args):
        return cwtest.camwatch(self.conf, *args)

    def test_a_group_without_its_command_names_its_commands(self):
        groups = {"footage": ["find", "scan", "recorders"],
                  "request": ["create", "show", "list", "export"],
                  "audit": ["verify", "close-export"]}
        for group, words in groups.items():
            listed = ", ".join(words)
            r = self.cw(group)
            self.assertEqual(r.rc, 2, r)
            self.assertEqual(r.out, "")
            self.assertIn("camwatch: %s: no command given (one of: %s)\n" % (group, listed), r.err)
            for w in words:
                self.assertIn("\n  %s %s " % (group, w), r.err)
            r = self.cw(group, "bogus")
            self.assertEqual(r.rc, 2, r)
            self.assertIn("camwatch: %s: unknown command 'bogus' (one of: %s)\n"
                          % (group, listed), r.err)
            for flag in ("--help", "-h"):
                r = self.cw(group, flag)
                self.assertEqual((r.rc, r.err), (0, ""), r)
                self.assertTrue(r.out.startswith("usage: camwatch [-c FILE] %s <command>" % group),
                                r)
                for w in words:
                    self.assertIn("\n  %s %s " % (group, w), r.out)
                # only this group's commands, not the whole program's list
                self.assertNotIn("  status ", r.out)

    def test_a_bad_option_value_is_a_usage_error_naming_the_option(self):
        r = self.cw("status", "--flag", "bogus")
        self.assertEqual((r.rc, r.out), (2, ""), r)
        self.assertIn("camwatch: status: --flag: unknown flag 'bogus' (one of: no_media,", r.err)
        self.assertIn("usage: camwatch [-c FILE] status", r.err)
        r = self.cw("status", "--daemon", "--owner", "CAH")
        self.assertEqual((r.rc, r.out), (2, ""), r)
        self.assertIn("camwatch: status: --daemon: takes no camera filter", r.err)
        # the good ones still answer
        r = self.cw("status", "--flag", "blurred", "--json")
        self.assertEqual((r.rc, json.loads(r.out)), (0, []), r)

    def test_a_bad_time_names_its_option(self):
        for args, option in ((["events", "--since", "yesterday"], "--since"),
                             (["samples", "CAH-001", "--since", "2026-02-30"], "--since"),
                             (["uptime", "--from", "bad"], "--from"),
                             (["uptime", "--to", "-1:-5"], "--to"),
                             (["report", "backlog", "--to", "soon"], "--to")):
            r = self.cw(*args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn(": %s: bad time '%s'" % (option, args[-1]), r.err)
        # -7 was 7 seconds (a duration's bare number) where 7 days was meant: refused
        for args, option in ((["events", "--since", "-7"], "--since"),
                             (["uptime", "--from", "-7"], "--from"),
                             (["uptime", "--from", "-7d", "--to", "-1"], "--to")):
            r = self.cw(*args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn(": %s: bad time '%s': a relative time needs its unit: ms, s, m, h or d "
                          "(e.g. %sd)\n" % (option, args[-1], args[-1]), r.err)

    def test_report_output_of_an_unknown_extension_is_refused_not_written_as_json(self):
        out = os.path.join(self.tmp, "backlog.pdf")
        r = self.cw("report", "backlog", "-o", out)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("-o %s: '.pdf' is not a format's extension" % out, r.err)
        self.assertFalse(os.path.exists(out))
        # named with --format, or an extension in any case, it is written
        r = self.cw("report", "backlog", "-o", out, "--format", "html")
        self.assertEqual(r.rc, 0, r)
        with open(out, encoding="utf-8") as f:
            self.assertIn("<html", f.read(200).lower())
        upper = os.path.join(self.tmp, "backlog.CSV")
        r = self.cw("report", "backlog", "-o", upper)
        self.assertEqual(r.rc, 0, r)
        with open(upper, "rb") as f:
            self.assertTrue(f.read(3) == b"\xef\xbb\xbf", "a CSV with its BOM")
        bare = os.path.join(self.tmp, "backlog")
        r = self.cw("report", "backlog", "-o", bare)
        self.assertEqual(r.rc, 0, r)
        with open(bare, encoding="utf-8") as f:
            self.assertEqual(json.load(f)["kind"], "backlog")

    def test_report_merge_of_a_missing_file_names_it_without_a_line(self):
        missing = os.path.join(self.tmp, "nowhere.json")
        r = self.cw("report", "merge", missing)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("camwatch: %s: unable to open" % missing, r.err)
        self.assertNotIn(":-1:", r.err)

    def test_a_range_into_the_future_is_counted_up_to_now(self):
        # Until the fix, --to 2040 counted the years to come as the state the cameras are in
        # now: 100% down for a camera down today, and a report's monitored time in the future.
        r = self.cw("uptime", "--from", "2020-01-01", "--to", "2040-01-01", "--json")
        after_ms = time.time() * 1000
        doc = json.loads(r.out)
        self.assertLessEqual(doc["to_ms"], after_ms, doc["to"])
        for cam in doc["cameras"]:
            self.assertLessEqual(sum(cam["ms"].values()), after_ms - doc["from_ms"], cam)
        r = self.cw("report", "availability", "--from", "2020-01-01", "--to", "2040-01-01")
        after_ms = time.time() * 1000
        doc = json.loads(r.out)
        self.assertLessEqual(doc["to_ms"], after_ms, doc["to"])
        self.assertLessEqual(doc["total"]["monitored_ms"], 2 * (after_ms - doc["from_ms"]))
        for args in (["uptime", "--from", "2040-01-01", "--to", "2040-02-01"],
                     ["report", "backlog", "--from", "2040-01-01"]):
            r = self.cw(*args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("--from: '2040-01-01' is in the future", r.err)
        # an empty range is refused as the API refuses it (the CLI counted over nothing)
        for args in (["uptime", "--from", "2026-11-02", "--to", "2026-11-02"],
                     ["report", "availability", "--from", "2026-11-02", "--to", "2026-11-02"]):
            r = self.cw(*args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("--from: must be before --to", r.err)

    def test_empty_results_say_so_rather_than_print_a_bare_header(self):
        # the site has no [recorder NAME]: a scan has nothing to do
        r = self.cw("footage", "scan")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("nothing to scan", r.err)
        self.assertEqual(r.out, "no recorder scanned\n")
        r = self.cw("footage", "scan", "--json")
        self.assertEqual((r.rc, json.loads(r.out)), (0, []), r)

    def test_token_add_with_a_bad_name_is_a_usage_error(self):
        for name in ("bad name", "x" * 41, "nguyễn"):
            r = self.cw("token", "add", name, "--role", "viewer")
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("camwatch: token add: NAME '%s': 1 to 40 letters" % name, r.err)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "site", "tokens.ini")))

    def test_help_says_what_the_command_gives(self):
        r = self.cw("clock", "--help")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("{id, clock_offset_ms, error_ms, measured_at, ntp}", r.out)  # clock --json
        r = self.cw("token", "--help")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("opens and closes tickets", r.out)  # what an admin may, as README's table
        for args in (["alerts", "--help"], ["alerts", "list", "--help"]):
            r = self.cw(*args)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("camwatch [-c FILE] alerts test", r.out)  # the group's other command
        # an XLSX workbook goes into a pipe too (refused only to a terminal), as README says;
        # the help said "-o needed"
        r = self.cw("report", "--help")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("xlsx (to -o FILE or a pipe,\n                not a terminal)", r.out)
        r = self.cw("report", "availability", "--format", "xlsx")
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(r.out.startswith("PK"), r.out[:16])  # a zip: the workbook

    def test_an_unknown_option_is_named_with_the_whole_command(self):
        # getopt's own messages began with the bare last word ("find: unrecognized option"),
        # which reads as find(1) speaking
        for args, said in ((["footage", "find", "--bogus"],
                            "camwatch: footage find: unrecognized option '--bogus'\n"),
                           (["events", "--since"],
                            "camwatch: events: option '--since' requires an argument\n"),
                           (["--bogus", "status"], "camwatch: unrecognized option '--bogus'\n")):
            r = self.cw(*args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertTrue(r.err.startswith(said), r)
        # -c after the command: told where it goes
        r = self.cw("status", "-c", self.conf)
        self.assertEqual((r.rc, r.out), (2, ""), r)
        self.assertIn("camwatch: -c FILE goes before the command: camwatch -c FILE status\n",
                      r.err)

    def test_footage_find_counts_one_change_in_the_singular(self):
        r = self.cw("footage", "find", "--from", "-1h", "--to", "now", "--camera", "CAH-001")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("  state then: unknown (changed 1 time in the range)\n", r.out)

    def test_an_option_given_twice_is_refused_naming_it(self):
        # the last one won silently: --owner A --owner B listed B's cameras
        for args, option in ((["status", "--owner", "CAH", "--owner", "CAX"], "--owner"),
                             (["status", "--state", "down", "--state", "up"], "--state"),
                             (["events", "--camera", "CAH-001", "--camera", "TD-01"], "--camera"),
                             (["uptime", "--from", "-2d", "--from", "-1d"], "--from"),
                             (["ticket", "list", "--camera", "CAH-001", "--camera=TD-01"],
                              "--camera"),
                             (["-c", self.conf, "status"], "--config")):
            r = self.cw(*args)
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("%s: given twice (it takes one value)\n" % option, r.err)
        r = self.cw("-c", self.conf, "status")
        self.assertTrue(r.err.startswith("camwatch: --config: given twice"), r)
        # a flag twice is still the flag; a command's --camera that takes cameras is a list
        r = self.cw("status", "--json", "--json", "--owner", "CAX")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual([o["id"] for o in json.loads(r.out)], ["TD-01"])
        r = self.cw("footage", "find", "--from", "-1h", "--to", "now", "--camera", "CAH-001",
                    "--camera", "TD-01", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(sorted(c["id"] for c in json.loads(r.out)),
                         ["CAH-001", "TD-01"])

    def test_camera_synopsis_says_how_several_are_given(self):
        # the synopsis said "--camera ID...", and "--camera CAH-001 TD-01" was refused with
        # "takes no arguments": several cameras are ID,ID or --camera again, and both say so
        rng = ["--from", "-1h", "--to", "now"]
        req = ["--case", "VV-1", "--reason", "thử", "--by", "it-staff"]
        for cmd in (["footage", "find"], ["request", "create"]):
            with self.subTest(cmd=cmd):
                r = self.cw(*cmd, "--help")
                self.assertEqual(r.rc, 0, r)
                self.assertIn("--camera ID[,ID...])", r.out)
                self.assertNotIn("ID...)", r.out.replace("ID[,ID...])", ""))
                self.assertIn("--camera ID             these cameras (repeat, or ID,ID,...)",
                              r.out)
                extra = req if cmd[0] == "request" else []
                r = self.cw(*cmd, *rng, "--camera", "CAH-001", "TD-01", *extra)
                self.assertEqual((r.rc, r.out), (2, ""), r)
                self.assertIn("unexpected argument 'TD-01': more cameras are --camera ID,ID or "
                              "--camera given again\n", r.err)
        # what the synopsis says works
        for cams in (["--camera", "CAH-001,TD-01"], ["--camera", "CAH-001", "--camera", "TD-01"]):
            r = self.cw("footage", "find", *rng, *cams, "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(sorted(c["id"] for c in json.loads(r.out)), ["CAH-001", "TD-01"])

    def test_a_time_with_a_fraction_of_a_second_is_read_to_the_millisecond(self):
        # an export's manifest writes exact_from "2026-11-02T07:25:00.500+07:00"; --from
        # refused it (no form took a fraction)
        start = int(time.time()) - 3600
        iso = lambda t, frac: time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + 7 * 3600)) \
            + frac + "+07:00"
        for frm, to, span in ((iso(start, ".500"), iso(start + 600, ".250"), 599750),
                              (iso(start, ".5"), iso(start + 600, ".0009"), 599500),
                              (iso(start, ""), iso(start + 600, ".123456"), 600123)):
            with self.subTest(frm=frm, to=to):
                r = self.cw("footage", "find", "--from", frm, "--to", to, "--camera", "CAH-001",
                            "--json")
                self.assertEqual(r.rc, 0, r)
                self.assertEqual([c["requested_ms"] for c in json.loads(r.out)], [span])
        for bad in (iso(start, "."), iso(start, ",5"), iso(start, ".x")):
            r = self.cw("footage", "find", "--from", bad, "--to", "now", "--camera", "CAH-001")
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("camwatch: footage find: --from: bad time '%s'" % bad, r.err)

    def test_an_empty_place_is_refused_naming_its_option(self):
        # `footage find --camera ""` said "--place: give one place: near, place or camera"
        rng = ["--from", "-1h", "--to", "now"]
        req = ["--case", "VV-1", "--reason", "thử", "--by", "it-staff"]
        cases = ((["--camera", ""], "--camera: empty: give one or more camera ids"),
                 (["--camera", "", "--camera", ""], "--camera: empty: give one or more camera ids"),
                 (["--camera", " , "], "--camera: empty: give one or more camera ids"),
                 (["--place", ""], "--place: empty: give a text to look for"),
                 (["--near", ""], "--near: empty: give LAT,LON"),
                 (["--near", "10.29,105.66", "--radius", ""],
                  "--radius: empty: give metres (500, 12.5m, 2km)"))
        for cmd in (["footage", "find"], ["request", "create"]):
            for where, said in cases:
                with self.subTest(cmd=cmd, where=where):
                    extra = req if cmd[0] == "request" else []
                    r = self.cw(*cmd, *rng, *where, *extra)
                    self.assertEqual((r.rc, r.out), (2, ""), r)
                    self.assertIn("camwatch: %s: %s\n" % (" ".join(cmd), said), r.err)
        self.assertEqual(json.loads(self.cw("request", "list", "--json").out), [])

    def test_a_request_for_a_place_with_no_camera_is_refused_nothing_stored(self):
        # `footage find` says "no camera there"; a request for that place was stored and its
        # export said "0 files of 0 cameras"
        rng = ["--from", "-1h", "--to", "now"]
        r = self.cw("footage", "find", *rng, "--place", "không có chỗ này")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("no camera there", r.out)
        for where, opt in ((["--place", "không có chỗ này"], "--place"),
                           (["--near", "12.0,112.0"], "--near")):
            r = self.cw("request", "create", *rng, *where, "--case", "VV-9", "--reason", "thử",
                        "--by", "it-staff", "--json")
            self.assertEqual((r.rc, r.out), (2, ""), r)
            self.assertIn("camwatch: request create: %s: no camera there: nothing stored\n"
                          % opt, r.err)
        self.assertEqual(json.loads(self.cw("request", "list", "--json").out), [])
        v = json.loads(self.cw("audit", "verify", "--json").out)
        self.assertEqual(v["rows"], 0, v)

    def test_a_state_is_taken_in_any_case_as_owners_and_flags_are(self):
        r = self.cw("status", "--state", "down", "--json")
        self.assertEqual(r.rc, 0, r)
        down = sorted(o["id"] for o in json.loads(r.out))
        self.assertEqual(down, ["CAH-001", "TD-01"])
        for word in ("DOWN", "Down"):
            r = self.cw("status", "--state", word, "--json")
            self.assertEqual(r.rc, 0, r)
            self.assertEqual(sorted(o["id"] for o in json.loads(r.out)), down)
        r = self.cw("status", "--owner", "cax", "--flag", "BLURRED", "--json")
        self.assertEqual((r.rc, json.loads(r.out)), (0, []), r)
        r = self.cw("status", "--state", "dow")
        self.assertEqual((r.rc, r.out), (2, ""), r)
        self.assertIn("camwatch: status: unknown state 'dow'", r.err)

    def test_thumb_to_standard_output_is_refused_on_a_terminal(self):
        master, slave = pty.openpty()
        try:
            p = subprocess.run([cwtest.program("camwatch"), "-c", self.conf, "thumb", "CAH-001",
                                "-o", "-"], stdin=subprocess.DEVNULL, stdout=slave,
                               stderr=subprocess.PIPE, timeout=cwtest.RUN_TIMEOUT_S)
        finally:
            os.close(slave)
            os.close(master)
        err = p.stderr.decode()
        self.assertEqual(p.returncode, 2, err)
        self.assertIn("camwatch: thumb: a JPEG goes to a file: give -o FILE.jpg", err)
        # into a pipe it is not refused as such: here there is no thumbnail to copy yet
        r = self.cw("thumb", "CAH-001", "-o", "-")
        self.assertEqual((r.rc, r.out), (1, ""), r)
        self.assertNotIn("goes to a file", r.err)

    def test_ticket_list_all_shows_when_who_and_how_a_ticket_was_closed(self):
        # the table left out who closed a ticket and what was done, which the document holds
        opened = json.loads(self.cw("ticket", "add", "TD-01", "--action", "clean_lens",
                                    "--note", "Kính bẩn, hình mờ", "--json").out)
        r = self.cw("ticket", "close", str(opened["id"]), "--note", "Đã lau kính, hình rõ",
                    "--json")
        self.assertEqual(r.rc, 0, r)
        closed = json.loads(r.out)
        doc = [t for t in json.loads(self.cw("ticket", "list", "--all", "--json").out)
               if t["id"] == opened["id"]]
        self.assertEqual(doc, [closed])
        self.assertEqual(closed["closed_by"], pwd.getpwuid(os.getuid()).pw_name)
        r = self.cw("ticket", "list", "--all")
        self.assertEqual(r.rc, 0, r)
        rows = table(r.out)
        row = [w for w in rows if w["ID"] == str(opened["id"])]
        self.assertEqual(len(row), 1, r.out)
        # the document's time, in the site's zone as every table shows it
        when = closed["closed"][:-6].replace("T", " ")
        self.assertEqual((row[0]["STATE"], row[0]["CLOSED"], row[0]["CLOSED BY"],
                          row[0]["CLOSING NOTE"], row[0]["NOTE"]),
                         ("closed", when, closed["closed_by"], "Đã lau kính, hình rõ",
                          "Kính bẩn, hình mờ"), r.out)
        # an open ticket has nothing in those columns; without --all the table is the open ones
        other = json.loads(self.cw("ticket", "add", "CAH-001", "--action", "reaim", "--note",
                                   "Lệch góc", "--json").out)
        rows = table(self.cw("ticket", "list", "--all").out)
        row = [w for w in rows if w["ID"] == str(other["id"])][0]
        self.assertEqual((row["STATE"], row["CLOSED"], row["CLOSED BY"], row["CLOSING NOTE"]),
                         ("open", "", "", ""))
        r = self.cw("ticket", "list")
        self.assertEqual([w["ID"] for w in table(r.out)], [str(other["id"])], r.out)


def table(text):
    """A CLI table as a list of {head: cell}; a cell is cut at the start of the next column's
    head (cells of left-aligned columns start under their head), so an empty one reads ""."""
    lines = text.splitlines()
    heads = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", lines[0])]
    rows = []
    for line in lines[1:]:
        cells = {}
        for i, (at, head) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else len(line)
            start = 0 if i == 0 else at
            cells[head] = line[start:end].strip()
        rows.append(cells)
    return rows


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main()
