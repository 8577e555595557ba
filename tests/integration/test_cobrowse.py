"""Co-browse in sportellod (docs/co-browse.md), over D-Bus with real calls: Session1's
StartCoBrowse/StopCoBrowse and properties, the link sent to the contact's phone as a SIP MESSAGE
(a sipp phone that lists MESSAGE in Allow, and baresip), CoBrowse1 as the relay uses it (Join,
JoinAgent, Visited, Left, Ended) with its refusals, the end with the call, and the history.
The relay and the browsers have tests of their own."""

import json
import sqlite3

import pytest
from gi.repository import GLib

from conftest import AGENT, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Baresip, Sipp, sportello_config

COBROWSE = "org.sportello.CoBrowse1"
SITE = "http://127.0.0.1:18555"
PUBLIC = "http://127.0.0.1:18556"
BROWSER = "b-0123456789abcdef"
CONFIG = f"\n[co-browse]\npublic-url = {PUBLIC}/\nsite-origins = {SITE}\nmax-attempts = 3\n"


def start(testenv, extra=CONFIG):
    port = free_port()
    testenv.start_sportellod(config=sportello_config(testenv, port, extra=extra))
    return port


def error_of(testenv, interface, method, signature=None, args=(), path=ROOT):
    return testenv.call_error(interface, method, signature, args, path=path)[0]


def dial(testenv, uri):
    path = testenv.call(AGENT, "Dial", "sa{ss}", (uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 20, what="talking")
    return path


def cobrowse_rows(testenv):
    with sqlite3.connect(testenv.db_path) as db:
        sessions = db.execute("SELECT rowid, joined > 0, ended > 0, ended_by FROM interaction_cobrowse"
                              " ORDER BY rowid").fetchall()
        pages = db.execute("SELECT cobrowse, url FROM interaction_cobrowse_pages ORDER BY rowid").fetchall()
    return sessions, pages


def test_a_cobrowse_from_start_to_end(testenv):
    start(testenv)
    ended = SignalRecorder(testenv.connection, COBROWSE, "Ended", ROOT)
    phone = Sipp(testenv, "contact", "uas_message.xml", timeout=90)
    path = dial(testenv, phone.uri)
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "none"
    assert testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path) == ""

    code, url = testenv.call(SESSION, "StartCoBrowse", path=path)
    assert len(code) == 6 and code.isdigit()
    assert url == f"{PUBLIC}/j/{code}"
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "waiting"
    agent_url = testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path)
    assert agent_url.startswith(f"{PUBLIC}/a/") and len(agent_url) > len(PUBLIC) + 40
    # The phone takes text messages: it got the link.
    wait_for(lambda: url in phone.messages(), 15, what="the link in a SIP MESSAGE")
    assert "Content-Type: text/plain" in phone.messages()

    # The relay's side: refusals first, then the customer's browser joins and is bound.
    assert error_of(testenv, COBROWSE, "Join", "ss", ("12345", BROWSER)) == "org.sportello.Error.InvalidArgument"
    assert error_of(testenv, COBROWSE, "Join", "ss", (code, "short")) == "org.sportello.Error.InvalidArgument"
    session_id, site = testenv.call(COBROWSE, "Join", "ss", (code, BROWSER))
    assert site["origins"] == [SITE] and site["start-url"] == f"{SITE}/" and site["agent-name"] == "Anna Verdi"
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "joined"
    assert testenv.call(COBROWSE, "Join", "ss", (code, BROWSER))[0] == session_id
    assert error_of(testenv, COBROWSE, "Join", "ss", (code, "b-another-browser-key")) == "org.sportello.Error.NotAllowed"
    key = agent_url.rsplit("/", 1)[1]
    assert testenv.call(COBROWSE, "JoinAgent", "s", (key,))[0] == session_id
    assert error_of(testenv, COBROWSE, "JoinAgent", "s", ("nope",)) == "org.sportello.Error.NotFound"
    # The same through sportelloctl, as an admin trying a relay by hand would.
    joined = json.loads(testenv.ctl("--json", "cobrowse", "join-agent", key).stdout)
    assert joined["session"] == session_id and joined["origins"] == [SITE]
    refused = testenv.ctl("cobrowse", "join", code, "b-another-browser-key", check=False)
    assert refused.returncode == 1 and "org.sportello.Error.NotAllowed" in refused.stderr + refused.stdout
    assert testenv.ctl("cobrowse", "visited", session_id, f"{SITE}/").stdout.strip() == "recorded"

    # Pages of the site are recorded; others are refused.
    testenv.call(COBROWSE, "Visited", "ss", (session_id, f"{SITE}/products.html"))
    testenv.call(COBROWSE, "Visited", "ss", (session_id, f"{SITE}/products.html"))  # once only
    assert error_of(testenv, COBROWSE, "Visited", "ss", (session_id, "https://evil.example/")) == \
        "org.sportello.Error.NotAllowed"
    assert error_of(testenv, COBROWSE, "Visited", "ss", (session_id, "products.html")) == \
        "org.sportello.Error.InvalidArgument"
    assert error_of(testenv, COBROWSE, "Left", "ss", (session_id, "visitor")) == "org.sportello.Error.InvalidArgument"

    # StopCoBrowse: the relay hears Ended, the session is gone.
    testenv.call(SESSION, "StopCoBrowse", path=path)
    assert ended.wait(lambda e: e[3] == (session_id, "stopped"), what="Ended")
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "ended"
    assert testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path) == ""
    assert error_of(testenv, SESSION, "StopCoBrowse", path=path) == "org.sportello.Error.InvalidState"
    assert error_of(testenv, COBROWSE, "Visited", "ss", (session_id, f"{SITE}/")) == "org.sportello.Error.NotFound"
    assert error_of(testenv, COBROWSE, "Join", "ss", (code, BROWSER)) == "org.sportello.Error.NotFound"

    # A second one ends with the call.
    second_code, _ = testenv.call(SESSION, "StartCoBrowse", path=path)
    second_id, _ = testenv.call(COBROWSE, "Join", "ss", (second_code, BROWSER))
    testenv.call(SESSION, "Disconnect", path=path)
    assert ended.wait(lambda e: e[3] == (second_id, "call-ended"), what="Ended with the call")
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "ended"
    assert error_of(testenv, SESSION, "StartCoBrowse", path=path) == "org.sportello.Error.InvalidState"
    testenv.call(SESSION, "MarkDone", path=path)

    sessions, pages = cobrowse_rows(testenv)
    assert [(joined, done, how) for _, joined, done, how in sessions] == [
        (1, 1, "stopped"), (1, 1, "call-ended")]
    assert pages == [(sessions[0][0], f"{SITE}/"), (sessions[0][0], f"{SITE}/products.html")]
    phone.assert_passed()
    ended.close()


def test_hold_right_after_the_link_waits_for_its_answer(testenv):
    """The agent sends the link and holds the call at once; the phone answers the MESSAGE 1.5 s
    late. The hold's re-INVITE goes when that answer comes: Sofia queued a re-INVITE behind an
    unanswered MESSAGE and never sent it, so Hold hung."""
    start(testenv)
    phone = Sipp(testenv, "contact", "uas_message_answered_late.xml", timeout=60)
    path = dial(testenv, phone.uri)
    code, url = testenv.call(SESSION, "StartCoBrowse", path=path)
    testenv.call(SESSION, "Hold", path=path, timeout_ms=15000)
    assert testenv.get_property(SESSION, "State", path=path) == "held"
    assert url in phone.messages()
    testenv.call(SESSION, "Disconnect", path=path)
    phone.assert_passed()


def test_wrong_codes_are_limited_and_customer_leaves(testenv):
    start(testenv)
    sportellod = testenv.procs.started[-1][0]
    ended = SignalRecorder(testenv.connection, COBROWSE, "Ended", ROOT)
    phone = Baresip(testenv)
    path = dial(testenv, phone.uri)
    code, url = testenv.call(SESSION, "StartCoBrowse", path=path)
    # baresip takes text messages too (its Allow lists MESSAGE): it acknowledged the link.
    wait_for(lambda: "text message answered 200 OK" in sportellod.log_path.read_text(errors="replace"), 15,
             what="baresip's 200 OK to the link")
    session_id, _ = testenv.call(COBROWSE, "Join", "ss", (code, BROWSER))
    testenv.call(COBROWSE, "Left", "ss", (session_id, "agent"))  # the agent may come back
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "joined"
    testenv.call(COBROWSE, "Left", "ss", (session_id, "customer"))
    assert ended.wait(lambda e: e[3] == (session_id, "customer-left"), what="Ended")
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "ended"

    # Through sportelloctl this time (the agent's link too). Three wrong codes in a minute
    # ([co-browse] max-attempts = 3): then even the right one waits.
    number = path.rsplit("/", 1)[1]
    started = json.loads(testenv.ctl("--json", "cobrowse", "start", number).stdout)
    code = started["code"]
    assert started["url"] == f"{PUBLIC}/j/{code}"
    assert started["agent-url"] == testenv.get_property(SESSION, "CoBrowseAgentUrl", path=path)
    text = testenv.ctl("session", "show", number).stdout
    assert "waiting" in text and started["agent-url"] in text
    wrong = [f"{(int(code) + n) % 1000000:06d}" for n in (1, 2, 3)]
    for guess in wrong:
        assert error_of(testenv, COBROWSE, "Join", "ss", (guess, BROWSER)) == "org.sportello.Error.NotFound"
    assert error_of(testenv, COBROWSE, "Join", "ss", (code, BROWSER)) == "org.sportello.Error.NotAllowed"
    assert testenv.get_property(SESSION, "CoBrowse", path=path) == "waiting"
    assert "co-browse stopped" in testenv.ctl("cobrowse", "stop", number).stdout
    assert testenv.ctl("cobrowse", "stop", number, check=False).returncode == 1
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()
    ended.close()


def test_refusals_without_configuration_or_call(testenv):
    start(testenv, extra="")
    phone = Baresip(testenv)
    path = dial(testenv, phone.uri)
    assert error_of(testenv, SESSION, "StartCoBrowse", path=path) == "org.sportello.Error.NotAllowed"
    assert error_of(testenv, SESSION, "StopCoBrowse", path=path) == "org.sportello.Error.InvalidState"
    assert error_of(testenv, COBROWSE, "Join", "ss", ("123456", BROWSER)) == "org.sportello.Error.NotFound"
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()
