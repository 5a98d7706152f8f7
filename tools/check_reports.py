#!/usr/bin/env python3
"""Open every report in headless Chromium: screenshot each, fail on console errors or remote requests.

    python tools/check_reports.py [reports]          # every reports/*/*.html and reports/index.html
    python tools/check_reports.py page.html ...      # just these pages

For each page (reader's view, code view, the index) it records, over the Chrome DevTools Protocol
(Network, Runtime, Log, Page and Fetch domains, over a websocket): every request whose URL is not
file:, data:, blob: or about: (such requests are failed at once, so the check needs no network),
uncaught exceptions, console.error/assert calls and error log entries (e.g. a file that does not
load). It saves a full-page PNG (capped at 12000 px) to ``screenshots/NAME.png`` beside the page
(``--screenshots DIR`` for one folder). Exit status: 0 when every page is clean, 1 when any is not,
2 when Chromium is not installed (Debian: ``apt-get install chromium``; or set ``CHROMIUM``).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
MAX_HEIGHT = 12000
WIDTH = 1280


def find_chromium() -> str | None:
    """The Chromium binary: $CHROMIUM, else chromium, chromium-browser, google-chrome on PATH."""
    names = [os.environ["CHROMIUM"]] if os.environ.get("CHROMIUM") else []
    names += ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    return next((found for found in map(shutil.which, names) if found), None)


class Browser:
    """A headless Chromium and one DevTools websocket to it (flattened target sessions)."""

    def __init__(self, binary: str, timeout: float = 60.0):
        import websocket  # websocket-client

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="artstudy-chromium-")
        args = [binary, "--headless=new", "--remote-debugging-port=0", f"--user-data-dir={self.profile}",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--mute-audio", "--hide-scrollbars", "about:blank"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.is_file() and len(port_file.read_text().splitlines()) >= 2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = self.process.stderr.read().decode(errors="replace")[-2000:] if self.process.poll() is not None else ""
                self.close()
                raise RuntimeError(f"Chromium did not start ({binary}): {err.strip() or 'timed out'}")
            time.sleep(0.05)
        port, path = port_file.read_text().splitlines()[:2]
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}{path}", timeout=timeout, suppress_origin=True)
        self._ids = itertools.count(1)
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and wait for its reply; events arriving meanwhile are kept (and handled)."""
        msg_id = next(self._ids)
        message = {"id": msg_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._event(reply)
        raise TimeoutError(method)

    def _event(self, event: dict) -> None:
        self.events.append(event)
        if event["method"] == "Fetch.requestPaused":  # fail remote requests at once, let local ones through
            params, session = event["params"], event.get("sessionId")
            url = params["request"]["url"]
            if url.startswith(LOCAL_SCHEMES):
                self.send("Fetch.continueRequest", {"requestId": params["requestId"]}, session)
            else:
                self.send("Fetch.failRequest", {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                          session)

    def wait_for(self, method: str, session: str, seconds: float) -> bool:
        """Read events until ``method`` arrives for ``session`` (True) or ``seconds`` pass (False)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ws.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                event = json.loads(self.ws.recv())
            except Exception:  # websocket timeout: nothing more arrived
                break
            finally:
                self.ws.settimeout(self.timeout)
            if "method" in event:
                self._event(event)
                if event["method"] == method and event.get("sessionId") == session:
                    return True
        return False

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            if self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def _problems(events: list[dict], session: str) -> list[str]:
    """Remote requests, exceptions, console errors and error log entries among a page's events."""
    problems = []
    for event in (e for e in events if e.get("sessionId") == session):
        method, params = event["method"], event["params"]
        if method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES):
                problems.append(f"remote request: {url}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            problems.append(f"uncaught exception: {text.splitlines()[0] if text else '?'}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            problems.append(f"console.{params['type']}: {args}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            entry = params["entry"]
            problems.append(f"log error: {entry.get('text', '')} {entry.get('url', '')}".strip())
    return list(dict.fromkeys(problems))


def check_page(browser: Browser, page: Path, screenshot: Path | None, settle: float = 1.0) -> list[str]:
    """Open ``page``; save its screenshot; return its problems (empty when clean)."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Network", "Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", {}, session)
        browser.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]}, session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": WIDTH, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
        nav = browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
        problems = [f"navigation failed: {nav['errorText']}"] if nav.get("errorText") else []
        if not browser.wait_for("Page.loadEventFired", session, browser.timeout):
            problems.append("the page did not finish loading")
        browser.wait_for("__settle__", session, settle)  # late scripts, console messages
        if screenshot is not None:
            size = browser.send("Page.getLayoutMetrics", {}, session)["cssContentSize"]
            clip = {"x": 0, "y": 0, "width": max(size["width"], 1), "height": min(max(size["height"], 1), MAX_HEIGHT),
                    "scale": 1}
            shot = browser.send("Page.captureScreenshot",
                                {"format": "png", "captureBeyondViewport": True, "clip": clip}, session)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        return problems + _problems(browser.events, session)
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
        browser.events = [e for e in browser.events if e.get("sessionId") != session]


def find_pages(paths: list[Path]) -> list[Path]:
    """Pages to check: HTML files as given; a folder gives its index.html and every <profile>/*.html."""
    pages = []
    for path in paths:
        if path.is_dir():
            pages += sorted(path.glob("*.html")) + sorted(path.glob("*/*.html"))
        else:
            pages.append(path)
    return list(dict.fromkeys(pages))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("reports")],
                        help="report pages or folders of them (default: reports)")
    parser.add_argument("--screenshots", type=Path, default=None,
                        help="folder for every screenshot (default: screenshots/ beside each page)")
    parser.add_argument("--no-screenshots", action="store_true", help="check only")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for Chromium and each page")
    args = parser.parse_args(argv)
    binary = find_chromium()
    if binary is None:
        print("check-reports: Chromium not found (Debian: apt-get install chromium; or set CHROMIUM=/path/to/chrome)",
              file=sys.stderr)
        return 2
    pages = find_pages(args.paths)
    missing = [str(p) for p in pages if not p.is_file()]
    if missing or not pages:
        print(f"check-reports: no such page: {', '.join(missing) or 'no HTML under ' + ', '.join(map(str, args.paths))}",
              file=sys.stderr)
        return 1
    failed = 0
    browser = Browser(binary, timeout=args.timeout)
    try:
        for page in pages:
            shot = None
            if not args.no_screenshots:
                folder = args.screenshots if args.screenshots is not None else page.parent / "screenshots"
                shot = folder / (page.name[: -len(".html")] + ".png" if page.name.endswith(".html") else page.name + ".png")
            problems = check_page(browser, page, shot)
            failed += bool(problems)
            print(f"{'FAIL' if problems else 'ok  '} {page}" + (f" (screenshot {shot})" if shot else ""))
            for problem in problems:
                print(f"     {problem}")
    finally:
        browser.close()
    print(f"check-reports: {len(pages) - failed} of {len(pages)} pages clean")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
