"""Nothing acknowledged is lost in a crash: during a real call (sipp) the agent types notes, edits
case data and picks a disposition, then sportellod is killed with SIGKILL; after a restart on
the same data dir the interaction is in the history, marked interrupted, with every value the
service had acknowledged, the time the call was answered and an end no earlier than the last
acknowledged change (or the heartbeat, for a silent call). A call that had already ended keeps
its exact end and end reason."""

import json
import signal
import sqlite3
import time

from gi.repository import GLib

from conftest import CONTACTS, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Sipp, sportello_config

# service/observers/sp-history-recorder.c: a live call's record is refreshed at least this often.
HEARTBEAT_S = 20


def now_us():
    return int(time.time() * 1_000_000)


class CrashCall:
    """sportellod (no RTP timeout: sipp sends no media) with a contact whose address matches
    sipp's From, and the session of one inbound call from sipp."""

    def __init__(self, testenv, scenario="inbound_wait_bye.xml"):
        self.env = testenv
        self.port = free_port()
        self.config = sportello_config(testenv, self.port, rtp_timeout=0)
        self.proc = testenv.start_sportellod(config=self.config)
        self.contact = testenv.call(CONTACTS, "Save", "a{sv}", ({
            "first-name": GLib.Variant("s", "Luca"),
            "addresses": GLib.Variant("as", ["sip:customer@127.0.0.1", "+39 02 1234"])},))
        added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
        self.sipp = Sipp(testenv, "caller", scenario, remote=f"127.0.0.1:{self.port}")
        self.path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
        added.close()
        assert self.prop("ContactId") == self.contact

    def prop(self, name):
        return self.env.get_property(SESSION, name, path=self.path)

    def call(self, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=self.path)

    def answer(self):
        before = now_us()
        self.call("Answer")
        wait_for(lambda: self.prop("State") == "talking", 10, what="talking")
        return before, now_us()

    def db_row(self, columns):
        with sqlite3.connect(self.env.db_path, timeout=10) as db:
            return db.execute(f"SELECT {columns} FROM interactions").fetchone()

    def kill_and_restart(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        assert self.proc.returncode == -signal.SIGKILL
        killed = now_us()
        self.proc = self.env.start_sportellod(config=self.config, name="sportellod-after-crash")
        return killed

    def history(self):
        history = self.env.call(CONTACTS, "History", "suu", (self.contact, 0, 10))
        assert len(history) == 1
        return history[0]

    def stop(self):
        self.env.stop_sportellod(self.proc)
        self.sipp.proc.kill()


def test_kill_9_while_typing_loses_nothing(testenv):
    crash = CrashCall(testenv)
    crash.answer()
    crash.call("SetCaseData", "a{ss}", ({"Priority": "urgent"},))
    acknowledged = []
    for i in range(60):
        line = f"note {i}: the customer said something important"
        crash.call("AppendNote", "s", (line,))
        acknowledged.append(line)
    crash.kill_and_restart()

    record = crash.history()
    assert record["status"] == "interrupted"
    assert record["end-actor"] == "system"
    assert record["notes"] == "\n".join(acknowledged)
    assert record["case-data"]["Priority"] == "urgent"
    assert record["direction"] == "inbound"
    crash.stop()


def test_kill_9_during_a_call_keeps_every_acknowledged_value(testenv):
    crash = CrashCall(testenv, "inbound_data_wait_bye.xml")
    answering, talking = crash.answer()
    crash.call("SetNotepad", "s", ("Lathe makes a noise",))
    crash.call("AppendNote", "s", ("Customer will send a video",))
    crash.call("SetCaseData", "a{ss}", ({"Priority": "high", "Product": "lathe L-200"},))
    crash.call("SetDispositions", "as", (["resolved"],))
    last_change = now_us()
    crash.call("SetDispositions", "as", (["callback"],))
    assert crash.prop("State") == "talking"
    killed = crash.kill_and_restart()

    record = crash.history()
    assert record["status"] == "interrupted"
    assert (record["end-actor"], record["end-reason"]) == ("system", "service-restarted")
    assert record["notes"] == "Lathe makes a noise\nCustomer will send a video"
    assert record["case-data"] == {"Priority": "high", "Product": "lathe L-200", "Serial": ""}
    assert record["dispositions"] == ["callback"]
    assert record["attached-data"] == {"UserToUser": "AC7781:videq", "AccountNumber": "AC-7781"}
    assert record["contact-id"] == crash.contact and record["direction"] == "inbound"
    # Answered when the call became talking; ended at the last thing the service knew it was alive
    # for (the last acknowledged change: SetDispositions), so no later than the kill and no
    # earlier than a heartbeat before it.
    assert answering <= record["answered"] <= talking
    assert last_change <= record["ended"] <= killed
    assert record["ended"] >= killed - (HEARTBEAT_S + 1) * 1_000_000
    assert record["duration-ms"] == (record["ended"] - record["answered"]) // 1000
    assert record["duration-ms"] > 0
    # sportelloctl shows the same record.
    assert json.loads(testenv.ctl("--json", "contacts", "history", crash.contact).stdout) == [record]
    line = testenv.ctl("contacts", "history", crash.contact).stdout.splitlines()[0]
    assert "interrupted" in line and "callback" in line
    crash.stop()


def test_kill_9_after_the_call_ended_keeps_its_end(testenv):
    # sipp hangs up by itself 2.5 s after its ACK.
    crash = CrashCall(testenv, "inbound_call.xml")
    crash.answer()
    wait_for(lambda: crash.prop("State") == "disconnected", 15, what="the contact hanging up")
    assert crash.prop("EndReason")[:2] == ("remote", "hangup")
    crash.sipp.assert_passed()
    ended, actor, reason = crash.db_row("ended, end_actor, end_reason")
    assert (actor, reason) == ("remote", "hangup") and ended > 0
    # A later change moves the last-known-alive time past the end; the end must not move.
    crash.call("SetNotepad", "s", ("wrote this after the call",))
    alive = crash.db_row("alive")[0]
    assert alive > ended
    crash.kill_and_restart()

    record = crash.history()
    assert record["status"] == "interrupted"
    assert (record["end-actor"], record["end-reason"]) == ("remote", "hangup")
    assert record["ended"] == ended
    assert record["duration-ms"] >= 2500
    assert record["notes"] == "wrote this after the call"
    crash.stop()


def test_kill_9_during_a_silent_call_ends_at_the_heartbeat(testenv):
    crash = CrashCall(testenv)
    crash.answer()
    answered = crash.db_row("answered")[0]
    assert answered > 0  # stored when the call became talking, not at Mark Done
    # Nothing is typed: only the heartbeat moves the last-known-alive time.
    alive = wait_for(lambda: (a := crash.db_row("alive")[0]) > answered + 10_000_000 and a,
                     HEARTBEAT_S * 3, interval=0.5, what="a heartbeat")
    killed = crash.kill_and_restart()

    record = crash.history()
    assert record["status"] == "interrupted"
    assert record["answered"] == answered
    assert alive <= record["ended"] <= killed
    assert record["duration-ms"] >= 10_000
    crash.stop()
