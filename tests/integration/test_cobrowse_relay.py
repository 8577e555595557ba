"""The co-browse relay (crm-adapters/co-browse, sportello-cobrowse) between a real sportellod (a
live call with baresip, StartCoBrowse over D-Bus) and two browsers played by HTTP and WebSocket
clients: joining with the code and the agent's link, every refusal (wrong, malformed, expired
codes are the service's; a third browser, too many attempts, a foreign origin, no ticket),
relaying with its rules (who may send what, pages of the site only, masked input, size), the
history of pages, and the end: the customer leaving, StopCoBrowse, the call ending.
The real browsers are in test_cobrowse_browser.py."""

import http.client
import json
import os
import signal
import socket

import pytest

from conftest import AGENT, BUILD_DIR, SESSION, free_port, wait_for
from peers import Baresip, sportello_config
from wsclient import HandshakeRefused, WsClient

RELAY = os.environ.get("SPORTELLO_COBROWSE",
                       str(BUILD_DIR / "crm-adapters" / "co-browse" / "sportello-cobrowse"))
SITE = "http://127.0.0.1:18601"
BROWSER = "b-0123456789abcdef01"


def tcp_port():
    return free_port(socket.SOCK_STREAM)


class Relay:
    """sportellod with a [co-browse] group, and the relay; SITE: the co-browsed site's origin."""

    def __init__(self, testenv, max_attempts=5, site=SITE, lifetime=300, port=None):
        self.testenv = testenv
        self.port = port or tcp_port()
        self.public = f"http://127.0.0.1:{self.port}"
        extra = (f"\n[co-browse]\nlisten = 127.0.0.1:{self.port}\npublic-url = {self.public}\n"
                 f"site-origins = {site}\nstart-url = {site}/index.html\nmax-attempts = {max_attempts}\n"
                 f"code-lifetime = {lifetime}\n")
        self.config = sportello_config(testenv, free_port(), extra=extra)
        self.sportellod = testenv.start_sportellod(config=self.config)
        self.proc = testenv.procs.start("cobrowse", [RELAY, "--config", str(self.config)], testenv.env)
        wait_for(self.listening, 10, what="the relay listening")

    def listening(self):
        if self.proc.poll() is not None:
            pytest.fail(f"the relay exited {self.proc.returncode}: {self.proc.log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def request(self, method, path, body=None, origin="self", source="127.0.0.1"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                                source_address=(source, 0))
        headers = {"Content-Type": "application/json"}
        if origin:
            headers["Origin"] = self.public if origin == "self" else origin
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        payload = json.loads(raw) if response.getheader("Content-Type", "").startswith("application/json") else raw
        return response.status, payload, response

    def join(self, code, browser=BROWSER, source="127.0.0.1"):
        return self.request("POST", "/join", {"code": code, "browser": browser}, source=source)

    def socket(self, ticket, origin=SITE):
        ws = WsClient(self.port, "/ws", origin=origin)
        ws.send_json({"type": "hello", "ticket": ticket})
        return ws

    def log(self):
        return self.proc.log_path.read_text(errors="replace")


def call_with_cobrowse(testenv, relay, phone_name="baresip"):
    phone = Baresip(testenv, name=phone_name)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 20, what="talking")
    code, url = testenv.call(SESSION, "StartCoBrowse", path=path)
    return phone, path, code, url


def next_of(ws, kind):
    """The next message of KIND, skipping presence news."""
    for _ in range(20):
        message = ws.receive_json()
        if message["type"] == kind:
            return message
        assert message["type"] in ("peer", "welcome"), message
    raise AssertionError(f"no {kind}")


def test_join_relay_and_end(testenv):
    relay = Relay(testenv)
    phone, path, code, url = call_with_cobrowse(testenv, relay)
    assert url == f"{relay.public}/j/{code}"

    # The customer's join page and its script are served with headers that keep the code private.
    status, page, response = relay.request("GET", f"/j/{code}", origin=None)
    assert status == 200 and b'src="/join.js"' in page
    assert response.getheader("Referrer-Policy") == "no-referrer"
    assert response.getheader("Cache-Control") == "no-store"
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy")
    status, script, response = relay.request("GET", "/cobrowse.js", origin=None)
    assert status == 200 and b"sportello-cobrowse" in script
    assert response.getheader("Content-Type").startswith("text/javascript")

    # Joining: refusals, then the customer's ticket and the agent's through its link.
    assert relay.request("POST", "/join", {"code": code, "browser": BROWSER}, origin="https://evil.example")[0] == 403
    assert relay.join("12345")[0] == 400
    status, joined, _ = relay.join(code)
    assert status == 200 and joined["url"] == f"{SITE}/index.html", joined
    customer_ticket = joined["ticket"]
    assert relay.join(code, browser="b-another-browser-key")[0] == 409
    agent_url = testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path)
    status, _, response = relay.request("GET", agent_url[len(relay.public):], origin=None)
    assert status == 302
    location = response.getheader("Location")
    assert location.startswith(f"{SITE}/index.html#sportello-cobrowse=")
    agent_ticket = location.rsplit("=", 1)[1]
    assert relay.request("GET", "/a/not-a-key", origin=None)[0] == 404

    # The WebSockets: a foreign origin and a bad ticket are refused.
    with pytest.raises(HandshakeRefused):
        WsClient(relay.port, "/ws", origin="https://evil.example").receive()
    bad = relay.socket("not-a-ticket")
    assert bad.receive()[:2] == ("close", 4401)
    bad.close()

    customer = relay.socket(customer_ticket)
    welcome = next_of(customer, "welcome")
    assert (welcome["role"], welcome["leader"], welcome["peer"], welcome["origins"]) == ("customer", "agent", False, [SITE])
    agent = relay.socket(agent_ticket)
    assert next_of(agent, "welcome")["peer"] is True
    assert next_of(customer, "peer")["present"] is True
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "joined"

    # The leader (the agent) moves the page; the customer follows; the page is in the history.
    agent.send_json({"type": "navigate", "url": f"{SITE}/products.html", "extra": "dropped"})
    assert next_of(customer, "navigate") == {"type": "navigate", "url": f"{SITE}/products.html"}
    agent.send_json({"type": "scroll", "x": 0, "y": 0.5})
    assert next_of(customer, "scroll") == {"type": "scroll", "x": 0.0, "y": 0.5}
    agent.send_json({"type": "highlight", "path": "body > main:nth-child(1) > button:nth-child(2)"})
    assert next_of(customer, "highlight")["path"] == "body > main:nth-child(1) > button:nth-child(2)"
    # What must not pass: the customer steering while the agent leads, the agent typing, a
    # foreign page, a script in a path, an oversize message, bad JSON. Then a legal pointer.
    customer.send_json({"type": "navigate", "url": f"{SITE}/elsewhere.html"})
    customer.send_json({"type": "highlight", "path": "body"})
    agent.send_json({"type": "input", "path": "body > input:nth-child(1)", "masked": "typed by the agent"})
    agent.send_json({"type": "navigate", "url": "https://evil.example/"})
    agent.send_json({"type": "click", "path": "body<script>"})
    agent.send_text("{not json")
    customer.send_json({"type": "pointer", "x": 10, "y": 20, "t": 1})
    assert next_of(agent, "pointer") == {"type": "pointer", "x": 10.0, "y": 20.0, "t": 1.0}
    customer.send_json({"type": "input", "path": "body > form:nth-child(2) > input:nth-child(1)", "masked": "••••"})
    assert next_of(agent, "input")["masked"] == "••••"
    agent.send_json({"type": "pointer", "x": 1, "y": 2})
    assert next_of(customer, "pointer")["x"] == 1.0  # nothing dropped above reached the customer
    big = WsClient(relay.port, "/ws", origin=SITE)
    big.send_json({"type": "hello", "ticket": customer_ticket})
    next_of(big, "welcome")
    big.send_text("x" * 5000)
    assert big.receive()[:2] == ("close", 1008)
    big.close()
    assert "only the leader" in relay.log() and "the customer's only" in relay.log()

    # The customer takes the lead, navigates: the agent follows.
    customer = relay.socket(customer_ticket)  # the big one replaced it
    next_of(customer, "welcome")
    customer.send_json({"type": "control", "leader": "customer"})
    assert next_of(agent, "control")["leader"] == "customer"
    customer.send_json({"type": "navigate", "url": f"{SITE}/contact.html"})
    assert next_of(agent, "navigate")["url"] == f"{SITE}/contact.html"
    wait_for(lambda: pages(testenv) == [f"{SITE}/products.html", f"{SITE}/contact.html"], 10,
             what="the pages in the history")

    # The customer leaves: both sides hear it, the session is over.
    customer.send_json({"type": "leave"})
    assert next_of(agent, "ended")["reason"] == "customer-left"
    assert agent.receive()[:2] == ("close", 4410)
    wait_for(lambda: testenv.get_property(SESSION, "CoBrowse", path=path) == "ended", 10, what="ended")
    assert relay.socket(agent_ticket).receive()[:2] == ("close", 4401)

    # Another one, ended by the call.
    code, _ = testenv.call(SESSION, "StartCoBrowse", path=path)
    ticket = relay.join(code)[1]["ticket"]
    customer = relay.socket(ticket)
    next_of(customer, "welcome")
    testenv.call(SESSION, "Disconnect", path=path)
    assert next_of(customer, "ended")["reason"] == "call-ended"
    phone.close()
    # SIGTERM: a clean exit (under the sanitizers, a leak or an error would change the status).
    assert testenv.procs.stop(relay.proc) == 0, relay.log()[-3000:]


def pages(testenv):
    import sqlite3
    with sqlite3.connect(testenv.db_path) as db:
        return [row[0] for row in db.execute("SELECT url FROM interaction_cobrowse_pages ORDER BY rowid")]


def test_too_many_attempts_and_a_service_that_goes(testenv):
    relay = Relay(testenv, max_attempts=3)
    phone, path, code, _ = call_with_cobrowse(testenv, relay)
    for n in (1, 2, 3):
        assert relay.join(f"{(int(code) + n) % 1000000:06d}")[0] == 404
    status, error, _ = relay.join(code)
    assert status == 429, error
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()
    # sportellod stops: joins answer 503, and the relay keeps running.
    testenv.stop_sportellod(relay.sportellod)
    status, error, _ = relay.request("POST", "/join", {"code": "123456", "browser": BROWSER},
                                     origin="self")
    assert status in (429, 503), error
    assert relay.request("GET", "/a/some-key", origin=None)[0] == 503
    assert relay.proc.poll() is None


def test_both_limits_told_apart(testenv):
    """Two limits on wrong codes, both answered 429: the relay's per address (it does not even ask
    the service) and the service's for every browser; the error names tell which. Loopback is
    127/8, so other addresses are other sources."""
    relay = Relay(testenv, max_attempts=3)
    phone, path, code, _ = call_with_cobrowse(testenv, relay)
    wrong = [f"{(int(code) + n) % 1000000:06d}" for n in (1, 2, 3)]
    for attempt in wrong:
        assert relay.join(attempt)[0] == 404
    status, error, _ = relay.join(code)
    assert (status, error["error"]) == (429, "org.sportello.CoBrowse.TooManyAttempts"), error
    status, error, _ = relay.join(code, source="127.0.0.9")
    assert (status, error["error"]) == (429, "org.sportello.Error.NotAllowed"), error
    assert "too many wrong codes" in error["message"]
    # The service's limit holds across addresses: each of these is a first try for the relay.
    for n, attempt in enumerate(wrong):
        status, error, _ = relay.join(attempt, source=f"127.0.0.{20 + n}")
        assert (status, error["error"]) == (429, "org.sportello.Error.NotAllowed"), error
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "waiting"
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()


def test_an_expired_code(testenv):
    """A code nobody used within [co-browse] code-lifetime (30 s, the least) is told apart: 410."""
    relay = Relay(testenv, lifetime=30)
    phone, path, code, _ = call_with_cobrowse(testenv, relay)
    wait_for(lambda: testenv.get_property(SESSION, "CoBrowse", path=path) == "ended", 45, what="the code expiring")
    status, error, _ = relay.join(code)
    assert status == 410 and error["error"] == "org.sportello.Error.InvalidState", error
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()


def test_the_service_goes_and_comes_back(testenv):
    """sportellod stopping ends the live co-browse on both sockets; joins then answer 503 (the
    relay's own limit untouched, so this is the service's absence) and the relay keeps running;
    a new sportellod on the bus is used again, its Ended signal included."""
    relay = Relay(testenv)
    phone, path, code, _ = call_with_cobrowse(testenv, relay)
    customer = relay.socket(relay.join(code)[1]["ticket"])
    next_of(customer, "welcome")

    testenv.stop_sportellod(relay.sportellod)
    assert next_of(customer, "ended")["reason"] == "service-stopped"
    assert customer.receive()[:2] == ("close", 4410)
    status, error, _ = relay.join(code)
    assert (status, error["error"]) == (503, "org.sportello.CoBrowse.Unavailable"), error
    assert relay.request("GET", "/a/some-key", origin=None)[0] == 503
    assert relay.proc.poll() is None
    phone.close()

    relay.sportellod = testenv.start_sportellod(config=relay.config, name="sportellod-again")
    phone, path, code, _ = call_with_cobrowse(testenv, relay, phone_name="baresip-again")
    status, joined, _ = relay.join(code)
    assert status == 200, joined
    customer = relay.socket(joined["ticket"])
    next_of(customer, "welcome")
    testenv.call(SESSION, "StopCoBrowse", path=path)
    assert next_of(customer, "ended")["reason"] == "stopped"
    assert customer.receive()[:2] == ("close", 4410)
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()
    assert testenv.procs.stop(relay.proc) == 0, relay.log()[-3000:]


def test_flood_and_oversize(testenv):
    """A browser sending far more than a person could (60 a second, bursts of 120) has the rest
    dropped, with a log line, and the room goes on; a message over 4 KiB or a binary one closes
    its socket with 1008, logged too."""
    relay = Relay(testenv)
    phone, path, code, _ = call_with_cobrowse(testenv, relay)
    customer = relay.socket(relay.join(code)[1]["ticket"])
    next_of(customer, "welcome")
    status, _, response = relay.request("GET", testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path)[len(relay.public):],
                                        origin=None)
    assert status == 302
    agent = relay.socket(response.getheader("Location").rsplit("=", 1)[1])
    next_of(agent, "welcome")
    next_of(customer, "peer")

    flood = 2000
    for i in range(flood):
        customer.send_json({"type": "pointer", "x": i, "y": 1})
    wait_for(lambda: "the customer's browser sends too fast; dropping" in relay.log(), 20,
             what="the flood logged")
    # After the flood, a marker gets through once the bucket refills (it is retried until then);
    # the pointers counted before it are what the relay let pass.
    received = 0
    done = False

    def marker_seen():
        nonlocal received, done
        customer.send_json({"type": "pointer", "x": 999999, "y": 7})
        agent.sock.settimeout(0.5)
        try:
            while True:
                message = agent.receive_json()
                if message["type"] != "pointer":
                    continue
                if message["x"] == 999999.0:
                    return True
                received += 1
        except (TimeoutError, OSError):
            return False
        finally:
            agent.sock.settimeout(10)

    wait_for(marker_seen, 20, interval=0.2, what="a pointer through after the flood")
    assert 100 <= received < flood / 2, received
    assert relay.proc.poll() is None

    # Oversize and binary messages close the socket that sent them, with a log line.
    customer.send_text("{\"type\":\"pointer\",\"x\":1,\"y\":1,\"pad\":\"" + "x" * 5000 + "\"}")
    assert next_of_close(customer) == 1008
    customer.close()
    wait_for(lambda: "closed the customer's socket: a text message of" in relay.log(), 10,
             what="the oversize message logged")
    assert next_past_pointers(agent)["present"] is False
    agent.send_binary(b"\x00\x01")
    assert next_of_close(agent) == 1008
    agent.close()
    wait_for(lambda: "closed the agent's socket: a binary message of 2 bytes" in relay.log(), 10,
             what="the binary message logged")
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()


def test_leaving_when_the_service_does_not_answer(testenv):
    """The customer pressing Leave is honoured even when sportellod does not answer Left (here it
    is stopped with SIGSTOP): the relay closes the room itself when the call times out."""
    relay = Relay(testenv)
    phone, path, code, _ = call_with_cobrowse(testenv, relay)
    customer = relay.socket(relay.join(code)[1]["ticket"])
    next_of(customer, "welcome")
    status, _, response = relay.request("GET", testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path)[len(relay.public):],
                                        origin=None)
    agent = relay.socket(response.getheader("Location").rsplit("=", 1)[1])
    next_of(agent, "welcome")
    agent.sock.settimeout(60)
    relay.sportellod.send_signal(signal.SIGSTOP)
    try:
        customer.send_json({"type": "leave"})
        assert next_of(agent, "ended")["reason"] == "customer-left"
        assert agent.receive()[:2] == ("close", 4410)
        assert "Left refused" in relay.log()
    finally:
        relay.sportellod.send_signal(signal.SIGCONT)
    # The service catches up with the Left it had queued.
    wait_for(lambda: testenv.get_property(SESSION, "CoBrowse", path=path) == "ended", 20, what="ended")
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()


def next_past_pointers(ws):
    """The next message that is not a pointer (late markers of the flood may still come)."""
    for _ in range(50):
        message = ws.receive_json()
        if message["type"] != "pointer":
            return message
    raise AssertionError("only pointers")


def next_of_close(ws):
    for _ in range(50):
        message = ws.receive()
        if message[0] == "close":
            return message[1]
    raise AssertionError("no close")
