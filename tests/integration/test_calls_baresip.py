"""Calls with baresip as the customer's real softphone: audio flows both ways. Our side sends a
440 Hz test tone and records what it receives; baresip sends 1000 Hz and records what it
receives. Each side must hear the other's tone, and RTP is counted both ways."""

import glob

import pytest

from conftest import AGENT, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Baresip, dominant_tone, sportello_config, tone_file

OURS, THEIRS = 440, 1000
CANDIDATES = (OURS, THEIRS, 700, 1500)


def start_service(testenv):
    port = free_port()
    wav = testenv.root / "received.wav"
    proc = testenv.start_sportellod(config=sportello_config(testenv, port, audio_sink=f"file:{wav}"))
    return proc, port, wav


def customer(testenv, codec):
    record = testenv.root / "baresip-rec"
    record.mkdir()
    if codec == "opus":
        phone = Baresip(testenv, tone=THEIRS, record_dir=record, codecs=("opus", "g711"))
    else:
        phone = Baresip(testenv, audio_file=tone_file(testenv, THEIRS), record_dir=record, codecs=("g711",))
    return phone, record


def talk_until_media_flows(testenv, path, packets=150):
    def flowing():
        stats = testenv.call(SESSION, "GetMediaStatistics", path=path)
        return stats if stats["rtp-packets-sent"] >= packets and stats["rtp-packets-received"] >= packets else None
    return wait_for(flowing, 20, what=f"{packets} RTP packets each way")


def check_recordings(wav, record):
    heard, lead, seconds = dominant_tone(wav, CANDIDATES)
    assert seconds > 1.0, f"sportellod recorded only {seconds:.1f} s"
    assert heard == THEIRS and lead > 10, f"sportellod heard {heard} Hz (lead {lead:.1f})"
    decoded = glob.glob(str(record / "*-dec.wav"))
    assert decoded, "baresip recorded nothing"
    heard, lead, seconds = dominant_tone(decoded[0], CANDIDATES)
    assert heard == OURS and lead > 10, f"baresip heard {heard} Hz (lead {lead:.1f})"


@pytest.mark.parametrize("codec,expected", [("opus", "opus/48000"), ("pcmu", "PCMU/8000")])
def test_customer_calls_in(testenv, codec, expected):
    proc, port, wav = start_service(testenv)
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    phone, record = customer(testenv, codec)
    assert phone.command("dial", f"sip:agent1@127.0.0.1:{port}")["ok"]
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    testenv.call(SESSION, "Answer", path=path)
    phone.wait_event("CALL_ESTABLISHED")
    stats = talk_until_media_flows(testenv, path)
    assert stats["audio-codec"].lower() == expected.lower()
    testenv.call(SESSION, "Disconnect", path=path)
    phone.wait_event("CALL_CLOSED")
    testenv.stop_sportellod(proc)  # finalizes the recording
    check_recordings(wav, record)
    added.close()
    phone.close()


@pytest.mark.parametrize("codec,expected", [("opus", "opus/48000"), ("pcmu", "PCMU/8000")])
def test_agent_calls_out(testenv, codec, expected):
    proc, port, wav = start_service(testenv)
    phone, record = customer(testenv, codec)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
    stats = talk_until_media_flows(testenv, path)
    assert stats["audio-codec"].lower() == expected.lower()
    phone.command("hangup")
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "disconnected", 15, what="disconnected")
    assert testenv.get_property(SESSION, "EndReason", path=path)[:2] == ("remote", "hangup")
    testenv.stop_sportellod(proc)
    check_recordings(wav, record)
    phone.close()


def test_hold_stops_our_audio(testenv):
    proc, port, wav = start_service(testenv)
    phone, record = customer(testenv, "opus")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
    talk_until_media_flows(testenv, path, packets=50)
    testenv.call(SESSION, "Hold", path=path)
    before = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"]
    # While held nothing leaves us; the contact's packets may still arrive (music on hold).
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-received"] > 0, 5)
    import time
    time.sleep(1.0)
    after = testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"]
    assert after - before <= 2, f"sent {after - before} packets while on hold"
    testenv.call(SESSION, "Retrieve", path=path)
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=path)["rtp-packets-sent"] > after + 50, 10,
             what="audio again after Retrieve")
    testenv.call(SESSION, "Disconnect", path=path)
    testenv.stop_sportellod(proc)
    phone.close()
