#!/usr/bin/python3
"""Video push benchmark on loopback: how fast StartPush/StopPush change what the contact sees,
and what a push costs sportellod next to plain camera video. Prints figures; asserts nothing.
About 2.5 minutes with the defaults.

  SPORTELLOD=build-lead/service/sportellod /usr/bin/python3 bench/push_bench.py [--switches 30]
      [--cpu-seconds 20] [--rounds 4] [--jitter-ms 0] [--only switch|cpu] [--no-sound-window]
      [--per-switch] [--gst-debug SPEC] [--keep]

The agent: sportellod with `camera = pipewire:NODE`, a PipeWire virtual camera (PipeWire and
WirePlumber as plain processes, conftest.PipeWire; the camera is gst-launch videotestsrc ->
pipewiresink, YUY2 640x480@30), video 640x480@30 VP8 1 Mbit/s (sportellod's defaults). The
contact: sipp (tests/integration/sipp/uas_video.xml) for SIP; tests/integration/videopeer.py
sending PCMU and solid blue VP8 640x480@30 to sportellod (so sportellod also decodes video, as in
a two-way call); and, for the video sportellod sends, a GStreamer receive pipeline inside this
process, whose port the SDP names as the contact's video port:

  udpsrc -> rtpjitterbuffer latency=--jitter-ms (default 0) -> rtpvp8depay -> vp8dec -> fakesink

Pad probes stamp with CLOCK_MONOTONIC (time.monotonic(), also the pipeline clock):
  - each RTP packet as udpsrc read it (its buffer timestamp, taken in C right after the read; the
    VP8 payload descriptor says whether a packet starts a key frame);
  - each frame as vp8dec pushes it, with its mean colour (the I420 planes, sampled) and its RTP
    timestamp, so every decoded frame is tied to its packets.
No polling: the bench waits on a condition variable that the decoder's probe signals.

1. switch: the camera is solid green; the catalogue clip a solid red 10 s VP8 640x480@30 WebM made
   at run time and added with Agent1.AddPushItem. Per switch: wait for green at the contact, a
   random 0-33 ms pause (so that switches fall anywhere in the frame clock), t0 just before
   Session1.StartPush is sent; latency = t0 -> the first decoded frame whose mean colour is red.
   After 0.25 s, StopPush, and the same to the first green frame. The first switch of the process
   (plugins load) is printed apart; then --switches more. Also printed: the D-Bus reply, t0 -> the
   first packet of that first red frame, its packets and its decoding, whether it was a key frame,
   how many frames of the old picture still came after t0 (and whether a key frame was among
   them), sportellod's encoder rate and CPU over the series, and the load on the machine.
   References measured in this process after the series: sportellod's clip pipeline alone
   (uridecodebin -> videoconvert -> videoscale -> videorate -> I420 640x480@30 -> a syncing sink),
   built and set to PLAYING -> its first frame; and vp8enc with sportellod's settings fed a moving
   picture in real time: a delta frame, a key frame, and a caps change (set_format).
2. cpu: a second sportellod whose camera shows a moving ball on green; a clip of a moving ball on
   red (videotestsrc pattern=ball, VP8 640x480@30 1 Mbit/s, --cpu-seconds + 10 s long), and the same
   with an Opus tone (unless --no-sound-window). Conditions: camera only, pushing the clip, pushing
   the clip with sound; each gets --cpu-seconds in --rounds interleaved windows (camera, push,
   push with sound, then the next round starting one further), each window starting 1 s after
   the switch reached the contact, so that other work on the machine weighs on all of them alike.
   CPU = utime + stime of all of sportellod's threads (/proc/PID/stat; per thread name from
   schedstat) in CPU seconds per minute; ratio = push / camera (goal <= 1.2). Also: the encoder's
   threads apart from the rest, the push's own threads, frames encoded (GetMediaStatistics) and
   decoded by the contact, and the CPU of the bench's other processes and of everything else.

On a shared machine other work shows up in every figure here (with vp8enc threads=2, before
2519a1d, libvpx's two threads busy-waited for each other whenever the machine had no CPU to
spare): each part prints how busy the machine was and who used it.
"""

import argparse
import gc
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
import benchlib  # noqa: E402

# conftest reads $SPORTELLOD when it is imported.
os.environ.setdefault("SPORTELLOD", benchlib.find_sportellod())

import gi  # noqa: E402

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gio, Gst, GstVideo  # noqa: E402

import conftest  # noqa: E402  (TestEnv, PipeWire, wait_for: the integration tests' fixtures)
from call_bench import proc_sample  # noqa: E402
from peers import Sipp, sportello_config  # noqa: E402
from videopeer import VideoPeer, last_sdp, near, parse_sdp  # noqa: E402

AGENT, SESSION = conftest.AGENT, conftest.SESSION
WIDTH, HEIGHT, FPS = 640, 480, 30
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
GOAL_MS = 70.0  # one frame interval (33 ms) plus one key frame, at 30 fps (the goal as set)
CPU_GOAL = 1.2
CLK_TCK = os.sysconf("SC_CLK_TCK")


def now():
    return time.monotonic()


def ms(a, b):
    return (b - a) * 1000.0


# ---- the world: a conftest.TestEnv outside pytest ----------------------------------------------------

class Env(conftest.TestEnv):
    """The integration tests' TestEnv (private dirs, bus, Processes stopped by PID), its logs in a
    directory of its own instead of pytest's tmp_path."""

    def __init__(self):
        logs = Path(tempfile.mkdtemp(prefix="sp-pbench-logs-"))
        super().__init__(logs)
        self.logs = logs

    def cleanup(self, keep=False):
        self.procs.stop_all()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.logs, ignore_errors=True)


def start_camera(pw, node, look):
    """A PipeWire virtual camera as conftest.PipeWire.start_camera makes it, but with any
    videotestsrc properties (look: a list such as ["pattern=ball", "background-color=0xff00ff00"])."""
    props = ("props,media.class=Video/Source,media.role=Camera,node.name=%s,node.description=%s,"
             "node.pause-on-idle=false,session.suspend-timeout-seconds=0" % (node, node))
    argv = ["gst-launch-1.0", "-q", "videotestsrc", "is-live=true", *look, "!",
            "video/x-raw,format=YUY2,width=%d,height=%d,framerate=%d/1" % (WIDTH, HEIGHT, FPS), "!",
            "pipewiresink", "mode=provide", "client-name=%s" % node, "stream-properties=%s" % props]
    proc = pw._start("camera-%s" % node, argv)
    pw.cameras[node] = proc

    def published():
        if proc.poll() is not None:
            raise RuntimeError("the camera %s exited with %s" % (node, proc.returncode))
        return pw.has_node(node)

    conftest.wait_for(published, 15, 0.1, what="PipeWire node " + node)
    return proc


def make_clip(path, seconds, look, audio=False):
    """A 640x480@30 VP8 WebM, 1 Mbit/s, made with gst-launch; look: videotestsrc properties."""
    argv = ["gst-launch-1.0", "-q", "webmmux", "name=mux", "!", "filesink", "location=%s" % path,
            "videotestsrc", "num-buffers=%d" % round(seconds * FPS), *look, "!",
            "video/x-raw,width=%d,height=%d,framerate=%d/1" % (WIDTH, HEIGHT, FPS), "!",
            "vp8enc", "deadline=1", "target-bitrate=1000000", "!", "mux."]
    if audio:
        argv += ["audiotestsrc", "num-buffers=%d" % round(seconds * 50), "samplesperbuffer=960", "freq=700", "!",
                 "audio/x-raw,rate=48000,channels=1", "!", "audioconvert", "!", "opusenc", "!", "mux."]
    subprocess.run(argv, check=True, capture_output=True, timeout=300)
    return path


def machine_sample():
    """Busy CPU time of the whole machine (/proc/stat: all but idle and iowait) and the load average."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return {"busy": (sum(fields[:8]) - idle) / CLK_TCK, "t": now(), "load": benchlib.loadavg().split()[0]}


# ---- the contact's video receiver, in this process ----------------------------------------------------

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
    raise RuntimeError("no free even UDP port pair")


def vp8_keyframe_start(payload):
    """Whether an RTP payload (VP8, RFC 7741) starts a key frame: S=1, PID=0 and the VP8 payload
    header's P bit 0."""
    if not payload:
        return False
    first = payload[0]
    if not (first & 0x10) or (first & 0x07):
        return False
    i = 1
    if first & 0x80:  # X: extension bytes
        if len(payload) < 2:
            return False
        ext = payload[1]
        i = 2
        if ext & 0x80:  # I: picture id, 7 or 15 bits
            if len(payload) <= i:
                return False
            i += 2 if payload[i] & 0x80 else 1
        if ext & 0x40:  # L: TL0PICIDX
            i += 1
        if ext & 0x30:  # T or K
            i += 1
    return len(payload) > i and (payload[i] & 0x01) == 0


def yuv_to_rgb(y, u, v):
    """BT.601 limited range, as videotestsrc and vp8dec use for these sizes."""
    c, d, e = 1.164 * (y - 16), u - 128, v - 128
    clamp = lambda x: max(0, min(255, round(x)))  # noqa: E731
    return (clamp(c + 1.596 * e), clamp(c - 0.392 * d - 0.813 * e), clamp(c + 2.017 * d))


def classify(rgb):
    for name, colour in (("red", RED), ("green", GREEN), ("blue", BLUE), ("black", (0, 0, 0))):
        if near(rgb, colour):
            return name
    return "other"


class Receiver:
    """udpsrc -> [rtpjitterbuffer] -> rtpvp8depay -> vp8dec -> fakesink on our own RTP/RTCP ports;
    records every packet's and every decoded frame's time and every frame's colour."""

    def __init__(self, jitter_ms):
        self.jitter_ms = jitter_ms
        self.port, self.rtp_sock, self.rtcp_sock = bind_pair()
        self.cond = threading.Condition()
        self.frames = []     # dicts, in decoding order
        self.by_ts = {}      # RTP timestamp -> {"first", "last", "packets", "key"}
        self.current_ts = None
        self.packets = 0
        self.errors = []
        self.pipeline = None
        self.info = None
        self.base = 0

    def start(self, pt):
        jitter = "rtpjitterbuffer name=jb latency=%d ! " % self.jitter_ms if self.jitter_ms >= 0 else ""
        description = ("udpsrc name=rtp caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,"
                       "payload=%d ! %s rtpvp8depay name=depay wait-for-keyframe=true request-keyframe=false ! "
                       "vp8dec name=dec ! fakesink name=sink sync=false async=false "
                       "udpsrc name=rtcp ! fakesink sync=false async=false" % (pt, jitter))
        self.pipeline = Gst.parse_launch(description)
        get = self.pipeline.get_by_name
        for name, sock in (("rtp", self.rtp_sock), ("rtcp", self.rtcp_sock)):
            get(name).set_property("socket", sock)
            get(name).set_property("close-socket", False)
        get("rtp").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.on_packet)
        get("depay").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, self.on_depay_in)
        get("dec").get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, self.on_decoded)
        if self.pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            raise RuntimeError("the receive pipeline did not start")
        self.base = self.pipeline.get_base_time()

    # streaming threads
    def on_packet(self, pad, info):
        buffer = info.get_buffer()
        t = (self.base + buffer.pts) / 1e9 if buffer.pts != Gst.CLOCK_TIME_NONE else now()
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        if not ok:
            return Gst.PadProbeReturn.OK
        data = bytes(mapped.data[:64])
        buffer.unmap(mapped)
        if len(data) < 12 or 192 <= data[1] <= 223:
            return Gst.PadProbeReturn.OK
        ts = int.from_bytes(data[4:8], "big")
        header = 12 + 4 * (data[0] & 0x0F)
        if data[0] & 0x10 and len(data) >= header + 4:  # header extension
            header += 4 + 4 * int.from_bytes(data[header + 2:header + 4], "big")
        with self.cond:
            self.packets += 1
            entry = self.by_ts.get(ts)
            if entry is None:
                entry = self.by_ts[ts] = {"first": t, "last": t, "packets": 0, "key": False}
            entry["last"] = t
            entry["packets"] += 1
            entry["key"] = entry["key"] or vp8_keyframe_start(data[header:])
        return Gst.PadProbeReturn.OK

    def on_depay_in(self, pad, info):
        ok, mapped = info.get_buffer().map(Gst.MapFlags.READ)
        if ok:
            self.current_ts = int.from_bytes(bytes(mapped.data[4:8]), "big")
            info.get_buffer().unmap(mapped)
        return Gst.PadProbeReturn.OK

    def on_decoded(self, pad, info):
        # vp8dec decodes in the depayloader's streaming thread and pushes the frame before the
        # next packet is handled, so current_ts is this frame's RTP timestamp.
        t = now()
        ts = self.current_ts
        buffer = info.get_buffer()
        if self.info is None:
            self.info = GstVideo.VideoInfo.new_from_caps(pad.get_current_caps())
        vi = self.info
        ok, mapped = buffer.map(Gst.MapFlags.READ)
        rgb = None
        if ok:
            data = mapped.data
            means = []
            for plane, (w, h) in enumerate(((vi.width, vi.height), ((vi.width + 1) // 2, (vi.height + 1) // 2))
                                           + (((vi.width + 1) // 2, (vi.height + 1) // 2),)):
                off, stride = vi.offset[plane], vi.stride[plane]
                total = n = 0
                for row in range(h // 16, h, max(1, h // 16)):
                    line = data[off + row * stride:off + row * stride + w:max(1, w // 32)]
                    total += sum(line)
                    n += len(line)
                means.append(total / max(1, n))
            buffer.unmap(mapped)
            rgb = yuv_to_rgb(*means)
        with self.cond:
            packets = self.by_ts.get(ts, {})
            self.frames.append({"t": t, "ts": ts, "rgb": rgb, "colour": classify(rgb) if rgb else None,
                                "key": packets.get("key"), "first": packets.get("first"),
                                "last": packets.get("last"), "packets": packets.get("packets")})
            self.cond.notify_all()
        return Gst.PadProbeReturn.OK

    # the bench's side
    def mark(self):
        with self.cond:
            return len(self.frames)

    def wait(self, predicate, start=0, timeout=10.0, what="frame"):
        deadline = now() + timeout
        with self.cond:
            while True:
                for frame in self.frames[start:]:
                    if predicate(frame):
                        return frame
                left = deadline - now()
                if left <= 0:
                    tail = [(f["colour"], f["rgb"]) for f in self.frames[-5:]]
                    raise RuntimeError("timed out waiting for %s; %d frames decoded, the last: %r"
                                       % (what, len(self.frames), tail))
                self.cond.wait(left)

    def since(self, start):
        with self.cond:
            return list(self.frames[start:])

    def wait_steady(self, colour, count=3, timeout=10.0):
        """Waits until the last `count` decoded frames all have this colour."""
        def steady(_frame):
            tail = self.frames[-count:]
            return len(tail) == count and all(f["colour"] == colour for f in tail)
        return self.wait(steady, 0, timeout, "%d %s frames in a row" % (count, colour))

    def bus_errors(self):
        bus = self.pipeline.get_bus()
        errors = []
        while True:
            message = bus.pop_filtered(Gst.MessageType.ERROR)
            if message is None:
                return errors
            errors.append(message.parse_error()[0].message)

    def stop(self):
        if self.pipeline is not None:
            self.pipeline.set_state(Gst.State.NULL)
            self.pipeline = None
        for sock in (self.rtp_sock, self.rtcp_sock):
            sock.close()


# ---- sportellod and the call ----------------------------------------------------------------------

class Agent:
    """sportellod with video allowed and a PipeWire camera node, on the env's bus."""

    extra_env = {}  # for sportellod only (--gst-debug)

    def __init__(self, env, camera, name):
        self.env = env
        self.sip_port = conftest.free_port()
        extra = "\n[video]\nallowed = true\nremote-offers = accept\n"
        config = sportello_config(env, self.sip_port, extra=extra, audio_source="test")
        config.write_text(config.read_text().replace("camera = none", "camera = %s" % camera))
        saved = dict(env.env)
        env.env.update(self.extra_env)
        try:
            self.proc = env.start_sportellod(config=config, name=name, data_dir=env.root / (name + "-data"))
        finally:
            env.env.clear()
            env.env.update(saved)

    def call(self, path, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=path)

    def prop(self, path, name):
        return self.env.get_property(SESSION, name, path=path)

    def stats(self, path):
        return self.env.call(SESSION, "GetMediaStatistics", path=path)

    def add_item(self, path, title):
        return self.env.call(AGENT, "AddPushItem", "sssu", (str(path), title, "", 0))

    def stop(self):
        return self.env.procs.stop(self.proc, timeout=30)


class Call:
    """sportellod dials the contact (sipp + VideoPeer sending blue + our Receiver) and adds video."""

    def __init__(self, env, agent, jitter_ms, name):
        self.env, self.agent = env, agent
        self.rx = Receiver(jitter_ms)
        self.peer = VideoPeer(env, name=name + "-peer", colour=BLUE, audio_codec="PCMU", width=WIDTH, height=HEIGHT,
                              fps=FPS)
        self.sipp = Sipp(env, name + "-sip", "uas_video.xml", timeout=1800,
                         extra=["-set", "aport", str(self.peer.audio_port), "-set", "vport", str(self.rx.port)])
        self.path = env.call(AGENT, "Dial", "sa{ss}", (self.sipp.uri, {}))
        conftest.wait_for(lambda: agent.prop(self.path, "State") == "talking", 15, 0.01, what="talking")
        self.peer.set_remote_from_sdp(last_sdp(self.sipp.messages(), "received", "INVITE"))
        agent.call(self.path, "ActivateVideo")
        sdp = last_sdp(self.sipp.messages(), "received", "INVITE", with_video=True)
        self.peer.set_remote_from_sdp(sdp)  # the contact's blue video goes to sportellod
        video = parse_sdp(sdp).get("video")
        self.rx.start(video.pt_for("VP8"))

    def hang_up(self):
        try:
            self.agent.call(self.path, "Disconnect")
            conftest.wait_for(lambda: self.agent.prop(self.path, "State") == "disconnected", 15, 0.02,
                              what="disconnected")
            self.agent.call(self.path, "MarkDone")
        finally:
            self.rx.stop()
            self.peer.stop()
            self.sipp.wait(15)


# ---- 1. switch latency --------------------------------------------------------------------------------

def switch_once(call, item, target, t_hold=0.25):
    """One change of what the contact sees: StartPush(item) (target "red") or StopPush (item None,
    target "green"); returns its figures."""
    rx = call.rx
    time.sleep(random.uniform(0, 1.0 / FPS))
    mark = rx.mark()
    t0 = now()
    if item is None:
        call.agent.call(call.path, "StopPush")
    else:
        call.agent.call(call.path, "StartPush", "s", (item,))
    t_reply = now()
    first = rx.wait(lambda f: f["colour"] == target, mark, 10, "the first %s frame" % target)
    seen = rx.since(mark)
    before = seen[:seen.index(first)]
    others = [f for f in before if f["colour"] not in ("green", "red")]
    old = [f for f in before if f["colour"] in ("green", "red") and f["colour"] != target]
    row = {"total": ms(t0, first["t"]), "reply": ms(t0, t_reply),
           "first_pkt": ms(t0, first["first"]) if first["first"] else float("nan"),
           "last_pkt": ms(t0, first["last"]) if first["last"] else float("nan"),
           "decode": ms(first["last"], first["t"]) if first["last"] else float("nan"),
           "spread": ms(first["first"], first["last"]) if first["first"] else float("nan"),
           "packets": first["packets"] or 0, "key": bool(first["key"]), "old_frames": len(old),
           "old_keys": sum(1 for f in old if f["key"]),
           "other_frames": len(others), "other_colours": sorted({f["colour"] for f in others})}
    time.sleep(t_hold)
    return row


def clip_start_reference(path, runs):
    """sportellod's clip pipeline (sp-clip-player.c) alone, in this process: from building it to its
    first frame at a syncing sink (intervideosink syncs too); ms per run."""
    uri = Gio.File.new_for_path(str(path)).get_uri()
    times = []
    for _ in range(runs):
        got = threading.Event()
        stamp = {}

        def probe(pad, info):
            if not got.is_set():
                stamp["t"] = now()
                got.set()
            return Gst.PadProbeReturn.OK

        t0 = now()
        pipeline = Gst.parse_launch(
            "uridecodebin uri=%s ! videoconvert ! videoscale add-borders=true ! videorate ! "
            "video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1,pixel-aspect-ratio=1/1 ! "
            "fakesink name=sink sync=true" % (uri, WIDTH, HEIGHT, FPS))
        pipeline.get_by_name("sink").get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, probe)
        pipeline.set_state(Gst.State.PLAYING)
        got.wait(10)
        pipeline.set_state(Gst.State.NULL)
        times.append(ms(t0, stamp["t"]) if "t" in stamp else float("nan"))
        time.sleep(0.05)
    return times


# sportellod's VP8 settings (service/media/sp-video-codec.c, configure_vp8) and the caps its two
# branches bring to the encoder: the camera feed's (chroma-site=jpeg) and a pushed clip's (vp8dec's,
# with multiview fields and no chroma-site), as GST_DEBUG=videoencoder:5 shows them in sportellod.
VP8ENC = ("vp8enc name=enc deadline=1 lag-in-frames=0 cpu-used=8 target-bitrate=1000000 keyframe-max-dist=90 "
          "threads=1 end-usage=cbr error-resilient=default")
CAMERA_CAPS = ("video/x-raw,format=I420,width=640,height=480,framerate=30/1,interlace-mode=progressive,"
               "pixel-aspect-ratio=1/1,chroma-site=jpeg,colorimetry=bt601")
CLIP_CAPS = ("video/x-raw,format=I420,width=640,height=480,framerate=30/1,interlace-mode=progressive,"
             "multiview-mode=mono,pixel-aspect-ratio=1/1,colorimetry=bt601")


def encoder_reference(rounds=6):
    """vp8enc with sportellod's settings in this process, fed 640x480@30 frames of a moving ball
    (made first with videotestsrc) through appsrc in real time: ms to encode a delta frame, a key
    frame (forced, or the first after a re-init), and what a caps change costs (set_format, which
    drains, destroys and re-creates the libvpx encoder: from the caps event reaching the encoder to
    the frame queued behind it reaching it)."""
    grab = Gst.parse_launch("videotestsrc pattern=ball num-buffers=%d ! video/x-raw,format=I420,width=%d,height=%d,"
                            "framerate=%d/1 ! appsink name=out sync=false" % (FPS, WIDTH, HEIGHT, FPS))
    grab.set_state(Gst.State.PLAYING)
    frames = []
    while True:
        sample = grab.get_by_name("out").emit("try-pull-sample", 5 * Gst.SECOND)
        if sample is None:
            break
        frames.append(sample.get_buffer().extract_dup(0, sample.get_buffer().get_size()))
    grab.set_state(Gst.State.NULL)
    pipeline = Gst.parse_launch("appsrc name=src format=time is-live=true caps=%s ! %s ! fakesink sync=false"
                                % (CAMERA_CAPS, VP8ENC))
    c0, t0 = time.process_time(), now()
    src, enc = pipeline.get_by_name("src"), pipeline.get_by_name("enc")
    state = {"caps_at": None}
    started, results = {}, {"delta": [], "key": [], "set_format": []}

    def on_event(pad, info):
        if info.get_event().type == Gst.EventType.CAPS:
            state["caps_at"] = time.perf_counter()
        return Gst.PadProbeReturn.OK

    def on_in(pad, info):
        t = time.perf_counter()
        if state["caps_at"] is not None:
            results["set_format"].append(1000 * (t - state["caps_at"]))
            state["caps_at"] = None
        started[info.get_buffer().pts] = t
        return Gst.PadProbeReturn.OK

    def on_out(pad, info):
        buffer = info.get_buffer()
        t0 = started.pop(buffer.pts, None)
        if t0 is not None:
            key = not buffer.has_flags(Gst.BufferFlags.DELTA_UNIT)
            results["key" if key else "delta"].append(1000 * (time.perf_counter() - t0))
        return Gst.PadProbeReturn.OK

    sink = enc.get_static_pad("sink")
    sink.add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, on_event)
    sink.add_probe(Gst.PadProbeType.BUFFER, on_in)
    enc.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, on_out)
    pipeline.set_state(Gst.State.PLAYING)
    n = 0
    plan = {}
    for i in range(rounds):  # every 0.5 s a forced key frame, 0.5 s later a caps change
        plan[FPS + i * FPS] = "key"
        plan[FPS + i * FPS + FPS // 2] = CLIP_CAPS if i % 2 == 0 else CAMERA_CAPS
    for n in range(FPS * (rounds + 1) + FPS // 2):
        action = plan.get(n)
        if action == "key":
            enc.send_event(GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0))
        elif action:
            src.set_property("caps", Gst.Caps.from_string(action))
        buffer = Gst.Buffer.new_wrapped(frames[n % len(frames)])
        buffer.pts = n * Gst.SECOND // FPS
        buffer.duration = Gst.SECOND // FPS
        src.emit("push-buffer", buffer)
        time.sleep(1.0 / FPS)
    time.sleep(0.2)
    pipeline.set_state(Gst.State.NULL)
    results["cpu_per_min"] = per_min(time.process_time() - c0, now() - t0)
    return results


def stats_line(values, goal=None):
    s = sorted(values)
    if not s:
        return "no data"
    line = "median %6.1f  p99 %6.1f  min %6.1f  max %6.1f ms  (n=%d)" % (
        benchlib.percentile(s, 50), benchlib.percentile(s, 99), s[0], s[-1], len(s))
    if goal is not None:
        line += "   goal <= %.0f ms: median %s, p99 %s" % (
            goal, "met" if benchlib.percentile(s, 50) <= goal else "MISSED",
            "met" if benchlib.percentile(s, 99) <= goal else "MISSED")
    return line


def median(values):
    s = sorted(v for v in values if v == v)
    return benchlib.percentile(s, 50) if s else float("nan")


def print_rows(title, rows, goal):
    first, rest = rows[0], rows[1:]
    print("%s" % title)
    print("  first switch of the process: %.1f ms (reply %.1f, first packet %.1f)"
          % (first["total"], first["reply"], first["first_pkt"]))
    print("  t0 -> first frame decoded   %s" % stats_line([r["total"] for r in rest], goal))
    print("  medians: D-Bus reply %.1f | t0 -> first packet of that frame %.1f | its packets %.1f apart"
          " (%d packets) | last packet -> decoded %.1f ms"
          % (median([r["reply"] for r in rest]), median([r["first_pkt"] for r in rest]),
             median([r["spread"] for r in rest]), median([r["packets"] for r in rest]),
             median([r["decode"] for r in rest])))
    print("  t0 -> first packet          %s" % stats_line([r["first_pkt"] for r in rest]))
    keys = sum(r["key"] for r in rest)
    old = [r["old_frames"] for r in rest]
    others = [r for r in rest if r["other_frames"]]
    print("  that frame was a key frame in %d of %d switches; frames of the old picture decoded after t0:"
          " median %d, max %d (key frames among them in %d switches); switches with frames of another colour in"
          " between: %d%s"
          % (keys, len(rest), median(old), max(old), sum(1 for r in rest if r["old_keys"]), len(others),
             " (%s)" % ", ".join(sorted({c for r in others for c in r["other_colours"]})) if others else ""))


def switch_part(env, pw, args):
    print("\n== 1. StartPush / StopPush -> the contact's first decoded frame of the new picture ==")
    start_camera(pw, "green-camera", ["pattern=solid-color", "foreground-color=0xff00ff00"])
    clip = make_clip(env.root / "red.webm", 10, ["pattern=solid-color", "foreground-color=0xffff0000"])
    agent = Agent(env, "pipewire:green-camera", "sportellod-switch")
    rc = None
    try:
        conftest.wait_for(lambda: env.get_property(AGENT, "CameraAvailable"), 15, 0.05, what="CameraAvailable")
        item = agent.add_item(clip, "Red clip")
        call = Call(env, agent, args.jitter_ms, "switch")
        sampler = Sampler(agent, {"contact": call.peer.proc.pid, "camera": pw.cameras["green-camera"].pid,
                                  "pipewire": pw.daemon.pid, "wireplumber": pw.session_manager.pid})
        try:
            call.rx.wait_steady("green", 5, 15)
            time.sleep(0.5)
            s0 = agent.stats(call.path)
            sampler.start()
            on_rows, off_rows = [], []
            gc.disable()
            try:
                for _ in range(args.switches + 1):
                    on_rows.append(switch_once(call, item, "red"))
                    off_rows.append(switch_once(call, None, "green"))
            finally:
                gc.enable()
            cost, stats = sampler.stop(), agent.stats(call.path)
            errors = call.rx.bus_errors()
        finally:
            call.hang_up()
    finally:
        rc = agent.stop()
        pw.stop_camera("green-camera")
    reference = clip_start_reference(clip, 11)
    encoder = encoder_reference()
    print("camera: PipeWire virtual camera, solid green YUY2 640x480@30; clip: solid red VP8 640x480@30, 10 s;"
          " contact's jitter buffer: %s" % ("%d ms" % args.jitter_ms if args.jitter_ms >= 0 else "none"))
    print_rows("StartPush -> first red frame decoded at the contact (goal: one frame interval + one key frame,"
               " <= %.0f ms)" % GOAL_MS, on_rows, GOAL_MS)
    print_rows("StopPush -> first green frame decoded at the contact", off_rows, GOAL_MS)
    print("reference, this process: the clip pipeline alone, built and set to PLAYING -> first frame at the sink:"
          " first %.1f ms, then %s" % (reference[0], stats_line(reference[1:])))
    print("reference, this process: vp8enc with sportellod's settings (a moving 640x480 picture in real time):"
          " delta frame %s | key frame (forced, or the first after a re-init) %s | a caps change holds"
          " the encoder (set_format: drain, destroy, re-create libvpx) %s"
          % (stats_line(encoder["delta"]).split("  (n=")[0].replace("  p99", " p99"),
             stats_line(encoder["key"]).split("  (n=")[0], stats_line(encoder["set_format"])))
    wall = cost["wall"]
    print("during the series (%.0f s): sportellod encoded %.1f fps and used %.2f CPU-s/min; %d key frames sent;"
          " receiver errors: %s; sportellod exit status %s"
          % (wall, (stats["video-frames-encoded"] - s0["video-frames-encoded"]) / wall, per_min(cost["cpu"], wall),
             stats["video-key-frames-sent"] - s0["video-key-frames-sent"], errors or "none", rc))
    print(others_line(cost))
    if args.per_switch:
        for i, (a, b) in enumerate(zip(on_rows, off_rows)):
            print("  %2d  push %6.1f (reply %5.1f, pkt %6.1f..%6.1f, %2d pkts, key %d, old %d, other %d)"
                  "   stop %6.1f (reply %5.1f, pkt %6.1f, key %d, old %d, other %d)"
                  % (i, a["total"], a["reply"], a["first_pkt"], a["last_pkt"], a["packets"], a["key"],
                     a["old_frames"], a["other_frames"], b["total"], b["reply"], b["first_pkt"], b["key"],
                     b["old_frames"], b["other_frames"]))
    return on_rows, off_rows


# ---- 2. CPU: camera versus push ----------------------------------------------------------------------

class Sampler:
    """CPU of sportellod, of the bench's other processes (the contact, the camera, PipeWire, this
    process) and of the whole machine, between start() and stop()."""

    def __init__(self, agent, others):
        self.agent = agent
        self.others = {name: pid for name, pid in others.items() if pid}

    def start(self):
        self.m0, self.p0 = machine_sample(), proc_sample(self.agent.proc.pid)
        self.o0 = {name: proc_sample(pid)["cpu"] for name, pid in self.others.items()}
        self.c0 = time.process_time()

    def stop(self):
        m1, p1 = machine_sample(), proc_sample(self.agent.proc.pid)
        o1 = {name: proc_sample(pid)["cpu"] for name, pid in self.others.items()}
        wall = p1["t"] - self.p0["t"]
        threads = {}
        for key, ns in p1["per_thread"].items():
            threads[key[1]] = threads.get(key[1], 0.0) + (ns - self.p0["per_thread"].get(key, 0)) / 1e9
        others = {name: o1[name] - self.o0[name] for name in self.others}
        others["this bench"] = time.process_time() - self.c0
        return {"wall": wall, "cpu": p1["cpu"] - self.p0["cpu"], "cpu_ns": (p1["cpu_ns"] - self.p0["cpu_ns"]) / 1e9,
                "threads": threads, "others": others, "machine": m1["busy"] - self.m0["busy"],
                "machine_wall": m1["t"] - self.m0["t"], "load": (self.m0["load"], m1["load"]),
                "rss": p1["rss"] / 1024, "nthreads": p1["threads"]}


def per_min(seconds, wall):
    return 60.0 * seconds / wall


def others_line(f):
    ours = sum(f["others"].values())
    busy = f["machine"] / f["machine_wall"]
    sd = f["cpu"] / f["wall"]
    return ("other processes (s/min): %s; machine %.2f of %d CPUs busy: sportellod %.2f, the bench's other"
            " processes %.2f, everything else %.2f (load average %s -> %s)"
            % (", ".join("%s %.2f" % (n, per_min(v, f["wall"])) for n, v in f["others"].items()), busy,
               len(os.sched_getaffinity(0)), sd, ours / f["wall"], max(0.0, busy - sd - ours / f["wall"]),
               f["load"][0], f["load"][1]))


def cpu_window(agent, call, sampler, seconds):
    rx = call.rx
    s0, f0 = agent.stats(call.path), rx.mark()
    sampler.start()
    time.sleep(seconds)
    f = sampler.stop()
    s1, f1 = agent.stats(call.path), rx.mark()
    f["encoded"] = s1["video-frames-encoded"] - s0["video-frames-encoded"]
    f["decoded"] = s1["video-frames-decoded"] - s0["video-frames-decoded"]
    f["keys"] = s1["video-key-frames-sent"] - s0["video-key-frames-sent"]
    f["contact"] = f1 - f0
    f["colours"] = {}
    for frame in rx.since(f0):
        f["colours"][frame["colour"]] = f["colours"].get(frame["colour"], 0) + 1
    return f


def combine(windows):
    """The windows of one condition as one."""
    total = {"rounds": [per_min(w["cpu"], w["wall"]) for w in windows], "threads": {}, "others": {}, "colours": {},
             "load": (windows[0]["load"][0], windows[-1]["load"][1]), "rss": windows[-1]["rss"],
             "nthreads": windows[-1]["nthreads"]}
    for key in ("wall", "cpu", "cpu_ns", "machine", "machine_wall", "encoded", "decoded", "keys", "contact"):
        total[key] = sum(w[key] for w in windows)
    for w in windows:
        for part in ("threads", "others", "colours"):
            for name, value in w[part].items():
                total[part][name] = total[part].get(name, 0) + value
    return total


def print_condition(label, f, encoder_name, camera=None):
    wall = f["wall"]
    print("  %-18s CPU %5.2f s/min (schedstat %5.2f) = %4.1f %% of one CPU   [rounds: %s]"
          % (label, per_min(f["cpu"], wall), per_min(f["cpu_ns"], wall), 100 * f["cpu"] / wall,
             " ".join("%.1f" % r for r in f["rounds"])))
    enc = f["threads"].get(encoder_name, 0.0)
    print("  %-18s encoder's threads (%s) %.2f s/min, everything else %.2f s/min; %.2f ms of CPU per encoded frame"
          % ("", encoder_name, per_min(enc, wall), per_min(f["cpu"] - enc, wall), 1000 * f["cpu"] / max(1, f["encoded"])))
    print("  %-18s encoded %.1f fps (%d key frames), decoded the contact's %.1f fps; the contact decoded %.1f fps (%s);"
          " RSS %.1f MiB, %d threads"
          % ("", f["encoded"] / wall, f["keys"], f["decoded"] / wall, f["contact"] / wall,
             ", ".join("%s %d" % kv for kv in sorted(f["colours"].items(), key=str)), f["rss"], f["nthreads"]))
    busy = sorted(((u, n) for n, u in f["threads"].items() if u >= 0.01), reverse=True)
    print("  %-18s by thread name (s/min): %s" % ("", ", ".join("%s %.2f" % (n, per_min(u, wall)) for u, n in busy[:9])))
    if camera is not None:
        idle = {n for n, u in camera["threads"].items() if u < 0.005 * len(camera["rounds"])}
        own = sorted(((u, n) for n, u in f["threads"].items()
                      if u >= 0.005 * len(f["rounds"]) and (n in idle or n not in camera["threads"])), reverse=True)
        print("  %-18s the push's own threads (idle or absent with the camera): %.2f s/min: %s"
              % ("", per_min(sum(u for u, _ in own), wall),
                 ", ".join("%s %.2f" % (n, per_min(u, wall)) for u, n in own[:8])))
    print("  %-18s %s" % ("", others_line(f)))


def cpu_part(env, pw, args):
    rounds = max(1, args.rounds)
    window_s = args.cpu_seconds / rounds
    print("\n== 2. sportellod's CPU: camera only versus pushing a clip (%g s each, as %d interleaved rounds of %g s) =="
          % (args.cpu_seconds, rounds, window_s))
    start_camera(pw, "ball-camera", ["pattern=ball", "background-color=0xff00ff00"])
    length = args.cpu_seconds + 10
    look = ["pattern=ball", "background-color=0xffff0000"]
    ball = make_clip(env.root / "ball.webm", length, look)
    sound = None if args.no_sound_window else make_clip(env.root / "ball-sound.webm", length, look, audio=True)
    agent = Agent(env, "pipewire:ball-camera", "sportellod-cpu")
    results = {}
    rc = None
    try:
        conftest.wait_for(lambda: env.get_property(AGENT, "CameraAvailable"), 15, 0.05, what="CameraAvailable")
        conditions = [("camera", None), ("push", agent.add_item(ball, "Ball"))]
        if sound:
            conditions.append(("push with sound", agent.add_item(sound, "Ball with sound")))
        call = Call(env, agent, args.jitter_ms, "cpu")
        sampler = Sampler(agent, {"contact": call.peer.proc.pid, "camera": pw.cameras["ball-camera"].pid,
                                  "pipewire": pw.daemon.pid, "wireplumber": pw.session_manager.pid})
        try:
            call.rx.wait_steady("green", 5, 15)
            # One short push first: the first push of a process loads the clip plugins.
            agent.call(call.path, "StartPush", "s", (conditions[1][1],))
            call.rx.wait_steady("red", 3, 10)
            windows = {label: [] for label, _ in conditions}
            pushing = True
            for r in range(rounds):
                # Each condition once per round; the order turns so that none always follows another.
                for label, item in conditions[r % len(conditions):] + conditions[:r % len(conditions)]:
                    if item is None:
                        if pushing:
                            agent.call(call.path, "StopPush")
                        call.rx.wait_steady("green", 3, 10)
                    else:
                        agent.call(call.path, "StartPush", "s", (item,))  # a running push is replaced
                        mark = call.rx.mark()
                        call.rx.wait(lambda f: f["colour"] == "red", mark, 10, "red")
                    pushing = item is not None
                    time.sleep(1.0)
                    windows[label].append(cpu_window(agent, call, sampler, window_s))
            if pushing:
                agent.call(call.path, "StopPush")
            results = {label: combine(ws) for label, ws in windows.items()}
        finally:
            call.hang_up()
    finally:
        rc = agent.stop()
        pw.stop_camera("ball-camera")
    print("camera: PipeWire virtual camera, videotestsrc ball on green, YUY2 640x480@30; clip: ball on red, VP8"
          " 640x480@30 1 Mbit/s, %d s%s; sportellod encodes VP8 640x480@30 1 Mbit/s and decodes the contact's"
          " solid blue VP8 640x480@30; each window starts 1 s after the switch reached the contact"
          % (length, ", and the same with an Opus tone" if sound else ""))
    camera = results["camera"]
    encoder_name = max(camera["threads"].items(), key=lambda kv: kv[1])[0]  # the send queue's thread (vp8enc)
    for label, f in results.items():
        print_condition(label, f, encoder_name, camera if label != "camera" else None)
    base = per_min(camera["cpu"], camera["wall"])
    base_rest = per_min(camera["cpu"] - camera["threads"].get(encoder_name, 0), camera["wall"])
    for label, f in results.items():
        if label == "camera":
            continue
        ratio = per_min(f["cpu"], f["wall"]) / base
        rest = per_min(f["cpu"] - f["threads"].get(encoder_name, 0), f["wall"])
        print("  %s / camera: %.2f (schedstat %.2f)%s; without the encoder's threads %.2f (+%.2f s/min)"
              % (label, ratio, per_min(f["cpu_ns"], f["wall"]) / per_min(camera["cpu_ns"], camera["wall"]),
                 "   goal <= %.1f: %s" % (CPU_GOAL, "met" if ratio <= CPU_GOAL else "MISSED") if label == "push" else "",
                 rest / base_rest, rest - base_rest))
    print("sportellod exit status: %s" % rc)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switches", type=int, default=int(os.environ.get("BENCH_SWITCHES", 30)))
    parser.add_argument("--cpu-seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 20)))
    parser.add_argument("--jitter-ms", type=int, default=0,
                        help="the contact's rtpjitterbuffer latency (default 0; -1: no jitter buffer)")
    parser.add_argument("--only", choices=("switch", "cpu"))
    parser.add_argument("--rounds", type=int, default=4,
                        help="the CPU windows are taken in this many interleaved rounds (default 4)")
    parser.add_argument("--no-sound-window", action="store_true", help="skip the push-with-sound CPU windows")
    parser.add_argument("--per-switch", action="store_true", help="print every switch's figures")
    parser.add_argument("--keep", action="store_true", help="keep the temporary dirs (logs)")
    parser.add_argument("--gst-debug", metavar="SPEC",
                        help="GST_DEBUG for sportellod (its log is kept: implies --keep); slows it down")
    args = parser.parse_args()
    args.keep = args.keep or bool(args.gst_debug)

    Gst.init(None)
    started = now()
    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % os.environ["SPORTELLOD"])
    print("GStreamer %s" % Gst.version_string())
    print("load average at start: %s" % benchlib.loadavg())
    env = Env()
    try:
        env.start_bus()
        if args.gst_debug:
            Agent.extra_env = {"GST_DEBUG": args.gst_debug, "GST_DEBUG_NO_COLOR": "1"}
        # A fresh XDG_CACHE_HOME has no GStreamer registry: build it once here, before any timing.
        subprocess.run(["gst-inspect-1.0", "vp8enc"], env=env.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        pw = conftest.PipeWire(env)
        pw.start()
        if args.keep:
            print("logs in %s, files in %s" % (env.logs, env.root))
        if args.only != "cpu":
            switch_part(env, pw, args)
        if args.only != "switch":
            cpu_part(env, pw, args)
        pw.stop()
    finally:
        env.cleanup(keep=args.keep)
    print("\nload average at end: %s; run took %.0f s" % (benchlib.loadavg(), now() - started))


if __name__ == "__main__":
    main()
