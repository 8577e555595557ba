#!/usr/bin/python3
# Store benchmark: loads 100 000 contacts and 1 000 000 interactions into a database created by
# the real sportellod, restarts it on that database and times Contacts1.History, Lookup and
# Search round trips over D-Bus. Prints figures; asserts nothing about time.
#
#   /usr/bin/python3 bench/store_bench.py [--contacts N] [--interactions N] [--keep]
#   /usr/bin/python3 bench/store_bench.py --reuse DATA_DIR   # measure again on a kept database
#
# /usr/bin/python3 because it has PyGObject (gi); the sportellod under test is $SPORTELLOD or
# build-bench/service/sportellod.

import argparse
import gc
import json
import os
import random
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

SEED = 20250101
NOW_US = 1735689600 * 1000000  # 2025-01-01T00:00:00Z: fixed so runs are identical
YEAR_US = 365 * 24 * 3600 * 1000000
SIP_HOST = "pbx.example.com"

FIRST_NAMES = """Marco Giulia Luca Francesca Alessandro Chiara Andrea Sara Matteo Martina Lorenzo Valentina
Davide Elena Simone Federica Stefano Alessia Giuseppe Laura Francesco Silvia Paolo Anna Roberto Paola
Antonio Roberta Giovanni Elisa Riccardo Ilaria Fabio Giorgia Daniele Monica Massimo Cristina Nicola
Beatrice Emanuele Serena Giorgio Claudia Tommaso Alice Niccolò Noemi Gabriele Sofia Pietro Aurora Filippo
Camilla Mattia Greta Leonardo Irene Vincenzo Marta Salvatore Eleonora Carlo Federico Lucia Enrico Rosa
Jean Marie Pierre Anne Hans Petra Thomas Julia José María Ana Pedro Ahmed Fatima Wei Mei Olga Ivan Zoë""".split()

LAST_NAMES = """Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti
De Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri Fontana Santoro Mariani Rinaldi Caruso
Ferrara Galli Martini Leone Longo Gentile Martinelli Vitale Lombardo Serra Coppola De Santis D'Angelo
Marchetti Parisi Villa Conte Ferraro Ferri Fabbri Bianco Marini Grasso Valentini Messina Sala De Angelis
Gatti Pellegrini Palumbo Sanna Farina Rizzi Monti Cattaneo Morelli Amato Silvestri Mazza Testa Grassi
Pellegrino Carbone Giuliani Benedetti Barone Rossetti Caputo Montanari Guerra Palmieri Bernardi Martino
Fiore De Rosa Ferretti Bellini Basile Riva Donati Piras Vitali Battaglia Sartori Neri Costantini Milani
Pagano Ruggiero Sorrentino D'Amico Orlando Damico Negri Müller Schmidt Dubois Lefèvre García Martínez
Novák Kowalski Nguyen Chen Öztürk Hansen Jensen Łukasik Søndergaard Zanetti Zanella Tedesco Cirillo""".split()

ORG_WORDS = """Tecnica Servizi Sistemi Logistica Costruzioni Impianti Forniture Consulting Digital Energia
Meccanica Alimentari Trasporti Edilizia Farmaceutica Assicurazioni Immobiliare Elettronica Tessile
Informatica Ambiente Distribuzione Automazione Medical Progetti Global Italia Nord Sud Adriatica Alpina
Tirrenica Lombarda Veneta Toscana Emiliana Sicula Sarda Ligure Marche Piemontese""".split()
CITIES = """Milano Roma Torino Napoli Bologna Firenze Genova Venezia Verona Padova Bari Palermo Catania
Brescia Bergamo Trieste Parma Modena Perugia Cagliari Trento Bolzano Ancona Pescara Lecce""".split()
LEGAL = ["Spa", "Srl", "Snc", "Sas", "S.p.A.", "S.r.l.", "Coop", "GmbH", "SA"]
DOMAINS = ["example.com", "example.org", "example.net", "posta.example.it", "mail.example.eu"]

NOTE_WORDS = """cliente richiede preventivo fattura contratto rinnovo assistenza tecnica intervento
urgente guasto sostituzione garanzia spedizione consegna ritardo ordine reso rimborso pagamento bonifico
sollecito appuntamento visita sopralluogo manutenzione caldaia impianto contatore lettura bolletta
tariffa offerta promozione sconto reclamo risolto richiamare lunedì martedì mercoledì giovedì venerdì
mattina pomeriggio referente ufficio acquisti amministrazione magazzino password accesso portale
app aggiornamento modulo documento firma privacy consenso indirizzo cambio intestatario video
chiamata inquadratura prodotto danneggiato foto etichetta seriale modello prova funziona""".split()
DISPOSITIONS = ["resolved", "callback", "escalated", "sale", "complaint", "info", "wrong-number",
                "no-answer", "follow-up", "technical"]
QUEUES = ["sales", "support", "billing", "vip", "technical"]
PUSH_ITEMS = ["p-intro", "p-howto-reset", "p-warranty", "p-install", "p-promo", "p-safety"]


def ascii_fold(text):
    import unicodedata
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum())


def sentence(rng, lo, hi):
    words = [rng.choice(NOTE_WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


class PhoneNumbers:
    """Unique Italian numbers, spelt as people type them ("+39 347 1234567"); their normalised
    key is '+' and the digits, which is what sp_address_normalise() makes of such a spelling."""

    def __init__(self, rng):
        self.rng = rng
        self.used = set()

    def new(self):
        rng = self.rng
        while True:
            if rng.random() < 0.6:
                parts = ["+39", "3%02d" % rng.randint(20, 99), "%07d" % rng.randint(0, 9999999)]
            else:
                area = rng.choice(["02", "06", "011", "051", "055", "081", "010", "041", "045", "049"])
                parts = ["+39", area, "%0*d" % (10 - len(area), rng.randint(0, 10 ** (10 - len(area)) - 1))]
            key = "+" + "".join(parts)[1:]
            if key not in self.used:
                self.used.add(key)
                return " ".join(parts), key


def generate_contacts(rng, count):
    """Yields (contact row, [(address, normalised)])."""
    phones = PhoneNumbers(rng)
    ids = set()
    sip_users = set()
    for _ in range(count):
        while True:
            cid = "c-%08x%04x" % (rng.getrandbits(32), rng.getrandbits(16))
            if cid not in ids:
                ids.add(cid)
                break
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        r = rng.random()
        if r < 0.35:
            org = ""
        elif r < 0.7:
            org = "%s %s %s" % (rng.choice(LAST_NAMES), rng.choice(ORG_WORDS), rng.choice(LEGAL))
        else:
            org = "%s %s %s" % (rng.choice(ORG_WORDS), rng.choice(CITIES), rng.choice(LEGAL))
        email = ""
        if rng.random() < 0.7:
            email = "%s.%s%d@%s" % (ascii_fold(first), ascii_fold(last), rng.randint(1, 999), rng.choice(DOMAINS))
        notes = "" if rng.random() < 0.4 else " ".join(sentence(rng, 4, 14) for _ in range(rng.randint(1, 3)))
        created = NOW_US - rng.randint(0, 3 * YEAR_US)
        addresses = [phones.new()]
        if rng.random() < 0.4:
            addresses.append(phones.new())
        if rng.random() < 0.15:
            while True:
                user = "%s.%s%d" % (ascii_fold(first), ascii_fold(last), rng.randint(1, 9999))
                if user not in sip_users:
                    sip_users.add(user)
                    break
            uri = "sip:%s@%s" % (user, SIP_HOST)
            addresses.append((uri, uri))
        yield (cid, first, last, org, email, notes, created, created), addresses


def load(db_path, n_contacts, n_interactions, rng):
    """Bulk-loads with Python's sqlite3 into the tables sportellod created; returns what the
    measurements need: contact ids, addresses by contact, words to search for."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")  # a bulk load that can simply be redone
    db.execute("PRAGMA cache_size = -200000")
    contacts = []  # (rowid, id, first, last, org, [(address, normalised)])
    batch, addr_batch = [], []

    def flush_contacts():
        db.execute("BEGIN")
        db.executemany("INSERT INTO contacts (rowid, id, first_name, last_name, organisation, email, notes,"
                       " created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch)
        db.executemany("INSERT INTO contact_addresses (contact, position, address, normalised)"
                       " VALUES (?, ?, ?, ?)", addr_batch)
        db.execute("COMMIT")
        batch.clear()
        addr_batch.clear()

    t0 = time.monotonic()
    for rowid, (row, addresses) in enumerate(generate_contacts(rng, n_contacts), start=1):
        batch.append((rowid,) + row)
        for position, (address, normalised) in enumerate(addresses):
            addr_batch.append((rowid, position, address, normalised))
        contacts.append((rowid, row[0], row[1], row[2], row[3], addresses))
        if len(batch) == 10000:
            flush_contacts()
    if batch:
        flush_contacts()
    t_contacts = time.monotonic() - t0

    # Interactions arrive in time order as in real use (rowid grows with started). A fifth of
    # the traffic comes from 1 % of the contacts (a few hundred interactions each), a twentieth
    # from unknown numbers.
    busy = [c for c in contacts if rng.random() < 0.01]
    gap = 3 * YEAR_US / max(1, n_interactions)
    started = NOW_US - 3 * YEAR_US
    inter_ids = set()
    rows, dispositions, pushes = [], [], []
    counts = {"dispositions": 0, "pushes": 0}

    def flush_interactions():
        db.execute("BEGIN")
        db.executemany("INSERT INTO interactions (rowid, id, contact, direction, remote, remote_name, started,"
                       " answered, ended, status, end_actor, end_reason, video, attached_data, case_data, notes)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO interaction_dispositions (interaction, code) VALUES (?, ?)", dispositions)
        db.executemany("INSERT INTO interaction_pushes (interaction, item_id, started, ended, ended_by)"
                       " VALUES (?, ?, ?, ?, ?)", pushes)
        db.execute("COMMIT")
        counts["dispositions"] += len(dispositions)
        counts["pushes"] += len(pushes)
        rows.clear()
        dispositions.clear()
        pushes.clear()

    t0 = time.monotonic()
    for rowid in range(1, n_interactions + 1):
        started += int(rng.expovariate(1.0 / gap)) + 1
        while True:
            iid = "i-%08x%04x" % (rng.getrandbits(32), rng.getrandbits(16))
            if iid not in inter_ids:
                inter_ids.add(iid)
                break
        r = rng.random()
        if r < 0.05:
            contact, remote, remote_name = None, "+39 %d" % rng.randint(200000000, 399999999), ""
        else:
            c = rng.choice(busy) if r < 0.25 and busy else rng.choice(contacts)
            contact, remote, remote_name = c[0], rng.choice(c[5])[0], "%s %s" % (c[2], c[3])
        missed = rng.random() < 0.08
        answered = 0 if missed else started + rng.randint(2, 25) * 1000000
        ended = (started + rng.randint(5, 40) * 1000000) if missed else answered + rng.randint(20, 1500) * 1000000
        attached = json.dumps({"queue": rng.choice(QUEUES)}) if rng.random() < 0.6 else "{}"
        case = json.dumps({"ticket": "T-%06d" % rng.randint(1, 999999)}) if rng.random() < 0.3 else "{}"
        notes = "" if missed or rng.random() < 0.3 else " ".join(sentence(rng, 5, 25) for _ in range(rng.randint(1, 3)))
        rows.append((rowid, iid, contact, "inbound" if rng.random() < 0.7 else "outbound", remote, remote_name,
                     started, answered, ended, rng.choice(["local", "remote"]), "hangup",
                     1 if rng.random() < 0.35 else 0, attached, case, notes))
        if not missed and rng.random() < 0.5:
            for code in rng.sample(DISPOSITIONS, rng.randint(1, 2)):
                dispositions.append((rowid, code))
        if not missed and rng.random() < 0.03:
            t = answered + 10000000
            for _ in range(rng.randint(1, 2)):
                end = t + rng.randint(10, 120) * 1000000
                pushes.append((rowid, rng.choice(PUSH_ITEMS), t, end, rng.choice(["stop", "end-of-clip"])))
                t = end + 5000000
        if len(rows) == 50000:
            flush_interactions()
    if rows:
        flush_interactions()
    t_interactions = time.monotonic() - t0
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return contacts, t_contacts, t_interactions, counts


def read_contacts(db_path):
    """The loader's contact list, read back from a kept database (same order, same content)."""
    db = sqlite3.connect(db_path)
    addresses = {}
    for contact, address, normalised in db.execute(
            "SELECT contact, address, normalised FROM contact_addresses ORDER BY contact, position"):
        addresses.setdefault(contact, []).append((address, normalised))
    contacts = [(rowid, cid, first, last, org, addresses.get(rowid, [])) for rowid, cid, first, last, org in
                db.execute("SELECT rowid, id, first_name, last_name, organisation FROM contacts ORDER BY rowid")]
    db.close()
    return contacts


def file_mib(db_path):
    total = 0
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db_path + suffix) and suffix != "-shm":
            total += os.path.getsize(db_path + suffix)
    return total / (1024 * 1024)


def lookup_spellings(rng, address, normalised):
    if normalised.startswith("sip:"):
        user = normalised[4:].split("@")[0]
        return rng.choice([address, "sip:%s@PBX.Example.COM" % user,
                           "<sip:%s@%s:5060;transport=tcp>" % (user, SIP_HOST),
                           "\"Someone\" <sips:%s@%s>" % (user, SIP_HOST)])
    digits = normalised[1:]
    return rng.choice([address, normalised, "+39 " + " ".join(address.split()[1:]),
                       "tel:" + address.replace(" ", "-"),
                       "sip:%s@%s;user=phone" % (normalised, SIP_HOST),
                       "00" + digits, "\"Caller\" <sip:%s@%s>" % (normalised, SIP_HOST),
                       "+%s (%s) %s" % (digits[:2], digits[2:5], digits[5:])])


def search_words(rng, contacts, count):
    kinds = []
    for _ in range(count):
        c = rng.choice(contacts)
        kind = rng.choice(["first-name", "surname", "organisation", "prefix"])
        if kind == "first-name":
            word = c[2]
        elif kind == "surname":
            word = c[3].split()[-1].replace("D'", "")
        elif kind == "organisation":
            org_words = [w for w in c[4].split() if len(w) > 3 and "." not in w]
            word = rng.choice(org_words) if org_words else rng.choice(ORG_WORDS)
        else:
            source = rng.choice([c[2], c[3].split()[-1].replace("D'", ""), rng.choice(ORG_WORDS),
                                 rng.choice(CITIES)])
            word = source[:rng.randint(2, 4)].lower()
        kinds.append((kind, word))
    return kinds


SERVER_PID = None
LAST_SERVER_NS = None


def measure(call, items, check):
    """Times call(item) alone; check(item, reply) runs after the clock stops (unpacking a
    reply into Python objects costs more than the round trip itself). Python's cyclic garbage
    collector is off while timing: with the generated data in memory, one full collection
    takes milliseconds and would land in some call's time."""
    times = []
    global LAST_SERVER_NS
    gc.collect()
    gc.disable()
    start_ns = benchlib.cpu_ns(SERVER_PID) if SERVER_PID else 0
    for item in items:
        t0 = time.perf_counter_ns()
        reply = call(item)
        times.append((time.perf_counter_ns() - t0) / 1e6)
        check(item, reply)
    LAST_SERVER_NS = benchlib.cpu_ns(SERVER_PID) - start_ns if SERVER_PID else None
    gc.enable()
    return times


def report(name, times, goal_ms=None, extra="", server_ns=None):
    s = sorted(times)
    line = "%-22s count %5d  median %7.3f ms  p99 %7.3f ms  max %7.3f ms" % (
        name, len(s), statistics.median(s), benchlib.percentile(s, 99), s[-1])
    if server_ns is not None:
        line += "  sportellod CPU %.3f ms/call" % (server_ns / 1e6 / len(s))
    if goal_ms is not None:
        p99 = benchlib.percentile(s, 99)
        line += "   goal p99 < %g ms: %s" % (goal_ms, "met" if p99 < goal_ms else "MISSED")
    print(line + extra, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100000)
    parser.add_argument("--interactions", type=int, default=1000000)
    parser.add_argument("--history-calls", type=int, default=2000)
    parser.add_argument("--lookup-calls", type=int, default=2000)
    parser.add_argument("--search-calls", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (and database)")
    parser.add_argument("--reuse", metavar="DATA_DIR",
                        help="skip creating and loading: measure on DATA_DIR/sportello.db from a --keep run")
    args = parser.parse_args()

    from gi.repository import Gio, GLib

    rng = random.Random(SEED)
    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % benchlib.find_sportellod())
    print("load average at start: %s" % benchlib.loadavg())
    print("sqlite (loader): %s" % sqlite3.sqlite_version, flush=True)
    status = 0
    with benchlib.PrivateSession(keep=args.keep) as session:
        data_dir = os.path.abspath(args.reuse) if args.reuse else session.path("data", "sportello")
        db_path = os.path.join(data_dir, "sportello.db")
        session.start_bus()
        conn = session.connect()

        if args.reuse:
            contacts = read_contacts(db_path)
            print("reusing %s: %d contacts" % (db_path, len(contacts)))
        else:
            proc = session.start_sportellod(conn, data_dir, "sportellod-create")
            code = session.stop(proc)
            print("first start (creates and migrates the database), SIGTERM: exit %d" % code)
            if code != 0:
                status = 1

            t0 = time.monotonic()
            contacts, t_contacts, t_interactions, counts = load(db_path, args.contacts, args.interactions, rng)
            t_load = time.monotonic() - t0
            print("loaded %d contacts (%d addresses) in %.1f s, %d interactions (%d dispositions, %d pushes)"
                  " in %.1f s; total load %.1f s" % (len(contacts), sum(len(c[5]) for c in contacts), t_contacts,
                                                     args.interactions, counts["dispositions"], counts["pushes"],
                                                     t_interactions, t_load))
        print("database: %.1f MiB (db + wal after a checkpoint)" % file_mib(db_path), flush=True)

        proc = session.start_sportellod(conn, data_dir, "sportellod")
        global SERVER_PID
        SERVER_PID = proc.pid

        def call(method, signature, args_tuple):
            return conn.call_sync(benchlib.BUS_NAME, benchlib.OBJECT_PATH, "org.sportello.Contacts1", method,
                                  GLib.Variant(signature, args_tuple), None, Gio.DBusCallFlags.NONE, -1, None)

        # Inputs are drawn before timing, from their own seed (so --reuse draws the same ones);
        # each call's reply is checked after the clock stops.
        rng = random.Random(SEED + 2)
        history_ids = [rng.choice(contacts)[1] for _ in range(args.history_calls)]
        lookups = []
        for _ in range(args.lookup_calls):
            c = rng.choice(contacts)
            address, normalised = rng.choice(c[5])
            lookups.append((lookup_spellings(rng, address, normalised), c[1]))
        searches = search_words(rng, contacts, args.search_calls)

        warm = random.Random(SEED + 1)
        for _ in range(200):
            c = warm.choice(contacts)
            call("History", "(suu)", (c[1], 0, 20))
            call("Lookup", "(s)", (c[5][0][0],))
            call("Search", "(su)", (warm.choice(c[2:4]).split()[-1], 20))

        ping = Gio.DBusCallFlags.NONE
        times = measure(lambda _: conn.call_sync(benchlib.BUS_NAME, benchlib.OBJECT_PATH, "org.freedesktop.DBus.Peer",
                                                 "Ping", None, None, ping, -1, None), range(2000), lambda *_: None)
        report("Peer.Ping (floor)", times, server_ns=LAST_SERVER_NS)

        rows = []
        times = measure(lambda cid: call("History", "(suu)", (cid, 0, 20)), history_ids,
                        lambda cid, reply: rows.append(len(reply.get_child_value(0).unpack())))
        report("History(id, 0, 20)", times, 2, "   (%.1f records per reply on average)" % (sum(rows) / len(rows)),
               LAST_SERVER_NS)

        wrong = []

        def check_lookup(item, reply):
            if reply.get_child_value(0).unpack()["id"] != item[1]:
                wrong.append(item)
        times = measure(lambda item: call("Lookup", "(s)", (item[0],)), lookups, check_lookup)
        report("Lookup(address)", times, 1, server_ns=LAST_SERVER_NS)
        if wrong:
            print("  %d lookups returned the wrong contact, e.g. %r" % (len(wrong), wrong[:3]))
            status = 1

        by_kind = {}

        def check_search(item, reply):
            by_kind.setdefault(item[0], []).append(reply.get_child_value(0).n_children())
        times = measure(lambda item: call("Search", "(su)", (item[1], 20)), searches, check_search)
        report("Search(word, 20)", times, 20, server_ns=LAST_SERVER_NS)
        for kind in ("first-name", "surname", "organisation", "prefix"):
            idx = [i for i, item in enumerate(searches) if item[0] == kind]
            if idx:
                report("  " + kind, [times[i] for i in idx], None,
                       "   (%.1f results on average)" % (sum(by_kind[kind]) / len(by_kind[kind])))

        code = session.stop(proc)
        print("sportellod stopped with SIGTERM: exit %d" % code)
        if code != 0:
            status = 1
        print("load average at end: %s" % benchlib.loadavg())
        if args.keep:
            print("kept: %s" % session.root)
    return status


if __name__ == "__main__":
    sys.exit(main())
