#!/usr/bin/python3
"""Video benchmark on loopback: what a two-way 640x480@30 VP8 call costs sportellod, next to a
baresip-to-baresip video call and to bare gst-launch pipelines doing the same encode/decode work
(the floor), and how long ActivateVideo takes to show the contact's first picture. Prints
figures; asserts nothing. About 5 minutes with the defaults.

  SPORTELLOD=build-lead/service/sportellod /usr/bin/python3 bench/video_bench.py [--seconds 60]
      [--activations 30] [--camera test|pipewire] [--only call,floor,floor1,memfloor,baresip,activate]
      [--no-perf] [--poll-ms 0.5] [--keep]

1. call: sportellod dials a scripted contact (sipp with bench/sipp/uas_video_opus.xml for SIP,
   tests/integration/videopeer.py for the media: a moving videotestsrc ball, 640x480@30 VP8, and
   an Opus tone) and adds video with Session1.ActivateVideo. sportellod's camera is
   `camera = test` (videotestsrc pattern=ball inside sportellod) unless --camera pipewire (a
   PipeWire virtual camera publishing a moving ball: conftest.PipeWire.start_camera). Once frames
   flow both ways and 2 s have passed, a window of --seconds: sportellod's CPU (utime+stime from
   /proc/PID/stat; per thread from schedstat), RSS and VmHWM, the frames the contact decoded, and
   GetMediaStatistics' video-frames-encoded / -decoded / video-key-frames-sent over the window.
2. baresip: baresip calls baresip (both 1.0.0 with vp8 + fakevideo, 640x480@30, 1 Mbit/s, opus):
   the callee's CPU and RSS over the same kind of window, its frame counts from video_debug.
   fakevideo is a still picture (three bars); baresip has no moving source here.
3. floor: two gst-launch-1.0 processes doing sportellod's media work against the same contact:
   send = videotestsrc ball I420 640x480@30 -> vp8enc with sportellod's settings (configure_vp8)
   -> rtpvp8pay mtu=1200 -> udpsink, audiotestsrc -> opusenc (20 ms, voice, 32 kbit/s) ->
   rtpopuspay -> udpsink; receive = udpsrc -> rtpjitterbuffer latency=100 -> depayloader ->
   vp8dec / opusdec -> fakesink. CPU of both together. floor1: the same with vp8enc threads=1.
   memfloor: the memory floor, one gst-launch-1.0 doing both directions of the call's media on
   loopback (vp8enc threads=1), its RSS beside sportellod's peak in the summary.
   With perf installed and root, sportellod and the floors are sampled (perf record, 499 Hz)
   during their windows: CPU by shared object, and the share spent in libvpx's busy-wait loops.
4. activate: ActivateVideo -> first decoded remote frame at sportellod, --activations times on
   fresh calls (the first activation of each call builds the video session) and as many times
   by DeactivateVideo / ActivateVideo on one call (resume). As root, a packet socket on lo stamps
   (kernel time) the re-INVITE, the contact's 200 OK and the first video RTP packet that reaches
   sportellod; the contact's media follows each offer as soon as it is seen (a phone that starts
   or resumes its video with a key frame as it answers). The first decoded frame is found by
   polling GetMediaStatistics' video-frames-decoded (a poll about every 1.3 ms; printed): it
   happened between the request of the last poll that saw no new frame and the reply of the
   first that did; the midpoint is used.

Each part also prints how busy the whole machine was during its window (/proc/stat): other
work on a shared machine changes these figures, libvpx's busy-waiting most of all.
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import socket
import struct
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

import ports  # noqa: E402
import conftest  # noqa: E402  (TestEnv, PipeWire, wait_for: the integration tests' fixtures)
from call_bench import proc_sample  # noqa: E402
from peers import Baresip, Sipp, sportello_config  # noqa: E402
from videopeer import Sdp, VideoPeer, last_sdp  # noqa: E402

AGENT, SESSION = conftest.AGENT, conftest.SESSION
SCENARIO = str(HERE / "sipp" / "uas_video_opus.xml")
SETTLE = 2.0  # seconds after frames flow both ways before a window starts
WIDTH, HEIGHT, FPS = 640, 480, 30

# sportellod's media settings, as in service/media/sp-video-codec.c (configure_vp8),
# sp-audio-codec.c (configure_encoder) and sp-call-media.c (JITTER_LATENCY_MS).
VP8ENC = ("vp8enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=1000000 lag-in-frames=0 threads=2 "
          "error-resilient=default keyframe-max-dist=90")
OPUSENC = "opusenc frame-size=20 audio-type=voice bitrate=32000"
JITTER_MS = 100


def now():
    return time.monotonic()


def ms(a, b):
    return (b - a) * 1000.0


# ---- the world: a conftest.TestEnv outside pytest ----------------------------------------------------

class Env(conftest.TestEnv):
    """The integration tests' TestEnv (private dirs, bus, Processes stopped by PID), with its logs in
    its own root instead of pytest's tmp_path."""

    def __init__(self):
        logs = Path(tempfile.mkdtemp(prefix="sp-vbench-logs-"))
        super().__init__(logs)
        self.logs = logs

    def cleanup(self, keep=False):
        self.procs.stop_all()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
            shutil.rmtree(self.logs, ignore_errors=True)


class Agent:
    """sportellod with video allowed and the given camera, on the env's bus."""

    def __init__(self, env, camera, name="sportellod", srtp=False, more_config=""):
        self.env = env
        self.sip_port = conftest.free_port()
        extra = "\n[video]\nallowed = true\nremote-offers = accept\n" + more_config
        if srtp:  # SDES keys over UDP: on loopback only, as in the tests
            extra += "\n[security]\nmedia-encryption = required\nsdes-without-tls = true\n"
        self.config = config = sportello_config(env, self.sip_port, extra=extra, audio_source="test")
        text = config.read_text().replace("camera = none", "camera = %s" % camera)
        config.write_text(text)
        self.rtp_range = tuple(int(p) for p in re.search(r"rtp-ports = (\d+)-(\d+)", text).groups())
        self.proc = env.start_sportellod(config=config, name=name)

    def call(self, path, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=path)

    def prop(self, path, name):
        return self.env.get_property(SESSION, name, path=path)

    def stats(self, path):
        return self.env.call(SESSION, "GetMediaStatistics", path=path)

    def wait(self, path, name, value, timeout=15, interval=0.005):
        conftest.wait_for(lambda: self.prop(path, name) == value, timeout, interval, what="%s = %s" % (name, value))

    def dial(self, uri):
        path = self.env.call(AGENT, "Dial", "sa{ss}", (uri, {}))
        self.wait(path, "State", "talking")
        return path

    def hang_up(self, path):
        self.call(path, "Disconnect")
        self.wait(path, "State", "disconnected")
        self.call(path, "MarkDone")

    def wait_stat(self, path, key, minimum, timeout=15):
        return conftest.wait_for(lambda: (lambda s: s if s[key] >= minimum else None)(self.stats(path)), timeout,
                                 0.02, what="%s >= %d" % (key, minimum))

    def stop(self):
        return self.env.procs.stop(self.proc, timeout=30)


# ---- process figures -------------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine_sample():
    """Busy CPU time of the whole machine (all CPUs, /proc/stat: everything but idle and iowait), the
    time and the load average: other sessions' work on this shared machine shows up here."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
    return {"busy": busy / CLK_TCK, "t": now(), "load": benchlib.loadavg().split()[0]}


def machine_line(m0, m1, ours):
    """ours: CPU s/min of the processes of this part (measured + their peer)."""
    busy = 60.0 * (m1["busy"] - m0["busy"]) / (m1["t"] - m0["t"])
    return ("  machine during the window: %.1f CPU-s/min busy of %d available; %.1f of them this part's processes,"
            " %.1f everything else (load average %s -> %s)"
            % (busy, 60 * len(os.sched_getaffinity(0)), ours, max(0.0, busy - ours), m0["load"], m1["load"]))

def window_figures(before, after):
    wall = after["t"] - before["t"]
    cpu = after["cpu"] - before["cpu"]
    cpu_ns = (after["cpu_ns"] - before["cpu_ns"]) / 1e9
    threads = []
    for key, ns in after["per_thread"].items():
        used = (ns - before["per_thread"].get(key, 0)) / 1e9
        if used >= 0.005:
            threads.append((used, key[1]))
    threads.sort(reverse=True)
    return {"wall": wall, "cpu": cpu, "cpu_ns": cpu_ns, "per_min": 60.0 * cpu / wall,
            "per_min_ns": 60.0 * cpu_ns / wall,
            "rss": after["rss"] / 1024, "hwm": after["hwm"] / 1024, "anon": after["anon"] / 1024,
            "file": after["file"] / 1024, "threads": after["threads"], "by_thread": threads}


def combine(figures):
    """Several processes as one (the floor's sender and receiver)."""
    total = {"wall": figures[0]["wall"], "threads": sum(f["threads"] for f in figures), "by_thread": []}
    for key in ("cpu", "cpu_ns", "per_min", "per_min_ns", "rss", "hwm", "anon", "file"):
        total[key] = sum(f[key] for f in figures)
    for f in figures:
        total["by_thread"] += f["by_thread"]
    total["by_thread"].sort(reverse=True)
    return total


def cost_line(label, f):
    line = ("  %-22s CPU %6.2f s/min (schedstat %6.2f s/min) = %5.1f %% of one CPU;  RSS %6.2f MiB (anon %.2f,"
            " file %.2f), peak (VmHWM) %6.2f MiB, %d threads"
            % (label, f["per_min"], f["per_min_ns"], 100 * f["cpu"] / f["wall"], f["rss"], f["anon"], f["file"],
               f["hwm"], f["threads"]))
    if f["by_thread"]:
        per = ", ".join("%s %.2f" % (name, used * 60.0 / f["wall"]) for used, name in f["by_thread"][:9])
        line += "\n  %-22s by thread (s/min): %s" % ("", per)
    return line


class Profile:
    """perf record of some processes over a window (--perf): where their CPU goes, by shared object
    and hottest addresses, with libvpx's busy-wait loops (`pause` + compare + jump back) marked."""

    def __init__(self, env, label, pids, seconds):
        self.label, self.env = label, env
        self.path = env.logs / ("perf-%s.data" % label.replace(" ", "-"))
        self.proc = env.procs.start("perf-" + label.replace(" ", "-"),
                                    ["perf", "record", "-q", "-F", "499", "-p", ",".join(str(p) for p in pids),
                                     "-o", str(self.path), "--", "sleep", str(seconds)], env.env)

    def report(self, per_min):
        """per_min: the profiled processes' CPU s/min over the window, to turn shares into s/min."""
        self.proc.wait(30)
        out = subprocess.run(["perf", "report", "-i", str(self.path), "--stdio", "--no-children", "--sort", "dso,sym",
                              "--percent-limit", "0.5"], capture_output=True, text=True).stdout
        by_dso = subprocess.run(["perf", "report", "-i", str(self.path), "--stdio", "--no-children", "--sort", "dso",
                                 "--percent-limit", "2"], capture_output=True, text=True).stdout
        dsos = re.findall(r"^\s+([\d.]+)%\s+(\S+)\s*$", by_dso, re.M)
        lines = ["  perf, %s: by shared object (%% of samples, s/min): %s"
                 % (self.label, ", ".join("%s %s%% %.2f" % (d, p, float(p) * per_min / 100) for p, d in dsos[:8]))]
        spin = 0.0
        hot = []
        for pct, dso, sym in re.findall(r"^\s+([\d.]+)%\s+(\S+)\s+\[.\]\s+(\S+)", out, re.M):
            mark = ""
            if dso.startswith("libvpx") and sym.startswith("0x") and is_spin_loop(dso, int(sym, 16)):
                spin += float(pct)
                mark = " (spin-wait)"
            hot.append("%s%% %s %s%s" % (pct, dso, sym, mark))
        lines.append("  perf, %s: hottest: %s" % (self.label, "; ".join(hot[:8])))
        lines.append("  perf, %s: libvpx busy-waiting (its pause loops among the entries >= 0.5%%): %.1f %% of the"
                     " samples = %.2f s/min; without it %.2f s/min" % (self.label, spin, spin * per_min / 100,
                                                                      (100 - spin) * per_min / 100))
        self.spin_per_min = spin * per_min / 100
        return "\n".join(lines)


def is_spin_loop(dso, address):
    """Whether the instruction before ADDRESS in DSO is `pause` and a jump back follows: libvpx's
    vp8_atomic_spin_wait (VP8 encoder threads waiting for the row above)."""
    path = next((os.path.join(d, dso) for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu")
                 if os.path.exists(os.path.join(d, dso))), None)
    if path is None:
        return False
    text = subprocess.run(["objdump", "-d", "--start-address=%#x" % (address - 2),
                           "--stop-address=%#x" % (address + 12), path], capture_output=True, text=True).stdout
    return "pause" in text and re.search(r"\bj[a-z]+\s+%x\b" % (address - 2), text) is not None


def rate(a, b, key, wall):
    return (b[key] - a[key]) / wall


# ---- 1. sportellod's call ---------------------------------------------------------------------------

def start_contact(env, name="contact"):
    return VideoPeer(env, name=name, pattern="ball", colour=(0, 0, 255), tone=1000, audio_codec="OPUS",
                     width=WIDTH, height=HEIGHT, fps=FPS)


def sportellod_call(env, agent, contact, seconds, perf=False):
    sipp = Sipp(env, "contact-sip", SCENARIO, extra=contact.sipp_args(), timeout=int(seconds) + 120)
    path = agent.dial(sipp.uri)
    contact.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE"))
    t = now()
    agent.call(path, "ActivateVideo")
    t_reply = now()
    contact.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE", with_video=True))
    low, high, _polls, _period = first_frame(agent, path, 0, 0.001)
    cold_first = ms(t_reply, (low + high) / 2) if low else float("nan")
    agent.wait_stat(path, "video-frames-decoded", 30)
    contact.wait(lambda s: s["frames_decoded"] >= 30, 15, "30 frames from sportellod")
    time.sleep(SETTLE)
    m0 = machine_sample()
    before, s0, c0, cp0 = proc_sample(agent.proc.pid), agent.stats(path), contact.stats(), proc_sample(contact.proc.pid)
    profile = Profile(env, "sportellod", [agent.proc.pid], seconds) if perf else None
    time.sleep(seconds)
    after, s1, c1, cp1 = proc_sample(agent.proc.pid), agent.stats(path), contact.stats(), proc_sample(contact.proc.pid)
    m1 = machine_sample()
    f = window_figures(before, after)
    wall = f["wall"]
    result = {
        "cost": f, "contact_cost": window_figures(cp0, cp1),
        "contact_fps": rate(c0, c1, "frames_decoded", wall),
        "encoded_fps": rate(s0, s1, "video-frames-encoded", wall),
        "decoded_fps": rate(s0, s1, "video-frames-decoded", wall),
        "key_frames": s1["video-key-frames-sent"] - s0["video-key-frames-sent"],
        "video_pkts_sent": rate(s0, s1, "video-rtp-packets-sent", wall),
        "video_pkts_recv": rate(s0, s1, "video-rtp-packets-received", wall),
        "audio_pkts_sent": rate(s0, s1, "rtp-packets-sent", wall),
        "audio_pkts_recv": rate(s0, s1, "rtp-packets-received", wall),
        "codecs": (s1.get("audio-codec"), s1.get("video-codec")), "camera": s1.get("camera"),
        "contact_errors": c1["errors"], "contact_frame_size": c1["frame_size"],
        "cold_activate": ms(t, t_reply), "cold_first": cold_first,
        "machine": machine_line(m0, m1, f["per_min"] + window_figures(cp0, cp1)["per_min"]),
        "profile": profile.report(f["per_min"]) if profile else None,
        "spin": profile.spin_per_min if profile else None,
    }
    agent.hang_up(path)
    sipp.wait(15)
    return result


# ---- 3. the floor ----------------------------------------------------------------------------------

def floor_call(env, contact, seconds, threads=2, perf=False):
    vport, aport = ports.even_free_port(), ports.even_free_port()
    vp8enc = VP8ENC.replace("threads=2", "threads=%d" % threads)
    send = ("videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1 ! "
            "%s ! rtpvp8pay pt=96 mtu=1200 ! udpsink host=127.0.0.1 port=%d "
            "audiotestsrc is-live=true freq=440 ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=1 ! "
            "%s ! rtpopuspay pt=111 ! udpsink host=127.0.0.1 port=%d"
            % (WIDTH, HEIGHT, FPS, vp8enc, contact.video_port, OPUSENC, contact.audio_port))
    recv = ("udpsrc address=127.0.0.1 port=%d caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,"
            "payload=96 ! rtpjitterbuffer latency=%d ! rtpvp8depay ! vp8dec ! "
            "fpsdisplaysink name=vsink text-overlay=false video-sink=fakesink sync=false "
            "signal-fps-measurements=false fps-update-interval=100 "
            "udpsrc address=127.0.0.1 port=%d caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,"
            "payload=111 ! rtpjitterbuffer latency=%d ! rtpopusdepay ! opusdec ! audioconvert ! audioresample ! "
            "fakesink sync=false" % (vport, JITTER_MS, aport, JITTER_MS))
    receiver = env.procs.start("floor-recv", ["gst-launch-1.0", "-v"] + recv.split(), env.env)
    sender = env.procs.start("floor-send", ["gst-launch-1.0", "-q"] + send.split(), env.env)
    try:
        contact.set_remote(audio_port=aport, video_port=vport, audio_pt=111, video_pt=96)
        contact.wait(lambda s: s["frames_decoded"] >= 30, 15, "30 frames from the floor")
        conftest.wait_for(lambda: floor_rendered(receiver) >= 30, 15, 0.1, what="30 frames decoded by the floor")
        time.sleep(SETTLE)
        m0 = machine_sample()
        b = [proc_sample(p.pid) for p in (sender, receiver)]
        r0, c0, cp0 = floor_rendered(receiver), contact.stats(), proc_sample(contact.proc.pid)
        label = "floor" if threads == 2 else "floor threads=%d" % threads
        profile = Profile(env, label, [sender.pid, receiver.pid], seconds) if perf else None
        time.sleep(seconds)
        a = [proc_sample(p.pid) for p in (sender, receiver)]
        r1, c1, cp1 = floor_rendered(receiver), contact.stats(), proc_sample(contact.proc.pid)
        m1 = machine_sample()
        parts = [window_figures(x, y) for x, y in zip(b, a)]
        f = combine(parts)
        return {"cost": f, "parts": parts, "contact_fps": rate(c0, c1, "frames_decoded", f["wall"]),
                "decoded_fps": (r1 - r0) / f["wall"], "profile": profile.report(f["per_min"]) if profile else None,
                "spin": profile.spin_per_min if profile else None,
                "machine": machine_line(m0, m1, f["per_min"] + window_figures(cp0, cp1)["per_min"])}
    finally:
        contact.set_remote()  # stop sending to the floor
        time.sleep(0.2)
        env.procs.stop(sender)
        env.procs.stop(receiver)


def memory_floor(env, seconds):
    """One gst-launch-1.0 doing the whole call's media in one process, on loopback (video and
    audio sent with sportellod's settings and received back, decoded, played to fakesink): the
    memory a single process needs for it, to set beside sportellod's peak RSS."""
    vport, aport = ports.even_free_port(), ports.even_free_port()
    vp8enc = VP8ENC.replace("threads=2", "threads=1")
    pipeline = ("videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=%d,height=%d,framerate=%d/1"
                " ! %s ! rtpvp8pay pt=96 mtu=1200 ! udpsink host=127.0.0.1 port=%d sync=false async=false"
                " udpsrc address=127.0.0.1 port=%d caps=application/x-rtp,media=video,clock-rate=90000,"
                "encoding-name=VP8,payload=96 ! rtpjitterbuffer latency=%d ! rtpvp8depay ! vp8dec ! fakesink sync=true"
                " audiotestsrc is-live=true freq=440 ! audio/x-raw,rate=48000,channels=1 ! %s ! rtpopuspay pt=111"
                " ! udpsink host=127.0.0.1 port=%d sync=false async=false"
                " udpsrc address=127.0.0.1 port=%d caps=application/x-rtp,media=audio,clock-rate=48000,"
                "encoding-name=OPUS,payload=111 ! rtpjitterbuffer latency=%d ! rtpopusdepay ! opusdec ! fakesink sync=true"
                % (WIDTH, HEIGHT, FPS, vp8enc, vport, vport, JITTER_MS, OPUSENC, aport, aport, JITTER_MS))
    proc = env.procs.start("memory-floor", ["gst-launch-1.0", "-q"] + pipeline.split(), env.env)
    try:
        time.sleep(SETTLE)
        before = proc_sample(proc.pid)
        time.sleep(seconds)
        return window_figures(before, proc_sample(proc.pid))
    finally:
        env.procs.stop(proc)


def floor_rendered(proc):
    """fpsdisplaysink's rendered-frame count, from its last-message in gst-launch -v's output."""
    text = proc.log_path.read_text(errors="replace")
    found = re.findall(r"rendered: (\d+)", text[-4000:])
    return int(found[-1]) if found else 0


# ---- 2. baresip calls baresip -----------------------------------------------------------------------

def baresip_frames(phone, token):
    data = phone.command("video_debug", token=token).get("data", "")
    tx = re.search(r"source: .*frames=(\d+)", data)
    rx = re.search(r"vidisp: .*frames=(\d+)", data)
    return {"tx": int(tx.group(1)) if tx else 0, "rx": int(rx.group(1)) if rx else 0}


def baresip_call(env, seconds):
    caller = Baresip(env, name="b2b-caller", video=True)
    callee = Baresip(env, name="b2b-callee", video=True)
    try:
        caller.command("dial", callee.uri)
        caller.wait_event("CALL_ESTABLISHED")
        callee.wait_event("CALL_ESTABLISHED")
        conftest.wait_for(lambda: baresip_frames(callee, "w")["rx"] >= 30, 15, 0.1, what="baresip frames")
        time.sleep(SETTLE)
        m0 = machine_sample()
        before, f0, cb0 = proc_sample(callee.proc.pid), baresip_frames(callee, "a"), proc_sample(caller.proc.pid)
        time.sleep(seconds)
        after, f1, cb1 = proc_sample(callee.proc.pid), baresip_frames(callee, "b"), proc_sample(caller.proc.pid)
        m1 = machine_sample()
        f = window_figures(before, after)
        caller.command("hangup", token="h")
        caller_cost = window_figures(cb0, cb1)
        return {"cost": f, "caller_cost": caller_cost, "rx_fps": (f1["rx"] - f0["rx"]) / f["wall"],
                "tx_fps": (f1["tx"] - f0["tx"]) / f["wall"],
                "machine": machine_line(m0, m1, f["per_min"] + caller_cost["per_min"])}
    finally:
        for phone in (caller, callee):
            phone.close()
            env.procs.stop(phone.proc)


# ---- 5. the same call in clear and encrypted ---------------------------------------------------------

CRYPTO_DSOS = ("libsrtp2", "libgstsrtp", "libsoftokn3", "libfreeblpriv3", "libnss3", "libnssutil3", "libnspr4")


def crypto_share(profile):
    """The share (%) of PROFILE's samples in SRTP's code: GStreamer's srtp elements, libsrtp2 and
    the NSS libraries Debian builds libsrtp2 on (its AES and HMAC-SHA1)."""
    profile.proc.wait(30)
    by_dso = subprocess.run(["perf", "report", "-i", str(profile.path), "--stdio", "--no-children", "--sort", "dso",
                             "-g", "none", "--percent-limit", "0"], capture_output=True, text=True).stdout
    return sum(float(pct) for pct, dso in re.findall(r"^\s+([\d.]+)%\s+(\S+)\s*$", by_dso, re.M)
               if dso.startswith(CRYPTO_DSOS))


def encryption_call(env, camera, seconds, srtp, index, perf=False):
    """A fresh sportellod (camera: a moving ball) dials a baresip with video (its still bars), both
    in plain RTP or both requiring SRTP; sportellod's CPU over a window of steady two-way video
    (and with PERF, the share of its samples in SRTP's code)."""
    label = "%s-%d" % ("srtp" if srtp else "plain", index)
    agent = Agent(env, camera, name="sportellod-" + label, srtp=srtp)
    phone = Baresip(env, name="phone-" + label, video=True, mediaenc="srtp-mand" if srtp else None)
    try:
        path = agent.dial(phone.uri)
        agent.call(path, "ActivateVideo")
        agent.wait_stat(path, "video-frames-decoded", 30)
        conftest.wait_for(lambda: baresip_frames(phone, "w")["rx"] >= 30, 15, 0.1, what="baresip frames")
        encrypted = agent.prop(path, "Encrypted")
        time.sleep(SETTLE)
        m0 = machine_sample()
        before, s0 = proc_sample(agent.proc.pid), agent.stats(path)
        profile = Profile(env, "sportellod " + label, [agent.proc.pid], seconds) if perf else None
        time.sleep(seconds)
        after, s1 = proc_sample(agent.proc.pid), agent.stats(path)
        m1 = machine_sample()
        f = window_figures(before, after)
        agent.hang_up(path)
        return {"cost": f, "encrypted": encrypted, "machine": machine_line(m0, m1, f["per_min"]),
                "crypto": crypto_share(profile) if profile else None,
                "encoded_fps": rate(s0, s1, "video-frames-encoded", f["wall"]),
                "decoded_fps": rate(s0, s1, "video-frames-decoded", f["wall"]),
                "codecs": (s1.get("audio-codec"), s1.get("video-codec"))}
    finally:
        phone.close()
        env.procs.stop(phone.proc)
        agent.stop()


def encryption_series(env, camera, seconds, rounds=2, perf=False):
    """Plain and SRTP calls alternated ROUNDS times, so that a drift of the machine's load falls
    on both; prints each, the mean increase, and (PERF) what SRTP's own code took."""
    totals = {False: [], True: []}
    crypto = []
    for index in range(rounds):
        for srtp in (False, True):
            r = encryption_call(env, camera, seconds, srtp, index, perf)
            totals[srtp].append(r["cost"]["per_min_ns"])
            if srtp and r["crypto"] is not None:  # both windows are profiled: perf costs each the same
                crypto.append(r["crypto"] * r["cost"]["per_min_ns"] / 100)
            print("round %d, %s (Encrypted=%s; audio %s, video %s; encoded %.1f fps, decoded %.1f fps):"
                  % (index + 1, "SRTP" if srtp else "plain RTP", r["encrypted"], r["codecs"][0], r["codecs"][1],
                     r["encoded_fps"], r["decoded_fps"]))
            print(cost_line("sportellod", r["cost"]))
            print(r["machine"])
    plain, encrypted = (sum(totals[k]) / len(totals[k]) for k in (False, True))
    increase = 100 * (encrypted - plain) / plain
    print("  sportellod CPU (schedstat), mean of %d rounds: plain %.2f s/min (runs %s), SRTP %.2f s/min (runs %s):"
          " %+.1f %%  (goal <= 5 %%: %s)"
          % (rounds, plain, " ".join("%.2f" % v for v in totals[False]), encrypted,
             " ".join("%.2f" % v for v in totals[True]), increase, "met" if increase <= 5 else "MISSED"))
    if crypto:
        mean = sum(crypto) / len(crypto)
        print("  SRTP's own code (perf, 499 Hz: gst srtp elements, libsrtp2 and the NSS libraries it uses):"
              " %.2f s/min = %.1f %% of the plain call's CPU" % (mean, 100 * mean / plain))
    return {"plain": plain, "srtp": encrypted, "increase": increase, "crypto": crypto}


# ---- 4. ActivateVideo -> first decoded frame ---------------------------------------------------------

# Classic BPF (linux/filter.h) for a packet socket on lo (an Ethernet-framed device): IPv4 UDP,
# delivered (PACKET_HOST, not the outgoing copy), not a later fragment, whose destination port is
# one of two or inside a range (sportellod's RTP ports). Without it every packet on the shared
# loopback would wake this process.
def udp_filter(port_a, port_b, low, high):
    """The program as a struct sock_fprog, and the buffer it points to (keep both alive)."""
    program = [
        (0x30, 0, 0, 0xFFFFF004),       # ldb [SKF_AD_OFF + SKF_AD_PKTTYPE]
        (0x15, 0, "drop", 0),           # jeq PACKET_HOST
        (0x28, 0, 0, 12),               # ldh [12]: ethertype
        (0x15, 0, "drop", 0x0800),      # jeq IPv4
        (0x30, 0, 0, 23),               # ldb [23]: protocol
        (0x15, 0, "drop", 17),          # jeq UDP
        (0x28, 0, 0, 20),               # ldh [20]: flags and fragment offset
        (0x45, "drop", 0, 0x1FFF),      # jset: a later fragment
        (0xB1, 0, 0, 14),               # ldxb 4*([14]&0xf): IP header length
        (0x48, 0, 0, 16),               # ldh [x + 16]: UDP destination port
        (0x15, "accept", 0, port_a),    # jeq port_a
        (0x15, "accept", 0, port_b),    # jeq port_b
        (0x35, 0, "drop", low),         # jge low
        (0x25, "drop", "accept", high),  # jgt high
        (0x06, 0, 0, 0),                # drop: ret 0
        (0x06, 0, 0, 0x40000),          # accept: ret 256 KiB
    ]
    labels = {"drop": len(program) - 2, "accept": len(program) - 1}
    code = b""
    for i, (op, jt, jf, k) in enumerate(program):
        jt, jf = (labels[j] - i - 1 if isinstance(j, str) else j for j in (jt, jf))
        code += struct.pack("HBBI", op, jt, jf, k)
    buf = ctypes.create_string_buffer(code, len(code))
    return struct.pack("HL", len(program), ctypes.addressof(buf)), buf


class Sniffer(threading.Thread):
    """Reads lo with a packet socket (root only): SIP between sportellod and the contact, and RTP
    to sportellod's port range, each stamped with the kernel's receive time (SO_TIMESTAMPNS,
    CLOCK_REALTIME, turned into time.monotonic()). Calls on_invite(sdp_text) for each INVITE
    sportellod sends with SDP, from this thread."""

    SO_TIMESTAMPNS = 35
    SO_ATTACH_FILTER = 26

    def __init__(self, sd_sip_port, peer_sip_port, rtp_range, on_invite):
        super().__init__(name="sniffer", daemon=True)
        self.sd_sip_port, self.peer_sip_port = sd_sip_port, peer_sip_port
        self.on_invite = on_invite
        self.lock = threading.Condition()
        self.events = []  # (t, kind, info)
        self.video_port = None
        self.running = True
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
        fprog, self._keep = udp_filter(sd_sip_port, peer_sip_port, rtp_range[0], rtp_range[1])
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_ATTACH_FILTER, fprog)
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_TIMESTAMPNS, 1)
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.offset = clock_offset()

    def mark(self):
        with self.lock:
            return len(self.events)

    def wait(self, kind, start, timeout=10):
        deadline = now() + timeout
        with self.lock:
            while True:
                for event in self.events[start:]:
                    if event[1] == kind:
                        return event
                left = deadline - now()
                if left <= 0:
                    return None
                self.lock.wait(left)

    def add(self, t, kind, info=None):
        with self.lock:
            self.events.append((t, kind, info))
            self.lock.notify_all()

    def stop(self):
        self.running = False
        self.join(2)
        self.sock.close()

    def run(self):
        while self.running:
            try:
                data, ancillary, _flags, _addr = self.sock.recvmsg(65536, 64)
            except socket.timeout:
                continue
            except OSError:
                return
            t = None
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == self.SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
                    t = sec + nsec * 1e-9 - self.offset
            if t is None:
                t = now()
            if len(data) < 42:
                continue
            ihl = (data[14] & 15) * 4
            sport, dport = struct.unpack("!HH", data[14 + ihl:14 + ihl + 4])
            payload = data[14 + ihl + 8:]
            if sport == self.sd_sip_port and dport == self.peer_sip_port:
                self.sip_from_agent(t, payload)
            elif sport == self.peer_sip_port and dport == self.sd_sip_port:
                self.sip_to_agent(t, payload)
            elif dport == self.video_port and len(payload) >= 12 and not 192 <= payload[1] <= 223:  # RTP, not RTCP
                self.add(t, "video-rtp", vp8_keyframe_start(payload))

    def sip_from_agent(self, t, payload):
        text = payload.decode("utf-8", "replace")
        if not text.startswith("INVITE "):
            return
        _head, _sep, body = text.partition("\r\n\r\n")
        if "m=" not in body:
            return
        sdp = Sdp(body)
        video = sdp.get("video")
        if video is not None and video.port:
            self.video_port = video.port
        self.add(t, "invite", video.direction if video is not None else None)
        self.on_invite(body)

    def sip_to_agent(self, t, payload):
        text = payload.decode("utf-8", "replace")
        if text.startswith("SIP/2.0 200") and re.search(r"^CSeq:\s*\d+\s+INVITE", text, re.M | re.I):
            self.add(t, "200")


def clock_offset():
    """CLOCK_REALTIME - CLOCK_MONOTONIC, from the closest of a few samples."""
    best = None
    for _ in range(20):
        a = time.monotonic()
        r = time.time()
        b = time.monotonic()
        if best is None or b - a < best[0]:
            best = (b - a, r - (a + b) / 2)
    return best[1]


def vp8_keyframe_start(rtp):
    """For an RTP packet carrying VP8 (RFC 7741): True if it starts a key frame, False if it starts
    another frame, None if it does not start a frame."""
    cc = rtp[0] & 0x0F
    offset = 12 + 4 * cc
    if rtp[0] & 0x10 and len(rtp) >= offset + 4:  # header extension
        offset += 4 + 4 * struct.unpack("!H", rtp[offset + 2:offset + 4])[0]
    if len(rtp) <= offset:
        return None
    desc = rtp[offset]
    start, pid = bool(desc & 0x10), desc & 0x07
    offset += 1
    if desc & 0x80:  # X
        ext = rtp[offset]
        offset += 1
        if ext & 0x80:  # I: picture id, 7 or 15 bits
            offset += 2 if rtp[offset] & 0x80 else 1
        if ext & 0x40:  # L
            offset += 1
        if ext & 0x30:  # T or K
            offset += 1
    if not start or pid != 0 or len(rtp) <= offset:
        return None
    return (rtp[offset] & 0x01) == 0


class Follower:
    """The contact's phone: points its media at each offer sportellod sends, as soon as the sniffer
    sees it, sending each medium the offer lets it send and (re)starting video with a key frame."""

    def __init__(self, contact):
        self.contact = contact
        self.lock = threading.Lock()
        self.errors = []

    def __call__(self, sdp_text):
        with self.lock:
            try:
                self.contact.set_remote_from_sdp(sdp_text, follow_direction=True, keyframe=True)
            except Exception as error:  # reported at the end
                self.errors.append(str(error))


def first_frame(agent, path, baseline, interval, timeout=5.0):
    """Polls video-frames-decoded; returns (t_low, t_high, polls, mean poll period): the first new
    frame was counted after t_low (request of the last poll that saw none) and before t_high (reply
    of the first that saw one)."""
    t_low = now()
    start = t_low
    polls = 0
    while True:
        t_req = now()
        value = agent.stats(path)["video-frames-decoded"]
        t_rep = now()
        polls += 1
        if value > baseline:
            return t_low, t_rep, polls, (t_rep - start) / polls
        if t_rep - start > timeout:
            return None, None, polls, (t_rep - start) / polls
        t_low = t_req
        time.sleep(interval)


def activation(agent, path, sniffer, interval, method="ActivateVideo"):
    """One ActivateVideo (the video line added or set back to sendrecv): the times of what follows."""
    base = agent.stats(path)["video-frames-decoded"]
    mark = sniffer.mark() if sniffer else 0
    t_call = now()
    agent.call(path, method)
    t_reply = now()
    low, high, polls, period = first_frame(agent, path, base, interval)
    row = {"call": ms(t_call, t_reply), "polls": polls, "period": period * 1000}
    if low is None:
        row["lost"] = True
        return row
    t_frame = (low + high) / 2
    row.update(frame_call=ms(t_call, t_frame), half_width=ms(low, high) / 2, before_reply=low < t_reply)
    if sniffer:
        invite = sniffer.wait("invite", mark, 2)
        ok = sniffer.wait("200", mark, 2)
        rtp = sniffer.wait("video-rtp", mark, 2)
        if invite and ok:
            row.update(invite=ms(t_call, invite[0]), ok=ms(t_call, ok[0]), reply_after_ok=ms(ok[0], t_reply),
                       frame=ms(ok[0], t_frame))
            if rtp:
                row.update(rtp=ms(ok[0], rtp[0]), rtp_to_frame=ms(rtp[0], t_frame), rtp_key=rtp[2])
    return row


def activation_series(env, agent, contact, count, interval, fresh):
    """count activations, each on a fresh call (fresh=True), or by DeactivateVideo/ActivateVideo on
    one call. Returns the rows and any problem."""
    sipp = Sipp(env, "contact-sip-%s" % ("fresh" if fresh else "resume"), SCENARIO, extra=contact.sipp_args(),
                calls=count if fresh else 1, timeout=600)
    follower = Follower(contact)
    sniffer = None
    note = None
    try:
        sniffer = Sniffer(agent.sip_port, sipp.port, agent.rtp_range, follower)
        sniffer.start()
    except PermissionError as error:
        note = "no packet socket (%s): times from the ActivateVideo call only; the contact follows sipp's log" % error
    rows = []
    try:
        if fresh:
            for _ in range(count):
                path = agent.dial(sipp.uri)
                if not sniffer:
                    contact.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE"), follow_direction=True)
                rows.append(measure(agent, path, sniffer, sipp, contact, interval))
                time.sleep(0.15)
                agent.hang_up(path)
                time.sleep(0.05)
        else:
            path = agent.dial(sipp.uri)
            if not sniffer:
                contact.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE"), follow_direction=True)
            measure(agent, path, sniffer, sipp, contact, interval)  # the call's first activation: not counted
            for _ in range(count):
                time.sleep(0.2)
                agent.call(path, "DeactivateVideo")
                if not sniffer:
                    contact.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE", with_video=True),
                                                follow_direction=True)
                time.sleep(0.3)  # the contact has stopped its video (a=inactive) well before this
                rows.append(measure(agent, path, sniffer, sipp, contact, interval))
            time.sleep(0.2)
            agent.hang_up(path)
        sipp.wait(15)
    finally:
        if sniffer:
            sniffer.stop()
        env.procs.stop(sipp.proc)
    if follower.errors:
        note = (note + "; " if note else "") + "contact errors: %s" % follower.errors[:3]
    return rows, note


def measure(agent, path, sniffer, sipp, contact, interval):
    if sniffer:
        return activation(agent, path, sniffer, interval)
    return activation_no_sniffer(agent, path, sipp, contact, interval)


def activation_no_sniffer(agent, path, sipp, contact, interval):
    """Without a packet socket: the contact follows the offer once ActivateVideo has returned (as the
    integration tests do), and times are from the ActivateVideo call."""
    base = agent.stats(path)["video-frames-decoded"]
    t_call = now()
    agent.call(path, "ActivateVideo")
    t_reply = now()
    contact.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE", with_video=True),
                                follow_direction=True)
    low, high, polls, period = first_frame(agent, path, base, interval)
    row = {"call": ms(t_call, t_reply), "polls": polls, "period": period * 1000}
    if low is None:
        row["lost"] = True
    else:
        row.update(frame_call=ms(t_call, (low + high) / 2), half_width=ms(low, high) / 2)
    return row


# ---- output ---------------------------------------------------------------------------------------

def series(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return "no data"
    return "median %7.2f  p99 %7.2f  min %7.2f  max %7.2f  (n=%d)" % (
        benchlib.percentile(values, 50), benchlib.percentile(values, 99), values[0], values[-1], len(values))


def print_activations(title, rows, note):
    print("\n%s" % title)
    if note:
        print("  note: %s" % note)
    col = lambda key: [r[key] for r in rows if key in r]  # noqa: E731
    lost = sum(1 for r in rows if r.get("lost"))
    print("  ActivateVideo D-Bus call (request -> reply)      %s" % series(col("call")))
    if col("ok"):
        print("    of which: call -> re-INVITE on the wire      %s" % series(col("invite")))
        print("              call -> contact's 200 OK           %s" % series(col("ok")))
        print("              200 OK -> ActivateVideo reply      %s" % series(col("reply_after_ok")))
        print("  200 OK -> first decoded remote frame            %s   (goal <= 100 ms)" % series(col("frame")))
        print("    of which: 200 OK -> contact's first video RTP at sportellod  %s" % series(col("rtp")))
        print("              first video RTP -> first decoded frame            %s" % series(col("rtp_to_frame")))
        keys = col("rtp_key")
        print("              first video RTP packet started a key frame: %d of %d"
              % (sum(1 for k in keys if k), len(keys)))
    print("  ActivateVideo call -> first decoded remote frame %s" % series(col("frame_call")))
    print("  polling: GetMediaStatistics every %.2f ms on average (median), uncertainty +-%.2f ms (median half-width);"
          " first frame before the ActivateVideo reply: %d; no frame within 5 s: %d"
          % (benchlib.percentile(sorted(col("period")), 50), benchlib.percentile(sorted(col("half_width")) or [0], 50),
             sum(1 for r in rows if r.get("before_reply")), lost))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 60)),
                        help="length of each steady-state window (default 60)")
    parser.add_argument("--activations", type=int, default=int(os.environ.get("BENCH_ACTIVATIONS", 30)),
                        help="ActivateVideo timings of each kind (default 30)")
    parser.add_argument("--camera", choices=("test", "pipewire"), default="test",
                        help="sportellod's camera: test (videotestsrc ball inside sportellod) or a PipeWire virtual"
                             " camera publishing a ball")
    parser.add_argument("--poll-ms", type=float, default=0.5,
                        help="sleep between GetMediaStatistics polls (default 0.5 ms; a poll itself takes about 1 ms)")
    parser.add_argument("--only", default="call,floor,floor1,memfloor,baresip,activate",
                        help="comma-separated parts to run: call, floor, floor1 (the floor with vp8enc threads=1), memfloor"
                             " (the call's media in one gst-launch-1.0: its memory),"
                             " baresip, activate, srtp (not in the default: sportellod calling a baresip in plain RTP"
                             " and with SRTP, alternated twice)")
    parser.add_argument("--no-perf", dest="perf", action="store_false",
                        help="do not profile sportellod and the floors with perf record (499 Hz) during their windows;"
                             " profiling is on by default when perf is installed and we are root")
    parser.add_argument("--rounds", type=int, default=2,
                        help="srtp: how many times the plain and the SRTP call alternate (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary dirs (logs)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    if args.perf and (os.geteuid() != 0 or not shutil.which("perf")):
        args.perf = False

    print("machine: %s" % benchlib.machine())
    sportellod = conftest.SPORTELLOD
    build = Path(sportellod).resolve().parent.parent
    buildtype = "?"
    try:
        options = json.loads((build / "meson-info" / "intro-buildoptions.json").read_text())
        buildtype = next(o["value"] for o in options if o["name"] == "buildtype")
    except (OSError, ValueError, StopIteration):
        pass
    print("sportellod: %s (%s build)" % (sportellod, buildtype))
    print("baresip: %s" % (os.popen("baresip -h 2>&1 | head -1").read().strip() or "?"))
    print("GStreamer: %s" % (os.popen("gst-launch-1.0 --version 2>&1 | sed -n 2p").read().strip() or "?"))
    print("load average at start: %s" % benchlib.loadavg())
    env = Env()
    results = {}
    try:
        env.start_bus()
        t = now()
        subprocess.run(["gst-inspect-1.0", "vp8enc"], env=env.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        print("GStreamer registry built in a fresh cache dir: %.2f s (not counted)" % (now() - t))
        if args.keep:
            print("logs in %s and %s" % (env.root, env.logs))
        camera = "test"
        if args.camera == "pipewire":
            pw = conftest.PipeWire(env)
            pw.start()
            pw.start_camera(pattern="ball")
            camera = "pipewire"
        agent = Agent(env, camera)
        if args.camera == "pipewire":
            conftest.wait_for(lambda: env.get_property(AGENT, "CameraAvailable"), 15, what="CameraAvailable")
        contact = start_contact(env)
        print("sportellod's camera: %s; contact: videopeer.py, videotestsrc ball 640x480@30 VP8 (800 kbit/s) + Opus,"
              " signalled by sipp %s" % ({"test": "camera = test (videotestsrc pattern=ball in sportellod)",
                                          "pipewire": "camera = pipewire (PipeWire virtual camera, videotestsrc"
                                                      " pattern=ball YUY2 640x480@30)"}[args.camera],
                                         os.path.relpath(SCENARIO, benchlib.REPO)))
        if "call" in parts:
            print("\n== 1. sportellod in a two-way video call, %g s window ==" % args.seconds)
            r = sportellod_call(env, agent, contact, args.seconds, args.perf)
            results["call"] = r
            print("codecs: audio %s, video %s; camera %s; contact decodes %s frames" % (
                r["codecs"][0], r["codecs"][1], r["camera"], "x".join(map(str, r["contact_frame_size"] or []))))
            print("first activation of the process (GStreamer's video plugins load then): ActivateVideo call %.1f ms;"
                  " first decoded frame %.0f ms after its reply (this contact starts its video only after the reply,"
                  " as in the integration tests)" % (r["cold_activate"], r["cold_first"]))
            print(cost_line("sportellod", r["cost"]))
            print(cost_line("(contact videopeer)", r["contact_cost"]))
            print(r["machine"])
            print("  frames: contact decoded %.2f/s; sportellod encoded %.2f/s, decoded %.2f/s; %d key frames sent in"
                  " %.0f s" % (r["contact_fps"], r["encoded_fps"], r["decoded_fps"], r["key_frames"],
                               r["cost"]["wall"]))
            print("  RTP packets/s: video sent %.1f, received %.1f; audio sent %.1f, received %.1f"
                  % (r["video_pkts_sent"], r["video_pkts_recv"], r["audio_pkts_sent"], r["audio_pkts_recv"]))
            if r["contact_errors"]:
                print("  contact errors: %s" % r["contact_errors"][:3])
            if r["profile"]:
                print(r["profile"])
        for part, threads in (("floor", 2), ("floor1", 1)):
            if part not in parts:
                continue
            label = "the floor" if threads == 2 else "the floor with vp8enc threads=1 (sportellod's settings otherwise)"
            print("\n== 3. %s: gst-launch-1.0 send + receive against the same contact, %g s window =="
                  % (label, args.seconds))
            r = floor_call(env, contact, args.seconds, threads, args.perf)
            results[part] = r
            if threads == 2:
                print("  send:    videotestsrc ball I420 640x480@30 ! %s ! rtpvp8pay mtu=1200 ! udpsink;"
                      " audiotestsrc ! audioconvert ! audioresample ! %s ! rtpopuspay ! udpsink" % (VP8ENC, OPUSENC))
                print("  receive: udpsrc ! rtpjitterbuffer latency=%d ! rtpvp8depay ! vp8dec ! fakesink"
                      " (fpsdisplaysink);"
                      " udpsrc ! rtpjitterbuffer ! rtpopusdepay ! opusdec ! audioconvert ! audioresample ! fakesink"
                      % JITTER_MS)
            print(cost_line("floor (send+receive)", r["cost"]))
            print(cost_line("  floor send", r["parts"][0]))
            print(cost_line("  floor receive", r["parts"][1]))
            print("  frames: contact decoded %.2f/s; the floor decoded %.2f/s" % (r["contact_fps"], r["decoded_fps"]))
            print(r["machine"])
            if r["profile"]:
                print(r["profile"])
        if "memfloor" in parts:
            print("\n== 3b. the memory floor: one gst-launch-1.0 doing the call's media (VP8 640x480@30 and Opus,"
                  " sent and received back on loopback), %g s window ==" % min(args.seconds, 10))
            results["memfloor"] = memory_floor(env, min(args.seconds, 10))
            print(cost_line("memory floor (1 process)", results["memfloor"]))
        if "baresip" in parts:
            print("\n== 2. baresip calls baresip (vp8, fakevideo: a still picture), %g s window ==" % args.seconds)
            r = baresip_call(env, args.seconds)
            results["baresip"] = r
            print(cost_line("baresip (callee)", r["cost"]))
            print(cost_line("baresip (caller)", r["caller_cost"]))
            print("  frames (callee's video_debug): decoded/displayed %.2f/s, sent %.2f/s" % (r["rx_fps"], r["tx_fps"]))
            print(r["machine"])
        if "activate" in parts:
            print("\n== 4. ActivateVideo -> first decoded remote frame at sportellod (ms) ==")
            rows, note = activation_series(env, agent, contact, args.activations, args.poll_ms / 1000, fresh=True)
            results["fresh"] = rows
            print_activations("on %d fresh calls (the first activation of each call builds its video session)"
                              % len(rows), rows, note)
            rows, note = activation_series(env, agent, contact, args.activations, args.poll_ms / 1000, fresh=False)
            results["resume"] = rows
            print_activations("on one call, DeactivateVideo then ActivateVideo, %d times (resume)" % len(rows), rows,
                              note)
        contact.stop()
        rc = agent.stop()
        if "srtp" in parts:
            print("\n== 5. encryption: a fresh sportellod (one at a time on the bus) dials a baresip with video, plain RTP vs SRTP (SDES,"
                  " media-encryption = required), %g s windows ==" % args.seconds)
            results["srtp"] = encryption_series(env, camera, args.seconds, args.rounds, args.perf)
        print("\nsportellod exit status: %s" % rc)
        print_summary(results, args)
    except Exception as error:
        if "org.sportello.Error.Unavailable" in str(error):
            raise SystemExit("%s has no video (%s): build the current tree and point SPORTELLOD at it"
                             % (sportellod, error)) from None
        raise
    finally:
        env.cleanup(keep=args.keep)
    print("\nload average at end: %s" % benchlib.loadavg())


def verdict(p50, p99, goal=100):
    if p99 <= goal:
        return "met"
    return "median met, p99 MISSED" if p50 <= goal else "MISSED"


def print_summary(results, args):
    print("\n== summary ==")
    print("  %-34s %10s %10s %14s %14s" % ("", "CPU s/min", "peak RSS", "fps delivered", "fps decoded"))
    call, floor, floor1, bb = (results.get(k) for k in ("call", "floor", "floor1", "baresip"))
    rows = [("sportellod (agent)", call, "contact_fps", "decoded_fps"),
            ("gst-launch floor (2 processes)", floor, "contact_fps", "decoded_fps"),
            ("floor, vp8enc threads=1", floor1, "contact_fps", "decoded_fps"),
            ("baresip callee (still picture)", bb, "tx_fps", "rx_fps")]
    for label, r, delivered, decoded in rows:
        if r:
            print("  %-34s %10.2f %8.1f M %14.2f %14.2f" % (label, r["cost"]["per_min"], r["cost"]["hwm"], r[delivered],
                                                           r[decoded]))
    print("  (fps delivered: frames the far end decoded per second, for baresip the frames it sent; fps decoded:"
          " frames this side decoded per second)")
    floors = [(r["cost"]["per_min"], label) for r, label in ((floor, "vp8enc threads=2"), (floor1, "vp8enc threads=1"))
              if r]
    if call and floors:
        # The headline is against the cheapest floor of this run, never one that spin-waits.
        best, label = min(floors)
        ratio = call["cost"]["per_min"] / best
        other = re.search(r"([\d.]+) everything else", call.get("machine", ""))
        print("  sportellod / the cheapest floor (%s, %.2f s/min): %.2f  (goal <= 1.05: %s; other load on the"
              " machine during sportellod's window: %s CPU-s/min, perf's sampling included)"
              % (label, best, ratio, "met" if ratio <= 1.05 else "MISSED", other.group(1) if other else "?"))
        for value, other in floors:
            if other != label:
                print("  sportellod / floor with %s: %.2f" % (other, call["cost"]["per_min"] / value))
        if call.get("spin") is not None and floor.get("spin") is not None:
            print("  libvpx busy-waiting (perf): sportellod %.2f s/min, floor %.2f s/min; without it sportellod %.2f,"
                  " floor %.2f s/min: ratio %.2f" % (
                      call["spin"], floor["spin"], call["cost"]["per_min"] - call["spin"],
                      floor["cost"]["per_min"] - floor["spin"],
                      (call["cost"]["per_min"] - call["spin"]) / (floor["cost"]["per_min"] - floor["spin"])))
    memfloor = results.get("memfloor")
    if call and memfloor:
        print("  peak RSS: sportellod %.1f MiB, GStreamer alone doing the call's media in one process %.1f MiB"
              " (anon %.1f, file %.1f)  (goal <= 32 MiB: %s)"
              % (call["cost"]["hwm"], memfloor["hwm"], memfloor["anon"], memfloor["file"],
                 "met" if call["cost"]["hwm"] <= 32 else "MISSED"))
    if call:
        low = min(call["contact_fps"], call["encoded_fps"], call["decoded_fps"])
        short = 100.0 * (30.0 - low) / 30.0
        print("  sportellod frame rate: %.2f fps at the lowest of delivered / encoded / decoded  (goal full 30: %s)"
              % (low, "met" if short <= 0.5 else "MISSED, %.1f %% of the frames missing" % short))
    for key, title in (("fresh", "fresh call"), ("resume", "resume")):
        rows = results.get(key)
        if rows:
            frames = sorted(r["frame"] for r in rows if "frame" in r)
            calls = sorted(r["call"] for r in rows)
            if frames:
                p50, p99 = benchlib.percentile(frames, 50), benchlib.percentile(frames, 99)
                print("  200 OK -> first remote frame, %-11s median %6.1f ms, p99 %6.1f ms  (goal <= 100 ms: %s);"
                      " ActivateVideo call median %.1f ms, p99 %.1f ms"
                      % (title, p50, p99, verdict(p50, p99), benchlib.percentile(calls, 50),
                         benchlib.percentile(calls, 99)))
            else:
                whole = sorted(r["frame_call"] for r in rows if "frame_call" in r)
                if whole:
                    print("  ActivateVideo call -> first remote frame, %-11s median %6.1f ms, p99 %6.1f ms (no 200 OK"
                          " time without a packet socket); ActivateVideo call median %.1f ms, p99 %.1f ms"
                          % (title, benchlib.percentile(whole, 50), benchlib.percentile(whole, 99),
                             benchlib.percentile(calls, 50), benchlib.percentile(calls, 99)))


if __name__ == "__main__":
    main()
