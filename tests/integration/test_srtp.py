"""Encrypted calls with baresip's srtp module as the customer's phone: SDES keys in the SDP
(RFC 4568), SRTP both ways. Our side sends a 440 Hz tone and records what it receives; baresip
sends 1000 Hz from a file (G.711, so a plain packet would carry the tone as it is) and records.
What crosses the loopback interface is captured: every RTP packet of the call carries an
authentication tag and no packet's payload decodes to either tone.

SIP runs over UDP here ([security] sdes-without-tls = true): the keys travel in clear on this
loopback only."""

import glob
import os
import re

import pytest

from conftest import AGENT, CONTACTS, ROOT, SESSION, SignalRecorder, free_port, wait_for
from linphone import Linphone
from peers import Baresip, Sipp, dominant_tone, sportello_config, tone_file
from sniffer import Sniffer
import srtpwire
from srtpwire import rtp_packets

OURS, THEIRS = 440, 1000
CANDIDATES = (OURS, THEIRS, 700, 1500)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="capturing on lo needs root (the CI runs as root)")


def security(policy):
    return f"\n[security]\nmedia-encryption = {policy}\nsdes-without-tls = true\n"


def start_service(testenv, policy):
    port = free_port()
    wav = testenv.root / "received.wav"
    config = sportello_config(testenv, port, audio_sink=f"file:{wav}", extra=security(policy))
    proc = testenv.start_sportellod(config=config)
    low, high = (int(p) for p in config.read_text().split("rtp-ports = ")[1].split()[0].split("-"))
    return proc, port, wav, range(low, high + 1)


def customer(testenv, mediaenc):
    record = testenv.root / "baresip-rec"
    record.mkdir()
    phone = Baresip(testenv, audio_file=tone_file(testenv, THEIRS), record_dir=record, codecs=("g711",),
                    mediaenc=mediaenc)
    return phone, record


def assert_no_clear_audio(sniffer, ports):
    srtpwire.assert_no_clear_audio(sniffer.snapshot(), ports, (OURS, THEIRS))


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


@pytest.mark.parametrize("mediaenc", ["srtp-mand", "srtp"])
def test_required_call_out_is_encrypted_end_to_end(testenv, mediaenc):
    proc, port, wav, rtp_ports = start_service(testenv, "required")
    phone, record = customer(testenv, mediaenc)
    with Sniffer(rtp_ports) as sniffer:
        path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
        wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
        assert testenv.get_property(SESSION, "Encrypted", path=path) is True
        talk_until_media_flows(testenv, path)
        wait_for(lambda: srtpwire.rtcp_from(sniffer.snapshot(), rtp_ports), 15, what="our first RTCP report")
        testenv.call(SESSION, "Disconnect", path=path)
        phone.wait_event("CALL_CLOSED")
    assert_no_clear_audio(sniffer, rtp_ports)
    testenv.call(SESSION, "MarkDone", path=path)
    testenv.stop_sportellod(proc)  # finalizes the recording
    check_recordings(wav, record)
    phone.close()


def test_customer_calls_in_encrypted_and_the_history_says_so(testenv):
    proc, port, wav, rtp_ports = start_service(testenv, "preferred")
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    phone, record = customer(testenv, "srtp-mand")
    contact_id = testenv.call(CONTACTS, "Save", "a{sv}", ({"first-name": GLib_s("Enza"),
                                                           "addresses": GLib_as([phone.uri])},))
    with Sniffer(rtp_ports) as sniffer:
        assert phone.command("dial", f"sip:agent1@127.0.0.1:{port}")["ok"]
        path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
        assert testenv.get_property(SESSION, "Encrypted", path=path) is False  # ringing: nothing agreed yet
        testenv.call(SESSION, "Answer", path=path)
        phone.wait_event("CALL_ESTABLISHED")
        assert testenv.get_property(SESSION, "Encrypted", path=path) is True
        talk_until_media_flows(testenv, path)
        testenv.call(SESSION, "Disconnect", path=path)
        phone.wait_event("CALL_CLOSED")
    assert_no_clear_audio(sniffer, rtp_ports)
    testenv.call(SESSION, "MarkDone", path=path)
    record_row = testenv.call(CONTACTS, "History", "suu", (contact_id, 0, 1))[0]
    assert record_row["encrypted"] is True
    testenv.stop_sportellod(proc)
    check_recordings(wav, record)
    added.close()
    phone.close()


def test_linphone_both_ways_encrypted_under_required(testenv):
    """A second, independent SRTP implementation (linphonec's mediastreamer2 and libsrtp2 use):
    it answers our SAVP offer, and its own SAVP offer is answered; both calls carry tones."""
    proc, port, wav, rtp_ports = start_service(testenv, "required")
    phone = Linphone(testenv, tone_wav=tone_file(testenv, THEIRS), video=False, srtp="mandatory", pcmu_only=True)
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    with Sniffer(rtp_ports) as sniffer:
        out = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
        wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "talking", 15, what="talking")
        assert testenv.get_property(SESSION, "Encrypted", path=out) is True
        talk_until_media_flows(testenv, out)
        testenv.call(SESSION, "Disconnect", path=out)
        phone.expect(r"Call \d+ with .* ended")

        phone.call(f"sip:agent1@127.0.0.1:{port}")
        path = added.wait(lambda e: SESSION in e[3][1] and e[3][0] != out, what="linphonec's call")[3][0]
        testenv.call(SESSION, "Answer", path=path)
        wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
        assert testenv.get_property(SESSION, "Encrypted", path=path) is True
        talk_until_media_flows(testenv, path)
        testenv.call(SESSION, "Disconnect", path=path)
        phone.expect(r"Call \d+ with .* ended")
    assert_no_clear_audio(sniffer, rtp_ports)
    for session in (out, path):
        testenv.call(SESSION, "MarkDone", path=session)
    testenv.stop_sportellod(proc)  # finalizes the recording
    heard, lead, seconds = dominant_tone(wav, CANDIDATES)
    assert heard == THEIRS and lead > 10 and seconds > 2, f"sportellod heard {heard} Hz (lead {lead:.1f}, {seconds:.1f} s)"
    phone.close()
    heard, lead, seconds = dominant_tone(phone.recording, CANDIDATES)
    assert heard == OURS and lead > 10, f"linphonec heard {heard} Hz (lead {lead:.1f})"
    added.close()


def test_keys_never_leave_the_call(testenv):
    """With every debug message on and Sofia tracing each SIP message (TPORT_LOG), the keys both
    sides put in their SDP (captured on lo) appear nowhere: not in sportellod's log, its D-Bus
    properties and statistics, the history, nor any file of its store."""
    testenv.env["G_MESSAGES_DEBUG"] = "all"
    testenv.env["TPORT_LOG"] = "1"
    proc, port, wav, rtp_ports = start_service(testenv, "preferred")
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    phone, _ = customer(testenv, "srtp-mand")
    with Sniffer([port, phone.sip_port]) as sniffer:
        assert phone.command("dial", f"sip:agent1@127.0.0.1:{port}")["ok"]
        path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
        testenv.call(SESSION, "Answer", path=path)
        phone.wait_event("CALL_ESTABLISHED")
        talk_until_media_flows(testenv, path, packets=50)
        seen = repr(testenv.call("org.freedesktop.DBus.Properties", "GetAll", "s", (SESSION,), path=path))
        seen += repr(testenv.call(SESSION, "GetMediaStatistics", path=path))
        testenv.call(SESSION, "Disconnect", path=path)
        phone.wait_event("CALL_CLOSED")
    testenv.call(SESSION, "MarkDone", path=path)
    sip = b"".join(data for _, _, data in sniffer.snapshot()).decode(errors="replace")
    keys = set(re.findall(r"a=crypto:\d+ \S+ inline:([A-Za-z0-9+/=]{40,})", sip))
    assert len(keys) >= 2, f"keys in the SDP of both sides: {keys}"
    testenv.stop_sportellod(proc)
    log = proc.log_path.read_text(errors="replace")
    traced = "a=crypto" in log and "inline:[key hidden]" in log
    assert traced, "the SIP trace did not reach the log, or no key was hidden in it"
    stored = b"".join(path.read_bytes() for path in (testenv.data / "sportello").rglob("*") if path.is_file())
    for key in keys:
        places = [where for where, found in (("the log", key[:16] in log), ("D-Bus", key[:16] in seen),
                                              ("the store", key[:16].encode() in stored)) if found]
        assert not places, f"a key in {places}"
    added.close()
    phone.close()


GREEN = (0, 255, 0)


def vp8_packets(datagrams, ports):
    """Payloads of the RTP packets of a dynamic payload type (the video; G.711 is 0 or 8)."""
    return rtp_packets(datagrams, ports, payload_types=range(96, 128))


def test_video_escalation_and_hold_keep_the_call_encrypted(testenv, pipewire):
    """Under required, ActivateVideo adds an SRTP video stream with keys of its own, and Hold,
    Retrieve keep both streams encrypted: baresip still sees the agent's green camera. In clear,
    a VP8 payload starts with its descriptor, a handful of distinct first bytes (its reserved bit
    always 0); encrypted, the first bytes are spread over the whole range."""
    from videopeer import near
    pipewire.start()
    pipewire.start_camera(colour=GREEN)
    port = free_port()
    config = sportello_config(testenv, port, extra=security("required"))
    config.write_text(config.read_text().replace("camera = none", "camera = pipewire"))
    low, high = (int(p) for p in config.read_text().split("rtp-ports = ")[1].split()[0].split("-"))
    rtp_ports = range(low, high + 1)
    proc = testenv.start_sportellod(config=config)
    wait_for(lambda: testenv.get_property(AGENT, "CameraAvailable"), 15, what="CameraAvailable")
    phone = Baresip(testenv, video=True, codecs=("g711",), mediaenc="srtp-mand", audio_file=tone_file(testenv, THEIRS))
    with Sniffer(rtp_ports) as sniffer:
        path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
        wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
        testenv.call(SESSION, "ActivateVideo", path=path)
        assert testenv.get_property(SESSION, "Video", path=path) == "active"
        assert testenv.get_property(SESSION, "Encrypted", path=path) is True
        wait_for(lambda: near(phone.received_colour(), GREEN), 20, what="baresip sees the green camera")
        testenv.call(SESSION, "Hold", path=path)
        testenv.call(SESSION, "Retrieve", path=path)
        wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
        assert testenv.get_property(SESSION, "Encrypted", path=path) is True
        before = len(vp8_packets(sniffer.snapshot(), rtp_ports))
        wait_for(lambda: len(vp8_packets(sniffer.snapshot(), rtp_ports)) > before + 100, 20,
                 what="video after the hold")
        wait_for(lambda: near(phone.received_colour(), GREEN), 20, what="baresip sees the camera after the hold")
        talk_until_media_flows(testenv, path)
        testenv.call(SESSION, "Disconnect", path=path)
        phone.wait_event("CALL_CLOSED")
    assert_no_clear_audio(sniffer, rtp_ports)
    srtpwire.assert_video_hidden(vp8_packets(sniffer.snapshot(), rtp_ports))
    testenv.stop_sportellod(proc)
    phone.close()


def test_required_refuses_a_plain_phone_and_preferred_falls_back(testenv):
    proc, port, wav, rtp_ports = start_service(testenv, "required")
    phone, _ = customer(testenv, None)
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    with Sniffer(rtp_ports) as sniffer:
        # A plain offer cannot be answered: refused before it rings, no session for the CRM.
        assert phone.command("dial", f"sip:agent1@127.0.0.1:{port}")["ok"]
        closed = phone.wait_event("CALL_CLOSED")
        assert "488" in closed.get("param", ""), closed
        assert sessions_added(added) == [], "a session rang for a call that cannot be answered"
        wait_for(lambda: "incoming INVITE refused with 488" in proc.log_path.read_text(errors="replace"),
                 5, what="the refusal in the log")
        assert "media-encryption is required" in proc.log_path.read_text(errors="replace")
        # Nor does an outgoing call reach a phone without SRTP.
        out = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
        wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "disconnected", 15,
                 what="the plain phone's answer to be refused")
        assert testenv.get_property(SESSION, "Encrypted", path=out) is False
    assert rtp_packets(sniffer.snapshot(), rtp_ports) == [], "RTP left sportellod in clear"
    testenv.stop_sportellod(proc)
    added.close()

    proc, port, wav, rtp_ports = start_service(testenv, "preferred")
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=path) == "talking", 15, what="talking")
    talk_until_media_flows(testenv, path, packets=50)
    assert testenv.get_property(SESSION, "Encrypted", path=path) is False
    testenv.call(SESSION, "Disconnect", path=path)
    testenv.stop_sportellod(proc)
    phone.close()


UNUSABLE_CRYPTO = [  # (suite, key-params)
    ("F8_128_HMAC_SHA1_80", "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"),  # a suite GStreamer lacks
    ("AES_CM_128_HMAC_SHA1_80", "not*base64!!"),
    ("AES_CM_128_HMAC_SHA1_80", "MTIzNDU2Nzg5MDEyMzQ1Ng=="),  # 16 bytes, not 30
    ("AES_256_CM_HMAC_SHA1_80", "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"),  # 30 bytes, not 46
]


@pytest.mark.parametrize("policy", ["preferred", "required"])
def test_unusable_crypto_offers_are_refused_before_ringing(testenv, policy):
    """RTP/SAVP offers whose only a=crypto line has an unknown suite, a key that is not base64,
    or a key of the wrong length for its suite: 488 before the call rings (sipp expects no 180),
    no session, the reason in the log; sportellod then takes a good encrypted call."""
    proc, port, wav, rtp_ports = start_service(testenv, policy)
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    for index, (suite, key) in enumerate(UNUSABLE_CRYPTO):
        sipp = Sipp(testenv, f"caller{index}", "inbound_crypto_refused.xml", remote=f"127.0.0.1:{port}",
                    extra=["-set", "suite", suite, "-set", "key", key])
        sipp.assert_passed()
    assert sessions_added(added) == [], "a call with unusable keys rang"
    log = proc.log_path.read_text(errors="replace")
    assert log.count("incoming INVITE refused with 488") == len(UNUSABLE_CRYPTO), log[-3000:]
    phone, record = customer(testenv, "srtp-mand")
    assert phone.command("dial", f"sip:agent1@127.0.0.1:{port}")["ok"]
    path = added.wait(lambda e: SESSION in e[3][1], what="the good call")[3][0]
    testenv.call(SESSION, "Answer", path=path)
    phone.wait_event("CALL_ESTABLISHED")
    assert testenv.get_property(SESSION, "Encrypted", path=path) is True
    testenv.call(SESSION, "Disconnect", path=path)
    phone.wait_event("CALL_CLOSED")
    testenv.stop_sportellod(proc)
    added.close()
    phone.close()


def sessions_added(recorder):
    """The sessions RECORDER saw added so far (its signals are delivered by the main context)."""
    from gi.repository import GLib
    context = GLib.MainContext.default()
    while context.iteration(False):
        pass
    return [event for event in recorder.events if SESSION in event[3][1]]


def GLib_s(value):
    from gi.repository import GLib
    return GLib.Variant("s", value)


def GLib_as(value):
    from gi.repository import GLib
    return GLib.Variant("as", value)
