"""`sportelloctl secret set|clear` against a real gnome-keyring (TESTENV.md §4) on the test's
private bus: the secret lands under schema org.sportello.Secret (checked with secret-tool), clear
removes it, --account/--kind override the defaults, and without a keyring or an account the
command fails clearly. The secret never appears in sportelloctl's output.

The private bus has no service directories, so nothing is D-Bus-activated behind our back:
every process here is started by the test and stopped by PID."""

import json
import os
import pty
import subprocess
import time

import pytest

import conftest
from conftest import wait_for

SECRETS = "org.freedesktop.secrets"
DEFAULT_ACCOUNT = "sip:agent@127.0.0.1"   # sportellod's embedded default [account] uri
SECRET = "s3cr3t-Pässw0rd with spaces"

BUS_CONFIG = """<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def env(tmp_path):
    """A private world whose bus activates nothing (no gnome-keyring started by dbus-daemon)."""
    world = conftest.TestEnv(tmp_path)
    config = world.write_config(BUS_CONFIG, "session.conf")
    world.start_bus(config_file=config)
    try:
        yield world
    finally:
        world.cleanup()


@pytest.fixture
def keyring(env):
    """gnome-keyring-daemon with an unlocked login keyring, as TESTENV.md §4 starts it."""
    proc = env.procs.start("gnome-keyring", ["gnome-keyring-daemon", "--foreground", "--unlock",
                                             "--components=secrets"], env.env, stdin=subprocess.PIPE)
    proc.stdin.write(b"pass")
    proc.stdin.close()

    def ready():
        if proc.poll() is not None:
            pytest.fail(f"gnome-keyring-daemon exited with {proc.returncode}:\n" + proc.log_path.read_text())
        return env.name_has_owner(SECRETS)

    wait_for(ready, 15, what=f"{SECRETS} on the bus")
    yield proc
    assert env.procs.stop(proc) == 0


@pytest.fixture
def service(env):
    """sportellod on the embedded defaults (so the default account), SIP on a free port."""
    proc = env.start_sportellod(config=env.write_config("[account]\nlisten = 127.0.0.1:0\n"))
    yield env
    env.stop_sportellod(proc)


def lookup(env, account, kind="sip-password"):
    """What the keyring holds, through libsecret's own tool: (exit status, secret)."""
    result = subprocess.run(["secret-tool", "lookup", "account", account, "kind", kind], env=env.env,
                            capture_output=True, text=True, timeout=30)
    return result.returncode, result.stdout


def search(env, account, kind="sip-password"):
    result = subprocess.run(["secret-tool", "search", "--all", "account", account, "kind", kind], env=env.env,
                            capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def assert_not_leaked(result, secret=SECRET):
    assert secret not in result.stdout and secret not in result.stderr
    assert secret.split()[0] not in result.stdout + result.stderr


def test_set_stores_the_secret_and_clear_removes_it(service, keyring):
    env = service
    result = env.ctl("secret", "set", input=SECRET + "\n")
    assert result.stdout.strip() == f"stored the sip-password of {DEFAULT_ACCOUNT}"
    assert_not_leaked(result)
    assert lookup(env, DEFAULT_ACCOUNT) == (0, SECRET)          # one trailing newline stripped
    found = search(env, DEFAULT_ACCOUNT)
    assert "\nschema = org.sportello.Secret\n" in found
    assert "label = Sportello sip-password for " + DEFAULT_ACCOUNT in found

    result = env.ctl("secret", "clear")
    assert result.stdout.strip() == f"cleared the sip-password of {DEFAULT_ACCOUNT}"
    status, value = lookup(env, DEFAULT_ACCOUNT)
    assert status != 0 and value == ""
    result = env.ctl("secret", "clear")
    assert result.stdout.strip() == f"no sip-password was stored for {DEFAULT_ACCOUNT}"


def test_set_replaces_and_keeps_inner_newlines(service, keyring):
    env = service
    env.ctl("secret", "set", input="first\n")
    env.ctl("secret", "set", input="second\n\n")               # only one newline is the terminator
    assert lookup(env, DEFAULT_ACCOUNT) == (0, "second\n")
    env.ctl("secret", "set", input="third")                     # no newline at all
    assert lookup(env, DEFAULT_ACCOUNT) == (0, "third")


def test_account_and_kind_override_without_the_service(env, keyring):
    other = "sip:other@example.com"
    result = env.ctl("--json", "secret", "set", "--account", other, "--kind", "crm-token", input=SECRET)
    assert json.loads(result.stdout) == {"account": other, "kind": "crm-token", "stored": True}
    assert_not_leaked(result)
    assert lookup(env, other, "crm-token") == (0, SECRET)
    assert lookup(env, other)[0] != 0                           # another kind
    assert lookup(env, DEFAULT_ACCOUNT, "crm-token")[0] != 0    # another account
    result = env.ctl("--json", "secret", "clear", "--account", other, "--kind", "crm-token")
    assert json.loads(result.stdout) == {"account": other, "kind": "crm-token", "cleared": True}
    assert lookup(env, other, "crm-token")[0] != 0


def test_default_account_needs_the_service(env, keyring):
    result = env.ctl("secret", "set", input=SECRET, check=False)
    assert result.returncode == 1
    assert "cannot tell which account" in result.stderr and "--account" in result.stderr
    assert "org.sportello.Sportello1 is not running" in result.stderr
    assert_not_leaked(result)
    assert env.ctl("secret", "clear", check=False).returncode == 1


def test_no_keyring_running(service):
    env = service
    result = env.ctl("secret", "set", input=SECRET, check=False)
    assert result.returncode == 1, result
    assert result.stderr.startswith("sportelloctl: cannot store the secret: no Secret Service")
    assert result.stdout == ""
    assert_not_leaked(result)
    result = env.ctl("secret", "clear", "--account", "sip:x@example.com", check=False)
    assert result.returncode == 1
    assert "no Secret Service" in result.stderr


def test_empty_secret_is_refused(service, keyring):
    env = service
    for text in ("", "\n"):
        result = env.ctl("secret", "set", input=text, check=False)
        assert result.returncode == 1
        assert "the secret is empty" in result.stderr
    assert lookup(env, DEFAULT_ACCOUNT)[0] != 0


def read_until(fd, wanted, timeout=15):
    """Reads from a pty master until @wanted shows up; returns everything read."""
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {wanted!r} on the terminal; saw {seen!r}")
        try:
            chunk = os.read(fd, 1024)
        except BlockingIOError:
            time.sleep(0.02)
            continue
        except OSError:   # EIO: the other side is closed
            break
        seen += chunk
    return seen


def test_terminal_input_is_not_echoed(service, keyring):
    """With stdin on a terminal: a prompt, no echo of what is typed, one line read."""
    env = service
    master, slave = pty.openpty()
    os.set_blocking(master, False)
    try:
        proc = subprocess.Popen([conftest.SPORTELLOCTL, "secret", "set"], env=env.env, stdin=slave, stdout=slave,
                                stderr=slave)
        try:
            shown = read_until(master, b"sip-password for " + DEFAULT_ACCOUNT.encode() + b": ")
            os.write(master, SECRET.encode() + b"\n")
            shown += read_until(master, b"stored the sip-password")
            assert proc.wait(30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        assert SECRET.encode() not in shown
        assert lookup(env, DEFAULT_ACCOUNT) == (0, SECRET)
    finally:
        os.close(master)
        os.close(slave)


def test_usage_errors(env):
    for args in (["secret"], ["secret", "get"], ["secret", "set", "extra"], ["secret", "set", "--account"]):
        result = env.ctl(*args, check=False, input="x")
        assert result.returncode == 2, (args, result)
