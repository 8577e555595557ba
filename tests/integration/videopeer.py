"""A scripted RTP media peer for the contact's side of a video call, and SDP helpers.

The SIP signalling is a sipp scenario's (tests/integration/sipp/uas_video*.xml,
inbound_video.xml); this peer only does the media. It runs as a child process,
`/usr/bin/python3 videopeer.py --control SOCKET --config JSON`, started through the TestEnv's
Processes (so it is stopped by PID), and answers JSON commands, one line each way, on a Unix
socket. The child:

- binds its own RTP/RTCP sockets on 127.0.0.1: for audio and for video an even RTP port chosen
  at run time and RTCP on the next port (no rtcp-mux), and sends from the same sockets
  (symmetric RTP);
- sends a test tone (PCMU, PCMA or Opus) and video (VP8, or H264) of a solid colour
  (videotestsrc pattern=solid-color) or another videotestsrc pattern, once the remote address is
  set, through rtpbin with RTCP (AVPF: PLI is sent at once, and a PLI or FIR received makes the
  encoder send a key frame);
- receives: counts audio and video RTP and RTCP packets, depayloads and decodes video, counts
  frames, keeps the latest decoded frame to read its mean colour (all of it or a region),
  records for each received frame whether it was a key frame (VP8: bit 0 of the first byte of
  the frame is 0), marks the first frame after a pause in frames ("segment"), and records
  pauses in video RTP ("video stopped").

In the test:

    peer = VideoPeer(testenv, colour=(255, 0, 0))
    sipp = Sipp(testenv, "contact", "uas_video.xml", extra=peer.sipp_args())
    ... the agent dials sipp.uri and adds video ...
    peer.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE", with_video=True))
    peer.wait_frames(30)
    assert near(peer.colour(), (0, 0, 255))

This file imports only the standard library at module level; GStreamer is loaded in the child.
"""

import json
import os
import re
import socket
import sys
import time
from pathlib import Path

from timescale import describe, scaled

HERE = Path(__file__).resolve().parent
PYTHON = "/usr/bin/python3"  # the python3 first on PATH lacks gi (TESTENV.md section 1)

AUDIO_CODECS = {  # name: (encoder, payloader, default payload type, encoding-name, clock rate)
    "PCMU": ("mulawenc", "rtppcmupay", 0, "PCMU", 8000),
    "PCMA": ("alawenc", "rtppcmapay", 8, "PCMA", 8000),
    "OPUS": ("opusenc", "rtpopuspay", 111, "OPUS", 48000),
}
VIDEO_CODECS = ("VP8", "H264")
STATIC_PAYLOAD_TYPES = {0: ("PCMU", 8000), 8: ("PCMA", 8000), 9: ("G722", 8000), 18: ("G729", 8000)}


# -- SDP and sipp's message log (plain text helpers, usable without GStreamer) -----------------

class SdpMedia:
    """One m= section: kind ("audio", "video"), port, proto, payload types, rtpmap {pt: "VP8/90000"},
    fmtp {pt: str}, rtcp_fb {pt: [str]}, direction, address (c=, or the session's)."""

    def __init__(self, kind, port, proto, pts):
        self.kind = kind
        self.port = port
        self.proto = proto
        self.pts = pts
        self.rtpmap = {}
        self.fmtp = {}
        self.rtcp_fb = {}
        self.direction = None
        self.address = None
        self.rtcp_port = None

    def pt_for(self, encoding):
        """The payload type whose rtpmap names this encoding (case-insensitive), or None."""
        for pt, value in self.rtpmap.items():
            if value.split("/")[0].upper() == encoding.upper():
                return pt
        for pt in self.pts:
            if STATIC_PAYLOAD_TYPES.get(pt, ("",))[0] == encoding.upper():
                return pt
        return None

    def __repr__(self):
        return (f"SdpMedia({self.kind} {self.address}:{self.port} {self.proto} pts={self.pts} "
                f"rtpmap={self.rtpmap} {self.direction})")


class Sdp:
    """A parsed SDP: origin version, session address and the media sections in order."""

    def __init__(self, text):
        self.text = text
        self.address = None
        self.version = None
        self.media = []
        session_direction = "sendrecv"
        current = None
        for line in text.replace("\r\n", "\n").split("\n"):
            line = line.strip()
            if len(line) < 2 or line[1] != "=":
                continue
            key, value = line[0], line[2:]
            if key == "o":
                fields = value.split()
                self.version = int(fields[2]) if len(fields) > 2 and fields[2].isdigit() else None
            elif key == "c":
                address = value.split()[-1].split("/")[0]
                if current is None:
                    self.address = address
                else:
                    current.address = address
            elif key == "m":
                fields = value.split()
                pts = [int(p) for p in fields[3:] if p.isdigit()]
                current = SdpMedia(fields[0], int(fields[1].split("/")[0]), fields[2], pts)
                self.media.append(current)
            elif key == "a":
                name, _, rest = value.partition(":")
                if name in ("sendrecv", "sendonly", "recvonly", "inactive"):
                    if current is None:
                        session_direction = name
                    else:
                        current.direction = name
                elif current is not None and name in ("rtpmap", "fmtp", "rtcp-fb") and " " in rest:
                    pt, _, arg = rest.partition(" ")
                    if not pt.isdigit():
                        continue
                    if name == "rtpmap":
                        current.rtpmap[int(pt)] = arg.strip()
                    elif name == "fmtp":
                        current.fmtp[int(pt)] = arg.strip()
                    else:
                        current.rtcp_fb.setdefault(int(pt), []).append(arg.strip())
                elif current is not None and name == "rtcp" and rest.split()[:1] and rest.split()[0].isdigit():
                    current.rtcp_port = int(rest.split()[0])
        for m in self.media:
            m.address = m.address or self.address
            m.direction = m.direction or session_direction

    def get(self, kind):
        """The first m= section of this kind ("audio", "video"), or None."""
        return next((m for m in self.media if m.kind == kind), None)

    def __repr__(self):
        return f"Sdp(v{self.version} {self.media})"


def parse_sdp(text):
    return Sdp(text)


def sipp_messages(log_text):
    """Splits sipp's -trace_msg file (e.g. Sipp.messages()) into [(direction, message)], direction
    "sent" or "received", in the order logged."""
    result = []
    for block in re.split(r"^-{20,} .*$", log_text, flags=re.M):
        header, _, message = block.lstrip("\n").partition("\n")
        if " message received " in header:
            direction = "received"
        elif " message sent " in header:
            direction = "sent"
        else:
            continue
        message = message.lstrip("\n").rstrip("\n")
        if message.strip():
            result.append((direction, message))
    return result


def message_body(message):
    head, sep, body = message.partition("\r\n\r\n")
    if not sep:
        head, sep, body = message.partition("\n\n")
    return body if sep else ""


def find_messages(log_text, direction=None, start=None, with_video=None):
    """sipp's logged messages that match: direction "sent"/"received"; start: the first line's
    beginning ("INVITE", "SIP/2.0 200", "BYE"...); with_video: True for a body with an m=video
    line whose port is not 0, False for one without (or with port 0)."""
    found = []
    for d, message in sipp_messages(log_text):
        if direction and d != direction:
            continue
        if start and not message.startswith(start):
            continue
        if with_video is not None:
            video = Sdp(message_body(message)).get("video")
            if with_video != bool(video and video.port):
                continue
        found.append(message)
    return found


def last_sdp(log_text, direction="received", start="INVITE", with_video=None):
    """The body (SDP text) of the last matching message that has one, or None."""
    for message in reversed(find_messages(log_text, direction, start, with_video)):
        body = message_body(message)
        if "m=" in body:
            return body
    return None


def near(colour, expected, tolerance=40):
    """True when every channel of colour is within tolerance of expected."""
    return colour is not None and all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


# -- the parent side -------------------------------------------------------------------------

class VideoPeerError(AssertionError):
    pass


class VideoPeer:
    """The contact's media: a child process with its own RTP ports, driven over a Unix socket.

    testenv: the TestEnv (its Processes, root dir and env are used). colour: (r, g, b) of the solid
    video sent; pattern: "solid" or a videotestsrc pattern name ("ball", "smpte"...). tone: Hz of
    the audio sent; audio_codec: "PCMU", "PCMA" or "OPUS"; video_codec: "VP8" or "H264". width,
    height, fps: what is sent. keyframe_interval: frames between the encoder's own key frames
    (besides the first, those forced, and those asked for by PLI/FIR). gap: seconds without a
    frame (or without video RTP) that count as a pause. auto_pli: the depayloader asks for a key
    frame (PLI) by itself after packet loss; off by default so that tests see what the remote
    sends unprompted. rtx_pt: RFC 4588 retransmission of video PT 96 as this PT, both ways (NACKs
    sent for what is missing, retransmissions sent for NACKs received); 0 for none. strict: decode
    only whole pictures (the depayloader waits for a key frame after a loss and asks for one), as
    a careful phone does; by default damaged pictures are decoded too."""

    def __init__(self, testenv, name="videopeer", colour=(255, 0, 0), pattern="solid", tone=1000,
                 audio_codec="PCMU", video_codec="VP8", width=640, height=480, fps=30,
                 keyframe_interval=150, gap=0.5, auto_pli=False, rtx_pt=0, strict=False, timeout=10):
        assert audio_codec.upper() in AUDIO_CODECS, audio_codec
        assert video_codec.upper() in VIDEO_CODECS, video_codec
        self.testenv = testenv
        self.name = name
        self.audio_codec = audio_codec.upper()
        self.video_codec = video_codec.upper()
        self.control_path = testenv.root / f"{name}.sock"
        config = {"colour": list(colour), "pattern": pattern, "tone": tone, "audio_codec": audio_codec.upper(),
                  "video_codec": video_codec.upper(), "width": width, "height": height, "fps": fps,
                  "keyframe_interval": keyframe_interval, "gap": gap, "auto_pli": auto_pli, "rtx_pt": rtx_pt,
                  "strict": strict}
        argv = [PYTHON, str(HERE / "videopeer.py"), "--control", str(self.control_path), "--config", json.dumps(config)]
        env = dict(testenv.env)
        env.setdefault("GST_DEBUG", "1")
        self.proc = testenv.procs.start(name, argv, env)
        self.sock = None
        self.reader = None
        self._connect(timeout)
        info = self.call("info")
        self.audio_port = info["audio_port"]
        self.video_port = info["video_port"]
        self.audio_rtcp_port = info["audio_port"] + 1
        self.video_rtcp_port = info["video_port"] + 1

    # plumbing
    def _connect(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise VideoPeerError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(str(self.control_path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise VideoPeerError(f"{self.name} did not open {self.control_path}:\n{self.log()}")
                time.sleep(0.05)
        self.sock.settimeout(20)
        self.reader = self.sock.makefile("r", encoding="utf-8")

    def log(self):
        path = self.proc.log_path
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def call(self, command, **args):
        """Sends one command; returns its result or raises VideoPeerError."""
        if self.sock is None:
            raise VideoPeerError(f"{self.name} is stopped")
        self.sock.sendall((json.dumps({"command": command, "args": args}) + "\n").encode())
        line = self.reader.readline()
        if not line:
            raise VideoPeerError(f"{self.name} closed the control socket:\n{self.log()}")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise VideoPeerError(f"{self.name}: {command} failed: {reply.get('error')}")
        return reply.get("result")

    def stop(self):
        """Stops the child (SIGTERM by PID); it sets its pipeline to NULL and exits 0."""
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
            self.sock = None
        return self.testenv.procs.stop(self.proc)

    # ports and signalling
    def sipp_args(self):
        """sipp arguments naming this peer's RTP ports in the video scenarios: [$aport], [$vport]."""
        return ["-set", "aport", str(self.audio_port), "-set", "vport", str(self.video_port)]

    def set_remote(self, host="127.0.0.1", audio_port=None, video_port=None, audio_pt=None, video_pt=None,
                   audio_rtcp_port=None, video_rtcp_port=None, rtpmap=None, video_rtpmap=None):
        """Where to send: RTP ports (None or 0: do not send that medium), RTCP ports (default RTP + 1),
        the payload types to send with (default: the codec's, 96 for video). rtpmap and
        video_rtpmap, {pt: "ENC/rate"}, say what the payload types that arrive mean (default:
        static types, else our own codec)."""
        return self.call("set_remote", host=host, audio_port=audio_port or 0, video_port=video_port or 0,
                         audio_pt=audio_pt, video_pt=video_pt, audio_rtcp_port=audio_rtcp_port,
                         video_rtcp_port=video_rtcp_port,
                         rtpmap={"audio": {str(k): v for k, v in (rtpmap or {}).items()},
                                 "video": {str(k): v for k, v in (video_rtpmap or {}).items()}})

    def set_remote_from_sdp(self, sdp_text, follow_direction=False, keyframe=True):
        """set_remote() from the remote's SDP (offer or answer): its address, ports, and the payload
        types it gave our codecs. A missing m=video, port 0 or a video codec other than ours
        stops sending video. Directions are left to the test (set_sending()) unless
        follow_direction: then each medium is sent only if the remote's direction lets it
        receive (sendrecv or recvonly), and video resumes with a key frame unless keyframe=False.
        Returns the parsed Sdp."""
        sdp = Sdp(sdp_text)
        audio, video = sdp.get("audio"), sdp.get("video")
        kwargs = {"host": (audio or video).address if (audio or video) else "127.0.0.1"}
        if audio and audio.port:
            kwargs.update(audio_port=audio.port, audio_pt=audio.pt_for(self.audio_codec), rtpmap=audio.rtpmap,
                          audio_rtcp_port=audio.rtcp_port)
        if video and video.port:
            video_pt = video.pt_for(self.video_codec)
            if video_pt is not None:
                kwargs.update(video_port=video.port, video_pt=video_pt, video_rtcp_port=video.rtcp_port,
                              video_rtpmap=video.rtpmap)
        if follow_direction:
            receives = ("sendrecv", "recvonly")
            self.set_sending(audio=bool(audio and audio.direction in receives),
                             video=bool(video and video.direction in receives), keyframe=keyframe)
        self.set_remote(**kwargs)
        return sdp

    def set_sending(self, audio=None, video=None, keyframe=True):
        """Starts or stops sending each medium (None: unchanged), e.g. to follow a=inactive.
        Video resumes with a key frame unless keyframe=False (then with whatever frame comes
        next: a delta frame, unless the encoder's interval falls there)."""
        return self.call("set_sending", audio=audio, video=video, keyframe=keyframe)

    def set_colour(self, colour):
        return self.call("set_colour", colour=list(colour))

    def force_keyframe(self):
        """Makes our encoder send a key frame now."""
        return self.call("force_keyframe")

    def request_keyframe(self):
        """Sends a PLI to the remote's video sender (RTCP, at once: the session is AVPF)."""
        return self.call("request_keyframe")

    # what happened
    def stats(self):
        """Everything at once: packets, frames, key frames, segments, gaps, errors."""
        return self.call("stats")

    def packets(self):
        """RTP/RTCP packets received: {"audio", "video", "audio_rtcp", "video_rtcp"}, and RTP sent:
        "audio_sent", "video_sent"."""
        return self.stats()["packets"]

    def frames(self):
        """Video frames decoded so far."""
        return self.stats()["frames_decoded"]

    def decode_times(self, since=0.0):
        """time.monotonic() (the system-wide clock) of each frame decoded since `since`."""
        return self.call("decode_times", since=since)

    def colour(self, region=None):
        """Mean (r, g, b) of the latest decoded frame, or of region (x, y, w, h) in pixels of it;
        None before the first frame."""
        result = self.call("colour", region=list(region) if region else None)
        return tuple(result) if result else None

    def frame_size(self):
        return tuple(self.stats()["frame_size"] or ()) or None

    def segments(self):
        """One entry per run of received frames: {"index", "time", "keyframe", "gap"}: the first
        frame's index among received frames, its time (s since the peer started), whether it was
        a key frame, and the pause before it (None for the very first)."""
        return self.stats()["segments"]

    def first_frame_was_keyframe(self):
        segments = self.segments()
        return segments[0]["keyframe"] if segments else None

    def last_gap_started_with_keyframe(self):
        """Whether the first frame after the latest pause was a key frame; None if no pause yet."""
        segments = self.segments()
        return segments[-1]["keyframe"] if len(segments) > 1 else None

    def video_silence(self):
        """Seconds since the last video RTP packet arrived (since start if none did)."""
        return self.stats()["video_silence"]

    def video_stopped(self, interval=1.0):
        """True when no video RTP arrived for the last interval seconds."""
        return self.video_silence() >= interval

    def video_gaps(self):
        """Pauses in arriving video RTP longer than gap: [{"start", "length"}] (s since start);
        the current one is included once it is longer than gap, with its length so far."""
        return self.stats()["video_gaps"]

    def keyframes_sent(self):
        return self.stats()["keyframes_sent"]

    def feedback_received(self):
        """RTCP feedback received for our video: {"pli": n, "fir": n}."""
        return self.stats()["feedback"]

    def errors(self):
        """Error messages from the child's pipeline (should stay empty)."""
        return self.stats()["errors"]

    # waiting
    def wait(self, predicate, timeout=10, what="condition"):
        deadline = time.monotonic() + scaled(timeout)
        while True:
            stats = self.stats()
            value = predicate(stats)
            if value:
                return value
            if time.monotonic() > deadline:
                raise VideoPeerError(f"{self.name}: timed out after {describe(timeout)} waiting for {what}; "
                                     f"stats {summary(stats)}")
            time.sleep(0.05)

    def wait_frames(self, count, timeout=10):
        """Waits until count more frames than now have been decoded."""
        target = self.frames() + count
        return self.wait(lambda s: s["frames_decoded"] >= target and s["frames_decoded"], timeout,
                         f"{count} decoded frames")

    def wait_colour(self, expected, tolerance=40, region=None, timeout=10):
        """Waits until the latest frame's mean colour (of region) is near expected; returns it."""
        deadline = time.monotonic() + scaled(timeout)
        while True:
            colour = self.colour(region)
            if near(colour, expected, tolerance):
                return colour
            if time.monotonic() > deadline:
                raise VideoPeerError(f"{self.name}: colour {colour}, expected {expected} ±{tolerance}; "
                                     f"stats {summary(self.stats())}")
            time.sleep(0.05)

    def wait_packets(self, kind="video", count=1, timeout=10):
        """Waits until count more RTP packets of kind ("audio", "video") than now have arrived."""
        target = self.packets()[kind] + count
        return self.wait(lambda s: s["packets"][kind] >= target, timeout, f"{count} {kind} RTP packets")

    def wait_video_stopped(self, interval=1.0, timeout=10):
        """Waits until no video RTP has arrived for interval seconds."""
        return self.wait(lambda s: s["video_silence"] >= interval, timeout + interval,
                         f"no video RTP for {interval}s")


def summary(stats):
    keep = ("packets", "frames_decoded", "frames_received", "frame_size", "segments", "video_silence",
            "feedback", "keyframes_sent", "errors", "remote")
    return {k: stats.get(k) for k in keep}


# -- the child ---------------------------------------------------------------------------------

def child_main(argv):
    import argparse
    import collections
    import signal
    import threading

    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstVideo", "1.0")
    gi.require_version("GstRtp", "1.0")
    from gi.repository import GLib, Gst, GstRtp, GstVideo, Gio

    parser = argparse.ArgumentParser()
    parser.add_argument("--control", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--lifetime", type=float, default=900, help="exit after this many seconds whatever happens")
    options = parser.parse_args(argv)
    config = json.loads(options.config)
    Gst.init(None)

    def log(*words):
        print(f"[{time.monotonic() - started:8.3f}]", *words, flush=True)

    started = time.monotonic()

    def bind_pair():
        """Two Gio.Sockets on 127.0.0.1: an even free port and the next one."""
        for _ in range(200):
            first = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port % 2 == 0 and port < 65534:
                second = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    second.close()
                else:
                    return port, Gio.Socket.new_from_fd(first.detach()), Gio.Socket.new_from_fd(second.detach())
            first.close()
        raise RuntimeError("no free even RTP port pair")

    def is_rtcp(data):
        return len(data) > 1 and 192 <= data[1] <= 223  # RTCP packet types 192..223 (RFC 5761)

    class Peer:
        def __init__(self):
            self.lock = threading.Lock()
            self.errors = []
            self.packets = {"audio": 0, "video": 0, "audio_rtcp": 0, "video_rtcp": 0, "audio_sent": 0,
                            "video_sent": 0}
            self.payload_types = {"audio": set(), "video": set()}
            self.frames_received = 0
            self.frames_decoded = 0
            self.keyframes_received = 0
            self.keyframes_sent = 0
            self.video_gate = "open"  # "closed" while not sending; "keyframe": open at the next key frame
            self.segments = []
            self.last_frame_time = None
            self.last_video_rtp = None
            self.video_gaps = []
            self.latest = None  # (width, height, stride, bytes)
            self.feedback = {"pli": 0, "fir": 0}
            self.remote = {}
            self.rtpmap = {}
            self.audio_codec = config["audio_codec"]
            self.video_codec = config["video_codec"]
            self.gap = float(config["gap"])
            self.rtx_pt = int(config["rtx_pt"])
            self.strict = bool(config["strict"])
            self.decode_times = collections.deque(maxlen=20000)  # time.monotonic() of each frame
            self.rtx_elements = []
            self.audio_port, self.audio_rtp, self.audio_rtcp = bind_pair()
            self.video_port, self.video_rtp, self.video_rtcp = bind_pair()
            self.pipeline = self.build()

        # building
        def build(self):
            enc, pay, pt, _, rate = AUDIO_CODECS[self.audio_codec]
            r, g, b = config["colour"]
            argb = 0xFF000000 | (r << 16) | (g << 8) | b
            pattern = "solid-color" if config["pattern"] in ("solid", "solid-color") else config["pattern"]
            size = f"video/x-raw,width={config['width']},height={config['height']},framerate={config['fps']}/1"
            kf = int(config["keyframe_interval"])
            if self.video_codec == "VP8":
                venc = (f"vp8enc name=venc deadline=1 cpu-used=8 target-bitrate=800000 keyframe-max-dist={kf} "
                        f"error-resilient=partitions ! rtpvp8pay name=vpay pt=96 picture-id-mode=15-bit")
            else:
                # openh264enc: x264enc's stream did not decode in openh264dec after RTP here.
                venc = (f"openh264enc name=venc gop-size={kf} bitrate=800000 ! "
                        f"rtph264pay name=vpay pt=96 config-interval=-1 aggregate-mode=zero-latency")
            # rtpbin is linked by hand: its aux elements (RTX) must be asked for by signal handlers
            # connected before the sessions exist, which parse_launch's links would create.
            description = f"""
                audiotestsrc is-live=true wave=sine freq={config['tone']} volume=0.4 samplesperbuffer={rate // 50}
                    ! audio/x-raw,format=S16LE,rate={rate},channels=1 ! {enc} ! {pay} name=apay pt={pt}
                valve name=avalve ! multiudpsink name=artp_out sync=false async=false
                multiudpsink name=artcp_out sync=false async=false
                udpsrc name=artp_in caps=application/x-rtp
                udpsrc name=artcp_in caps=application/x-rtcp
                videotestsrc name=vsrc is-live=true pattern={pattern} foreground-color={argb} ! {size}
                    ! videoconvert ! {venc}
                multiudpsink name=vrtp_out sync=false async=false
                multiudpsink name=vrtcp_out sync=false async=false
                udpsrc name=vrtp_in caps=application/x-rtp
                udpsrc name=vrtcp_in caps=application/x-rtcp
            """
            pipeline = Gst.parse_launch(" ".join(description.split()))
            self.get = pipeline.get_by_name
            for name, sock in (("artp_in", self.audio_rtp), ("artp_out", self.audio_rtp),
                               ("artcp_in", self.audio_rtcp), ("artcp_out", self.audio_rtcp),
                               ("vrtp_in", self.video_rtp), ("vrtp_out", self.video_rtp),
                               ("vrtcp_in", self.video_rtcp), ("vrtcp_out", self.video_rtcp)):
                self.get(name).set_property("socket", sock)
                self.get(name).set_property("close-socket", False)
            rtpbin = Gst.ElementFactory.make("rtpbin", "rtpbin")
            rtpbin.set_property("latency", 50)
            rtpbin.set_property("rtp-profile", GstRtp.RTPProfile.AVPF)
            if self.rtx_pt:
                rtpbin.connect("request-aux-sender", self.on_aux_sender)
                rtpbin.connect("request-aux-receiver", self.on_aux_receiver)
                rtpbin.set_property("do-retransmission", True)
            pipeline.add(rtpbin)
            for src, src_pad, sink, sink_pad in (
                    ("apay", "src", "rtpbin", "send_rtp_sink_0"), ("rtpbin", "send_rtp_src_0", "avalve", "sink"),
                    ("rtpbin", "send_rtcp_src_0", "artcp_out", "sink"),
                    ("artp_in", "src", "rtpbin", "recv_rtp_sink_0"), ("artcp_in", "src", "rtpbin", "recv_rtcp_sink_0"),
                    ("vpay", "src", "rtpbin", "send_rtp_sink_1"), ("rtpbin", "send_rtp_src_1", "vrtp_out", "sink"),
                    ("rtpbin", "send_rtcp_src_1", "vrtcp_out", "sink"),
                    ("vrtp_in", "src", "rtpbin", "recv_rtp_sink_1"), ("vrtcp_in", "src", "rtpbin", "recv_rtcp_sink_1")):
                if not self.get(src).link_pads(src_pad, self.get(sink), sink_pad):
                    raise RuntimeError(f"cannot link {src}.{src_pad} to {sink}.{sink_pad}")
            rtpbin.connect("request-pt-map", self.on_pt_map)
            rtpbin.connect("pad-added", self.on_pad_added)
            self.probe("artp_in", "src", lambda data: self.count_in("audio", data))
            self.probe("vrtp_in", "src", lambda data: self.count_in("video", data))
            self.probe("artcp_in", "src", lambda data: self.count("audio_rtcp"))
            self.probe("vrtcp_in", "src", lambda data: self.count("video_rtcp"))
            # Sent: what reaches the socket while a remote is set (without one it is dropped).
            self.probe("artp_out", "sink", lambda data: self.remote.get("audio_port") and self.count("audio_sent"))
            self.probe("vrtp_out", "sink", lambda data: self.remote.get("video_port") and self.count("video_sent"))
            self.get("vpay").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self.on_encoded)
            bus = pipeline.get_bus()
            bus.add_signal_watch()
            bus.connect("message", self.on_message)
            return pipeline

        # RFC 4588 for the video session (1): rtprtxsend answers NACKs, rtprtxreceive restores
        def _aux(self, factory, session, mapping):
            if session != 1:
                return None
            element = Gst.ElementFactory.make(factory)
            element.set_property("payload-type-map", Gst.Structure.new_from_string(
                "application/x-rtp-pt-map, " + ", ".join(f"{k}=(uint){v}" for k, v in mapping.items())))
            if factory == "rtprtxsend":
                element.set_property("max-size-time", 1000)
            self.rtx_elements.append(element)
            bin = Gst.Bin.new()
            bin.add(element)
            bin.add_pad(Gst.GhostPad.new(f"sink_{session}", element.get_static_pad("sink")))
            bin.add_pad(Gst.GhostPad.new(f"src_{session}", element.get_static_pad("src")))
            self.rtx_elements.append(bin)  # PyGObject must not drop what rtpbin is given
            return bin

        def on_aux_sender(self, rtpbin, session):
            return self._aux("rtprtxsend", session, {96: self.rtx_pt})

        def on_aux_receiver(self, rtpbin, session):
            return self._aux("rtprtxreceive", session, {96: self.rtx_pt})  # original -> rtx, as the sender

        def probe(self, element, pad, callback):
            """Calls callback(first two bytes of each packet); it returning False drops the packet."""
            def on_buffer(pad, info):
                buffer = info.get_buffer()
                ok, mapped = buffer.map(Gst.MapFlags.READ)
                keep = True
                if ok:
                    try:
                        keep = callback(bytes(mapped.data[:2])) is not False
                    finally:
                        buffer.unmap(mapped)
                return Gst.PadProbeReturn.OK if keep else Gst.PadProbeReturn.DROP
            def on_list(pad, info):
                buffers = info.get_buffer_list()
                for i in range(buffers.length()):
                    probe_one(buffers.get(i))
                return Gst.PadProbeReturn.OK

            def probe_one(buffer):
                ok, mapped = buffer.map(Gst.MapFlags.READ)
                if ok:
                    try:
                        callback(bytes(mapped.data[:2]))
                    finally:
                        buffer.unmap(mapped)
            # rtprtxsend (RTX) pushes lists: those are counted too, never dropped here.
            self.get(element).get_static_pad(pad).add_probe(Gst.PadProbeType.BUFFER, on_buffer)
            self.get(element).get_static_pad(pad).add_probe(Gst.PadProbeType.BUFFER_LIST, on_list)

        def start(self):
            if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
                raise RuntimeError("the pipeline did not start")
            # The internal video session: count PLI/FIR received for our stream.
            session = self.get("rtpbin").emit("get-internal-session", 1)
            session.connect("on-feedback-rtcp", self.on_feedback)
            if self.rtx_pt:
                # A phone that retransmits reports often enough for its NACKs to matter (RFC 3550
                # §6.2's reduced minimum at about 1 Mbit/s).
                session.set_property("rtcp-min-interval", 360 * Gst.MSECOND)

        # streaming-thread callbacks
        def count(self, key):
            with self.lock:
                self.packets[key] += 1

        def count_in(self, kind, data):
            if is_rtcp(data):  # rtcp-mux: counted, not passed on as RTP
                self.count(kind + "_rtcp")
                return False
            now = time.monotonic() - started
            with self.lock:
                self.packets[kind] += 1
                if len(data) > 1:
                    self.payload_types[kind].add(data[1] & 0x7F)
                if kind == "video":
                    if self.last_video_rtp is not None and now - self.last_video_rtp > self.gap:
                        self.video_gaps.append({"start": round(self.last_video_rtp, 3),
                                                "length": round(now - self.last_video_rtp, 3), "ended": True})
                    self.last_video_rtp = now

        def on_encoded(self, pad, info):
            """Encoded frames before the payloader: the gate for sending video (whole frames, so a
            resumed stream starts exactly where the test asked), and key frames counted."""
            keyframe = not info.get_buffer().has_flags(Gst.BufferFlags.DELTA_UNIT)
            with self.lock:
                if self.video_gate == "keyframe" and keyframe:
                    self.video_gate = "open"
                if self.video_gate != "open":
                    return Gst.PadProbeReturn.DROP
                self.keyframes_sent += keyframe
            return Gst.PadProbeReturn.OK

        def on_feedback(self, session, fb_type, fb_subtype, sender_ssrc, media_ssrc, fci):
            # RTPFB is 205, PSFB 206; PSFB subtypes: 1 PLI, 4 FIR
            if fb_type == 206 and fb_subtype in (1, 4):
                with self.lock:
                    self.feedback["pli" if fb_subtype == 1 else "fir"] += 1

        def on_pt_map(self, rtpbin, session, pt):
            if session == 1:
                encoding = self.rtpmap.get(("video", pt), (self.video_codec, 90000))
                return Gst.Caps.from_string(
                    f"application/x-rtp,media=video,clock-rate={encoding[1]},encoding-name={encoding[0]},"
                    f"payload={pt},rtcp-fb-nack-pli=(boolean)true,rtcp-fb-ccm-fir=(boolean)true")
            encoding = self.rtpmap.get(("audio", pt)) or STATIC_PAYLOAD_TYPES.get(pt)
            if encoding is None:
                ours = AUDIO_CODECS[self.audio_codec]
                encoding = (ours[3], ours[4]) if pt >= 96 else ("PCMU", 8000)
            return Gst.Caps.from_string(f"application/x-rtp,media=audio,clock-rate={encoding[1]},"
                                        f"encoding-name={encoding[0]},payload={pt}")

        def on_pad_added(self, rtpbin, pad):
            name = pad.get_name()
            if not name.startswith("recv_rtp_src_"):
                return
            caps = pad.get_current_caps() or pad.query_caps(None)
            encoding = caps.get_structure(0).get_string("encoding-name") or ""
            if name.startswith("recv_rtp_src_1_") and encoding.upper() == "VP8":
                strict = "true" if self.strict else "false"
                errors = "" if self.strict else " max-errors=-1"
                description = (f"rtpvp8depay name=depay request-keyframe={str(config['auto_pli'] or self.strict).lower()} "
                               f"wait-for-keyframe={strict} ! vp8dec{errors} ! videoconvert ! "
                               f"video/x-raw,format=RGB ! fakesink name=sink sync=false async=false")
            elif name.startswith("recv_rtp_src_1_") and encoding.upper() == "H264":
                description = ("rtph264depay name=depay ! h264parse ! "
                               "openh264dec ! videoconvert ! video/x-raw,format=RGB ! "
                               "fakesink name=sink sync=false async=false")
            else:
                description = "fakesink name=sink sync=false async=false"
            log("new stream", name, encoding, "->", description.split()[0])
            branch = Gst.parse_bin_from_description(description, True)
            depay = branch.get_by_name("depay")
            if depay is not None:
                depay.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.on_frame_received,
                                                      encoding.upper())
                branch.get_by_name("sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER,
                                                                            self.on_frame_decoded)
            self.pipeline.add(branch)
            branch.sync_state_with_parent()
            pad.link(branch.get_static_pad("sink"))

        def on_frame_received(self, pad, info, encoding):
            buffer = info.get_buffer()
            if encoding == "VP8":
                ok, mapped = buffer.map(Gst.MapFlags.READ)
                keyframe = bool(ok and mapped.size > 0 and (mapped.data[0] & 0x01) == 0)
                if ok:
                    buffer.unmap(mapped)
            else:
                keyframe = not buffer.has_flags(Gst.BufferFlags.DELTA_UNIT)
            now = time.monotonic() - started
            with self.lock:
                pause = None if self.last_frame_time is None else now - self.last_frame_time
                if pause is None or pause > self.gap:
                    self.segments.append({"index": self.frames_received, "time": round(now, 3),
                                          "keyframe": keyframe, "gap": None if pause is None else round(pause, 3)})
                    log("frames start again" if pause else "first frame", "keyframe" if keyframe else "delta")
                self.frames_received += 1
                self.keyframes_received += keyframe
                self.last_frame_time = now
            return Gst.PadProbeReturn.OK

        def on_frame_decoded(self, pad, info):
            buffer = info.get_buffer()
            s = pad.get_current_caps().get_structure(0)
            width, height = s.get_value("width"), s.get_value("height")
            meta = GstVideo.buffer_get_video_meta(buffer)
            stride = meta.stride[0] if meta else (width * 3 + 3) & ~3
            data = buffer.extract_dup(0, buffer.get_size())
            with self.lock:
                self.frames_decoded += 1
                self.latest = (width, height, stride, data)
                self.decode_times.append(time.monotonic())
            return Gst.PadProbeReturn.OK

        def on_message(self, bus, message):
            if message.type == Gst.MessageType.ERROR:
                error, debug = message.parse_error()
                text = f"{message.src.get_name()}: {error.message}"
                log("ERROR", text, debug)
                with self.lock:
                    self.errors.append(text)
            elif message.type == Gst.MessageType.WARNING:
                warning, debug = message.parse_warning()
                log("warning", message.src.get_name(), warning.message)

        # commands (run on the main loop)
        def cmd_info(self):
            return {"audio_port": self.audio_port, "video_port": self.video_port, "audio_codec": self.audio_codec,
                    "video_codec": self.video_codec, "pid": os.getpid()}

        def cmd_set_remote(self, host, audio_port, video_port, audio_pt=None, video_pt=None, audio_rtcp_port=None,
                           video_rtcp_port=None, rtpmap=None):
            for media, types in (rtpmap or {}).items():
                for pt, value in types.items():
                    encoding, _, rate = value.partition("/")
                    self.rtpmap[(media, int(pt))] = (encoding.upper(), int(rate.split("/")[0] or 8000))
            self.get("rtpbin").emit("clear-pt-map")
            if audio_pt is not None:
                self.get("apay").set_property("pt", int(audio_pt))
            if video_pt is not None:
                self.get("vpay").set_property("pt", int(video_pt))
            for rtp, rtcp, port, rtcp_port in (("artp_out", "artcp_out", audio_port, audio_rtcp_port),
                                               ("vrtp_out", "vrtcp_out", video_port, video_rtcp_port)):
                self.get(rtp).emit("clear")
                self.get(rtcp).emit("clear")
                if port:
                    self.get(rtp).emit("add", host, int(port))
                    self.get(rtcp).emit("add", host, int(rtcp_port or port + 1))
            self.remote = {"host": host, "audio_port": audio_port, "video_port": video_port,
                           "audio_pt": self.get("apay").get_property("pt"),
                           "video_pt": self.get("vpay").get_property("pt")}
            log("remote", self.remote)
            if video_port and self.video_gate != "closed":  # else set_sending() decides, on resuming
                self.cmd_force_keyframe()
            return self.remote

        def cmd_set_sending(self, audio=None, video=None, keyframe=True):
            if audio is not None:
                self.get("avalve").set_property("drop", not audio)
            if video is not None:
                with self.lock:
                    if not video:
                        self.video_gate = "closed"
                    elif self.video_gate == "closed":
                        self.video_gate = "keyframe" if keyframe else "open"
                if video and keyframe:
                    self.cmd_force_keyframe()
            return {"audio": not self.get("avalve").get_property("drop"),
                    "video": self.video_gate != "closed"}

        def cmd_set_colour(self, colour):
            r, g, b = colour
            self.get("vsrc").set_property("foreground-color", 0xFF000000 | (r << 16) | (g << 8) | b)
            return True

        def cmd_force_keyframe(self):
            event = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0)
            return self.get("vpay").get_static_pad("src").send_event(event)

        def cmd_request_keyframe(self):
            sent = False
            for pad in self.get("rtpbin").srcpads:
                if pad.get_name().startswith("recv_rtp_src_1_"):
                    event = GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, False, 0)
                    sent = pad.send_event(event) or sent
            return sent

        def cmd_stats(self):
            now = time.monotonic() - started
            with self.lock:
                silence = now - (self.last_video_rtp if self.last_video_rtp is not None else 0.0)
                gaps = list(self.video_gaps)
                if silence > self.gap:
                    start = self.last_video_rtp if self.last_video_rtp is not None else 0.0
                    gaps.append({"start": round(start, 3), "length": round(silence, 3), "ended": False})
                return {"packets": dict(self.packets),
                        "payload_types": {k: sorted(v) for k, v in self.payload_types.items()},
                        "frames_received": self.frames_received, "frames_decoded": self.frames_decoded,
                        "keyframes_received": self.keyframes_received, "keyframes_sent": self.keyframes_sent,
                        "frame_size": list(self.latest[:2]) if self.latest else None,
                        "segments": list(self.segments), "video_silence": round(silence, 3),
                        "video_gaps": gaps, "feedback": dict(self.feedback), "errors": list(self.errors),
                        "remote": dict(self.remote), "time": round(now, 3), "rtx": self.rtx_counters()}

        def rtx_counters(self):
            counters = {"sent": 0, "received": 0, "requests_received": 0, "requests_sent": 0}
            for element in self.rtx_elements:
                if isinstance(element, Gst.Bin):
                    continue
                if element.get_factory().get_name() == "rtprtxsend":
                    counters["sent"] += element.get_property("num-rtx-packets")
                    counters["requests_received"] += element.get_property("num-rtx-requests")
                else:
                    counters["received"] += element.get_property("num-rtx-assoc-packets")
                    counters["requests_sent"] += element.get_property("num-rtx-requests")
            return counters

        def cmd_decode_times(self, since=0.0):
            with self.lock:
                return [t for t in self.decode_times if t >= since]

        def cmd_colour(self, region=None):
            with self.lock:
                latest = self.latest
            if latest is None:
                return None
            width, height, stride, data = latest
            x, y, w, h = region or (0, 0, width, height)
            x, y = max(0, min(int(x), width - 1)), max(0, min(int(y), height - 1))
            w, h = max(1, min(int(w), width - x)), max(1, min(int(h), height - y))
            step = max(1, min(w, h) // 64)  # sample about 64x64 points: plenty for a mean
            sums, n = [0, 0, 0], 0
            for row in range(y, y + h, step):
                line = data[row * stride + x * 3:row * stride + (x + w) * 3]
                for channel in range(3):
                    values = line[channel::3 * step]
                    sums[channel] += sum(values)
                n += len(line[0::3 * step])
            return [round(s / n) for s in sums]

    peer = Peer()
    loop = GLib.MainLoop()
    peer.start()
    log("ports: audio", peer.audio_port, "video", peer.video_port)

    def run_on_main_loop(function, args):
        done = threading.Event()
        outcome = {}

        def call():
            try:
                outcome["result"] = function(**args)
            except Exception as error:  # reported to the test, which fails with it
                outcome["error"] = f"{type(error).__name__}: {error}"
            done.set()
            return GLib.SOURCE_REMOVE

        GLib.idle_add(call)
        if not done.wait(15):
            return {"ok": False, "error": "the main loop did not run the command within 15 s"}
        if "error" in outcome:
            return {"ok": False, "error": outcome["error"]}
        return {"ok": True, "result": outcome["result"]}

    def serve(connection):
        with connection, connection.makefile("r", encoding="utf-8") as reader:
            for line in reader:
                try:
                    request = json.loads(line)
                    function = getattr(peer, "cmd_" + request["command"])
                    reply = run_on_main_loop(function, request.get("args") or {})
                except (ValueError, KeyError, AttributeError) as error:
                    reply = {"ok": False, "error": f"bad request {line.strip()!r}: {error}"}
                connection.sendall((json.dumps(reply) + "\n").encode())
        log("control connection closed: stopping")
        GLib.idle_add(loop.quit)

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(options.control):
        os.unlink(options.control)
    server.bind(options.control)
    server.listen(1)

    def accept():
        connection, _ = server.accept()  # one controller: the test; when it goes, so do we
        serve(connection)

    threading.Thread(target=accept, daemon=True).start()

    def quit_loop(*_):
        loop.quit()
        return GLib.SOURCE_REMOVE

    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, quit_loop)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, quit_loop)
    GLib.timeout_add_seconds(int(options.lifetime), quit_loop)
    loop.run()
    peer.pipeline.set_state(Gst.State.NULL)
    server.close()
    if os.path.exists(options.control):
        os.unlink(options.control)
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
