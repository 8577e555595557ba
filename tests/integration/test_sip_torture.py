"""RFC 4475 torture messages (valid and invalid) sent to sportellod's SIP port: each one is
handled as the expectation table below decides (it rings as a session or not; the first response
other than 100, or none), and the service never crashes.

How the messages are sent: their bytes are kept, except the sent-by of the top Via, which is
rewritten to the test's own 127.0.0.1 socket so that responses come back here (they would go to
example.com hosts otherwise). A message whose top Via names TCP is sent over TCP (sportellod
listens on both), the others over UDP: Sofia drops a message whose top Via names another
transport than the one it came on, so over UDP those would test nothing.

After each message the test waits for the expected response (and the session, for one that
rings), or, when none is expected, for the answer to an OPTIONS sent after it (a UDP socket's
datagrams are handled in order): no sleeping on a guess."""

import csv
import re
import socket
import uuid

import pytest

from conftest import AGENT, DATA_DIR, SESSION, free_port, wait_for
from peers import Sipp, sportello_config

CORPUS = DATA_DIR / "rfc4475"

# file: (rings as a session, first response other than 100 or None for none, why)
EXPECTED = {
    # §3.1.1 valid messages
    "wsinv.dat": (False, 481, "valid; its To has a tag, so it is a request inside a dialog we do "
                              "not know: 481 (RFC 3261 §12.2.2)"),
    "intmeth.dat": (False, None, "valid, but Sofia's parser drops it (NUL, BEL and DEL in quoted "
                                 "strings); a 501 would be right"),
    "esc01.dat": (True, 180, "valid INVITE: rings"),
    "escnull.dat": (False, 405, "valid REGISTER: we are a user agent, not a registrar"),
    "esc02.dat": (False, 501, "valid; the method RE%47IST%45R is unknown: 501"),
    "lwsdisp.dat": (False, 200, "valid OPTIONS"),
    "longreq.dat": (True, 180, "valid INVITE with long values: rings"),
    "dblreq.dat": (False, 405, "valid REGISTER; the octets after Content-Length are ignored"),
    "semiuri.dat": (False, 200, "valid OPTIONS"),
    "transports.dat": (False, 200, "valid OPTIONS"),
    "mpart01.dat": (False, 200, "valid MESSAGE: Sofia accepts it (its body is not used)"),
    "unreason.dat": (False, None, "a response to nothing we sent: dropped"),
    "noreason.dat": (False, None, "a response to nothing we sent: dropped"),
    # §3.1.2 invalid messages
    "badinv01.dat": (False, None, "its Via cannot be parsed, so no response can be routed: dropped"),
    "clerr.dat": (False, 400, "Content-Length larger than the datagram"),
    "ncl.dat": (False, 400, "negative Content-Length"),
    "scalar02.dat": (False, 400, "CSeq beyond 2^32-1"),
    "scalarlg.dat": (False, None, "an invalid response: dropped"),
    "quotbal.dat": (False, 400, "unterminated quoted string"),
    "ltgtruri.dat": (False, 400, "<> around the Request-URI"),
    "lwsruri.dat": (False, None, "LWS inside the Request-URI: Sofia's parser drops it (the RFC "
                                 "prefers 400)"),
    "lwsstart.dat": (True, 180, "extra SPs in the request line are unambiguous: accepted, as RFC "
                                "4475 §3.1.2.9 allows; a user agent forwards nothing"),
    "trws.dat": (False, 200, "trailing SPs after the version: accepted as for lwsstart"),
    "escruri.dat": (False, 400, "refused: headers escaped into the Request-URI never become headers "
                                "or attached data (sp-invite-check.c)"),
    "baddate.dat": (True, 180, "accepted: the Date header plays no part in a call (RFC 4475 "
                               "§3.1.2.12: reject only if Date matters)"),
    "regbadct.dat": (False, 400, "a Contact with an escaped header outside <>"),
    "badaspec.dat": (False, 200, "an OPTIONS whose To has spaces inside <>: they are ignored, as "
                                 "RFC 4475 §3.1.2.14 allows"),
    "baddn.dat": (False, 400, "non-token characters in an unquoted display name: 400 Bad From "
                              "Header"),
    "badvers.dat": (False, 505, "SIP/7.0"),
    "mismatch01.dat": (False, 400, "request line and CSeq methods differ"),
    "mismatch02.dat": (False, 400, "unknown method and a CSeq mismatch (400 is allowed)"),
    "bigcode.dat": (False, None, "a response with code 4294967301: dropped"),
    # §3.2 transactions
    "badbranch.dat": (False, 200, "bare z9hG4bK branch: matched the RFC 2543 way"),
    # §3.3 application layer
    "insuf.dat": (False, 400, "no Call-ID, From or To"),
    "unkscm.dat": (False, 416, "unknown Request-URI scheme"),
    "novelsc.dat": (False, 416, "im: Request-URI"),
    "unksm2.dat": (False, 405, "REGISTER: we are no registrar"),
    "bext01.dat": (False, None, "its top Via names TLS and it came over UDP (no TLS here): dropped"),
    "invut.dat": (False, 415, "refused: a body that is not SDP, 415 with Accept: application/sdp"),
    "regaut01.dat": (False, 405, "REGISTER: we are no registrar"),
    "multi01.dat": (False, 400, "repeated single-value headers"),
    "mcl01.dat": (False, 400, "conflicting Content-Length values"),
    "bcast.dat": (False, None, "a response to nothing we sent: dropped"),
    "zeromf.dat": (False, 200, "Max-Forwards 0 reaches us, the UAS: processed normally"),
    "cparam01.dat": (False, 405, "REGISTER: we are no registrar"),
    "cparam02.dat": (False, 405, "REGISTER: we are no registrar"),
    "regescrt.dat": (False, 405, "REGISTER: we are no registrar"),
    "sdp01.dat": (False, 406, "refused: its Accept leaves out application/sdp, and our answer is "
                              "SDP"),
    # §3.4 backward compatibility
    "inv2543.dat": (True, 180, "RFC 2543 syntax: accepted for backward compatibility"),
}

TOP_VIA = re.compile(rb"(?im)^(?:via|v)[ \t]*:")
SENT_BY = re.compile(rb"SIP\s*/\s*\d+\.\d+\s*/\s*([A-Za-z0-9-]+)\s+([^;,\s]+)")
STATUS = re.compile(rb"SIP/2\.0 (\d{3}) ")


def corpus():
    with open(CORPUS / "index.tsv", newline="") as f:
        return [row["file"] for row in csv.DictReader(f, delimiter="\t")]


def top_via(data):
    """The match of the top Via's protocol and sent-by, or None (a header block without one)."""
    head = data[:data.find(b"\r\n\r\n")]
    via = TOP_VIA.search(head)
    return SENT_BY.search(head, via.end()) if via else None


def with_sent_by(data, port):
    via = top_via(data)
    if not via:
        return data
    return data[:via.start(2)] + b"127.0.0.1:%d" % port + data[via.end(2):]


def sessions(testenv):
    objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    return {path for path, interfaces in objects.items() if SESSION in interfaces}


class Peer:
    """One socket of the test's, UDP or TCP, that collects the status codes sent back to it."""

    def __init__(self, port, tcp):
        self.port = port
        self.tcp = tcp
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        if tcp:
            self.sock.connect(("127.0.0.1", port))
        else:
            self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.local_port = self.sock.getsockname()[1]
        self.replies = []
        self.buffer = b""
        self.closed = False

    def send(self, data):
        if self.tcp:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, ("127.0.0.1", self.port))

    def poll(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        if not data:
            self.closed = True
            return
        if self.tcp:
            self.buffer += data
            self.replies += [r for r in re.split(rb"(?=SIP/2\.0 \d{3} )", self.buffer) if r]
            self.buffer = b""
        else:
            self.replies.append(data)

    def codes(self):
        return [int(m.group(1)) for m in (STATUS.match(r) for r in self.replies) if m]

    def wait_code(self, predicate, what):
        def seen():
            self.poll()
            return any(predicate(c) for c in self.codes()) or (self.closed and self.tcp)
        wait_for(seen, 10, interval=0, what=what)

    def probe(self):
        """An OPTIONS after the message; its 200 means the message before it was handled."""
        branch = f"z9hG4bK-probe-{uuid.uuid4().hex}"
        options = (f"OPTIONS sip:agent1@127.0.0.1:{self.port} SIP/2.0\r\n"
                   f"Via: SIP/2.0/{'TCP' if self.tcp else 'UDP'} 127.0.0.1:{self.local_port};branch={branch}\r\n"
                   f"Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\nTo: <sip:agent1@127.0.0.1>\r\n"
                   f"Call-ID: {branch}@probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()
        before = len(self.replies)
        if self.closed:
            return
        self.send(options)

        def answered():
            self.poll()
            return self.closed or any(branch.encode() in r for r in self.replies[before:])
        wait_for(answered, 10, interval=0, what="the answer to the probe OPTIONS")
        self.replies = [r for r in self.replies if branch.encode() not in r]

    def close(self):
        self.sock.close()


def first_response(codes):
    return next((c for c in codes if c != 100), None)


@pytest.fixture
def sip_service(testenv):
    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port))
    yield testenv, port
    # Reject whatever rang, so the service stops cleanly with no live call.
    for path in sessions(testenv):
        if testenv.get_property(SESSION, "State", path=path) == "ringing":
            testenv.call(SESSION, "Reject", path=path)
    testenv.stop_sportellod(proc)


def test_the_table_covers_the_corpus():
    assert sorted(EXPECTED) == sorted(corpus())


def test_torture_messages_are_handled_as_decided(sip_service):
    testenv, port = sip_service
    seen = {}
    made = set()
    for name in corpus():
        rings, response, why = EXPECTED[name]
        raw = (CORPUS / name).read_bytes()
        via = top_via(raw)
        peer = Peer(port, tcp=bool(via) and via.group(1).upper() == b"TCP")
        before = sessions(testenv)
        peer.send(with_sent_by(raw, peer.local_port))
        if response is not None:
            peer.wait_code(lambda c: c != 100, f"a response to {name}")
        if rings:
            wait_for(lambda: sessions(testenv) - before, 10, what=f"{name} ringing")
        elif peer.tcp:
            # A stream the parser gave up on may swallow a probe sent after it: ask over UDP.
            # The TCP bytes were in sportellod's socket before the datagram was sent.
            udp = Peer(port, tcp=False)
            udp.probe()
            udp.close()
            peer.poll()
        else:
            peer.probe()
        new = sessions(testenv) - before
        made |= new
        seen[name] = (bool(new), first_response(peer.codes()))
        for reply in peer.replies:
            if reply.startswith(b"SIP/2.0 415 "):  # RFC 3261 §21.4.13: say what is supported
                assert re.search(rb"(?im)^Accept:\s*application/sdp\r$", reply), reply
        for path in new:
            testenv.call(SESSION, "Reject", path=path)
        peer.close()
        # Still alive and answering D-Bus after every message.
        assert testenv.get_property(AGENT, "Account") == "sip:agent1@127.0.0.1", f"after {name}"
    wrong = {name: (seen[name], EXPECTED[name]) for name in seen if seen[name] != EXPECTED[name][:2]}
    assert not wrong, "\n".join(f"{name}: saw (rings, response) = {got}, decided {exp[:2]}: {exp[2]}"
                                for name, (got, exp) in wrong.items())
    # Nothing rang late: exactly the sessions seen above exist, one per message decided to ring.
    assert sessions(testenv) == made
    assert len(made) == sum(1 for rings, _, _ in EXPECTED.values() if rings)

    # After all that, a real call still works end to end.
    sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=f"127.0.0.1:{port}")
    path = wait_for(lambda: next((p for p in sessions(testenv)
                                  if testenv.get_property(SESSION, "State", path=p) == "ringing"), None),
                    15, what="the real call ringing")
    testenv.call(SESSION, "Answer", path=path)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 10, what="talking")
    testenv.call(SESSION, "Disconnect", path=path)
    sipp.assert_passed()


def test_garbage_datagrams(sip_service):
    testenv, port = sip_service
    for payload in (b"", b"\x00" * 100, b"INVITE", b"SIP/2.0 200 OK\r\n\r\n", bytes(range(256)) * 20,
                    b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999\r\n\r\nx"):
        peer = Peer(port, tcp=False)
        peer.send(payload)
        peer.probe()
        peer.close()
        assert testenv.get_property(AGENT, "Account") == "sip:agent1@127.0.0.1"
