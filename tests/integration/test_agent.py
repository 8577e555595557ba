"""Agent1 on the root object: properties from the config, directories, the push catalogue read
from the real SQLite file, Dial without SIP, introspection against the contract XMLs and the
ObjectManager."""

import re
import sqlite3
import time
import xml.etree.ElementTree as ET

import pytest
from gi.repository import Gio, GLib

from conftest import AGENT, CONTACTS, NAME, RESPONSES, ROOT, SESSION, SOURCE_DIR

CONFIG = """\
[account]
uri = sip:anna@pbx.example.com
display-name = Anna Bianchi
listen = 127.0.0.1:0

[video]
allowed = false
remote-offers = ask

[dispositions]
codes = sale=Sale made;noanswer=No answer;wrong=Wrong number;later=Call back later
required = true
visible = true

[case-data]
keys = Ticket;Severity;Product

[agent:bob]
name = Bob Rossi
uri = sip:bob@pbx.example.com

[queue:billing]
name = Billing
uri = sip:billing@pbx.example.com

[agent:carla]
name = Carla Verdi
uri = sip:carla@pbx.example.com

[queue:support]
name = Technical support
uri = sip:support@pbx.example.com

[agent:aldo]
name = Aldo Neri
uri = sip:aldo@pbx.example.com
"""


def meson_version():
    for line in (SOURCE_DIR / "meson.build").read_text().splitlines():
        line = line.strip()
        if line.startswith("version:"):
            return line.split("'")[1]
    pytest.fail("no version in meson.build")


@pytest.fixture
def configured(testenv):
    proc = testenv.start_sportellod(config=testenv.write_config(CONFIG))
    yield testenv
    testenv.stop_sportellod(proc)


def test_properties_from_config(configured):
    props = configured.get_all(AGENT)
    assert props["Account"] == "sip:anna@pbx.example.com"
    assert props["DisplayName"] == "Anna Bianchi"
    assert props["VideoAllowed"] is False
    assert props["RemoteVideoOffers"] == "ask"
    assert props["Registration"] == "disabled"
    assert re.fullmatch(r"sip:127\.0\.0\.1:\d+", props["ContactUri"]), props["ContactUri"]
    assert props["Version"] == meson_version()
    # No PipeWire runs in this test's world: no camera, and an empty list.
    assert props["CameraAvailable"] is False
    assert props["Cameras"] == []
    # Single Get agrees with GetAll.
    assert configured.get_property(AGENT, "DisplayName") == "Anna Bianchi"


def test_video_allowed_true_and_offers_accept(testenv):
    config = testenv.write_config("[account]\nuri = sip:dario@example.org\n\n[video]\nallowed = true\n"
                                  "remote-offers = reject\n")
    proc = testenv.start_sportellod(config=config)
    assert testenv.get_property(AGENT, "VideoAllowed") is True
    assert testenv.get_property(AGENT, "RemoteVideoOffers") == "reject"
    assert testenv.get_property(AGENT, "Account") == "sip:dario@example.org"
    testenv.stop_sportellod(proc)


def test_embedded_defaults(service):
    props = service.get_all(AGENT)
    assert props["Account"] == "sip:agent@127.0.0.1"
    assert props["DisplayName"] == "Agent"
    assert props["VideoAllowed"] is True
    assert props["RemoteVideoOffers"] == "accept"
    assert props["Registration"] == "disabled"
    assert service.call(AGENT, "ListAgents") == []
    assert service.call(AGENT, "ListQueues") == []
    assert service.call(AGENT, "ListDispositionCodes") == [
        {"id": "resolved", "label": "Resolved"},
        {"id": "callback", "label": "Call back"},
        {"id": "escalated", "label": "Escalated"},
    ]
    assert service.call(AGENT, "GetDispositionPolicy") == (False, True)
    assert service.call(AGENT, "ListCaseDataKeys") == ["Priority", "Product", "Serial"]


def test_directories_in_config_order(configured):
    assert configured.call(AGENT, "ListAgents") == [
        {"id": "bob", "name": "Bob Rossi", "uri": "sip:bob@pbx.example.com"},
        {"id": "carla", "name": "Carla Verdi", "uri": "sip:carla@pbx.example.com"},
        {"id": "aldo", "name": "Aldo Neri", "uri": "sip:aldo@pbx.example.com"},
    ]
    assert configured.call(AGENT, "ListQueues") == [
        {"id": "billing", "name": "Billing", "uri": "sip:billing@pbx.example.com"},
        {"id": "support", "name": "Technical support", "uri": "sip:support@pbx.example.com"},
    ]


def test_dispositions_and_case_data(configured):
    assert configured.call(AGENT, "ListDispositionCodes") == [
        {"id": "sale", "label": "Sale made"},
        {"id": "noanswer", "label": "No answer"},
        {"id": "wrong", "label": "Wrong number"},
        {"id": "later", "label": "Call back later"},
    ]
    assert configured.call(AGENT, "GetDispositionPolicy") == (True, True)
    assert configured.call(AGENT, "ListCaseDataKeys") == ["Ticket", "Severity", "Product"]


def test_disposition_policy_hidden(testenv):
    config = testenv.write_config("[dispositions]\ncodes = ok=OK\nrequired = false\nvisible = false\n")
    proc = testenv.start_sportellod(config=config)
    assert testenv.call(AGENT, "GetDispositionPolicy") == (False, False)
    assert testenv.call(AGENT, "ListDispositionCodes") == [{"id": "ok", "label": "OK"}]
    testenv.stop_sportellod(proc)


def test_push_items_from_database(service):
    assert service.call(AGENT, "ListPushItems") == []
    now = int(time.time() * 1_000_000)
    rows = [
        ("p-1", "Zeta: warranty terms", "What the warranty covers", "video", "/srv/clips/zeta.webm",
         "/srv/clips/zeta.png", 42_000),
        ("p-2", "Alpha: unboxing", "", "video", "/srv/clips/alpha.webm", "", 95_500),
        ("p-3", "Model M front panel", "Where the buttons are", "image", "/srv/clips/panel.png", "", 0),
    ]
    # The service keeps its connection open (WAL): a second writer is allowed.
    db = sqlite3.connect(service.db_path, timeout=10)
    with db:
        db.executemany("INSERT INTO push_items (id, title, description, kind, path, thumbnail, duration_ms, added)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [row + (now,) for row in rows])
    db.close()

    items = service.call(AGENT, "ListPushItems")
    assert [item["title"] for item in items] == ["Alpha: unboxing", "Model M front panel", "Zeta: warranty terms"]
    assert items[0] == {"id": "p-2", "title": "Alpha: unboxing", "description": "", "duration-ms": 95_500,
                        "kind": "video", "path": "/srv/clips/alpha.webm", "thumbnail": "", "has-audio": False}
    assert items[1] == {"id": "p-3", "title": "Model M front panel", "description": "Where the buttons are",
                        "duration-ms": 0, "kind": "image", "path": "/srv/clips/panel.png", "thumbnail": "",
                        "has-audio": False}
    assert items[2]["id"] == "p-1" and items[2]["thumbnail"] == "/srv/clips/zeta.png"
    assert items[2]["duration-ms"] == 42_000

    # duration-ms is a t, has-audio a b, every other key an s.
    reply = service.connection.call_sync(NAME, ROOT, AGENT, "ListPushItems", None, None, Gio.DBusCallFlags.NONE,
                                         -1, None)
    first = reply.get_child_value(0).get_child_value(0)
    types = {first.get_child_value(i).get_child_value(0).get_string():
             first.get_child_value(i).get_child_value(1).get_variant().get_type_string()
             for i in range(first.n_children())}
    assert types == {"id": "s", "title": "s", "description": "s", "duration-ms": "t", "kind": "s", "path": "s",
                     "thumbnail": "s", "has-audio": "b"}


def test_dial_without_sip_is_unavailable(testenv):
    # Another program holds the configured SIP port: SIP cannot start, the rest of the service can.
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        config = testenv.write_config(CONFIG.replace("listen = 127.0.0.1:0", f"listen = 127.0.0.1:{port}"))
        proc = testenv.start_sportellod(config=config)
        name, message = testenv.call_error(AGENT, "Dial", "sa{ss}", ("+39 02 1234", {"Ticket": "77"}))
        assert name == "org.sportello.Error.Unavailable"
        assert "SIP" in message and str(port) in message
        assert testenv.get_property(AGENT, "Registration") == "failed"
        assert testenv.get_property(AGENT, "ContactUri") == ""
        # Still serving.
        assert testenv.get_property(AGENT, "Account") == "sip:anna@pbx.example.com"
        testenv.stop_sportellod(proc)


def contract(interface):
    tree = ET.parse(SOURCE_DIR / "dbus-interfaces" / f"{interface}.xml")
    node = tree.getroot().find(f"interface[@name='{interface}']")
    assert node is not None
    return {
        "methods": {m.get("name"): [(a.get("type"), a.get("direction", "in")) for a in m.findall("arg")]
                    for m in node.findall("method")},
        "properties": {p.get("name"): (p.get("type"), p.get("access")) for p in node.findall("property")},
        "signals": {s.get("name") for s in node.findall("signal")},
    }


def test_introspection_matches_contract(service):
    xml = service.call("org.freedesktop.DBus.Introspectable", "Introspect")
    info = Gio.DBusNodeInfo.new_for_xml(xml)
    exported = {iface.name: iface for iface in info.interfaces}
    assert "org.freedesktop.DBus.ObjectManager" in exported
    for interface in (AGENT, CONTACTS, RESPONSES):
        assert interface in exported, f"{interface} is not exported on {ROOT}"
        want = contract(interface)
        got = exported[interface]
        assert want["methods"], interface
        assert {m.name: [(a.signature, "in") for a in m.in_args] + [(a.signature, "out") for a in m.out_args]
                for m in got.methods} == {
            name: [a for a in args if a[1] == "in"] + [a for a in args if a[1] == "out"]
            for name, args in want["methods"].items()}
        access = {Gio.DBusPropertyInfoFlags.READABLE: "read", Gio.DBusPropertyInfoFlags.WRITABLE: "write"}
        assert {p.name: (p.signature, access.get(p.flags, "readwrite")) for p in got.properties} == want["properties"]
        assert {s.name for s in got.signals} == want["signals"]
    # Session1 lives on interaction objects only; the contract file must still parse and hold members.
    assert SESSION not in exported
    session = contract(SESSION)
    assert "Answer" in session["methods"] and "State" in session["properties"]


def test_object_manager_on_root(service):
    objects = service.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    # No interaction is running, so there are no session objects yet.
    assert objects == {}
    # The child node for sessions is not there either.
    xml = service.call("org.freedesktop.DBus.Introspectable", "Introspect")
    assert [n.path for n in Gio.DBusNodeInfo.new_for_xml(xml).nodes] == []


def test_unknown_method_and_property(service):
    name, _ = service.call_error(AGENT, "Hangup")
    assert name == "org.freedesktop.DBus.Error.UnknownMethod"
    try:
        service.get_property(AGENT, "Password")
    except GLib.Error as error:
        assert Gio.DBusError.get_remote_error(error) == "org.freedesktop.DBus.Error.InvalidArgs"
    else:
        pytest.fail("an unknown property was readable")
    name, _ = service.call_error("org.freedesktop.DBus.Properties", "Set", "ssv",
                                 (AGENT, "Account", GLib.Variant("s", "sip:evil@example.com")))
    assert name == "org.freedesktop.DBus.Error.InvalidArgs"  # GDBus: "Property “Account” is not writable"
    assert service.get_property(AGENT, "Account") == "sip:agent@127.0.0.1"
