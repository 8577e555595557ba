"""Transfer: agent A (sportellod) hands the customer to agent B (a second sportellod on the
same private bus under another name). The customer is a real softphone (baresip) that takes
A's REFER and calls B; afterwards the customer and B hear each other's tones, A's notepad and
end reason say where the call went, and failures leave the customer with A."""

import glob
import subprocess
import threading
import time

import pytest

from gi.repository import GLib

from conftest import AGENT, CONTACTS, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Baresip, Kamailio, Sipp, dominant_tone, read_wav, sportello_config, tone_file, tone_power

B_NAME = "org.sportello.Test.AgentB"
ATTACHED = {"UserToUser": "42a1;encoding=hex", "AccountNumber": "AC-7"}
CUSTOMER, AGENT_A, AGENT_B = 1000, 440, 660
CANDIDATES = (CUSTOMER, AGENT_A, AGENT_B, 1500, 2200)


def directory(b_port):
    return f"""
[agent:bob]
name = Bob Rossi
uri = sip:bob@127.0.0.1:{b_port}

[queue:nowhere]
name = Nobody's queue
uri = sip:nobody@127.0.0.1:{free_port()}
"""


def start_agents(testenv):
    a_port, b_port = free_port(), free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, extra=directory(b_port)))
    b_wav = testenv.root / "agent-b.wav"
    b_config = testenv.write_config(
        sportello_config(testenv, b_port, audio_source=f"file:{tone_file(testenv, AGENT_B)}",
                         audio_sink=f"file:{b_wav}").read_text(), name="agent-b.conf")
    b = testenv.start_sportellod(config=b_config, data_dir=testenv.root / "data-b", name="agent-b",
                                 bus_name=B_NAME)
    return a, a_port, b, b_wav


def customer(testenv):
    record = testenv.root / "customer-rec"
    record.mkdir()
    return Baresip(testenv, audio_file=tone_file(testenv, CUSTOMER), record_dir=record,
                   codecs=("g711",)), record


def call_agent_a(testenv, phone, a_port):
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                           ROOT, sender=None)
    assert phone.command("dial", f"sip:agent1@127.0.0.1:{a_port}")["ok"]
    path = added.wait(lambda e: SESSION in e[3][1], what="the customer's call at A")[3][0]
    added.close()
    testenv.call(SESSION, "Answer", path=path)
    phone.wait_event("CALL_ESTABLISHED")
    return path


def transfer_in_background(testenv, path, target, reason):
    """Transfer replies when the target answered or the transfer failed: run it aside."""
    outcome = {}

    def run():
        try:
            testenv.call(SESSION, "Transfer", "ss", (target, reason), path=path, timeout_ms=90000)
            outcome["ok"] = True
        except Exception as error:  # the D-Bus error, checked by the test
            outcome["error"] = error
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def tones_over_time(path, window=1.0):
    """The dominant candidate tone of each WINDOW seconds of the recording (silence left out)."""
    rate, samples = read_wav(path)
    step = int(rate * window)
    tones = []
    for start in range(0, len(samples) - step + 1, step):
        chunk = samples[start:start + step]
        powers = {f: tone_power(chunk, rate, f) for f in CANDIDATES}
        best = max(powers, key=powers.get)
        if powers[best] > 1e5:
            tones.append(best)
    return tones


def b_session(testenv):
    def find():
        objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects", bus_name=B_NAME)
        paths = [p for p, ifaces in objects.items() if SESSION in ifaces]
        return paths[0] if paths else None
    return wait_for(find, 20, what="the transferred call ringing at B")


def test_blind_transfer_to_an_agent(testenv):
    a, a_port, b, b_wav = start_agents(testenv)
    phone, record = customer(testenv)
    # Both agents know the customer (each its own address book), so each pops the same person.
    maria = {"first-name": GLib.Variant("s", "Maria"), "last-name": GLib.Variant("s", "Bianchi"),
             "addresses": GLib.Variant("as", [phone.uri])}
    a_contact = testenv.call(CONTACTS, "Save", "a{sv}", (maria,))
    b_contact = testenv.call(CONTACTS, "Save", "a{sv}", (maria,), bus_name=B_NAME)
    # A calls the customer back with the case's attached data, which must reach B.
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, ATTACHED))
    assert testenv.get_property(SESSION, "ContactId", path=path) == a_contact
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")
    testenv.call(SESSION, "AppendNote", "s", ("asked about an invoice",), path=path)

    thread, outcome = transfer_in_background(testenv, path, "bob", "billing question")
    b_path = b_session(testenv)
    assert testenv.get_property(SESSION, "State", path=b_path, bus_name=B_NAME) == "ringing"
    # baresip calls the Refer-To URI as it is: B takes the attached data from it.
    attached = testenv.get_property(SESSION, "AttachedData", path=b_path, bus_name=B_NAME)
    # (baresip writes '?' for the escaped ';' and '=' of the values; B puts them back.)
    assert attached == {"UserToUser": "42a1", "AccountNumber": "AC-7"}, attached
    # B's screen pop: the transferred call is the same customer, and says who sent it.
    assert testenv.get_property(SESSION, "ContactId", path=b_path, bus_name=B_NAME) == b_contact
    assert testenv.get_property(SESSION, "RemoteName", path=b_path, bus_name=B_NAME) == "Maria Bianchi"
    contact = testenv.get_property(SESSION, "Participants", path=path)[0]
    assert contact["id"] == "contact" and contact["transfer"].startswith("sip:bob@127.0.0.1:")
    assert contact["transfer-state"] != "transferred"  # B has not answered yet
    testenv.call(SESSION, "Answer", path=b_path, bus_name=B_NAME)
    thread.join(timeout=60)
    assert outcome.get("ok"), outcome

    # A: the call went to Bob, and the notepad says so (the seed's rule).
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "disconnected",
             what="A's leg to end")
    actor, reason, error, message = testenv.get_property(SESSION, "EndReason", path=path)
    assert (actor, reason, error) == ("local", "transferred", "")
    assert message == "transferred to Bob Rossi"
    assert testenv.get_property(SESSION, "Notepad", path=path) == \
        "asked about an invoice\nTransferred to Bob Rossi: billing question"

    # B and the customer talk: each hears the other's tone.
    def b_hears_the_customer():
        stats = testenv.call(SESSION, "GetMediaStatistics", path=b_path, bus_name=B_NAME)
        return stats["rtp-packets-received"] > 150 and stats["rtp-packets-sent"] > 150
    wait_for(b_hears_the_customer, 20, what="RTP both ways between B and the customer")
    testenv.call(SESSION, "Disconnect", path=b_path, bus_name=B_NAME)
    phone.wait_event("CALL_CLOSED")
    testenv.stop_sportellod(b)
    heard, lead, seconds = dominant_tone(b_wav, CANDIDATES)
    assert heard == CUSTOMER and lead > 10, f"B heard {heard} Hz (lead {lead:.1f}, {seconds:.1f} s)"
    # baresip's recording of its newest call (the one to B): B's tone throughout.
    decoded = sorted(glob.glob(str(record / "*-dec.wav")))
    assert decoded, "baresip recorded nothing"
    tones = tones_over_time(decoded[-1])
    assert len(tones) >= 2 and set(tones) == {AGENT_B}, f"the customer heard {tones} (one per second)"
    testenv.call(SESSION, "MarkDone", path=path)
    # A's history row says where the call went, with the notepad's transfer line.
    row = testenv.call(CONTACTS, "History", "suu", (a_contact, 0, 10))
    assert [(r["end-actor"], r["end-reason"], r["status"]) for r in row] == [("local", "transferred", "done")]
    assert row[0]["notes"].endswith("Transferred to Bob Rossi: billing question")
    assert row[0]["attached-data"] == ATTACHED
    phone.close()
    testenv.stop_sportellod(a)



# ---- exact SIP with sipp as the customer's phone ----


def dial_sipp(testenv, scenario, extra=""):
    a_port, b_port = free_port(), free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, extra=directory(b_port) + extra))
    sipp = Sipp(testenv, "contact", scenario, timeout=60)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (sipp.uri, ATTACHED))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")
    return a, sipp, path


def transfer_error(testenv, path, target):
    name, message = testenv.call_error(SESSION, "Transfer", "ss", (target, "reason"), path=path)
    return name, message


def still_talking(testenv, path):
    assert testenv.get_property(SESSION, "State", path=path) == "talking"
    testenv.call(SESSION, "Disconnect", path=path)


@pytest.mark.parametrize("scenario, status", [("uas_refer_refused.xml", "603"),
                                              ("uas_refer_refused_405.xml", "405")])
def test_the_phone_refuses_the_transfer(testenv, scenario, status):
    a, sipp, path = dial_sipp(testenv, scenario)
    name, message = transfer_error(testenv, path, "bob")
    assert name == "org.sportello.Error.TransferFailed" and status in message, message
    still_talking(testenv, path)
    sipp.assert_passed()  # the REFER had the attached data and Referred-By
    testenv.stop_sportellod(a)


def test_the_target_is_busy(testenv):
    a, sipp, path = dial_sipp(testenv, "uas_refer_busy.xml")
    name, message = transfer_error(testenv, path, "bob")
    assert name == "org.sportello.Error.TransferFailed" and "486 Busy Here" in message, message
    contact = testenv.get_property(SESSION, "Participants", path=path)[0]
    assert contact["transfer-state"] == "failed: 486 Busy Here"
    assert testenv.get_property(SESSION, "Notepad", path=path) == ""
    still_talking(testenv, path)
    sipp.assert_passed()
    testenv.stop_sportellod(a)


SHORT_DEADLINE = """
[transfer]
timeout = 5
"""


def test_the_target_never_answers(testenv):
    """The phone took the REFER and its call to the target rings on: at the deadline the
    transfer fails (408) and the contact is the agent's again."""
    a, sipp, path = dial_sipp(testenv, "uas_refer_silent.xml", extra=SHORT_DEADLINE)
    started = time.monotonic()
    name, message = transfer_error(testenv, path, "bob")
    assert name == "org.sportello.Error.TransferFailed" and "408" in message, message
    assert time.monotonic() - started >= 4.5
    contact = testenv.get_property(SESSION, "Participants", path=path)[0]
    assert contact["transfer-state"].startswith("failed: 408"), contact
    still_talking(testenv, path)
    sipp.assert_passed()  # NOTIFY 100 and 180 answered, then our BYE
    testenv.stop_sportellod(a)


def test_the_target_never_answers_between_softphones(testenv):
    """The same with real phones: the customer's baresip calls a baresip that only rings."""
    a_port = free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, extra=SHORT_DEADLINE))
    phone, _ = customer(testenv)
    target = Baresip(testenv, name="target", user="target", codecs=("g711",), answermode="manual",
                     audio_file=tone_file(testenv, EXPERT))
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, ATTACHED))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")
    name, message = transfer_error(testenv, path, f"sip:target@127.0.0.1:{target.sip_port}")
    assert name == "org.sportello.Error.TransferFailed" and "408" in message, message
    # The customer is still on the call with the agent, and still heard.
    assert testenv.get_property(SESSION, "State", path=path) == "talking"
    before = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-received"]
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-received"]
             > before + 50, what="the customer's RTP after the failed transfer")
    testenv.call(SESSION, "Disconnect", path=path)
    phone.close()
    target.close()
    testenv.stop_sportellod(a)


def test_targets_and_states_that_cannot_transfer(testenv):
    a, sipp, path = dial_sipp(testenv, "uas_answer.xml")
    assert transfer_error(testenv, path, "nobody")[0] == "org.sportello.Error.NotFound"
    assert transfer_error(testenv, path, "  ")[0] == "org.sportello.Error.InvalidArgument"
    testenv.call(SESSION, "Disconnect", path=path)
    assert transfer_error(testenv, path, "bob")[0] == "org.sportello.Error.InvalidState"
    sipp.assert_passed()
    testenv.stop_sportellod(a)


def test_a_call_we_were_sent_is_transferred_as_soon_as_it_is_answered(testenv):
    """Transfer right after Answer, while the phone's ACK is still on its way (sipp waits 1 s):
    the REFER follows the ACK instead of failing, and Referred-By names the agent."""
    a_port, b_port = free_port(), free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, extra=directory(b_port)))
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    sipp = Sipp(testenv, "caller", "inbound_refer_refused.xml", remote=f"127.0.0.1:{a_port}", timeout=60)
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    added.close()
    testenv.call(SESSION, "Answer", path=path)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")
    name, message = transfer_error(testenv, path, "bob")
    assert name == "org.sportello.Error.TransferFailed" and "603" in message, message
    still_talking(testenv, path)
    sipp.assert_passed()  # Referred-By named Anna Verdi's address of record, not the dialled URI
    testenv.stop_sportellod(a)


def test_a_refer_from_the_contact_is_refused(testenv):
    port = free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, port))
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    sipp = Sipp(testenv, "caller", "inbound_refer.xml", remote=f"127.0.0.1:{port}", timeout=60)
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    added.close()
    testenv.call(SESSION, "Answer", path=path)
    # sipp sends the REFER once answered and must get 603; the call goes on.
    wait_for(lambda: "603 Transfer Not Allowed" in sipp.messages(), what="the 603 to the REFER")
    still_talking(testenv, path)
    sipp.assert_passed()
    testenv.stop_sportellod(a)


def test_a_transferred_call_shows_who_transferred_it(testenv):
    port = free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, port))
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    sipp = Sipp(testenv, "caller", "inbound_transferred.xml", remote=f"127.0.0.1:{port}", timeout=60)
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    added.close()
    assert testenv.get_property(SESSION, "ReferredBy", path=path) == "Anna Verdi <sip:agent1@127.0.0.1>"
    # Attached data in the Request-URI: only what would be taken as headers (sp-invite-check.c).
    attached = testenv.get_property(SESSION, "AttachedData", path=path)
    assert attached == {"AccountNumber": "AC-9", "UserToUser": "AB"}, attached
    testenv.call(SESSION, "Answer", path=path)
    testenv.call(SESSION, "Disconnect", path=path)
    sipp.assert_passed()
    testenv.stop_sportellod(a)


# ---- consultation transfer ----

def test_consult_then_complete_exact_sip(testenv):
    """sipp checks the hold and the REFER with Replaces; a second sipp is the consulted person."""
    a, contact, path = dial_sipp(testenv, "uas_consult_contact.xml")
    expert = Sipp(testenv, "expert", "uas_answer.xml", timeout=60)
    testenv.call(SESSION, "ConsultTransfer", "ss", (expert.uri, "needs an expert"), path=path,
                 timeout_ms=90000)
    assert testenv.get_property(SESSION, "State", path=path) == "consulting"
    parties = testenv.get_property(SESSION, "Participants", path=path)
    assert [(p["id"], p["role"], p["state"]) for p in parties] == [
        ("contact", "contact", "held"), ("consult-1", "consult", "talking")]
    assert parties[1]["uri"] == expert.uri
    # Hold and transfer are refused while consulting; the consultation is completed.
    assert testenv.call_error(SESSION, "Hold", path=path)[0] == "org.sportello.Error.InvalidState"
    assert transfer_error(testenv, path, "bob")[0] == "org.sportello.Error.InvalidState"
    testenv.call(SESSION, "CompleteTransfer", path=path, timeout_ms=90000)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "disconnected",
             what="both legs to end")
    actor, reason, _, message = testenv.get_property(SESSION, "EndReason", path=path)
    assert (actor, reason) == ("local", "transferred") and message.startswith("transferred to sip:customer@")
    assert testenv.get_property(SESSION, "Notepad", path=path).startswith("Transferred to sip:customer@")
    contact.assert_passed()  # held, then the exact REFER with Replaces
    expert.assert_passed()   # our leg to the expert ended with a BYE
    testenv.stop_sportellod(a)


def test_consult_busy_then_back_to_the_contact(testenv):
    a, contact, path = dial_sipp(testenv, "uas_hold.xml")
    expert = Sipp(testenv, "expert", "uas_reject_486.xml", timeout=60)
    name, message = testenv.call_error(SESSION, "ConsultTransfer", "ss", (expert.uri, ""), path=path)
    assert name == "org.sportello.Error.TransferFailed" and "486" in message, message
    # The contact stays on hold until the agent retrieves them.
    assert testenv.get_property(SESSION, "State", path=path) == "held"
    assert testenv.call_error(SESSION, "CompleteTransfer", path=path)[0] == "org.sportello.Error.InvalidState"
    testenv.call(SESSION, "Retrieve", path=path)
    assert testenv.get_property(SESSION, "State", path=path) == "talking"
    testenv.call(SESSION, "Disconnect", path=path)
    contact.assert_passed()  # hold (sendonly), then retrieve (sendrecv)
    expert.assert_passed()
    testenv.stop_sportellod(a)


EXPERT = 1500


def test_consult_then_complete_between_two_softphones(testenv):
    """The customer and the expert are real softphones: during the consultation the customer gets
    nothing from the agent, afterwards the two hear each other directly."""
    a_port = free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, extra=directory(free_port())))
    phone, record = customer(testenv)
    expert_record = testenv.root / "expert-rec"
    expert_record.mkdir()
    expert = Baresip(testenv, name="expert", user="expert", record_dir=expert_record, codecs=("g711",),
                     audio_file=tone_file(testenv, EXPERT))
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, ATTACHED))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")

    expert_uri = f"sip:expert@127.0.0.1:{expert.sip_port}"
    testenv.call(SESSION, "ConsultTransfer", "ss", (expert_uri, "needs an expert"), path=path,
                 timeout_ms=90000)
    assert testenv.get_property(SESSION, "State", path=path) == "consulting"
    # Held: the customer receives nothing from the agent while the agent and the expert talk.
    before = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"]
    wait_for(lambda: len(glob.glob(str(expert_record / "*-dec.wav"))) > 0, what="the expert's call")
    time.sleep(1.0)
    assert testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"] == before

    testenv.call(SESSION, "CompleteTransfer", path=path, timeout_ms=90000)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "disconnected",
             what="both of the agent's legs to end")
    assert testenv.get_property(SESSION, "EndReason", path=path)[1] == "transferred"
    # The customer's phone called the expert: they talk without the agent (who has no legs left).
    time.sleep(3.0)
    assert phone.command("hangup")["ok"]
    heard = tones_over_time(finished_recording(expert_record))
    assert heard[-2:] == [CUSTOMER, CUSTOMER], f"the expert heard {heard} (one per second)"
    heard = tones_over_time(finished_recording(record))
    assert heard[-2:] == [EXPERT, EXPERT], f"the customer heard {heard} (one per second)"
    phone.close()
    expert.close()
    testenv.stop_sportellod(a)


def test_the_consulted_person_hangs_up(testenv):
    """The expert hangs up during the consultation: the customer stays on hold until the agent
    retrieves them, then the two hear each other again. The agent's recording sink writes each
    leg to its own file: the consultation beside the customer's call, never over it."""
    a_port = free_port()
    a_wav = testenv.root / "agent-a.wav"
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, audio_sink=f"file:{a_wav}"))
    phone, _ = customer(testenv)
    expert = Baresip(testenv, name="expert", user="expert", codecs=("g711",),
                     audio_file=tone_file(testenv, EXPERT))
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, ATTACHED))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")
    testenv.call(SESSION, "ConsultTransfer", "ss", (f"sip:expert@127.0.0.1:{expert.sip_port}", ""),
                 path=path, timeout_ms=90000)
    assert testenv.get_property(SESSION, "State", path=path) == "consulting"
    consult_wav = testenv.root / "agent-a-consult-1.wav"
    wait_for(lambda: consult_wav.exists() and consult_wav.stat().st_size > 16000,
             what="a second of the expert in the consultation's recording")
    assert expert.command("hangup")["ok"]
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "held",
             what="the consultation to end, the customer still held")
    parties = testenv.get_property(SESSION, "Participants", path=path)
    assert [(p["id"], p["state"]) for p in parties] == [("contact", "held"), ("consult-1", "ended")]
    assert testenv.call_error(SESSION, "CompleteTransfer", path=path)[0] == "org.sportello.Error.InvalidState"
    sent = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"]
    testenv.call(SESSION, "Retrieve", path=path)
    assert testenv.get_property(SESSION, "State", path=path) == "talking"
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"] > sent + 50,
             what="the agent's voice to the customer again")
    testenv.call(SESSION, "Disconnect", path=path)
    heard = wait_for(lambda: finished_wav(a_wav), 10, what="the customer's call's recording")
    assert heard[0] == CUSTOMER, f"the agent heard {heard} from the customer"
    heard = wait_for(lambda: finished_wav(consult_wav), 10, what="the consultation's recording")
    assert heard[0] == EXPERT, f"the agent heard {heard} from the expert"
    phone.close()
    expert.close()
    testenv.stop_sportellod(a)


def finished_wav(path):
    """(dominant tone, lead, seconds) of a recording once its WAV is finalized, else None."""
    try:
        heard = dominant_tone(path, CANDIDATES + (EXPERT,))
    except Exception:  # not there yet, or its header is written at the end
        return None
    return heard if heard[2] >= 0.25 else None


def finished_recording(directory):
    """baresip's newest recording, once its call closed and the WAV is complete."""
    def complete():
        files = sorted(glob.glob(str(directory / "*-dec.wav")))
        try:
            return files[-1] if files and read_wav(files[-1])[1] else None
        except Exception:  # the header is written when the call closes
            return None
    return wait_for(complete, 10, what=f"a complete recording in {directory.name}")


@pytest.mark.parametrize("codecs, codec", [(("opus", "g711"), "OPUS/48000"), (("g711",), "PCMU/8000")],
                         ids=["same-codec", "codec-change"])
def test_consult_an_agent_whose_call_is_then_replaced(testenv, codecs, codec):
    """The consulted person is agent B (another sportellod): at CompleteTransfer the customer's
    phone calls B with Replaces, and B's session goes on with the customer in place of A,
    without ringing again. A's consultation call was Opus: a customer offering Opus keeps B's
    encoder (under baresip's payload type); one with G.711 only makes B change codec mid-call."""
    a, a_port, b, b_wav = start_agents(testenv)
    # baresip's sine source runs at 48 kHz only: an 8 kHz file carries the tone for G.711.
    source = {"tone": CUSTOMER} if "opus" in codecs else {"audio_file": tone_file(testenv, CUSTOMER)}
    phone = Baresip(testenv, codecs=codecs, **source)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, ATTACHED))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")
    thread, outcome = consult_in_background(testenv, path, "bob")
    b_path = b_session(testenv)
    testenv.call(SESSION, "Answer", path=b_path, bus_name=B_NAME)
    thread.join(timeout=60)
    assert outcome.get("ok"), outcome
    assert testenv.get_property(SESSION, "Remote", path=b_path, bus_name=B_NAME).startswith("sip:agent1@")

    testenv.call(SESSION, "CompleteTransfer", path=path, timeout_ms=90000)
    wait_for(lambda: testenv.get_property(SESSION, "Remote", path=b_path, bus_name=B_NAME)
             == phone.uri, what="B's session to go on with the customer")
    state = testenv.get_property(SESSION, "State", path=b_path, bus_name=B_NAME)
    assert state == "talking", testenv.get_property(SESSION, "EndReason", path=b_path, bus_name=B_NAME)
    objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects", bus_name=B_NAME)
    assert [p for p, ifaces in objects.items() if SESSION in ifaces] == [b_path]  # no new ringing
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "disconnected",
             what="A's legs to end")
    assert testenv.get_property(SESSION, "EndReason", path=path)[1] == "transferred"

    before = testenv.call(SESSION, "GetMediaStatistics", path=b_path, bus_name=B_NAME)
    assert before["audio-codec"].upper() == codec, before
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=b_path, bus_name=B_NAME)
             ["rtp-packets-received"] > before["rtp-packets-received"] + 100,
             what="the customer's RTP at B")
    testenv.call(SESSION, "Disconnect", path=b_path, bus_name=B_NAME)
    testenv.stop_sportellod(b)
    heard = tones_over_time(b_wav)
    assert heard[-2:] == [CUSTOMER, CUSTOMER], f"B heard {heard} (one per second)"
    phone.close()
    testenv.stop_sportellod(a)


def consult_in_background(testenv, path, target):
    outcome = {}

    def run():
        try:
            testenv.call(SESSION, "ConsultTransfer", "ss", (target, "an expert"), path=path,
                         timeout_ms=90000)
            outcome["ok"] = True
        except Exception as error:
            outcome["error"] = error
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_replacing_an_unknown_call_is_refused(testenv):
    port = free_port()
    a = testenv.start_sportellod(config=sportello_config(testenv, port))
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    sipp = Sipp(testenv, "caller", "inbound_replaces_unknown.xml", remote=f"127.0.0.1:{port}")
    sipp.assert_passed()  # 481, not 180
    # Nothing rang: the objects the service exports have no session.
    objects = testenv.call("org.freedesktop.DBus.ObjectManager", "GetManagedObjects")
    assert not [p for p, ifaces in objects.items() if SESSION in ifaces]
    added.close()
    testenv.stop_sportellod(a)


# ---- a queue behind kamailio ----

def test_blind_transfer_to_a_queue_routed_by_kamailio(testenv, keyring):
    """The queue's URI goes to kamailio, which routes it to agent B (registered there)."""
    kamailio = Kamailio(testenv, "s3cr3t-bob", queues={"support": "bob"})
    stored = subprocess.run(["secret-tool", "store", "--label", "bob", "account", "sip:bob@127.0.0.1", "kind",
                             "sip-password"], input="s3cr3t-bob", text=True, env=testenv.env, capture_output=True)
    assert stored.returncode == 0, stored.stderr
    b_port, a_port = free_port(), free_port()
    b_wav = testenv.root / "agent-b.wav"
    b_config = sportello_config(testenv, b_port, registrar=kamailio.uri, audio_sink=f"file:{b_wav}").read_text()
    b_config = b_config.replace("uri = sip:agent1@127.0.0.1", "uri = sip:bob@127.0.0.1")
    b = testenv.start_sportellod(config=testenv.write_config(b_config, name="agent-b.conf"),
                                 data_dir=testenv.root / "data-b", name="agent-b", bus_name=B_NAME)
    wait_for(lambda: testenv.get_property(AGENT, "Registration", bus_name=B_NAME) == "registered", 20,
             what="B registered at kamailio")
    queue = f"\n[queue:support]\nname = Technical support\nuri = sip:support@127.0.0.1:{kamailio.port}\n"
    a = testenv.start_sportellod(config=sportello_config(testenv, a_port, extra=queue))
    phone, record = customer(testenv)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", what="the call")

    thread, outcome = transfer_in_background(testenv, path, "support", "printer does not print")
    b_path = b_session(testenv)
    testenv.call(SESSION, "Answer", path=b_path, bus_name=B_NAME)
    thread.join(timeout=60)
    assert outcome.get("ok"), outcome
    assert testenv.get_property(SESSION, "Remote", path=b_path, bus_name=B_NAME) == phone.uri
    assert testenv.get_property(SESSION, "EndReason", path=path)[3] == "transferred to Technical support"
    assert "INVITE sip:support@" in kamailio.proc.log_path.read_text(errors="replace")
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=b_path, bus_name=B_NAME)
             ["rtp-packets-received"] > 150, what="the customer's RTP at B")
    testenv.call(SESSION, "Disconnect", path=b_path, bus_name=B_NAME)
    testenv.stop_sportellod(b)
    heard = tones_over_time(b_wav)
    assert heard[-2:] == [CUSTOMER, CUSTOMER], f"B heard {heard} (one per second)"
    phone.close()
    testenv.stop_sportellod(a)
