"""The daemon's HTTP API over real loopback (http.client): every endpoint under every role,
the same documents the CLI prints, clear JSON errors for bad input, nothing readable outside
the thumbnail folder, SQL metacharacters taken as data, failed logins held without holding
the loop, a hostile client's connections capped, tokens taken up without a restart.

The site: CAH-001 on GStreamer's RTSP server (up, with a real stream sample and thumbnail),
CAH-002 a 404 mount and TD-01 a DESCRIBE-only camera of rtsp_fault.py, CHO-01 a closed port.
`camwatchd --once` (one stream worker) fills the store first; the daemon then runs with
samples off and an hour between probes, so after its first probes the store stays still and
the API's and the CLI's documents can be compared exactly. Waits are polls for a condition
with a generous deadline, never assertions about time."""
import hashlib
import http.client
import itertools
import json
import os
import signal
import socket
import sqlite3
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

CAMS = ("CAH-001", "CAH-002", "TD-01", "CHO-01")
ROLES = ("viewer", "investigator", "admin")
RANK = {None: 0, "viewer": 1, "investigator": 2, "admin": 3}
CAPTURES = {"{id}": "CAH-001", "{file}": "app.js", "{request}": "1", "{export}": "request-1-1",
            "{name}": "manifest.json", "{kind}": "backlog", "{ticket}": "1"}

# Every endpoint, the least role it needs, and what an allowed request gets here. The test
# checks this table against the daemon's own (GET /api/v1), both ways.
ENDPOINTS = {
    ("GET", "/"): (None, 200),  # the dashboard's files: public, they hold no data
    ("GET", "/static/{file}"): (None, 200),
    ("GET", "/healthz"): ("viewer", 200),
    ("GET", "/metrics"): ("viewer", 200),
    ("GET", "/api/v1"): ("viewer", 200),
    ("GET", "/api/v1/whoami"): ("viewer", 200),
    ("GET", "/api/v1/daemon"): ("viewer", 200),
    ("GET", "/api/v1/cameras"): ("viewer", 200),
    ("GET", "/api/v1/cameras/{id}"): ("viewer", 200),
    ("GET", "/api/v1/cameras/{id}/samples"): ("viewer", 200),
    ("GET", "/api/v1/cameras/{id}/device"): ("viewer", 404),  # no ONVIF on this site
    ("GET", "/api/v1/cameras/{id}/thumbnail"): ("viewer", 200),
    ("POST", "/api/v1/cameras/{id}/maintenance"): ("admin", 200),
    ("DELETE", "/api/v1/cameras/{id}/reference"): ("admin", 200),
    ("GET", "/api/v1/events"): ("viewer", 200),
    ("GET", "/api/v1/uptime"): ("viewer", 200),
    ("GET", "/api/v1/clock"): ("viewer", 200),
    ("GET", "/api/v1/footage"): ("investigator", 200),
    ("GET", "/api/v1/requests"): ("investigator", 200),
    ("POST", "/api/v1/requests"): ("investigator", 201),
    ("GET", "/api/v1/requests/{request}"): ("investigator", 200),
    ("POST", "/api/v1/requests/{request}/export"): ("investigator", 202),
    ("GET", "/api/v1/exports"): ("investigator", 200),
    ("GET", "/api/v1/exports/{export}"): ("investigator", 200),
    ("GET", "/api/v1/exports/{export}/files/{name}"): ("investigator", 200),
    ("GET", "/api/v1/reports/{kind}"): ("viewer", 200),
    ("GET", "/api/v1/tickets"): ("viewer", 200),
    ("POST", "/api/v1/tickets"): ("admin", 201),
    ("POST", "/api/v1/tickets/{ticket}/close"): ("admin", 200),
}
BODIES = {"/api/v1/cameras/{id}/maintenance": {"on": False},
          "/api/v1/requests": {"from": "-1h", "to": "now", "camera": "CAH-001",
                               "case": "VV-01/2026", "reason": "trộm xe máy"},
          "/api/v1/tickets": {"camera": "CHO-01", "action": "restore_link"},
          "/api/v1/tickets/{ticket}/close": {"note": "đã thay nguồn"}}
QUERIES = {"/api/v1/footage": "?from=-1h&to=now&camera=CAH-001"}

SQL = ("' OR '1'='1", "x'; DROP TABLE camera; --", "\" OR 1=1 --", "%", "_", "\\", "CAH-001' --",
       "1 UNION SELECT * FROM camera")
SOURCES = itertools.cycle(range(10, 250))  # loopback clients 127.0.0.N for failed logins


NOBODY = 65534  # the second local user of the unix socket tests
DEBIAN_PYTHON = "/usr/bin/python3"  # as ctest runs these; any user may run it
# A client on the unix socket (argv: cwtest's folder, the socket, n): n requests with a wrong
# token, each on a new connection; prints their statuses.
GUESSER = """
import sys
sys.path.insert(0, sys.argv[1])
import test_http_api
print(" ".join(str(test_http_api.unix_http(sys.argv[2], "GET", "/api/v1/whoami",
                                            "cw_guess%d" % i).status)
               for i in range(int(sys.argv[3]))))
"""


def unix_http(path, method, target, token=None, timeout=cwtest.RUN_TIMEOUT_S):
    """A request over a new connection to the daemon's unix socket at path: an Http."""
    class UnixConnection(http.client.HTTPConnection):
        def connect(conn):
            conn.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.sock.settimeout(timeout)
            conn.sock.connect(path)

    conn = UnixConnection("localhost", timeout=timeout)
    try:
        conn.request(method, target,
                     headers={"Authorization": "Bearer " + token} if token else {})
        r = conn.getresponse()
        return cwtest.Http(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def source():
    return "127.0.0.%d" % next(SOURCES)


def fill(pattern, value=None):
    """pattern with each {name} segment made a real one (or value, quoted)."""
    for k, v in CAPTURES.items():
        pattern = pattern.replace(k, quote(value) if value is not None else v)
    return pattern


def quote(s):
    from urllib.parse import quote as q
    return q(s, safe="")


class HttpApiTest(cwtest.FixtureTestCase):
    TMP_PREFIX = "cw-api-"

    @classmethod
    def start(cls):
        gst = cls.procs.fixture("gst_rtsp_server.py", "--mount", "/cam:320x180@5:h264")
        fault = cls.procs.fixture("rtsp_fault.py")
        closed = cwtest.closed_port()
        # A dir recorder: ten minutes of CAH-001 and TD-01, segments of 30 s, made by ffmpeg.
        cls.nvr = os.path.join(cls.tmp, "nvr")
        r = cwtest.run([sys.executable, os.path.join(cwtest.SOURCE_DIR, "tests", "fixtures",
                                                     "footage_tree.py"),
                        "--root", cls.nvr, "--cameras", "CAH-001,TD-01", "--minutes", "10",
                        "--segment", "30"], timeout=300)
        assert r.rc == 0, r
        cams = [cwtest.camera("CAH-001", cwtest.rtsp_url(gst.port, "/cam"), name="Ngã ba QL80",
                              recorder="nvr"),
                cwtest.camera("CAH-002", cwtest.rtsp_url(fault.port, "/notfound")),
                cwtest.camera("TD-01", cwtest.rtsp_url(fault.port, "/ok"), owner="CAX",
                              commune="Tân Dương", name="Chợ Tân Dương", recorder="nvr"),
                cwtest.camera("CHO-01", cwtest.rtsp_url(closed, "/x"), owner="BQLC")]
        cls.port = cwtest.free_port()
        site = os.path.join(cls.tmp, "site")
        probe = {"interval": "1h", "timeout": "10s", "slow": "9s", "down_after": "1",
                 "up_after": "1"}
        stream = {"workers": "1", "sample": "2s", "interval": "10m", "timeout": "20s",
                  "thumb_width": "160"}
        # a small picture is fine here: CAH-001 is the site's camera that is up
        sections = {"probe.stream": stream,
                    "class default": {"min_width": "160", "min_height": "90", "min_fps": "4"},
                    "recorder nvr": {"kind": "dir", "path": cls.nvr,
                                     "pattern": "{camera}/%Y-%m-%d/%H-%M-%S.mp4"}}
        cls.sock = os.path.join(cls.tmp, "http.sock")
        cls.http_keys = {"socket": cls.sock}
        cls.conf = cwtest.write_config(site, cams, probe=probe, http_listen="127.0.0.1:%d" %
                                       cls.port, sections=sections, http=cls.http_keys)
        cls.site, cls.cams, cls.probe, cls.sections = site, cams, probe, sections
        r = cwtest.camwatchd(cls.conf, "--once")
        assert r.rc == 0, r
        cls.tokens = {role: cwtest.add_token(cls.conf, "t-" + role, role) for role in ROLES}
        cls.exports = os.path.join(site, "var", "exports")
        os.makedirs(cls.exports, mode=0o750)
        # Request 1 and its export request-1-1, made by the CLI before the daemon starts: the
        # API serves exports it did not make itself, from their folder.
        for argv in (["request", "create", "--from", "-20m", "--to", "now", "--camera",
                      "CAH-001", "--case", "VV-00", "--reason", "setup", "--by", "setup"],
                     ["request", "export", "1", "--out",
                      os.path.join(cls.exports, "request-1-1"), "--by", "setup"]):
            r = cwtest.camwatch(cls.conf, *argv)
            assert r.rc == 0, r
            if argv[1] == "create":  # the id, and on stderr what to do with it
                assert r.out == "1\n", r
                assert "request 1 stored; `camwatch request show 1` lists" in r.err, r
        stream["workers"] = "0"  # the daemon: liveness only, so the store stays still
        cls.write()
        cls.db = os.path.join(site, "var", "camwatch.db")
        cls.cache = os.path.join(site, "var", "cache")
        cls.daemon = cls.procs.start([cwtest.program("camwatchd"), "-v", "-c", cls.conf],
                                     name="camwatchd")
        cwtest.wait_http(cls.port, cls.tokens["viewer"], cls.daemon)

    @classmethod
    def write(cls, **http):
        cwtest.write_config(cls.site, cls.cams, probe=cls.probe,
                            http_listen="127.0.0.1:%d" % cls.port, sections=cls.sections,
                            http=dict(cls.http_keys, **http))

    def new_ticket(self):
        r = cwtest.camwatch(self.conf, "ticket", "add", "CHO-01", "--action", "clean_lens",
                            "--note", "bẩn ống kính", "--json")
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)["id"]

    def audit(self, after=0):
        """The audit rows after id after: [(id, actor, action, subject, detail)]."""
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=30) as db:
            return db.execute("SELECT id, actor, action, subject, detail FROM audit WHERE id > ?"
                              " ORDER BY id", (after,)).fetchall()

    def last_audit_id(self):
        rows = self.audit()
        return rows[-1][0] if rows else 0

    def ask(self, method, path, role="admin", body=None, **kw):
        return cwtest.http(self.port, method, path, self.tokens.get(role), body=body, **kw)

    def error_of(self, r, status, error=None):
        """r is a JSON error {error, detail} with status (and error, when given)."""
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.headers.get("content-type"), "application/json; charset=utf-8")
        doc = r.json()
        self.assertEqual(sorted(doc), ["detail", "error"], doc)
        self.assertTrue(doc["detail"], doc)
        if error is not None:
            self.assertEqual(doc["error"], error, doc)
        return doc

    def stable(self, fetch):
        """fetch() twice in a row with the same answer: the store was still between them."""
        def same():
            a = fetch()
            b = fetch()
            return a == b and (a,)
        return cwtest.wait_for("a quiet store", same, proc=self.daemon)[0]

    # ---- the role matrix ----

    def test_role_matrix_holds_on_every_endpoint(self):
        index = self.ask("GET", "/api/v1", "viewer").json()["endpoints"]
        self.assertEqual({(e["method"], e["path"]): e["role"] for e in index},
                         {k: v[0] for k, v in ENDPOINTS.items()},
                         "the daemon's table of endpoints is the one this test checks")
        # the thumbnail exists once the --once sample made it
        for (method, pattern), (least, ok) in ENDPOINTS.items():
            path = fill(pattern) + QUERIES.get(pattern, "")
            body = BODIES.get(pattern)
            with self.subTest(endpoint="%s %s" % (method, pattern)):
                # no token, and a token that is not one (each from a client of its own, so the
                # hold on repeated failures does not slow this test)
                r = cwtest.http(self.port, method, path, None, body=body, source=source())
                r2 = cwtest.http(self.port, method, path, "cw_not-a-token", body=body,
                                 source=source())
                if least is None:
                    self.assertEqual((r.status, r2.status), (ok, ok))
                    continue
                self.error_of(r, 401, "unauthorized")
                self.assertEqual(r.headers.get("www-authenticate"), 'Bearer realm="camwatch"')
                self.error_of(r2, 401, "unauthorized")
                for role in ROLES:
                    if pattern == "/api/v1/tickets/{ticket}/close":
                        path = fill(pattern).replace("/1/", "/%d/" % self.new_ticket())
                    r = self.ask(method, path, role, body=body)
                    if RANK[role] < RANK[least]:
                        doc = self.error_of(r, 403, "forbidden")
                        self.assertIn("needs the %s role" % least, doc["detail"])
                    else:
                        self.assertEqual(r.status, ok, (role, r))

    def test_dashboard_files_are_built_in_with_etags(self):
        page = cwtest.http(self.port, "GET", "/")
        self.assertEqual(page.status, 200)
        self.assertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        self.assertIn(b'<script src="/static/app.js">', page.body)
        self.assertIn("default-src 'self'", page.headers["content-security-policy"])
        with open(os.path.join(cwtest.SOURCE_DIR, "web", "app.js"), "rb") as f:
            source = f.read()
        js = cwtest.http(self.port, "GET", "/static/app.js")
        self.assertEqual((js.status, js.body), (200, source))
        again = cwtest.http(self.port, "GET", "/static/app.js",
                            headers={"If-None-Match": js.headers["etag"]})
        self.assertEqual((again.status, again.body), (304, b""))
        self.error_of(cwtest.http(self.port, "GET", "/static/../camwatch.conf"), 404)
        self.error_of(cwtest.http(self.port, "GET", "/static/nope.js"), 404, "not_found")

    def test_dashboard_page_and_files_ignore_query_parameters(self):
        # a bookmark or a link with a tracking parameter opens the page; the API endpoints
        # still refuse a parameter they do not take
        page = cwtest.http(self.port, "GET", "/")
        for path in ("/?x=1", "/?utm_source=mail&utm_source=again", "/?flag",
                     "/static/app.js?v=3"):
            with self.subTest(path=path):
                r = cwtest.http(self.port, "GET", path)
                self.assertEqual(r.status, 200, r)
                want = page.body if not path.startswith("/static/") else r.body
                self.assertEqual(r.body, want)
        self.assertIn(b"<html", cwtest.http(self.port, "GET", "/?x=1").body.lower())
        doc = self.error_of(self.ask("GET", "/api/v1/whoami?x=1", "viewer"), 400,
                            "bad_parameter")
        self.assertIn("x", doc["detail"])

    def test_absolute_request_target_is_routed_as_its_path(self):
        # RFC 9112 3.2.2: a server takes the absolute form; whatever host it names, the path
        # and query in it are what is asked (nothing is proxied)
        for host in ("127.0.0.1:%d" % self.port, "camwatch.example", "HOST:1"):
            with self.subTest(host=host):
                r = self.ask("GET", "http://%s/api/v1/whoami" % host, "viewer")
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["name"], "t-viewer", r)
        r = self.ask("GET", "HTTP://127.0.0.1/api/v1/cameras?state=down", "viewer")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), self.ask("GET", "/api/v1/cameras?state=down",
                                            "viewer").json())
        self.assertEqual(cwtest.http(self.port, "GET", "http://127.0.0.1").status, 200)
        self.error_of(self.ask("GET", "http://127.0.0.1/api/v1/events?colour=blue", "viewer"),
                      400, "bad_parameter")
        doc = self.error_of(self.ask("GET", "http://127.0.0.1/api/v1/nope", "viewer"), 404,
                            "not_found")
        self.assertIn("/api/v1/nope", doc["detail"])
        self.assertNotIn("127.0.0.1", doc["detail"])
        # not the absolute form: a path that only looks like one is not taken apart
        self.error_of(self.ask("GET", "/http://x/api/v1/whoami", "viewer"), 404, "not_found")

    def test_what_a_token_reads_is_never_kept_by_a_cache(self):
        # Evidence footage, reports and documents fetched with a token must not stay in the
        # browser's disk cache (a shared PC) or a proxy's: every such answer says no-store,
        # the dashboard's own files (no data in them) are revalidated instead.
        for role, path in (("investigator", "/api/v1/exports/request-1-1/files/manifest.json"),
                           ("investigator", "/api/v1/exports/request-1-1/files/SHA256SUMS"),
                           ("viewer", "/api/v1/reports/backlog?format=csv"),
                           ("viewer", "/api/v1/reports/availability?format=html"),
                           ("viewer", "/api/v1/reports/backlog?format=xlsx"),
                           ("viewer", "/metrics"), ("viewer", "/healthz"),
                           ("viewer", "/api/v1/cameras"), ("viewer", "/api/v1/nope"),
                           (None, "/api/v1/cameras")):
            for method in ("GET", "HEAD"):
                with self.subTest(path=path, method=method):
                    r = cwtest.http(self.port, method, path, self.tokens.get(role),
                                    source=source())
                    self.assertEqual(r.headers.get("cache-control"), "no-store", r)
                    self.assertEqual(r.headers.get("x-content-type-options"), "nosniff", r)
        for path in ("/", "/static/app.js"):
            self.assertEqual(cwtest.http(self.port, "GET", path).headers["cache-control"],
                             "no-cache")

    def test_unknown_endpoint_method_and_parameter_are_json_errors(self):
        self.error_of(self.ask("GET", "/api/v1/nope"), 404, "not_found")
        self.error_of(self.ask("GET", "/api/v1/cameras/"), 404, "not_found")
        r = self.ask("PUT", "/api/v1/cameras")
        self.error_of(r, 405, "method_not_allowed")
        self.assertEqual(r.headers.get("allow"), "GET, HEAD")
        doc = self.error_of(self.ask("GET", "/api/v1/events?colour=blue"), 400, "bad_parameter")
        self.assertIn("colour", doc["detail"])
        # a parameter given twice: only one would be read, so neither is
        doc = self.error_of(self.ask("GET", "/api/v1/cameras?state=up&state=down"), 400,
                            "bad_parameter")
        self.assertTrue(doc["detail"].startswith("state: given twice"), doc)
        doc = self.error_of(self.ask("GET", "/api/v1/footage?from=-1h&to=now&camera=CAH-001"
                                     "&camera=TD-01"), 400, "bad_parameter")
        self.assertTrue(doc["detail"].startswith("camera: given twice"), doc)
        r = self.ask("HEAD", "/api/v1/cameras")
        self.assertEqual((r.status, r.body), (200, b""))

    def test_a_parameter_without_a_value_is_a_400_not_its_default(self):
        # "?limit" or "?since" (no '='): read as absent they would answer the default page or
        # range as if it were the one asked for
        for path, name in (("/api/v1/events?limit", "limit"),
                           ("/api/v1/events?camera=CAH-001&since", "since"),
                           ("/api/v1/cameras?state", "state"),
                           ("/api/v1/uptime?from=-2d&to", "to"),
                           ("/api/v1/reports/backlog?format", "format"),
                           ("/api/v1/tickets?all", "all"),
                           ("/api/v1/footage?from=-1h&to=now&camera=CAH-001&radius", "radius")):
            with self.subTest(path=path):
                doc = self.error_of(self.ask("GET", path), 400, "bad_parameter")
                self.assertEqual(doc["detail"], "%s: no value: write %s=VALUE" % (name, name))
        # an empty value is a value, judged as such
        doc = self.error_of(self.ask("GET", "/api/v1/events?limit="), 400, "bad_parameter")
        self.assertIn("limit: expected a whole number", doc["detail"])

    # ---- the same documents as the CLI ----

    def test_documents_are_the_cli_documents(self):
        def both(path, *cli):
            api = self.ask("GET", path, "viewer")
            self.assertEqual(api.status, 200, api)
            res = cwtest.camwatch(self.conf, *cli)
            self.assertEqual(res.rc, 0, res)
            return api.json(), json.loads(res.out)

        a, c = self.stable(lambda: both("/api/v1/cameras", "status", "--json"))
        self.assertEqual(a, c)
        self.assertEqual(sorted(o["id"] for o in a), sorted(CAMS))
        by = {o["id"]: o for o in a}
        self.assertEqual(by["CAH-001"]["state"], "up", by["CAH-001"])
        self.assertEqual(by["CAH-002"]["state"], "down")
        self.assertIn("not found", by["CAH-002"]["reason"])
        self.assertEqual(by["CHO-01"]["state"], "down")
        a, c = self.stable(lambda: both("/api/v1/events?since=-1d&limit=10000", "events",
                                        "--since", "-1d", "--json"))
        self.assertEqual(a["events"], c)
        self.assertIsNone(a["next"])
        # a fixed range (it ends a second ago: a range into the future is counted up to now)
        frm = "2020-01-01T00:00:00+07:00"
        to = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        a, c = self.stable(lambda: both("/api/v1/uptime?from=%s&to=%s" % (quote(frm), quote(to)),
                                        "uptime", "--from", frm, "--to", to, "--json"))
        self.assertEqual(a, c)
        future = "2040-01-01T00:00:00+07:00"
        for path in ("/api/v1/uptime?from=%s&to=%s", "/api/v1/reports/availability?from=%s&to=%s"):
            doc = self.ask("GET", path % (quote(frm), quote(future)), "viewer").json()
            self.assertLessEqual(doc["to_ms"], time.time() * 1000, (path, doc["to"]))
            doc = self.error_of(self.ask("GET", path % (quote(future), quote(future))), 400,
                                "bad_parameter")
            self.assertEqual(doc["detail"], "from: '%s' is in the future" % future)
        a, c = self.stable(lambda: both("/api/v1/cameras/CAH-001/samples?since=-1d", "samples",
                                        "CAH-001", "--since", "-1d", "--json"))
        self.assertEqual(a, c)
        self.assertTrue(a and a[-1]["ok"], a)
        a, c = self.stable(lambda: both("/api/v1/clock", "clock", "--json"))
        self.assertEqual(a, c)
        one = self.ask("GET", "/api/v1/cameras/CAH-001", "viewer").json()
        self.assertEqual(sorted(one), ["device", "events", "samples", "status"])
        self.assertEqual(one["status"]["id"], "CAH-001")
        self.assertIsNone(one["device"])
        # the errors the CLI prints, as JSON
        r = self.ask("GET", "/api/v1/cameras/NOPE", "viewer")
        self.assertEqual(self.error_of(r, 404, "not_found")["detail"], "unknown camera 'NOPE'")
        res = cwtest.camwatch(self.conf, "samples", "NOPE")
        self.assertIn("unknown camera 'NOPE'", res.err)

    def test_filters_and_parameters(self):
        def ids(query):
            r = self.ask("GET", "/api/v1/cameras" + query, "viewer")
            self.assertEqual(r.status, 200, r)
            return sorted(o["id"] for o in r.json())

        self.assertEqual(ids("?owner=cah"), ["CAH-001", "CAH-002"])
        self.assertEqual(ids("?commune=" + quote("tan duong")), ["TD-01"])
        self.assertEqual(ids("?state=down"), ["CAH-002", "CHO-01"])
        self.assertEqual(ids("?owner=CAH&state=up"), ["CAH-001"])
        doc = self.error_of(self.ask("GET", "/api/v1/cameras?state=broken"), 400,
                            "bad_parameter")
        self.assertIn("state", doc["detail"])
        for q in ("since=yesterday", "limit=0", "limit=10001", "limit=-1", "limit=1.5"):
            with self.subTest(query=q):
                self.error_of(self.ask("GET", "/api/v1/events?" + q), 400, "bad_parameter")
        self.error_of(self.ask("GET", "/api/v1/uptime?by=day"), 400, "bad_parameter")
        self.error_of(self.ask("GET", "/api/v1/uptime?from=now&to=-1d"), 400, "bad_parameter")
        # a value the document refuses is named as its parameter, as the others are
        doc = self.error_of(self.ask("GET", "/api/v1/events?after=garbage"), 400,
                            "bad_parameter")
        self.assertTrue(doc["detail"].startswith("after: "), doc)
        doc = self.error_of(self.ask("GET", "/api/v1/cameras?flag=bogus"), 400, "bad_parameter")
        self.assertTrue(doc["detail"].startswith("flag: unknown flag 'bogus' (one of: "), doc)
        # a relative time without its unit (meant as 7 days) says so, as the CLI's --since does
        doc = self.error_of(self.ask("GET", "/api/v1/events?since=-7"), 400, "bad_parameter")
        self.assertEqual(doc["detail"], "since: bad time '-7': a relative time needs its unit: ms, "
                         "s, m, h or d (e.g. -7d)", doc)
        # events page by page: every event once
        seen, after = [], None
        while True:
            q = "/api/v1/events?since=-1d&limit=1" + ("&after=" + quote(after) if after else "")
            page = self.ask("GET", q, "viewer").json()
            seen += page["events"]
            after = page["next"]
            if after is None:
                break
        whole = self.ask("GET", "/api/v1/events?since=-1d", "viewer").json()["events"]
        self.assertEqual([e["at_ms"] for e in seen], [e["at_ms"] for e in whole[:len(seen)]])
        self.assertGreaterEqual(len(seen), len(CAMS))

    # ---- bad input ----

    def test_sql_metacharacters_in_every_parameter_are_data(self):
        before = self.ask("GET", "/api/v1/cameras", "viewer").json()
        index = self.ask("GET", "/api/v1", "viewer").json()["endpoints"]
        for e in index:
            for value in SQL:
                path = fill(e["path"], value)
                if "{" in e["path"]:
                    with self.subTest(path=e["path"], value=value):
                        r = self.ask(e["method"], path, body=BODIES.get(e["path"]))
                        self.error_of(r, 404, "not_found")
                for p in e["params"]:
                    with self.subTest(path=e["path"], param=p, value=value):
                        r = self.ask(e["method"], "%s?%s=%s" % (
                            fill(e["path"]), p, quote(value)),
                            body=BODIES.get(e["path"]))
                        self.assertIn(r.status, (200, 400, 404), r)
                        if r.status == 200 and e["path"] == "/api/v1/cameras":
                            self.assertEqual(r.json(), [], "a filter that matches nothing")
                        elif r.status != 200:
                            self.error_of(r, r.status)
        # the store is intact and answers as before
        after = self.ask("GET", "/api/v1/cameras", "viewer").json()
        self.assertEqual(sorted(o["id"] for o in after), sorted(o["id"] for o in before))
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(db.execute("SELECT count(*) FROM camera").fetchone()[0], len(CAMS))

    def test_percent_escapes_cannot_alias_an_id_or_hide_the_parameter(self):
        # %00 decoded would cut the id short: CAH-001%00x must not be CAH-001, for a read or
        # a write
        doc = self.error_of(self.ask("GET", "/api/v1/cameras/CAH-001%00x", "viewer"), 404)
        self.assertIn("CAH-001%00x", doc["detail"])
        self.error_of(self.ask("POST", "/api/v1/cameras/CAH-001%00x/maintenance",
                               body={"on": True}), 404, "not_found")
        st = self.ask("GET", "/api/v1/cameras/CAH-001", "viewer").json()["status"]
        self.assertNotEqual(st["state"], "maintenance")
        doc = self.error_of(self.ask("GET", "/api/v1/events?camera=CAH-001%00", "viewer"), 404)
        self.assertIn("CAH-001%00", doc["detail"])
        # bytes that are not UTF-8 are shown as U+FFFD: the detail still names the parameter
        doc = self.error_of(self.ask("GET", "/api/v1/events?since=%FF%C0%80", "viewer"), 400,
                            "bad_parameter")
        self.assertTrue(doc["detail"].startswith("since: bad time '\ufffd"), doc)
        # and the usual escapes still work
        self.assertEqual(self.ask("GET", "/api/v1/cameras/CAH%2D001", "viewer").status, 200)

    def test_malformed_bodies_get_clear_json_errors(self):
        path = "/api/v1/cameras/CAH-001/maintenance"
        cases = [(b"", "not valid JSON"), (b"{\"on\": tru", "not valid JSON"),
                 (b"[true]", "expected a JSON object"), (b"{}", "field 'on' is required"),
                 (b"{\"on\": \"yes\"}", "field 'on' must be true or false"),
                 (b"{\"on\": true, \"on\": false}", "duplicate"),
                 (b"{\"on\": true, \"who\": \"me\"}", "unknown field 'who'"),
                 (b"{\"on\": true, \"note\": \"" + b"x" * 501 + b"\"}", "longer than 500"),
                 (b"{\"on\": true, \"note\": \"\xc3\x28\"}", "not valid JSON"),
                 (b"{\"on\": true, \"note\": \"a\\u0000b\"}", "not valid JSON"),
                 # a field's value the document refuses is the body's fault too, named so
                 (b"{\"on\": true, \"note\": \"a\\nb\"}", "field 'note': a control character")]
        for body, why in cases:
            with self.subTest(body=body[:40]):
                doc = self.error_of(self.ask("POST", path, body=body), 400, "bad_body")
                self.assertIn(why, doc["detail"])
        st = self.ask("GET", "/api/v1/cameras/CAH-001", "viewer").json()["status"]
        self.assertNotEqual(st["state"], "maintenance", "no bad body changed anything")

    def test_huge_bodies_are_refused_before_they_are_read(self):
        # declared: the answer comes with only the headers sent
        with socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(("POST /api/v1/cameras/CAH-001/maintenance HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer %s\r\nContent-Length: 1000000000\r\n\r\n"
                       % self.tokens["admin"]).encode())
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 413"), answer)
        self.assertIn(b'"error":"too_large"', body)
        # chunked, without a length: refused once past the limit
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.putrequest("POST", "/api/v1/cameras/CAH-001/maintenance")
            conn.putheader("Authorization", "Bearer " + self.tokens["admin"])
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            chunk = b"x" * 65536
            for _ in range(4):
                conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            conn.send(b"0\r\n\r\n")
            r = conn.getresponse()
            self.error_of(cwtest.Http(r.status, {k.lower(): v for k, v in r.getheaders()},
                                      r.read()), 413, "too_large")
        finally:
            conn.close()
        self.assertEqual(self.ask("GET", "/healthz").status, 200)

    # ---- files ----

    def test_thumbnail_is_a_jpeg_with_ranges(self):
        r = self.ask("GET", "/api/v1/cameras/CAH-001/thumbnail", "viewer")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get("content-type"), "image/jpeg")
        self.assertEqual((r.body[:2], r.body[-2:]), (b"\xff\xd8", b"\xff\xd9"))
        part = self.ask("GET", "/api/v1/cameras/CAH-001/thumbnail", "viewer",
                        headers={"Range": "bytes=0-9"})
        self.assertEqual(part.status, 206)
        self.assertEqual(part.body, r.body[:10])
        self.assertEqual(part.headers["content-range"], "bytes 0-9/%d" % len(r.body))
        self.error_of(self.ask("GET", "/api/v1/cameras/CAH-002/thumbnail", "viewer"), 404,
                      "not_found")

    def test_nothing_outside_the_thumbnail_folder_is_served(self):
        secret = os.path.join(self.tmp, "secret.jpg")
        with open(secret, "wb") as f:
            f.write(b"\xff\xd8 not for the API \xff\xd9")
        link = os.path.join(self.cache, "thumbs", "link.jpg")
        os.symlink(secret, link)
        planted = [secret, "/etc/passwd", os.path.join(self.cache, "..", "camwatch.db"), link,
                   os.path.join(self.cache, "thumbs"), "/dev/zero"]
        try:
            for path in planted:
                with self.subTest(path=path):
                    # a store that names a file outside (a hostile or damaged row)
                    with sqlite3.connect(self.db, timeout=30) as db:
                        db.execute("UPDATE camera SET thumb_path = ? WHERE id = 'CHO-01'",
                                   (path,))
                    r = self.ask("GET", "/api/v1/cameras/CHO-01/thumbnail", "viewer")
                    doc = self.error_of(r, 404, "not_found")
                    self.assertNotIn(b"not for the API", r.body)
                    self.assertNotIn(path, doc["detail"])
        finally:
            with sqlite3.connect(self.db, timeout=30) as db:
                db.execute("UPDATE camera SET thumb_path = NULL WHERE id = 'CHO-01'")
            os.unlink(link)
        # traversal in the URL: no such camera, whatever the encoding
        for path in ("/api/v1/cameras/../../../etc/passwd/thumbnail",
                     "/api/v1/cameras/..%2F..%2F..%2Fetc%2Fpasswd/thumbnail",
                     "/api/v1/cameras/%2e%2e/thumbnail", "/api/v1/cameras/..%00/thumbnail",
                     "/api/v1/../../etc/passwd"):
            with self.subTest(url=path):
                r = self.ask("GET", path, "viewer")
                self.assertIn(r.status, (400, 404), r)
                self.assertNotIn(b"root:", r.body)

    # ---- who may ask ----

    def test_failed_logins_are_held_without_holding_the_loop(self):
        bad, results = source(), []

        def attempt():
            results.append(cwtest.http(self.port, "GET", "/api/v1/cameras", "cw_wrong",
                                       source=bad))

        def held():
            text = self.ask("GET", "/metrics", "viewer").body.decode()
            line = [x for x in text.splitlines()
                    if x.startswith("camwatch_http_held_requests ")]
            return int(line[0].split()[1]) if line else 0

        before = self.metric("camwatch_http_auth_held_total")
        # eight at once from one client: three answered at once, then held 0.5, 1, 2, 4, 8 s
        threads = [threading.Thread(target=attempt) for _ in range(8)]
        for t in threads:
            t.start()
        cwtest.wait_for("a held failed login", lambda: held() >= 1, proc=self.daemon)
        # while it is held: other clients, and the same client with a good token, are answered
        self.assertEqual(self.ask("GET", "/healthz").status, 200)
        r = cwtest.http(self.port, "GET", "/api/v1/whoami", self.tokens["viewer"], source=bad)
        self.assertEqual(r.json()["name"], "t-viewer")
        self.assertGreaterEqual(held(), 1, "still held after those answers")
        for t in threads:
            t.join()
        self.assertEqual([r.status for r in results], [401] * 8)
        self.assertEqual(self.metric("camwatch_http_auth_held_total") - before, 5)

    def metric(self, name):
        text = self.ask("GET", "/metrics", "viewer").body.decode()
        return int(float([x for x in text.splitlines() if x.startswith(name + " ")][0].split()[1]))

    def test_a_hostile_client_cannot_take_every_connection(self):
        hostile = source()
        socks = []
        try:
            # far more than a client may hold, each a request begun and never finished
            for _ in range(100):
                s = socket.socket()
                socks.append(s)
                s.bind((hostile, 0))
                try:
                    s.connect(("127.0.0.1", self.port))
                    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                except OSError:
                    pass  # past its share the server closes at once
            # others are still served
            self.assertEqual(self.ask("GET", "/healthz").status, 200)
            self.assertEqual(self.ask("GET", "/api/v1/cameras", "viewer").status, 200)
            self.assertLessEqual(self.metric("camwatch_http_connections"), 64 + 2)
        finally:
            for s in socks:
                s.close()

    def test_a_request_trickled_in_is_cut_off_at_the_timeout(self):
        # Slowloris: a byte of the headers every 2 s is never idle for the 30 s timeout, and
        # would hold its connection for ever ([http] connections of them, every connection).
        # The request must arrive whole within the timeout: the connection is closed, nothing
        # answered, and the others are served meanwhile.
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        head = (b"GET /api/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + self.tokens["viewer"].encode() + b"\r\nX-Slow: " + b"a" * 200)
        got = []

        def closed():
            try:
                sock.sendall(head[len(got):len(got) + 1])
                got.append(1)
                sock.settimeout(2.0)
                data = sock.recv(4096)  # waits 2 s: the trickle's pace
            except socket.timeout:
                return False
            except OSError:
                return True
            self.assertEqual(data, b"", "nothing is answered to a request never whole")
            return True
        try:
            cwtest.wait_for("the trickling connection closed", closed, deadline_s=120,
                            proc=self.daemon, interval=0)
            self.assertLess(len(got), len(head), "the headers were never sent whole")
            self.assertEqual(self.ask("GET", "/api/v1/whoami", "viewer").status, 200)
        finally:
            sock.close()

    def test_tokens_are_taken_up_without_a_restart(self):
        tok = cwtest.add_token(self.conf, "tam-thoi", "investigator")
        cwtest.wait_for("the new token accepted",
                        lambda: cwtest.http(self.port, "GET", "/api/v1/whoami", tok,
                                            source=source()).status == 200,
                        proc=self.daemon)
        doc = cwtest.http(self.port, "GET", "/api/v1/whoami", tok).json()
        self.assertEqual(doc, {"name": "tam-thoi", "role": "investigator", "site": "Test site"})
        r = cwtest.camwatch(self.conf, "token", "remove", "tam-thoi")
        self.assertEqual(r.rc, 0, r)
        cwtest.wait_for("the removed token refused",
                        lambda: cwtest.http(self.port, "GET", "/api/v1/whoami", tok,
                                            source=source()).status == 401,
                        proc=self.daemon)
        listed = cwtest.camwatch(self.conf, "token", "list", "--json")
        self.assertEqual(sorted(t["name"] for t in json.loads(listed.out)["tokens"]),
                         sorted("t-" + r for r in ROLES))

    def test_unix_socket_serves_the_same_api(self):
        import stat

        self.assertEqual(stat.S_IMODE(os.stat(self.sock).st_mode), 0o660)
        for token, status in ((self.tokens["viewer"], 200), (None, 401)):
            r = unix_http(self.sock, "GET", "/api/v1/whoami", token)
            self.assertEqual(r.status, status)
        self.assertIn(b"unauthorized", r.body)

    def test_a_local_user_guessing_tokens_on_the_socket_does_not_hold_another(self):
        # Failed logins on the unix socket are counted per user (SO_PEERCRED), as over TCP per
        # address: all of them once shared one record, so a local process guessing tokens had
        # every other local client's first wrong token held too (the CLI, a proxy).
        import stat

        if os.geteuid() != 0:
            self.skipTest("a second local user needs root to be made")
        # the guesser is user nobody in the socket's group (root): it reaches the socket
        # through the test's folder, which lets its group through while this test runs
        mode = stat.S_IMODE(os.stat(self.tmp).st_mode)
        os.chmod(self.tmp, mode | 0o010)
        self.addCleanup(os.chmod, self.tmp, mode)

        def guess(n):
            r = cwtest.run(["setpriv", "--reuid=%d" % NOBODY, "--regid=0", "--clear-groups",
                            DEBIAN_PYTHON, "-c", GUESSER, os.path.dirname(cwtest.__file__),
                            self.sock, str(n)])
            self.assertEqual(r.rc, 0, r)
            return [int(x) for x in r.out.split()]

        held = self.metric("camwatch_http_auth_held_total")
        # three wrong tokens answered at once, the fourth held
        self.assertEqual(guess(4), [401] * 4)
        self.assertEqual(self.metric("camwatch_http_auth_held_total") - held, 1)
        # root's client on the same socket: its first wrong token answered at once, its
        # good one served
        held = self.metric("camwatch_http_auth_held_total")
        r = unix_http(self.sock, "GET", "/api/v1/whoami", "cw_mistyped")
        self.assertEqual(r.status, 401, r)
        self.assertEqual(self.metric("camwatch_http_auth_held_total") - held, 0,
                         "another user's first wrong token was held")
        self.assertEqual(unix_http(self.sock, "GET", "/api/v1/whoami",
                                   self.tokens["viewer"]).json()["name"], "t-viewer")
        # the guesser is still held: a new connection or process is the same user
        self.assertEqual(guess(1), [401])
        self.assertEqual(self.metric("camwatch_http_auth_held_total") - held, 1)
        # and the log names it as the user it is
        self.assertIn("auth: client unix uid=%d: 4 failed attempts" % NOBODY,
                      self.daemon.stderr_text())

    def test_metrics_and_healthz_open_by_configuration(self):
        self.assertEqual(cwtest.http(self.port, "GET", "/metrics", source=source()).status, 401)
        try:
            self.write(open_metrics="yes")
            os.kill(self.daemon.pid, signal.SIGHUP)
            cwtest.wait_for("/metrics open", lambda: cwtest.http(
                self.port, "GET", "/metrics", source=source()).status == 200, proc=self.daemon)
            self.assertEqual(cwtest.http(self.port, "GET", "/healthz", source=source()).status,
                             401)
            self.assertEqual(cwtest.http(self.port, "GET", "/api/v1/clock",
                                         source=source()).status, 401)
            index = self.ask("GET", "/api/v1", "viewer").json()["endpoints"]
            self.assertEqual([e["path"] for e in index if e["open"] and e["role"]], ["/metrics"])
            self.write(open_healthz="yes")
            os.kill(self.daemon.pid, signal.SIGHUP)
            cwtest.wait_for("/healthz open", lambda: cwtest.http(
                self.port, "GET", "/healthz", source=source()).status == 200, proc=self.daemon)
        finally:
            self.write()
            os.kill(self.daemon.pid, signal.SIGHUP)
            cwtest.wait_for("both closed again", lambda: cwtest.http(
                self.port, "GET", "/metrics", source=source()).status == 401 and cwtest.http(
                self.port, "GET", "/healthz", source=source()).status == 401, proc=self.daemon)

    def test_a_reload_keeps_the_servers_settings_and_says_so(self):
        # The listening sockets, their limits and the tokens file are made once: a reload
        # changing them says they wait for a restart, and the API goes on as it was (the new
        # tokens file is not read, the new address not listened on).
        other = cwtest.free_port()
        tokens2 = os.path.join(self.tmp, "tokens2.ini")
        with open(tokens2, "w") as f:
            f.write("")  # no token at all: were it read, every request would be refused

        def reloads():
            return self.daemon.stderr_text().count("daemon: reloaded,")

        before = reloads()
        try:
            cwtest.write_config(self.site, self.cams, probe=self.probe,
                                http_listen="127.0.0.1:%d" % other, sections=self.sections,
                                http=dict(self.http_keys, tokens=tokens2, connections="9",
                                          max_body="2048", per_client="3", timeout="5s"))
            os.kill(self.daemon.pid, signal.SIGHUP)
            cwtest.wait_for("the reload", lambda: reloads() > before, proc=self.daemon)
            log = self.daemon.stderr_text()
            for key, now, was in (("listen", "127.0.0.1:%d" % other, "127.0.0.1:%d" % self.port),
                                  ("tokens", tokens2, "tokens.ini"), ("connections", "9", "256"),
                                  ("per_client", "3", "64"), ("max_body", "2048", "65536"),
                                  ("timeout (ms)", "5000", "30000")):
                with self.subTest(key=key):
                    line = [x for x in log.splitlines()
                            if "[http] %s %s takes effect when camwatchd restarts" % (key, now)
                            in x]
                    self.assertEqual(len(line), 1, log[-3000:])
                    self.assertIn(was, line[0].split("; ")[1])
            self.assertEqual(self.ask("GET", "/api/v1/whoami", "viewer").status, 200)
            # a body of 3000 bytes is read (a 400 for its unknown field), not refused as over 2048
            doc = self.error_of(self.ask("POST", "/api/v1/tickets", "admin",
                                         body={"colour": "x" * 3000}), 400, "bad_body")
            self.assertIn("unknown field 'colour'", doc["detail"])
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", other), timeout=5).close()
        finally:
            before = reloads()
            self.write()
            os.kill(self.daemon.pid, signal.SIGHUP)
            cwtest.wait_for("the reload back", lambda: reloads() > before, proc=self.daemon)

    def test_admin_sets_maintenance_and_the_cli_sees_it(self):
        path = "/api/v1/cameras/TD-01/maintenance"
        doc = self.ask("POST", path, body={"on": True, "note": "thay ống kính"}).json()
        self.assertEqual((doc["changed"], doc["to"]), (True, "maintenance"))
        self.assertEqual(doc["reason"], "maintenance: thay ống kính")
        st = cwtest.status(self.conf)["TD-01"]
        self.assertEqual((st["state"], st["reason"]), ("maintenance", "maintenance: thay ống kính"))
        again = self.ask("POST", path, body={"on": True}).json()
        self.assertFalse(again["changed"])
        doc = self.ask("POST", path, body={"on": False}).json()
        self.assertEqual((doc["changed"], doc["from"]), (True, "maintenance"))
        self.assertIn("api: t-admin put TD-01 in maintenance: thay ống kính",
                      self.daemon.stderr_text())

    # ---- footage, requests, exports ----

    def test_footage_find_is_the_cli_document_and_an_audit_row(self):
        q = {"from": "-15m", "to": "now", "near": "10.29,105.66", "radius": "300"}
        t0 = cwtest.camwatch(self.conf, "events", "--json")  # noqa: F841 (a still store)
        # one "now" for both: an absolute range
        doc = self.ask("GET", "/api/v1/cameras/CAH-001", "viewer").json()
        end = doc["status"]["last_probe"]
        frm = "2020-01-01T00:00:00+07:00"
        before = self.last_audit_id()
        r = self.ask("GET", "/api/v1/footage?from=%s&to=%s&near=10.29,105.66&radius=300"
                     % (quote(frm), quote(end)), "investigator")
        self.assertEqual(r.status, 400, "a range over 31 days is refused")
        frm = end[:11] + "00:00:00" + end[19:]
        r = self.ask("GET", "/api/v1/footage?from=%s&to=%s&near=%s&radius=%s"
                     % (quote(frm), quote(end), q["near"], q["radius"]), "investigator")
        self.assertEqual(r.status, 200, r)
        cli = cwtest.camwatch(self.conf, "footage", "find", "--json", "--from", frm, "--to", end,
                              "--near", q["near"], "--radius", q["radius"])
        self.assertEqual(cli.rc, 0, cli)
        api, cli = r.json(), json.loads(cli.out)
        for o in api + cli:
            o.pop("retrievable_until", None)  # an estimate from "now"
            o.pop("warning", None)
        self.assertEqual(api, cli)
        by = {o["id"]: o for o in api}
        self.assertEqual(sorted(by), sorted(CAMS))
        self.assertTrue(by["CAH-001"]["windows"], by["CAH-001"])
        self.assertEqual(by["CHO-01"]["windows"], [])
        rows = self.audit(before)
        self.assertEqual([(a, act) for _, a, act, _, _ in rows],
                         [("t-investigator", "footage.find")], rows)
        self.assertIn("near 10.290000,105.660000 radius 300 m", rows[0][3])
        # text without diacritics, and ids
        ids = lambda q: [o["id"] for o in self.ask("GET", "/api/v1/footage?from=-1h&to=now&"
                                                   + q, "investigator").json()]
        self.assertEqual(ids("place=" + quote("cho tan duong")), ["TD-01"])
        self.assertEqual(ids("place=" + quote("CHỢ TÂN DƯƠNG")), ["TD-01"])
        self.assertEqual(ids("camera=TD-01,CAH-001"), ["CAH-001", "TD-01"])

    def test_footage_find_bad_queries_are_json_errors_naming_the_parameter(self):
        before = self.last_audit_id()
        cases = [("to=now&camera=CAH-001", "from"), ("from=-1h&camera=CAH-001", "to"),
                 ("from=yesterday&to=now&camera=CAH-001", "from"),
                 ("from=-1h&to=now", "place"),
                 ("from=-1h&to=now&camera=CAH-001&place=x", "place"),
                 ("from=-1h&to=now&near=10.2", "near"),
                 ("from=-1h&to=now&near=91,105", "near"),
                 ("from=-1h&to=now&near=10.2,105.6&radius=-5", "radius"),
                 ("from=-1h&to=now&near=10.2,105.6&radius=99km", "radius"),
                 ("from=-1h&to=now&radius=5&camera=CAH-001", "radius"),
                 ("from=now&to=-1h&camera=CAH-001", "to"),
                 ("from=-40d&to=now&camera=CAH-001", "to"),
                 ("from=2030-01-01&to=2030-01-02&camera=CAH-001", "from"),  # in the future
                 ("from=-1h&to=now&place=" + "x" * 300, "place"),
                 # an empty place is refused as itself (the CLI's --camera "" was --place's)
                 ("from=-1h&to=now&camera=", "camera: empty"),
                 ("from=-1h&to=now&place=", "place: empty"),
                 ("from=-1h&to=now&near=", "near: empty"),
                 ("from=-1h&to=now&near=10.2,105.6&radius=", "radius: empty")]
        for query, field in cases:
            with self.subTest(query=query[:60]):
                doc = self.error_of(self.ask("GET", "/api/v1/footage?" + query, "investigator"),
                                    400, "bad_parameter")
                self.assertTrue(doc["detail"].startswith(field + ":"), doc)
        self.assertEqual(self.audit(before), [], "a refused query touched no footage")
        doc = self.error_of(self.ask("GET", "/api/v1/footage?from=-1h&to=now&camera=NOPE",
                                     "investigator"), 404, "not_found")
        self.assertIn("unknown camera 'NOPE'", doc["detail"])
        # SQL metacharacters in every parameter are data
        for value in SQL:
            for query in ("place=" + quote(value), "camera=" + quote(value)):
                with self.subTest(query=query):
                    r = self.ask("GET", "/api/v1/footage?from=-1h&to=now&" + query,
                                 "investigator")
                    self.assertIn(r.status, (200, 404), r)
                    if r.status == 200:
                        self.assertEqual(r.json(), [])
                    else:
                        self.error_of(r, 404, "not_found")
            with self.subTest(value=value):
                # as a place, data: matching no camera ("' OR '1'='1", "%" run as SQL would
                # match every one), so refused, for a request of no camera there is refused
                doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                             body={"from": "-1h", "to": "now", "place": value,
                                                   "case": value, "reason": value}),
                                    400, "bad_body")
                self.assertEqual(doc["detail"], "field 'place': no camera there: nothing stored")
                # stored as given beside a place with a camera there
                r = self.ask("POST", "/api/v1/requests", "investigator",
                             body={"from": "-1h", "to": "now", "place": "chợ tân dương",
                                   "case": value, "reason": value})
                self.assertEqual(r.status, 201, r)
                one = self.ask("GET", "/api/v1/requests/%d" % r.json()["id"],
                               "investigator").json()
                self.assertEqual((one["request"]["case"], one["request"]["reason"]),
                                 (value, value))
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as db:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(db.execute("SELECT count(*) FROM camera").fetchone()[0], len(CAMS))

    def test_requests_create_list_show_with_the_tokens_name(self):
        before = self.last_audit_id()
        body = {"from": "-30m", "to": "now", "place": "chợ tân dương", "case": "VV-12/2026",
                "reason": "cướp giật"}
        r = self.ask("POST", "/api/v1/requests", "investigator", body=body)
        self.assertEqual(r.status, 201, r)
        rid = r.json()["id"]
        listed = self.ask("GET", "/api/v1/requests", "investigator").json()
        self.assertEqual(listed[0]["id"], rid)
        self.assertEqual((listed[0]["by"], listed[0]["case"]), ("t-investigator", "VV-12/2026"))
        cli = json.loads(cwtest.camwatch(self.conf, "request", "list", "--json").out)
        self.assertEqual(listed, cli)
        one = self.ask("GET", "/api/v1/requests/%d" % rid, "investigator").json()
        self.assertEqual(one["request"], listed[0])
        self.assertEqual([o["id"] for o in one["cameras"]], ["TD-01"])
        self.assertTrue(one["cameras"][0]["windows"])
        rows = self.audit(before)
        self.assertEqual([(a, act) for _, a, act, _, _ in rows],
                         [("t-investigator", "request.create")], rows)
        self.error_of(self.ask("GET", "/api/v1/requests/99999", "investigator"), 404,
                      "not_found")
        self.error_of(self.ask("GET", "/api/v1/requests/x'1", "investigator"), 404,
                      "not_found")
        # malformed bodies
        noplace = {k: v for k, v in body.items() if k != "place"}
        cases = [(b"", "not valid JSON"), (b"{\"from\": ", "not valid JSON"),
                 (b"[]", "expected a JSON object"),
                 (json.dumps(dict(body, case=None)).encode(), "case"),
                 (json.dumps({k: v for k, v in body.items() if k != "reason"}).encode(),
                  "field 'reason' is required"),
                 (json.dumps(dict(body, by="someone else")).encode(), "unknown field 'by'"),
                 (json.dumps(dict(body, reason="x" * 600)).encode(), "longer than 511"),
                 (json.dumps(dict(noplace, near="10.29,105.66", radius="5 miles")).encode(),
                  "field 'radius': takes metres"),
                 (json.dumps(dict(body, near="10.29,105.66")).encode(),
                  "field 'place': give one place"),
                 (json.dumps(dict(noplace, camera="")).encode(),
                  "field 'camera': empty: give one or more camera ids")]
        for raw, why in cases:
            with self.subTest(body=raw[:60]):
                # every one the body's fault, named as a field of it
                doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                             body=raw), 400, "bad_body")
                self.assertIn(why, doc["detail"])
        # a range in the future: refused, as by `request create`
        r = self.ask("POST", "/api/v1/requests", "investigator",
                     body=dict(body, **{"from": "2030-01-01", "to": "2030-01-02"}))
        self.assertEqual(r.status, 400, r)
        self.assertIn("is in the future", r.json()["detail"])
        doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                     body=dict(noplace, camera="CAH-001,NOPE")), 404)
        self.assertIn("NOPE", doc["detail"])
        # a place with no camera there (`footage find` finds none): refused as the CLI does,
        # in its words, since its export could only say "0 cameras"
        for where, field in (({"place": "không có chỗ này"}, "place"),
                             ({"near": "12.0,112.0", "radius": "500"}, "near")):
            with self.subTest(where=where):
                doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                             body=dict(noplace, **where)), 400, "bad_body")
                self.assertEqual(doc["detail"],
                                 "field '%s': no camera there: nothing stored" % field)
        self.assertEqual(len(self.ask("GET", "/api/v1/requests", "investigator").json()),
                         len(listed), "no bad body stored a request")

    def test_a_request_body_takes_its_radius_as_a_number_or_a_string(self):
        # a JSON client writes "radius": 100; it was refused ("field 'radius' must be a string")
        base = {"from": "-30m", "to": "now", "near": "10.29,105.66", "case": "VV-14/2026",
                "reason": "đánh nhau"}
        made = []
        for radius in (100, 12.5, 1e3, "100", "12.5m", "2km"):
            with self.subTest(radius=radius):
                r = self.ask("POST", "/api/v1/requests", "investigator",
                             body=dict(base, radius=radius))
                self.assertEqual(r.status, 201, r)
                made.append(r.json()["id"])
        listed = {o["id"]: o for o in self.ask("GET", "/api/v1/requests", "investigator").json()}
        self.assertEqual([listed[i]["place"]["radius_m"] for i in made],
                         [100, 12.5, 1000, 100, 12.5, 2000])
        # the same bounds, in the same words, whichever way it is written
        for number, text in ((0, "0"), (-5, "-5"), (50001, "50001"), (50000.5, "50000.5")):
            with self.subTest(radius=number):
                a = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                           body=dict(base, radius=number)), 400, "bad_body")
                b = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                           body=dict(base, radius=text)), 400, "bad_body")
                self.assertEqual(a, b)
                self.assertEqual(a["detail"],
                                 "field 'radius': must be more than 0 and at most 50000 m")
        # a number or a string, nothing else
        for value in (True, None, [100], {"m": 100}):
            with self.subTest(radius=value):
                doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                             body=dict(base, radius=value)), 400, "bad_body")
                self.assertIn("field 'radius' must be a number or a string", doc["detail"])
        self.assertEqual(len(self.ask("GET", "/api/v1/requests", "investigator").json()),
                         len(listed), "no refused body stored a request")

    def wait_export(self, eid):
        def done():
            doc = self.ask("GET", "/api/v1/exports/" + eid, "investigator").json()
            return doc["state"] in ("done", "failed") and doc
        return cwtest.wait_for("export %s finished" % eid, done, proc=self.daemon)

    def test_export_runs_off_the_loop_and_downloads_hash_matching_with_ranges(self):
        rid = self.ask("POST", "/api/v1/requests", "investigator",
                       body={"from": "-12m", "to": "now", "camera": "CAH-001,TD-01",
                             "case": "VV-13/2026", "reason": "tai nạn giao thông"}).json()["id"]
        before = self.last_audit_id()
        r = self.ask("POST", "/api/v1/requests/%d/export" % rid, "investigator")
        self.assertEqual(r.status, 202, r)
        job = r.json()
        eid = job["id"]
        self.assertEqual(r.headers["location"], "/api/v1/exports/" + eid)
        self.assertEqual((job["request"], job["by"]), (rid, "t-investigator"))
        self.assertIn(job["state"], ("queued", "running", "done"))
        # the loop answers while the export runs
        self.assertEqual(self.ask("GET", "/healthz").status, 200)
        job = self.wait_export(eid)
        self.assertEqual(job["state"], "done", job)
        self.assertEqual(job["result"]["files"], 2)
        names = [f["name"] for f in job["files"]]
        self.assertEqual(names, sorted(["CAH-001.mp4", "TD-01.mp4", "SHA256SUMS",
                                        "manifest.json", "manifest.txt"]))
        listed = [e["id"] for e in self.ask("GET", "/api/v1/exports", "investigator").json()]
        self.assertIn(eid, listed)
        self.assertIn("request-1-1", listed, "the CLI's export, from its folder")
        manifest = self.ask("GET", job["files"][names.index("manifest.json")]["url"],
                            "investigator")
        self.assertEqual(manifest.headers["content-type"], "application/json; charset=utf-8")
        manifest = manifest.json()
        want = {os.path.basename(c["file"]): c["sha256"] for c in manifest["cameras"]
                if c["file"]}
        sums = self.ask("GET", "/api/v1/exports/%s/files/SHA256SUMS" % eid, "investigator")
        by_sum = {line.split()[1].lstrip("*"): line.split()[0]
                  for line in sums.body.decode().splitlines()}
        for name in ("CAH-001.mp4", "TD-01.mp4"):
            f = self.ask("GET", "/api/v1/exports/%s/files/%s" % (eid, name), "investigator")
            self.assertEqual(f.status, 200, f)
            self.assertEqual(f.headers["content-type"], "video/mp4")
            self.assertEqual(f.headers["content-disposition"], 'attachment; filename="%s"' % name)
            self.assertEqual(f.headers["accept-ranges"], "bytes")
            self.assertEqual(hashlib.sha256(f.body).hexdigest(), by_sum[name])
            self.assertEqual(by_sum[name], want[name], "the manifest names the same hash")
            with open(os.path.join(self.exports, eid, name), "rb") as disk:
                self.assertEqual(f.body, disk.read())
            part = self.ask("GET", "/api/v1/exports/%s/files/%s" % (eid, name), "investigator",
                            headers={"Range": "bytes=100-199"})
            self.assertEqual(part.status, 206)
            self.assertEqual(part.body, f.body[100:200])
            self.assertEqual(part.headers["content-range"], "bytes 100-199/%d" % len(f.body))
            tail = self.ask("GET", "/api/v1/exports/%s/files/%s" % (eid, name), "investigator",
                            headers={"Range": "bytes=%d-" % (len(f.body) + 10)})
            self.error_of(tail, 416, "range")
        rows = [(a, act) for _, a, act, _, _ in self.audit(before)]
        self.assertEqual(rows[:2], [("t-investigator", "export.start"),
                                    ("t-investigator", "export")], rows)
        self.assertGreaterEqual(rows.count(("t-investigator", "export.download")), 6)
        v = cwtest.camwatch(self.conf, "audit", "verify", "--json")
        self.assertEqual((v.rc, json.loads(v.out)["intact"]), (0, True), v)
        self.error_of(self.ask("POST", "/api/v1/requests/99999/export", "investigator"), 404,
                      "not_found")
        self.error_of(self.ask("POST", "/api/v1/requests/%d/export" % rid, "investigator",
                               body={"out": "/tmp"}), 400, "bad_body")

    def test_head_on_an_export_file_answers_its_headers_and_records_no_download(self):
        # an export.download row means the file was sent: a HEAD sends nothing, so it writes
        # none, and answers the headers a GET would
        path = "/api/v1/exports/request-1-1/files/SHA256SUMS"
        before = self.last_audit_id()
        head = self.ask("HEAD", path, "investigator")
        self.assertEqual((head.status, head.body), (200, b""), head)
        self.assertEqual(self.audit(before), [])
        get = self.ask("GET", path, "investigator")
        self.assertEqual(get.status, 200, get)
        for name in ("content-type", "content-length", "content-disposition", "accept-ranges",
                     "cache-control"):
            self.assertEqual(head.headers.get(name), get.headers.get(name), name)
        self.assertEqual(int(head.headers["content-length"]), len(get.body))
        rows = [(a, act, subj) for _, a, act, subj, _ in self.audit(before)]
        self.assertEqual(rows, [("t-investigator", "export.download", "request-1-1")])
        # a HEAD of a file that is not there is the GET's 404, and no row either
        before = self.last_audit_id()
        r = self.ask("HEAD", "/api/v1/exports/request-1-1/files/nope.mp4", "investigator")
        self.assertEqual((r.status, r.body), (404, b""), r)
        self.assertEqual(self.audit(before), [])

    def test_a_range_past_an_export_files_end_is_416_and_records_no_download(self):
        # a 416 sends none of the file: like a HEAD, it writes no export.download row
        path = "/api/v1/exports/request-1-1/files/SHA256SUMS"
        size = os.path.getsize(os.path.join(self.exports, "request-1-1", "SHA256SUMS"))
        before = self.last_audit_id()
        for ask in ("bytes=%d-" % size, "bytes=%d-%d" % (size + 10, size + 20)):
            with self.subTest(range=ask):
                r = self.ask("GET", path, "investigator", headers={"Range": ask})
                self.error_of(r, 416, "range")
                self.assertEqual(r.headers["content-range"], "bytes */%d" % size)
        self.assertEqual(self.audit(before), [])
        # a range inside the file is sent, and so recorded, with the range it asked
        part = self.ask("GET", path, "investigator", headers={"Range": "bytes=0-9"})
        self.assertEqual((part.status, len(part.body)), (206, 10), part)
        rows = [(a, act, subj, det) for _, a, act, subj, det in self.audit(before)]
        self.assertEqual(rows, [("t-investigator", "export.download", "request-1-1",
                                 "SHA256SUMS bytes=0-9")])

    def test_request_texts_with_control_characters_are_refused(self):
        # case and reason are printed in manifest.txt: a new line would forge a line of it
        before = self.ask("GET", "/api/v1/requests", "investigator").json()
        for field, value in (("case", "VV-15\nSHA-256: 00"), ("reason", "x\x1b[2J")):
            body = {"from": "-12m", "to": "now", "camera": "CAH-001", "case": "VV-15",
                    "reason": "kiểm tra"}
            body[field] = value
            doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator", body=body),
                                400, "bad_body")
            self.assertIn("field '%s': a control character" % field, doc["detail"])
        # an empty one is named as the field it is, in the API's words (no CLI flags)
        body = {"from": "-12m", "to": "now", "camera": "CAH-001", "case": "", "reason": "x"}
        doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator", body=body), 400,
                            "bad_body")
        self.assertEqual(doc["detail"],
                         "field 'case': required: a request says who asks, for which case and why")
        # a bad time or place is a field of the body too, not a query parameter
        for field, value, why in (("from", "yesterday", "bad time 'yesterday'"),
                                  ("to", "2026-02-30", "bad time '2026-02-30'"),
                                  ("camera", "", None)):
            body = {"from": "-12m", "to": "now", "camera": "CAH-001", "case": "VV-15",
                    "reason": "x"}
            body[field] = value
            with self.subTest(field=field):
                doc = self.error_of(self.ask("POST", "/api/v1/requests", "investigator",
                                             body=body), 400, "bad_body")
                self.assertTrue(doc["detail"].startswith("field '"), doc)
                if why is not None:
                    self.assertIn("field '%s': %s" % (field, why), doc["detail"])
        self.assertEqual(self.ask("GET", "/api/v1/requests", "investigator").json(), before)

    def test_concurrent_exports_of_one_request_each_get_a_folder_of_their_own(self):
        rid = self.ask("POST", "/api/v1/requests", "investigator",
                       body={"from": "-12m", "to": "now", "camera": "CAH-001",
                             "case": "VV-14/2026", "reason": "cùng lúc"}).json()["id"]
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(self.ask(
            "POST", "/api/v1/requests/%d/export" % rid, "investigator"))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual([r.status for r in answers], [202] * 4, answers)
        ids = sorted(r.json()["id"] for r in answers)
        self.assertEqual(len(set(ids)), 4, ids)
        for eid in ids:
            job = self.wait_export(eid)
            self.assertEqual(job["state"], "done", job)
            with open(os.path.join(self.exports, eid, "SHA256SUMS"), encoding="utf-8") as f:
                self.assertIn("CAH-001.mp4", f.read())
        v = cwtest.camwatch(self.conf, "audit", "verify", "--json")
        self.assertEqual((v.rc, json.loads(v.out)["intact"]), (0, True), v)

    def test_nothing_outside_an_export_folder_is_served(self):
        folder = os.path.join(self.exports, "request-1-1")
        secret = os.path.join(self.tmp, "secret.txt")
        with open(secret, "w") as f:
            f.write("not for the API")
        planted = {"link.txt": lambda p: os.symlink(secret, p),
                   "conf.json": lambda p: os.symlink(self.conf, p),
                   "fifo.mp4": os.mkfifo,
                   "dir.mp4": os.mkdir}
        try:
            for name, make in planted.items():
                make(os.path.join(folder, name))
                with self.subTest(name=name):
                    r = self.ask("GET", "/api/v1/exports/request-1-1/files/" + name,
                                 "investigator")
                    doc = self.error_of(r, 404, "not_found")
                    self.assertNotIn(b"not for the API", r.body)
                    self.assertNotIn(self.tmp, doc["detail"])
        finally:
            for name in planted:
                p = os.path.join(folder, name)
                if os.path.isdir(p) and not os.path.islink(p):
                    os.rmdir(p)
                elif os.path.lexists(p):
                    os.unlink(p)
        for path in ("/api/v1/exports/request-1-1/files/..",
                     "/api/v1/exports/request-1-1/files/%2e%2e",
                     "/api/v1/exports/request-1-1/files/..%2Fcamwatch.db",
                     "/api/v1/exports/request-1-1/files/..%2F..%2Fcamwatch.conf",
                     "/api/v1/exports/..%2F..%2F/files/camwatch.conf",
                     "/api/v1/exports/request-1-1%2F..%2F../files/camwatch.db",
                     "/api/v1/exports/request-1-1/files/.hidden",
                     "/api/v1/exports/request-1-1/files/%2Fetc%2Fpasswd",
                     "/api/v1/exports/request-1-1/../../../var/camwatch.db",
                     "/api/v1/exports/../var/files/camwatch.db",
                     "/api/v1/exports/request-9-9/files/manifest.json"):
            with self.subTest(url=path):
                r = self.ask("GET", path, "investigator")
                self.assertIn(r.status, (400, 404), r)
                self.assertNotIn(b"SQLite", r.body)
                self.assertNotIn(b"[site]", r.body)
                self.assertNotIn(b"root:", r.body)
        self.assertEqual(self.ask("GET", "/api/v1/exports/request-1-1/files/manifest.json",
                                  "investigator").status, 200)

    def test_an_export_folder_that_is_a_link_serves_nothing(self):
        # A folder named as an export that is a link: to the site's folder (its camwatch.conf,
        # credentials.ini and tokens.ini are regular files there), or to a real export. It is
        # not listed as an export, and nothing is served through it either.
        links = {"request-97-1": self.site, "request-98-1": os.path.join(self.exports,
                                                                           "request-1-1")}
        try:
            for name, target in links.items():
                os.symlink(target, os.path.join(self.exports, name))
            for name, file, secret in (("request-97-1", "camwatch.conf", b"[site]"),
                                       ("request-97-1", "credentials.ini", b"password"),
                                       ("request-97-1", "tokens.ini", b"sha256 ="),
                                       ("request-98-1", "manifest.json", b"evidence export")):
                with self.subTest(export=name, file=file):
                    r = self.ask("GET", "/api/v1/exports/%s/files/%s" % (name, file),
                                 "investigator")
                    doc = self.error_of(r, 404, "not_found")
                    self.assertNotIn(secret, r.body)
                    self.assertNotIn(self.tmp, doc["detail"])
                    self.error_of(self.ask("GET", "/api/v1/exports/" + name, "investigator"),
                                  404, "not_found")
            listed = [e["id"] for e in self.ask("GET", "/api/v1/exports", "investigator").json()]
            self.assertFalse(set(links) & set(listed), listed)
        finally:
            for name in links:
                os.unlink(os.path.join(self.exports, name))
        self.assertEqual(self.ask("GET", "/api/v1/exports/request-1-1/files/manifest.json",
                                  "investigator").status, 200)

    # ---- reports and tickets ----

    def report_pair(self, kind, frm, to):
        """The JSON report from the API and from the CLI, without their generation times."""
        a = self.ask("GET", "/api/v1/reports/%s?from=%s&to=%s&format=json&lang=en"
                     % (kind, frm, to), "viewer").json()
        cli = cwtest.run([cwtest.program("camwatch"), "-c", self.conf, "report", kind, "--from",
                          frm, "--to", to, "--format", "json", "--lang", "en"])
        self.assertEqual(cli.rc, 0, cli)
        c = json.loads(cli.out)
        for d in (a, c):
            d.pop("generated"), d.pop("generated_ms")
        return a, c

    def report_csv_pair(self, kind, frm, to):
        """The API's CSV report and the CLI's file of it, over one range."""
        r = self.ask("GET", "/api/v1/reports/%s?from=%s&to=%s&format=csv&lang=en"
                     % (kind, frm, to), "viewer")
        self.assertEqual(r.status, 200, r)
        path = os.path.join(self.tmp, "r.csv")
        cli = cwtest.run([cwtest.program("camwatch"), "-c", self.conf, "report", kind, "--from",
                          frm, "--to", to, "--format", "csv", "--lang", "en", "-o", path])
        self.assertEqual(cli.rc, 0, cli)
        with open(path, "rb") as f:
            return r.body, f.read()

    def test_reports_in_every_format_with_type_and_file_name(self):
        # a fixed range, so the API's and the CLI's documents compare: it ends a second ago
        # (a range into the future is counted up to now, each at its own now)
        t = time.time() - 1
        frm, to = "2020-01-01", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        to_day = time.strftime("%Y-%m-%d", time.gmtime(t + 7 * 3600))  # the site's zone
        want = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "html": "text/html; charset=utf-8"}
        for kind in ("availability", "backlog"):
            for fmt, ctype in want.items():
                with self.subTest(kind=kind, fmt=fmt):
                    r = self.ask("GET", "/api/v1/reports/%s?from=%s&to=%s&format=%s&lang=en"
                                 % (kind, frm, to, fmt), "viewer")
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.headers["content-type"], ctype)
                    self.assertEqual(r.headers["content-disposition"],
                                     'attachment; filename="camwatch-%s-2020-01-01-%s.%s"'
                                     % (kind, to_day, fmt))
                    if fmt == "csv":
                        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
                        # the same bytes as the CLI's file, read while the store is as still
                        self.assertEqual(*self.stable(lambda: self.report_csv_pair(kind, frm, to)))
                    else:
                        cli = cwtest.run([cwtest.program("camwatch"), "-c", self.conf, "report",
                                          kind, "--from", frm, "--to", to, "--format", fmt,
                                          "--lang", "en", "-o", os.path.join(self.tmp, "r." + fmt)])
                        self.assertEqual(cli.rc, 0, cli)
                        with open(os.path.join(self.tmp, "r." + fmt), "rb") as f:
                            disk = f.read()
                    if fmt == "json":
                        # the same document, once the daemon decides nothing between the two
                        # reads (a camera just out of maintenance is probed again meanwhile)
                        self.assertEqual(*self.stable(lambda: self.report_pair(kind, frm, to)))
                    elif fmt == "xlsx":
                        self.assertEqual(r.body[:2], b"PK")
                        self.assertEqual(disk[:2], b"PK")
                    elif fmt == "html":
                        self.assertIn(b"<html", r.body[:300])
                        self.assertIn(b"<html", disk[:300])
                        self.assertIn("default-src 'none'", r.headers["content-security-policy"])
        vi = self.ask("GET", "/api/v1/reports/backlog?format=csv&lang=vi", "viewer").body
        en = self.ask("GET", "/api/v1/reports/backlog?format=csv&lang=en", "viewer").body
        self.assertNotEqual(vi.split(b"\n")[0], en.split(b"\n")[0], "headers in each language")
        self.error_of(self.ask("GET", "/api/v1/reports/backlog?format=pdf", "viewer"), 400,
                      "bad_parameter")
        self.error_of(self.ask("GET", "/api/v1/reports/backlog?lang=fr", "viewer"), 400,
                      "bad_parameter")
        self.error_of(self.ask("GET", "/api/v1/reports/backlog?from=now&to=-1d", "viewer"), 400,
                      "bad_parameter")
        self.error_of(self.ask("GET", "/api/v1/reports/uptime", "viewer"), 404, "not_found")

    def test_a_report_from_absurdly_far_back_is_a_400_not_a_500(self):
        # A typo such as -1000000d (year -711) is the asker's to fix: 400 naming the parameter
        # or the range, never a 500 "the store could not answer".
        for kind in ("availability", "backlog"):
            for query, error, says in (("from=-1000000d", "bad_request", "at most 1100 weeks"),
                                       ("from=-1000000d&to=-999990d", "bad_parameter",
                                        "from: too far back"),
                                       ("from=-740000d&to=-739000d", "bad_parameter",
                                        "from: too far back")):
                with self.subTest(kind=kind, query=query):
                    doc = self.error_of(self.ask("GET", "/api/v1/reports/%s?%s" % (kind, query),
                                                 "viewer"), 400, error)
                    self.assertIn(says, doc["detail"])
        r = cwtest.camwatch(self.conf, "report", "backlog", "--from", "-1000000d", "--to",
                            "-999990d", "--format", "json")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("from: too far back", r.err)

    def test_reads_on_the_workers_are_500s_when_the_store_cannot_be_opened_there(self):
        """The store's reads run on the API's workers, each on a connection of its own: with
        the database moved away (the daemon's own connection keeps its file) each answers a
        clear 500 at once, and each answers as before once it is back."""
        reads = (("/api/v1/cameras", "viewer", 200), ("/api/v1/clock", "viewer", 200),
                 ("/api/v1/reports/availability", "viewer", 200),
                 ("/api/v1/reports/backlog?format=xlsx", "viewer", 200),
                 ("/api/v1/requests/1", "investigator", 200), ("/api/v1/uptime", "viewer", 200),
                 ("/api/v1/events?camera=CAH-001", "viewer", 200),
                 ("/api/v1/cameras/CAH-001", "viewer", 200),
                 ("/api/v1/cameras/CAH-001/samples", "viewer", 200),
                 ("/api/v1/cameras/CAH-001/device", "viewer", 404),  # no ONVIF on this site
                 ("/api/v1/cameras/CAH-001/thumbnail", "viewer", 200),
                 ("/api/v1/tickets?all=true", "viewer", 200),
                 ("/api/v1/requests", "investigator", 200))
        away = self.db + ".away"
        os.rename(self.db, away)
        try:
            for path, role, _ in reads:
                with self.subTest(path=path):
                    doc = self.error_of(self.ask("GET", path, role), 500, "internal")
                    self.assertIn("the store could not answer: no database here", doc["detail"])
        finally:
            os.rename(away, self.db)
        for path, role, status in reads:
            with self.subTest(path=path, back=True):
                self.assertEqual(self.ask("GET", path, role).status, status)

    def test_tickets_listed_by_viewers_opened_and_closed_by_admins(self):
        r = self.ask("POST", "/api/v1/tickets", "admin",
                     body={"camera": "CAH-002", "action": "restore_link", "note": "mất nguồn",
                           "cost_vnd": 450000})
        self.assertEqual(r.status, 201, r)
        t = r.json()
        self.assertEqual((t["camera"], t["state"], t["opened_by"], t["cost_vnd"]),
                         ("CAH-002", "open", "t-admin", 450000))
        listed = self.ask("GET", "/api/v1/tickets?camera=CAH-002", "viewer").json()
        self.assertEqual(listed, [t])
        cli = cwtest.camwatch(self.conf, "ticket", "list", "--camera", "CAH-002", "--json")
        self.assertEqual(json.loads(cli.out), listed)
        r = self.ask("POST", "/api/v1/tickets/%d/close" % t["id"], "admin",
                     body={"note": "đã thay"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json()["state"], r.json()["closed_by"]), ("closed", "t-admin"))
        # closed again: a conflict with what is stored, saying when and by whom
        doc = self.error_of(self.ask("POST", "/api/v1/tickets/%d/close" % t["id"], "admin",
                                     body={}), 409, "conflict")
        self.assertEqual(doc["detail"], "ticket %d was closed already (%s by t-admin)"
                         % (t["id"], r.json()["closed"]))
        self.assertEqual(self.ask("GET", "/api/v1/tickets?camera=CAH-002", "viewer").json(), [])
        self.assertEqual(len(self.ask("GET", "/api/v1/tickets?camera=CAH-002&all=true",
                                      "viewer").json()), 1)
        self.error_of(self.ask("POST", "/api/v1/tickets/99999/close", "admin", body={}), 404)
        # a malformed id names nothing either, as requests/abc: 404 naming it
        doc = self.error_of(self.ask("POST", "/api/v1/tickets/abc/close", "admin", body={}), 404,
                            "not_found")
        self.assertEqual(doc["detail"], "no ticket 'abc'")
        doc = self.error_of(self.ask("GET", "/api/v1/requests/abc", "investigator"), 404,
                            "not_found")
        self.assertEqual(doc["detail"], "no request 'abc'")
        self.error_of(self.ask("POST", "/api/v1/tickets", "admin",
                               body={"camera": "NOPE", "action": "clean_lens"}), 404)
        doc = self.error_of(self.ask("POST", "/api/v1/tickets", "admin",
                                     body={"camera": "CAH-002", "action": "paint"}), 400,
                            "bad_body")
        self.assertIn("field 'action': unknown action 'paint'", doc["detail"])
        self.error_of(self.ask("POST", "/api/v1/tickets", "admin",
                               body={"camera": "CAH-002", "action": "reaim",
                                     "cost_vnd": -5}), 400, "bad_body")
        self.error_of(self.ask("GET", "/api/v1/tickets?all=maybe", "viewer"), 400,
                      "bad_parameter")

    def test_metrics_have_footage_age_and_the_daemons_vitals(self):
        text = self.ask("GET", "/metrics", "viewer").body.decode()
        line = [x for x in text.splitlines() if x.startswith(
            'camwatch_camera_footage_oldest_timestamp_seconds{camera="CAH-001"')]
        self.assertEqual(len(line), 1, text[-3000:])
        oldest = float(line[0].split()[1])
        with sqlite3.connect("file:%s?mode=ro" % self.db, uri=True) as db:
            ms = db.execute("SELECT oldest_ms FROM footage_camera WHERE camera_id = 'CAH-001'"
                            ).fetchone()[0]
        self.assertAlmostEqual(oldest, ms / 1000, places=3)
        for name in ("camwatch_loop_lag_seconds", "camwatch_store_write_seconds",
                     "camwatch_store_commits_total"):
            self.assertIn("\n%s " % name, text)

    def test_zz_stop_answers_what_waits_and_exits_clean(self):
        """Last: SIGTERM while a failed login is held; it is answered, the daemon exits 0
        (under ASan: nothing leaked)."""
        bad, results = source(), []
        for _ in range(3):
            cwtest.http(self.port, "GET", "/api/v1/clock", "cw_wrong", source=bad)
        t = threading.Thread(target=lambda: results.append(cwtest.http(
            self.port, "GET", "/api/v1/clock", "cw_wrong", source=bad)))
        t.start()
        cwtest.wait_for("a held answer", lambda: "camwatch_http_held_requests 1" in self.ask(
            "GET", "/metrics", "viewer").body.decode(), proc=self.daemon)
        os.kill(self.daemon.pid, signal.SIGTERM)
        rc = self.daemon.popen.wait(cwtest.RUN_TIMEOUT_S)
        t.join()
        self.assertEqual(rc, 0, self.daemon.stderr_text()[-3000:])
        self.assertEqual(results[0].status, 401)
        self.assertFalse(os.path.exists(self.sock), "the unix socket is removed")


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
