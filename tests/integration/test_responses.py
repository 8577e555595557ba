"""Responses1 against the real sportellod: saving standard responses with checked placeholders,
search by words and category, categories, delete, all-or-nothing import, and rendering for the
agent alone or for a contact picked from the customer record."""

import sqlite3

import pytest
from gi.repository import GLib

from conftest import CONTACTS, RESPONSES

INVALID = "org.sportello.Error.InvalidArgument"
NOT_FOUND = "org.sportello.Error.NotFound"

V = GLib.Variant

CONFIG = """\
[account]
uri = sip:anna@pbx.example.com
display-name = Anna Bianchi
"""


def call_error(env, *args):
    """env.call_error, with the message freed of GDBus's "GDBus.Error:NAME: " prefix."""
    name, message = env.call_error(*args)
    prefix = f"GDBus.Error:{name}: "
    return name, message[len(prefix):] if message.startswith(prefix) else message


def response(**fields):
    return {key: V("s", value) for key, value in fields.items()}


def save(env, **fields):
    return env.call(RESPONSES, "Save", "a{sv}", (response(**fields),))


def save_error(env, **fields):
    return call_error(env, RESPONSES, "Save", "a{sv}", (response(**fields),))


def get(env, response_id):
    return env.call(RESPONSES, "Get", "s", (response_id,))


def search(env, text, limit=0):
    return env.call(RESPONSES, "Search", "su", (text, limit))


def titles(results):
    return [r["title"] for r in results]


def render(env, response_id, session="/"):
    return env.call(RESPONSES, "Render", "so", (response_id, session))


def render_for(env, response_id, contact_id="", attached=None):
    return env.call(RESPONSES, "RenderForContact", "ssa{ss}", (response_id, contact_id, attached or {}))


def count_rows(env):
    conn = sqlite3.connect(env.db_path, timeout=10)
    try:
        return conn.execute("SELECT count(*) FROM responses").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def agent(testenv):
    """sportellod with an agent name and address in its config."""
    proc = testenv.start_sportellod(config=testenv.write_config(CONFIG))
    yield testenv
    testenv.stop_sportellod(proc)


@pytest.fixture
def catalogue(service):
    ids = {
        "greeting": save(service, title="Greeting", category="opening",
                         body="Good morning, this is {agent.name}. How can I help?"),
        "refund": save(service, title="Refund policy", category="billing",
                       body="Refunds are paid within 14 days of the request."),
        "invoice": save(service, title="Invoice copy", category="billing",
                         body="A copy of your invoice is on its way by e-mail."),
        "reset": save(service, title="Password reset", category="technical",
                      body="Open the settings page and choose Reset password."),
        "bye": save(service, title="Goodbye", body="Thank you for calling."),
    }
    return ids


# -- Save, Get, Delete ----------------------------------------------------------------------------

def test_save_new_and_get(service):
    rid = save(service, title="Greeting", category="opening", body="Hello, I am {agent.name}.")
    assert rid.startswith("r-")
    assert get(service, rid) == {"id": rid, "title": "Greeting", "category": "opening",
                                 "body": "Hello, I am {agent.name}."}
    # Without a category it is empty.
    other = save(service, title="Bye", body="Bye.")
    assert other != rid
    assert get(service, other)["category"] == ""
    # With an id of our own.
    assert save(service, id="crm-greet", title="Hi", body="Hi!") == "crm-greet"
    assert get(service, "crm-greet")["body"] == "Hi!"


def test_update_keeps_unspecified_fields(catalogue, service):
    rid = catalogue["refund"]
    assert save(service, id=rid, body="Refunds are paid within 7 days.") == rid
    assert get(service, rid) == {"id": rid, "title": "Refund policy", "category": "billing",
                                 "body": "Refunds are paid within 7 days."}
    # An update needs neither title nor body.
    save(service, id=rid, category="payments")
    assert get(service, rid)["category"] == "payments"
    assert get(service, rid)["title"] == "Refund policy"


@pytest.mark.parametrize("fields", [
    dict(title="Only a title"),
    dict(body="Only a body"),
    dict(title="", body="Empty title"),
    dict(title="Empty body", body=""),
    dict(id="new-one", title="A title"),
])
def test_new_needs_title_and_body(service, fields):
    name, message = save_error(service, **fields)
    assert name == INVALID
    assert "'title'" in message and "'body'" in message
    assert count_rows(service) == 0


@pytest.mark.parametrize("fields, key, words", [
    (dict(title="T", body="B", colour="red"), "colour", ["unknown key"]),
    (dict(id="", title="T", body="B"), "id", ["must not be empty"]),
    (dict(id="../greeting", title="T", body="B"), "id", ["not a valid id", "A-Z"]),
    (dict(id="greeting?x=1", title="T", body="B"), "id", ["not a valid id"]),
])
def test_save_bad_keys(service, fields, key, words):
    name, message = save_error(service, **fields)
    assert name == INVALID
    assert f"'{key}'" in message
    for word in words:
        assert word in message
    assert count_rows(service) == 0


def test_save_wrong_value_type(service):
    name, message = call_error(service, RESPONSES, "Save", "a{sv}",
                               ({"title": V("i", 1), "body": V("s", "B")},))
    assert name == INVALID
    assert "'title'" in message and "(s)" in message


def test_get_and_delete(catalogue, service):
    rid = catalogue["reset"]
    service.call(RESPONSES, "Delete", "s", (rid,))
    name, message = call_error(service, RESPONSES, "Get", "s", (rid,))
    assert name == NOT_FOUND
    assert rid in message
    assert call_error(service, RESPONSES, "Delete", "s", (rid,))[0] == NOT_FOUND
    assert "Password reset" not in titles(search(service, ""))
    assert "technical" not in service.call(RESPONSES, "ListCategories")
    assert count_rows(service) == 4


# -- Search and categories ------------------------------------------------------------------------

def test_search_words_prefix(catalogue, service):
    assert titles(search(service, "refund")) == ["Refund policy"]
    assert titles(search(service, "ref pol")) == ["Refund policy"]
    assert titles(search(service, "PASSW")) == ["Password reset"]
    # Bodies are searched as well as titles.
    assert titles(search(service, "e-mail")) == ["Invoice copy"]
    assert titles(search(service, "14 days")) == ["Refund policy"]
    assert search(service, "refund invoice") == []
    assert search(service, "nothing-like-this") == []
    assert search(service, "refund")[0] == get(service, catalogue["refund"])


def test_search_category(catalogue, service):
    assert sorted(titles(search(service, "category:billing"))) == ["Invoice copy", "Refund policy"]
    assert sorted(titles(search(service, "category:BILLING"))) == ["Invoice copy", "Refund policy"]
    assert titles(search(service, "category:billing refund")) == ["Refund policy"]
    assert titles(search(service, "refund category:Billing")) == ["Refund policy"]
    assert titles(search(service, "copy category:billing")) == ["Invoice copy"]
    # A word from another category finds nothing inside this one.
    assert search(service, "category:billing password") == []
    assert search(service, "category:nosuch") == []


def test_search_empty_lists_all(catalogue, service):
    assert sorted(titles(search(service, ""))) == sorted(
        ["Greeting", "Refund policy", "Invoice copy", "Password reset", "Goodbye"])
    assert len(search(service, "", 2)) == 2
    assert len(search(service, "   ", 0)) == 5


def test_search_limit(service):
    records = [response(title=f"Template {i:02d}", body="same words here") for i in range(60)]
    assert service.call(RESPONSES, "Import", "aa{sv}", (records,)) == 60
    assert len(search(service, "same", 0)) == 50
    assert len(search(service, "same", 3)) == 3
    assert len(search(service, "", 0)) == 50
    assert len(search(service, "", 100)) == 60


@pytest.mark.parametrize("text", ['"', "*", "refund AND", "(", "-", "NEAR(a b)", "title:refund", "category:"])
def test_search_syntax_characters(catalogue, service, text):
    assert isinstance(search(service, text), list)
    assert get(service, catalogue["refund"])["title"] == "Refund policy"


def test_list_categories(catalogue, service):
    assert service.call(RESPONSES, "ListCategories") == ["billing", "opening", "technical"]
    save(service, title="Another", category="billing", body="x")
    save(service, title="Escalation", category="allarme", body="y")
    assert service.call(RESPONSES, "ListCategories") == ["allarme", "billing", "opening", "technical"]


def test_list_categories_empty(service):
    assert service.call(RESPONSES, "ListCategories") == []


# -- Import ---------------------------------------------------------------------------------------

def test_import_all(service):
    records = [response(id=f"imp-{i}", title=f"Imported {i}", category="bulk", body=f"Body {i}") for i in range(4)]
    assert service.call(RESPONSES, "Import", "aa{sv}", (records,)) == 4
    assert get(service, "imp-2")["title"] == "Imported 2"
    assert service.call(RESPONSES, "ListCategories") == ["bulk"]


@pytest.mark.parametrize("position, bad, words", [
    (3, response(title="No body"), ["'body'"]),
    (2, response(title="Bad", body="Dear {contact.shoe_size}"), ["{contact.shoe_size}"]),
    (4, response(title="Bad", body="Dear {"), ["'{'"]),
    (1, response(title="Bad", body="Hi", mood="grumpy"), ["'mood'"]),
    (5, {"title": V("u", 9), "body": V("s", "Hi")}, ["'title'"]),
])
def test_import_is_all_or_nothing(catalogue, service, position, bad, words):
    records = [response(id=f"imp-{i}", title=f"Imported {i}", body=f"Body {i}") for i in range(1, 6)]
    records[position - 1] = bad
    name, message = call_error(service, RESPONSES, "Import", "aa{sv}", (records,))
    assert name == INVALID
    assert message.startswith(f"record {position}: "), message
    for word in words:
        assert word in message
    for i in range(1, 6):
        assert call_error(service, RESPONSES, "Get", "s", (f"imp-{i}",))[0] == NOT_FOUND
    assert count_rows(service) == 5
    assert get(service, catalogue["bye"])["body"] == "Thank you for calling."


# -- Placeholders checked at Save -----------------------------------------------------------------

@pytest.mark.parametrize("body, named", [
    ("Your size is {contact.shoe_size}.", "{contact.shoe_size}"),
    ("Hello {foo}!", "{foo}"),
    ("Hello {agent.phone}", "{agent.phone}"),
    ("Hello {customer.name}", "{customer.name}"),
    ("Hello {contact.}", "{contact.}"),
])
def test_unknown_placeholder_refused(catalogue, service, body, named):
    name, message = save_error(service, title="Bad", body=body)
    assert name == INVALID
    assert named in message
    assert "unknown placeholder" in message
    # Nor can an existing response be changed to hold one.
    name, message = save_error(service, id=catalogue["bye"], body=body)
    assert name == INVALID and named in message
    assert get(service, catalogue["bye"])["body"] == "Thank you for calling."
    assert count_rows(service) == 5


@pytest.mark.parametrize("body", ["a { b", "a } b", "{", "}", "{}", "{agent.name", "agent.name}", "{{agent.name}"])
def test_lone_braces_refused(service, body):
    name, message = save_error(service, title="Braces", body=body)
    assert name == INVALID
    assert "{{" in message or "}}" in message  # the message says how to write a literal brace
    assert count_rows(service) == 0


def test_every_documented_placeholder_is_accepted(service):
    body = ("{agent.name} {agent.uri} {contact.first-name} {contact.last-name} {contact.organisation} "
            "{contact.email} {contact.id} {attached.Anything} {case.Priority} {session.remote} "
            "{contact.first_name} {contact.last_name} { agent.name }")
    rid = save(service, title="All", body=body)
    assert get(service, rid)["body"] == body


# -- Render ---------------------------------------------------------------------------------------

def test_render_for_agent(agent):
    rid = save(agent, title="Greeting", body="Good morning, this is {agent.name} ({agent.uri}).")
    assert render(agent, rid) == "Good morning, this is Anna Bianchi (sip:anna@pbx.example.com)."


def test_render_literal_braces(agent):
    rid = save(agent, title="Braces", body="Write {{your code}} as {{ and }}, {agent.name}: {{{agent.name}}}")
    assert get(agent, rid)["body"] == "Write {{your code}} as {{ and }}, {agent.name}: {{{agent.name}}}"
    assert render(agent, rid) == "Write {your code} as { and }, Anna Bianchi: {Anna Bianchi}"


def test_render_needs_a_contact(agent):
    rid = save(agent, title="Dear", body="Dear {contact.first-name}, {agent.name} here.")
    name, message = call_error(agent, RESPONSES, "Render", "so", (rid, "/"))
    assert name == INVALID
    assert "{contact.first-name}" in message
    assert "Anna" not in message  # no half-rendered text


def test_render_unknown_session(agent):
    rid = save(agent, title="Greeting", body="Hello from {agent.name}.")
    name, message = call_error(agent, RESPONSES, "Render", "so", (rid, "/org/sportello/Sportello1/session/99"))
    assert name == NOT_FOUND
    assert "/org/sportello/Sportello1/session/99" in message


def test_render_unknown_response(agent):
    name, message = call_error(agent, RESPONSES, "Render", "so", ("r-nope", "/"))
    assert name == NOT_FOUND
    assert "r-nope" in message


@pytest.fixture
def giulia(agent):
    return agent.call(CONTACTS, "Save", "a{sv}", ({
        "first-name": V("s", "Giulia"), "last-name": V("s", "Verdi"), "organisation": V("s", "Verdi & figli"),
        "email": V("s", ""), "addresses": V("as", ["+39 02 777"])},))


def test_render_for_contact(agent, giulia):
    rid = save(agent, title="Account", category="billing",
               body="Dear {contact.first_name} {contact.last-name} ({contact.organisation}, {contact.id}): "
                    "account {attached.AccountNumber} is handled by {agent.name}. Hi {contact.first-name}!")
    text = render_for(agent, rid, giulia, {"AccountNumber": "123"})
    assert text == (f"Dear Giulia Verdi (Verdi & figli, {giulia}): account 123 is handled by Anna Bianchi. "
                    "Hi Giulia!")


def test_render_for_contact_missing_attached_key(agent, giulia):
    rid = save(agent, title="Account", body="Account {attached.AccountNumber} of {contact.first-name}")
    name, message = call_error(agent, RESPONSES, "RenderForContact", "ssa{ss}", (rid, giulia, {"Other": "1"}))
    assert name == INVALID
    assert "{attached.AccountNumber}" in message
    # An empty value is no value either: never blank text in front of a customer.
    name, message = call_error(agent, RESPONSES, "RenderForContact", "ssa{ss}",
                               (rid, giulia, {"AccountNumber": ""}))
    assert name == INVALID
    assert "{attached.AccountNumber}" in message


def test_render_for_contact_empty_field(agent, giulia):
    rid = save(agent, title="Mail", body="We wrote to {contact.email}.")
    name, message = call_error(agent, RESPONSES, "RenderForContact", "ssa{ss}", (rid, giulia, {}))
    assert name == INVALID
    assert "{contact.email}" in message


def test_render_for_no_contact(agent):
    rid = save(agent, title="Plain", body="{agent.name}, ref {attached.Ref}")
    assert render_for(agent, rid, "", {"Ref": "R-9"}) == "Anna Bianchi, ref R-9"
    rid = save(agent, title="Dear", body="Dear {contact.first-name}")
    name, message = call_error(agent, RESPONSES, "RenderForContact", "ssa{ss}", (rid, "", {}))
    assert name == INVALID and "{contact.first-name}" in message


def test_render_for_contact_unknown_ids(agent, giulia):
    rid = save(agent, title="Dear", body="Dear {contact.first-name}")
    name, message = call_error(agent, RESPONSES, "RenderForContact", "ssa{ss}", (rid, "c-ghost", {}))
    assert name == NOT_FOUND
    assert "c-ghost" in message
    name, message = call_error(agent, RESPONSES, "RenderForContact", "ssa{ss}", ("r-ghost", giulia, {}))
    assert name == NOT_FOUND
    assert "r-ghost" in message
    # And the service is still there.
    assert render_for(agent, rid, giulia) == "Dear Giulia"
