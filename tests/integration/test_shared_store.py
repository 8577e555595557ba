"""The shared store: two real sportellod agents (two private buses' worth of names on one bus,
two data directories) share one real PostgreSQL cluster started by the test. What is checked
is what an agent sees: a contact saved by A pops up on B's incoming call (sipp), a call B
handled and marked done is in A's history of that contact, both keep working while PostgreSQL
is stopped and catch up without duplicates once it is back, a kill -9 loses nothing, a wrong
password and a newer schema say why the store is behind, and sportelloctl shows and drives it."""

import json
import os
import signal
import sqlite3

import pytest
from gi.repository import GLib

from conftest import AGENT, CONTACTS, SESSION, ROOT, SignalRecorder, free_port, wait_for
from peers import Sipp, sportello_config
from postgres import PASSWORD_ROLE, Postgres, available

pytestmark = pytest.mark.skipif(not available(), reason="PostgreSQL 15 is not installed")

OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"
SYNC_TIMEOUT = 20


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    pg = Postgres(tmp_path_factory.mktemp("postgres"))
    yield pg
    pg.cleanup()


@pytest.fixture
def database(cluster, request):
    return cluster.create_database("t_" + request.node.name.lower()[:50].replace("[", "_").replace("]", ""))


class Agent:
    """A sportellod whose [shared-store] is the test's database."""

    def __init__(self, testenv, name, uri, bus_name, data_dir=None):
        self.testenv, self.name, self.bus_name, self.uri = testenv, name, bus_name, uri
        self.port = free_port()
        self.data_dir = data_dir or testenv.root / f"data-{name}"
        extra = f"\n[shared-store]\nuri = {uri}\n" if uri else ""
        text = sportello_config(testenv, self.port, extra=extra).read_text()
        self.config = testenv.write_config(text.replace("uri = sip:agent1@127.0.0.1", f"uri = sip:{name}@127.0.0.1"),
                                           name=f"{name}.conf")
        self.start()

    def start(self):
        self.proc = self.testenv.start_sportellod(config=self.config, data_dir=self.data_dir, name=self.name,
                                                  bus_name=self.bus_name)

    def stop(self, sig=signal.SIGTERM):
        if sig == signal.SIGKILL:
            self.testenv.procs.stop(self.proc, sig)
        else:
            self.testenv.stop_sportellod(self.proc, sig)

    def call(self, interface, method, signature=None, args=(), path=ROOT):
        return self.testenv.call(interface, method, signature, args, path=path, bus_name=self.bus_name)

    def error(self, interface, method, signature=None, args=()):
        return self.testenv.call_error(interface, method, signature, args, bus_name=self.bus_name)

    def sync(self):
        return self.testenv.get_property(AGENT, "SyncState", bus_name=self.bus_name)

    def wait_sync(self, state="up-to-date", queued=0, timeout=SYNC_TIMEOUT):
        wait_for(lambda: self.sync()["state"] == state and (queued is None or self.sync()["queued"] == queued),
                 timeout, what=f"{self.name}'s shared store {state} ({self.sync()})")
        return self.sync()

    def save(self, first, last, number):
        return self.call(CONTACTS, "Save", "a{sv}", ({
            "first-name": GLib.Variant("s", first), "last-name": GLib.Variant("s", last),
            "addresses": GLib.Variant("as", [number])},))

    def lookup(self, address):
        try:
            return self.call(CONTACTS, "Lookup", "s", (address,))
        except GLib.Error:
            return None

    def ctl(self, *args, check=True, input=None):
        return self.testenv.ctl("--bus-name", self.bus_name, *args, check=check, input=input)


@pytest.fixture
def agents(testenv, cluster, database):
    uri = cluster.uri(database)
    a = Agent(testenv, "alice", uri, "org.sportello.Test.AgentA")
    b = Agent(testenv, "bruno", uri, "org.sportello.Test.AgentB")
    yield a, b
    for agent in (a, b):
        if agent.proc.poll() is None:
            agent.stop()


def take_call(testenv, agent, notes):
    """Maria (sipp, From +39021234) calls AGENT, who answers, notes, codes the call resolved; she
    hangs up; the agent marks it done. Returns the session's ContactId (the screen pop)."""
    added = SignalRecorder(testenv.connection, OBJECT_MANAGER, "InterfacesAdded", ROOT, sender=None)
    sipp = Sipp(testenv, "caller", "inbound_call.xml", remote=f"127.0.0.1:{agent.port}")
    event = added.wait(lambda e: SESSION in e[3][1], what=f"{agent.name}'s session")
    added.close()
    path = event[3][0]
    session = lambda prop: testenv.get_property(SESSION, prop, path=path, bus_name=agent.bus_name)  # noqa: E731
    contact = session("ContactId")
    assert session("RemoteName") == "Maria Rossi"
    agent.call(SESSION, "Answer", path=path)
    wait_for(lambda: session("State") == "talking", 10, what="talking")
    agent.call(SESSION, "SetNotepad", "s", (notes,), path=path)
    agent.call(SESSION, "SetDispositions", "as", (["resolved"],), path=path)
    wait_for(lambda: session("State") == "disconnected", 20, what="the caller hung up")
    sipp.assert_passed()
    agent.call(SESSION, "MarkDone", path=path)
    return contact


def records(cluster, database, kind):
    return int(cluster.value(f"SELECT count(*) FROM sportello.records WHERE kind = '{kind}'", database))


def test_contact_saved_by_one_pops_up_on_the_others_call_and_the_call_is_in_both_histories(
        testenv, cluster, database, agents):
    a, b = agents
    a.wait_sync()
    b.wait_sync()
    contact = a.save("Maria", "Rossi", "+39 02 1234")
    wait_for(lambda: b.lookup("+39021234"), 5, what="Maria in bruno's local copy")
    assert b.lookup("+39021234")["id"] == contact
    assert records(cluster, database, "contact") == 1

    # Maria calls bruno: the screen pop finds her in bruno's local copy.
    assert take_call(testenv, b, "Printer jams on page 2") == contact

    # alice sees bruno's call in Maria's history, as bruno recorded it.
    def in_alice_history():
        return a.call(CONTACTS, "History", "suu", (contact, 0, 10))
    wait_for(lambda: len(in_alice_history()) == 1, 5, what="bruno's call in alice's history")
    record = in_alice_history()[0]
    assert record["notes"] == "Printer jams on page 2"
    assert record["dispositions"] == ["resolved"]
    assert record["status"] == "done"
    assert record["direction"] == "inbound"
    assert record["answered"] > record["started"] > 0
    assert b.call(CONTACTS, "History", "suu", (contact, 0, 10))[0]["id"] == record["id"]
    assert records(cluster, database, "interaction") == 1
    doc_notes = cluster.value("SELECT doc->>'notes' FROM sportello.records WHERE kind = 'interaction'", database)
    assert doc_notes == "Printer jams on page 2"
    assert a.sync()["queued"] == 0 and b.wait_sync()["last-error"] == ""


def test_both_keep_working_while_postgres_is_down_and_catch_up_without_duplicates(
        testenv, cluster, database, agents):
    a, b = agents
    a.wait_sync()
    b.wait_sync()
    first = a.save("Before", "Outage", "1001")
    maria = a.save("Maria", "Rossi", "+39 02 1234")
    wait_for(lambda: b.lookup("1001") and b.lookup("+39021234"), 5, what="the first contacts on bruno")

    cluster.stop()
    try:
        a.wait_sync("offline", queued=None)
        # Writes are acknowledged at once and kept locally; each agent finds its own.
        during_a = [a.save("Alice", f"Offline{i}", f"20{i:02d}") for i in range(5)]
        during_b = b.save("Bruno", "Offline", "3001")
        b.call(CONTACTS, "Save", "a{sv}", ({"id": GLib.Variant("s", first),
                                             "first-name": GLib.Variant("s", "Changed"),
                                             "last-name": GLib.Variant("s", "By Bruno"),
                                             "addresses": GLib.Variant("as", ["1001"])},))
        assert a.lookup("2003")["id"] == during_a[3]
        assert b.lookup("3001")["id"] == during_b
        assert a.wait_sync("offline", queued=5)["last-error"]
        state = b.wait_sync("offline", queued=2)
        assert "connect" in state["last-error"] or "lost" in state["last-error"], state
        result = a.ctl("store", "sync")
        assert "offline" in result.stdout and "queued" in result.stdout
        # Calls go on: Maria calls bruno, who finds her, takes notes and marks the call done.
        assert take_call(testenv, b, "Called while the database was down") == maria
        assert b.wait_sync("offline", queued=3)
    finally:
        cluster.start()

    a.wait_sync(timeout=40)
    b.wait_sync(timeout=40)
    wait_for(lambda: all(b.lookup(f"20{i:02d}") for i in range(5)) and a.lookup("3001"), 10,
             what="each agent's offline contacts on the other")
    wait_for(lambda: a.lookup("1001")["first-name"] == "Changed", 10, what="bruno's edit on alice")
    wait_for(lambda: a.call(CONTACTS, "History", "suu", (maria, 0, 10)), 10, what="bruno's call in alice's history")
    assert a.call(CONTACTS, "History", "suu", (maria, 0, 10))[0]["notes"] == "Called while the database was down"
    assert records(cluster, database, "contact") == 8
    assert records(cluster, database, "interaction") == 1
    assert cluster.value("SELECT count(DISTINCT (kind, id)) FROM sportello.records", database) == "9"
    assert a.sync()["last-success"] > 0


def test_kill_9_during_a_sync_loses_nothing(testenv, cluster, database, agents):
    a, b = agents
    a.wait_sync()
    count = 5000
    contacts = [{"first-name": GLib.Variant("s", f"Bulk{i}"), "addresses": GLib.Variant("as", [f"5{i:05d}"])}
                for i in range(count)]
    assert a.call(CONTACTS, "Import", "aa{sv}", (contacts,)) == count
    # Killed while the outbox drains (500 records a batch): some batches sent, the rest not.
    wait_for(lambda: records(cluster, database, "contact") > 0, 10, interval=0.005,
             what="the first batch in PostgreSQL")
    a.stop(signal.SIGKILL)
    sent = records(cluster, database, "contact")
    left = sqlite3.connect(a.data_dir / "sportello.db").execute(
        "SELECT count(DISTINCT record) FROM sync_outbox").fetchone()[0]
    print(f"when killed: {sent} of {count} in PostgreSQL, {left} still queued")
    assert sent + left >= count

    # An acknowledged write while PostgreSQL is down, then kill -9 again: it is still queued.
    a.start()
    a.wait_sync(timeout=60)
    cluster.stop()
    try:
        a.wait_sync("offline", queued=None)
        late = a.save("Saved", "Before Kill", "6001")
        a.stop(signal.SIGKILL)
    finally:
        cluster.start()
    a.start()
    a.wait_sync(timeout=60)
    assert records(cluster, database, "contact") == count + 1
    assert cluster.value("SELECT doc->>'id' FROM sportello.records WHERE doc->>'last-name' = 'Before Kill'",
                         database) == late
    wait_for(lambda: b.lookup("6001") and b.lookup("504999") and b.lookup("500000"), 20,
             what="everything on bruno")


def test_a_server_that_stops_answering_is_given_up_and_found_again(testenv, cluster, database, agents):
    """No RST, no FIN: the backend serving alice is frozen (SIGSTOP), as on a network that drops
    everything. alice's query gets no answer, is given up after its deadline, and alice
    reconnects (to a new backend) by itself; bruno, on a backend of his own, never notices."""
    a, b = agents
    a.wait_sync()
    b.wait_sync()
    backends = cluster.value("SELECT pid FROM pg_stat_activity WHERE application_name = 'sportellod'"
                             " AND datname = current_database() ORDER BY backend_start", database).split()
    assert len(backends) == 2, backends
    frozen = int(backends[0])  # alice started first
    os.kill(frozen, signal.SIGSTOP)
    try:
        response = a.call("org.sportello.Responses1", "Save", "a{sv}", ({
            "title": GLib.Variant("s", "Frozen"), "body": GLib.Variant("s", "Saved while the server hung")},))
        state = a.wait_sync("offline", queued=None, timeout=40)
        assert "no answer" in state["last-error"], state
        assert a.call("org.sportello.Responses1", "Get", "s", (response,))["title"] == "Frozen"
    finally:
        os.kill(frozen, signal.SIGCONT)
    a.wait_sync(timeout=30)
    wait_for(lambda: b.call("org.sportello.Responses1", "Search", "su", ("Frozen", 10)), 10,
             what="the response on bruno")
    assert b.sync()["last-error"] == ""


def test_postgres_down_at_start_then_up(testenv, cluster, database):
    cluster.stop()
    try:
        a = Agent(testenv, "alice", cluster.uri(database), "org.sportello.Test.AgentA")
        state = a.wait_sync("offline", queued=None)
        assert "connecting" in state["last-error"], state
        contact = a.save("Early", "Bird", "8001")
        assert a.lookup("8001")["id"] == contact
        assert a.wait_sync("offline", queued=1)
    finally:
        cluster.start()
    a.wait_sync(timeout=30)
    assert records(cluster, database, "contact") == 1
    a.stop()


def test_a_newer_schema_is_left_alone_and_the_outbox_waits(testenv, cluster, database):
    a = Agent(testenv, "alice", cluster.uri(database), "org.sportello.Test.AgentA")
    a.wait_sync()
    a.stop()
    cluster.psql("UPDATE sportello.meta SET value = '99' WHERE key = 'schema-version'", database)
    function = cluster.value("SELECT md5(prosrc) FROM pg_proc WHERE proname = 'push'", database)
    a.start()
    state = a.wait_sync("incompatible", queued=None)
    assert "version 99" in state["last-error"], state
    a.save("Waiting", "For Update", "9001")
    assert a.wait_sync("incompatible", queued=1)
    assert records(cluster, database, "contact") == 0
    assert cluster.value("SELECT md5(prosrc) FROM pg_proc WHERE proname = 'push'", database) == function
    cluster.psql("UPDATE sportello.meta SET value = '1' WHERE key = 'schema-version'", database)
    a.wait_sync(timeout=30)
    assert records(cluster, database, "contact") == 1
    a.stop()


def test_ctl_imports_an_existing_store_with_progress(testenv, cluster, database):
    # An agent that worked alone: its store has contacts and a response, nothing queued.
    alone = Agent(testenv, "alice", None, "org.sportello.Test.AgentA")
    contacts = [{"first-name": GLib.Variant("s", f"Old{i}"), "addresses": GLib.Variant("as", [f"4{i:05d}"])}
                for i in range(1500)]
    alone.call(CONTACTS, "Import", "aa{sv}", (contacts,))
    alone.call("org.sportello.Responses1", "Save", "a{sv}", ({"title": GLib.Variant("s", "Greeting"),
                                                               "body": GLib.Variant("s", "Hello")},))
    assert alone.sync() == {"state": "off"}
    name, message = alone.error(AGENT, "ImportLocalStore")
    assert name == "org.sportello.Error.Unavailable" and "[shared-store]" in message
    result = alone.ctl("store", "import", check=False)
    assert result.returncode == 1 and "shared store" in result.stderr
    alone.stop()

    # The team's store is configured: nothing was queued alone, so the import sends it all.
    a = Agent(testenv, "alice", cluster.uri(database), "org.sportello.Test.AgentA", data_dir=alone.data_dir)
    a.wait_sync()
    assert records(cluster, database, "contact") == 0
    result = a.ctl("store", "import")
    assert f"imported 1501 records into {cluster.uri(database)}" in result.stdout
    assert "records sent" in result.stderr and "1501/1501" in result.stderr.splitlines()[-1]
    assert records(cluster, database, "contact") == 1500
    assert records(cluster, database, "response") == 1
    shown = a.ctl("store", "sync", "--wait").stdout
    assert "up-to-date" in shown and "queued" in shown and "last-success" in shown
    as_json = a.ctl("--json", "store", "sync").stdout
    assert json.loads(as_json)["state"] == "up-to-date" and json.loads(as_json)["queued"] == 0
    # Importing again changes nothing in PostgreSQL: every record is already there.
    a.ctl("store", "import")
    assert records(cluster, database, "contact") == 1500
    a.stop()


def test_a_wrong_password_says_so_and_a_stored_one_is_used_by_itself(testenv, cluster, database, keyring):
    cluster.psql(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
    cluster.psql(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right-one'")
    cluster.psql(f'GRANT ALL ON DATABASE "{database}" TO {PASSWORD_ROLE}', database)
    cluster.psql(f"GRANT ALL ON SCHEMA public TO {PASSWORD_ROLE}", database)
    uri = cluster.uri(database, user=PASSWORD_ROLE)
    a = Agent(testenv, "alice", uri, "org.sportello.Test.AgentA")
    try:
        state = a.wait_sync("offline", queued=None)
        assert "password" in state["last-error"], state
        assert "right-one" not in str(state)
        contact = a.save("Kept", "Anyway", "7001")
        assert a.lookup("7001")["id"] == contact
        a.ctl("secret", "set", "--account", uri, "--kind", "shared-store-password", input="wrong-one")
        a.ctl("secret", "set", "--account", uri, "--kind", "shared-store-password", input="right-one")
        a.wait_sync(timeout=30)
        assert cluster.value("SELECT doc->>'first-name' FROM sportello.records", database) == "Kept"
    finally:
        a.stop()


def test_a_missing_sync_module_is_reported_and_the_agent_works_alone(testenv, cluster, database):
    """The PostgreSQL side is a module sportellod loads only when [shared-store] is set; without
    it (a broken install), the agent still works and says why it is alone."""
    empty = testenv.root / "no-modules"
    empty.mkdir()
    testenv.env["SPORTELLO_MODULE_DIR"] = str(empty)
    a = Agent(testenv, "alice", cluster.uri(database), "org.sportello.Test.AgentA")
    state = a.sync()
    assert state["state"] == "unavailable" and "module" in state["last-error"], state
    name, message = a.error(AGENT, "ImportLocalStore")
    assert name == "org.sportello.Error.Unavailable" and "module" in message
    a.save("Still", "Works", "4242")
    assert a.lookup("4242")["first-name"] == "Still"
    a.stop()
