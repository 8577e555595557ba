"""What a stream of captured RTP packets sounds like: the packets (as a Sniffer saw them) go
through GStreamer's depayloader and decoder into a WAV file, so a test can judge what our side
*sent*, independently of what the far phone made of it (its jitter buffer, concealment, or the
fade of its own playback when a call resumes).

Packets are decoded in arrival order; gaps (a hold) simply vanish, which suits tone shares
computed window by window."""

import subprocess
import sys
from pathlib import Path

CHAINS = {
    "OPUS": ("48000", "rtpopusdepay ! opusdec plc=false"),
    "PCMU": ("8000", "rtppcmudepay ! mulawdec"),
    "PCMA": ("8000", "rtppcmadepay ! alawdec"),
}
STATIC_PAYLOADS = {0: "PCMU", 8: "PCMA"}


def rtp_payloads(datagrams, destination):
    """The RTP packets (not RTCP) sent to DESTINATION, in the order they crossed lo."""
    return [data for _, to, data in datagrams
            if to == destination and len(data) > 12 and data[0] >> 6 == 2 and not 192 <= data[1] <= 223]


def decode_to_wav(packets, wav, dynamic_encoding="OPUS"):
    """Decodes PACKETS (one payload type: the most common one) into WAV, 48 kHz mono S16.
    Runs in a child process so that the test process never initialises GStreamer."""
    if not packets:
        raise AssertionError("no RTP packets to decode")
    counts = {}
    for packet in packets:
        counts[packet[1] & 0x7F] = counts.get(packet[1] & 0x7F, 0) + 1
    payload_type = max(counts, key=counts.get)
    encoding = STATIC_PAYLOADS.get(payload_type, dynamic_encoding)
    stream = Path(str(wav) + ".rtp")
    with open(stream, "wb") as out:
        for packet in packets:
            if packet[1] & 0x7F == payload_type:
                out.write(len(packet).to_bytes(2, "big") + packet)
    subprocess.run([sys.executable, __file__, str(stream), str(wav), encoding, str(payload_type)],
                   check=True, timeout=60)
    return wav


def child_main(stream, wav, encoding, payload_type):
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import Gst

    Gst.init(None)
    rate, chain = CHAINS[encoding]
    pipeline = Gst.parse_launch(
        f"appsrc name=src format=time caps=application/x-rtp,media=audio,clock-rate={rate},"
        f"encoding-name={encoding},payload={payload_type} ! {chain} ! audioconvert ! audioresample ! "
        f"audio/x-raw,format=S16LE,channels=1,rate=48000 ! wavenc ! filesink location={wav}")
    source = pipeline.get_by_name("src")
    pipeline.set_state(Gst.State.PLAYING)
    data = Path(stream).read_bytes()
    offset = index = 0
    while offset < len(data):
        length = int.from_bytes(data[offset:offset + 2], "big")
        buffer = Gst.Buffer.new_wrapped(data[offset + 2:offset + 2 + length])
        buffer.pts = index * 20 * Gst.MSECOND
        source.emit("push-buffer", buffer)
        offset += 2 + length
        index += 1
    source.emit("end-of-stream")
    message = pipeline.get_bus().timed_pop_filtered(30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    pipeline.set_state(Gst.State.NULL)
    if message is None or message.type != Gst.MessageType.EOS:
        sys.exit(f"decoding {stream} failed: {message.parse_error() if message else 'timeout'}")


if __name__ == "__main__":
    child_main(*sys.argv[1:5])
