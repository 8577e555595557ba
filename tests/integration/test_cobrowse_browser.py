"""Co-browse in two real browsers (Debian's Chromium, headless, selenium): the customer's and the
agent's, on a sample company site (tests/data/co-browse-site) served from loopback, which
includes the relay's cobrowse.js; a real sportellod with a call to baresip, and the relay.

The customer opens the join link; the agent opens the agent's link; the agent's navigation, scroll,
pointer, button clicks and highlight appear on the customer's side (URL and DOM asserted); the
customer's typing reaches the agent masked (a password always), a private element is hidden from
the agent, and the agent cannot type into the customer's fields; a wrong code and a third browser
are refused by the join page; StopCoBrowse ends it on both sides; the history has the pages.
Screenshots of both sides go to BUILD_DIR/tests/integration/artefacts."""

import shutil
import sqlite3

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from browser import Browser, Site, tcp_port
from conftest import BUILD_DIR, DATA_DIR, SESSION, wait_for
from test_cobrowse_relay import Relay, call_with_cobrowse

ARTEFACTS = BUILD_DIR / "tests" / "integration" / "artefacts"


@pytest.fixture
def world(testenv):
    relay_port = tcp_port()
    site_dir = testenv.root / "site"
    shutil.copytree(DATA_DIR / "co-browse-site", site_dir)
    for page in site_dir.glob("*.html"):
        page.write_text(page.read_text().replace("@RELAY@", f"http://127.0.0.1:{relay_port}"))
    site = Site(testenv, site_dir, name="company-site")
    relay = Relay(testenv, site=site.origin, port=relay_port)
    phone, path, code, url = call_with_cobrowse(testenv, relay)
    customer = Browser(testenv, profile="customer")
    agent = Browser(testenv, profile="agent")
    try:
        yield relay, site, path, code, url, customer, agent
    finally:
        customer.quit()
        agent.quit()
        phone.close()


def cobrowse_state(browser):
    return browser.driver.execute_script("return document.documentElement.dataset.sportelloCobrowse || ''")


def wait_state(browser, expected, timeout=20):
    wait_for(lambda: cobrowse_state(browser) == expected, timeout,
             what=f"{expected} (now {cobrowse_state(browser)!r}; console {browser.logs()})")


def at(browser, page):
    return browser.driver.current_url.split("#")[0].endswith("/" + page)


def test_two_browsers_browse_together(testenv, world):
    relay, site, path, code, url, customer, agent = world

    # The customer joins with the link; the agent through the agent's link.
    customer.open(url)
    wait_for(lambda: at(customer, "index.html"), 20, what="the customer on the site")
    assert "sportello-cobrowse" not in customer.driver.current_url  # the ticket left the address bar
    wait_state(customer, "customer:waiting")
    agent.open(testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path))
    wait_state(agent, "agent:together")
    wait_state(customer, "customer:together")
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "joined"
    assert "not what you type" in customer.text("sportello-cobrowse-status")

    # The agent leads: a link followed, the customer's browser goes along; scroll and pointer too.
    agent.click("#to-products")
    wait_for(lambda: at(customer, "products.html"), 20, what="the customer following to products.html")
    wait_state(customer, "customer:together")
    wait_state(agent, "agent:together")
    agent.driver.execute_script("window.scrollTo(0, 700)")
    wait_for(lambda: customer.driver.execute_script("return window.scrollY") > 300, 10,
             what="the customer's page scrolled")
    ActionChains(agent.driver).move_to_element(agent.driver.find_element(By.ID, "offer")).perform()
    wait_for(lambda: customer.driver.execute_script(
        "return document.documentElement.dataset.sportelloPointer || ''"), 10, what="the agent's pointer")
    assert customer.driver.find_element(By.ID, "sportello-cobrowse-pointer").is_displayed()

    # A button the agent clicks is clicked for the customer too.
    agent.click("#add-to-cart")
    wait_for(lambda: customer.text("cart") == "1 in cart", 10, what="the click replayed")
    assert agent.text("cart") == "1 in cart"

    # The highlight: the agent picks an element, the customer sees it outlined.
    agent.click("#sportello-cobrowse-highlight-mode")
    agent.click("#offer h2")
    wait_for(lambda: customer.driver.execute_script(
        "return document.documentElement.dataset.sportelloHighlight || ''").endswith("h2:nth-child(1)"), 10,
        what="the highlight on the customer's side")
    assert customer.driver.find_element(By.ID, "sportello-cobrowse-highlight").is_displayed()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    assert customer.driver.save_screenshot(str(ARTEFACTS / "cobrowse-customer.png"))
    assert agent.driver.save_screenshot(str(ARTEFACTS / "cobrowse-agent.png"))

    # The form: the customer types; the agent sees it masked, the password too, the city (marked
    # sportello-unmask) as typed; the private balance never shows on the agent's side.
    agent.click("#to-contact")
    wait_for(lambda: at(customer, "contact.html"), 20, what="the customer following to contact.html")
    wait_state(customer, "customer:together")
    wait_state(agent, "agent:together")
    customer.driver.find_element(By.ID, "name").send_keys("Maria Rossi")
    customer.driver.find_element(By.ID, "city").send_keys("Milano")
    customer.driver.find_element(By.ID, "password").send_keys("s3cret")
    value = lambda browser, field: browser.driver.find_element(By.ID, field).get_attribute("value")  # noqa: E731
    wait_for(lambda: value(agent, "password") == "\u2022" * 6, 10, what="the masked password")
    assert value(agent, "name") == "\u2022" * len("Maria Rossi")
    assert value(agent, "city") == "Milano"
    assert customer.driver.find_element(By.ID, "balance").is_displayed()
    assert not agent.driver.find_element(By.ID, "balance").is_displayed()
    # The agent's copy of a field is read-only, and nothing typed there reaches the customer.
    assert agent.driver.find_element(By.ID, "name").get_attribute("readonly") is not None
    agent.driver.execute_script("document.getElementById('city').readOnly = false")
    agent.driver.find_element(By.ID, "city").send_keys(" (agent)")
    customer.settle(1.0)
    assert value(customer, "city") == "Milano"

    # A wrong code, and the right code in a third browser: the join page refuses both.
    third = Browser(testenv, profile="third")
    try:
        third.open(f"{relay.public}/j/{(int(code) + 1) % 1000000:06d}")
        third.wait_text("status", lambda text: "not right" in text)
        third.open(url)
        third.wait_text("status", lambda text: "already in use in another browser" in text)
    finally:
        third.quit()

    # The agent's CRM stops the co-browse: both sides end, the interface goes away.
    testenv.call(SESSION, "StopCoBrowse", path=path)
    wait_state(customer, "customer:ended:stopped")
    wait_state(agent, "agent:ended:stopped")
    assert customer.driver.find_elements(By.ID, "sportello-cobrowse-bar") == []
    with sqlite3.connect(testenv.db_path) as db:
        pages = [row[0].rsplit("/", 1)[1] for row in db.execute(
            "SELECT url FROM interaction_cobrowse_pages ORDER BY rowid")]
    assert pages == ["index.html", "products.html", "contact.html"], pages
    assert not [m for m in customer.logs() + agent.logs() if "SEVERE" in m and "favicon" not in m]
