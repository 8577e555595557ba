#!/usr/bin/python3
# Idle benchmark: starts sportellod on a private bus with an empty data dir and the embedded
# defaults, leaves it alone and samples its memory and CPU from /proc. Measured twice: without
# PipeWire, and with PipeWire + WirePlumber running (the camera watcher connects to it).
# Prints figures; asserts nothing.
#
#   /usr/bin/python3 bench/idle_bench.py [--seconds N] [--breakdown]   (or BENCH_SECONDS=N)

import argparse
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
GOAL_RSS_MIB = 12


def status_fields(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def kib(fields, key):
    return int(fields.get(key, "0 kB").split()[0])


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        # Fields after the command name, which may hold spaces, start after the last ')'.
        rest = f.read().rsplit(")", 1)[1].split()
    utime, stime = int(rest[11]), int(rest[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / CLK_TCK


def sample(pid):
    s = status_fields(pid)
    return {"rss": kib(s, "VmRSS"), "hwm": kib(s, "VmHWM"), "anon": kib(s, "RssAnon"),
            "file": kib(s, "RssFile"), "shmem": kib(s, "RssShmem"), "threads": int(s.get("Threads", 0)),
            "cpu": cpu_seconds(pid),
            "switches": int(s.get("voluntary_ctxt_switches", 0)) + int(s.get("nonvoluntary_ctxt_switches", 0)),
            "t": time.monotonic()}


def breakdown(pid, top=12):
    """Resident memory per mapping source from /proc/PID/smaps (what dominates the RSS)."""
    per = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:
                name = os.path.basename(parts[5]) if len(parts) >= 6 else "[anon]"
            elif parts[0] in ("Rss:", "Private_Dirty:", "Anonymous:"):
                entry = per.setdefault(name, {"Rss:": 0, "Private_Dirty:": 0, "Anonymous:": 0})
                entry[parts[0]] += int(parts[1])
    rows = sorted(per.items(), key=lambda kv: -kv[1]["Rss:"])
    print("    resident memory by mapping (KiB): rss / private dirty / anonymous")
    for name, e in rows[:top]:
        print("      %7d %7d %7d  %s" % (e["Rss:"], e["Private_Dirty:"], e["Anonymous:"], name))
    rest = rows[top:]
    if rest:
        print("      %7d %7d %7d  (%d more mappings)" % (sum(e["Rss:"] for _, e in rest),
                                                       sum(e["Private_Dirty:"] for _, e in rest),
                                                       sum(e["Anonymous:"] for _, e in rest), len(rest)))


def start_pipewire(session):
    """PipeWire + WirePlumber as plain processes on the session's runtime dir (TESTENV.md §3.1)."""
    session.spawn("pipewire", ["pipewire"])
    session.spawn("wireplumber", ["wireplumber"])
    socket = os.path.join(session.run, "pipewire-0")
    benchlib.wait_for(lambda: os.path.exists(socket), timeout=10, what="the PipeWire socket")

    def default_metadata():
        import subprocess
        out = subprocess.run(["pw-metadata", "-n", "default"], env=session.env, capture_output=True,
                             timeout=5).stdout
        return bool(out.strip())
    benchlib.wait_for(default_metadata, timeout=10, what="WirePlumber's default metadata")


def pipewire_client_of(session, pid):
    import json
    import subprocess
    out = subprocess.run(["pw-dump", "Client"], env=session.env, capture_output=True, timeout=10).stdout
    for obj in json.loads(out or b"[]"):
        props = (obj.get("info") or {}).get("props") or {}
        if str(props.get("application.process.id", props.get("pipewire.sec.pid"))) == str(pid):
            return True
    return False


def run_case(label, seconds, with_pipewire, show_breakdown):
    with benchlib.PrivateSession() as session:
        session.start_bus()
        conn = session.connect()
        if with_pipewire:
            start_pipewire(session)
        data_dir = session.path("data", "sportello")
        proc = session.start_sportellod(conn, data_dir)
        time.sleep(1.0)  # let start-up work (migration, camera watcher) finish before the window
        connected = pipewire_client_of(session, proc.pid) if with_pipewire else None
        first = sample(proc.pid)
        time.sleep(seconds)
        last = sample(proc.pid)
        if show_breakdown:
            breakdown(proc.pid)
        code = session.stop(proc)

    window = last["t"] - first["t"]
    cpu = last["cpu"] - first["cpu"]
    print("%s:" % label)
    print("  idle RSS   %6.2f MiB at start of window, %6.2f MiB at end   (goal <= %d MiB: %s)" % (
        first["rss"] / 1024, last["rss"] / 1024, GOAL_RSS_MIB,
        "met" if last["rss"] / 1024 <= GOAL_RSS_MIB else "MISSED"))
    print("  RSS parts  anon %.2f MiB, file %.2f MiB, shmem %.2f MiB; %d threads" % (
        last["anon"] / 1024, last["file"] / 1024, last["shmem"] / 1024, last["threads"]))
    print("  peak RSS   %6.2f MiB (VmHWM)" % (last["hwm"] / 1024))
    print("  CPU        %.2f s used in %.1f s = %.3f %%   (goal 0 %%: %s); total since start %.2f s" % (
        cpu, window, 100 * cpu / window, "met" if cpu == 0 else "MISSED", last["cpu"]))
    print("  wake-ups   %d context switches in the window (%.2f/s)" % (
        last["switches"] - first["switches"], (last["switches"] - first["switches"]) / window))
    if connected is not None:
        print("  sportellod is a PipeWire client: %s" % ("yes" if connected else "NO (camera watcher not connected)"))
    print("  stopped with SIGTERM: exit %d" % code, flush=True)
    return code


def main():
    parser = argparse.ArgumentParser(description="sportellod idle memory and CPU")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 60)))
    parser.add_argument("--breakdown", action="store_true", help="print resident memory per mapping")
    parser.add_argument("--no-pipewire", action="store_true", help="skip the case with PipeWire running")
    args = parser.parse_args()

    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % benchlib.find_sportellod())
    print("load average at start: %s" % benchlib.loadavg())
    print("window: %g s after a 1 s settle; embedded defaults; empty fresh data dir" % args.seconds, flush=True)
    status = run_case("without PipeWire", args.seconds, False, args.breakdown)
    if args.no_pipewire:
        return status
    if shutil.which("pipewire") and shutil.which("wireplumber"):
        status |= run_case("with PipeWire + WirePlumber", args.seconds, True, args.breakdown)
    else:
        print("with PipeWire + WirePlumber: skipped (pipewire or wireplumber not installed)")
    print("load average at end: %s" % benchlib.loadavg())
    return 1 if status else 0


if __name__ == "__main__":
    sys.exit(main())
