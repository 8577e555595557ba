"""What an encrypted call looks like on the wire, judged from packets a Sniffer captured on lo:
G.711 RTP that is SRTP (an 80-bit tag after whole milliseconds of audio, no tone in clear),
SRTCP (the E flag of its index set), and VP8 whose payload descriptor is hidden."""

import math

PCMU_20MS = 160  # bytes of G.711 in a 20 ms packet
TAG_80 = 10  # HMAC_SHA1_80's tag


def ulaw_to_linear(byte):
    byte = ~byte & 0xFF
    magnitude = ((byte & 0x0F) << 3 | 0x84) << ((byte & 0x70) >> 4)
    return (0x84 - magnitude) if byte & 0x80 else (magnitude - 0x84)


def tone_share(payload, frequency, rate=8000):
    """The share of the payload's power (decoded as G.711 u-law) at FREQUENCY: about 1 for a
    clear tone, about 2/n for noise."""
    samples = [ulaw_to_linear(b) for b in payload]
    mean = sum(samples) / len(samples)
    samples = [s - mean for s in samples]
    total = sum(s * s for s in samples) or 1
    coeff = 2 * math.cos(2 * math.pi * frequency / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return 2 * (s1 * s1 + s2 * s2 - coeff * s1 * s2) / len(samples) / total


def is_rtcp(data):
    return len(data) > 1 and 192 <= data[1] <= 223


def ours(datagram, ports):
    source, destination, data = datagram
    return (source in ports or destination in ports) and len(data) > 12 and data[0] >> 6 == 2


def rtp_packets(datagrams, ports, payload_types=None):
    """RTP (version 2, not RTCP) to or from PORTS, of PAYLOAD_TYPES if given: each one's payload
    (and tag)."""
    return [data[12 + 4 * (data[0] & 0x0F):] for datagram in datagrams if ours(datagram, ports)
            for data in (datagram[2],)
            if not is_rtcp(data) and (payload_types is None or data[1] & 0x7F in payload_types)]


def assert_no_clear_audio(datagrams, ports, tones):
    """Every G.711 packet to or from PORTS is SRTP with an 80-bit tag and carries none of TONES
    in clear; every RTCP packet we send is SRTCP."""
    packets = rtp_packets(datagrams, ports, payload_types=(0, 8))
    count = len(packets)
    assert count >= 200, f"only {count} RTP packets seen on lo"
    # G.711 carries 8 bytes a millisecond: 160 in a 20 ms packet, 170 with SRTP's tag. A clear
    # stream is made of 160s; the first packet of a stream may be shorter, of any length.
    sizes = sorted({len(p) for p in packets})
    clear = [p for p in packets if len(p) == PCMU_20MS]
    assert not clear, f"{len(clear)} RTP packets of {PCMU_20MS} bytes, clear G.711 (sizes {sizes})"
    full = [p for p in packets if len(p) == PCMU_20MS + TAG_80]
    assert len(full) >= 0.9 * len(packets), f"RTP payload sizes {sizes}: not SRTP with an 80-bit tag"
    loud = [p for p in full if max(tone_share(p[:PCMU_20MS], f) for f in tones) > 0.3]
    assert not loud, f"{len(loud)} of {len(full)} packets carry a tone in clear"
    assert_srtcp(datagrams, ports)


def rtcp_from(datagrams, ports):
    """The RTCP packets sent from PORTS (ours)."""
    return [data for source, _, data in datagrams if source in ports and is_rtcp(data)]


def assert_srtcp(datagrams, ports):
    """Every RTCP packet sent from PORTS (ours) is SRTCP (RFC 3711 §3.4): after the compound
    packet, a 32-bit word whose top bit (E) says encrypted, then the tag; a clear RTCP packet
    ends with its last report block instead. A short call may end before its first report:
    tests that need one wait for rtcp_from(). (What the phone sends is its business: baresip
    sends an RTCP APP "PING" keep-alive in clear.)"""
    packets = rtcp_from(datagrams, ports)
    clear = [p for p in packets if len(p) < 8 + 4 + TAG_80 or not p[-TAG_80 - 4] & 0x80]
    assert not clear, f"{len(clear)} of {len(packets)} RTCP packets we sent are not SRTCP: {clear[:2]}"


def assert_video_hidden(payloads):
    """VP8 in clear starts each payload with its descriptor: a handful of distinct first bytes,
    the reserved bit (0x40) always clear. Encrypted, the first bytes spread over the range."""
    assert len(payloads) >= 200, f"only {len(payloads)} video packets"
    first_bytes = {payload[0] for payload in payloads if payload}
    reserved = sum(1 for payload in payloads if payload and payload[0] & 0x40)
    assert len(first_bytes) > 64 and reserved > 0.3 * len(payloads), \
        f"video payloads start with {len(first_bytes)} distinct bytes ({reserved} with VP8's reserved bit): clear VP8"
