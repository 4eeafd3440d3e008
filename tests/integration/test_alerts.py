"""Alerts end to end: camwatchd follows a camera that really flaps (rtsp_fault.py's /switch,
turned off and on by the test) and tells a webhook receiver and an SMTP sink
(tests/fixtures/alert_receiver.py) exactly once per settled change: once when it starts
flapping, once when it settles, once when it comes back up. Receivers that are down get the
alert once they are up, once, even across a restart of the daemon; a mail relay (aiosmtpd)
that says "try later" gets it on a later attempt. The e-mails are read back with Python's email module
(subject and body decoded, Vietnamese intact); `camwatch alerts test` says what each target
answered; a digest missed while the daemon was down is made up once.

Waits are polls for a condition with a generous deadline (a guard against hangs), never
assertions about how long something took. Which alerts are right is computed from the events
the store holds (the verdict's transitions, with their times) by an independent model of
the rule, so a slow machine changes the events, never the verdict on them."""
import email
import email.policy
import email.utils
import json
import os
import signal
import sqlite3
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cwtest  # noqa: E402

HOLD_S = 8            # [alerts] hold of the flapping test: a flap cycle is ~2 probes of 1 s
CAMERA_NAME = "Ngã ba Tân Dương – cầu Lai Vung"
SECRET_PATH = "/hook/T0KEN-s3cr3t"  # a webhook's path is often its secret
SMTP_USER, SMTP_PASSWORD = "canhbao", "mật-khẩu-9"
RCPT = ["it@laivung.example", "truong.ca@laivung.example"]
PROBE = {"interval": "1s", "timeout": "900ms", "slow": "800ms", "down_after": "1",
         "up_after": "1"}
WATCHED = ("up", "degraded", "down")


def expected_alerts(events, hold_ms, start_ms, end_ms):
    """The alerts the rule gives for one camera's events [(at_ms, from, to)], judged at end_ms:
    a change counts once its state lasted hold; a run of >= 3 changes lasting hold without
    settling is flapping, told once, then once when it settles. Written from the rule, not
    from damp.c."""
    out = []
    told = state = events[0][1] if events else None
    state_ms, pending, run_ms, changes, flap_ms, flapping = start_ms, False, 0, 0, 0, False

    def advance(now):
        nonlocal told, pending, flapping
        while pending:
            settle = max(state_ms, start_ms) + hold_ms
            flap = (max(max(run_ms, start_ms) + hold_ms, flap_ms)
                    if not flapping and changes >= 3 else None)
            if flap is not None and flap <= now:
                flapping = True
                out.append(("flapping", told, state))
                continue
            if settle > now:
                return
            if state in WATCHED and (flapping or (state != told and
                                                  (told in WATCHED or state != "up"))):
                out.append(("settled" if flapping else "change", told, state))
            told, pending, flapping = state, False, False

    for at, _frm, to in events:
        advance(at)
        if to == state:
            continue
        if not pending:
            pending, run_ms, changes, flap_ms = True, at, 0, 0
        changes += 1
        if changes == 3:
            flap_ms = at
        state, state_ms = to, at
    advance(end_ms)
    return out


class Receivers:
    """A webhook receiver and an SMTP sink (alert_receiver.py), each spooling what it got."""

    def __init__(self, tmp, procs, webhook_args=(), smtp_args=()):
        self.hooks_dir = os.path.join(tmp, "hooks")
        self.mail_dir = os.path.join(tmp, "mail")
        self.webhook = procs.fixture("alert_receiver.py", "--protocol", "webhook", "--spool",
                                     self.hooks_dir, *webhook_args)
        self.smtp = procs.fixture("alert_receiver.py", "--protocol", "smtp", "--spool",
                                  self.mail_dir, "--user", SMTP_USER, "--password",
                                  SMTP_PASSWORD, *smtp_args)

    def _files(self, directory, suffix):
        if not os.path.isdir(directory):
            return []
        names = sorted(n for n in os.listdir(directory)
                       if n.endswith(suffix) and not n.startswith(".") and
                       not n.endswith(".env.json") and not n.endswith(".hung.json"))
        return [os.path.join(directory, n) for n in names]

    def hooks(self):
        """Every webhook request received: (headers, JSON body), in order."""
        out = []
        for p in self._files(self.hooks_dir, ".json"):
            with open(p, encoding="utf-8") as f:
                rec = json.load(f)
            out.append((rec["headers"], json.loads(rec["body"]), rec["path"]))
        return out

    def hung(self):
        """How many webhook requests a --hang receiver took and never answered."""
        if not os.path.isdir(self.hooks_dir):
            return 0
        return sum(n.endswith(".hung.json") for n in os.listdir(self.hooks_dir))

    def mails(self):
        """Every message received: (envelope, email.message.EmailMessage, raw bytes)."""
        out = []
        for p in self._files(self.mail_dir, ".eml"):
            with open(p, "rb") as f:
                raw = f.read()
            with open(p[:-4] + ".env.json", encoding="utf-8") as f:
                env = json.load(f)
            out.append((env, email.message_from_bytes(raw, policy=email.policy.default), raw))
        return out


def alert_config(receivers, **more):
    keys = {"webhook": "http://127.0.0.1:%d%s" % (receivers.webhook.port, SECRET_PATH),
            "smtp": "smtp://127.0.0.1:%d" % receivers.smtp.port,
            "from": "camwatch@laivung.example", "to": ", ".join(RCPT),
            "smtp_credential": "mail", "starttls": "no", "retry": "1s", "retry_max": "4s",
            "digest_at": "off"}
    keys.update(more)
    return keys


class AlertsTest(unittest.TestCase):
    def setUp(self):
        self.tmp, self.procs = self.enterContext(cwtest.fixtures("cw-alerts-"))
        self.switch = os.path.join(self.tmp, "switch")
        self.set_camera("ok")
        self.fault = self.procs.fixture("rtsp_fault.py", "--switch-file", self.switch)
        self.daemon = None

    def set_camera(self, mode):
        with open(self.switch + ".new", "w", encoding="utf-8") as f:
            f.write(mode)
        os.rename(self.switch + ".new", self.switch)

    def write_site(self, alerts, cameras=None):
        cams = cameras or [cwtest.camera("CAH-017", cwtest.rtsp_url(self.fault.port, "/switch"),
                                         name=CAMERA_NAME, commune="Tân Dương")]
        return cwtest.write_config(os.path.join(self.tmp, "site"), cams,
                                   credentials={"mail": (SMTP_USER, SMTP_PASSWORD)},
                                   site="Lai Vung", probe=PROBE,
                                   sections={"probe.stream": {"workers": "0"}, "alerts": alerts})

    def start_daemon(self, conf):
        self.daemon = self.procs.start([cwtest.program("camwatchd"), "-v", "-c", conf],
                                       name="camwatchd")
        return self.daemon

    def stop_daemon(self):
        self.assertEqual(self.daemon.stop(grace=60), 0, self.daemon.stderr_text()[-3000:])

    def wait(self, what, check):
        return cwtest.wait_for(what, check, proc=self.daemon)

    def state(self, conf, cam="CAH-017"):
        try:
            return cwtest.status(conf).get(cam, {}).get("state")
        except AssertionError:
            return None  # the daemon has not made the store yet

    def go(self, conf, mode, state):
        self.set_camera(mode)
        self.wait("camera %s" % state, lambda: self.state(conf) == state)

    def damping(self, cam="CAH-017"):
        """(told, pending) of the camera's damping as the store keeps it, None before any."""
        db = sqlite3.connect("file:%s?mode=ro" % os.path.join(self.tmp, "site", "var",
                                                             "camwatch.db"), uri=True)
        try:
            return db.execute("SELECT told, pending FROM alert_watch WHERE camera_id = ?",
                              (cam,)).fetchone()
        except sqlite3.Error:
            return None
        finally:
            db.close()

    def history(self, conf):
        r = cwtest.camwatch(conf, "alerts", "--json", "--since", "-1d")
        self.assertEqual(r.rc, 0, r)
        return json.loads(r.out)

    def check_mail(self, env, msg, raw, kind_words):
        self.assertEqual(env["mail_from"], "camwatch@laivung.example")
        self.assertEqual(env["rcpt"], RCPT)
        self.assertEqual(env["auth"], SMTP_USER)
        subject = str(msg["subject"])
        self.assertTrue(subject.startswith("[camwatch Lai Vung] "), subject)
        self.assertIn(kind_words, subject)
        self.assertEqual(msg["from"].addresses[0].addr_spec, "camwatch@laivung.example")
        self.assertEqual(msg["from"].addresses[0].display_name, "camwatch Lai Vung")
        self.assertEqual([a.addr_spec for a in msg["to"].addresses], RCPT)
        self.assertIsNotNone(email.utils.parsedate_to_datetime(str(msg["date"])).tzinfo)
        self.assertRegex(str(msg["message-id"]), r"^<camwatch\.\d+\.\d+\.\d+@laivung\.example>$")
        self.assertEqual(msg.get_content_type(), "text/plain")
        self.assertEqual(msg.get_content_charset(), "utf-8")
        self.assertEqual(msg["auto-submitted"], "auto-generated")
        for line in raw.split(b"\r\n"):
            self.assertLessEqual(len(line), 78, line)
            self.assertNotIn(b"\n", line, "bare LF")
        return subject, msg.get_content()

    def test_flapping_camera_is_told_once_then_once_settled_then_once_up(self):
        rx = Receivers(self.tmp, self.procs)
        conf = self.write_site(alert_config(rx, hold="%ds" % HOLD_S))
        start_ms = int(time.time() * 1000)
        self.start_daemon(conf)
        self.wait("camera up", lambda: self.state(conf) == "up")
        # Up for hold: its first state settles, and nothing is news (it was never down).
        self.wait("its first state settled", lambda: self.damping() == ("up", 0))
        self.assertEqual(rx.hooks(), [])

        # Flap faster than hold until the flapping alert is in, and twice more after it.
        cycles_after = 0
        while cycles_after < 2:
            self.go(conf, "notfound", "down")
            self.go(conf, "ok", "up")
            if rx.hooks():
                cycles_after += 1
        self.assertEqual([b["kind"] for _, b, _ in rx.hooks()], ["flapping"])

        # It settles down: told once; then back up for good: told once.
        self.go(conf, "notfound", "down")
        self.wait("settled alert", lambda: len(rx.hooks()) == 2)
        self.go(conf, "ok", "up")
        self.wait("up alert", lambda: len(rx.hooks()) == 3)
        self.wait("three e-mails", lambda: len(rx.mails()) == 3)
        self.wait("all delivered", lambda: all(
            d["status"] == "sent" for a in self.history(conf) for d in a["deliveries"]))
        self.stop_daemon()
        end_ms = int(time.time() * 1000)

        # Exactly what the rule says of the events the store holds, no more.
        events = [(e["at_ms"], e["from"], e["to"])
                  for e in cwtest.events(conf, "--camera", "CAH-017", "--since", "-1d")
                  if e["kind"] == "state"]
        want = expected_alerts(events, HOLD_S * 1000, start_ms, end_ms)
        self.assertIn("flapping", [k for k, _, _ in want], "the camera did flap")
        got = [(b["kind"], b["from"], b["to"]) for _, b, _ in rx.hooks()]
        self.assertEqual(got, want)
        self.assertEqual([k for k, _, _ in got], ["flapping", "settled", "change"])
        self.assertEqual(got[2][1:], ("down", "up"))

        hooks = rx.hooks()
        self.assertEqual(len({h["idempotency-key"] for h, _, _ in hooks}), 3)
        for headers, body, path in hooks:
            self.assertEqual(path, SECRET_PATH)
            self.assertEqual(headers["content-type"], "application/json; charset=utf-8")
            self.assertEqual(body["camera"]["name"], CAMERA_NAME)
            self.assertEqual(body["camera"]["owner_name"], "Công an huyện Lai Vung")
            self.assertEqual(body["site"], "Lai Vung")
            self.assertIn(CAMERA_NAME, body["text"])
        self.assertGreaterEqual(hooks[0][1]["changes"], 3)

        mails = rx.mails()
        subjects = []
        for (env, msg, raw), kind in zip(mails, ("is flapping", "settled down", "down -> up")):
            subject, text = self.check_mail(env, msg, raw, kind)
            self.assertIn(CAMERA_NAME, subject)  # the RFC 2047 words decode to the name, intact
            self.assertIn("Camera:   CAH-017 " + CAMERA_NAME, text)
            self.assertIn("Owner:    Công an huyện Lai Vung (CAH)", text)
            subjects.append(subject)
        self.assertIn("State:    up since", mails[2][1].get_content())

        # The history says the same; secrets are nowhere: logs, history, the store's file.
        hist = self.history(conf)
        self.assertEqual([a["kind"] for a in hist], ["flapping", "settled", "change"])
        self.assertEqual([a["summary"] for a in hist], [s[len("[camwatch Lai Vung] "):]
                                                        for s in subjects])
        for a in hist:
            self.assertEqual(sorted(d["channel"] for d in a["deliveries"]), ["email", "webhook"])
            self.assertIn("http://127.0.0.1:%d" % rx.webhook.port,
                          [d["target"] for d in a["deliveries"]])
        table = cwtest.camwatch(conf, "alerts", "list")
        self.assertEqual(table.rc, 0, table)
        self.assertIn("webhook sent; email sent", table.out)
        log = self.daemon.stderr_text()
        with open(os.path.join(self.tmp, "site", "var", "camwatch.db"), "rb") as f:
            db = f.read()
        for where, text in (("log", log), ("history", json.dumps(hist)),
                            ("store", db.decode("latin-1"))):
            self.assertNotIn("s3cr3t", text, where)
            self.assertNotIn(SMTP_PASSWORD, text, where)
            self.assertNotIn(SMTP_PASSWORD.encode().decode("latin-1"), text, where)

    def test_alert_waits_for_receivers_that_are_down_across_a_restart(self):
        # Both receivers are down (nothing listens); the relay, once up, says "try later" twice.
        rx = Receivers(self.tmp, self.procs, webhook_args=("--down",),
                       smtp_args=("--down", "--fail-first", "2"))
        conf = self.write_site(alert_config(rx, hold="2s"))
        self.start_daemon(conf)
        self.wait("camera up", lambda: self.state(conf) == "up")
        self.wait("its first state settled", lambda: self.damping() == ("up", 0))
        self.go(conf, "notfound", "down")

        def deliveries():
            hist = self.history(conf)
            return {d["channel"]: d for a in hist if a["kind"] == "change"
                    for d in a["deliveries"]}

        # Refused, again and again, each attempt written with what it met.
        self.wait("both retried", lambda: all(
            deliveries().get(c, {}).get("attempts", 0) >= 2 for c in ("webhook", "email")))
        for channel, port in (("webhook", rx.webhook.port), ("email", rx.smtp.port)):
            d = deliveries()[channel]
            self.assertEqual(d["status"], "pending", d)
            self.assertRegex(d["error"], r"nothing listens at 127\.0\.0\.1:%d" % port)
            self.assertIsNotNone(d["next_attempt"])
        self.assertIn("attempt 2 failed", self.daemon.stderr_text())

        # A restart keeps them pending; the receivers come up; each gets the alert once.
        self.stop_daemon()
        before = deliveries()
        self.assertEqual([before[c]["status"] for c in ("webhook", "email")],
                         ["pending", "pending"])
        self.start_daemon(conf)
        self.wait("2 deliveries pending after the restart",
                  lambda: "2 deliveries pending" in self.daemon.stderr_text())
        for proc in (rx.webhook, rx.smtp):
            os.kill(proc.pid, signal.SIGUSR1)
            self.assertTrue(proc.wait_line(b"LISTENING", cwtest.POLL_DEADLINE_S))
        self.wait("both sent", lambda: all(
            deliveries()[c]["status"] == "sent" for c in ("webhook", "email")))
        self.stop_daemon()  # nothing more can come after this
        after = deliveries()
        for c in ("webhook", "email"):
            self.assertGreater(after[c]["attempts"], before[c]["attempts"])
            self.assertIsNone(after[c]["error"])
        # The relay said 451 twice before it took the message: two more attempts at least.
        self.assertGreaterEqual(after["email"]["attempts"], before["email"]["attempts"] + 3)
        self.assertIn("SMTP 451", self.daemon.stderr_text())
        hooks = rx.hooks()
        self.assertEqual([(b["kind"], b["from"], b["to"]) for _, b, _ in hooks],
                         [("change", "up", "down")])
        self.assertEqual(len(rx.mails()), 1)
        self.check_mail(*rx.mails()[0], "up -> down")

    def test_a_hanging_webhook_does_not_hold_up_the_mail(self):
        # A chat service that takes each request and never answers, with the longest attempt
        # [alerts] allows, while a whole site goes down: more alerts at once than attempts
        # the queue runs at once. The mail relay answers; every camera's alert must reach it
        # while the webhook's attempts are all still hanging, not after they time out.
        rx = Receivers(self.tmp, self.procs, webhook_args=("--hang",))
        port = cwtest.closed_port()
        ids = ["CAH-%03d" % i for i in range(1, 21)]
        cams = [cwtest.camera(cid, cwtest.rtsp_url(port, "/" + cid), commune="Tân Dương")
                for cid in ids]
        conf = self.write_site(alert_config(rx, hold="1s", timeout="10m"), cameras=cams)
        self.start_daemon(conf)
        self.wait("every camera's alert mailed", lambda: len(rx.mails()) == len(ids))
        self.wait("the webhook holding requests", lambda: rx.hung() > 0)
        told = sorted(str(msg["subject"]).split("] ")[1].split(" ")[0]
                      for _, msg, _ in rx.mails())
        self.assertEqual(told, ids)
        for env, msg, raw in rx.mails():
            self.check_mail(env, msg, raw, "-> down")
        hist = [a for a in self.history(conf) if a["kind"] == "change"]
        self.assertEqual(sorted(a["camera"] for a in hist), ids)
        for a in hist:
            by = {d["channel"]: d for d in a["deliveries"]}
            self.assertEqual(sorted(by), ["email", "webhook"], a)
            self.assertEqual(by["email"]["status"], "sent", a)
            # no webhook attempt has ended: each is hanging or waits its turn
            self.assertEqual((by["webhook"]["status"], by["webhook"]["attempts"]),
                             ("pending", 0), a)
        self.stop_daemon()

    def test_a_huge_retry_after_waits_retry_max(self):
        # A webhook that says "busy, try again in 2^63-1 s": the wait is retry_max, the bound
        # (not the wait of a Retry-After wrapped round to negative, nor an overflow).
        rx = Receivers(self.tmp, self.procs,
                       webhook_args=("--fail-first", "1", "--retry-after", str(2 ** 63 - 1)))
        port = cwtest.closed_port()
        cams = [cwtest.camera("CAH-001", cwtest.rtsp_url(port, "/CAH-001"))]
        conf = self.write_site(alert_config(rx, hold="1s", retry="1s", retry_max="20s"),
                               cameras=cams)
        self.start_daemon(conf)
        db = os.path.join(self.tmp, "site", "var", "camwatch.db")

        def first_attempt():
            try:
                c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
            except sqlite3.Error:
                return None  # the daemon has not made the store yet
            try:
                r = c.execute("SELECT attempts, last_ms, next_ms, error FROM alert_delivery "
                              "WHERE channel = 'webhook'").fetchone()
            except sqlite3.Error:
                return None
            finally:
                c.close()
            return r if r is not None and r[0] >= 1 else None
        row = self.wait("the first attempt refused", first_attempt)
        attempts, last_ms, next_ms, error = row
        self.assertEqual(attempts, 1, row)
        self.assertIn("503", error)
        self.assertEqual(next_ms - last_ms, 20000, row)  # retry_max, not retry (1 s)
        self.assertEqual(rx.hooks(), [])
        self.stop_daemon()
        self.assertNotIn("runtime error", self.daemon.stderr_text())

    def test_a_reload_takes_the_new_targets(self):
        old = Receivers(self.tmp, self.procs, webhook_args=("--down",),
                        smtp_args=("--fail-first", "1000"))
        new_dir = os.path.join(self.tmp, "new")
        new = self.procs.fixture("alert_receiver.py", "--protocol", "webhook", "--spool",
                                 new_dir)
        conf = self.write_site(alert_config(old, hold="1s"))
        self.start_daemon(conf)
        self.wait("camera up", lambda: self.state(conf) == "up")
        self.wait("its first state settled", lambda: self.damping() == ("up", 0))
        self.go(conf, "notfound", "down")
        self.wait("the alert tried on both targets", lambda: len(self.history(conf)) == 1 and all(
            d["attempts"] >= 1 for d in self.history(conf)[0]["deliveries"]))

        # SIGHUP: another webhook, no e-mail. What was pending for the old ones fails, said so;
        # the next change goes to the new webhook only.
        self.write_site({"hold": "1s", "webhook": "http://127.0.0.1:%d/new" % new.port,
                         "retry": "1s", "retry_max": "4s", "digest_at": "off"})
        os.kill(self.daemon.pid, signal.SIGHUP)
        self.wait("the old deliveries failed", lambda: all(
            d["status"] == "failed" for d in self.history(conf)[0]["deliveries"]))
        errors = sorted(d["error"] for d in self.history(conf)[0]["deliveries"])
        self.assertEqual(errors, ["e-mail is no longer in [alerts]",
                                  "this webhook is no longer in [alerts]"])
        self.go(conf, "ok", "up")
        self.wait("sent to the new webhook", lambda: len(self.history(conf)) == 2 and [
            d["status"] for d in self.history(conf)[1]["deliveries"]] == ["sent"])
        self.stop_daemon()
        self.assertEqual(old.hooks(), [])
        self.assertEqual(old.mails(), [])
        got = []
        for n in sorted(os.listdir(new_dir)):
            with open(os.path.join(new_dir, n), encoding="utf-8") as f:
                got.append(json.loads(json.load(f)["body"])["to"])
        self.assertEqual(got, ["up"])

    def test_alerts_test_says_what_each_target_answered(self):
        rx = Receivers(self.tmp, self.procs, webhook_args=("--fail-first", "1"))
        conf = self.write_site(alert_config(rx))
        r = cwtest.camwatchd(conf, "--once")  # the store the history is kept in
        self.assertEqual(r.rc, 0, r)

        # The webhook is busy (503): one attempt only, a failure said as it is.
        r = cwtest.camwatch(conf, "alerts", "test")
        self.assertEqual(r.rc, 1, r)
        self.assertIn("webhook http://127.0.0.1:%d: failed: HTTP 503" % rx.webhook.port, r.out)
        self.assertIn("email smtp://127.0.0.1:%d: sent (SMTP 250)" % rx.smtp.port, r.out)
        r = cwtest.camwatch(conf, "alerts", "test")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("webhook http://127.0.0.1:%d: sent (HTTP 204)" % rx.webhook.port, r.out)
        self.assertRegex(r.out, r"alert \d+: 2 sent, 0 failed")
        hooks = rx.hooks()
        self.assertEqual([b["kind"] for _, b, _ in hooks], ["test"])
        self.assertEqual(len(rx.mails()), 2)
        subject, text = self.check_mail(*rx.mails()[1], "Test alert from camwatch at Lai Vung")
        self.assertIn("If you read this", text)
        hist = self.history(conf)
        self.assertEqual([a["kind"] for a in hist], ["test", "test"])
        self.assertEqual([d["status"] for d in hist[0]["deliveries"]], ["failed", "sent"])

        # Nobody listens: refused, named; the exit status says so.
        conf = self.write_site(alert_config(rx, webhook="http://127.0.0.1:%d/x"
                                            % cwtest.closed_port()))
        r = cwtest.camwatch(conf, "alerts", "test")
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.out, r"webhook http://127\.0\.0\.1:\d+: failed: nothing listens at")
        self.assertNotIn("/x", r.out)

    def test_a_digest_missed_while_down_is_made_up_once(self):
        rx = Receivers(self.tmp, self.procs)
        refused = cwtest.closed_port()
        cams = [cwtest.camera("CAH-017", cwtest.rtsp_url(self.fault.port, "/switch"),
                              name=CAMERA_NAME),
                cwtest.camera("TD-03", cwtest.rtsp_url(refused, "/x"), name="Chợ Tân Dương")]
        conf = self.write_site(alert_config(rx, digest_at="07:00"), cams)
        r = cwtest.camwatchd(conf, "--once")
        self.assertEqual(r.rc, 0, r)
        # The last digest was two days ago: today's (or yesterday's) was missed.
        db = sqlite3.connect(os.path.join(self.tmp, "site", "var", "camwatch.db"))
        with db:
            db.execute("INSERT INTO alert (at_ms, kind, summary, payload) VALUES (?, 'digest', "
                       "'old', '{}')", (int(time.time() * 1000) - 2 * 86400 * 1000,))
        db.close()
        self.start_daemon(conf)
        self.wait("the digest", lambda: len(rx.hooks()) == 1)
        self.wait("its e-mail", lambda: len(rx.mails()) == 1)
        self.stop_daemon()
        _, body, _ = rx.hooks()[0]
        self.assertEqual(body["kind"], "digest")
        self.assertEqual(body["cameras"], 2)
        self.assertEqual(body["counts"]["down"], 1)
        self.assertEqual([p["id"] for p in body["problems"]], ["TD-03"])
        self.assertIn("connection refused", body["problems"][0]["reason"])
        self.assertEqual(sorted(c["id"] for c in body["changed"]), ["CAH-017", "TD-03"])
        subject, text = self.check_mail(*rx.mails()[0], "Daily digest")
        self.assertIn("down      TD-03 Chợ Tân Dương, since", text)
        self.assertIn("CAH-017 " + CAMERA_NAME + ": 1 change, up now", text)

        # Started again: today's digest is sent; the next is a later one, not now.
        self.start_daemon(conf)
        self.wait("the next digest planned", lambda: "next digest at" in self.daemon.stderr_text())
        line = [l for l in self.daemon.stderr_text().splitlines() if "next digest at" in l][0]
        self.assertTrue(line.endswith(" 07:00:00"), line)
        self.stop_daemon()
        self.assertEqual(len(rx.hooks()), 1)
        self.assertEqual([a["kind"] for a in self.history(conf)], ["digest"])  # since -1d


if __name__ == "__main__":
    cwtest.build_dir()
    unittest.main(verbosity=2)
