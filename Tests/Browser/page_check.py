#!/usr/bin/env python3
"""Checks coaching pages in headless Chromium over the DevTools protocol (Python stdlib only).

For each page: load it from file://, block any request that would leave the machine, and collect
console errors, uncaught exceptions, error log entries, failed loads and non-local requests. Then
read the rendered text, click (a real DevTools mouse event) on evidence time links and timeline
marks and read the player's currentTime after each, measure what overflows the window's width, and
write a PNG screenshot. Works on the audit summary page too (it has no player and no time links).

    page_check.py [--screenshot-dir DIR] [--width 1280] PAGE.html...

Prints one JSON object ({"pages": [...]}) on stdout. Exit 0 when the harness ran (the caller
judges the findings), 2 when the browser could not be driven. The browser is `chromium` on PATH.
"""
import argparse, base64, fcntl, json, os, select, shutil, subprocess, sys, tempfile, time

LOCAL = ("file:", "data:", "about:", "blob:")

# Elements to click: the first evidence link in a guideline card whose time is past 1 s (so the
# expected seek, t - 1, is not clamped), and a mark on the timeline (an SVG element).
CLICK_TARGETS = [
    ("card", '.card a.t[data-t]'),
    ("timeline", 'svg.row [data-t]'),
    ("clamped", '.card a.t[data-t]'),
]


class Browser:
    """One Chromium, driven through --remote-debugging-pipe: we write to its fd 3, read its fd 4."""

    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="voiceqa-browser-")
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()

        def wire():  # in the child, before exec: its fds 3 and 4 become our pipes
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        chromium = shutil.which("chromium")
        if chromium is None:
            raise RuntimeError("chromium is not on PATH")
        args = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                "--autoplay-policy=no-user-gesture-required", f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"]
        self.process = subprocess.Popen(args, preexec_fn=wire, close_fds=False,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.out = os.fdopen(to_chrome_w, "wb", buffering=0)
        self.inp = os.fdopen(from_chrome_r, "rb", buffering=0)
        self.pending = b""
        self.last_id = 0
        self.events = []
        self.on_paused = None

    def _read(self, timeout):
        while b"\0" not in self.pending:
            ready, _, _ = select.select([self.inp], [], [], max(0.0, timeout))
            if not ready:
                return None
            data = self.inp.read(1 << 16)
            if not data:
                raise EOFError("chromium closed the DevTools pipe")
            self.pending += data
        message, self.pending = self.pending.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None):
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.out.write(json.dumps(message).encode() + b"\0")
        return self.last_id

    def call(self, method, params=None, session=None, timeout=30):
        wanted = self.send(method, params, session)
        deadline = time.time() + timeout
        while time.time() < deadline:
            message = self._read(deadline - time.time())
            if message is None:
                break
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)
        raise TimeoutError(method)

    def _event(self, message):
        if "method" not in message:
            return
        # Paused requests must be answered at once, or the navigation waiting on them never ends.
        if message["method"] == "Fetch.requestPaused" and self.on_paused:
            self.on_paused(message)
        else:
            self.events.append(message)

    def pump(self, seconds):
        deadline = time.time() + seconds
        while True:
            message = self._read(deadline - time.time())
            if message is None:
                return
            self._event(message)

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def check_page(browser, path, screenshot_dir, width):
    url = "file://" + os.path.abspath(path)
    found = {"page": path, "console_errors": [], "exceptions": [], "log_errors": [],
             "failed_loads": [], "external_requests": [], "clicks": []}
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def paused(message):
        request = message["params"]["request"]["url"]
        request_id = message["params"]["requestId"]
        if request.startswith(LOCAL):
            browser.send("Fetch.continueRequest", {"requestId": request_id}, message.get("sessionId"))
        else:  # nothing leaves the machine
            found["external_requests"].append(request)
            browser.send("Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"},
                         message.get("sessionId"))
    browser.on_paused = paused

    for domain in ("Runtime", "Log", "Network", "Page"):
        browser.call(f"{domain}.enable", session=session)
    browser.call("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session=session)
    browser.call("Page.navigate", {"url": url}, session=session)

    def drain():
        loaded = False
        while browser.events:
            event = browser.events.pop(0)
            method, params = event["method"], event.get("params", {})
            if method == "Page.loadEventFired":
                loaded = True
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found["console_errors"].append(" ".join(str(a.get("value", a.get("description", "")))
                                                        for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found["exceptions"].append(details.get("exception", {}).get("description") or details.get("text"))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                found["log_errors"].append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
            elif method == "Network.requestWillBeSent":
                request = params["request"]["url"]
                if not request.startswith(LOCAL) and request not in found["external_requests"]:
                    found["external_requests"].append(request)
            elif method == "Network.loadingFailed":
                # A media element may cancel its own range request once it has the metadata: not a failure.
                if not params.get("canceled"):
                    found["failed_loads"].append(f"{params.get('errorText')} {params.get('blockedReason', '')}".strip())
        return loaded

    deadline, loaded = time.time() + 30, False
    while not loaded and time.time() < deadline:
        browser.pump(0.1)
        loaded = drain() or loaded
    if not loaded:
        raise TimeoutError(f"{path}: the page did not load")
    browser.pump(0.4)  # let the player read the recording's metadata
    drain()

    def evaluate(expression):
        result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                   "awaitPromise": True}, session=session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    found["text"] = evaluate("document.body.innerText")
    found["title"] = evaluate("document.title")
    found["lang"] = evaluate("document.documentElement.lang")
    found["has_player"] = evaluate("!!document.getElementById('player')")
    found["player_ready_state"] = evaluate("(document.getElementById('player')||{}).readyState||0")
    # What does not fit the window's width: the page itself, and any table or chart wider than its box
    # (a table in a scrolling box still hides columns from a reader who does not scroll sideways).
    found["page_overflow_px"] = evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    found["overflowing"] = evaluate("[].slice.call(document.querySelectorAll('.wide, table, svg')).filter(function(e){"
                                    "return e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > "
                                    "document.documentElement.clientWidth + 1;}).map(function(e){"
                                    "return e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ? '.' + e.className : '') "
                                    "+ ' ' + e.scrollWidth + '>' + e.clientWidth;})")

    # Play at the slowest rate Chromium allows, so the time between a click and reading the player
    # moves the playhead by well under the tolerance of a seek.
    evaluate("(function(){var a=document.getElementById('player');if(a){a.defaultPlaybackRate=0.0625;a.playbackRate=0.0625;}})()")
    for name, selector in CLICK_TARGETS:
        # Pick the element, scroll it to the middle of the window, and find its centre on screen.
        pick = ("(function(){var all=[].slice.call(document.querySelectorAll(%s));"
                "var el=all.filter(function(e){var t=parseFloat(e.getAttribute('data-t'));return %s;})[0];"
                "if(!el)return null;el.scrollIntoView({block:'center'});var r=el.getBoundingClientRect();"
                "return {t:parseFloat(el.getAttribute('data-t')),x:r.left+r.width/2,y:r.top+r.height/2};})()"
                % (json.dumps(selector), "t<1" if name == "clamped" else "t>1.5"))
        spot = evaluate(pick)
        if spot is None:
            found["clicks"].append({"target": name, "missing": True})
            continue
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            browser.call("Input.dispatchMouseEvent", {"type": kind, "x": spot["x"], "y": spot["y"],
                                                      "button": "left" if kind != "mouseMoved" else "none",
                                                      "clickCount": 1}, session=session)
        # Read where the player is at once, then pause it so the next click starts from rest.
        now = evaluate("(function(){var a=document.getElementById('player');if(!a)return null;"
                       "var t=a.currentTime;a.pause();return t;})()")
        found["clicks"].append({"target": name, "t": spot["t"], "currentTime": now})
    browser.pump(0.3)
    drain()

    if screenshot_dir:
        # A window as tall as the page, so the player (sticky at the window's foot) sits at its end.
        evaluate("window.scrollTo(0,0)")
        height = evaluate("document.documentElement.scrollHeight")
        browser.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                            "mobile": False}, session=session)
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
        folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
        name = folder + "-" + os.path.splitext(os.path.basename(path))[0] + ".png"
        os.makedirs(screenshot_dir, exist_ok=True)
        found["screenshot"] = os.path.join(screenshot_dir, name)
        with open(found["screenshot"], "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    browser.call("Target.closeTarget", {"targetId": target})
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--screenshot-dir")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=900)
    options = parser.parse_args()
    browser = None
    try:
        browser = Browser(options.width, options.height)
        pages = [check_page(browser, page, options.screenshot_dir, options.width) for page in options.pages]
    except Exception as error:  # the harness could not drive the browser
        print(json.dumps({"harness_error": repr(error)}))
        sys.exit(2)
    finally:
        if browser:
            browser.close()
    print(json.dumps({"pages": pages}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
