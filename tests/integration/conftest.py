"""Fixtures that start real components for each test: a private dbus-daemon, the real
sportellod with its own config, data dir, HOME and XDG dirs, and helpers to talk to it.

Every process a test starts is stopped by PID at teardown; sportellod must exit with 0."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from gi.repository import Gio, GLib

from ports import free_port  # noqa: F401 (re-exported to the tests)
from timescale import describe, scaled

ROOT = "/org/sportello/Sportello1"
NAME = "org.sportello.Sportello1"
AGENT = "org.sportello.Agent1"
CONTACTS = "org.sportello.Contacts1"
RESPONSES = "org.sportello.Responses1"
SESSION = "org.sportello.Session1"

SOURCE_DIR = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("SPORTELLO_BUILD_DIR", SOURCE_DIR / "build"))
SPORTELLOD = os.environ.get("SPORTELLOD", str(BUILD_DIR / "service" / "sportellod"))
VIRTUAL_CAMERA = os.environ.get("SPORTELLO_VIRTUAL_CAMERA",
                                str(BUILD_DIR / "tests" / "tools" / "sp-virtual-camera"))
SPORTELLOCTL = os.environ.get("SPORTELLOCTL", str(BUILD_DIR / "crm-adapters" / "sportelloctl" / "sportelloctl"))
DATA_DIR = SOURCE_DIR / "tests" / "data"


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate() until it is truthy; returns its value or fails the test. The timeout is
    for an idle machine and stretches with the machine's load (timescale.py)."""
    deadline = time.monotonic() + scaled(timeout)
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {describe(timeout)} waiting for {what}")
        time.sleep(interval)


class Processes:
    """Processes started by a test, stopped in reverse order at teardown, by PID."""

    def __init__(self, logdir):
        self.logdir = Path(logdir)
        self.started = []

    def start(self, name, argv, env, cwd=None, stdin=subprocess.DEVNULL):
        log = open(self.logdir / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=stdin, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = self.logdir / f"{name}.log"
        proc.name = name
        self.started.append((proc, log))
        return proc

    def stop(self, proc, sig=signal.SIGTERM, timeout=10):
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def stop_all(self):
        for proc, log in reversed(self.started):
            self.stop(proc)
            log.close()


class TestEnv:
    """One test's private world: directories, environment, bus, processes."""

    def __init__(self, tmp_path):
        # Unix socket paths must stay short (108 bytes): keep runtime dirs under /tmp.
        self.root = Path(tempfile.mkdtemp(prefix="sp-"))
        self.tmp = tmp_path
        self.home = self.root / "home"
        self.runtime = self.root / "run"
        self.data = self.root / "data"
        self.config_dir = self.root / "config"
        for d in (self.home, self.data, self.config_dir, self.root / "state", self.root / "cache"):
            d.mkdir(parents=True)
        self.runtime.mkdir(mode=0o700)
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_DATA_HOME": str(self.data),
            "XDG_CONFIG_HOME": str(self.config_dir),
            "XDG_STATE_HOME": str(self.root / "state"),
            "XDG_CACHE_HOME": str(self.root / "cache"),
            "LANG": "C.UTF-8",
            "SU_DEBUG": "0",
            "TPORT_DEBUG": "0",
            "NTA_DEBUG": "0",
            "NUA_DEBUG": "0",
        }
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "G_SLICE", "G_DEBUG", "G_MESSAGES_DEBUG",
                    "GST_DEBUG", "GST_DEBUG_NO_COLOR"):
            if key in os.environ:
                self.env[key] = os.environ[key]
        self.procs = Processes(tmp_path)
        self.bus_address = None
        self.connection = None

    # -- the bus -------------------------------------------------------------------
    def start_bus(self, config_file=None):
        argv = ["dbus-daemon", "--nofork", "--print-address=1"]
        argv += [f"--config-file={config_file}"] if config_file else ["--session"]
        argv += [f"--address=unix:path={self.runtime}/bus"]
        log = open(self.tmp / "dbus-daemon.log", "wb")
        proc = subprocess.Popen(argv, env=self.env, stdout=subprocess.PIPE, stderr=log)
        self.procs.started.append((proc, log))
        self.bus_address = proc.stdout.readline().decode().strip()
        assert self.bus_address, "dbus-daemon did not print its address"
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        flags = Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION
        self.connection = Gio.DBusConnection.new_for_address_sync(self.bus_address, flags, None, None)
        return proc

    def name_has_owner(self, name=NAME):
        reply = self.connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                          "NameHasOwner", GLib.Variant("(s)", (name,)), None,
                                          Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    # -- sportellod ------------------------------------------------------------------
    def write_config(self, text, name="sportello.conf"):
        path = self.root / name
        path.write_text(text)
        return path

    def start_sportellod(self, config=None, data_dir=None, extra_args=(), name="sportellod", wait=True,
                         bus_name=NAME):
        argv = [SPORTELLOD]
        if os.environ.get("SPORTELLO_VALGRIND"):
            # Definite leaks and memory errors make sportellod exit 99, which teardown reports.
            argv = ["valgrind", "-q", "--leak-check=full", "--show-leak-kinds=definite",
                    "--errors-for-leak-kinds=definite", "--error-exitcode=99",
                    f"--suppressions={SOURCE_DIR / 'tests' / 'valgrind.supp'}",
                    f"--log-file={self.tmp / (name + '.valgrind')}"] + argv
        if config is not None:
            argv += ["--config", str(config)]
        argv += ["--data-dir", str(data_dir or (self.data / "sportello"))]
        if bus_name != NAME:
            argv += ["--bus-name", bus_name]
        argv += list(extra_args)
        proc = self.procs.start(name, argv, self.env)
        if wait:
            self.wait_for_name(proc, bus_name)
        return proc

    def wait_for_name(self, proc, bus_name=NAME, timeout=15):
        def ready():
            if proc.poll() is not None:
                pytest.fail(f"{proc.name} exited with {proc.returncode} before owning {bus_name}:\n"
                            + proc.log_path.read_text(errors="replace"))
            return self.name_has_owner(bus_name)

        wait_for(ready, timeout, what=f"{bus_name} on the bus")

    def stop_sportellod(self, proc, sig=signal.SIGTERM):
        rc = self.procs.stop(proc, sig, timeout=30)
        report = proc.log_path.read_text(errors="replace")
        valgrind = self.tmp / (proc.name + ".valgrind")
        if valgrind.exists():
            report += "\nvalgrind:\n" + valgrind.read_text(errors="replace")
        assert rc == 0, f"sportellod exited with {rc}:\n" + report
        return rc

    @property
    def db_path(self):
        return self.data / "sportello" / "sportello.db"

    # -- calling the service ---------------------------------------------------------------
    def call(self, interface, method, signature=None, args=(), path=ROOT, bus_name=NAME, timeout_ms=25000):
        params = GLib.Variant(f"({signature})", tuple(args)) if signature else None
        reply = self.connection.call_sync(bus_name, path, interface, method, params, None,
                                          Gio.DBusCallFlags.NONE, timeout_ms, None)
        result = reply.unpack()
        return result[0] if len(result) == 1 else result

    def call_error(self, interface, method, signature=None, args=(), path=ROOT, bus_name=NAME):
        """Calls a method that must fail; returns (error name, message)."""
        try:
            self.call(interface, method, signature, args, path, bus_name)
        except GLib.Error as error:
            name = Gio.DBusError.get_remote_error(error)
            message = error.message
            # PyGObject hands out a copy, so strip_remote_error() cannot be used: cut the
            # "GDBus.Error:NAME: " prefix by hand.
            prefix = f"GDBus.Error:{name}: "
            if name and message.startswith(prefix):
                message = message[len(prefix):]
            return name, message
        pytest.fail(f"{interface}.{method} succeeded but was expected to fail")

    def get_property(self, interface, prop, path=ROOT, bus_name=NAME):
        return self.call("org.freedesktop.DBus.Properties", "Get", "ss", (interface, prop), path, bus_name)

    def get_all(self, interface, path=ROOT, bus_name=NAME):
        return self.call("org.freedesktop.DBus.Properties", "GetAll", "s", (interface,), path, bus_name)

    def ctl(self, *args, input=None, check=True, timeout=60):
        """Runs sportelloctl against this test's bus; returns the CompletedProcess."""
        result = subprocess.run([SPORTELLOCTL, *args], env=self.env, input=input, capture_output=True,
                                text=True, timeout=timeout)
        if check and result.returncode != 0:
            pytest.fail(f"sportelloctl {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def cleanup(self):
        self.procs.stop_all()
        shutil.rmtree(self.root, ignore_errors=True)


class SignalRecorder:
    """Records signals on the connection; wait() iterates the GLib main context until seen."""

    def __init__(self, connection, interface=None, member=None, path=None, sender=None):
        self.connection = connection
        self.events = []
        self.id = connection.signal_subscribe(sender, interface, member, path, None, Gio.DBusSignalFlags.NONE,
                                              self._on_signal)
        # The subscription's match rule goes to the bus without waiting for it: a signal sent
        # before the bus has it is never delivered (a call that rang at once on a busy machine
        # was missed that way). A round trip on the same connection comes back after it.
        connection.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                             None, None, Gio.DBusCallFlags.NONE, -1, None)

    def _on_signal(self, connection, sender, path, interface, member, params):
        self.events.append((path, interface, member, params.unpack()))

    def wait(self, predicate, timeout=10.0, what="signal"):
        context = GLib.MainContext.default()
        deadline = time.monotonic() + scaled(timeout)
        while True:
            while context.iteration(False):
                pass
            for event in self.events:
                if predicate(event):
                    return event
            if time.monotonic() > deadline:
                pytest.fail(f"timed out after {describe(timeout)} waiting for {what}; saw {self.events!r}")
            time.sleep(0.02)

    def close(self):
        self.connection.signal_unsubscribe(self.id)


@pytest.fixture
def testenv(tmp_path):
    """A private world with its own bus already running."""
    env = TestEnv(tmp_path)
    env.start_bus()
    try:
        yield env
    finally:
        env.cleanup()


@pytest.fixture
def service(testenv):
    """The real sportellod on embedded defaults plus a fresh data dir; stopped (exit 0) at teardown."""
    proc = testenv.start_sportellod()
    yield testenv
    testenv.stop_sportellod(proc)


# -- PipeWire + WirePlumber as plain processes, and virtual cameras ---------------------------------

class PipeWire:
    """PipeWire and WirePlumber started as plain processes inside a test's env (TESTENV.md §3.1),
    plus virtual cameras published with gst-launch. Everything is stopped by PID at teardown."""

    def __init__(self, testenv):
        self.testenv = testenv
        self.env = dict(testenv.env)
        self.daemon = None
        self.session_manager = None
        self.cameras = {}
        self.runs = 0

    @property
    def socket(self):
        return self.testenv.runtime / "pipewire-0"

    def _start(self, name, argv):
        return self.testenv.procs.start(name, argv, self.env)

    def _ok(self, argv):
        return subprocess.run(argv, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              timeout=15).stdout

    def _accepts(self):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(str(self.socket))
            except OSError:
                return False
        return True

    def start(self, timeout=15):
        """Starts pipewire and wireplumber; returns once the socket exists and WirePlumber has
        created the "default" metadata."""
        assert self.daemon is None, "PipeWire is already running"
        self.runs += 1
        self.daemon = self._start(f"pipewire-{self.runs}", ["pipewire"])

        def ready(what, check):
            for proc in (self.daemon, self.session_manager):
                if proc is not None and proc.poll() is not None:
                    pytest.fail(f"{proc.name} exited with {proc.returncode} before {what}:\n"
                                + proc.log_path.read_text(errors="replace"))
            return check()

        # WirePlumber exits (69) if PipeWire does not accept its connection yet: start it once a
        # connection to the socket succeeds (the socket file exists before PipeWire listens).
        wait_for(lambda: ready("its socket", self._accepts), timeout, interval=0.05,
                 what=f"the PipeWire socket {self.socket}")
        self.session_manager = self._start(f"wireplumber-{self.runs}", ["wireplumber"])
        wait_for(lambda: ready("the default metadata", lambda: self._ok(["pw-metadata", "-n", "default"]).strip()),
                 timeout, interval=0.1, what="WirePlumber's default metadata")

    def stop(self, sig=signal.SIGTERM):
        """Stops WirePlumber then PipeWire (SIGKILL simulates a crash); the cameras die with them."""
        for proc in (self.session_manager, self.daemon):
            if proc is not None:
                self.testenv.procs.stop(proc, sig)
        self.session_manager = self.daemon = None
        for name in list(self.cameras):
            self.stop_camera(name)

    def nodes(self):
        """The PipeWire nodes as pw-dump shows them: a list of info.props dicts."""
        import json

        text = self._ok(["pw-dump", "Node"])
        try:
            objects = json.loads(text or b"[]")
        except ValueError:
            return []
        return [obj.get("info", {}).get("props", {}) for obj in objects if obj.get("info")]

    def has_node(self, node_name):
        return any(props.get("node.name") == node_name for props in self.nodes())

    def start_camera(self, node_name="test-camera", description="Test-Camera", role="Camera",
                     media_class="Video/Source", timeout=15, colour=None, pattern=None):
        """Publishes a live 640x480@30 video source and waits for its node. role=None leaves
        media.role out. colour=(r, g, b) makes it a solid colour, else it shows moving bars.
        The source is tests/tools/sp-virtual-camera, which drives itself like a real camera and
        resumes after a stall; pipewiresink mode=provide (PipeWire 0.3.65) never delivered
        again once its process was starved for about a second, which a loaded machine does.
        pattern names a videotestsrc pattern and falls back to that pipewiresink (benches)."""
        if pattern:
            argv = self._gst_camera(node_name, description, role, media_class, pattern)
        else:
            argv = [VIRTUAL_CAMERA, "--name", node_name, "--description", description,
                    "--class", media_class, "--size", "640x480", "--rate", "30"]
            argv += ["--role", role] if role else ["--no-role"]
            argv += ["--colour", "%02x%02x%02x" % tuple(colour)] if colour else []
        proc = self._start(f"camera-{node_name}-{self.runs}", argv)
        self.cameras[node_name] = proc

        def published():
            if proc.poll() is not None:
                pytest.fail(f"the camera {node_name} exited with {proc.returncode}:\n"
                            + proc.log_path.read_text(errors="replace"))
            return self.has_node(node_name)

        wait_for(published, timeout, interval=0.1, what=f"PipeWire node {node_name}")
        return proc

    @staticmethod
    def _gst_camera(node_name, description, role, media_class, pattern):
        props = f"props,media.class={media_class}"
        if role:
            props += f",media.role={role}"
        props += f",node.name={node_name},node.description={description}"
        props += ",node.pause-on-idle=false,session.suspend-timeout-seconds=0"
        return ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", f"pattern={pattern}", "!",
                "video/x-raw,format=YUY2,width=640,height=480,framerate=30/1", "!",
                "pipewiresink", "mode=provide", f"client-name={node_name}", f"stream-properties={props}"]

    def stop_camera(self, node_name, sig=signal.SIGTERM):
        proc = self.cameras.pop(node_name)
        self.testenv.procs.stop(proc, sig)


@pytest.fixture
def pipewire(testenv):
    """A PipeWire controller for the test's env; nothing runs until start(). Stopped by PID at teardown."""
    pw = PipeWire(testenv)
    try:
        yield pw
    finally:
        pw.stop()


# -- an X display for video windows (display.py) ----------------------------------------------------

@pytest.fixture
def display(testenv):
    """Xvfb on a free display (1280x720x24), no window manager; DISPLAY is set in testenv.env, so
    start sportellod after asking for this fixture. Stopped by PID at teardown."""
    from display import Display
    d = Display(testenv)
    try:
        yield d
    finally:
        d.stop()


@pytest.fixture
def desktop(testenv):
    """As display, plus jwm as the EWMH window manager (needed for _NET_WM_STATE_ABOVE and
    decorations; its task bar takes the bottom 24 pixels of the screen)."""
    from display import Display
    d = Display(testenv, wm=True)
    try:
        yield d
    finally:
        d.stop()


@pytest.fixture
def keyring(testenv):
    """gnome-keyring on the test's bus, unlocked, for the Secret Service (SIP passwords)."""
    proc = testenv.procs.start("gnome-keyring", ["gnome-keyring-daemon", "--foreground", "--unlock",
                                                 "--components=secrets"], testenv.env, stdin=subprocess.PIPE)
    proc.stdin.write(b"keyring-pass")
    proc.stdin.close()
    wait_for(lambda: testenv.name_has_owner("org.freedesktop.secrets"), 10, what="gnome-keyring on the bus")
    return proc
