"""sportellod's life: clean exits on signals, one instance per bus name (--replace to take over),
--bus-name, readiness before the name appears, recovery of interactions after a crash, refusing
a broken config, and readable log lines on stderr."""

import re
import signal
import sqlite3
import subprocess
import time

import pytest
from gi.repository import Gio, GLib

from conftest import AGENT, CONTACTS, NAME, RESPONSES, ROOT, SPORTELLOD, wait_for

V = GLib.Variant


def bus_call(env, method, *args, signature="s"):
    reply = env.connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", method,
                                     V(f"({signature})", args), None, Gio.DBusCallFlags.NONE, -1, None)
    return reply.unpack()[0]


def owner_pid(env, name=NAME):
    return bus_call(env, "GetConnectionUnixProcessID", name)


def exit_within(proc, timeout=10):
    try:
        return proc.wait(timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{proc.name} still running after {timeout}s:\n" + proc.log_path.read_text(errors="replace"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_exit_zero_on_signal(testenv, sig):
    proc = testenv.start_sportellod()
    assert testenv.get_property(AGENT, "Registration") == "disabled"
    proc.send_signal(sig)
    assert exit_within(proc) == 0, proc.log_path.read_text()
    assert not testenv.name_has_owner()
    assert "signal received: stopping" in proc.log_path.read_text()


def test_second_instance_without_replace(testenv):
    first = testenv.start_sportellod()
    second = testenv.start_sportellod(name="sportellod-2", wait=False)
    assert exit_within(second) == 1
    log = second.log_path.read_text()
    assert f"{NAME} is owned by another process" in log
    assert "--replace" in log
    # The first one is untouched.
    assert first.poll() is None
    assert owner_pid(testenv) == first.pid
    assert testenv.get_property(AGENT, "Account") == "sip:agent@127.0.0.1"
    testenv.stop_sportellod(first)


def test_replace(testenv):
    first = testenv.start_sportellod()
    contact_id = testenv.call(CONTACTS, "Save", "a{sv}", ({"first-name": V("s", "Maria")},))
    assert owner_pid(testenv) == first.pid

    second = testenv.start_sportellod(name="sportellod-2", extra_args=["--replace"], wait=False)
    assert exit_within(first) == 0, first.log_path.read_text()
    assert "taken over by another process" in first.log_path.read_text()
    wait_for(lambda: testenv.name_has_owner() and owner_pid(testenv) == second.pid, what="the new owner")
    assert second.poll() is None
    # The newcomer serves the same data.
    assert testenv.call(CONTACTS, "Get", "s", (contact_id,))["first-name"] == "Maria"
    testenv.stop_sportellod(second)


def test_other_bus_name(testenv):
    proc = testenv.start_sportellod(bus_name="org.example.Other")
    assert testenv.name_has_owner("org.example.Other")
    assert not testenv.name_has_owner(NAME)
    assert owner_pid(testenv, "org.example.Other") == proc.pid
    assert testenv.get_property(AGENT, "Registration", bus_name="org.example.Other") == "disabled"
    assert testenv.call(CONTACTS, "Search", "su", ("x", 0), bus_name="org.example.Other") == []
    # And the default name is free for another instance at the same time.
    data = testenv.root / "data-default"
    default = testenv.start_sportellod(name="sportellod-default", data_dir=data)
    assert owner_pid(testenv, NAME) == default.pid
    testenv.stop_sportellod(default)
    testenv.stop_sportellod(proc)


def test_name_appears_only_when_ready(testenv):
    """A client that reacts to NameOwnerChanged at once finds every interface answering."""
    seen = []

    def on_owner_changed(connection, sender, path, interface, member, params):
        name, old, new = params.unpack()
        if name != NAME or not new:
            return
        try:
            seen.append(("owner", new))
            seen.append(("account", testenv.get_property(AGENT, "Account")))
            seen.append(("objects", testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")))
            seen.append(("search", testenv.call(CONTACTS, "Search", "su", ("x", 0))))
            seen.append(("categories", testenv.call(RESPONSES, "ListCategories")))
        except GLib.Error as error:
            seen.append(("error", error.message))

    sub = testenv.connection.signal_subscribe("org.freedesktop.DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                                              "/org/freedesktop/DBus", NAME, Gio.DBusSignalFlags.NONE,
                                              on_owner_changed)
    try:
        proc = testenv.start_sportellod(wait=False)
        context = GLib.MainContext.default()

        def done():
            while context.iteration(False):
                pass
            if proc.poll() is not None:
                pytest.fail(proc.log_path.read_text())
            return len(seen) >= 5 or any(kind == "error" for kind, _ in seen)

        wait_for(done, what="NameOwnerChanged for " + NAME)
    finally:
        testenv.connection.signal_unsubscribe(sub)
    assert [kind for kind, _ in seen] == ["owner", "account", "objects", "search", "categories"], seen
    assert dict(seen)["account"] == "sip:agent@127.0.0.1"
    assert dict(seen)["objects"] == {}
    testenv.stop_sportellod(proc)


def test_crash_leaves_interrupted_interaction(testenv):
    proc = testenv.start_sportellod()
    maria = testenv.call(CONTACTS, "Save", "a{sv}", ({"first-name": V("s", "Maria"),
                                                      "addresses": V("as", ["+39 02 1234"])},))
    started = int(time.time() * 1_000_000) - 90_000_000
    # What the interaction layer writes while a call is up: a 'live' row whose notes are saved
    # as they are typed.
    conn = sqlite3.connect(testenv.db_path, timeout=10)
    with conn:
        conn.execute("INSERT INTO interactions (id, contact, direction, remote, remote_name, started, answered,"
                     " attached_data, notes) SELECT 'i-crash', rowid, 'inbound', 'sip:+39021234@pbx.example.com',"
                     " 'Maria', ?, ?, '{\"Ticket\":\"T-9\"}', 'customer reports a broken screen' FROM contacts"
                     " WHERE id = ?", (started, started + 4_000_000, maria))
        conn.execute("INSERT INTO interactions (id, contact, direction, remote, started, answered, ended, status)"
                     " SELECT 'i-before', rowid, 'outbound', '+39021234', ?, ?, ?, 'done' FROM contacts WHERE id = ?",
                     (started - 86_400_000_000, started - 86_399_000_000, started - 86_300_000_000, maria))
    conn.close()
    # Live interactions are not history yet.
    assert [r["id"] for r in testenv.call(CONTACTS, "History", "suu", (maria, 0, 0))] == ["i-before"]

    proc.send_signal(signal.SIGKILL)
    assert exit_within(proc) == -signal.SIGKILL
    conn = sqlite3.connect(testenv.db_path, timeout=10)
    assert conn.execute("SELECT status FROM interactions WHERE id = 'i-crash'").fetchone() == ("live",)
    conn.close()

    proc = testenv.start_sportellod(name="sportellod-restarted")
    conn = sqlite3.connect(testenv.db_path, timeout=10)
    row = conn.execute("SELECT status, end_actor, end_reason, notes, attached_data, answered FROM interactions"
                       " WHERE id = 'i-crash'").fetchone()
    assert row == ("interrupted", "system", "service-restarted", "customer reports a broken screen",
                   '{"Ticket":"T-9"}', started + 4_000_000)
    assert conn.execute("SELECT status FROM interactions WHERE id = 'i-before'").fetchone() == ("done",)
    conn.close()
    history = testenv.call(CONTACTS, "History", "suu", (maria, 0, 0))
    assert [r["id"] for r in history] == ["i-crash", "i-before"]
    assert history[0]["status"] == "interrupted"
    assert history[0]["notes"] == "customer reports a broken screen"
    assert history[0]["attached-data"] == {"Ticket": "T-9"}
    assert history[1]["status"] == "done"
    assert "1 interaction from an earlier run was marked as interrupted" in proc.log_path.read_text()
    testenv.stop_sportellod(proc)

    # A second clean restart finds nothing more to mark.
    proc = testenv.start_sportellod(name="sportellod-third")
    testenv.stop_sportellod(proc)
    assert "marked as interrupted" not in proc.log_path.read_text()


@pytest.mark.parametrize("text, group, key, words", [
    ("[video]\nallowed = maybe\n", "video", "allowed", ["'maybe' is not a boolean"]),
    ("[account]\nuri = agent@example.com\n", "account", "uri", ["'agent@example.com' is not a SIP URI"]),
    ("[account]\npassword = hunter2\n", "account", "password", ["passwords never go in the config file"]),
    ("[media]\nrtp-ports = 20000-20001\n", "media", "rtp-ports", ["'20000-20001'"]),
    ("[agent:bob]\nname = Bob\n", "agent:bob", "uri", ["missing"]),
    ("[video]\nallowd = true\n", "video", "allowd", ["unknown key"]),
])
def test_malformed_config(testenv, text, group, key, words):
    config = testenv.write_config(text)
    proc = testenv.start_sportellod(config=config, wait=False)
    assert exit_within(proc) == 1
    log = proc.log_path.read_text()
    assert f"{config}: [{group}] {key}: " in log, log
    for word in words:
        assert word in log
    assert "cannot start" in log
    assert "hunter2" not in log  # a password is never echoed into a log
    assert not testenv.name_has_owner()


def test_config_syntax_error(testenv):
    config = testenv.write_config("[account\nuri = sip:a@b\n")
    proc = testenv.start_sportellod(config=config, wait=False)
    assert exit_within(proc) == 1
    log = proc.log_path.read_text()
    assert str(config) in log
    assert not testenv.name_has_owner()


def test_missing_config_file(testenv):
    config = testenv.root / "no-such.conf"
    proc = testenv.start_sportellod(config=config, wait=False)
    assert exit_within(proc) == 1
    assert str(config) in proc.log_path.read_text()


def test_log_lines_on_stderr(testenv):
    config = testenv.write_config("[account]\nuri = sip:anna@pbx.example.com\n")
    out = open(testenv.tmp / "stdout.log", "wb")
    err = open(testenv.tmp / "stderr.log", "wb")
    proc = subprocess.Popen([SPORTELLOD, "--config", str(config), "--data-dir", str(testenv.data / "sportello")],
                            env=testenv.env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    try:
        wait_for(lambda: proc.poll() is not None or testenv.name_has_owner(), what="sportellod to own its name")
        assert proc.poll() is None
        # The bus shows the owner before sportellod has handled NameAcquired and logged it.
        wait_for(lambda: "on the session bus" in (testenv.tmp / "stderr.log").read_text(),
                 what="sportellod to log that it owns its name")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        out.close()
        err.close()
    assert (testenv.tmp / "stdout.log").read_text() == ""
    lines = (testenv.tmp / "stderr.log").read_text().splitlines()
    line_re = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} sportellod\[(\d+)\] (DEBUG|INFO|MESSAGE|WARNING|CRITICAL) "
                         r"sportello(-[a-z]+)?: \S.*$")
    for line in lines:
        match = line_re.match(line)
        assert match, f"unreadable log line: {line!r}"
        assert int(match.group(1)) == proc.pid
    messages = [line.split(": ", 1)[1] for line in lines]
    assert f"config loaded from {config}" in messages
    assert f"owning {NAME} on the session bus" in messages
    assert "signal received: stopping" in messages
