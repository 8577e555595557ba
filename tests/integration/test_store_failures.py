"""A database that cannot be used never stops sportellod and is never rewritten: a damaged file,
a read-only file, a file from a newer sportellod, and a data directory that cannot be made.
Contacts1 and Responses1 answer org.sportello.Error.Unavailable; Agent1 keeps working. During a
call, a change to the record that cannot be stored (a read-only or locked database) answers
Unavailable too, and nothing is half-stored."""

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from gi.repository import GLib

from conftest import AGENT, CONTACTS, RESPONSES, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Sipp, sportello_config

UNAVAILABLE = "org.sportello.Error.Unavailable"

V = GLib.Variant


def call_error(env, *args):
    """env.call_error, with the message freed of GDBus's "GDBus.Error:NAME: " prefix."""
    name, message = env.call_error(*args)
    prefix = f"GDBus.Error:{name}: "
    return name, message[len(prefix):] if message.startswith(prefix) else message


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def contact(**fields):
    out = {}
    for key, value in fields.items():
        key = key.replace("_", "-")
        out[key] = V("as", value) if key == "addresses" else V("s", value)
    return out


# Every store-backed method, with arguments that would succeed on a healthy database.
STORE_CALLS = [
    (CONTACTS, "Get", "s", ("c-1",)),
    (CONTACTS, "Lookup", "s", ("+39 02 1234",)),
    (CONTACTS, "Search", "su", ("rossi", 0)),
    (CONTACTS, "Save", "a{sv}", (contact(first_name="Maria"),)),
    (CONTACTS, "Delete", "s", ("c-1",)),
    (CONTACTS, "Import", "aa{sv}", ([contact(first_name="Maria")],)),
    (CONTACTS, "History", "suu", ("c-1", 0, 0)),
    (RESPONSES, "Search", "su", ("", 0)),
    (RESPONSES, "ListCategories", None, ()),
    (RESPONSES, "Get", "s", ("r-1",)),
    (RESPONSES, "Save", "a{sv}", ({"title": V("s", "T"), "body": V("s", "B")},)),
    (RESPONSES, "Delete", "s", ("r-1",)),
    (RESPONSES, "Import", "aa{sv}", ([{"title": V("s", "T"), "body": V("s", "B")}],)),
    (RESPONSES, "Render", "so", ("r-1", "/")),
    (RESPONSES, "RenderForContact", "ssa{ss}", ("r-1", "", {})),
    (AGENT, "ListPushItems", None, ()),
    (AGENT, "AddPushItem", "sssu", ("/nonexistent/clip.webm", "T", "", 0)),
    (AGENT, "RemovePushItem", "s", ("p-1",)),
]


def assert_all_unavailable(env, *words):
    for interface, method, signature, args in STORE_CALLS:
        name, message = call_error(env, interface, method, signature, args)
        assert name == UNAVAILABLE, f"{interface}.{method}: {name}: {message}"
        for word in words:
            assert word in message, f"{interface}.{method}: {message!r} does not mention {word!r}"


def assert_agent_works(env):
    assert env.get_property(AGENT, "Registration") == "disabled"
    assert env.call(AGENT, "ListCaseDataKeys") == ["Priority", "Product", "Serial"]
    assert [c["id"] for c in env.call(AGENT, "ListDispositionCodes")] == ["resolved", "callback", "escalated"]


def test_corrupt_database(testenv):
    db = testenv.db_path
    db.parent.mkdir(parents=True)
    # Not a database: a header-sized run of random bytes and some text, as a bad copy leaves.
    db.write_bytes(os.urandom(4096) + b"this was a spreadsheet once\n" * 100)
    before = sha256(db)

    proc = testenv.start_sportellod()
    assert_all_unavailable(testenv, str(db))
    assert_agent_works(testenv)
    testenv.stop_sportellod(proc)  # SIGTERM → exit 0

    assert sha256(db) == before
    assert sorted(p.name for p in db.parent.iterdir()) == ["sportello.db"]
    log = proc.log_path.read_text()
    assert str(db) in log and "Unavailable" in log


def test_truncated_database(testenv):
    """A real database cut in half (a full disk during a copy)."""
    proc = testenv.start_sportellod()
    testenv.call(CONTACTS, "Save", "a{sv}", (contact(first_name="Maria", notes="x" * 100_000),))
    testenv.stop_sportellod(proc)
    db = testenv.db_path
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])
    before = sha256(db)

    proc = testenv.start_sportellod(name="sportellod-2")
    name, message = call_error(testenv, CONTACTS, "Search", "su", ("maria", 0))
    assert name == UNAVAILABLE, message
    assert str(db) in message
    assert_agent_works(testenv)
    testenv.stop_sportellod(proc)
    assert sha256(db) == before


def make_database_with_maria(testenv):
    proc = testenv.start_sportellod(name="sportellod-setup")
    maria = testenv.call(CONTACTS, "Save", "a{sv}",
                         (contact(first_name="Maria", last_name="Rossi", addresses=["+39 02 1234"]),))
    rid = testenv.call(RESPONSES, "Save", "a{sv}", ({"title": V("s", "Greeting"), "category": V("s", "opening"),
                                                     "body": V("s", "Hello from {agent.name}")},))
    testenv.stop_sportellod(proc)
    return maria, rid


def make_read_only(db):
    """Makes @db unwritable for sportellod. As root, permissions stop nothing, so the file is also
    made immutable (chattr +i); returns a function that undoes that."""
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{db}{suffix}").exists(), f"{db}{suffix} was left behind by a clean stop"
    os.chmod(db, 0o444)
    if os.geteuid() != 0:
        return lambda: os.chmod(db, 0o644)
    if not shutil.which("chattr"):
        pytest.skip("running as root without chattr: a read-only file cannot be made here")
    result = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"running as root and chattr +i does not work on this file system: {result.stderr.strip()}")
    # Prove the technique: even root cannot open it for writing now.
    with pytest.raises(PermissionError):
        open(db, "r+b")

    def undo():
        subprocess.run(["chattr", "-i", str(db)], check=True)
        os.chmod(db, 0o644)

    return undo


def test_read_only_database(testenv):
    maria, rid = make_database_with_maria(testenv)
    db = testenv.db_path
    undo = make_read_only(db)
    try:
        before = sha256(db)
        proc = testenv.start_sportellod()

        # Reads work.
        assert testenv.call(CONTACTS, "Get", "s", (maria,))["first-name"] == "Maria"
        assert testenv.call(CONTACTS, "Lookup", "s", ("+39021234",))["id"] == maria
        assert [c["id"] for c in testenv.call(CONTACTS, "Search", "su", ("ross", 0))] == [maria]
        assert testenv.call(CONTACTS, "History", "suu", (maria, 0, 0)) == []
        assert testenv.call(RESPONSES, "ListCategories") == ["opening"]
        assert testenv.call(RESPONSES, "Render", "so", (rid, "/")) == "Hello from Agent"
        assert testenv.call(AGENT, "ListPushItems") == []

        # Writes are refused, naming the file and saying why.
        writes = [
            (CONTACTS, "Save", "a{sv}", (contact(id=maria, first_name="Marta"),)),
            (CONTACTS, "Save", "a{sv}", (contact(first_name="Luca"),)),
            (CONTACTS, "Delete", "s", (maria,)),
            (CONTACTS, "Import", "aa{sv}", ([contact(first_name="Luca")],)),
            (RESPONSES, "Save", "a{sv}", ({"id": V("s", rid), "body": V("s", "Changed")},)),
            (RESPONSES, "Delete", "s", (rid,)),
            (RESPONSES, "Import", "aa{sv}", ([{"title": V("s", "T"), "body": V("s", "B")}],)),
            (AGENT, "AddPushItem", "sssu", ("/nonexistent/clip.webm", "T", "", 0)),
            (AGENT, "RemovePushItem", "s", ("p-1",)),
        ]
        for interface, method, signature, args in writes:
            name, message = call_error(testenv, interface, method, signature, args)
            assert name == UNAVAILABLE, f"{interface}.{method}: {name}: {message}"
            assert "read-only" in message, message
            assert str(db) in message, message

        # Nothing changed.
        assert testenv.call(CONTACTS, "Get", "s", (maria,))["first-name"] == "Maria"
        assert testenv.call(RESPONSES, "Get", "s", (rid,))["body"] == "Hello from {agent.name}"
        assert_agent_works(testenv)
        testenv.stop_sportellod(proc)
        assert sha256(db) == before
        assert "read-only" in proc.log_path.read_text()
    finally:
        undo()
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT first_name FROM contacts").fetchall() == [("Maria",)]
    assert conn.execute("SELECT count(*) FROM responses").fetchone() == (1,)
    conn.close()


def test_newer_schema_version(testenv):
    db = testenv.db_path
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("CREATE TABLE contacts (id TEXT PRIMARY KEY, first_name TEXT, hologram BLOB)")
        conn.execute("INSERT INTO contacts VALUES ('c-future', 'Zed', x'00ff')")
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = sha256(db)

    proc = testenv.start_sportellod()
    assert_all_unavailable(testenv, str(db), "99")
    assert_agent_works(testenv)
    testenv.stop_sportellod(proc)

    assert sha256(db) == before
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone() == (99,)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
    assert sorted(p.name for p in db.parent.iterdir()) == ["sportello.db"]


def test_data_dir_cannot_be_created(testenv):
    blocker = testenv.root / "not-a-dir"
    blocker.write_text("a regular file\n")
    data_dir = blocker / "sportello"

    proc = testenv.start_sportellod(data_dir=data_dir)
    assert_all_unavailable(testenv, f"cannot create the data directory {data_dir}", "Not a directory")
    assert_agent_works(testenv)
    # Still running and still answering after all those refusals.
    assert proc.poll() is None
    assert testenv.name_has_owner()
    testenv.stop_sportellod(proc, signal.SIGINT)
    assert blocker.read_text() == "a regular file\n"


# -- the record of a live call ----------------------------------------------------------------------

def ring_and_answer(testenv, port):
    """An inbound call from sipp, answered; returns (sipp, session path)."""
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    sipp = Sipp(testenv, "caller", "inbound_wait_bye.xml", remote=f"127.0.0.1:{port}")
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    added.close()
    testenv.call(SESSION, "Answer", path=path)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 10, what="talking")
    return sipp, path


def stored_dispositions(db):
    return [code for (code,) in db.execute("SELECT code FROM interaction_dispositions ORDER BY code")]


def test_a_locked_database_refuses_a_disposition(testenv):
    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port, rtp_timeout=0))
    sipp, path = ring_and_answer(testenv, port)
    number = path.rsplit("/", 1)[1]
    testenv.call(SESSION, "SetDispositions", "as", (["resolved"],), path=path)

    # Another program (a report, a backup tool) holds the write lock longer than sportellod waits.
    lock = sqlite3.connect(testenv.db_path, isolation_level=None, timeout=10)
    lock.execute("BEGIN IMMEDIATE")
    try:
        name, message = call_error(testenv, SESSION, "SetDispositions", "as", (["callback"],), path)
        assert name == UNAVAILABLE, message
        assert "could not be saved" in message and "locked" in message, message
        result = testenv.ctl("dispositions", "set", number, "callback", "resolved", check=False)
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.startswith(f"sportelloctl: {UNAVAILABLE}: "), result.stderr
        # Nothing half-stored: the stored selection is still the acknowledged one.
        assert stored_dispositions(lock) == ["resolved"]
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    # Still running; once the lock is gone the same change is stored.
    assert testenv.get_property(SESSION, "State", path=path) == "talking"
    testenv.call(SESSION, "SetDispositions", "as", (["callback", "resolved"],), path=path)
    with sqlite3.connect(testenv.db_path, timeout=10) as db:
        assert stored_dispositions(db) == ["callback", "resolved"]
    testenv.call(SESSION, "Disconnect", path=path)
    sipp.assert_passed()
    testenv.call(SESSION, "MarkDone", path=path)
    testenv.stop_sportellod(proc)


def test_a_read_only_database_refuses_the_record_of_a_call(testenv):
    make_database_with_maria(testenv)
    undo = make_read_only(testenv.db_path)
    try:
        port = free_port()
        proc = testenv.start_sportellod(config=sportello_config(testenv, port, rtp_timeout=0))
        sipp, path = ring_and_answer(testenv, port)
        refused = [
            ("SetDispositions", "as", (["callback"],)),
            ("SetNotepad", "s", ("the customer called back",)),
            ("AppendNote", "s", ("and again",)),
            ("SetCaseData", "a{ss}", ({"Priority": "high"},)),
        ]
        for method, signature, args in refused:
            name, message = call_error(testenv, SESSION, method, signature, args, path)
            assert name == UNAVAILABLE, f"{method}: {name}: {message}"
            assert "read-only" in message and "kept in memory" in message, message
        # The call itself goes on, and ends normally.
        assert testenv.get_property(SESSION, "State", path=path) == "talking"
        testenv.call(SESSION, "Disconnect", path=path)
        sipp.assert_passed()
        testenv.call(SESSION, "MarkDone", path=path)
        testenv.stop_sportellod(proc)
    finally:
        undo()
    conn = sqlite3.connect(testenv.db_path)
    assert conn.execute("SELECT count(*) FROM interactions").fetchone() == (0,)
    conn.close()
