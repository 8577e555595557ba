"""The browser video's signalling through the relay, driven as a hostile or clumsy page would:
the real sportellod (camera = test) in a call with baresip, the real relay, and a raw WebSocket
client. The page's headers, the origin gate, the join's refusals with their statuses and close
codes, an offer that is not SDP, candidates out of order or malformed, binary and oversized
messages, a reload taking over from the old page, a second browser, the camera refused, the
socket dropped without a word, and DeactivateVideo reaching the page."""

import time

import pytest

from browser import tcp_port
from conftest import AGENT, SESSION, free_port, wait_for
from peers import Baresip, sportello_config
from test_cobrowse_relay import RELAY
from wsclient import HandshakeRefused, WsClient

BROWSER = "page-key-0123456789abcdef"


class World:
    def __init__(self, testenv):
        self.testenv = testenv
        self.port = tcp_port()
        self.public = f"http://127.0.0.1:{self.port}"
        extra = (f"\n[co-browse]\nlisten = 127.0.0.1:{self.port}\npublic-url = {self.public}\nmax-attempts = 3\n"
                 "\n[video]\nallowed = true\nbrowser-ice-addresses = 127.0.0.1\n")
        config = sportello_config(testenv, free_port(), extra=extra)
        config.write_text(config.read_text().replace("camera = none", "camera = test"))
        self.sportellod = testenv.start_sportellod(config=config)
        self.relay = testenv.procs.start("relay", [RELAY, "--config", str(config)], testenv.env)
        wait_for(self.listening, 10, what="the relay listening")
        self.phone = Baresip(testenv)
        self.path = testenv.call(AGENT, "Dial", "sa{ss}", (self.phone.uri, {}))
        wait_for(lambda: self.prop("State") == "talking", 20, what="talking")

    def listening(self):
        import socket
        assert self.relay.poll() is None, self.relay.log_path.read_text()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def prop(self, name):
        return self.testenv.get_property(SESSION, name, path=self.path)

    def invite(self):
        return self.testenv.call(SESSION, "InviteBrowserVideo", path=self.path)

    def socket(self, origin="self"):
        return WsClient(self.port, "/video/ws", origin=self.public if origin == "self" else origin)

    def join(self, code, browser=BROWSER):
        ws = self.socket()
        ws.send_json({"type": "join", "code": code, "browser": browser})
        return ws

    def log(self):
        return self.relay.log_path.read_text()


@pytest.fixture
def world(testenv):
    world = World(testenv)
    yield world
    world.phone.close()


def closed_with(ws):
    message = ws.receive()
    while message[0] != "close":
        message = ws.receive()
    return message[1]


def test_page_and_gate(testenv, world):
    import http.client
    code, url = world.invite()
    connection = http.client.HTTPConnection("127.0.0.1", world.port, timeout=10)
    connection.request("GET", f"/v/{code}")
    response = connection.getresponse()
    page = response.read()
    assert response.status == 200 and b'src="/video.js"' in page
    assert response.getheader("Cache-Control") == "no-store"
    assert response.getheader("Referrer-Policy") == "no-referrer"
    policy = response.getheader("Content-Security-Policy")
    assert "frame-ancestors 'none'" in policy and "media-src 'self' blob: mediastream:" in policy
    assert response.getheader("Permissions-Policy") == "camera=(self), microphone=(), geolocation=()"
    for path, status in (("/v", 200), ("/video.js", 200), ("/video.css", 200), ("/v/12/34", 404)):
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == status, path
    connection.close()

    # Only the relay's own page may open the socket; a socket that never joins is closed.
    with pytest.raises(HandshakeRefused) as refused:
        world.socket(origin="https://evil.example")
    assert refused.value.status == 403
    with pytest.raises(HandshakeRefused):
        world.socket(origin=None)
    silent = world.socket()
    assert closed_with(silent) == 4401
    assert world.prop("BrowserVideo") == "invited"


def test_join_offer_and_candidates(testenv, world):
    code, url = world.invite()

    # A wrong code: refused with its status, the socket closed.
    wrong = world.join(f"{(int(code) + 1) % 1000000:06d}")
    message = wrong.receive_json()
    assert (message["type"], message["status"]) == ("refused", "404")
    assert closed_with(wrong) == 4403

    page = world.join(code)
    joined = page.receive_json()
    assert joined["type"] == "joined" and joined["ice-servers"] == [] and joined["agent-name"] == "Anna Verdi"
    wait_for(lambda: world.prop("BrowserVideo") == "joined", 10, what="joined")

    # Out of order, not SDP, malformed: errors or drops, and the link lives on.
    page.send_json({"type": "candidate", "mline": 0, "candidate": "candidate:1 1 UDP 1 127.0.0.1 9 typ host"})
    message = page.receive_json()
    assert (message["type"], message.get("name")) == ("error", "org.sportello.Error.InvalidState"), message
    page.send_json({"type": "offer", "sdp": "hello"})
    message = page.receive_json()
    assert (message["type"], message["name"]) == ("error", "org.sportello.Error.InvalidArgument")
    page.send_json({"type": "candidate", "mline": -1, "candidate": "candidate:x"})
    page.send_json({"type": "candidate", "mline": 0, "candidate": "a=evil"})
    page.send_json({"type": "offer", "sdp": 42})
    page.send_text("not json")
    wait_for(lambda: world.log().count("was dropped") >= 4, 10, what="the drops logged")
    assert world.prop("BrowserVideo") == "joined"

    # Another browser with the code is refused; the same browser again (a reload) takes over.
    other = world.join(code, browser="another-page-key-987654321")
    message = other.receive_json()
    assert (message["type"], message["status"]) == ("refused", "409")
    reloaded = world.join(code)
    assert reloaded.receive_json()["type"] == "joined"
    assert closed_with(page) == 4409

    # Binary and oversized messages close the socket that sent them.
    reloaded.send_binary(b"\x00\x01")
    assert closed_with(reloaded) == 1008
    big = world.join(code)
    assert big.receive_json()["type"] == "joined"
    big.send_json({"type": "offer", "sdp": "v=0\r\n" + "a=x\r\n" * 14000})
    try:
        assert closed_with(big) == 1009
    except ConnectionResetError:  # libsoup closed while the rest of the message was still coming
        pass

    # A socket dropped without a word has left: the link is over.
    wait_for(lambda: world.prop("BrowserVideo") == "ended", 10, what="the link ended")
    assert world.prop("BrowserVideoEndedBy") == "left"
    assert world.prop("State") == "talking"


def test_leave_and_ended(testenv, world):
    code, _ = world.invite()
    page = world.join(code)
    assert page.receive_json()["type"] == "joined"

    # A reload: the old page's socket goes before the new page joins; within the grace time the
    # link lives on. Gone for longer, the page has left.
    page.close()
    page = world.join(code)
    assert page.receive_json()["type"] == "joined"
    time.sleep(4)
    assert world.prop("BrowserVideo") == "joined"
    page.close()
    wait_for(lambda: world.prop("BrowserVideo") == "ended", 10, what="the page gone for good")
    assert world.prop("BrowserVideoEndedBy") == "left"

    code, _ = world.invite()
    page = world.join(code)
    assert page.receive_json()["type"] == "joined"
    page.send_json({"type": "leave", "reason": "camera-denied"})
    assert closed_with(page) == 1000
    wait_for(lambda: world.prop("BrowserVideoEndedBy") == "camera-denied", 10, what="camera-denied")
    late = world.join(code)
    message = late.receive_json()
    assert (message["type"], message["status"]) == ("refused", "404")

    # DeactivateVideo reaches the page: ended, then the socket closes.
    code, _ = world.invite()
    page = world.join(code)
    assert page.receive_json()["type"] == "joined"
    testenv.call(SESSION, "DeactivateVideo", path=world.path)
    assert page.receive_json() == {"type": "ended", "reason": "stopped"}
    assert closed_with(page) == 4410

    # The service goes away: the page is told.
    code, _ = world.invite()
    page = world.join(code)
    assert page.receive_json()["type"] == "joined"
    testenv.stop_sportellod(world.sportellod)
    assert page.receive_json() == {"type": "ended", "reason": "service-stopped"}
    assert closed_with(page) == 4410
    assert world.relay.poll() is None
