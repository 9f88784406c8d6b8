#!/usr/bin/python3
"""The console end to end in headless Chromium, as a caseworker uses it at 1366x768.

Debian's /usr/bin/chromium is driven through WebDriver by Debian's
/usr/bin/chromedriver and python3-selenium, so nothing here needs Node.js or
npm. Signs in (after a wrong password), opens the top flag of the queue,
dismisses it with a reason by keyboard and finds the decision in the case
history; then every other page once. Screenshots go to --out. Prints
"decided FLAG HOUSEHOLD" and each page's load time; exits non-zero naming
the step that failed.

  /usr/bin/python3 console_e2e.py --url=http://127.0.0.1:PORT/ --user=ID \\
      --password=PW --out=DIR
"""
import argparse
import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chromium.remote_connection import ChromiumRemoteConnection
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

TIMEOUT_S = 30


class Console:
    """The page and the few gestures the test needs, named as a user would."""

    def __init__(self, driver, out):
        self.d = driver
        self.out = out

    def wait(self, predicate, what):
        WebDriverWait(self.d, TIMEOUT_S).until(
            lambda d: predicate(), message=f"waited {TIMEOUT_S} s for {what}")

    def wait_for(self, css, visible=False):
        def found():
            els = self.d.find_elements(By.CSS_SELECTOR, css)
            return els and (not visible or els[0].is_displayed())
        self.wait(found, css)
        return self.d.find_element(By.CSS_SELECTOR, css)

    def wait_js(self, script, *args):
        self.wait(lambda: self.d.execute_script(script, *args), script)

    def fill(self, css, text):
        el = self.wait_for(css)
        el.clear()
        el.send_keys(text)

    def click(self, css):
        self.wait_for(css, visible=True).click()

    def press(self, key):
        ActionChains(self.d).send_keys(key).perform()

    def attribute(self, css, name):
        return self.wait_for(css).get_attribute(name)

    def text(self, css):
        self.wait_for(css)
        return self.d.execute_script(
            "return document.querySelector(arguments[0]).textContent", css)

    def shot(self, name):
        # The whole page, not only the viewport (WebDriver's own screenshot).
        png = cdp(self.d, "Page.captureScreenshot",
                  {"format": "png", "captureBeyondViewport": True})
        with open(os.path.join(self.out, f"{name}.png"), "wb") as f:
            f.write(base64.b64decode(png["data"]))

    def media(self, kind):
        cdp(self.d, "Emulation.setEmulatedMedia", {"media": kind})

    def timed(self, name, fn):
        t0 = time.monotonic()
        fn()
        print(f"page {name}: {round((time.monotonic() - t0) * 1000)} ms", flush=True)

    def problems(self):
        # 401s are expected (the sign-in check before signing in, the wrong
        # password on purpose); any other failed load or script error is not.
        return [f"console: {e['message']}" for e in self.d.get_log("browser")
                if e["level"] == "SEVERE" and "status of 401" not in e["message"]]


# Every connection between this script, chromedriver and Chromium is made to
# 127.0.0.1, never to "localhost": a minimal Debian root has no /etc/hosts,
# and there "localhost" does not resolve. Selenium's own service manager and
# chromedriver's own launch of Chromium both use the name, so this script
# starts both programs itself and hands chromedriver the browser's address.
def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, proc, what):
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        value = ready()
        if value:
            return value
        time.sleep(0.1)
    raise RuntimeError(f"{what} was not ready within {TIMEOUT_S} s")


def start_chromium(profile):
    """Headless Chromium with its DevTools endpoint on a loopback port."""
    chromium = subprocess.Popen(
        [os.environ.get("DIBAO_CHROMIUM", "/usr/bin/chromium"),
         "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run", "--lang=zh-CN",
         "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
         f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    active = os.path.join(profile, "DevToolsActivePort")

    def port():
        try:
            with open(active, encoding="ascii") as f:
                return f.readline().strip()
        except OSError:
            return None
    return chromium, f"127.0.0.1:{wait_until(port, chromium, 'chromium')}"


def start_driver():
    """chromedriver on a free loopback port; its URL."""
    port = free_port()
    driver = subprocess.Popen(
        [os.environ.get("DIBAO_CHROMEDRIVER", "/usr/bin/chromedriver"), f"--port={port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def answers():
        try:
            with direct.open(f"{url}/status", timeout=1):
                return True
        except OSError:
            return False
    wait_until(answers, driver, "chromedriver")
    return driver, url


def start_browser(url, debugger_address):
    """A WebDriver session on the running Chromium, through chromedriver."""
    options = webdriver.ChromeOptions()
    options.debugger_address = debugger_address
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    connection = ChromiumRemoteConnection(url, "goog", "chrome", keep_alive=True,
                                          ignore_proxy=True)
    browser = webdriver.Remote(command_executor=connection, options=options)
    cdp(browser, "Emulation.setDeviceMetricsOverride",
        {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False})
    return browser


def stop(proc):
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def cdp(browser, cmd, params):
    """A Chrome DevTools command through chromedriver."""
    return browser.execute("executeCdpCommand", {"cmd": cmd, "params": params})["value"]


def run(c, args):
    step = "sign in"
    try:
        c.d.get(args.url)
        c.wait_for("#signin")
        c.shot("01-sign-in")
        c.fill("#user", args.user)
        c.fill("#password", "wrong-password-1")
        c.click("#signin")
        c.wait_for("#notice:not([hidden])")
        c.fill("#password", args.password)

        def sign_in():
            c.click("#signin")
            c.wait_for("#queue tbody tr")
        c.timed("queue (sign in)", sign_in)
        c.shot("02-queue")

        step = "open the top flag"
        flag_id = c.attribute("#queue tbody tr:first-child", "data-flag")

        def open_flag():
            c.press(Keys.ENTER)
            c.wait_for("#flag-summary")
        c.timed("flag", open_flag)
        household = c.attribute("#flag-summary", "data-household")
        c.shot("03-flag")

        step = "dismiss with a reason"
        Select(c.wait_for("#reason")).select_by_value("DISMISS_REASON_PARTNER_DATA_WRONG")
        c.fill("#note", "单位已注销，工资记录为误报")
        c.click("#flag-summary")  # leave the text box so the key is a shortcut
        c.press("d")
        c.wait_js("return document.querySelector('#flag-state')?.textContent === '已排除'")
        step = "find the decision in the case history"
        history = c.text("#history")
        if args.user not in history or "PARTNER_DATA_WRONG" not in history:
            raise AssertionError(f"the case history does not show the decision: {history[:400]}")
        c.shot("04-dismissed")
        print(f"decided {flag_id} {household}", flush=True)

        step = "next flag by keyboard"
        c.press("n")
        c.wait_js("return !location.hash.includes(arguments[0])", flag_id)

        step = "the queue again"

        def queue():
            c.click("nav a[data-page=queue]")
            c.wait_for("#queue tbody tr")
        c.timed("queue", queue)

        step = "the reads of the case are on its history too"
        c.d.get(f"{args.url}#/flag/{flag_id}?reads=1")
        c.wait_for("#history")
        c.wait_js("return document.querySelector('#history').textContent"
                  ".includes('ReviewService.GetCase')")

        step = "recommendations"

        def recommendations():
            c.click("nav a[data-page=recs]")
            c.wait_for("#export-csv")
        c.timed("recommendations", recommendations)
        c.shot("05-recommendations")
        step = "recommendations as a spreadsheet"
        cdp(c.d, "Browser.setDownloadBehavior",
            {"behavior": "allow", "downloadPath": os.path.abspath(args.out)})
        exported = os.path.join(args.out, "recommendations-proposed.csv")
        if os.path.exists(exported):
            os.remove(exported)
        c.click("#export-csv")

        def downloaded():
            if not os.path.exists(exported):
                return False
            with open(exported, "rb") as f:
                return f.read().startswith("\ufeffrecommendation,state,kind".encode())
        c.wait(downloaded, f"{exported} with the approval list's columns")

        step = "reports"

        def reports():
            c.click("nav a[data-page=reports]")
            c.wait_for("#table2")
        c.timed("reports", reports)
        c.wait_js("return window.Chart && Object.keys(window.Chart.instances || {}).length === 2")
        c.shot("06-reports")

        step = "posting list"

        def posting():
            c.click("nav a[data-page=posting]")
            c.wait_for("#community option:nth-child(2)")
        c.timed("posting", posting)
        community = c.attribute("#community option:nth-child(2)", "value")
        Select(c.wait_for("#community")).select_by_value(community)
        c.wait_for("#posting tbody tr")
        if re.search(r"\d{17}[\dX]", c.text("#posting")):
            raise AssertionError("the posting list shows a full ID number")
        c.media("print")
        c.shot("07-posting-print")
        c.media("screen")

        step = "feeds"

        def feeds():
            c.click("nav a[data-page=feeds]")
            c.wait_for("#last-batches tbody tr")
        c.timed("feeds", feeds)
        c.shot("08-feeds")

        step = "English"
        c.click("#lang")
        c.wait_js("return document.querySelector('nav a[data-page=queue]')"
                  "?.textContent === 'Review queue'")
        c.click("nav a[data-page=queue]")
        c.wait_for("#queue tbody tr")
        c.shot("09-queue-english")

        step = "sign out"
        c.click("#signout")
        c.wait_for("#signin")
        problems = c.problems()
        if problems:
            raise AssertionError("\n".join(problems))
    except Exception as e:  # noqa: BLE001 - any failure names its step
        print(f'console e2e failed at "{step}": {type(e).__name__}: {e}', file=sys.stderr)
        return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ["url", "user", "password", "out"]:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="dibao-chromium-")
    chromium = driver = None
    try:
        try:
            chromium, debugger_address = start_chromium(profile)
            driver, url = start_driver()
            browser = start_browser(url, debugger_address)
        except Exception as e:  # noqa: BLE001
            print(f'console e2e failed at "start": {type(e).__name__}: {e}', file=sys.stderr)
            return 1
        try:
            return run(Console(browser, args.out), args)
        finally:
            browser.quit()
    finally:
        stop(driver)
        stop(chromium)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
