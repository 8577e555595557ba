#!/usr/bin/python3
# Shared store benchmark: two real sportellod agents share a real PostgreSQL 15 cluster (a
# throwaway one made by initdb/pg_ctl, as the tests do). Prints figures; asserts nothing.
#
#   /usr/bin/python3 bench/sync_bench.py [--contacts N] [--interactions N] [--saves N] [--calls N]
#
# 1. Agent A's local store is loaded with store_bench's data (100 000 contacts, 1 000 000
#    interactions by default) while A runs alone; then A is restarted with [shared-store] and
#    ImportLocalStore sends all of it: the sync throughput (records/s) A -> PostgreSQL.
# 2. Agent B starts with an empty store and takes all of it: the throughput PostgreSQL -> B.
# 3. Contacts1.Lookup p99 on B's copy next to the same lookups on A (the plain local SQLite):
#    the screen pop reads the local copy only, so the shared store must not change it.
# 4. Visibility delay A -> B: a contact saved on A until B's Lookup finds it (--saves times),
#    and Mark Done of a real call on A (sipp calls A, A answers, sipp hangs up) until the call
#    is in B's History of that contact (--calls times): median and p99.
# The load average is printed at start and end: a high one means the tails measure the machine.

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import benchlib  # noqa: E402
import store_bench  # noqa: E402
from ports import free_port  # noqa: E402
from postgres import Postgres  # noqa: E402

SIPP_SCENARIO = os.path.join(os.path.dirname(HERE), "tests", "integration", "sipp", "inbound_call.xml")
A_NAME, B_NAME = "org.sportello.Bench.AgentA", "org.sportello.Bench.AgentB"


def config(session, name, sip_port, uri):
    path = session.path(name + ".conf")
    with open(path, "w") as f:
        f.write(textwrap.dedent(f"""\
            [account]
            uri = sip:{name}@127.0.0.1
            listen = 127.0.0.1:{sip_port}
            transport = udp

            [media]
            audio-source = test
            audio-sink = null
            camera = none
            """))
        if uri:
            f.write(f"\n[shared-store]\nuri = {uri}\n")
    return path


class Agent:
    def __init__(self, session, conn, name, bus_name, data_dir, uri):
        self.session, self.conn, self.name, self.bus_name = session, conn, name, bus_name
        self.sip_port = free_port()
        self.proc = session.spawn(name, [benchlib.find_sportellod(), "--config",
                                         config(session, name, self.sip_port, uri), "--data-dir", data_dir,
                                         "--bus-name", bus_name])
        benchlib.wait_for(lambda: self.proc.poll() is not None or session.name_has_owner(conn, bus_name),
                          30, "sportellod %s" % name)
        if self.proc.poll() is not None:
            raise RuntimeError("%s exited with %d" % (name, self.proc.returncode))

    def call(self, interface, method, signature=None, args=(), path=benchlib.OBJECT_PATH):
        from gi.repository import Gio, GLib
        params = GLib.Variant(signature, args) if signature else None
        reply = self.conn.call_sync(self.bus_name, path, interface, method, params, None,
                                    Gio.DBusCallFlags.NONE, 600000, None)
        return reply

    def prop(self, name, interface="org.sportello.Agent1", path=benchlib.OBJECT_PATH):
        return self.call("org.freedesktop.DBus.Properties", "Get", "(ss)", (interface, name),
                         path).unpack()[0]

    def sync(self):
        return self.prop("SyncState")

    def up_to_date(self):
        state = self.sync()
        return state["state"] == "up-to-date" and state["queued"] == 0

    def rss_mib(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def stop(self):
        return self.session.stop(self.proc, timeout=60)


def stats(name, times_ms, goal=None):
    s = sorted(times_ms)
    line = "%-34s count %5d  median %8.3f ms  p99 %8.3f ms  max %8.3f ms" % (
        name, len(s), statistics.median(s), benchlib.percentile(s, 99), s[-1])
    if goal is not None:
        line += "   goal p99 < %g ms: %s" % (goal, "met" if benchlib.percentile(s, 99) < goal else "MISSED")
    print(line, flush=True)


def wait_until(predicate, timeout, poll=0.001):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        time.sleep(poll)
    return time.monotonic()


def wait_answering(agent, done, timeout):
    """Waits for done(), pinging the agent every 50 ms meanwhile: the round trips say whether its
    main loop kept answering while it synced (it would not, during a long transaction)."""
    pings = []
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError("timed out")
        t0 = time.perf_counter_ns()
        agent.call("org.freedesktop.DBus.Peer", "Ping")
        pings.append((time.perf_counter_ns() - t0) / 1e6)
        time.sleep(0.05)
    return pings


def measure_lookups(agent, lookups):
    times, wrong = [], 0
    for address, expected in lookups:
        t0 = time.perf_counter_ns()
        reply = agent.call("org.sportello.Contacts1", "Lookup", "(s)", (address,))
        times.append((time.perf_counter_ns() - t0) / 1e6)
        wrong += reply.get_child_value(0).unpack()["id"] != expected
    return times, wrong


def visibility_of_saves(a, b, count):
    from gi.repository import GLib
    delays = []
    for i in range(count):
        number = "+39 06 %07d" % (9000000 + i)
        a.call("org.sportello.Contacts1", "Save", "(a{sv})", ({
            "first-name": GLib.Variant("s", "Seen%d" % i), "addresses": GLib.Variant("as", [number])},))
        t0 = time.monotonic()

        def found():
            try:
                b.call("org.sportello.Contacts1", "Lookup", "(s)", (number,))
                return True
            except GLib.Error:
                return False
        delays.append((wait_until(found, 30) - t0) * 1000)
    return delays


def visibility_of_mark_done(session, a, b, contact, calls):
    """sipp calls A (inbound_call.xml: hangs up 2.5 s after the answer); A answers, and once the
    call is disconnected, Mark Done; then B's History of the contact is polled."""
    delays = []
    for i in range(calls):
        before = len(b.call("org.sportello.Contacts1", "History", "(suu)", (contact, 0, 1000)).unpack()[0])
        sipp = session.spawn("sipp-%d" % i, ["sipp", "-i", "127.0.0.1", "-p", str(free_port()), "-mp",
                                             str(free_port()), "-m", "1", "-nostdin", "-timeout", "30s",
                                             "-sf", SIPP_SCENARIO, "127.0.0.1:%d" % a.sip_port], cwd=session.root)
        path = wait_session(a)
        a.call("org.sportello.Session1", "Answer", path=path)
        benchlib.wait_for(lambda: a.prop("State", "org.sportello.Session1", path) == "disconnected", 30,
                          "the caller's BYE")
        a.call("org.sportello.Session1", "MarkDone", path=path)
        t0 = time.monotonic()
        delays.append((wait_until(lambda: len(b.call("org.sportello.Contacts1", "History", "(suu)",
                                                     (contact, 0, 1000)).unpack()[0]) > before, 30) - t0) * 1000)
        sipp.wait(30)
    return delays


def wait_session(agent):
    def sessions():
        objects = agent.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects").unpack()[0]
        return [p for p, ifaces in objects.items() if "org.sportello.Session1" in ifaces
                and ifaces["org.sportello.Session1"]["State"] == "ringing"]
    benchlib.wait_for(lambda: sessions(), 30, "a ringing session")
    return sessions()[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100000)
    parser.add_argument("--interactions", type=int, default=1000000)
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--lookup-calls", type=int, default=2000)
    args = parser.parse_args()

    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % benchlib.find_sportellod())
    print("load average at start: %s (2 cores: above 2, the machine was busy)" % benchlib.loadavg(), flush=True)
    with benchlib.PrivateSession() as session:
        pg = Postgres(session.root)
        try:
            session.start_bus()
            conn = session.connect()
            uri = pg.uri("postgres")
            print("PostgreSQL %s on 127.0.0.1:%d" % (pg.value("SHOW server_version"), pg.port), flush=True)

            a_dir = session.path("data-a")
            a = Agent(session, conn, "alice", A_NAME, a_dir, None)
            a.stop()
            rng = random.Random(store_bench.SEED)
            t0 = time.monotonic()
            contacts, _, _, _ = store_bench.load(os.path.join(a_dir, "sportello.db"), args.contacts,
                                                 args.interactions, rng)
            print("A's local store loaded: %d contacts, %d interactions (%.1f s)" % (
                len(contacts), args.interactions, time.monotonic() - t0), flush=True)

            a = Agent(session, conn, "alice", A_NAME, a_dir, uri)
            benchlib.wait_for(a.up_to_date, 60, "A up to date")
            t0 = time.monotonic()
            cpu0 = benchlib.cpu_ns(a.proc.pid)
            queued = a.call("org.sportello.Agent1", "ImportLocalStore").unpack()[0]
            print("ImportLocalStore answered in %.3f s (it counts %d records; they are queued in slices"
                  " meanwhile)" % (time.monotonic() - t0, queued), flush=True)
            pings = wait_answering(a, a.up_to_date, 3600)
            took = time.monotonic() - t0
            rows = int(pg.value("SELECT count(*) FROM sportello.records"))
            print("A -> PostgreSQL: %d records (%d rows in sportello.records) in %.1f s: %.0f records/s;"
                  " A's CPU %.1f s, A's peak RSS %.1f MiB" % (queued, rows, took, queued / took,
                                                              (benchlib.cpu_ns(a.proc.pid) - cpu0) / 1e9,
                                                              a.rss_mib()), flush=True)
            print("PostgreSQL database: %s" % pg.value("SELECT pg_size_pretty(pg_database_size('postgres'))"))
            stats("A's Peer.Ping while it imports", pings)

            last = int(pg.value("SELECT max(seq) FROM sportello.records"))
            t0 = time.monotonic()
            b = Agent(session, conn, "bruno", B_NAME, session.path("data-b"), uri)
            cpu0 = benchlib.cpu_ns(b.proc.pid)
            pings = wait_answering(b, lambda: b.sync()["position"] >= last and b.up_to_date(), 3600)
            took = time.monotonic() - t0
            print("PostgreSQL -> B (empty store): %d records in %.1f s: %.0f records/s; B's CPU %.1f s,"
                  " B's peak RSS %.1f MiB" % (rows, took, rows / took, (benchlib.cpu_ns(b.proc.pid) - cpu0) / 1e9,
                                              b.rss_mib()), flush=True)
            stats("B's Peer.Ping while it takes all", pings)
            b_db = sqlite3.connect(os.path.join(session.path("data-b"), "sportello.db"))
            print("B's copy: %d contacts, %d interactions" % (
                b_db.execute("SELECT count(*) FROM contacts").fetchone()[0],
                b_db.execute("SELECT count(*) FROM interactions").fetchone()[0]), flush=True)
            b_db.close()

            rng = random.Random(store_bench.SEED + 2)
            lookups = []
            for _ in range(args.lookup_calls):
                c = rng.choice(contacts)
                address, normalised = rng.choice(c[5])
                lookups.append((store_bench.lookup_spellings(rng, address, normalised), c[1]))
            for agent in (a, b):
                measure_lookups(agent, lookups[:200])  # warm-up
            # Four alternated rounds, so neither agent has the quieter moments of the machine.
            times = {a: [], b: []}
            wrong = 0
            quarter = max(1, len(lookups) // 4)
            for start in range(0, len(lookups), quarter):
                for agent in (a, b):
                    t, w = measure_lookups(agent, lookups[start:start + quarter])
                    times[agent] += t
                    wrong += w
            stats("Lookup on A (local SQLite)", times[a], 1)
            stats("Lookup on B (copy from PostgreSQL)", times[b], 1)
            if wrong:
                print("  %d lookups returned the wrong contact" % wrong)

            delays = visibility_of_saves(a, b, args.saves)
            stats("Save on A -> Lookup finds on B", delays, 1000)
            from gi.repository import GLib
            maria = a.call("org.sportello.Contacts1", "Save", "(a{sv})", ({
                "first-name": GLib.Variant("s", "Maria"), "last-name": GLib.Variant("s", "Rossi"),
                "addresses": GLib.Variant("as", ["+39 02 1234"])},)).unpack()[0]
            wait_until(lambda: b.up_to_date() and a.up_to_date(), 30)
            delays = visibility_of_mark_done(session, a, b, maria, args.calls)
            stats("Mark Done on A -> in B's History", delays, 1000)
            for agent in (a, b):
                print("%s exit status: %d" % (agent.name, agent.stop()))
        finally:
            pg.cleanup()
    print("load average at end: %s (2 cores: above 2, the machine was busy)" % benchlib.loadavg())


if __name__ == "__main__":
    main()
