"""REGISTER with digest authentication against a real kamailio, the password read from a real
gnome-keyring; a refused password and an unreachable registrar show 'failed' and recover."""

import subprocess

import pytest

from conftest import AGENT, SignalRecorder, free_port, wait_for
from peers import Kamailio, sportello_config

PASSWORD = "s3cr3t-agent1"


def store_password(testenv, password):
    result = subprocess.run(["secret-tool", "store", "--label", "test", "account", "sip:agent1@127.0.0.1", "kind",
                             "sip-password"], input=password, text=True, env=testenv.env, capture_output=True)
    assert result.returncode == 0, result.stderr


def registration(testenv):
    return testenv.get_property(AGENT, "Registration")


def test_register_with_digest_auth(testenv, keyring):
    kamailio = Kamailio(testenv, PASSWORD)
    store_password(testenv, PASSWORD)
    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port, registrar=kamailio.uri))
    wait_for(lambda: registration(testenv) == "registered", 15, what="registered")
    log = kamailio.proc.log_path.read_text(errors="replace")
    assert "REGISTER" in log
    testenv.stop_sportellod(proc)


def test_wrong_password_fails_until_the_right_one_is_stored(testenv, keyring):
    kamailio = Kamailio(testenv, PASSWORD)
    store_password(testenv, "not-the-password")
    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port, registrar=kamailio.uri))
    wait_for(lambda: registration(testenv) == "failed", 15, what="failed")
    # The admin stores the right password; the next retry reads it again, no restart needed.
    store_password(testenv, PASSWORD)
    wait_for(lambda: registration(testenv) == "registered", 30, what="registered with the new password")
    testenv.stop_sportellod(proc)


def test_unreachable_registrar_fails_then_recovers(testenv, keyring):
    store_password(testenv, PASSWORD)
    registrar_port = free_port()
    port = free_port()
    recorder = SignalRecorder(testenv.connection, "org.freedesktop.DBus.Properties", "PropertiesChanged")
    proc = testenv.start_sportellod(config=sportello_config(testenv, port, registrar=f"sip:127.0.0.1:{registrar_port}"))
    wait_for(lambda: registration(testenv) == "failed", 20, what="failed")
    # The registrar comes up: a later attempt (backing off from 2 s to 30 s) succeeds.
    Kamailio(testenv, PASSWORD, port=registrar_port)
    wait_for(lambda: registration(testenv) == "registered", 45, what="registered after recovery")
    for state in ("failed", "registered"):
        recorder.wait(lambda e, state=state: e[3][0] == AGENT and e[3][1].get("Registration") == state,
                      what=f"PropertiesChanged Registration={state}")
    recorder.close()
    testenv.stop_sportellod(proc)


def test_no_registrar_means_disabled(testenv):
    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port))
    assert registration(testenv) == "disabled"
    testenv.stop_sportellod(proc)
