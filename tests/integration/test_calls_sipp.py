"""Voice interactions against sipp: exact SIP behaviour of inbound and outbound calls, hold and
retrieve (directions checked by the scenarios), glare, refused re-INVITEs, re-INVITE without
SDP, CANCEL, BYE from each side, failures, and the interaction record through Mark Done."""

import sqlite3

import re

import pytest
from gi.repository import GLib

from conftest import CONTACTS, NAME, ROOT, SESSION, AGENT, SignalRecorder, free_port, wait_for
from peers import Sipp, sportello_config

OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"


class Call:
    """A sportellod with SIP on a free port, and helpers to follow its sessions."""

    def __init__(self, testenv, **config):
        self.env = testenv
        self.port = free_port()
        self.config = sportello_config(testenv, self.port, **config)
        self.proc = testenv.start_sportellod(config=self.config)
        self.added = SignalRecorder(testenv.connection, OBJECT_MANAGER, "InterfacesAdded", ROOT)
        self.removed = SignalRecorder(testenv.connection, OBJECT_MANAGER, "InterfacesRemoved", ROOT)
        self.changes = SignalRecorder(testenv.connection, "org.freedesktop.DBus.Properties", "PropertiesChanged")
        self.seen = {}  # path -> index in changes.events after the last state waited for

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def next_session(self):
        event = self.added.wait(lambda e: SESSION in e[3][1], what="a new session")
        self.added.events.remove(event)
        return event[3][0]

    def prop(self, path, name):
        return self.env.get_property(SESSION, name, path=path)

    def state_seen(self, path, state):
        """STATE was announced on PATH since the last state waited for there, or is its State now:
        a state that lasts a second (a remote hold) is not missed by polling a slow sportellod,
        and one announced before the last wait does not count again."""
        context = GLib.MainContext.default()
        while context.iteration(False):
            pass
        start = self.seen.get(path, 0)
        for i, e in enumerate(self.changes.events[start:], start):
            if e[0] == path and e[3][0] == SESSION and e[3][1].get("State") == state:
                self.seen[path] = i + 1
                return True
        if self.prop(path, "State") == state:
            self.seen[path] = len(self.changes.events)
            return True
        return False

    def wait_state(self, path, state, timeout=15):
        wait_for(lambda: self.state_seen(path, state), timeout, what=f"State {state} on {path}")

    def call(self, path, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=path)

    def error(self, path, method, signature=None, args=()):
        name, message = self.env.call_error(SESSION, method, signature, args, path=path)
        return name

    def stop(self):
        self.added.close()
        self.removed.close()
        self.changes.close()
        self.env.stop_sportellod(self.proc)


@pytest.fixture
def call(testenv):
    c = Call(testenv)
    yield c
    c.stop()


def save_maria(testenv):
    return testenv.call(CONTACTS, "Save", "a{sv}", ({
        "first-name": GLib.Variant("s", "Maria"), "last-name": GLib.Variant("s", "Rossi"),
        "addresses": GLib.Variant("as", ["+39 02 1234"])},))


def test_inbound_call_screen_pop_record_and_history(testenv, call):
    contact_id = save_maria(testenv)
    sipp = Sipp(testenv, "caller", "inbound_call.xml", remote=call.address)
    path = call.next_session()
    assert call.prop(path, "State") == "ringing"
    assert call.prop(path, "Direction") == "inbound"
    assert "+39021234" in call.prop(path, "Remote")
    assert call.prop(path, "RemoteName") == "Maria Rossi"
    assert call.prop(path, "ContactId") == contact_id
    assert call.prop(path, "AttachedData") == {"UserToUser": "AC7781:videq", "AccountNumber": "AC-7781",
                                               "ServiceType": "repair"}
    assert call.prop(path, "CaseData") == {"Priority": "", "Product": "", "Serial": ""}
    assert call.prop(path, "EndReason") == ("", "", "", "")

    call.call(path, "Answer")
    call.wait_state(path, "talking")
    call.call(path, "SetNotepad", "s", ("Lathe makes a noise",))
    call.call(path, "AppendNote", "s", ("Customer will send a video",))
    call.call(path, "SetCaseData", "a{ss}", ({"Priority": "high", "Product": "lathe L-200"},))
    call.call(path, "SetDispositions", "as", (["callback"],))
    assert call.prop(path, "Notepad") == "Lathe makes a noise\nCustomer will send a video"

    call.wait_state(path, "disconnected")
    assert call.prop(path, "EndReason")[:2] == ("remote", "hangup")
    sipp.assert_passed()

    call.call(path, "MarkDone")
    call.removed.wait(lambda e: e[3][0] == path, what="the session removed")
    history = testenv.call(CONTACTS, "History", "suu", (contact_id, 0, 10))
    assert len(history) == 1
    record = history[0]
    assert record["direction"] == "inbound"
    assert record["status"] == "done"
    assert record["end-actor"] == "remote" and record["end-reason"] == "hangup"
    assert record["notes"] == "Lathe makes a noise\nCustomer will send a video"
    assert record["dispositions"] == ["callback"]
    assert record["case-data"] == {"Priority": "high", "Product": "lathe L-200", "Serial": ""}
    assert record["attached-data"]["AccountNumber"] == "AC-7781"
    assert record["answered"] > record["started"] > 0
    assert record["ended"] > record["answered"]
    assert record["duration-ms"] > 1000


@pytest.mark.parametrize("saved", [
    "sip:customer@127.0.0.1",
    '"Customer" <sips:customer@127.0.0.1:5061;transport=tls>',
])
def test_screen_pop_matches_the_address_of_record_whatever_the_port(testenv, call, saved):
    # sipp calls from sip:customer@127.0.0.1:PORT, a port of its own picked at run time.
    contact_id = testenv.call(CONTACTS, "Save", "a{sv}", ({
        "first-name": GLib.Variant("s", "Carla"), "last-name": GLib.Variant("s", "Neri"),
        "addresses": GLib.Variant("as", [saved])},))
    sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=call.address)
    path = call.next_session()
    assert call.prop(path, "Remote") == f"sip:customer@127.0.0.1:{sipp.port}"
    assert call.prop(path, "ContactId") == contact_id
    assert call.prop(path, "RemoteName") == "Carla Neri"
    call.call(path, "Answer")
    call.wait_state(path, "talking")
    call.call(path, "Disconnect")
    sipp.assert_passed()
    call.call(path, "MarkDone")
    history = testenv.call(CONTACTS, "History", "suu", (contact_id, 0, 10))
    assert [(r["contact-id"], r["remote"]) for r in history] == [(contact_id, f"sip:customer@127.0.0.1:{sipp.port}")]


def test_outbound_call_agent_hangs_up(testenv, call):
    sipp = Sipp(testenv, "callee", "uas_answer.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {"AccountNumber": "AC-1", "Ticket": "T-9"}))
    assert path.startswith(ROOT + "/session/")
    assert call.prop(path, "Direction") == "outbound"
    call.wait_state(path, "talking")
    call.call(path, "Disconnect")
    call.wait_state(path, "disconnected")
    assert call.prop(path, "EndReason")[:2] == ("local", "hangup")
    sipp.assert_passed()
    invite = sipp.messages().split("UDP message sent")[0]
    assert "X-Account-Number: AC-1" in invite  # the configured header
    assert "X-Sportello-Ticket: T-9" in invite  # the documented default for other keys
    # Every log line of the session carries its number and the Call-ID the callee saw, from
    # the first one on (the call was dialling before any response came).
    call_id = re.search(r"^Call-ID:\s*(\S+)", invite, re.M | re.I).group(1)
    number = path.rsplit("/", 1)[1]
    lines = [line for line in call.proc.log_path.read_text().splitlines() if f"session {number}:" in line]
    assert lines and all(f"SPORTELLO_SESSION={number} SIP_CALL_ID={call_id}" in line for line in lines), lines


def test_agent_hangs_up_inbound(testenv, call):
    sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=call.address)
    path = call.next_session()
    call.call(path, "Answer")
    call.wait_state(path, "talking")
    call.call(path, "Disconnect")
    sipp.assert_passed()
    assert call.prop(path, "EndReason")[:2] == ("local", "hangup")


def test_hold_and_retrieve_send_the_right_directions(testenv, call):
    sipp = Sipp(testenv, "callee", "uas_hold.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
    call.wait_state(path, "talking")
    call.call(path, "Hold")
    assert call.prop(path, "State") == "held"
    assert call.error(path, "Hold") == "org.sportello.Error.InvalidState"
    call.call(path, "Retrieve")
    assert call.prop(path, "State") == "talking"
    call.call(path, "Disconnect")
    sipp.assert_passed()


def test_hold_right_after_answer_waits_for_the_ack(testenv, call):
    # sipp ACKs our 200 OK a second late and refuses any INVITE before it.
    sipp = Sipp(testenv, "caller", "inbound_hold_before_ack.xml", remote=call.address)
    path = call.next_session()
    call.call(path, "Answer")
    call.wait_state(path, "talking")
    call.call(path, "Hold")
    assert call.prop(path, "State") == "held"
    call.call(path, "Disconnect")
    sipp.assert_passed()


def test_glare_491_is_retried(testenv, call):
    sipp = Sipp(testenv, "callee", "uas_glare.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
    call.wait_state(path, "talking")
    call.call(path, "Hold")  # completes after the RFC 3261 §14.1 wait and the retry
    assert call.prop(path, "State") == "held"
    call.call(path, "Disconnect")
    sipp.assert_passed()
    assert sipp.messages().count("491 Request Pending") >= 1


def test_refused_reinvite_keeps_the_call(testenv, call):
    sipp = Sipp(testenv, "callee", "uas_488.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
    call.wait_state(path, "talking")
    name, message = testenv.call_error(SESSION, "Hold", path=path)
    assert name == "org.sportello.Error.Failed"
    assert "488" in message
    assert call.prop(path, "State") == "talking"
    call.call(path, "Disconnect")
    sipp.assert_passed()


def test_remote_hold_is_reflected(testenv, call):
    sipp = Sipp(testenv, "caller", "inbound_remote_hold.xml", remote=call.address)
    path = call.next_session()
    call.call(path, "Answer")
    call.wait_state(path, "held")
    call.wait_state(path, "talking")
    call.wait_state(path, "disconnected")
    sipp.assert_passed()


def test_reinvite_without_sdp(testenv, call):
    sipp = Sipp(testenv, "caller", "inbound_reinvite_nosdp.xml", remote=call.address)
    path = call.next_session()
    call.call(path, "Answer")
    call.wait_state(path, "disconnected")
    sipp.assert_passed()
    assert call.prop(path, "EndReason")[:2] == ("remote", "hangup")


@pytest.mark.parametrize("reason_header,reason", [
    ("X-Nothing: 1", "missed"),
    ('Reason: SIP;cause=200;text="Call completed elsewhere"', "answered-elsewhere"),
])
def test_cancel_while_ringing(testenv, call, reason_header, reason):
    sipp = Sipp(testenv, "caller", "inbound_cancel.xml", remote=call.address, extra=["-key", "reason", reason_header])
    path = call.next_session()
    call.wait_state(path, "disconnected")
    assert call.prop(path, "EndReason")[:2] == ("remote", reason)
    sipp.assert_passed()


@pytest.mark.parametrize("status,phrase,reason", [
    (404, "Not Found", "not-found"),
    (486, "Busy Here", "busy"),
    (603, "Decline", "rejected"),
])
def test_dial_failures_name_the_cause(testenv, call, status, phrase, reason):
    sipp = Sipp(testenv, "callee", f"uas_reject_{status}.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
    call.wait_state(path, "disconnected")
    actor, why, error, message = call.prop(path, "EndReason")
    assert (actor, why) == ("remote", reason)
    assert error == "org.sportello.Error.Failed" and str(status) in message
    sipp.assert_passed()
    call.call(path, "MarkDone")


def test_reject_an_inbound_call(testenv, call):
    # A caller that waits for the answer (a caller that gives up after a fixed pause raced the
    # Reject on a loaded machine, and its CANCEL came first).
    sipp = Sipp(testenv, "caller", "inbound_rejected.xml", remote=call.address)
    path = call.next_session()
    call.call(path, "Reject")
    assert call.prop(path, "State") == "disconnected"
    assert call.prop(path, "EndReason")[:2] == ("local", "rejected")
    assert "486 Busy Here" in wait_for(lambda: sipp.messages() if "486" in sipp.messages() else None, 10,
                                       what="486 at sipp")
    sipp.assert_passed()  # 180, then 486, which it acknowledged


def test_session_methods_in_the_wrong_state_or_with_bad_arguments(testenv, call):
    sipp = Sipp(testenv, "callee", "uas_answer.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
    call.wait_state(path, "talking")
    assert call.error(path, "Answer") == "org.sportello.Error.InvalidState"
    assert call.error(path, "Reject") == "org.sportello.Error.InvalidState"
    assert call.error(path, "Retrieve") == "org.sportello.Error.InvalidState"
    assert call.error(path, "MarkDone") == "org.sportello.Error.InvalidState"
    assert call.error(path, "SetCaseData", "a{ss}", ({"Shoe": "42"},)) == "org.sportello.Error.InvalidArgument"
    assert call.error(path, "SetDispositions", "as", (["nope"],)) == "org.sportello.Error.InvalidArgument"
    assert call.prop(path, "CaseData") == {"Priority": "", "Product": "", "Serial": ""}
    # A voice-only call has no video pane to swap or keep on top.
    assert call.error(path, "SwapLayout") == "org.sportello.Error.InvalidState"
    assert call.error(path, "SetAlwaysOnTop", "b", (True,)) == "org.sportello.Error.InvalidState"
    assert call.prop(path, "Layout") == "remote-large" and call.prop(path, "AlwaysOnTop") is False
    call.call(path, "Disconnect")
    assert call.error(path, "Disconnect") == "org.sportello.Error.InvalidState"
    assert call.error(path, "Hold") == "org.sportello.Error.InvalidState"
    sipp.assert_passed()
    call.call(path, "MarkDone")
    name, _ = testenv.call_error(SESSION, "MarkDone", path=path)
    assert name == "org.freedesktop.DBus.Error.UnknownMethod" or name.endswith("UnknownObject")
    assert testenv.call_error(AGENT, "Dial", "sa{ss}", ("not a number", {}))[0] == "org.sportello.Error.InvalidArgument"
    assert testenv.get_property(AGENT, "Account") == "sip:agent1@127.0.0.1"


BAD_DIAL_TARGETS = [
    "sip:\x01@127.0.0.1",
    "sip:" + "a" * (1 << 20) + "@127.0.0.1",
    "sip:bob@127.0.0.1?Route=%3Csip:evil.example.com%3E",
    '"Bob" <sip:bob@127.0.0.1>',
    "sip:b\u00f2b@127.0.0.1",
    "+39 02\r\nX-Evil: 1",
    "mailto:bob@example.com",
]

BAD_ATTACHED_DATA = [
    {"Account Number": "AC-1"},
    {"Ticket": "T-9\r\nX-Evil: 1"},
    {"Ticket": "v" * 1025},
    {f"Key{i}": "v" for i in range(33)},
]


def assert_nothing_dialled(testenv, call):
    objects = testenv.call(OBJECT_MANAGER, "GetManagedObjects")
    assert not any(SESSION in interfaces for interfaces in objects.values())
    assert testenv.get_property(AGENT, "Account") == "sip:agent1@127.0.0.1"
    with sqlite3.connect(testenv.db_path, timeout=10) as db:
        assert db.execute("SELECT count(*) FROM interactions").fetchone() == (0,)


@pytest.mark.parametrize("target", BAD_DIAL_TARGETS, ids=range(len(BAD_DIAL_TARGETS)))
def test_dial_refuses_what_is_not_one_address(testenv, call, target):
    name, message = testenv.call_error(AGENT, "Dial", "sa{ss}", (target, {}))
    assert name == "org.sportello.Error.InvalidArgument"
    assert "cannot be dialled" in message and len(message) < 400
    assert_nothing_dialled(testenv, call)


@pytest.mark.parametrize("attached", BAD_ATTACHED_DATA, ids=range(len(BAD_ATTACHED_DATA)))
def test_dial_refuses_attached_data_that_is_not_header_safe(testenv, call, attached):
    name, message = testenv.call_error(AGENT, "Dial", "sa{ss}", ("sip:bob@127.0.0.1", attached))
    assert name == "org.sportello.Error.InvalidArgument"
    assert "attached data" in message
    assert_nothing_dialled(testenv, call)


def test_sportelloctl_dial_names_the_refusal(testenv, call):
    result = testenv.ctl("dial", "sip:bob@127.0.0.1?Route=%3Csip:evil%3E", check=False)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("sportelloctl: org.sportello.Error.InvalidArgument: "), result.stderr
    assert "URI headers" in result.stderr
    result = testenv.ctl("dial", "sip:bob@127.0.0.1", "Ticket=a\tb", check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("sportelloctl: org.sportello.Error.InvalidArgument: attached data")
    assert_nothing_dialled(testenv, call)


def test_disposition_required_and_hidden(testenv):
    required = Call(testenv, required="true")
    try:
        sipp = Sipp(testenv, "callee", "uas_answer.xml")
        path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
        required.wait_state(path, "talking")
        required.call(path, "Disconnect")
        assert required.error(path, "MarkDone") == "org.sportello.Error.DispositionRequired"
        required.call(path, "SetDispositions", "as", (["resolved"],))
        required.call(path, "MarkDone")
        sipp.assert_passed()
    finally:
        required.stop()


def test_disposition_hidden(testenv):
    hidden = Call(testenv, visible="false")
    try:
        sipp = Sipp(testenv, "callee", "uas_answer.xml")
        path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
        hidden.wait_state(path, "talking")
        assert hidden.prop(path, "DispositionVisible") is False
        assert hidden.error(path, "SetDispositions", "as", (["resolved"],)) == "org.sportello.Error.NotAllowed"
        assert hidden.prop(path, "Dispositions") == []
        hidden.call(path, "Disconnect")
        hidden.call(path, "MarkDone")
        sipp.assert_passed()
    finally:
        hidden.stop()


def test_a_silent_peer_ends_the_call(testenv):
    # sipp sends no RTP at all: after rtp-timeout seconds the call ends with a reason, and
    # sipp gets our BYE.
    silent = Call(testenv, rtp_timeout=2)
    try:
        sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=silent.address)
        path = silent.next_session()
        silent.call(path, "Answer")
        silent.wait_state(path, "disconnected", timeout=20)
        actor, reason, error, message = silent.prop(path, "EndReason")
        assert (actor, reason) == ("system", "network-error")
        assert "no media" in message and "2 s" in message
        sipp.assert_passed()
    finally:
        silent.stop()


def test_disconnect_while_dialing_cancels(testenv, call):
    sipp = Sipp(testenv, "callee", "uas_ring_cancel.xml")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, {}))
    wait_for(lambda: "180 Ringing" in sipp.messages(), 10, what="the phone ringing")
    assert call.prop(path, "State") == "dialing"
    call.call(path, "Disconnect")
    call.wait_state(path, "disconnected")
    assert call.prop(path, "EndReason")[:2] == ("local", "hangup")
    sipp.assert_passed()
    assert "CANCEL sip:" in sipp.messages()


def test_case_data_filled_from_the_call(testenv):
    filled = Call(testenv, case_from_attached="Product=ServiceType;Serial=AccountNumber")
    try:
        sipp = Sipp(testenv, "caller", "inbound_call.xml", remote=filled.address)
        path = filled.next_session()
        assert filled.prop(path, "CaseData") == {"Priority": "", "Product": "repair", "Serial": "AC-7781"}
        filled.call(path, "Reject")
        sipp.wait()
    finally:
        filled.stop()


def test_hang_up_before_the_ack_still_sends_bye(testenv, call):
    sipp = Sipp(testenv, "caller", "inbound_late_ack.xml", remote=call.address)
    path = call.next_session()
    call.call(path, "Answer")
    call.call(path, "Disconnect")  # the caller's ACK is still a second away
    assert call.prop(path, "State") == "disconnected"
    sipp.assert_passed()  # the scenario ends only when our BYE arrives
