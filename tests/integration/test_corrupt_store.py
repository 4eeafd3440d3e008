"""A store with a page of junk (the reviewer overwrote page 6): the daemon wrote a camera's
state change into it, was refused ("database disk image is malformed"), dropped the write,
called the store writable with nothing dropped, left the camera unknown for good and exited
0. Now a damaged store is a failing one: the write is kept, the vitals say not writable with
SQLite's words, an error line says how to repair it (sqlite3 DB ".recover"), and the daemon
exits 1 because what it decided is not in the store.

    /usr/bin/python3 tests/integration/test_corrupt_store.py --build build [-v]"""
import json
import os
import sqlite3
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402


def corrupt_table(db, table):
    """Overwrite the first page of table's rows with junk, the WAL checkpointed first."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,)).fetchone()[0]
    size = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    with open(db, "r+b") as f:
        f.seek((page - 1) * size)
        f.write(b"\xa5" * size)


class CorruptStoreTest(unittest.TestCase):
    def test_a_corrupt_page_keeps_the_write_and_the_daemon_says_so(self):
        tmp, _ = self.enterContext(cwtest.fixtures("cw-corrupt-"))
        refused = cwtest.closed_port()
        site = os.path.join(tmp, "site")
        probe = {"interval": "2s", "timeout": "900ms", "slow": "800ms", "down_after": "1"}
        cams = [cwtest.camera("C00001", cwtest.rtsp_url(refused, "/a"))]
        conf = cwtest.write_config(site, cams, probe=probe)
        r = cwtest.camwatchd(conf, "--once")
        self.assertEqual(r.rc, 0, r)
        db = os.path.join(site, "var", "camwatch.db")
        corrupt_table(db, "event")

        # A camera joins: its first verdict is a state change, an event row.
        cwtest.write_config(site, cams + [cwtest.camera("C00004", cwtest.rtsp_url(refused, "/d"))],
                            probe=probe)
        r = cwtest.camwatchd(conf, "--once")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("health: camera=C00004 unknown->down", r.err)
        self.assertNotIn("is dropped", r.err)
        self.assertRegex(r.err, r"store: \S*camwatch\.db is damaged \(event for C00004: "
                                r"database disk image is malformed\)")
        self.assertIn('.recover"', r.err)
        self.assertIn("writes could not be written and are lost", r.err)
        with open(db + ".daemon.json", encoding="utf-8") as f:
            store = json.load(f)["store"]
        self.assertFalse(store["writable"], store)
        self.assertIn("malformed", store["error"])
        self.assertGreater(store["pending"], 0)
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        state = con.execute("SELECT state FROM camera WHERE id = 'C00004'").fetchone()[0]
        con.close()
        self.assertEqual(state, "unknown")  # not written: the daemon said so, by its exit


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
