# What the Sportello benchmarks share: a private environment (XDG dirs, runtime dir, no
# PipeWire unless asked), a private dbus-daemon, and starting/stopping the real sportellod.
# Every process is started here, remembered by PID and stopped by PID.

import os
import shutil
import signal
import subprocess
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUS_NAME = "org.sportello.Sportello1"
OBJECT_PATH = "/org/sportello/Sportello1"


def find_sportellod():
    """$SPORTELLOD, else build-bench/ then build/ in the source tree."""
    explicit = os.environ.get("SPORTELLOD")
    if explicit:
        return explicit
    for build in ("build-bench", "build"):
        path = os.path.join(REPO, build, "service", "sportellod")
        if os.access(path, os.X_OK):
            return path
    raise SystemExit("sportellod not found: build it (meson setup build-bench --buildtype=release"
                     " && ninja -C build-bench) or set SPORTELLOD")


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return "%d CPUs (nproc), %s" % (len(os.sched_getaffinity(0)), model)


def loadavg():
    """The 1/5/15-minute load averages: other work on the machine shows up in the tails."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine_busy():
    """CPU seconds the whole machine has been busy (all CPUs, /proc/stat: everything but idle and
    iowait), with the time of the reading."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return {"busy": (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), "t": time.monotonic()}


def other_load(m0, m1, ours_s):
    """The machine's other work during a window, in CPU-s/min: busy time less OURS_S (the CPU seconds of
    the measured processes), with a word on whether it was quiet (under 6 CPU-s/min, 5 % of a core)."""
    minutes = (m1["t"] - m0["t"]) / 60.0
    other = max(0.0, (m1["busy"] - m0["busy"] - ours_s) / minutes)
    return "%.1f CPU-s/min of other work on the machine (%s)" % (other, "quiet" if other < 6 else "BUSY")


def cpu_ns(pid):
    """On-CPU time of all of a process's threads in nanoseconds (/proc/PID/task/*/schedstat).
    Unlike round-trip times, it hardly moves when other work competes for the CPUs."""
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return total


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise RuntimeError("timed out waiting for " + what)


class PrivateSession:
    """A temporary HOME/XDG tree and runtime dir, torn down with every process it started."""

    def __init__(self, keep=False):
        self.root = tempfile.mkdtemp(prefix="sportello-bench-")
        self.keep = keep
        self.procs = []  # (name, Popen), stopped in reverse order
        self.run = os.path.join(self.root, "run")
        os.mkdir(self.run, 0o700)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PIPEWIRE_", "DBUS_", "XDG_", "WIREPLUMBER_"))}
        dirs = {"HOME": "home", "XDG_CONFIG_HOME": "config", "XDG_DATA_HOME": "data",
                "XDG_STATE_HOME": "state", "XDG_CACHE_HOME": "cache", "XDG_CONFIG_DIRS": "etc-xdg"}
        for key, sub in dirs.items():
            path = os.path.join(self.root, sub)
            os.makedirs(path, exist_ok=True)
            env[key] = path
        env["XDG_RUNTIME_DIR"] = self.run
        self.env = env
        self.bus_address = None

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def spawn(self, name, argv, **kwargs):
        log = open(self.path(name + ".log"), "ab")
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, **kwargs)
        log.close()
        self.procs.append((name, proc))
        return proc

    def start_bus(self):
        sock = os.path.join(self.run, "bus")
        proc = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1",
                                 "--address=unix:path=" + sock],
                                env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        self.procs.append(("dbus-daemon", proc))
        self.bus_address = proc.stdout.readline().decode().strip()
        if not self.bus_address:
            raise RuntimeError("dbus-daemon printed no address")
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        return self.bus_address

    def connect(self):
        from gi.repository import Gio
        flags = (Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT
                 | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION)
        return Gio.DBusConnection.new_for_address_sync(self.bus_address, flags, None, None)

    def name_has_owner(self, conn, name):
        from gi.repository import Gio, GLib
        reply = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "NameHasOwner", GLib.Variant("(s)", (name,)), None,
                               Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def start_sportellod(self, conn, data_dir, name="sportellod"):
        proc = self.spawn(name, [find_sportellod(), "--data-dir", data_dir])
        wait_for(lambda: proc.poll() is not None or self.name_has_owner(conn, BUS_NAME),
                 timeout=30, what="sportellod to own " + BUS_NAME)
        if proc.poll() is not None:
            raise RuntimeError("sportellod exited with %d; see %s" % (proc.returncode, self.path(name + ".log")))
        return proc

    def stop(self, proc, timeout=10):
        """SIGTERM, wait; returns the exit status (a negative number is a signal)."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs = [(n, p) for n, p in self.procs if p is not proc]
        return proc.returncode

    def close(self):
        for _name, proc in reversed(self.procs):
            self.stop(proc)
        self.procs = []
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def percentile(sorted_values, p):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), int(-(-p * len(sorted_values) // 100))))
    return sorted_values[rank - 1]
