"""browser.py - headless Chromium for the dashboard's tests, driven over W3C WebDriver by
Debian's chromedriver (package chromium-driver) with the standard library alone: no npm,
nothing fetched at test time.

    with cwtest.fixtures() as (tmp, procs):
        b = browser.Browser(procs, tmp)
        b.get("http://127.0.0.1:8640/")
        b.click("#login-go")
        b.screenshot("/path/shot.png")

Waits (wait_js, wait_css) are polls for a condition with a generous deadline, never timed
assertions. Chromium runs with its own empty profile in the test's folder and the flags that
keep it from reaching anything beyond loopback."""
import base64
import json
import os
import time
import urllib.error
import urllib.request

import cwtest

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/lib/chromium/chromium"  # the binary the /usr/bin/chromium wrapper starts
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--lang=vi"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference


def artifacts(name):
    """The folder a test's screenshots are kept in: $CW_ARTIFACTS, else
    <build>/test-artifacts/name; made when missing."""
    d = os.environ.get("CW_ARTIFACTS") or os.path.join(cwtest.build_dir([]), "test-artifacts",
                                                        name)
    os.makedirs(d, exist_ok=True)
    return d


def available():
    return os.access(CHROMEDRIVER, os.X_OK) and os.access(CHROMIUM, os.X_OK)


class Browser:
    def __init__(self, procs, tmp, width=1400, height=1000):
        self.port = cwtest.free_port()
        self.driver = procs.start([CHROMEDRIVER, "--port=%d" % self.port], name="chromedriver")
        cwtest.wait_for("chromedriver ready", self._ready, proc=self.driver)
        profile = os.path.join(tmp, "chromium-profile")
        os.makedirs(profile, exist_ok=True)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": FLAGS + ["--user-data-dir=" + profile,
                                 "--window-size=%d,%d" % (width, height)]}}}}
        self.session = None
        self.session = self._call("POST", "/session", caps, session=False)["sessionId"]

    def _ready(self):
        try:
            return self._call("GET", "/status", None, session=False).get("ready")
        except OSError:
            return False

    def _call(self, method, path, body, session=True):
        url = "http://127.0.0.1:%d%s%s" % (self.port, "/session/" + self.session
                                           if session else "", path)
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=cwtest.RUN_TIMEOUT_S) as r:
                return json.loads(r.read().decode())["value"]
        except urllib.error.HTTPError as e:
            raise AssertionError("webdriver %s %s: %s" % (method, path, e.read().decode()[:2000]))

    def allow_downloads(self, directory):
        """Save what the page downloads into directory (chromium's DevTools command, through
        chromedriver), without asking."""
        os.makedirs(directory, exist_ok=True)
        self._call("POST", "/goog/cdp/execute", {
            "cmd": "Browser.setDownloadBehavior",
            "params": {"behavior": "allow", "downloadPath": directory}})

    def get(self, url):
        self._call("POST", "/url", {"url": url})

    def js(self, script, *args):
        """Run script (a function body; arguments[] are args) and return its value."""
        return self._call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        """The element css selects (the first), or None."""
        found = self._call("POST", "/elements", {"using": "css selector", "value": css})
        return found[0][ELEMENT] if found else None

    def click(self, css):
        el = self.wait_css(css)
        self._call("POST", "/element/%s/click" % el, {})

    def type(self, css, text):
        el = self.wait_css(css)
        self._call("POST", "/element/%s/clear" % el, {})
        self._call("POST", "/element/%s/value" % el, {"text": text})

    def select(self, css, value):
        """Choose the option of a <select> with this value, as a user would (a change event)."""
        self.wait_css(css)
        self.js("const s = document.querySelector(arguments[0]); s.value = arguments[1];"
                "s.dispatchEvent(new Event('change'));", css, value)

    def login(self, url, token, lang="en"):
        """The dashboard at url, in lang, signed in with token as a user does: its overview."""
        self.get(url)
        self.js("localStorage.clear(); localStorage.setItem('cw_lang', arguments[0]);", lang)
        self.js("location.reload()")
        self.type("#token", token)
        self.click("#login-go")
        self.wait_css(".card")

    def wait_css(self, css, what=None):
        return cwtest.wait_for(what or "an element %s" % css, lambda: self.find(css),
                               proc=self.driver)

    def wait_js(self, what, script, *args):
        """Poll script until it returns a true value; that value."""
        return cwtest.wait_for(what, lambda: self.js(script, *args), proc=self.driver)

    def screenshot(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        png = base64.b64decode(self._call("GET", "/screenshot", None))
        with open(path, "wb") as f:
            f.write(png)
        return path

    def quit(self):
        try:
            self._call("DELETE", "", None)
        except (OSError, AssertionError):
            pass
        self.driver.stop()
