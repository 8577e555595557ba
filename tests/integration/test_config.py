"""sportello.conf as an admin meets it: `sportellod --check-config` accepts the shipped example and
names each problem of a broken file as `FILE: [group] key: reason`; the XDG lookup; a broken config
stops sportellod before it takes the bus name; a valid config's values reach the D-Bus API."""

import re
import subprocess
import textwrap

import pytest
from gi.repository import GLib

from conftest import AGENT, CONTACTS, NAME, SOURCE_DIR, SPORTELLOD

EXAMPLE = SOURCE_DIR / "data" / "sportello.conf.example"
ACCOUNT = "[account]\nuri = sip:agent1@example.com\n"


def check_config(env, *args):
    return subprocess.run([SPORTELLOD, "--check-config", *args], env=env, capture_output=True, text=True, timeout=30)


def parse_problems(path, output):
    """Splits `FILE: [group] key: reason` / `FILE: [group]: reason` / `FILE: reason` lines into
    (group, key, reason); every non-empty line must have that form and name `path`."""
    problems = []
    for line in output.splitlines():
        if not line.strip():
            continue
        prefix = f"{path}: "
        assert line.startswith(prefix), f"problem line does not start with the file name: {line!r}"
        rest = line[len(prefix):]
        match = re.fullmatch(r"\[([^\]]+)\](?: ([A-Za-z0-9_.-]+))?: (.+)", rest)
        if match:
            problems.append((match.group(1), match.group(2), match.group(3)))
        else:
            assert not rest.startswith(("[", ":")), f"malformed problem line: {line!r}"
            problems.append((None, None, rest))
    return problems


def check_broken(testenv, text, name="broken.conf"):
    """Runs --check-config on text; asserts exit 1, nothing claimed OK; returns (path, problems)."""
    path = testenv.write_config(textwrap.dedent(text), name)
    result = check_config(testenv.env, "--config", str(path))
    assert result.returncode == 1, f"rc {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "OK" not in result.stdout
    return path, parse_problems(path, result.stdout + result.stderr)


def test_example_config_is_valid(testenv):
    result = check_config(testenv.env, "--config", str(EXAMPLE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{EXAMPLE}: OK"
    assert result.stderr.strip() == ""


# (id, file text, group, key, words the reason must contain)
BROKEN = [
    ("syntax", ACCOUNT + "this line has no equals sign\n", None, None, ["not a key-value pair"]),
    ("unknown-group", ACCOUNT + "[acount]\ndisplay-name = Agent\n", "acount", None, ["unknown group"]),
    ("unknown-key", ACCOUNT + "registar = sip:127.0.0.1:5060\n", "account", "registar", ["unknown key"]),
    ("password", ACCOUNT + "password = hunter2\n", "account", "password", ["sportelloctl secret set"]),
    ("uri-without-sip", "[account]\nuri = agent1@example.com\n", "account", "uri",
     ["agent1@example.com", "not a SIP URI"]),
    ("uri-inline-comment", "[account]\nuri = sip:a@b  # note\n", "account", "uri", ["# note", "not a SIP URI"]),
    ("transport", ACCOUNT + "transport = sctp\n", "account", "transport", ["sctp", "udp, tcp, tls"]),
    ("listen-no-port", ACCOUNT + "listen = 127.0.0.1\n", "account", "listen", ["ADDRESS:PORT"]),
    ("listen-port-range", ACCOUNT + "listen = 127.0.0.1:70000\n", "account", "listen", ["70000", "ADDRESS:PORT"]),
    ("audio-source", ACCOUNT + "[media]\naudio-source = alsa\n", "media", "audio-source", ["alsa", "file:PATH"]),
    ("camera-file", ACCOUNT + "[media]\ncamera = file:x\n", "media", "camera", ["file:x", "pipewire:NODE-NAME"]),
    ("video-size-star", ACCOUNT + "[media]\nvideo-size = 640*480\n", "media", "video-size", ["640*480", "WIDTHxHEIGHT"]),
    ("video-size-odd", ACCOUNT + "[media]\nvideo-size = 641x481\n", "media", "video-size", ["641x481", "even"]),
    ("framerate-0", ACCOUNT + "[media]\nvideo-framerate = 0\n", "media", "video-framerate", ["'0'", "1 to 60"]),
    ("framerate-100", ACCOUNT + "[media]\nvideo-framerate = 100\n", "media", "video-framerate", ["100", "1 to 60"]),
    ("rtp-ports-reversed", ACCOUNT + "[media]\nrtp-ports = 20999-20000\n", "media", "rtp-ports",
     ["20999-20000", "FIRST-LAST"]),
    ("allowed-maybe", ACCOUNT + "[video]\nallowed = maybe\n", "video", "allowed", ["maybe", "boolean"]),
    ("remote-offers", ACCOUNT + "[video]\nremote-offers = sometimes\n", "video", "remote-offers",
     ["sometimes", "accept, ask, reject"]),
    ("code-without-id", ACCOUNT + "[dispositions]\ncodes = resolved=Resolved;=Nobody\n", "dispositions", "codes",
     ["=Nobody", "ID=Label"]),
    ("code-bad-id", ACCOUNT + "[dispositions]\ncodes = call back=Call back\n", "dispositions", "codes",
     ["call back", "ID=Label"]),
    ("codes-duplicate", ACCOUNT + "[dispositions]\ncodes = done=Done;done=Finished\n", "dispositions", "codes",
     ["done", "twice"]),
    ("required-invisible", ACCOUNT + "[dispositions]\nrequired = true\nvisible = false\n", "dispositions",
     "required", ["visible"]),
    ("case-data-duplicate", ACCOUNT + "[case-data]\nkeys = Priority;Product;Priority\n", "case-data", "keys",
     ["Priority", "twice"]),
    ("agent-without-uri", ACCOUNT + "[agent:bob]\nname = Bob Rossi\n", "agent:bob", "uri", ["missing"]),
    ("agent-and-queue-same-id", ACCOUNT + "[agent:sales]\nuri = sip:sales-agent@example.com\n"
     "[queue:sales]\nuri = sip:sales@example.com\n", "queue:sales", None, ["sales", "already used"]),
    ("relative-data-dir", ACCOUNT + "[paths]\ndata-dir = var/sportello\n", "paths", "data-dir",
     ["var/sportello", "absolute"]),
    ("prefix-letters", ACCOUNT + "[contacts]\ninternational-prefix = 00x\n", "contacts", "international-prefix",
     ["00x", "digits"]),
    ("tls-without-certificate", ACCOUNT + "transport = tls\n", "security", "certificate",
     ["missing", "certificate and private key"]),
    ("ca-missing", ACCOUNT + "[security]\nca = /nonexistent/ca.pem\n", "security", "ca",
     ["/nonexistent/ca.pem", "not a file"]),
    ("ca-unreadable-pem", ACCOUNT + "[security]\nca = /etc/hostname\n", "security", "ca",
     ["/etc/hostname", "no PEM certificate"]),
    ("media-encryption", ACCOUNT + "[security]\nmedia-encryption = mandatory\n", "security", "media-encryption",
     ["mandatory", "none, preferred, required"]),
    ("sdes-over-udp", ACCOUNT + "[security]\nmedia-encryption = required\n", "security", "media-encryption",
     ["transport = udp", "sdes-without-tls"]),
]


@pytest.mark.parametrize("text,group,key,words", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_broken_config_names_the_problem(testenv, text, group, key, words):
    path, problems = check_broken(testenv, text)
    assert len(problems) == 1, problems
    found_group, found_key, reason = problems[0]
    assert (found_group, found_key) == (group, key), problems
    for word in words:
        assert word in reason, f"{word!r} not in {reason!r}"


def test_every_problem_is_reported(testenv):
    text = """\
        [account]
        uri = agent1@example.com
        registar = sip:127.0.0.1
        password = secret
        transport = carrier-pigeon

        [media]
        video-size = 640*480
        video-framerate = 100

        [video]
        allowed = maybe

        [telepathy]
        enabled = true

        [agent:bob]
        name = Bob
        """
    path, problems = check_broken(testenv, text)
    assert sorted(((g, k) for g, k, _ in problems), key=str) == sorted([
        ("account", "uri"), ("account", "registar"), ("account", "password"), ("account", "transport"),
        ("media", "video-size"), ("media", "video-framerate"), ("video", "allowed"), ("telepathy", None),
        ("agent:bob", "uri"),
    ], key=str)


def test_missing_file(testenv):
    path = testenv.root / "no-such-dir" / "sportello.conf"
    result = check_config(testenv.env, "--config", str(path))
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert str(path) in output
    assert "No such file" in output
    assert "OK" not in result.stdout


def test_no_config_anywhere_means_embedded_defaults(testenv, tmp_path):
    env = dict(testenv.env)
    (tmp_path / "empty-home").mkdir()
    (tmp_path / "empty-dirs").mkdir()
    env["XDG_CONFIG_HOME"] = str(tmp_path / "empty-home")
    env["XDG_CONFIG_DIRS"] = str(tmp_path / "empty-dirs")
    result = check_config(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "embedded defaults" in result.stdout


def test_config_found_in_xdg_config_dirs(testenv, tmp_path):
    system_dir = tmp_path / "system"
    (system_dir / "sportello").mkdir(parents=True)
    (system_dir / "sportello" / "sportello.conf").write_text(
        "[account]\nuri = sip:system@example.com\ndisplay-name = From-System\n")
    user_conf = testenv.config_dir / "sportello" / "sportello.conf"
    user_conf.parent.mkdir()
    user_conf.write_text("[account]\nuri = sip:found-by-xdg@example.com\ndisplay-name = Found By XDG\n")
    testenv.env["XDG_CONFIG_DIRS"] = str(system_dir)

    # $XDG_CONFIG_HOME wins over the system dirs.
    result = check_config(testenv.env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{user_conf}: OK"
    proc = testenv.start_sportellod()
    assert testenv.get_property(AGENT, "Account") == "sip:found-by-xdg@example.com"
    assert testenv.get_property(AGENT, "DisplayName") == "Found By XDG"
    testenv.stop_sportellod(proc)

    # Without a user config, the system one (XDG_CONFIG_DIRS) is used.
    user_conf.unlink()
    proc = testenv.start_sportellod(name="sportellod-system")
    assert testenv.get_property(AGENT, "Account") == "sip:system@example.com"
    assert testenv.get_property(AGENT, "DisplayName") == "From-System"
    testenv.stop_sportellod(proc)


def test_broken_config_stops_sportellod_before_the_bus(testenv):
    path = testenv.write_config("[account]\nuri = agent1@example.com\ntransport = sctp\n")
    proc = testenv.start_sportellod(config=path, wait=False)
    assert proc.wait(timeout=15) == 1
    assert not testenv.name_has_owner(NAME)
    log = proc.log_path.read_text(errors="replace")
    assert f"{path}: [account] uri:" in log
    assert f"{path}: [account] transport:" in log


def test_broken_xdg_config_stops_sportellod(testenv):
    user_conf = testenv.config_dir / "sportello" / "sportello.conf"
    user_conf.parent.mkdir()
    user_conf.write_text("[account]\nuri = sip:a@b  # note\n")
    proc = testenv.start_sportellod(wait=False)
    assert proc.wait(timeout=15) == 1
    assert not testenv.name_has_owner(NAME)
    assert f"{user_conf}: [account] uri:" in proc.log_path.read_text(errors="replace")


def test_config_values_reach_the_service(testenv):
    data_dir = testenv.root / "configured-data"
    path = testenv.write_config(textwrap.dedent(f"""\
        [account]
        uri = sip:agent7@example.org
        display-name = Agent Seven
        listen = 127.0.0.1:0

        [media]
        audio-source = test
        audio-sink = null
        camera = none

        [video]
        allowed = false
        remote-offers = ask

        [dispositions]
        codes = sale=Sale made;nosale=No sale;wrong=Wrong number
        required = true
        visible = true

        [case-data]
        keys = Order;Customer-Tier

        [contacts]
        international-prefix = 011

        [paths]
        data-dir = {data_dir}

        [agent:dora]
        name = Dora Verdi
        uri = sip:dora@example.org

        [queue:sales]
        name = Sales
        uri = sip:sales@example.org
        """))
    result = check_config(testenv.env, "--config", str(path))
    assert result.returncode == 0, result.stdout + result.stderr

    # No --data-dir: the config's data-dir must be used.
    proc = testenv.procs.start("sportellod", [SPORTELLOD, "--config", str(path)], testenv.env)
    testenv.wait_for_name(proc)
    props = testenv.get_all(AGENT)
    assert props["Account"] == "sip:agent7@example.org"
    assert props["DisplayName"] == "Agent Seven"
    assert props["VideoAllowed"] is False
    assert props["RemoteVideoOffers"] == "ask"
    assert testenv.call(AGENT, "ListAgents") == [{"id": "dora", "name": "Dora Verdi", "uri": "sip:dora@example.org"}]
    assert testenv.call(AGENT, "ListQueues") == [{"id": "sales", "name": "Sales", "uri": "sip:sales@example.org"}]
    assert testenv.call(AGENT, "ListDispositionCodes") == [
        {"id": "sale", "label": "Sale made"}, {"id": "nosale", "label": "No sale"},
        {"id": "wrong", "label": "Wrong number"}]
    assert testenv.call(AGENT, "GetDispositionPolicy") == (True, True)
    assert testenv.call(AGENT, "ListCaseDataKeys") == ["Order", "Customer-Tier"]

    # international-prefix = 011: a number dialled as 011 39 … matches the contact saved as +39 ….
    contact = {"first-name": GLib.Variant("s", "Giulia"), "last-name": GLib.Variant("s", "Neri"),
               "addresses": GLib.Variant("as", ["+39 06 1234 5678"])}
    contact_id = testenv.call(CONTACTS, "Save", "a{sv}", (contact,))
    found = testenv.call(CONTACTS, "Lookup", "s", ("011 39 06 1234 5678",))
    assert found.get("id") == contact_id
    assert (data_dir / "sportello.db").exists()
    testenv.stop_sportellod(proc)


def test_embedded_defaults_reach_the_service(testenv, tmp_path):
    (tmp_path / "empty-dirs").mkdir()
    testenv.env["XDG_CONFIG_DIRS"] = str(tmp_path / "empty-dirs")
    proc = testenv.start_sportellod()
    props = testenv.get_all(AGENT)
    assert props["Account"] == "sip:agent@127.0.0.1"
    assert props["VideoAllowed"] is True
    assert props["RemoteVideoOffers"] == "accept"
    assert [c["id"] for c in testenv.call(AGENT, "ListDispositionCodes")] == ["resolved", "callback", "escalated"]
    assert testenv.call(AGENT, "ListAgents") == []
    testenv.stop_sportellod(proc)
