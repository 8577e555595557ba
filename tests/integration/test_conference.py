"""Conference: agent A (sportellod, its test tone at 440 Hz) holds the customer, calls two agents
of its directory, talks with them, then completes the conference. The parties are real: the
customer is a softphone (baresip, then linphonec), Bob is a baresip, Carla is a second
sportellod on the same private bus under another name. Each party sends its own tone, and what
each one heard is read back from its recording with Goertzel, half a second at a time: every
party hears every other one and never itself (mix-minus), the held customer hears nobody
during the round, and a dropped party's tone stops for the others. Failures (declined, never
answered, hung up) leave the others talking, with exact error names and Participants states.

Every process a test starts is stopped by PID at teardown (the conftest fixtures do it)."""

import glob
import os
import shutil
import statistics
import time

import pytest
from gi.repository import GLib

from conftest import AGENT, CONTACTS, SESSION, SignalRecorder, free_port, wait_for
from linphone import Linphone, solid_jpeg
from peers import Baresip, read_wav, sportello_config, tone_file, tone_power
from rtpdecode import decode_to_wav, rtp_payloads
from sniffer import Sniffer
from videopeer import near

CARLA_BUS = "org.sportello.Test.Carla"
HOST, BOB, CARLA, CUSTOMER = 440, 660, 880, 1000
TONES = (HOST, BOB, CARLA, CUSTOMER)
PRESENT, ABSENT = 0.08, 0.01  # a tone's share of the candidates' power in a window
# Hearing oneself: above what the codec makes of one very loud tone at the other frequencies
# (0.015, seen with the host's tone alone at 440 Hz), below a mix-minus that takes away only half
# of a party's own frame (its voice back at -6 dB: 0.055). A mix without the minus gives 0.2.
SELF_HEARD = 0.03
# Frequencies nobody sends: their power is the window's noise floor (a click, a gap concealed by
# the decoder spreads power over every frequency; a tone stands far above it).
CONTROLS = (1300, 1700)
# A window this far below the recording's typical level is a phone fading its playback in or out
# (linphonec, resuming from hold, writes a second at -27 dB and less, mostly noise): left out
# like silence, since its tone shares say nothing. A party hearing itself is as loud as the rest.
QUIET = 0.01


def directory(bob_uri, carla_port):
    return f"""
[agent:bob]
name = Bob Rossi
uri = {bob_uri}

[agent:carla]
name = Carla Neri
uri = sip:agent1@127.0.0.1:{carla_port}
"""


def start_host_and_carla(testenv, bob_uri):
    a_port, carla_port = free_port(), free_port()
    host = testenv.start_sportellod(config=sportello_config(testenv, a_port,
                                                            extra=directory(bob_uri, carla_port)))
    carla_wav = testenv.root / "carla-heard.wav"
    config = testenv.write_config(
        sportello_config(testenv, carla_port, audio_source=f"file:{tone_file(testenv, CARLA)}",
                         audio_sink=f"file:{carla_wav}").read_text(), name="carla.conf")
    carla = testenv.start_sportellod(config=config, data_dir=testenv.root / "data-carla", name="carla",
                                     bus_name=CARLA_BUS)
    return host, carla, carla_wav


def carla_session(testenv):
    """The session ringing at Carla (an earlier one may still be listed, disconnected)."""
    def find():
        objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects", bus_name=CARLA_BUS)
        ringing = [p for p, ifaces in objects.items() if ifaces.get(SESSION, {}).get("State") == "ringing"]
        return ringing[0] if ringing else None
    return wait_for(find, 20, what="the conference call ringing at Carla")


def carla_state(testenv, path):
    return testenv.get_property(SESSION, "State", path=path, bus_name=CARLA_BUS)


def parties(testenv, path):
    return {p["id"]: p for p in testenv.get_property(SESSION, "Participants", path=path)}


def states(testenv, path):
    return {i: p["state"] for i, p in parties(testenv, path).items()}


def wait_states(testenv, path, expected, timeout=20):
    def reached():
        now = states(testenv, path)
        return now if all(now.get(k) == v for k, v in expected.items()) else None
    return wait_for(reached, timeout, what=f"participants {expected} (now {states(testenv, path)})")


def wait_state(testenv, path, state, timeout=20):
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == state, timeout,
             what=f"State {state} (now {testenv.get_property(SESSION, 'State', path=path)})")


def signals_seen(recorder):
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass
    return recorder.events


def error_of(testenv, path, method, signature=None, args=()):
    return testenv.call_error(SESSION, method, signature, args, path=path)[0]


# ---- what a recording heard, half a second at a time ----

def windows(path, seconds=0.5):
    """Each window with sound: the share of each candidate tone in the candidates' power, and
    under "floor" each tone's power over the noise floor's."""
    rate, samples = read_wav(path)
    step = int(rate * seconds)
    chunks = [samples[start:start + step] for start in range(0, len(samples) - step + 1, step)]
    powers = [{f: tone_power(chunk, rate, f) for f in TONES} for chunk in chunks]
    totals = [sum(p.values()) for p in powers]
    sounding = [t for t in totals if t > 1e5]  # silence (the held customer, before a call)
    typical = statistics.median(sounding) if sounding else 0
    shares = []
    for chunk, power, total in zip(chunks, powers, totals):
        if total > 1e5 and total >= QUIET * typical:
            floor = max(tone_power(chunk, rate, f) for f in CONTROLS) or 1e-9
            window = {f: p / total for f, p in power.items()}
            window["floor"] = {f: p / floor for f, p in power.items()}
            shares.append(window)
    return shares


def audible(window, tone):
    """Not only a share above ABSENT: well above the window's noise floor too."""
    return window[tone] > ABSENT and window["floor"][tone] > 10


def recording(testenv, folder):
    """What a baresip heard: its one decoded recording, kept beside the test's logs."""
    decoded = sorted(glob.glob(str(folder / "*-dec.wav")))
    assert len(decoded) == 1, f"{folder}: {decoded}"
    return shutil.copy(decoded[0], testenv.tmp / f"{folder.name}-heard.wav")


def heard(window, *tones):
    return all(window[t] > PRESENT for t in tones)


def describe(shares):
    return " | ".join(" ".join(f"{t}:{w[t]:.2f}/{w['floor'][t]:.0f}" for t in TONES) for w in shares)


def assert_never_hears_itself(shares, own, who):
    loud = [w for w in shares if w[own] > SELF_HEARD and w["floor"][own] > 10]
    assert not loud, f"{who} heard its own {own} Hz: {describe(loud)}"


def assert_heard_together(shares, tones, who, at_least=4):
    together = [w for w in shares if heard(w, *tones)]
    assert len(together) >= at_least, (f"{who} heard {tones} together in only {len(together)} windows: "
                                       f"{describe(shares)}")


def assert_tone_stops(shares, dropped, remaining, who, at_least=3, transition=3):
    """DROPPED stops for good within TRANSITION windows (1.5 s: the BYE, the mix, both jitter
    buffers, on a busy machine too) of the last window where it was strong, and after that at
    least AT_LEAST windows have every REMAINING tone."""
    last_strong = max(i for i, w in enumerate(shares) if w[dropped] > PRESENT)
    last_heard = max(i for i, w in enumerate(shares) if audible(w, dropped))
    assert last_heard <= last_strong + transition, \
        f"{who} still heard {dropped} Hz: {describe(shares[last_strong:])}"
    after = shares[last_heard + 1:]
    good = [w for w in after if heard(w, *remaining)]
    assert len(good) >= at_least, f"{who} after {dropped} Hz left: {describe(after)}"


# ---- four parties, distinct tones ----

def test_four_parties_each_hear_the_others_never_themselves(testenv):
    bob_rec = testenv.root / "bob-rec"
    bob_rec.mkdir()
    bob = Baresip(testenv, name="bob", user="bob", tone=BOB, record_dir=bob_rec, codecs=("opus",))
    host, carla, carla_wav = start_host_and_carla(testenv, bob.uri)
    customer = Linphone(testenv, tone_wav=tone_file(testenv, CUSTOMER, rate=48000), video=False)
    # What our side sends the customer, captured on lo (root only), is judged as well as what
    # linphonec played: the mix-minus itself, whatever the phone's playback makes of it.
    sniffer = Sniffer([customer.audio_port]) if os.geteuid() == 0 else None
    declined = SignalRecorder(testenv.connection, SESSION, "ParticipantDeclined")
    contact_id = testenv.call(CONTACTS, "Save", "a{sv}", ({
        "first-name": GLib.Variant("s", "Maria"), "addresses": GLib.Variant("as", [customer.uri])},))

    path = testenv.call(AGENT, "Dial", "sa{ss}", (customer.uri, {}))
    # A call to a known contact shows who it is, and goes into their history.
    assert testenv.get_property(SESSION, "ContactId", path=path) == contact_id
    assert testenv.get_property(SESSION, "RemoteName", path=path) == "Maria"
    wait_state(testenv, path, "talking")
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-received"] > 50,
             what="the customer's voice")

    testenv.call(SESSION, "Conference", "as", (["bob", "carla"],), path=path)
    assert testenv.get_property(SESSION, "State", path=path) == "consulting"
    carla_path = carla_session(testenv)
    testenv.call(SESSION, "Answer", path=carla_path, bus_name=CARLA_BUS)
    now = wait_states(testenv, path, {"contact": "held", "conference-1": "talking", "conference-2": "talking"})
    agents = parties(testenv, path)
    assert agents["conference-1"]["role"] == "agent" and agents["conference-1"]["name"] == "Bob Rossi"
    assert agents["conference-2"]["uri"].startswith("sip:agent1@127.0.0.1:")
    assert not any(p["conference"] for p in agents.values()), now
    # The round: the customer, held, is sent nothing at all, so hears nothing of it. (Its phone's
    # recording cannot tell: linphonec writes no time for the gaps of a hold.)
    sent_before = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"]
    time.sleep(2)
    sent = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"]
    assert sent == sent_before, f"the held customer was sent {sent - sent_before} packets of the round"

    testenv.call(SESSION, "CompleteConference", path=path)
    wait_state(testenv, path, "talking")
    assert all(p["conference"] for p in parties(testenv, path).values())
    time.sleep(5)  # the conference

    testenv.call(SESSION, "DropParticipant", "s", ("conference-1",), path=path)
    bob.wait_event("CALL_CLOSED")
    assert states(testenv, path) == {"contact": "talking", "conference-1": "ended", "conference-2": "talking"}
    assert error_of(testenv, path, "DropParticipant", "s", ("conference-1",)) == "org.sportello.Error.InvalidState"
    time.sleep(4)  # without Bob

    testenv.call(SESSION, "Disconnect", path=path)
    customer.expect(r"Call \d+ with .* ended")
    customer.close()
    wait_for(lambda: carla_state(testenv, carla_path) == "disconnected", what="Carla's leg to end")
    assert testenv.get_property(SESSION, "EndReason", path=carla_path, bus_name=CARLA_BUS)[:2] == ("remote", "hangup")
    assert set(states(testenv, path).values()) == {"ended"}
    assert signals_seen(declined) == []
    live = parties(testenv, path)
    testenv.call(SESSION, "MarkDone", path=path)
    # The history keeps who took part, and when they joined and left.
    record = testenv.call(CONTACTS, "History", "suu", (contact_id, 0, 10))[0]
    stored = {p["id"]: p for p in record["participants"]}
    assert list(stored) == ["contact", "conference-1", "conference-2"]
    for party_id, party in stored.items():
        assert {k: party[k] for k in ("role", "uri", "name", "state", "joined", "left")} == \
            {k: live[party_id][k] for k in ("role", "uri", "name", "state", "joined", "left")}
    assert stored["conference-1"]["name"] == "Bob Rossi" and stored["conference-1"]["role"] == "agent"
    assert 0 < stored["conference-1"]["joined"] < stored["conference-1"]["left"] < stored["contact"]["left"]
    testenv.stop_sportellod(carla)
    testenv.stop_sportellod(host)

    customer_heard = windows(shutil.copy(customer.recording, testenv.tmp / "customer-heard.wav"))
    bob_heard = windows(recording(testenv, bob_rec))
    carla_heard = windows(shutil.copy(carla_wav, testenv.tmp))
    heard_by = [(customer_heard, CUSTOMER, "the customer"), (bob_heard, BOB, "Bob"), (carla_heard, CARLA, "Carla")]
    if sniffer:
        sniffer.stop()
        sent = windows(decode_to_wav(rtp_payloads(sniffer.snapshot(), customer.audio_port),
                                     testenv.tmp / "customer-sent.wav"))
        heard_by.insert(0, (sent, CUSTOMER, "what was sent to the customer"))
        assert_heard_together(sent, (HOST, BOB, CARLA), "what was sent to the customer")
    for shares, own, who in heard_by:
        assert_never_hears_itself(shares, own, who)
    assert_heard_together(customer_heard, (HOST, BOB, CARLA), "the customer")
    assert_heard_together(bob_heard, (HOST, CARLA, CUSTOMER), "Bob")
    assert_heard_together(carla_heard, (HOST, BOB, CUSTOMER), "Carla")
    # Nor did Bob hear the customer before the conference: the customer only with Carla.
    early = [w for w in bob_heard if w[CUSTOMER] > PRESENT and not audible(w, CARLA)]
    assert not early, f"Bob heard the customer during the round: {describe(early)}"
    assert_tone_stops(customer_heard, BOB, (HOST, CARLA), "the customer")
    assert_tone_stops(carla_heard, BOB, (HOST, CUSTOMER), "Carla")
    bob.close()


# ---- failures, with baresip as the customer ----

def test_declined_unanswered_and_leaving_agents_keep_the_call(testenv):
    bob = Baresip(testenv, name="bob", user="bob", tone=BOB, codecs=("opus",), answermode="manual")
    host, carla, _ = start_host_and_carla(testenv, bob.uri)
    customer = Baresip(testenv, audio_file=tone_file(testenv, CUSTOMER), codecs=("g711",))
    declined = SignalRecorder(testenv.connection, SESSION, "ParticipantDeclined")

    path = testenv.call(AGENT, "Dial", "sa{ss}", (customer.uri, {}))
    wait_state(testenv, path, "talking")
    # Bad input: nothing is sent, the call is as it was.
    assert error_of(testenv, path, "Conference", "as", ([],)) == "org.sportello.Error.InvalidArgument"
    assert error_of(testenv, path, "Conference", "as", (["bob", "bob"],)) == "org.sportello.Error.InvalidArgument"
    assert error_of(testenv, path, "Conference", "as", (["nobody"],)) == "org.sportello.Error.NotFound"
    assert error_of(testenv, path, "CompleteConference") == "org.sportello.Error.InvalidState"
    assert error_of(testenv, path, "DropParticipant", "s", ("contact",)) == "org.sportello.Error.InvalidArgument"
    assert error_of(testenv, path, "DropParticipant", "s", ("conference-9",)) == "org.sportello.Error.NotFound"
    assert testenv.get_property(SESSION, "State", path=path) == "talking"

    # Round 1: Carla declines, Bob never answers; nobody answered, the agent drops Bob.
    testenv.call(SESSION, "Conference", "as", (["bob", "carla"],), path=path)
    carla_path = carla_session(testenv)
    bob.wait_event("CALL_INCOMING")
    testenv.call(SESSION, "Reject", path=carla_path, bus_name=CARLA_BUS)
    event = declined.wait(lambda e: e[3][0] == "conference-2", what="ParticipantDeclined")
    assert event[3][1] == 486 and event[2] == "ParticipantDeclined", event
    assert wait_states(testenv, path, {"conference-1": "calling", "conference-2": "declined"})
    assert error_of(testenv, path, "CompleteConference") == "org.sportello.Error.NobodyAnswered"
    assert error_of(testenv, path, "Conference", "as", (["carla"],)) == "org.sportello.Error.InvalidState"
    testenv.call(SESSION, "DropParticipant", "s", ("conference-1",), path=path)
    bob.wait_event("CALL_CLOSED")
    wait_state(testenv, path, "held")
    testenv.call(SESSION, "Retrieve", path=path)
    assert testenv.get_property(SESSION, "State", path=path) == "talking"

    # Round 2: both answer; then Bob hangs up and Carla leaves: the customer stays.
    testenv.call(SESSION, "Conference", "as", (["bob", "carla"],), path=path)
    bob.wait_event("CALL_INCOMING")
    assert bob.command("accept")["ok"]
    carla_path = carla_session(testenv)
    testenv.call(SESSION, "Answer", path=carla_path, bus_name=CARLA_BUS)
    wait_states(testenv, path, {"conference-3": "talking", "conference-4": "talking"})
    testenv.call(SESSION, "CompleteConference", path=path)
    wait_state(testenv, path, "talking")
    assert error_of(testenv, path, "Transfer", "ss", ("carla", "")) == "org.sportello.Error.InvalidState"
    assert bob.command("hangup")["ok"]
    wait_states(testenv, path, {"contact": "talking", "conference-3": "ended", "conference-4": "talking"})
    testenv.call(SESSION, "Disconnect", path=carla_path, bus_name=CARLA_BUS)
    wait_states(testenv, path, {"contact": "talking", "conference-4": "ended"})
    assert testenv.get_property(SESSION, "State", path=path) == "talking"
    before = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-received"]
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-received"] > before + 50,
             what="the customer's voice after the conference")
    assert [e[3][0] for e in signals_seen(declined)] == ["conference-2"]
    testenv.call(SESSION, "Disconnect", path=path)
    customer.wait_event("CALL_CLOSED")
    testenv.stop_sportellod(carla)
    testenv.stop_sportellod(host)
    customer.close()
    bob.close()


# ---- video: the expert sees the customer ----

BLUE, GREEN = (0, 0, 255), (0, 255, 0)


@pytest.fixture
def camera(testenv, pipewire):
    pipewire.start()
    pipewire.start_camera(colour=GREEN)
    return pipewire


def test_a_conferenced_agent_sees_the_customers_video(testenv, camera):
    """The customer (linphonec) films blue, the host's camera is green. Bob (a baresip with
    video) joins the conference and decodes the customer's blue (the customer's leg is only held
    and retrieved, test-interaction checks no other re-offer reaches it); the customer still sees the host's green; Carla (a sportellod without a
    camera, voice only) joins on voice and hears."""
    bob = Baresip(testenv, name="bob", user="bob", tone=BOB, codecs=("opus",), video=True)
    a_port, carla_port = free_port(), free_port()
    extra = directory(bob.uri, carla_port) + "\n[video]\nallowed = true\nremote-offers = accept\n"
    config = sportello_config(testenv, a_port, extra=extra)
    config.write_text(config.read_text().replace("camera = none", "camera = pipewire"))
    host = testenv.start_sportellod(config=config)
    carla_config = testenv.write_config(
        sportello_config(testenv, carla_port, audio_source=f"file:{tone_file(testenv, CARLA)}").read_text(),
        name="carla.conf")
    carla = testenv.start_sportellod(config=carla_config, data_dir=testenv.root / "data-carla", name="carla",
                                     bus_name=CARLA_BUS)
    wait_for(lambda: testenv.get_property(AGENT, "CameraAvailable"), 15, what="CameraAvailable")
    customer = Linphone(testenv, tone_wav=tone_file(testenv, CUSTOMER, rate=48000),
                        picture=solid_jpeg(testenv.root / "blue.jpg", BLUE))

    path = testenv.call(AGENT, "Dial", "sa{ss}", (customer.uri, {}))
    wait_state(testenv, path, "talking")
    testenv.call(SESSION, "ActivateVideo", path=path)
    wait_for(lambda: near(customer.received_colour(), GREEN), 20, what="the customer sees the host's green")

    testenv.call(SESSION, "Conference", "as", (["bob", "carla"],), path=path)
    carla_path = carla_session(testenv)
    testenv.call(SESSION, "Answer", path=carla_path, bus_name=CARLA_BUS)
    wait_states(testenv, path, {"conference-1": "talking", "conference-2": "talking"})
    agents = parties(testenv, path)
    assert agents["conference-1"]["video"] is True, agents["conference-1"]
    assert agents["conference-2"]["video"] is False, agents["conference-2"]  # voice only
    testenv.call(SESSION, "CompleteConference", path=path)
    wait_state(testenv, path, "talking")
    assert testenv.get_property(SESSION, "Video", path=path) == "active"

    wait_for(lambda: near(bob.received_colour(), BLUE), 20, what="Bob sees the customer's blue")
    wait_for(lambda: near(customer.received_colour(), GREEN), 20, what="the customer still sees the host's green")
    before = testenv.call(SESSION, "GetMediaStatistics", path=carla_path, bus_name=CARLA_BUS)["rtp-packets-received"]
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=carla_path, bus_name=CARLA_BUS)
             ["rtp-packets-received"] > before + 50, what="Carla hears the conference")

    testenv.call(SESSION, "Disconnect", path=path)
    bob.wait_event("CALL_CLOSED")
    wait_for(lambda: carla_state(testenv, carla_path) == "disconnected", what="Carla's leg to end")
    testenv.stop_sportellod(carla)
    testenv.stop_sportellod(host)
    customer.close()
    bob.close()
