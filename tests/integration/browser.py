"""Debian's Chromium, headless, driven by selenium through Debian's chromedriver; and a static
web site (python's http.server) that plays a CRM on its own loopback origin."""

import socket
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import free_port, wait_for
from timescale import scaled


def tcp_port():
    return free_port(socket.SOCK_STREAM)


class Site:
    """A directory served over HTTP on 127.0.0.1: the origin is http://127.0.0.1:PORT."""

    def __init__(self, testenv, directory, name="crm-site"):
        self.port = tcp_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.proc = testenv.procs.start(name, [sys.executable, "-m", "http.server", str(self.port), "--bind",
                                               "127.0.0.1", "--directory", str(directory)], testenv.env)

        def listening():
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False

        wait_for(listening, 10, what=f"the web server for {directory}")


class Browser:
    """One headless Chromium with its own profile. host_rules maps names to 127.0.0.1 the way a
    rebinding DNS server would (--host-resolver-rules)."""

    def __init__(self, testenv, host_rules=None, profile="chromium", arguments=(), prefs=None):
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", f"--user-data-dir={testenv.root / profile}",
                         "--no-first-run", "--no-default-browser-check", "--no-proxy-server",
                         "--autoplay-policy=no-user-gesture-required"):
            options.add_argument(argument)
        if host_rules:
            options.add_argument(f"--host-resolver-rules={host_rules}")
        for argument in arguments:
            options.add_argument(argument)
        if prefs:
            options.add_experimental_option("prefs", prefs)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = Service(executable_path="/usr/bin/chromedriver", log_path=str(testenv.root / f"chromedriver-{profile}.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(scaled(30))
        self.console = []

    def quit(self):
        """Quits Chromium, then makes sure chromedriver (the process we started) is gone."""
        if self.driver is None:
            return
        driver_process = self.driver.service.process
        try:
            self.driver.quit()
        finally:
            if driver_process.poll() is None:
                driver_process.kill()
                driver_process.wait()
            self.driver = None

    def open(self, url):
        """Loads url afresh (a URL that differs only in its fragment would not reload the page)."""
        self.driver.get("about:blank")
        self.driver.get(url)

    def text(self, element_id):
        """The element's text content (not innerText, which CSS text-transform changes)."""
        try:
            return self.driver.find_element(By.ID, element_id).get_attribute("textContent")
        except NoSuchElementException:
            return None

    def shown(self, element_id):
        try:
            return self.driver.find_element(By.ID, element_id).is_displayed()
        except NoSuchElementException:
            return False

    def wait_text(self, element_id, expected, timeout=15):
        """Waits until the element's text is expected (a string, or a predicate on the text)."""
        check = expected if callable(expected) else (lambda text: text == expected)
        try:
            WebDriverWait(self.driver, scaled(timeout), poll_frequency=0.05).until(
                lambda _: check(self.text(element_id) or ""))
        except Exception:
            raise AssertionError(f"#{element_id} is {self.text(element_id)!r}, waited for {expected!r};"
                                 f" console: {self.logs()}") from None

    def click(self, css):
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def wait_shown(self, css, timeout=15):
        def visible(_):
            try:
                return self.driver.find_element(By.CSS_SELECTOR, css).is_displayed()
            except NoSuchElementException:
                return False
        try:
            WebDriverWait(self.driver, scaled(timeout), poll_frequency=0.05).until(visible)
        except Exception:
            raise AssertionError(f"{css} never shown; console: {self.logs()}") from None

    def click_when_shown(self, css, timeout=15):
        self.wait_shown(css, timeout)
        self.click(css)

    def into_frame(self, element_id):
        self.driver.switch_to.default_content()
        self.driver.switch_to.frame(self.driver.find_element(By.ID, element_id))

    def out_of_frame(self):
        self.driver.switch_to.default_content()

    def logs(self):
        """The console so far (selenium drains it: kept here)."""
        self.console += [entry["message"] for entry in self.driver.get_log("browser")]
        return self.console

    def settle(self, seconds=0.3):
        time.sleep(seconds)
