"""The contract documents itself, and says what the service does.

1. Every method in dbus-interfaces/*.xml has an "Errors:" paragraph naming only errors the service
   registers (service/dbus/sp-dbus-error.c), or saying "none".
2. The reference made from it (build/docs/reference: sportello-dbus.7 and .html) renders with
   groff -ww without a warning and names every method, signal and property.
3. Against a real sportellod: one row per method drives it into an error it documents (a call
   in the wrong state, an unknown id, a bad argument; with a damaged database for those whose
   only failure is the database) and checks that the error name returned is one its Errors
   paragraph lists; a method documented as never failing is called and must succeed."""

import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from gi.repository import GLib

from conftest import AGENT, BUILD_DIR, CONTACTS, RESPONSES, ROOT, SESSION, SOURCE_DIR, free_port, wait_for
from peers import Baresip, sportello_config

V = GLib.Variant
COBROWSE = "org.sportello.CoBrowse1"
BROWSER_VIDEO = "org.sportello.BrowserVideo1"
XML_DIR = SOURCE_DIR / "dbus-interfaces"
REFERENCE = BUILD_DIR / "docs" / "reference"
ERROR_NAME = re.compile(r"org\.sportello\.Error\.(\w+)")


def registered_errors():
    text = (SOURCE_DIR / "service" / "dbus" / "sp-dbus-error.c").read_text()
    return set(ERROR_NAME.findall(text))


def method_docs():
    """{(interface, method): its doc comment} for every method of the contract."""
    docs = {}
    for path in sorted(XML_DIR.glob("*.xml")):
        text = path.read_text()
        interface = ET.parse(path).getroot().find("interface").get("name").rsplit(".", 1)[1]
        for match in re.finditer(r'<method name="(\w+)"', text):
            before = text[:match.start()]
            start, end = before.rfind("<!--"), before.rfind("-->")
            docs[(interface, match.group(1))] = before[start:end] if start < end else ""
    return docs


def documented_errors(doc):
    """The error names of the doc's "Errors:" paragraph (full or short form); None without one."""
    match = re.search(r"Errors:(.*?)(?:\n\s*\n|$)", doc, re.S)
    if not match:
        return None
    names = set(ERROR_NAME.findall(match.group(1)))
    names |= set(re.findall(r"<literal>(\w+)</literal>", match.group(1))) & registered_errors()
    return names


def test_every_method_names_its_errors():
    known = registered_errors()
    assert {"Failed", "InvalidArgument", "NotFound", "InvalidState", "Unavailable"} <= known
    docs = method_docs()
    assert len(docs) >= 48
    missing = [f"{i}.{m}" for (i, m), doc in docs.items() if documented_errors(doc) is None]
    assert not missing, f"no Errors: paragraph in {missing}"
    for (interface, method), doc in docs.items():
        errors = documented_errors(doc)
        unknown = set(ERROR_NAME.findall(doc)) - known
        assert not unknown, f"{interface}.{method} names errors the service does not have: {unknown}"
        if not errors:
            assert re.search(r"Errors: none", doc), f"{interface}.{method}: Errors: names nothing"


def test_the_reference_is_made_and_readable():
    page, man = REFERENCE / "sportello-dbus.html", REFERENCE / "sportello-dbus.7"
    html, roff = page.read_text(), man.read_text()
    rendered = subprocess.run(["groff", "-ww", "-man", "-Tutf8", str(man)], capture_output=True, text=True,
                              env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert rendered.returncode == 0 and rendered.stderr == "", rendered.stderr
    text = re.sub(r".\x08", "", rendered.stdout)
    for path in XML_DIR.glob("*.xml"):
        interface = ET.parse(path).getroot().find("interface")
        assert interface.get("name") in html and interface.get("name").upper() in text
        for member in interface:
            if member.tag in ("method", "signal", "property"):
                anchor = f'id="{interface.get("name")}.{member.get("name")}"'
                assert anchor in html, f"{anchor} missing from the HTML reference"
                assert re.search(rf"\b{member.get('name')}\b", text), f"{member.get('name')} not in the man page"
    assert text.count("Errors:") >= len(method_docs())
    assert "org.sportello.Error.NotFound" in roff.replace("\\-", "-").replace("\\&", "")


def contact_record(**fields):
    return {key: V("s", value) for key, value in fields.items()}


# (interface, method, signature, arguments, on the session) -> one documented error, or None
# when the method is documented never to fail. A session is a live call with baresip.
CALLS = [
    (AGENT, "Dial", "sa{ss}", ("not a target!", {}), False),
    (AGENT, "ListAgents", None, (), False),
    (AGENT, "ListQueues", None, (), False),
    (AGENT, "ListDispositionCodes", None, (), False),
    (AGENT, "GetDispositionPolicy", None, (), False),
    (AGENT, "ListCaseDataKeys", None, (), False),
    (AGENT, "SetReadiness", "ss", ("after-call-work", ""), False),
    (AGENT, "ListNotReadyReasons", None, (), False),
    (AGENT, "ImportLocalStore", None, (), False),
    (AGENT, "AddPushItem", "sssu", ("/nonexistent/clip.webm", "A clip", "", 0), False),
    (AGENT, "RemovePushItem", "s", ("no-such-item",), False),
    (CONTACTS, "Lookup", "s", ("sip:nobody@nowhere.example",), False),
    (CONTACTS, "Get", "s", ("no-such-contact",), False),
    (CONTACTS, "Save", "a{sv}", (contact_record(planet="Mars"),), False),
    (CONTACTS, "Delete", "s", ("no-such-contact",), False),
    (CONTACTS, "Import", "aa{sv}", ([contact_record(planet="Mars")],), False),
    (CONTACTS, "History", "suu", ("no-such-contact", 0, 0), False),
    (RESPONSES, "Get", "s", ("no-such-response",), False),
    (RESPONSES, "Save", "a{sv}", (contact_record(planet="Mars"),), False),
    (RESPONSES, "Delete", "s", ("no-such-response",), False),
    (RESPONSES, "Import", "aa{sv}", ([contact_record(planet="Mars")],), False),
    (RESPONSES, "Render", "so", ("no-such-response", ROOT + "/session/999"), False),
    (RESPONSES, "RenderForContact", "ssa{ss}", ("no-such-response", "no-such-contact", {}), False),
    (SESSION, "GetMediaStatistics", None, (), True),
    (SESSION, "Answer", None, (), True),
    (SESSION, "Reject", None, (), True),
    (SESSION, "Retrieve", None, (), True),
    (SESSION, "ActivateVideo", None, (), True),
    (SESSION, "DeactivateVideo", None, (), True),
    (SESSION, "StartPush", "s", ("no-such-item",), True),
    (SESSION, "StopPush", None, (), True),
    (SESSION, "SwapLayout", None, (), True),
    (SESSION, "SetAlwaysOnTop", "b", (True,), True),
    (SESSION, "Conference", "as", ([],), True),
    (SESSION, "CompleteConference", None, (), True),
    (SESSION, "DropParticipant", "s", ("nobody",), True),
    (SESSION, "Transfer", "ss", ("bob", ""), True),
    (SESSION, "ConsultTransfer", "ss", ("+39 02 1234", ""), True),
    (SESSION, "CompleteTransfer", None, (), True),
    (SESSION, "EndConsultation", None, (), True),
    (SESSION, "SetCaseData", "a{ss}", ({"NoSuchKey": "x"},), True),
    (SESSION, "SetDispositions", "as", (["no-such-code"],), True),
    (SESSION, "MarkDone", None, (), True),
    (SESSION, "StartCoBrowse", None, (), True),
    (SESSION, "StopCoBrowse", None, (), True),
    (COBROWSE, "Join", "ss", ("12345", "b-0123456789abcdef"), False),
    (COBROWSE, "JoinAgent", "s", ("no-such-key",), False),
    (COBROWSE, "Visited", "ss", ("no-such-session", "https://www.example.com/"), False),
    (COBROWSE, "Left", "ss", ("no-such-session", "customer"), False),
    (SESSION, "InviteBrowserVideo", None, (), True),
    (BROWSER_VIDEO, "Join", "ss", ("12345", "b-0123456789abcdef"), False),
    (BROWSER_VIDEO, "Offer", "ss", ("no-such-invitation", "v=0\r\n"), False),
    (BROWSER_VIDEO, "AddCandidate", "sus", ("no-such-invitation", 0, "candidate:1"), False),
    (BROWSER_VIDEO, "Leave", "ss", ("no-such-invitation", "closed"), False),
]

# With a damaged database: the methods whose only documented failure is the database, and the
# record of a call.
DATABASE_CALLS = [
    (AGENT, "ListPushItems", None, (), False),
    (CONTACTS, "Search", "su", ("rossi", 0), False),
    (RESPONSES, "Search", "su", ("", 0), False),
    (RESPONSES, "ListCategories", None, (), False),
    (SESSION, "AppendNote", "s", ("a note",), True),
    (SESSION, "SetNotepad", "s", ("notes",), True),
]


def call_and_check(testenv, docs, session, row):
    interface, method, signature, args, on_session = row
    path = session if on_session else ROOT
    expected = documented_errors(docs[(interface.rsplit(".", 1)[1], method)])
    if not expected:
        testenv.call(interface, method, signature, args, path=path)
        return f"{method}: ok"
    name, message = testenv.call_error(interface, method, signature, args, path=path)
    short = name.rsplit(".", 1)[1]
    assert name.startswith("org.sportello.Error.") and short in expected, \
        f"{interface}.{method} answered {name} ({message}); its doc lists {sorted(expected)}"
    return f"{method}: {short}"


def talking_call(testenv, phone):
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 20, what="talking")
    return path


def test_each_method_fails_as_documented(testenv):
    docs = method_docs()
    covered = {(i.rsplit(".", 1)[1], m) for i, m, *_ in CALLS + DATABASE_CALLS} | {
        ("Session1", "Hold"), ("Session1", "Disconnect")}
    assert covered == set(docs), f"rows missing for {set(docs) - covered}"

    port = free_port()
    proc = testenv.start_sportellod(config=sportello_config(testenv, port))
    phone = Baresip(testenv)
    session = talking_call(testenv, phone)
    seen = [call_and_check(testenv, docs, session, row) for row in CALLS]
    # The failed consultation left the contact on hold for the agent (as documented): Hold is
    # refused now; Disconnect works once, then is refused.
    assert testenv.get_property(SESSION, "State", path=session) == "held"
    seen.append(call_and_check(testenv, docs, session, (SESSION, "Hold", None, (), True)))
    testenv.call(SESSION, "Disconnect", path=session)
    seen.append(call_and_check(testenv, docs, session, (SESSION, "Disconnect", None, (), True)))
    testenv.call(SESSION, "MarkDone", path=session)
    testenv.stop_sportellod(proc)
    print("\n".join(seen))

    # A damaged database: what needs it answers Unavailable, as documented.
    testenv.db_path.write_bytes(os.urandom(4096))
    testenv.start_sportellod(config=sportello_config(testenv, free_port()))
    session = talking_call(testenv, phone)
    print("\n".join(call_and_check(testenv, docs, session, row) for row in DATABASE_CALLS))
    testenv.call(SESSION, "Disconnect", path=session)
    phone.close()
