"""SIP over TLS with SRTP: sportellod with transport = tls, its own certificate and a CA made by the
test (openssl); baresip over TLS with srtp-mand as the customer's phone, kamailio over TLS as the
registrar. Calls both ways are encrypted and carry media; sportellod listens on TLS only; a phone
whose certificate the CA did not sign is not called unless verify-peer = false; --check-config
names a certificate or key it cannot use."""

import glob
import os
import re
import socket
import ssl
import subprocess
import textwrap

from conftest import AGENT, ROOT, SESSION, SPORTELLOD, SignalRecorder, free_port, wait_for
from peers import Baresip, Kamailio, dominant_tone, sportello_config, tone_file
from sniffer import Sniffer
import srtpwire

PASSWORD = "s3cr3t-agent1"
OURS, THEIRS = 440, 1000  # sportellod's test tone, the phone's


def make_ca(testenv, name="ca", host="127.0.0.1"):
    """A self-signed certificate for HOST that is its own CA (one is enough for a test):
    (certificate, private key, both in one PEM as baresip wants them)."""
    key, crt = testenv.root / f"{name}.key", testenv.root / f"{name}.crt"
    san = f"IP:{host}" if host[0].isdigit() else f"DNS:{host}"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", f"/CN={host}", "-addext", f"subjectAltName={san}",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    key.chmod(0o600)
    both = testenv.root / f"{name}-both.pem"
    both.write_text(crt.read_text() + key.read_text())
    return crt, key, both


def tls_config(testenv, port, ca, verify="true", registrar="", trusted=None, audio_sink="null"):
    """sportellod on TLS with the CA's certificate as its own, peers checked against the CA (or
    the CA file TRUSTED)."""
    crt, key, _ = ca
    config = sportello_config(testenv, port, registrar=registrar, audio_sink=audio_sink, extra=(
        f"\n[security]\ncertificate = {crt}\nprivate-key = {key}\nca = {trusted or crt}\nverify-peer = {verify}\n"
        "media-encryption = required\n"))
    config.write_text(config.read_text().replace("transport = udp", "transport = tls"))
    return config


def tls_phone(testenv, certificate, ca, name="baresip", video=False, record_dir=None):
    return Baresip(testenv, name=name, tls=(certificate[2], ca[0]), mediaenc="srtp-mand", codecs=("g711",),
                   audio_file=tone_file(testenv, THEIRS), video=video, record_dir=record_dir)


def assert_sip_only_in_tls(sniffer, port):
    """Every TCP payload to or from the SIP port is a TLS record (content type 20-23, version
    3.x), and none carries a SIP start line or an SDP key in clear."""
    segments = sniffer.tcp_snapshot()
    assert len(segments) >= 10, f"only {len(segments)} TCP segments on the SIP port"
    clear = [data[:40] for _, _, data in segments if b"SIP/2.0" in data or b"a=crypto" in data]
    assert not clear, f"SIP in clear on lo: {clear[:3]}"
    records = [data for _, _, data in segments if 20 <= data[0] <= 23 and data[1] == 3]
    assert len(records) >= len(segments) * 0.9, "TCP payloads that are not TLS records"


def talk_until_media_flows(testenv, path, packets=100):
    def flowing():
        stats = testenv.call(SESSION, "GetMediaStatistics", path=path)
        return stats if stats["rtp-packets-sent"] >= packets and stats["rtp-packets-received"] >= packets else None
    return wait_for(flowing, 20, what=f"{packets} RTP packets each way")


def answer_incoming(testenv, added, phone):
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    testenv.call(SESSION, "Answer", path=path)
    phone.wait_event("CALL_ESTABLISHED")
    return path


def assert_tls_only(port, ca):
    """The SIP port speaks TLS with our certificate, and no SIP is taken in clear over UDP."""
    context = ssl.create_default_context(cafile=str(ca[0]))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", port))  # fails if sportellod listened for SIP over UDP here


def test_calls_over_tls_both_ways(testenv):
    ca = make_ca(testenv)
    port = free_port()
    wav = testenv.root / "received.wav"
    config = tls_config(testenv, port, ca, audio_sink=f"file:{wav}")
    config.write_text(config.read_text().replace("camera = none", "camera = test")
                      + "\n[video]\nallowed = true\nremote-offers = accept\n")
    low, high = (int(p) for p in re.search(r"rtp-ports = (\d+)-(\d+)", config.read_text()).groups())
    rtp_ports = range(low, high + 1)
    proc = testenv.start_sportellod(config=config)
    # The Contact peers call back is a sip: URI with transport=tls (baresip cannot ACK a sips: one).
    assert testenv.get_property(AGENT, "ContactUri") == f"sip:127.0.0.1:{port};transport=tls"
    assert_tls_only(port, ca)
    # The copy of the key Sofia-SIP read at start is gone.
    assert not list(testenv.runtime.glob("sportello-tls-*"))
    record = testenv.root / "baresip-rec"
    record.mkdir()
    phone = tls_phone(testenv, ca, ca, video=True, record_dir=record)
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    # SIP on the TLS port, media on the RTP ports (capturing on lo needs root, as in the CI).
    sniffer = Sniffer([port, *rtp_ports], tcp=True) if os.geteuid() == 0 else None

    assert phone.command("dial", f"sip:agent1@127.0.0.1:{port};transport=tls")["ok"]
    path = answer_incoming(testenv, added, phone)
    assert testenv.get_property(SESSION, "Encrypted", path=path) is True
    talk_until_media_flows(testenv, path)
    testenv.call(SESSION, "Disconnect", path=path)
    phone.wait_event("CALL_CLOSED")
    testenv.call(SESSION, "MarkDone", path=path)

    # Dialled without a transport: transport = tls calls over TLS, verifying the phone's certificate.
    out = testenv.call(AGENT, "Dial", "sa{ss}", (f"sip:customer@127.0.0.1:{phone.sip_port + 1}", {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "talking", 15, what="talking")
    assert testenv.get_property(SESSION, "Encrypted", path=out) is True
    talk_until_media_flows(testenv, out)
    # Re-INVITEs over the TLS connection: video both ways (SRTP too), then hold and retrieve.
    testenv.call(SESSION, "ActivateVideo", path=out)
    assert testenv.get_property(SESSION, "Video", path=out) == "active"
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=out)["video-frames-decoded"] >= 30, 20,
             what="30 frames from baresip decoded")
    wait_for(lambda: testenv.call(SESSION, "GetMediaStatistics", path=out)["video-rtp-packets-sent"] >= 250, 20,
             what="250 video packets sent (enough to judge them on the wire)")
    assert phone.received_colour() is not None  # baresip decodes ours
    testenv.call(SESSION, "Hold", path=out)
    assert testenv.get_property(SESSION, "State", path=out) == "held"
    testenv.call(SESSION, "Retrieve", path=out)
    wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "talking", 15, what="talking again")
    assert testenv.get_property(SESSION, "Encrypted", path=out) is True
    before = testenv.call(SESSION, "GetMediaStatistics", path=out)["rtp-packets-received"]
    talk_until_media_flows(testenv, out, packets=before + 50)
    testenv.call(SESSION, "Disconnect", path=out)
    phone.wait_event("CALL_CLOSED")
    if sniffer:
        sniffer.stop()
        assert_sip_only_in_tls(sniffer, port)
        srtpwire.assert_no_clear_audio(sniffer.snapshot(), rtp_ports, (OURS, THEIRS))
        srtpwire.assert_video_hidden(srtpwire.rtp_packets(sniffer.snapshot(), rtp_ports, range(96, 128)))
    testenv.stop_sportellod(proc)  # finalizes the recording
    # The tones, both ways, through SRTP: ours at the phone, the phone's at sportellod.
    heard, lead, seconds = dominant_tone(wav, (OURS, THEIRS, 700, 1500))
    assert heard == THEIRS and lead > 10 and seconds > 2, f"sportellod heard {heard} Hz (lead {lead:.1f})"
    decoded = sorted(glob.glob(str(record / "*-dec.wav")))
    assert decoded, "baresip recorded nothing"
    heard, lead, _ = dominant_tone(decoded[-1], (OURS, THEIRS, 700, 1500))
    assert heard == OURS and lead > 10, f"baresip heard {heard} Hz (lead {lead:.1f})"
    added.close()
    phone.close()


def test_verify_peer_refuses_a_phone_the_ca_did_not_sign(testenv):
    ca, other = make_ca(testenv), make_ca(testenv, "other")
    phone = tls_phone(testenv, other, other)
    port = free_port()
    proc = testenv.start_sportellod(config=tls_config(testenv, port, ca))
    out = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "disconnected", 15,
             what="the call to end")
    actor, reason, error, message = testenv.get_property(SESSION, "EndReason", path=out)
    assert (actor, reason, error) == ("system", "network-error", "org.sportello.Error.Failed"), message
    assert message.startswith("503 ") and "TLS certificate is not trusted" in message, message
    assert not [e for e in phone.events if e.get("type") == "CALL_INCOMING"], "the phone was called"
    testenv.stop_sportellod(proc)

    # verify-peer = false (a self-signed test setup): the same phone is called, still encrypted.
    proc = testenv.start_sportellod(config=tls_config(testenv, port, ca, verify="false"))
    out = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "talking", 15, what="talking")
    assert testenv.get_property(SESSION, "Encrypted", path=out) is True
    testenv.call(SESSION, "Disconnect", path=out)
    phone.wait_event("CALL_CLOSED")
    testenv.stop_sportellod(proc)
    phone.close()


def test_verify_peer_checks_the_host_the_certificate_names(testenv):
    # Signed by a trusted CA, but for another host: not the phone we dialled.
    ca, elsewhere = make_ca(testenv), make_ca(testenv, "elsewhere", host="phone.example.com")
    trusted = testenv.root / "trusted.pem"
    trusted.write_text(ca[0].read_text() + elsewhere[0].read_text())
    phone = tls_phone(testenv, elsewhere, ca)
    port = free_port()
    proc = testenv.start_sportellod(config=tls_config(testenv, port, ca, trusted=trusted))
    out = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    wait_for(lambda: testenv.get_property(SESSION, "State", path=out) == "disconnected", 15,
             what="the call to end")
    assert testenv.get_property(SESSION, "EndReason", path=out)[:3] == (
        "system", "network-error", "org.sportello.Error.Failed")
    assert not [e for e in phone.events if e.get("type") == "CALL_INCOMING"], "the phone was called"
    testenv.stop_sportellod(proc)
    phone.close()


def test_register_and_take_a_call_through_kamailio_over_tls(testenv, keyring):
    ca = make_ca(testenv)
    kamailio = Kamailio(testenv, PASSWORD, tls=(ca[0], ca[1]))
    subprocess.run(["secret-tool", "store", "--label", "test", "account", "sip:agent1@127.0.0.1", "kind",
                    "sip-password"], input=PASSWORD, text=True, env=testenv.env, check=True)
    port = free_port()
    proc = testenv.start_sportellod(config=tls_config(testenv, port, ca, registrar=f"sip:127.0.0.1:{kamailio.tls_port}"))
    wait_for(lambda: testenv.get_property(AGENT, "Registration") == "registered", 15, what="registered")
    assert "REGISTER sip:127.0.0.1" in kamailio.proc.log_path.read_text(errors="replace")
    assert "proto=tls" in kamailio.proc.log_path.read_text(errors="replace")

    # A call to agent1@kamailio reaches the Contact we registered, over TLS.
    phone = tls_phone(testenv, ca, ca)
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded", ROOT)
    assert phone.command("dial", f"sip:agent1@127.0.0.1:{kamailio.tls_port};transport=tls")["ok"]
    path = answer_incoming(testenv, added, phone)
    assert testenv.get_property(SESSION, "Encrypted", path=path) is True
    talk_until_media_flows(testenv, path, packets=50)
    testenv.call(SESSION, "Disconnect", path=path)
    phone.wait_event("CALL_CLOSED")
    log = kamailio.proc.log_path.read_text(errors="replace")
    assert f"INVITE sip:127.0.0.1:{port};transport=tls" in log or "INVITE sip:agent1@" in log
    testenv.stop_sportellod(proc)
    added.close()
    phone.close()


def test_check_config_names_a_key_it_cannot_use(testenv):
    ca = make_ca(testenv)
    text = textwrap.dedent(f"""\
        [account]
        uri = sip:agent1@127.0.0.1
        transport = tls
        [security]
        certificate = {ca[0]}
        private-key = {testenv.root}/missing.key
        media-encryption = required
        """)
    path = testenv.write_config(text, "tls.conf")
    result = subprocess.run([SPORTELLOD, "--check-config", "--config", str(path)], env=testenv.env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"[security] private-key: '{testenv.root}/missing.key' is not a file" in result.stdout + result.stderr

    ca[1].chmod(0o644)
    path.write_text(text.replace(f"{testenv.root}/missing.key", str(ca[1])))
    result = subprocess.run([SPORTELLOD, "--check-config", "--config", str(path)], env=testenv.env,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[security] private-key:" in result.stdout + result.stderr
    assert "can be read by other users" in result.stdout + result.stderr


def test_a_key_of_another_certificate_keeps_sip_off_with_a_reason(testenv):
    ca, other = make_ca(testenv), make_ca(testenv, "other")
    proc = testenv.start_sportellod(config=tls_config(testenv, free_port(), (ca[0], other[1], None)))
    name, message = testenv.call_error(AGENT, "Dial", "sa{ss}", ("sip:customer@127.0.0.1", {}))
    assert name == "org.sportello.Error.Unavailable", message
    assert "[security] private-key does not belong to the certificate" in message
    testenv.stop_sportellod(proc)
