#!/usr/bin/python3
"""An investigator's copy of the store on read-only media: `camwatch` could not read
camwatch.db alone on a read-only medium ("cannot read schema version: unable to open database
file": SQLite cannot make the -shm a WAL database's readers share), though `sqlite3
'file:...?immutable=1'` reads it. Now the CLI reads such a copy as immutable when no -wal is
beside it; with a -wal but no -shm it says to copy both. The folder's name holds '#', '?', '%',
a space and Vietnamese letters: the URI must encode them. The read-only medium is a read-only
bind mount in a mount namespace the test makes for itself (it re-executes itself under
`unshare -m` as root, `unshare -rm` otherwise, with --inside).

    /usr/bin/python3 tests/integration/test_readonly_copy.py --build build [-v]

When the machine allows no mount namespace the test fails saying so, unless
CW_SKIP_MOUNTNS=1 (then it says it skipped and exits 0)."""
import os
import shutil
import sqlite3
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

INSIDE = cwtest.take_inside_flag()


class ReadOnlyCopyTest(unittest.TestCase):
    def setUp(self):
        self.tmp, _ = self.enterContext(cwtest.fixtures("cw-rocopy-"))
        refused = cwtest.closed_port()
        site = os.path.join(self.tmp, "site")
        self.conf = cwtest.write_config(site, [
            cwtest.camera("C00001", cwtest.rtsp_url(refused, "/a"))],
            probe={"interval": "2s", "timeout": "900ms", "slow": "800ms", "down_after": "1"})
        r = cwtest.camwatchd(self.conf, "--once")
        self.assertEqual(r.rc, 0, r)
        self.db = os.path.join(site, "var", "camwatch.db")
        self.assertFalse(os.path.exists(self.db + "-wal"), "the daemon left its WAL")

    def read_only(self, folder):
        """Mount folder over itself read-only, undone at cleanup."""
        subprocess.run(["mount", "--bind", folder, folder], check=True)
        self.addCleanup(subprocess.run, ["umount", folder], check=False)
        subprocess.run(["mount", "-o", "remount,ro,bind", folder], check=True)
        with self.assertRaises(OSError):
            open(os.path.join(folder, "probe"), "w").close()

    def copy_conf(self, folder):
        db = os.path.join(folder, "camwatch.db")
        return db, cwtest.conf_variant(self.conf, "database = var/camwatch.db",
                                       "database = " + db, ".copy")

    def test_a_copy_alone_on_read_only_media_is_read(self):
        folder = os.path.join(self.tmp, "bản sao #1 ?x%20y")
        os.makedirs(folder)
        db, conf = self.copy_conf(folder)
        shutil.copy(self.db, db)
        self.read_only(folder)
        r = cwtest.camwatch(conf, "status", "--json")
        self.assertEqual(r.rc, 0, r)
        self.assertIn('"C00001"', r.out)
        self.assertIn('"down"', r.out)
        self.assertEqual(sorted(os.listdir(folder)), ["camwatch.db"])

    def test_a_copy_with_its_wal_but_no_shm_says_what_to_copy(self):
        folder = os.path.join(self.tmp, "evidence")
        os.makedirs(folder)
        db, conf = self.copy_conf(folder)
        # A store with writes still in its WAL: copied (db and -wal) while open, as an
        # investigator copying a running daemon's folder without its -shm.
        con = sqlite3.connect(self.db)
        con.execute("PRAGMA wal_autocheckpoint = 0")
        con.execute("UPDATE camera SET address = 'trong WAL'")
        con.commit()
        shutil.copy(self.db, db)
        shutil.copy(self.db + "-wal", db + "-wal")
        con.close()
        self.read_only(folder)
        r = cwtest.camwatch(conf, "status", "--json")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("copy %s-wal and %s-shm too" % (db, db), r.err)


if __name__ == "__main__":
    cwtest.build_dir()
    if not INSIDE:
        cwtest.enter_namespace("m", __file__, "CW_SKIP_MOUNTNS",
                               "A read-only medium is only ever mounted inside one this test "
                               "makes")
    unittest.main(verbosity=2)
