"""Contacts1 against the real sportellod and its SQLite file: saving and updating, address
normalisation for the screen pop, full-text search, delete, all-or-nothing import, input
validation, and the history of interactions written straight into the database."""

import json
import sqlite3

import pytest
from gi.repository import Gio, GLib

from conftest import AGENT, CONTACTS, NAME, ROOT

INVALID = "org.sportello.Error.InvalidArgument"
NOT_FOUND = "org.sportello.Error.NotFound"

V = GLib.Variant


def record(**fields):
    """An a{sv} contact record; keys use dashes, addresses become as."""
    out = {}
    for key, value in fields.items():
        key = key.replace("_", "-")
        out[key] = V("as", value) if key == "addresses" else V("s", value)
    return out


def save(env, **fields):
    return env.call(CONTACTS, "Save", "a{sv}", (record(**fields),))


def get(env, contact_id):
    return env.call(CONTACTS, "Get", "s", (contact_id,))


def lookup(env, address):
    return env.call(CONTACTS, "Lookup", "s", (address,))


def search(env, text, limit=0):
    return env.call(CONTACTS, "Search", "su", (text, limit))


def call_error(env, *args):
    """env.call_error, with the message freed of GDBus's "GDBus.Error:NAME: " prefix (GLib.Error
    in Python is a copy, so conftest's strip_remote_error does not reach it)."""
    name, message = env.call_error(*args)
    prefix = f"GDBus.Error:{name}: "
    return name, message[len(prefix):] if message.startswith(prefix) else message


def still_serving(env, contact_id):
    """After a refused call the service must still answer, with the data unchanged."""
    assert env.name_has_owner()
    return get(env, contact_id)


def db(env):
    return sqlite3.connect(env.db_path, timeout=10)


def db_rows(env, sql, args=()):
    conn = db(env)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture
def maria(service):
    contact_id = save(service, first_name="Maria", last_name="Rossi", organisation="Rossi Milano Spa",
                      email="maria.rossi@example.com", notes="prefers mornings",
                      addresses=["+39 02 1234", "sip:maria@Host.Example.COM"])
    return contact_id


# -- Save and Get ---------------------------------------------------------------------------------

def test_save_new_then_get(service):
    contact_id = save(service, first_name="Maria", last_name="Rossi", email="maria@example.com",
                      addresses=["+39 02 1234"])
    assert contact_id.startswith("c-")
    assert get(service, contact_id) == {
        "id": contact_id, "first-name": "Maria", "last-name": "Rossi", "organisation": "", "email": "maria@example.com",
        "notes": "", "addresses": ["+39 02 1234"]}
    # Another new contact gets another id.
    assert save(service, first_name="Luca") != contact_id
    assert db_rows(service, "SELECT id, first_name, last_name FROM contacts WHERE id = ?", (contact_id,)) == [
        (contact_id, "Maria", "Rossi")]


def test_save_with_given_id_creates_it(service):
    assert save(service, id="crm-4711", first_name="Paolo", addresses=["sip:paolo@example.com"]) == "crm-4711"
    assert get(service, "crm-4711")["first-name"] == "Paolo"
    assert get(service, "crm-4711")["addresses"] == ["sip:paolo@example.com"]


def test_update_keeps_unspecified_fields_and_replaces_addresses(maria, service):
    assert save(service, id=maria, email="m.rossi@example.org", addresses=["+39 06 5555", "+39 333 1112222"]) == maria
    contact = get(service, maria)
    assert contact == {
        "id": maria, "first-name": "Maria", "last-name": "Rossi", "organisation": "Rossi Milano Spa",
        "email": "m.rossi@example.org", "notes": "prefers mornings", "addresses": ["+39 06 5555", "+39 333 1112222"]}
    # The old addresses are gone: nobody owns them any more.
    assert call_error(service, CONTACTS, "Lookup", "s", ("+39021234",))[0] == NOT_FOUND
    assert lookup(service, "+39065555")["id"] == maria
    # Without 'addresses' the list is kept; an empty list clears it.
    save(service, id=maria, notes="")
    assert get(service, maria)["addresses"] == ["+39 06 5555", "+39 333 1112222"]
    assert get(service, maria)["notes"] == ""
    save(service, id=maria, addresses=[])
    assert get(service, maria)["addresses"] == []
    assert db_rows(service, "SELECT count(*) FROM contact_addresses") == [(0,)]


def test_get_unknown(service):
    name, message = call_error(service, CONTACTS, "Get", "s", ("c-nobody",))
    assert name == NOT_FOUND
    assert "c-nobody" in message


# -- Lookup ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "+39 02 1234",
    "+39021234",
    "tel:+39-02-1234",
    "sip:+39021234@pbx.example.com;user=phone",
    '"Maria" <sip:+39021234@host>',
    "0039021234",
    "+39 (02) 12.34",
    "sip:+39-02-1234;npdi@pbx.example.com;user=phone",  # user-part parameters (RFC 4694)
])
def test_lookup_normalises(maria, service, address):
    contact = lookup(service, address)
    assert contact["id"] == maria
    assert contact["first-name"] == "Maria"
    assert contact["addresses"] == ["+39 02 1234", "sip:maria@Host.Example.COM"]


@pytest.mark.parametrize("address", [
    "sip:maria@host.example.com",
    "sip:maria@HOST.EXAMPLE.COM:5060",
    "<sips:maria@host.example.com;transport=tls>",
])
def test_lookup_sip_host_case_insensitive(maria, service, address):
    assert lookup(service, address)["id"] == maria


def test_lookup_sip_user_is_case_sensitive(maria, service):
    # RFC 3261 §19.1.4: the user part compares case-sensitively.
    assert call_error(service, CONTACTS, "Lookup", "s", ("sip:Maria@host.example.com",))[0] == NOT_FOUND


def test_lookup_with_other_international_prefix(testenv):
    config = testenv.write_config("[contacts]\ninternational-prefix = 011\n")
    proc = testenv.start_sportellod(config=config)
    contact_id = save(testenv, first_name="Joe", addresses=["+1 555 0100"])
    assert lookup(testenv, "0111 555 0100")["id"] == contact_id
    # 00 is no international prefix in this config.
    assert call_error(testenv, CONTACTS, "Lookup", "s", ("0015550100",))[0] == NOT_FOUND
    testenv.stop_sportellod(proc)


def test_lookup_unknown_and_invalid(maria, service):
    name, message = call_error(service, CONTACTS, "Lookup", "s", ("+39 02 9999",))
    assert name == NOT_FOUND
    assert "+39 02 9999" in message
    for bad in ("hello world", "", "sip:@example.com", "tel:"):
        name, message = call_error(service, CONTACTS, "Lookup", "s", (bad,))
        assert name == INVALID, bad
        assert f"'{bad}'" in message
        assert still_serving(service, maria)["first-name"] == "Maria"


# -- Search ---------------------------------------------------------------------------------------

@pytest.fixture
def people(service):
    ids = {}
    ids["rossi"] = save(service, first_name="Maria", last_name="Rossi", organisation="Rossi of Milano Spa",
                        email="maria.rossi@example.com")
    ids["muller"] = save(service, first_name="Jürgen", last_name="Müller", organisation="Bäckerei Müller GmbH",
                         email="jm@baeckerei.de")
    ids["bianchi"] = save(service, first_name="Luca", last_name="Bianchi", organisation="Acme",
                          email="luca@acme.example", notes="called about the Milano invoice")
    ids["verdi"] = save(service, first_name="Giulia", last_name="Verdi", organisation="Verdi & figli",
                        email="giulia@verdi.example", notes="VIP customer")
    return ids


def ids_of(results):
    return [r["id"] for r in results]


def test_search_prefix_words(people, service):
    assert ids_of(search(service, "ros mil")) == [people["rossi"]]
    assert ids_of(search(service, "ROSSI")) == [people["rossi"]]
    assert set(ids_of(search(service, "mil"))) == {people["rossi"], people["bianchi"]}
    # organisation, e-mail and notes are indexed too.
    assert ids_of(search(service, "acme")) == [people["bianchi"]]
    assert ids_of(search(service, "giulia@verdi")) == [people["verdi"]]
    assert ids_of(search(service, "invoice")) == [people["bianchi"]]
    assert ids_of(search(service, "vip")) == [people["verdi"]]
    # Every word must match.
    assert search(service, "rossi acme") == []
    assert search(service, "nobody") == []
    assert search(service, "") == []
    assert search(service, "   ") == []
    # Full records come back.
    assert search(service, "luca")[0] == get(service, people["bianchi"])


def test_search_ignores_accents(people, service):
    assert ids_of(search(service, "muller")) == [people["muller"]]
    assert ids_of(search(service, "Müller")) == [people["muller"]]
    assert ids_of(search(service, "jurg")) == [people["muller"]]
    assert ids_of(search(service, "backerei")) == [people["muller"]]


def test_search_limit(service):
    for i in range(60):
        save(service, first_name=f"Sara{i}", last_name="Colombo")
    assert len(search(service, "colombo", 7)) == 7
    assert len(search(service, "colombo", 1)) == 1
    assert len(search(service, "colombo", 0)) == 50  # 0 means the default of 50
    assert len(search(service, "colombo", 100)) == 60


@pytest.mark.parametrize("text", [
    '"', '""', '"rossi', 'rossi"', "*", "ros*", "rossi AND verdi", "rossi OR", "NOT", "(", ")", "(rossi",
    "-", "-rossi", "rossi -verdi", "^", "rossi:", "first_name:maria", "NEAR(rossi verdi)", "'", "+", "{rossi}",
    "a\\b", "%", "é", "\t\n",
])
def test_search_fts_syntax_is_plain_text(people, service, text):
    results = service.call(CONTACTS, "Search", "su", (text, 0))
    assert isinstance(results, list)
    assert still_serving(service, people["rossi"])["last-name"] == "Rossi"


def test_search_syntax_words_match_as_words(people, service):
    # 'AND' is a word like any other: nobody has it, so nothing matches.
    assert search(service, "rossi AND") == []
    # A column filter is not one: "first_name:maria" is two words, neither in the records.
    assert search(service, "first_name:maria") == []
    # Punctuation around a word does not stop it from matching.
    assert ids_of(search(service, '"rossi"')) == [people["rossi"]]
    assert ids_of(search(service, "(rossi)")) == [people["rossi"]]


# -- Delete ---------------------------------------------------------------------------------------

def insert_interaction(conn, contact_id, iid, started, status="done", answered=None, ended=None, **extra):
    answered = started + 2_000_000 if answered is None else answered
    ended = answered + 60_000_000 if ended is None else ended
    row = {"id": iid, "direction": "inbound", "remote": "sip:+39021234@pbx.example.com", "remote_name": "",
           "started": started, "answered": answered, "ended": ended, "status": status, "end_actor": "",
           "end_reason": "", "video": 0, "attached_data": "{}", "case_data": "{}", "notes": ""}
    row.update(extra)
    columns = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    cur = conn.execute(f"INSERT INTO interactions (contact, {columns}) SELECT rowid, {marks} FROM contacts "
                       "WHERE id = ?", tuple(row.values()) + (contact_id,))
    assert cur.rowcount == 1
    return cur.lastrowid


def test_delete_keeps_history_without_contact(maria, service):
    conn = db(service)
    with conn:
        insert_interaction(conn, maria, "i-old", 1_700_000_000_000_000, notes="first call")
    conn.close()
    assert len(service.call(CONTACTS, "History", "suu", (maria, 0, 0))) == 1

    service.call(CONTACTS, "Delete", "s", (maria,))
    assert call_error(service, CONTACTS, "Get", "s", (maria,))[0] == NOT_FOUND
    assert call_error(service, CONTACTS, "Lookup", "s", ("+39021234",))[0] == NOT_FOUND
    assert search(service, "rossi") == []
    assert call_error(service, CONTACTS, "History", "suu", (maria, 0, 0))[0] == NOT_FOUND
    assert call_error(service, CONTACTS, "Delete", "s", (maria,))[0] == NOT_FOUND
    # The interaction stays, now without a contact; the addresses are gone with the contact.
    assert db_rows(service, "SELECT id, contact, notes FROM interactions") == [("i-old", None, "first call")]
    assert db_rows(service, "SELECT count(*) FROM contact_addresses") == [(0,)]
    # The freed address can be given to someone else.
    other = save(service, first_name="Nuovo", addresses=["+39 02 1234"])
    assert lookup(service, "+39021234")["id"] == other


# -- Import ---------------------------------------------------------------------------------------

def test_import_all(service):
    records = [record(id=f"crm-{i}", first_name=f"Name{i}", addresses=[f"+39 02 100{i}"]) for i in range(5)]
    assert service.call(CONTACTS, "Import", "aa{sv}", (records,)) == 5
    assert lookup(service, "+39021003")["id"] == "crm-3"
    assert db_rows(service, "SELECT count(*) FROM contacts") == [(5,)]


@pytest.mark.parametrize("bad, words", [
    (record(first_name="Bad", shoe_size="44"), ["unknown key 'shoe-size'"]),
    ({"first-name": V("i", 3)}, ["'first-name'", "(s)"]),
    (record(addresses=["hello world"]), ["'hello world'"]),
    (record(addresses=["+39 02 1000"]), ["+39 02 1000", "crm-0"]),  # owned by record 1
])
def test_import_is_all_or_nothing(maria, service, bad, words):
    records = [record(id=f"crm-{i}", first_name=f"Name{i}", addresses=[f"+39 02 100{i}"]) for i in range(5)]
    records[2] = bad
    name, message = call_error(service, CONTACTS, "Import", "aa{sv}", (records,))
    assert name == INVALID
    assert message.startswith("record 3: "), message
    for word in words:
        assert word in message
    for i in range(5):
        assert call_error(service, CONTACTS, "Get", "s", (f"crm-{i}",))[0] == NOT_FOUND
    assert db_rows(service, "SELECT id FROM contacts") == [(maria,)]
    assert db_rows(service, "SELECT count(*) FROM contact_addresses") == [(2,)]
    assert still_serving(service, maria)["first-name"] == "Maria"


def test_import_empty(service):
    assert service.call(CONTACTS, "Import", "aa{sv}", ([],)) == 0


# -- Bad input ------------------------------------------------------------------------------------

def test_address_owned_by_another_contact(maria, service):
    name, message = call_error(service, CONTACTS, "Save", "a{sv}",
                                       (record(first_name="Intruder", addresses=["tel:+39-02-1234"]),))
    assert name == INVALID
    assert f"'{maria}'" in message
    assert "tel:+39-02-1234" in message
    # Nothing was stored: no half-saved contact.
    assert db_rows(service, "SELECT count(*) FROM contacts") == [(1,)]
    assert search(service, "intruder") == []
    # Moving an address between a contact's own list is fine.
    save(service, id=maria, addresses=["sip:maria@host.example.com", "+39021234"])
    assert lookup(service, "+39 02 1234")["id"] == maria


@pytest.mark.parametrize("contact, key, words", [
    (record(first_name="X", favourite_colour="blue"), "favourite-colour", ["unknown key"]),
    ({"first-name": V("i", 7)}, "first-name", ["(s)", "not i"]),
    ({"notes": V("as", ["a"])}, "notes", ["(s)", "not as"]),
    (record(id=""), "id", ["must not be empty"]),
    ({"addresses": V("s", "+39 02 1234")}, "addresses", ["(as)", "not s"]),
    ({"id": V("u", 5)}, "id", ["(s)"]),
    (record(addresses=["hello world"]), None, ["'hello world'"]),
])
def test_save_bad_input(maria, service, contact, key, words):
    name, message = call_error(service, CONTACTS, "Save", "a{sv}", (contact,))
    assert name == INVALID
    if key:
        assert f"'{key}'" in message
    for word in words:
        assert word in message
    assert still_serving(service, maria)["first-name"] == "Maria"
    assert db_rows(service, "SELECT count(*) FROM contacts") == [(1,)]


UNSAFE_IDS = ["../x", "a/b", "x y", "crm.1", "\u00e8", "x\x01", "a" * 65, "/org/sportello/x"]


@pytest.mark.parametrize("bad_id", UNSAFE_IDS)
def test_unsafe_ids_are_refused(maria, service, bad_id):
    # Ids end up in file names, URLs and D-Bus object paths: 1 to 64 of [A-Za-z0-9_-].
    name, message = call_error(service, CONTACTS, "Save", "a{sv}", (record(id=bad_id, first_name="X"),))
    assert name == INVALID
    assert "'id'" in message and ("A-Z" in message or "1 to 64" in message), message
    name, message = call_error(service, CONTACTS, "Import", "aa{sv}",
                               ([record(id="fine-1", first_name="A"), record(id=bad_id, first_name="B")],))
    assert name == INVALID and message.startswith("record 2: key 'id'"), message
    # Nothing stored, not even the good first record; the service goes on.
    assert db_rows(service, "SELECT id FROM contacts") == [(maria,)]
    assert still_serving(service, maria)["first-name"] == "Maria"


def test_the_widest_safe_id_is_kept(service):
    widest = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    assert save(service, id=widest, organisation="Acme") == widest
    assert get(service, widest)["organisation"] == "Acme"


@pytest.mark.parametrize("contact", [
    {},
    record(notes="a note about nobody"),
    record(first_name="  ", last_name="\t", organisation="", email=" ", addresses=[]),
])
def test_a_contact_needs_a_name_organisation_address_or_email(maria, service, contact):
    name, message = call_error(service, CONTACTS, "Save", "a{sv}", (contact,))
    assert name == INVALID
    assert "needs a name, an organisation, an address or an e-mail address" in message
    name, message = call_error(service, CONTACTS, "Import", "aa{sv}", ([record(first_name="Ok"), contact],))
    assert name == INVALID and message.startswith("record 2: a contact needs"), message
    assert db_rows(service, "SELECT id FROM contacts") == [(maria,)]
    # An update cannot blank the last thing either.
    only = save(service, first_name="Solo")
    name, _ = call_error(service, CONTACTS, "Save", "a{sv}", (record(id=only, first_name=""),))
    assert name == INVALID
    assert get(service, only)["first-name"] == "Solo"
    # Any one of them is enough.
    for fields in (dict(last_name="Neri"), dict(organisation="Acme"), dict(email="a@example.com"),
                   dict(addresses=["+39 02 7777"])):
        assert save(service, **fields)


@pytest.mark.parametrize("method, signature, args", [
    ("Save", "s", ("Maria",)),
    ("Save", "a{ss}", ({"first-name": "Maria"},)),
    ("Get", "u", (3,)),
    ("Lookup", "ss", ("+39021234", "x")),
    ("Search", "s", ("rossi",)),
    ("History", "suu", None),
    ("History", "sii", ("x", -1, -1)),
    ("Import", "a{sv}", ({},)),
])
def test_wrong_dbus_signature(maria, service, method, signature, args):
    params = V(f"({signature})", args) if args is not None else None
    try:
        service.connection.call_sync(NAME, ROOT, CONTACTS, method, params, None, Gio.DBusCallFlags.NONE, -1, None)
    except GLib.Error as error:
        assert Gio.DBusError.get_remote_error(error) == "org.freedesktop.DBus.Error.InvalidArgs"
    else:
        pytest.fail(f"{method}{signature} was accepted")
    assert still_serving(service, maria)["first-name"] == "Maria"


# -- History --------------------------------------------------------------------------------------

T0 = 1_700_000_000_000_000  # µs since the epoch
HOUR = 3_600_000_000


@pytest.fixture
def history(maria, service):
    """45 finished interactions for Maria, an hour apart, plus dispositions and pushes; one 'live'
    row (never listed) and one 'interrupted' row (listed); and one for another contact."""
    other = save(service, first_name="Other", addresses=["+39 06 1"])
    conn = db(service)
    with conn:
        for n in range(45):
            started = T0 + n * HOUR
            fields = dict(direction="outbound" if n % 2 else "inbound", remote=f"sip:+3902{n:04d}@pbx.example.com",
                          remote_name=f"Caller {n}", end_actor="remote" if n % 3 else "agent",
                          end_reason="hangup", video=n % 4 == 0, notes=f"note {n}",
                          attached_data=json.dumps({"Ticket": f"T-{n}", "Queue": "billing"}),
                          case_data=json.dumps({"Priority": str(n % 3)}))
            if n == 10:  # rang but was never answered
                fields.update(answered=0, ended=started + 30_000_000)
            else:
                fields.update(answered=started + 5_000_000, ended=started + 5_000_000 + (n + 1) * 1_000_250)
            rowid = insert_interaction(conn, maria, f"i-{n:02d}", started, **fields)
            if n == 44:
                conn.executemany("INSERT INTO interaction_dispositions (interaction, code) VALUES (?, ?)",
                                 [(rowid, "resolved"), (rowid, "callback")])
                conn.executemany("INSERT INTO interaction_pushes (interaction, item_id, started, ended, ended_by)"
                                 " VALUES (?, ?, ?, ?, ?)",
                                 [(rowid, "p-b", started + 9_000_000, started + 12_000_000, "end-of-clip"),
                                  (rowid, "p-a", started + 6_000_000, started + 8_000_000, "stop")])
        insert_interaction(conn, maria, "i-live", T0 + 100 * HOUR, status="live", answered=0, ended=0,
                           notes="typing…")
        insert_interaction(conn, maria, "i-interrupted", T0 + 50 * HOUR, status="interrupted",
                           answered=T0 + 50 * HOUR + 1_000_000, ended=0, end_actor="system",
                           end_reason="service-restarted", notes="cut off")
        insert_interaction(conn, other, "i-other", T0 + 60 * HOUR)
    conn.close()
    return maria


def history_call(env, contact_id, offset, limit):
    return env.call(CONTACTS, "History", "suu", (contact_id, offset, limit))


def test_history_record_keys_and_values(history, service):
    page = history_call(service, history, 0, 20)
    assert len(page) == 20
    # Newest first: the interrupted row (T0+50h), then 44, 43, ...; never the live one.
    assert [r["id"] for r in page] == ["i-interrupted"] + [f"i-{n:02d}" for n in range(44, 25, -1)]
    assert [r["started"] for r in page] == sorted((r["started"] for r in page), reverse=True)

    interrupted = page[0]
    assert interrupted["status"] == "interrupted"
    assert interrupted["notes"] == "cut off"
    assert interrupted["end-actor"] == "system" and interrupted["end-reason"] == "service-restarted"
    assert interrupted["ended"] == 0 and interrupted["duration-ms"] == 0

    newest = page[1]
    started = T0 + 44 * HOUR
    assert newest == {
        "id": "i-44", "contact-id": history, "direction": "inbound", "remote": "sip:+39020044@pbx.example.com",
        "remote-name": "Caller 44", "started": started, "answered": started + 5_000_000,
        "ended": started + 5_000_000 + 45 * 1_000_250, "duration-ms": 45_011, "status": "done",
        "end-actor": "remote", "end-reason": "hangup", "video": True, "notes": "note 44",
        "dispositions": ["callback", "resolved"],
        "attached-data": {"Ticket": "T-44", "Queue": "billing"}, "case-data": {"Priority": "2"},
        "pushes": [
            {"item-id": "p-a", "started": started + 6_000_000, "ended": started + 8_000_000, "ended-by": "stop"},
            {"item-id": "p-b", "started": started + 9_000_000, "ended": started + 12_000_000,
             "ended-by": "end-of-clip"},
        ],
        "participants": [],  # a record written before conferences, or a call without one
        "co-browse": [], "encrypted": False}
    assert page[2]["direction"] == "outbound" and page[2]["video"] is False
    assert page[2]["dispositions"] == [] and page[2]["pushes"] == []


def test_history_types(history, service):
    reply = service.connection.call_sync(NAME, ROOT, CONTACTS, "History", V("(suu)", (history, 0, 1)), None,
                                         Gio.DBusCallFlags.NONE, -1, None)
    assert reply.get_type_string() == "(aa{sv})"
    first = reply.get_child_value(0).get_child_value(0)
    types = {}
    for i in range(first.n_children()):
        entry = first.get_child_value(i)
        types[entry.get_child_value(0).get_string()] = entry.get_child_value(1).get_variant().get_type_string()
    assert types == {
        "id": "s", "contact-id": "s", "direction": "s", "remote": "s", "remote-name": "s", "started": "x",
        "answered": "x", "ended": "x", "duration-ms": "t", "status": "s", "end-actor": "s", "end-reason": "s",
        "video": "b", "notes": "s", "dispositions": "as", "attached-data": "a{ss}", "case-data": "a{ss}",
        "pushes": "aa{sv}", "participants": "aa{sv}", "co-browse": "aa{sv}", "encrypted": "b"}


def test_history_unanswered_has_no_duration(history, service):
    page = history_call(service, history, 0, 100)
    unanswered = next(r for r in page if r["id"] == "i-10")
    assert unanswered["answered"] == 0
    assert unanswered["ended"] == T0 + 10 * HOUR + 30_000_000
    assert unanswered["duration-ms"] == 0
    answered = next(r for r in page if r["id"] == "i-00")
    assert answered["duration-ms"] == 1_000  # 1 000 250 µs, in whole milliseconds


def test_history_paging(history, service):
    first = history_call(service, history, 0, 20)
    second = history_call(service, history, 20, 20)
    third = history_call(service, history, 40, 20)
    assert (len(first), len(second), len(third)) == (20, 20, 6)  # 45 done + 1 interrupted
    ids = [r["id"] for r in first + second + third]
    assert len(set(ids)) == 46
    assert "i-live" not in ids and "i-other" not in ids
    assert ids == ["i-interrupted"] + [f"i-{n:02d}" for n in range(44, -1, -1)]
    assert history_call(service, history, 46, 20) == []
    # limit 0 means 20.
    assert history_call(service, history, 0, 0) == first
    assert [r["id"] for r in history_call(service, history, 5, 3)] == ["i-40", "i-39", "i-38"]


def test_history_of_45(maria, service):
    conn = db(service)
    with conn:
        for n in range(45):
            insert_interaction(conn, maria, f"h-{n:02d}", T0 + n * HOUR)
    conn.close()
    pages = [history_call(service, maria, offset, 20) for offset in (0, 20, 40)]
    assert [len(p) for p in pages] == [20, 20, 5]
    ids = [r["id"] for p in pages for r in p]
    assert ids == [f"h-{n:02d}" for n in range(44, -1, -1)]


def test_history_unknown_contact(service):
    name, message = call_error(service, CONTACTS, "History", "suu", ("c-ghost", 0, 20))
    assert name == NOT_FOUND
    assert "c-ghost" in message


def test_history_empty_for_new_contact(maria, service):
    assert history_call(service, maria, 0, 20) == []
    # The Agent1 interface still answers beside Contacts1.
    assert service.get_property(AGENT, "Registration") == "disabled"
