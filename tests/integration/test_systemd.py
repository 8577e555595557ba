"""The systemd user unit and the D-Bus activation file: what `systemd-analyze verify` says about
them, what a person reviewing them would check, that `meson install` puts them in place, and that
a method call on a bus with no sportellod running starts it through D-Bus activation."""

import configparser
import json
import os
import signal
import stat
import subprocess
from pathlib import Path

import pytest

import conftest
from conftest import AGENT, BUILD_DIR, NAME, SOURCE_DIR, SPORTELLOD, wait_for

UNIT = Path(os.environ.get("SPORTELLO_UNIT", BUILD_DIR / "systemd" / "sportello.service"))
EXTENSION_SOURCE = SOURCE_DIR / "crm-adapters" / "gnome-shell" / "sportello@sportello.org"
DBUS_SERVICE = Path(os.environ.get("SPORTELLO_DBUS_SERVICE",
                                   BUILD_DIR / "systemd" / "org.sportello.Sportello1.service"))


def read_ini(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd and D-Bus keys are case-sensitive
    parser.read(path)
    return parser


def rewrite_key(text, key, value):
    """Replaces every `key=...` line of a unit or service file; the key must be there."""
    lines = text.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith(f"{key}=")]
    assert found, f"{key}= not found"
    for i in found:
        lines[i] = f"{key}={value}"
    return "\n".join(lines) + "\n"


# -- systemd-analyze verify -----------------------------------------------------------------------

def verify(testenv, unit_text):
    """Writes unit_text as sportello.service in its own dir; returns (rc, output lines)."""
    unit_dir = testenv.root / "units"
    unit_dir.mkdir(exist_ok=True)
    path = unit_dir / "sportello.service"
    path.write_text(unit_text)
    result = subprocess.run(["systemd-analyze", "verify", "--user", str(path)], env=testenv.env, cwd=unit_dir,
                            capture_output=True, text=True, timeout=60)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    return result.returncode, lines, path


def our_lines(lines, path):
    """The lines about our unit: systemd-analyze names either the file or the unit."""
    return [line for line in lines if str(path) in line or "sportello" in line]


def built_unit_text():
    return rewrite_key(UNIT.read_text(), "ExecStart", SPORTELLOD)


def test_unit_verifies(testenv):
    rc, lines, path = verify(testenv, built_unit_text())
    assert rc == 0, "\n".join(lines)
    assert our_lines(lines, path) == [], "\n".join(lines)


@pytest.mark.parametrize("key,value,expected", [
    ("Type", "dbuss", "Failed to parse service type"),
    ("ExecStart", "/nonexistent/libexec/sportellod", "is not executable"),
], ids=["bad-type", "missing-binary"])
def test_broken_unit_fails_verification(testenv, key, value, expected):
    rc, lines, path = verify(testenv, rewrite_key(built_unit_text(), key, value))
    problems = our_lines(lines, path)
    # The check used above ("rc 0 and nothing said about our unit") must reject this unit.
    assert rc != 0 or problems, "\n".join(lines)
    assert any(expected in line for line in problems), "\n".join(lines)


CLIENT_UNITS = {
    "sportello-web-bridge": BUILD_DIR / "crm-adapters" / "web-bridge" / "sportello-web-bridge",
    "sportello-cobrowse": BUILD_DIR / "crm-adapters" / "co-browse" / "sportello-cobrowse",
}


@pytest.mark.parametrize("name", sorted(CLIENT_UNITS))
def test_client_units_verify(testenv, name):
    """The web bridge's and the co-browse relay's units: clients of sportellod, hardened alike."""
    built = BUILD_DIR / "systemd" / f"{name}.service"
    unit_dir = testenv.root / "client-units"
    unit_dir.mkdir()
    path = unit_dir / f"{name}.service"
    path.write_text(rewrite_key(built.read_text(), "ExecStart", str(CLIENT_UNITS[name])))
    (unit_dir / "sportello.service").write_text(built_unit_text())
    result = subprocess.run(["systemd-analyze", "verify", "--user", str(path)], env=testenv.env, cwd=unit_dir,
                            capture_output=True, text=True, timeout=60)
    lines = [line for line in (result.stdout + result.stderr).splitlines() if "sportello" in line]
    assert result.returncode == 0 and lines == [], result.stdout + result.stderr
    unit = read_ini(built)
    assert unit["Unit"]["Wants"] == "sportello.service" and unit["Unit"]["After"] == "sportello.service"
    assert unit["Service"]["ExecStart"].endswith(f"/{name}")
    assert unit["Service"]["NoNewPrivileges"] == "yes"


# -- what a reviewer checks in the files ---------------------------------------------------------------

def test_unit_contents():
    unit = read_ini(UNIT)
    service = unit["Service"]
    assert service["Type"] == "dbus"
    assert service["BusName"] == NAME
    assert service["Restart"] == "on-failure"
    assert service["ExecStart"].split()[0].endswith("/sportellod")
    assert os.path.isabs(service["ExecStart"].split()[0])
    assert unit["Install"]["WantedBy"] == "default.target"
    assert "Description" in unit["Unit"]


def test_activation_file_contents():
    activation = read_ini(DBUS_SERVICE)
    section = activation["D-BUS Service"]
    assert section["Name"] == NAME
    assert section["SystemdService"] == "sportello.service"
    # D-Bus looks the file up by the bus name: the file name must be the name plus .service.
    assert DBUS_SERVICE.name == f"{NAME}.service"
    # Both files start the same program.
    assert section["Exec"].split()[0] == read_ini(UNIT)["Service"]["ExecStart"].split()[0]


def test_meson_install_places_unit_activation_file_and_example(tmp_path):
    destdir = tmp_path / "destdir"
    result = subprocess.run(["meson", "install", "-C", str(BUILD_DIR), "--destdir", str(destdir), "--no-rebuild",
                             "--quiet"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr

    def installed(name):
        found = [p for p in destdir.rglob(name) if p.is_file()]
        assert len(found) == 1, f"{name}: {found}"
        return found[0]

    unit = installed("sportello.service")
    assert unit.parent.as_posix().endswith("/systemd/user")
    activation = installed(f"{NAME}.service")
    assert activation.parent.as_posix().endswith("/dbus-1/services")
    example = installed("sportello.conf.example")
    assert example.read_text() == (SOURCE_DIR / "data" / "sportello.conf.example").read_text()
    assert read_ini(unit)["Service"]["BusName"] == NAME
    assert read_ini(activation)["D-BUS Service"]["SystemdService"] == unit.name

    # The installed files point at the installed binary, and it is there.
    exec_start = read_ini(unit)["Service"]["ExecStart"].split()[0]
    binary = destdir / exec_start.lstrip("/")
    assert binary.is_file() and os.access(binary, os.X_OK), exec_start
    assert read_ini(activation)["D-BUS Service"]["Exec"].split()[0] == exec_start
    # The modules (the shared store's sync, the router's client), where the installed sportellod
    # looks for them, and they load into that sportellod: every symbol they need from the binary
    # is exported, and the binary itself does not map their libraries.
    exported = subprocess.run(["nm", "-D", "--defined-only", str(binary)], capture_output=True, text=True).stdout
    # (A sanitizer build links libnice, which brings libsoup with GUPnP: service/meson.build.)
    direct = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True).stdout
    linked = direct if os.environ.get("SPORTELLO_SANITIZED") else \
        subprocess.run(["ldd", str(binary)], capture_output=True, text=True).stdout
    for name, library in (("libsportello-sync.so", "libpq"), ("libsportello-routing.so", "libsoup")):
        module = installed(name)
        assert module.parent.name == "sportello" and "/lib/" in module.as_posix(), module
        needed = [line.split()[-1] for line in subprocess.run(["nm", "-D", "--undefined-only", str(module)],
                                                              capture_output=True, text=True).stdout.splitlines()
                  if line.split()[-1].startswith("sp_")]
        assert needed and all(f" {symbol}" in exported for symbol in needed), (name, needed)
        assert library in subprocess.run(["ldd", str(module)], capture_output=True, text=True).stdout, name
        assert library not in linked and library not in direct, library
    for page, section in (("sportellod.1", "man1"), ("sportelloctl.1", "man1"), ("sportello.conf.5", "man5"),
                          ("sportello-dbus.7", "man7")):
        assert installed(page).parent.name == section, page
    reference = installed("sportello-dbus.html")
    assert reference.parent.name == "sportello" and 'id="org.sportello.Session1.Answer"' in reference.read_text()
    for name in CLIENT_UNITS:
        client = destdir / read_ini(installed(f"{name}.service"))["Service"]["ExecStart"].lstrip("/")
        assert client.is_file() and os.access(client, os.X_OK), client
    # The GNOME Shell extension: its code, and the contract's XML its proxies are made from, the
    # same files as those installed for D-Bus introspection.
    metadata = installed("metadata.json")
    assert metadata.parent.as_posix().endswith("/gnome-shell/extensions/sportello@sportello.org")
    assert json.loads(metadata.read_text())["uuid"] == metadata.parent.name
    for name in ("extension.js", "sessionModel.js", "sportelloClient.js"):
        assert (metadata.parent / name).read_text() == (EXTENSION_SOURCE / name).read_text(), name
    for xml in sorted((SOURCE_DIR / "dbus-interfaces").glob("org.sportello.*.xml")):
        assert (metadata.parent / xml.name).read_text() == xml.read_text(), xml.name


# -- D-Bus activation ------------------------------------------------------------------------------

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={runtime}/bus</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

# Runs the activated program, keeps its PID and exit status where the test can read them: the test
# did not start it, so it cannot wait() for it.
WRAPPER = """#!/bin/sh
"$@" >"{log}" 2>&1 &
pid=$!
echo "$pid" >"{pidfile}"
wait "$pid"
status=$?
echo "$status" >"{statusfile}.tmp"
mv "{statusfile}.tmp" "{statusfile}"
exit "$status"
"""


def pid_alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def cmdline(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return []


class Activation:
    def __init__(self, tmp_path):
        self.env = conftest.TestEnv(tmp_path)
        root = self.env.root
        # No system-wide sportello.conf either: the activated service runs on the embedded defaults.
        (root / "config-dirs").mkdir()
        self.env.env["XDG_CONFIG_DIRS"] = str(root / "config-dirs")
        self.servicedir = root / "services"
        self.servicedir.mkdir()
        self.data_dir = root / "activated-data"
        self.log = root / "activated.log"
        self.pidfile = root / "activated.pid"
        self.statusfile = root / "activated.status"
        self.wrapper = root / "sportellod-wrapper"
        self.wrapper.write_text(WRAPPER.format(log=self.log, pidfile=self.pidfile, statusfile=self.statusfile))
        self.wrapper.chmod(self.wrapper.stat().st_mode | stat.S_IXUSR)
        text = rewrite_key(DBUS_SERVICE.read_text(), "Exec",
                           f"{self.wrapper} {SPORTELLOD} --data-dir {self.data_dir}")
        (self.servicedir / DBUS_SERVICE.name).write_text(text)
        config = root / "bus.conf"
        config.write_text(BUS_CONFIG.format(runtime=self.env.runtime, servicedir=self.servicedir))
        # The activated service inherits dbus-daemon's environment: HOME and XDG dirs of this test.
        self.env.start_bus(config_file=config)

    def activated_pid(self):
        return int(self.pidfile.read_text()) if self.pidfile.exists() else None

    def cleanup(self):
        pid = self.activated_pid()
        if pid and pid_alive(pid) and any(arg.endswith(b"sportellod") for arg in cmdline(pid)):
            os.kill(pid, signal.SIGKILL)
        self.env.cleanup()


@pytest.fixture
def activation(tmp_path):
    act = Activation(tmp_path)
    try:
        yield act
    finally:
        act.cleanup()


def test_dbus_activation_starts_sportellod(activation):
    env = activation.env
    assert not env.name_has_owner(NAME)
    activatable = env.call("org.freedesktop.DBus", "ListActivatableNames", path="/org/freedesktop/DBus",
                           bus_name="org.freedesktop.DBus")
    assert NAME in activatable

    # A plain method call with no sportellod running: the bus starts it and the call gets its answer.
    assert env.get_property(AGENT, "Account") == "sip:agent@127.0.0.1"
    assert env.name_has_owner(NAME)
    assert env.call(AGENT, "ListDispositionCodes")

    pid = env.call("org.freedesktop.DBus", "GetConnectionUnixProcessID", "s", (NAME,),
                   path="/org/freedesktop/DBus", bus_name="org.freedesktop.DBus")
    assert pid == activation.activated_pid()
    argv = cmdline(pid)
    assert argv[0] == SPORTELLOD.encode()
    assert argv[1:3] == [b"--data-dir", str(activation.data_dir).encode()]
    # It ran with the test's environment (inherited from dbus-daemon) and used the data dir it was given.
    environ = dict(item.split(b"=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in item)
    assert environ[b"HOME"] == str(env.home).encode()
    assert environ[b"XDG_RUNTIME_DIR"] == str(env.runtime).encode()
    assert (activation.data_dir / "sportello.db").exists()

    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: not pid_alive(pid), 15, what=f"activated sportellod (PID {pid}) to exit")
    wait_for(activation.statusfile.exists, 15, what="the wrapper to record the exit status")
    status = activation.statusfile.read_text().strip()
    assert status == "0", f"activated sportellod exited with {status}:\n" + activation.log.read_text(errors="replace")
    wait_for(lambda: not env.name_has_owner(NAME), 15, what=f"{NAME} to be released")


def test_sportellod_tells_the_service_manager_it_is_ready_and_stopping(testenv):
    """What systemd reads on $NOTIFY_SOCKET (the unit's `systemctl status` line): READY=1 with a
    STATUS= once the name is owned, STOPPING=1 on SIGTERM."""
    import socket

    path = str(testenv.root / "notify")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(path)
    listener.settimeout(15)
    try:
        testenv.env["NOTIFY_SOCKET"] = path
        proc = testenv.start_sportellod()
        assert listener.recv(4096) == b"READY=1\nSTATUS=Ready for interactions"
        assert testenv.name_has_owner(NAME)
        testenv.stop_sportellod(proc)
        assert listener.recv(4096) == b"STOPPING=1"
    finally:
        listener.close()
