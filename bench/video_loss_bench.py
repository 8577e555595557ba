#!/usr/bin/python3
"""Video under packet loss on loopback: how long the picture stays frozen after a burst of loss,
and how much of it is lost under 5 % random loss, for sportellod with RTX (RFC 4588), sportellod
with key-frame requests only, and, in the same run, the best reference: a bare GStreamer pair
(two tests/integration/videopeer.py processes: rtpbin, vp8enc/vp8dec, rtprtxsend/rtprtxreceive
when RTX is on) through the same relay. Prints figures; asserts nothing. About 4 minutes.

  SPORTELLOD=build/service/sportellod /usr/bin/python3 bench/video_loss_bench.py
      [--bursts 10] [--burst-ms 200] [--random-seconds 20] [--loss 0.05] [--keep]
      [--only sportellod-rtx,gst-rtx,sportellod-kf,gst-kf]

The loss comes from tests/integration/lossyrelay.py (this machine has no netem): every datagram
of the video stream, RTP and RTCP, goes through it. A burst drops everything in one direction
for --burst-ms; random loss drops each datagram both ways with --loss probability (seeded).

Both ends decode "strictly", as a careful phone does: after a loss that is not repaired the
depayloader waits for a key frame and asks for one (PLI). The frozen time of a burst is the gap
between the last picture decoded before it and the first one after it; at 30 fps nothing can
do better than burst + 33 ms. Receivers: the contact (a videopeer) for what sportellod sends,
sportellod itself (GetMediaStatistics polled every 5 ms) for what the contact sends.

baresip is not measured: it has no moving video source here, and its received pictures can only
be sampled one snapshot at a time, not timed.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
import benchlib  # noqa: E402

os.environ.setdefault("SPORTELLOD", benchlib.find_sportellod())

import conftest  # noqa: E402
from lossyrelay import LossyRelay  # noqa: E402
from peers import Sipp  # noqa: E402
from video_bench import Agent, Env, machine_sample  # noqa: E402
from videopeer import VideoPeer, last_sdp  # noqa: E402

SCENARIOS = HERE.parent / "tests" / "integration" / "sipp"
RTX_PT = 98
FPS = 30
FRAME = 1.0 / FPS


def machine_busy(m0, m1):
    """How busy the whole machine was (all processes, this bench's included): loaded machines
    freeze pictures for other reasons too."""
    busy = 60.0 * (m1["busy"] - m0["busy"]) / (m1["t"] - m0["t"])
    return "%.1f CPU-s/min busy of %d available, load average %s -> %s" % (
        busy, 60 * len(os.sched_getaffinity(0)), m0["load"], m1["load"])


def gaps(times):
    return [b - a for a, b in zip(times, times[1:])]


def frozen_across(times, start):
    """The gap between the last frame before `start` and the first after it, in ms."""
    before = [t for t in times if t < start]
    after = [t for t in times if t >= start]
    if not before or not after:
        return float("nan")
    return (after[0] - before[-1]) * 1000


def random_figures(times, seconds):
    """Total frozen time (every gap beyond 2 frames counts past its first frame), the longest
    gap, and the share of the frames a 30 fps stream would have had."""
    g = gaps(times)
    frozen = sum(x - FRAME for x in g if x > 2 * FRAME)
    return {"frozen_ms": frozen * 1000, "longest_ms": max(g) * 1000 if g else float("nan"),
            "decoded_pct": 100.0 * len(times) / (seconds * FPS)}


class Poller(threading.Thread):
    """Polls sportellod's video-frames-decoded; records when each new frame was seen."""

    def __init__(self, agent, path, interval=0.005):
        super().__init__(daemon=True)
        self.agent, self.path, self.interval = agent, path, interval
        self.times = []
        self.running = True

    def run(self):
        last = self.agent.stats(self.path)["video-frames-decoded"]
        while self.running:
            frames = self.agent.stats(self.path)["video-frames-decoded"]
            if frames > last:
                self.times.extend([time.monotonic()] * (frames - last))
                last = frames
            time.sleep(self.interval)

    def stop(self):
        self.running = False
        self.join(5)


def summary(values):
    values = sorted(v for v in values if v == v)
    if not values:
        return "n/a"
    p90 = values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))]
    return "%4.0f / %4.0f / %4.0f" % (statistics.median(values), p90, values[-1])


def bursts(relay, direction, count, burst_ms, times_of):
    """`count` bursts in one direction, 3 s apart; the frozen time across each."""
    starts = []
    for _ in range(count):
        start = time.monotonic()
        relay.burst(burst_ms / 1000.0, direction)
        starts.append(start)
        time.sleep(3.0)
    times = times_of()
    return [frozen_across(times, s) for s in starts]


def random_loss(relay, loss, seconds, times_of):
    relay.set_loss(loss)
    start = time.monotonic()
    time.sleep(seconds)
    relay.set_loss(0.0)
    return [t for t in times_of() if start <= t < start + seconds]


# ---- sportellod -----------------------------------------------------------------------------------

def sportellod_run(env, rtx, args):
    agent = Agent(env, "test", name="sportellod-%s" % ("rtx" if rtx else "pli"))
    peer = VideoPeer(env, name="contact-%s" % ("rtx" if rtx else "pli"), pattern="ball", colour=(0, 0, 255),
                     rtx_pt=RTX_PT if rtx else 0, strict=True, keyframe_interval=3000)
    relay = LossyRelay(loss=0.0)
    scenario = "uas_video_rtx.xml" if rtx else "uas_video.xml"
    sipp = Sipp(env, "sip-%s" % ("rtx" if rtx else "pli"), str(SCENARIOS / scenario), timeout=600,
                extra=["-set", "aport", str(peer.audio_port), "-set", "vport", str(relay.agent_port)])
    path = agent.dial(sipp.uri)
    peer.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE"))
    agent.call(path, "ActivateVideo")
    sdp = peer.set_remote_from_sdp(last_sdp(sipp.messages(), "received", "INVITE", with_video=True))
    video, audio = sdp.get("video"), sdp.get("audio")
    relay.connect(video.port, peer.video_port)
    peer.set_remote(audio_port=audio.port, audio_pt=audio.pt_for("PCMU"), video_port=relay.contact_port,
                    video_pt=video.pt_for("VP8"))
    agent.wait_stat(path, "video-frames-decoded", 60)
    peer.wait(lambda s: s["frames_decoded"] >= 60, 15, "frames from sportellod")
    time.sleep(2)
    poller = Poller(agent, path)
    poller.start()
    m0 = machine_sample()
    result = {
        "to_contact": bursts(relay, "to_contact", args.bursts, args.burst_ms, peer.decode_times),
        "to_agent": bursts(relay, "to_agent", args.bursts, args.burst_ms, lambda: list(poller.times)),
    }
    times_contact = random_loss(relay, args.loss, args.random_seconds, peer.decode_times)
    times_agent = [t for t in poller.times if times_contact and times_contact[0] - 1 <= t]
    result["random_contact"] = random_figures(times_contact, args.random_seconds)
    result["random_agent"] = random_figures(times_agent[:int(args.random_seconds * FPS * 1.2)],
                                            args.random_seconds)
    result["stats"] = agent.stats(path)
    result["relay"] = relay.stats()
    result["machine"] = machine_busy(m0, machine_sample())
    poller.stop()
    agent.call(path, "Disconnect")
    sipp.wait(15)
    peer.stop()
    relay.stop()
    agent.stop()
    return result


# ---- the GStreamer pair (the floor) ---------------------------------------------------------------

def gstreamer_run(env, rtx, args):
    label = "rtx" if rtx else "pli"
    sender = VideoPeer(env, name="floor-send-" + label, pattern="ball", rtx_pt=RTX_PT if rtx else 0, strict=True,
                       keyframe_interval=3000)
    receiver = VideoPeer(env, name="floor-recv-" + label, pattern="ball", rtx_pt=RTX_PT if rtx else 0, strict=True,
                         keyframe_interval=3000)
    relay = LossyRelay(loss=0.0)
    relay.connect(sender.video_port, receiver.video_port)
    sender.set_remote(video_port=relay.agent_port, video_pt=96)
    receiver.set_remote(video_port=relay.contact_port, video_pt=96)
    receiver.wait(lambda s: s["frames_decoded"] >= 60, 15, "frames from the sender")
    time.sleep(2)
    result = {"to_contact": bursts(relay, "to_contact", args.bursts, args.burst_ms, receiver.decode_times)}
    times = random_loss(relay, args.loss, args.random_seconds, receiver.decode_times)
    result["random_contact"] = random_figures(times, args.random_seconds)
    result["rtx"] = receiver.stats()["rtx"]
    sender.stop()
    receiver.stop()
    relay.stop()
    return result


def print_results(results, args):
    print()
    print("Frozen picture after a %d ms burst of total loss (ms: median / p90 / max of %d)"
          % (args.burst_ms, args.bursts))
    print("  %-34s %-22s %s" % ("", "what sportellod sends", "what sportellod receives"))
    for name, r in results:
        print("  %-34s %-22s %s" % (name, summary(r["to_contact"]),
                                    summary(r["to_agent"]) if "to_agent" in r else "-"))
    print("  (no receiver can do better than %d ms: the burst plus one frame at %d fps)"
          % (args.burst_ms + 1000 // FPS, FPS))
    print()
    print("%.0f %% random loss both ways for %d s: frozen total / longest gap (ms), frames decoded"
          % (args.loss * 100, args.random_seconds))
    for name, r in results:
        line = "  %-34s sent: %6.0f / %5.0f, %3.0f %%" % (
            name, r["random_contact"]["frozen_ms"], r["random_contact"]["longest_ms"],
            r["random_contact"]["decoded_pct"])
        if "random_agent" in r:
            line += "   received: %6.0f / %5.0f, %3.0f %%" % (
                r["random_agent"]["frozen_ms"], r["random_agent"]["longest_ms"], r["random_agent"]["decoded_pct"])
        print(line)
    print()
    for name, r in results:
        if "stats" in r:
            s = r["stats"]
            print("  %s: NACKs sent %d / received %d, RTX sent %d / received %d, key-frame requests sent %d /"
                  " received %d, relay %s" % (name, s["video-nacks-sent"], s["video-nacks-received"],
                                             s["video-rtx-packets-sent"], s["video-rtx-packets-received"],
                                             s["video-key-frame-requests-sent"],
                                             s["video-key-frame-requests-received"], r["relay"]))
            print("    machine: %s" % r["machine"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bursts", type=int, default=10)
    parser.add_argument("--burst-ms", type=int, default=200)
    parser.add_argument("--random-seconds", type=int, default=20)
    parser.add_argument("--loss", type=float, default=0.05)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only", default="sportellod-rtx,gst-rtx,sportellod-kf,gst-kf",
                        help="comma-separated parts to run")
    args = parser.parse_args()
    print("video_loss_bench: %s, load %s, sportellod %s" % (benchlib.machine(), benchlib.loadavg(),
                                                          os.environ["SPORTELLOD"]))
    env = Env()
    results = []
    try:
        env.start_bus()
        parts = args.only.split(",")
        for rtx in (True, False):
            suffix = "rtx" if rtx else "kf"
            label = "RTX" if rtx else "key frames only"
            if "sportellod-" + suffix in parts:
                results.append(("sportellod, " + label, sportellod_run(env, rtx, args)))
            if "gst-" + suffix in parts:
                results.append(("GStreamer pair, " + label, gstreamer_run(env, rtx, args)))
    finally:
        env.cleanup(args.keep)
    print_results(results, args)
    print("load at the end: %s" % benchlib.loadavg())


if __name__ == "__main__":
    main()
