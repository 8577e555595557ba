"""Data typed by the agent survives a crash: notes written during a live call, then kill -9 of
sportellod; after a restart the interaction is in the history, marked interrupted, with every
note the service had acknowledged."""

import signal

from gi.repository import GLib

from conftest import CONTACTS, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Sipp, sportello_config


def test_kill_9_while_typing_loses_nothing(testenv):
    port = free_port()
    config = sportello_config(testenv, port)
    proc = testenv.start_sportellod(config=config)
    contact = testenv.call(CONTACTS, "Save", "a{sv}", ({"first-name": GLib.Variant("s", "Luca"),
                                                        "addresses": GLib.Variant("as", ["sip:customer@127.0.0.1"])},))
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=f"127.0.0.1:{port}")
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    testenv.call(SESSION, "Answer", path=path)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 10, what="talking")
    testenv.call(SESSION, "SetCaseData", "a{ss}", ({"Priority": "urgent"},), path=path)

    acknowledged = []
    for i in range(60):
        line = f"note {i}: the customer said something important"
        testenv.call(SESSION, "AppendNote", "s", (line,), path=path)
        acknowledged.append(line)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    added.close()

    restarted = testenv.start_sportellod(config=config, name="sportellod-after-crash")
    history = testenv.call(CONTACTS, "History", "suu", (contact, 0, 10))
    assert len(history) == 1
    record = history[0]
    assert record["status"] == "interrupted"
    assert record["end-actor"] == "system"
    assert record["notes"] == "\n".join(acknowledged)
    assert record["case-data"]["Priority"] == "urgent"
    assert record["direction"] == "inbound"
    testenv.stop_sportellod(restarted)
    sipp.proc.kill()
