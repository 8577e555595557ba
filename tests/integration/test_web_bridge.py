"""The web bridge (crm-adapters/web-bridge) against a real sportellod on the test's private bus,
with its token in a real gnome-keyring, over real HTTP on 127.0.0.1 (urllib, raw sockets for
what urllib will not send). The browser tests come with the panel page.

Every process a test starts is stopped by PID at teardown (the conftest fixtures do it)."""

import http.client
import json
import os
import socket

import pytest

from conftest import AGENT, BUILD_DIR, SESSION, free_port, wait_for
from peers import Baresip, sportello_config
from wsclient import HandshakeRefused, WsClient

BRIDGE = os.environ.get("SPORTELLO_WEB_BRIDGE",
                        str(BUILD_DIR / "crm-adapters" / "web-bridge" / "sportello-web-bridge"))
CRM = "http://127.0.0.1:8089"


class Bridge:
    def __init__(self, testenv, keyring, origins=CRM, extra="", camera="none"):
        self.port = free_port()
        self.sip_port = free_port()
        extra += f"\n[web-bridge]\nport = {self.port}\nallowed-origins = {origins}\n"
        self.config = sportello_config(testenv, self.sip_port, extra=extra)
        self.config.write_text(self.config.read_text().replace("camera = none", f"camera = {camera}"))
        self.sportellod = testenv.start_sportellod(config=self.config)
        # The SIP port was free when picked; another test's process may have taken it since.
        contact = testenv.get_property(AGENT, "ContactUri")
        assert contact.endswith(f":{self.sip_port}"), \
            f"sportellod is not listening for SIP on {self.sip_port} ({contact!r}): {self.sportellod.log_path.read_text()}"
        self.token = testenv.ctl("web-bridge", "token").stdout.strip()
        self.proc = testenv.procs.start("web-bridge", [BRIDGE, "--config", str(self.config)], testenv.env)
        wait_for(self.listening, 10, what="the web bridge listening")

    def listening(self):
        if self.proc.poll() is not None:
            pytest.fail(f"the bridge exited {self.proc.returncode}: {self.proc.log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def request(self, method, path, body=None, token=True, host=None, origin=CRM, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        all_headers = {"Host": host or f"127.0.0.1:{self.port}"}
        if origin:
            all_headers["Origin"] = origin
        if token:
            all_headers["Authorization"] = f"Bearer {self.token if token is True else token}"
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        raw = response.read()
        connection.close()
        payload = json.loads(raw) if raw and response.getheader("Content-Type", "").startswith("application/json") else None
        return response.status, payload, response


@pytest.fixture
def bridge(testenv, keyring):
    return Bridge(testenv, keyring)


def test_state_and_a_call_driven_over_http(testenv, bridge):
    status, state, response = bridge.request("GET", "/api/v1/state")
    assert status == 200, state
    assert state["Account"] == "sip:agent1@127.0.0.1"
    assert response.getheader("Access-Control-Allow-Origin") == CRM
    assert response.getheader("Cache-Control") == "no-store"

    customer = Baresip(testenv)
    status, path, _ = bridge.request("POST", "/api/v1/agent/dial", {"target": customer.uri, "attached_data": {}})
    assert status == 200, path
    number = int(path.rsplit("/", 1)[1])
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 20, what="talking")
    status, sessions, _ = bridge.request("GET", "/api/v1/sessions")
    assert status == 200
    assert [s["number"] for s in sessions] == [number]
    assert sessions[0]["properties"]["State"] == "talking"

    assert bridge.request("POST", f"/api/v1/sessions/{number}/hold")[0] == 200
    assert testenv.get_property(SESSION, "State", path=path) == "held"
    assert bridge.request("POST", f"/api/v1/sessions/{number}/retrieve", [])[0] == 200
    # D-Bus errors keep their name, with the HTTP status that says the same.
    status, error, _ = bridge.request("POST", f"/api/v1/sessions/{number}/answer")
    assert (status, error["error"]) == (409, "org.sportello.Error.InvalidState")
    status, error, _ = bridge.request("POST", "/api/v1/sessions/999/hold")
    assert status == 404, error
    status, error, _ = bridge.request("POST", f"/api/v1/sessions/{number}/transfer", {"target": "x"})
    assert (status, error["error"]) == (400, "org.sportello.Error.InvalidArgument")
    assert "reason" in error["message"]
    status, error, _ = bridge.request("POST", f"/api/v1/sessions/{number}/self-destruct")
    assert (status, error["error"]) == (404, "org.sportello.WebBridge.UnknownAction")
    status, error, _ = bridge.request("POST", f"/api/v1/sessions/{number}/hold", b"{not json")
    assert (status, error["error"]) == (400, "org.sportello.Error.InvalidArgument")
    assert bridge.request("POST", f"/api/v1/sessions/{number}/disconnect")[0] == 200
    customer.wait_event("CALL_CLOSED")
    customer.close()


def test_readiness_over_http(testenv, bridge):
    """A web CRM's Ready / Not ready buttons: the state shows it, bad choices get 400."""
    status, state, _ = bridge.request("GET", "/api/v1/state")
    assert (state["Readiness"], state["Available"], state["Routing"]) == ("ready", True, "off")
    status, reasons, _ = bridge.request("POST", "/api/v1/agent/list-not-ready-reasons")
    assert status == 200 and [r["id"] for r in reasons] == ["break", "lunch", "training"]
    assert bridge.request("POST", "/api/v1/agent/set-readiness", {"state": "not-ready", "reason": "lunch"})[0] == 200
    status, state, _ = bridge.request("GET", "/api/v1/state")
    assert (state["Readiness"], state["ReadinessReason"], state["Available"]) == ("not-ready", "lunch", False)
    status, error, _ = bridge.request("POST", "/api/v1/agent/set-readiness", {"state": "not-ready", "reason": "nap"})
    assert (status, error["error"]) == (400, "org.sportello.Error.InvalidArgument")
    assert bridge.request("POST", "/api/v1/agent/set-readiness", ["ready", ""])[0] == 200
    assert testenv.get_property(AGENT, "Readiness") == "ready"


def test_refusals(testenv, bridge):
    cases = [
        ({"token": False}, 401, "org.sportello.WebBridge.Unauthorized"),
        ({"token": "not-the-token"}, 401, "org.sportello.WebBridge.Unauthorized"),
        ({"host": f"rebound.example:{bridge.port}"}, 421, "org.sportello.WebBridge.HostNotAllowed"),
        ({"origin": "https://evil.example"}, 403, "org.sportello.WebBridge.OriginNotAllowed"),
        ({"origin": "null"}, 403, "org.sportello.WebBridge.OriginNotAllowed"),
    ]
    for kwargs, status, name in cases:
        got, error, response = bridge.request("GET", "/api/v1/state", **kwargs)
        assert (got, error["error"]) == (status, name), kwargs
        if status in (421, 403):
            assert response.getheader("Access-Control-Allow-Origin") is None
    # A body over the limit is refused from its headers, before it is read.
    status, error, _ = bridge.request("POST", "/api/v1/agent/dial", b"[" + b" " * 70000 + b"]")
    assert (status, error["error"]) == (413, "org.sportello.WebBridge.TooLarge")
    # Preflights: answered for an allowed origin (with Private Network Access), refused for others.
    status, _, response = bridge.request("OPTIONS", "/api/v1/state", token=False, headers={
        "Access-Control-Request-Method": "POST", "Access-Control-Request-Private-Network": "true"})
    assert status == 204
    assert response.getheader("Access-Control-Allow-Private-Network") == "true"
    assert "Authorization" in response.getheader("Access-Control-Allow-Headers")
    status, _, _ = bridge.request("OPTIONS", "/api/v1/state", token=False, origin="https://evil.example")
    assert status == 403
    # No path outside the API, and the bridge still answers after all that.
    assert bridge.request("GET", "/../../etc/passwd")[0] == 404
    assert bridge.request("GET", "/api/v1/state")[0] == 200


def test_no_token_no_bridge(testenv, keyring):
    port = free_port()
    config = sportello_config(testenv, free_port(), extra=f"\n[web-bridge]\nport = {port}\n")
    proc = testenv.procs.start("web-bridge", [BRIDGE, "--config", str(config)], testenv.env)
    assert proc.wait(15) == 1
    assert "sportelloctl web-bridge token" in proc.log_path.read_text()


def events_until(stream, predicate, limit=200):
    seen = []
    for _ in range(limit):
        event = stream.receive_json()
        seen.append(event)
        if predicate(event):
            return event
    pytest.fail(f"no such event among {seen}")


def test_event_stream_follows_a_call(testenv, bridge):
    stream = WsClient(bridge.port, "/api/v1/events", origin=CRM)
    stream.send_json({"type": "auth", "token": bridge.token})
    assert stream.receive_json() == {"type": "ready"}

    customer = Baresip(testenv)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (customer.uri, {}))
    number = int(path.rsplit("/", 1)[1])
    added = events_until(stream, lambda e: e["type"] == "session-added")
    assert added["number"] == number and added["properties"]["Remote"] == customer.uri
    events_until(stream, lambda e: e["type"] == "session-changed" and e["number"] == number
                 and e["changed"].get("State") == "talking")
    testenv.call(SESSION, "Disconnect", path=path)
    events_until(stream, lambda e: e["type"] == "session-changed" and e["changed"].get("State") == "disconnected")
    testenv.call(SESSION, "MarkDone", path=path)
    assert events_until(stream, lambda e: e["type"] == "session-removed")["number"] == number
    stream.close()
    customer.close()


def test_event_stream_refusals(testenv, bridge):
    # A wrong token, or anything else first: closed with 4401, nothing sent before.
    for first in ({"type": "auth", "token": "wrong"}, {"type": "hello"}):
        stream = WsClient(bridge.port, "/api/v1/events", origin=CRM)
        stream.send_json(first)
        message = stream.receive()
        assert message[:2] == ("close", 4401), message
        stream.close()
    # Silence: closed after 5 s.
    stream = WsClient(bridge.port, "/api/v1/events", origin=CRM)
    assert stream.receive()[:2] == ("close", 4401)
    stream.close()
    # A page from another origin, or a rebound Host, never gets the socket.
    for kwargs, status in (({"origin": "https://evil.example"}, 403),
                           ({"origin": CRM, "host": f"rebound.example:{bridge.port}"}, 421)):
        with pytest.raises(HandshakeRefused) as refused:
            WsClient(bridge.port, "/api/v1/events", **kwargs)
        assert refused.value.status == status
    assert bridge.request("GET", "/api/v1/state")[0] == 200


def test_panel_files(testenv, bridge):
    status, _, response = bridge.request("GET", "/panel/", token=False, origin=None)
    assert status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    policy = response.getheader("Content-Security-Policy")
    assert f"frame-ancestors {CRM}" in policy and "script-src 'self'" in policy
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    status, _, response = bridge.request("GET", "/panel/panel.js", token=False, origin=None)
    assert (status, response.getheader("Content-Type")) == (200, "text/javascript; charset=utf-8")
    for path in ("/panel/nothing.js", "/panel/%2e%2e/panel.js", "/panel/a/b", "/panel/.."):
        assert bridge.request("GET", path, token=False, origin=None)[0] in (404, 401), path
    # Dot segments are resolved first: this is the API, which wants its token.
    assert bridge.request("GET", "/panel/../api/v1/state", token=False, origin=None)[0] == 401
    assert bridge.request("GET", "/panel/", token=False, origin=None, host=f"rebound.example:{bridge.port}")[0] == 421
    # The panel's own calls come from the bridge's origin.
    own = f"http://127.0.0.1:{bridge.port}"
    assert bridge.request("GET", "/api/v1/state", origin=own)[0] == 200
