"""RFC 4475 torture messages (valid and invalid) sent to sportellod's SIP port over UDP: the
service answers sensibly (malformed requests get a 4xx, or are dropped) and never crashes.
Requests that ring create sessions like any call; they are rejected at the end."""

import csv
import re
import socket
from pathlib import Path

import pytest

from conftest import AGENT, DATA_DIR, SESSION, free_port, wait_for
from peers import Sipp, sportello_config

CORPUS = DATA_DIR / "rfc4475"


def corpus():
    with open(CORPUS / "index.tsv", newline="") as f:
        return [(row["file"], row["group"]) for row in csv.DictReader(f, delimiter="\t")]


def ringing_session(testenv):
    objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    for path, interfaces in objects.items():
        if SESSION in interfaces and interfaces[SESSION]["State"] == "ringing" and \
                interfaces[SESSION]["Remote"].startswith("sip:customer@"):
            return path
    return None


def send_and_collect(port, data, wait=0.2):
    """Sends one datagram from a fresh socket; returns the status codes of what comes back."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(wait)
        s.sendto(data, ("127.0.0.1", port))
        codes = []
        try:
            while True:
                reply, _ = s.recvfrom(65536)
                match = re.match(rb"SIP/2\.0 (\d{3}) ", reply)
                if match:
                    codes.append(int(match.group(1)))
        except socket.timeout:
            pass
        return codes


@pytest.fixture
def sip_service(testenv):
    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port))
    yield testenv, port
    # Reject whatever rang, so the service stops cleanly with no live call.
    objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    for path, interfaces in objects.items():
        if SESSION in interfaces and interfaces[SESSION]["State"] == "ringing":
            testenv.call(SESSION, "Reject", path=path)
    testenv.stop_sportellod(proc)


def test_torture_messages_never_crash_the_service(sip_service):
    testenv, port = sip_service
    answers = {}
    for name, group in corpus():
        data = (CORPUS / name).read_bytes()
        answers[name] = (group, send_and_collect(port, data))
        # Still alive and answering D-Bus after every message.
        assert testenv.get_property(AGENT, "Account") == "sip:agent1@127.0.0.1", f"after {name}"
    # Malformed requests are never accepted: nothing in 2xx for the 'invalid' group.
    for name, (group, codes) in answers.items():
        if group == "invalid":
            assert not any(200 <= c < 300 for c in codes), f"{name} was accepted: {codes}"
    # Replies go to each message's top Via (mostly example.com hosts), so few come back here;
    # the ones that do are printed for the record.
    print({name: codes for name, (group, codes) in answers.items() if codes})
    # After all that, a real call still works end to end.
    sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=f"127.0.0.1:{port}")
    path = wait_for(lambda: ringing_session(testenv), 15, what="the real call ringing")
    testenv.call(SESSION, "Answer", path=path)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 10, what="talking")
    testenv.call(SESSION, "Disconnect", path=path)
    sipp.assert_passed()


def test_garbage_datagrams(sip_service):
    testenv, port = sip_service
    for payload in (b"", b"\x00" * 100, b"INVITE", b"SIP/2.0 200 OK\r\n\r\n", bytes(range(256)) * 20,
                    b"INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999\r\n\r\nx"):
        send_and_collect(port, payload, wait=0.2)
        assert testenv.get_property(AGENT, "Account") == "sip:agent1@127.0.0.1"
