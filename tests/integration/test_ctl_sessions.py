"""sportelloctl's session commands against the real sportellod and real SIP calls (sipp): every
step of an interaction (ringing, answer, hold and retrieve, the notepad, case data, dispositions,
disconnect, mark-done, the contact's history) is done through sportelloctl only; D-Bus is used
just to check what sportelloctl printed. Error names and exit statuses are checked exactly.

Every process a test starts is stopped by PID at teardown (the conftest fixtures do it)."""

import json
import re

import pytest

from conftest import NAME, ROOT, SESSION, free_port, wait_for
from peers import Sipp, sportello_config

# The conference commands reach the service as the right method with the right arguments (seen
# by dbus-monitor); this directory has no agents, so each fails with the error named
# (test_conference.py holds real conferences).
CONFERENCE_COMMANDS = [
    (["conference", "{n}", "bob", "carla"], "Conference", ['string "bob"', 'string "carla"'], "NotFound"),
    (["conference", "complete"], "CompleteConference", [], "InvalidState"),
    (["conference", "drop", "{n}", "conference-1"], "DropParticipant", ['string "conference-1"'], "NotFound"),
    (["conference", "drop", "{n}", "contact"], "DropParticipant", ['string "contact"'], "InvalidArgument"),
]

# Transfer reaches the service with its arguments; to a target the directory does not know it
# fails with NotFound (test_transfer.py transfers for real).
TRANSFER_COMMANDS = [
    (["transfer", "{n}", "billing", "--reason", "wrong queue"], "Transfer", ['string "billing"', 'string "wrong queue"'],
     "NotFound"),
    (["transfer", "{n}", "bobby"], "Transfer", ['string "bobby"', 'string ""'], "NotFound"),
    (["consult", "{n}", "expert", "--reason", "a second opinion"], "ConsultTransfer",
     ['string "expert"', 'string "a second opinion"'], "NotFound"),
    (["transfer", "complete"], "CompleteTransfer", [], "InvalidState"),
    (["consult", "end"], "EndConsultation", [], "InvalidState"),
]

SESSION_COMMANDS = [
    "sessions", "session show", "stats", "dial", "answer", "reject", "hold", "retrieve", "disconnect",
    "mark-done", "video on", "video off", "push start", "push stop", "layout swap", "on-top", "conference",
    "conference complete", "conference drop", "transfer", "consult", "transfer complete", "consult end", "note", "notepad", "case-data",
    "dispositions set",
]


# -- helpers ---------------------------------------------------------------------------------------

def ctl_json(env, *args):
    return json.loads(env.ctl("--json", *args).stdout)


def ctl_fails(env, *args, status=1, input=None):
    """Runs a command that must fail with @status; returns the CompletedProcess."""
    result = env.ctl(*args, check=False, input=input)
    assert result.returncode == status, (f"sportelloctl {' '.join(args)} exited {result.returncode}, "
                                         f"expected {status}:\n{result.stdout}\n{result.stderr}")
    assert result.stdout == ""
    return result


def assert_dbus_error(env, name, *args):
    result = ctl_fails(env, *args)
    assert result.stderr.startswith(f"sportelloctl: {name}: "), result.stderr
    return result


def fields(text):
    """Parses human `key: value` output (continuation lines are indented) into a dict."""
    out, key = {}, None
    for line in text.splitlines():
        if line.startswith(" ") and key:
            out[key] += "\n" + line.strip()
            continue
        key, _, value = line.partition(":")
        out[key] = value.strip()
    return out


def as_json(value):
    """What a D-Bus value looks like after JSON (tuples become lists)."""
    return json.loads(json.dumps(value))


def path_of(number):
    return f"{ROOT}/session/{number}"


def show(env, number):
    return ctl_json(env, "session", "show", str(number))


def wait_state(env, number, state, timeout=15):
    wait_for(lambda: show(env, number)["properties"]["State"] == state, timeout,
             what=f"session {number} {state} (sportelloctl session show)")


def wait_listed(env):
    """The number of the one session `sessions --json` lists, once it appears."""
    sessions = wait_for(lambda: ctl_json(env, "sessions"), 15, what="a session in `sportelloctl sessions`")
    assert len(sessions) == 1, sessions
    return sessions[0]["number"]


def expand(args, number):
    args = [a.format(n=number) for a in args]
    return args if str(number) in args else args + [str(number)]


class DbusMonitor:
    """dbus-monitor on the test's bus, recording Session1 method calls: (path, member, [values])."""

    def __init__(self, env):
        self.env = env
        self.proc = env.procs.start("dbus-monitor", ["dbus-monitor", "--address", env.bus_address,
                                                     f"type='method_call',interface='{SESSION}'"], env.env)
        # It prints its own NameAcquired first: from then on it sees every call.
        wait_for(lambda: "NameAcquired" in self.proc.log_path.read_text(errors="replace"), 10,
                 what="dbus-monitor to start")

    def stop(self):
        self.env.procs.stop(self.proc)
        calls = []
        for line in self.proc.log_path.read_text(errors="replace").splitlines():
            if line.startswith("method call ") and f"interface={SESSION};" in line:
                path = re.search(r" path=([^;]+);", line).group(1)
                calls.append((path, re.search(r"member=(\w+)", line).group(1), []))
            elif calls and line.startswith("   ") and line.strip().split(" ", 1)[0] in ("string", "boolean"):
                calls[-1][2].append(line.strip())
        return calls


@pytest.fixture
def sip(testenv):
    """sportellod with SIP on a free port (dispositions resolved/callback, case data
    Priority/Product/Serial); stopped (exit 0) at teardown."""
    testenv.sip_port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, testenv.sip_port))
    yield testenv
    testenv.stop_sportellod(proc)


# -- usage -----------------------------------------------------------------------------------------

def test_help_lists_every_session_command(testenv):
    result = testenv.ctl("help")
    for command in SESSION_COMMANDS:
        assert f"  {command} " in result.stdout or f"  {command}\n" in result.stdout, f"'{command}' missing"
    # the directory commands that share a first word with session commands are still there
    assert "  dispositions\n" in result.stdout and "  push list\n" in result.stdout


@pytest.mark.parametrize("args", [
    ["answer"], ["answer", "1", "2"], ["answer", "x"], ["answer", "0"], ["answer", "-1"],
    ["answer", f"{ROOT}/contacts/1"], ["answer", f"{ROOT}/session/x"], ["session"], ["session", "show"],
    ["session", "frobnicate", "1"], ["sessions", "extra"], ["video"], ["video", "up", "1"], ["video", "on"],
    ["push", "start", "1"], ["push", "stop"], ["layout", "swap"], ["on-top", "1"], ["on-top", "1", "maybe"],
    ["conference", "1"], ["conference", "complete"], ["conference", "drop", "1"], ["transfer", "1"], ["transfer", "1", "bob", "--bogus"],
    ["consult", "1"], ["consult", "end"], ["transfer", "complete", "1", "2"], ["note", "1"], ["notepad", "1", "a", "b"],
    ["case-data", "1"], ["case-data", "1", "novalue"], ["case-data", "1", "=v"], ["dispositions", "set"],
    ["stats"], ["mark-done", "1", "--bogus"], ["dial"], ["dial", "sip:x@127.0.0.1", "notkeyvalue"],
])
def test_usage_errors_exit_2(testenv, args):
    # No service runs: a usage error must be found before the bus is asked anything.
    result = ctl_fails(testenv, *args, status=2)
    assert result.stderr.startswith("sportelloctl: ")
    assert "Try 'sportelloctl help'." in result.stderr


def test_service_not_running(testenv):
    result = ctl_fails(testenv, "answer", "1")
    assert f"the service {NAME} is not running" in result.stderr
    assert "no session" not in result.stderr
    result = ctl_fails(testenv, "sessions")
    assert f"the service {NAME} is not running" in result.stderr


# -- sessions that do not exist -----------------------------------------------------------------

def test_no_live_sessions(sip):
    assert sip.ctl("sessions").stdout == "no live sessions\n"
    assert ctl_json(sip, "sessions") == []


@pytest.mark.parametrize("args", [
    ["session", "show", "{n}"], ["stats", "{n}"], ["answer"], ["reject"], ["hold"], ["retrieve"],
    ["disconnect"], ["mark-done"], ["video", "on"], ["note", "{n}", "text"], ["notepad", "{n}", "text"],
    ["case-data", "{n}", "Priority=high"], ["dispositions", "set", "{n}", "resolved"],
    ["transfer", "{n}", "bob"], ["conference", "complete"], ["conference", "drop", "{n}", "conference-1"],
])
def test_unknown_session_is_named(sip, args):
    for number in (999, path_of(999)):
        result = ctl_fails(sip, *expand(args, number))
        assert result.stderr == "sportelloctl: no session 999\n"
    result = ctl_fails(sip, "--json", *expand(args, 999))
    assert result.stderr == "sportelloctl: no session 999\n"


# -- a whole inbound interaction -----------------------------------------------------------------

def test_inbound_interaction_through_sportelloctl(sip):
    env = sip
    contact = env.ctl("contacts", "add", "--first-name", "Maria", "--last-name", "Rossi",
                      "--address", "sip:customer@127.0.0.1").stdout.strip()
    sipp = Sipp(env, "caller", "inbound_wait_bye.xml", remote=f"127.0.0.1:{env.sip_port}")
    n = wait_listed(env)
    path = path_of(n)

    # `sessions`: one line, ringing, and the JSON form holds exactly the service's properties
    lines = env.ctl("sessions").stdout.splitlines()
    assert len(lines) == 1
    assert re.match(rf"{n}\s+ringing\s+inbound\s+sip:customer@127\.0\.0\.1:\d+\s+Maria Rossi\s+none\s+{contact}$",
                    lines[0]), lines[0]
    listed = ctl_json(env, "sessions")
    assert listed[0]["path"] == path and listed[0]["number"] == n
    assert listed[0]["properties"]["State"] == "ringing"
    assert listed[0]["properties"]["ContactId"] == contact

    # answer by number; a second answer is refused with the service's error name
    assert env.ctl("answer", str(n)).stdout == f"session {n}: answered\n"
    wait_state(env, n, "talking")
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "answer", str(n))
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "reject", path)
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "mark-done", str(n))

    # the record, by number and by path
    assert env.ctl("notepad", str(n), "-", input="Lathe makes a noise\nsince Monday\n").stdout \
        == f"session {n}: notepad set\n"
    assert show(env, n)["properties"]["Notepad"] == "Lathe makes a noise\nsince Monday"  # echo's newline dropped
    assert ctl_json(env, "note", path, "Customer will send a video") == \
        {"session": path, "number": n, "result": "note added"}
    env.ctl("case-data", str(n), "Priority=high", "Product=lathe L-200, blue")
    env.ctl("dispositions", "set", str(n), "callback", "resolved")
    notes = "Lathe makes a noise\nsince Monday\nCustomer will send a video"

    # bad values: the service's InvalidArgument, nothing changed
    assert_dbus_error(env, "org.sportello.Error.InvalidArgument", "case-data", str(n), "Colour=red")
    assert_dbus_error(env, "org.sportello.Error.InvalidArgument", "dispositions", "set", str(n), "nonsense")

    # `session show` in both forms
    human = fields(env.ctl("session", "show", str(n)).stdout)
    assert human["Session"] == f"{n} {path}"
    assert human["State"] == "talking" and human["Direction"] == "inbound"
    assert human["RemoteName"] == "Maria Rossi" and human["ContactId"] == contact
    assert human["Notepad"] == notes
    assert human["CaseData"] == "Priority=high\nProduct=lathe L-200, blue\nSerial="
    assert human["Dispositions"] == "callback, resolved"
    assert human["DispositionRequired"] == "no" and human["DispositionVisible"] == "yes"
    assert human["Participants"] == f"contact {human['Remote']} talking"
    assert human["EndReason"] == ""
    for key in ("Video", "Push", "Layout", "AlwaysOnTop", "Window", "AttachedData",
                "rtp-packets-sent", "rtp-packets-received", "audio-codec"):
        assert key in human, f"{key} missing from session show"
    assert human["audio-codec"].startswith("PCMA")
    data = show(env, n)
    assert data["path"] == path and data["number"] == n
    assert data["properties"] == as_json(env.get_all(SESSION, path=path))
    assert data["properties"]["Notepad"] == notes
    assert data["properties"]["CaseData"] == {"Priority": "high", "Product": "lathe L-200, blue", "Serial": ""}
    assert data["properties"]["Dispositions"] == ["callback", "resolved"]
    assert set(data["statistics"]) >= {"rtp-packets-sent", "rtp-packets-received", "audio-codec"}

    # the agent hangs up; sipp checks that our BYE came
    assert env.ctl("disconnect", str(n)).stdout == f"session {n}: disconnected\n"
    sipp.assert_passed()
    wait_state(env, n, "disconnected")
    assert fields(env.ctl("session", "show", str(n)).stdout)["EndReason"] == "local hangup (ended by the agent)"
    assert show(env, n)["properties"]["EndReason"][:2] == ["local", "hangup"]

    # mark-done removes the session and files the record in the contact's history
    assert ctl_json(env, "mark-done", str(n)) == {"session": path, "number": n, "result": "done"}
    assert env.ctl("sessions").stdout == "no live sessions\n"
    assert ctl_fails(env, "session", "show", str(n)).stderr == f"sportelloctl: no session {n}\n"
    history = env.ctl("contacts", "history", contact).stdout
    assert "inbound" in history and "callback, resolved" in history
    assert "notes: Lathe makes a noise" in history and "Customer will send a video" in history
    record = ctl_json(env, "contacts", "history", contact)[0]
    assert record["notes"] == notes and record["status"] == "done"
    assert record["case-data"]["Product"] == "lathe L-200, blue"


def test_reject_a_ringing_call(sip):
    env = sip
    sipp = Sipp(env, "caller", "inbound_rejected.xml", remote=f"127.0.0.1:{env.sip_port}")
    n = wait_listed(env)
    assert ctl_json(env, "sessions")[0]["properties"]["State"] == "ringing"
    assert env.ctl("reject", str(n)).stdout == f"session {n}: rejected\n"
    sipp.assert_passed()  # the scenario waits for 486
    wait_state(env, n, "disconnected")
    assert fields(env.ctl("session", "show", str(n)).stdout)["EndReason"] == "local rejected (rejected by the agent)"
    env.ctl("mark-done", str(n))
    assert ctl_json(env, "sessions") == []


# -- an outbound call: dial, hold, retrieve, statistics, the refused methods ----------------------

def test_outbound_hold_retrieve_and_refused(sip):
    env = sip
    sipp = Sipp(env, "callee", "uas_hold.xml")  # checks a=sendonly on hold, a=sendrecv on retrieve
    number, path = env.ctl("dial", sipp.uri, "AccountNumber=AC-1").stdout.split()
    n = int(number)
    assert path == path_of(n)
    wait_state(env, n, "talking")
    assert show(env, n)["properties"]["AttachedData"] == {"AccountNumber": "AC-1"}
    assert re.match(rf"{n}\s+talking\s+outbound\s", env.ctl("sessions").stdout)

    assert env.ctl("hold", str(n)).stdout == f"session {n}: held\n"
    assert show(env, n)["properties"]["State"] == "held"
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "hold", str(n))
    assert ctl_json(env, "retrieve", path) == {"session": path, "number": n, "result": "retrieved"}
    assert show(env, n)["properties"]["State"] == "talking"

    monitor = DbusMonitor(env)
    for args, method, _, error in CONFERENCE_COMMANDS:
        stderr = ctl_fails(env, *expand(args, n)).stderr
        assert stderr.startswith(f"sportelloctl: org.sportello.Error.{error}: "), stderr
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "--json", "conference", "complete", str(n))
    for args, method, _, error in TRANSFER_COMMANDS:
        stderr = ctl_fails(env, *expand(args, n)).stderr
        assert stderr.startswith(f"sportelloctl: org.sportello.Error.{error}: "), stderr
    # The video controls (this config has camera = none and no display).
    assert_dbus_error(env, "org.sportello.Error.NoCamera", "video", "on", str(n))
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "video", "off", str(n))
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "push", "start", str(n), "tour")  # no video
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "push", "stop", str(n))
    # A voice call has no video pane: the pane controls are refused, nothing changes.
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "layout", "swap", str(n))
    assert show(env, n)["properties"]["Layout"] == "remote-large"
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "on-top", str(n), "true")
    assert_dbus_error(env, "org.sportello.Error.InvalidState", "on-top", str(n), "false")
    assert show(env, n)["properties"]["AlwaysOnTop"] is False
    assert show(env, n)["properties"]["Window"] == "none"
    calls = monitor.stop()
    expected = ([t[:3] for t in CONFERENCE_COMMANDS] + [(None, "CompleteConference", [])]
                + [t[:3] for t in TRANSFER_COMMANDS])
    assert calls[:len(expected)] == [(path, method, values) for _, method, values in expected]
    video_calls = [c for c in calls[len(expected):] if c[1] != "GetMediaStatistics"]
    assert [c[1] for c in video_calls] == [
        "ActivateVideo", "DeactivateVideo", "StartPush", "StopPush", "SwapLayout", "SetAlwaysOnTop",
        "SetAlwaysOnTop"]
    assert video_calls[-2:] == [(path, "SetAlwaysOnTop", ["boolean true"]), (path, "SetAlwaysOnTop", ["boolean false"])]
    assert show(env, n)["properties"]["State"] == "talking"

    # media flows both ways once the call is up
    stats = wait_for(lambda: (s := ctl_json(env, "stats", str(n)))["rtp-packets-sent"] > 0 and s,
                     10, what="RTP packets sent")
    assert stats["audio-codec"].startswith("PCMU")
    human = fields(env.ctl("stats", path).stdout)
    assert int(human["rtp-packets-sent"]) > 0 and human["audio-codec"] == stats["audio-codec"]
    assert set(human) == set(stats)

    env.ctl("disconnect", str(n))
    sipp.assert_passed()
    wait_state(env, n, "disconnected")
    env.ctl("mark-done", str(n))


def test_dial_json(sip):
    env = sip
    sipp = Sipp(env, "callee", "uas_answer.xml")
    reply = ctl_json(env, "dial", sipp.uri)
    assert reply["session"] == path_of(reply["number"])
    wait_state(env, reply["number"], "talking")
    env.ctl("disconnect", str(reply["number"]))
    sipp.assert_passed()
