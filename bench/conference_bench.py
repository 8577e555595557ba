#!/usr/bin/python3
"""Conference benchmark on loopback: what each conferenced party costs sportellod, next to the
plain two-party call in the same run and to the floor of one party's media, and the delay the
conference adds to a voice on its way from one party to another. Prints figures; asserts
nothing. About 11 minutes with the defaults.

  SPORTELLOD=build-bench/service/sportellod /usr/bin/python3 bench/conference_bench.py
      [--seconds 30] [--onsets 20] [--only opus,pcmu,video,delay] [--keep]

Parties: sportellod (the host agent: `audio-source = test`, a 440 Hz tone; `camera = test`, the
moving ball, for the video part), a baresip customer (auto-answer, 1000 Hz) and baresip agents
of the host's directory (auto-answer, each its own tone), all baresip 1.0.0 as in
tests/integration/peers.py.

1. cost, audio only, once with every phone on Opus and once on PCMU ("cost" runs both): the
   host dials the customer; then Conference(k agents) and CompleteConference, for k = 0 (the
   plain two-party call), 1, 2, 3, 4. Once everyone talks and 2 s have passed, a window of
   --seconds: sportellod's CPU (utime+stime, /proc/PID/stat; per thread from schedstat), as
   CPU-s per minute; in the k = 0 window also the customer baresip's, for its whole call. The
   floor of one party: two gst-launch-1.0 processes doing one party's media with sportellod's
   codec settings and nothing else (a live tone -> encoder -> payloader -> udpsink; udpsrc ->
   rtpjitterbuffer latency=100 -> depayloader -> decoder -> fakesink), their CPU summed.
2. video: a video customer (baresip, fakevideo bars, VP8 640x480@30) after
   Session1.ActivateVideo: the plain two-party video call, then one video agent conferenced (it
   receives the customer's video, forwarded by the host), then an audio agent beside it.
3. delay: the host, the customer and one agent, all PCMU (so that the bench can decode the
   packets). The customer's microphone is muted and unmuted (baresip's `mute`) --onsets times;
   a packet socket on lo (root only) stamps, with the kernel's time, the first RTP packet from
   the customer to the host that carries its 1000 Hz tone (a tenth of the packet's energy or
   more, Goertzel) and the first packet from the host to the agent that carries it: the time the
   voice spends in the host (jitter buffer, decoding, the mix, encoding). Two floors in the same
   run, fed by this script with the same on/off tone and measured the same way: one gst-launch
   pipeline relaying it (udpsrc -> rtpjitterbuffer latency=100 -> depay -> mulawdec ->
   audiomixer with a live 440 Hz -> mulawenc -> pay -> udpsink), once playing out at the jitter
   buffer's delay (udpsink sync=true, as a phone plays what it hears) and once mixing packets as
   they come (sync=false: the jitter passes on to the agent).

Goals (the conference issue): each extra audio party <= 0.5 CPU-s/min over the two-party call;
the mix adds <= 40 ms (the host's in -> out delay beyond the jitter buffer's 100 ms).
Each window also prints how busy the whole machine was (/proc/stat)."""

import argparse
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # Debian 12's Python 3.11 has it (deprecated; gone in 3.13)
import math
import os
import re
import socket
import struct
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
from call_bench import proc_sample  # noqa: E402
from peers import Baresip, sportello_config, tone_file  # noqa: E402
from video_bench import Env, clock_offset, combine, cost_line, machine_line, machine_sample, window_figures  # noqa: E402

AGENT, SESSION = conftest.AGENT, conftest.SESSION
SETTLE = 2.0
CUSTOMER_TONE, HOST_TONE = 1000, 440
AGENT_TONES = (520, 600, 680, 760)
JITTER_MS = 100
# sportellod's settings (sp-audio-codec.c)
ENCODERS = {"opus": "opusenc frame-size=20 audio-type=voice bitrate=32000 ! rtpopuspay",
            "pcmu": "mulawenc ! rtppcmupay"}
DECODERS = {"opus": "rtpopusdepay ! opusdec", "pcmu": "rtppcmudepay ! mulawdec"}


def now():
    return time.monotonic()


def rtp_range(config_text, pattern):
    low, high = re.search(pattern, config_text).groups()
    return int(low), int(high)


# ---- the host ------------------------------------------------------------------------------------------

class Host:
    """sportellod with a directory of the given agents (id -> URI), video allowed, camera = test."""

    def __init__(self, env, agents, name="host"):
        self.env = env
        self.sip_port = conftest.free_port()
        extra = "\n[video]\nallowed = true\nremote-offers = accept\n"
        for agent_id, uri in agents.items():
            extra += "\n[agent:%s]\nname = Agent %s\nuri = %s\n" % (agent_id, agent_id, uri)
        config = sportello_config(env, self.sip_port, extra=extra, audio_source="test")
        text = config.read_text().replace("camera = none", "camera = test")
        config.write_text(text)
        self.rtp = rtp_range(text, r"rtp-ports = (\d+)-(\d+)")
        self.proc = env.start_sportellod(config=config, name=name)

    def call(self, path, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=path)

    def prop(self, path, name):
        return self.env.get_property(SESSION, name, path=path)

    def wait(self, what, predicate, timeout=20):
        conftest.wait_for(predicate, timeout, 0.01, what=what)

    def dial(self, uri):
        path = self.env.call(AGENT, "Dial", "sa{ss}", (uri, {}))
        self.wait("talking", lambda: self.prop(path, "State") == "talking")
        return path

    def conference(self, path, agent_ids):
        self.call(path, "Conference", "as", (list(agent_ids),))
        ids = ["conference-%d" % i for i in range(1, len(agent_ids) + 1)]

        def everyone_talks():
            states = {p["id"]: p["state"] for p in self.prop(path, "Participants")}
            return all(states.get(i) == "talking" for i in ids)
        self.wait("every agent talking", everyone_talks)
        self.call(path, "CompleteConference")
        self.wait("the conference", lambda: self.prop(path, "State") == "talking")

    def hang_up(self, path):
        self.call(path, "Disconnect")
        self.wait("disconnected", lambda: self.prop(path, "State") == "disconnected")
        self.wait("every leg ended",
                  lambda: all(p["state"] in ("ended", "declined") for p in self.prop(path, "Participants")))
        self.call(path, "MarkDone")


def phone_rtp(phone):
    return rtp_range((phone.dir / "config").read_text(), r"rtp_ports (\d+)-(\d+)")


# ---- cost -------------------------------------------------------------------------------------------

def measure(host, seconds, others=()):
    time.sleep(SETTLE)
    m0 = machine_sample()
    before = [proc_sample(p.pid) for p in (host.proc,) + tuple(others)]
    time.sleep(seconds)
    after = [proc_sample(p.pid) for p in (host.proc,) + tuple(others)]
    m1 = machine_sample()
    figures = [window_figures(b, a) for b, a in zip(before, after)]
    return figures, m0, m1


def phones(env, codec, prefix, count):
    """A customer and COUNT agents speaking CODEC, each with its own tone."""
    def phone(name, user, tone):
        if codec == "opus":
            return Baresip(env, name=prefix + name, user=user, tone=tone, codecs=("opus",))
        # baresip's ausine makes 48 kHz only: PCMU phones play 8 kHz tone files.
        return Baresip(env, name=prefix + name, user=user, codecs=("g711",),
                       audio_file=tone_file(env, tone, seconds=900))
    agents = [phone("agent%d" % i, "agent%d" % i, tone) for i, tone in enumerate(AGENT_TONES[:count], 1)]
    return phone("customer", "customer", CUSTOMER_TONE), agents


def cost_part(env, seconds, codec):
    customer, agents = phones(env, codec, codec + "-", len(AGENT_TONES))
    host = Host(env, {"a%d" % i: a.uri for i, a in enumerate(agents, 1)}, name="host-" + codec)
    rows = []
    print("\n== audio only (%s): sportellod hosting k conferenced agents, %.0f s windows ==" % (codec, seconds))
    for k in range(0, len(agents) + 1):
        path = host.dial(customer.uri)
        if k:
            host.conference(path, ["a%d" % i for i in range(1, k + 1)])
        figures, m0, m1 = measure(host, seconds, [customer.proc] if k == 0 else [])
        stats = host.call(path, "GetMediaStatistics")
        host.hang_up(path)
        rows.append(figures[0]["per_min"])
        last = figures[0]
        label = "two-party call" if k == 0 else "%d agent%s (%d parties)" % (k, "s" if k > 1 else "", k + 2)
        print(cost_line("sportellod, " + label, figures[0]))
        if k == 0:
            whole_party = figures[1]["per_min"]
            print(cost_line("baresip (the customer)", figures[1]))
            print("  customer leg: %d RTP packets received, codec %s"
                  % (stats["rtp-packets-received"], stats.get("audio-codec", "?")))
        print(machine_line(m0, m1, sum(f["per_min"] for f in figures)))
    floor = leg_floor(env, seconds, codec)
    print(cost_line("floor: one %s leg" % codec, floor))
    print("  (two gst-launch-1.0: a live tone -> %s -> pay -> udpsink, and udpsrc -> rtpjitterbuffer latency=%d"
          " -> depay -> decoder -> fakesink: the media work of one party, no mixing)" % (ENCODERS[codec], JITTER_MS))
    print("\nper extra audio party over the two-party call (goal <= 0.5 CPU-s/min; the floor of a leg: %.2f):"
          % floor["per_min"])
    for k in range(1, len(rows)):
        print("  %d agent%s: %+.2f CPU-s/min in all, %+.2f per party"
              % (k, "s" if k > 1 else " ", rows[k] - rows[0], (rows[k] - rows[0]) / k))
    print(leg_line(last, len(agents) + 1, whole_party))
    for phone in agents + [customer]:
        phone.close()
    print("sportellod exit status: %s" % host.env.procs.stop(host.proc, timeout=30))


def leg_line(window, legs, whole_party):
    """What one leg's threads cost in the window with every agent in (LEGS legs), next to the
    customer baresip's CPU for its whole call (one party's media, sending and receiving)."""
    per_min = lambda prefixes: sum(used for used, name in window["by_thread"]  # noqa: E731
                                   if name.startswith(prefixes)) * 60.0 / window["wall"] / legs
    receive, send = per_min(("udpsrc", "rtpjitterbuffer")), per_min(("mix:src",))
    return ("  one leg of %d, by its threads (CPU-s/min): receiving (socket, jitter buffer, decoding, to the"
            " mix) %.2f, sending (its mix encoded, paid, sent) %.2f; the customer baresip's whole call, its"
            " one party's media: %.2f" % (legs, receive, send, whole_party))


def leg_floor(env, seconds, codec):
    """The two halves of one party's media in two gst-launch-1.0 processes, their CPU summed."""
    port = conftest.free_port()
    rate = 48000 if codec == "opus" else 8000
    send = ("audiotestsrc is-live=true samplesperbuffer=%d freq=%d ! audio/x-raw,rate=%d,channels=1 ! %s ! "
            "udpsink host=127.0.0.1 port=%d" % (rate // 50, HOST_TONE, rate, ENCODERS[codec], port))
    receive = ("udpsrc address=127.0.0.1 port=%d caps=application/x-rtp,media=audio,clock-rate=%d,encoding-name=%s,"
               "payload=%d ! rtpjitterbuffer latency=%d ! %s ! audioconvert ! fakesink sync=true"
               % (port, rate, codec.upper(), 96 if codec == "opus" else 0, JITTER_MS, DECODERS[codec]))
    procs = [env.procs.start("floor-%s-recv" % codec, ["gst-launch-1.0", "-q"] + receive.split(), env.env),
             env.procs.start("floor-%s-send" % codec, ["gst-launch-1.0", "-q"] + send.split(), env.env)]
    time.sleep(SETTLE)
    before = [proc_sample(p.pid) for p in procs]
    time.sleep(seconds)
    after = [proc_sample(p.pid) for p in procs]
    for proc in procs:
        env.procs.stop(proc)
    return combine([window_figures(b, a) for b, a in zip(before, after)])


def video_part(env, seconds):
    expert = Baresip(env, name="expert", user="expert", tone=AGENT_TONES[0], video=True)
    listener = Baresip(env, name="listener", user="listener", tone=AGENT_TONES[1])
    customer = Baresip(env, name="vcustomer", tone=CUSTOMER_TONE, video=True)
    host = Host(env, {"expert": expert.uri, "listener": listener.uri}, name="vhost")
    print("\n== video (VP8 640x480@30 both ways with the customer), %.0f s windows ==" % seconds)
    for label, agent_ids in (("two-party video call", []), ("+ video agent (sees the customer)", ["expert"]),
                             ("+ video agent + audio agent", ["expert", "listener"])):
        path = host.dial(customer.uri)
        host.call(path, "ActivateVideo")
        host.wait("video active", lambda: host.prop(path, "Video") == "active")
        if agent_ids:
            host.conference(path, agent_ids)
        figures, m0, m1 = measure(host, seconds, [customer.proc])
        stats = host.call(path, "GetMediaStatistics")
        host.hang_up(path)
        print(cost_line("sportellod, " + label, figures[0]))
        print(cost_line("baresip (the customer)", figures[1]))
        print("  customer leg: %d video frames decoded, %d encoded"
              % (stats.get("video-frames-decoded", 0), stats.get("video-frames-encoded", 0)))
        print(machine_line(m0, m1, sum(f["per_min"] for f in figures)))
    for phone in (expert, listener, customer):
        phone.close()
    print("sportellod exit status: %s" % host.env.procs.stop(host.proc, timeout=30))


# ---- delay -------------------------------------------------------------------------------------------

def tone_fraction(samples, rate, tone):
    """The share of the samples' energy at TONE (Goertzel): 1 for the tone alone, 0 without it."""
    coefficient = 2 * math.cos(2 * math.pi * tone / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coefficient * s1 - s2, s1
    energy = sum(x * x for x in samples)
    if energy < len(samples) * 100 ** 2:  # quieter than an amplitude of about 140: silence
        return 0.0
    return (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / (len(samples) / 2 * energy)


def carries_tone(rtp):
    """True when a PCMU RTP packet carries the customer's tone (a tenth of its energy or more)."""
    offset = 12 + 4 * (rtp[0] & 0x0F)
    if len(rtp) < offset + 40 or rtp[1] & 0x7F != 0:
        return False
    pcm = audioop.ulaw2lin(rtp[offset:], 2)
    samples = struct.unpack("<%dh" % (len(pcm) // 2), pcm)
    return tone_fraction(samples, 8000, CUSTOMER_TONE) > 0.1


class RtpSniffer(threading.Thread):
    """A packet socket on lo (root only): for each watched (from ports, to ports) stream, the
    kernel time of every RTP packet and whether it carries the customer's tone."""

    SO_TIMESTAMPNS = 35

    def __init__(self, streams):
        super().__init__(name="rtp-sniffer", daemon=True)
        self.streams = streams  # name -> ((from_low, from_high), (to_low, to_high))
        self.lock = threading.Condition()
        self.packets = {name: [] for name in streams}
        self.running = True
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))  # ETH_P_ALL
        self.sock.setsockopt(socket.SOL_SOCKET, self.SO_TIMESTAMPNS, 1)
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.offset = clock_offset()

    def stop(self):
        self.running = False
        self.join(2)
        self.sock.close()

    def stream_of(self, sport, dport):
        for name, ((f0, f1), (t0, t1)) in self.streams.items():
            if f0 <= sport <= f1 and t0 <= dport <= t1:
                return name
        return None

    def run(self):
        while self.running:
            try:
                data, ancillary, _flags, address = self.sock.recvmsg(65536, 64)
            except socket.timeout:
                continue
            except OSError:
                return
            if address[2] != socket.PACKET_OUTGOING or len(data) < 42 or data[23] != socket.IPPROTO_UDP:
                continue  # each packet on lo shows twice: keep the copy going out
            t = now()
            for level, kind, value in ancillary:
                if level == socket.SOL_SOCKET and kind == self.SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", value[:16])
                    t = sec + nsec * 1e-9 - self.offset
            ihl = (data[14] & 15) * 4
            sport, dport = struct.unpack("!HH", data[14 + ihl:14 + ihl + 4])
            name = self.stream_of(sport, dport)
            if name is None:
                continue
            payload = data[14 + ihl + 8:]
            if 192 <= payload[1] <= 223:
                continue  # RTCP
            with self.lock:
                self.packets[name].append((t, carries_tone(payload)))
                self.lock.notify_all()

    def onset(self, name, after, timeout=5):
        """The time of the first packet of NAME at or after AFTER carrying the tone."""
        deadline = now() + timeout
        with self.lock:
            while now() < deadline:
                for t, tone in self.packets[name]:
                    if t >= after and tone:
                        return t
                self.lock.wait(0.1)
        return None

    def quiet(self, name, since, until):
        """True when NAME had packets between SINCE and UNTIL, none of them with the tone."""
        with self.lock:
            window = [tone for t, tone in self.packets[name] if since <= t <= until]
        return bool(window) and not any(window)


def measure_onsets(sniffer, inbound, outbound, count, tone_on, tone_off):
    """Tone off for a second, then on: the delay from its first packet in to its first packet out.
    An onset after which the streams were not quiet for the last 0.3 s is not counted."""
    delays = []
    for _ in range(count):
        tone_off()
        time.sleep(1.0)
        t = now()
        if not (sniffer.quiet(inbound, t - 0.3, t) and sniffer.quiet(outbound, t - 0.3, t)):
            continue
        tone_on()
        t_in = sniffer.onset(inbound, t)
        t_out = sniffer.onset(outbound, t_in or t)
        if t_in is not None and t_out is not None:
            delays.append(1000.0 * (t_out - t_in))
        time.sleep(0.5)
    return delays


def delay_summary(delays, count):
    if not delays:
        return "no onset detected (of %d)" % count
    values = sorted(delays)
    return ("median %6.1f ms  min %6.1f  p90 %6.1f  max %6.1f  (%d of %d onsets)"
            % (benchlib.percentile(values, 50), values[0], benchlib.percentile(values, 90), values[-1],
               len(values), count))


class FloorRelay:
    """gst-launch-1.0 doing only the relay, fed by this script with a PCMU tone it switches on and off."""

    def __init__(self, env, sync):
        self.in_port, self.out_port = conftest.free_port(), conftest.free_port()
        self.sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sink.bind(("127.0.0.1", self.out_port))
        pipeline = ("udpsrc address=127.0.0.1 port=%d caps=application/x-rtp,media=audio,clock-rate=8000,"
                    "encoding-name=PCMU,payload=0 ! rtpjitterbuffer latency=%d ! rtppcmudepay ! mulawdec ! "
                    "audioconvert ! audioresample ! audiomixer name=mix ! audioconvert ! audioresample ! "
                    "audio/x-raw,rate=8000,channels=1 ! mulawenc ! rtppcmupay ! udpsink host=127.0.0.1 port=%d sync=%s "
                    "audiotestsrc is-live=true samplesperbuffer=80 freq=%d ! audio/x-raw,rate=8000,channels=1 ! mix."
                    % (self.in_port, JITTER_MS, self.out_port, "true" if sync else "false", HOST_TONE))
        self.proc = env.procs.start("floor-relay-%s" % ("sync" if sync else "nosync"), ["gst-launch-1.0", "-q"] + pipeline.split(), env.env)
        self.tone = False
        self.running = True
        self.sender = threading.Thread(target=self._send, name="floor-sender", daemon=True)
        self.sender.start()

    def _send(self):
        out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        out.bind(("127.0.0.1", 0))
        self.from_port = out.getsockname()[1]
        seq, ts, phase = 0, 0, 0
        tick = now()
        while self.running:
            if self.tone:
                samples = [int(8000 * math.sin(2 * math.pi * CUSTOMER_TONE * (phase + i) / 8000)) for i in range(160)]
                payload = audioop.lin2ulaw(struct.pack("<160h", *samples), 2)
            else:
                payload = b"\xff" * 160
            phase += 160
            out.sendto(struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts & 0xFFFFFFFF, 0x5107) + payload,
                       ("127.0.0.1", self.in_port))
            seq, ts = seq + 1, ts + 160
            tick += 0.02
            time.sleep(max(0.0, tick - now()))
        out.close()

    def stop(self, env):
        self.running = False
        self.sender.join(2)
        self.sink.close()
        env.procs.stop(self.proc)


def floor_delays(env, onsets):
    """The two floors, each fed and measured as sportellod is: {label: delays}."""
    results = {}
    for sync, label in ((True, "floor, played out at the jitter buffer's delay (udpsink sync=true)"),
                        (False, "floor, mixed as packets come (udpsink sync=false: no dejittering)")):
        floor = FloorRelay(env, sync)
        time.sleep(0.2)
        sniffer = RtpSniffer({"in": ((floor.from_port, floor.from_port), (floor.in_port, floor.in_port)),
                              "out": ((0, 65535), (floor.out_port, floor.out_port))})
        sniffer.start()
        time.sleep(SETTLE)

        def tone(on, floor=floor):
            floor.tone = on
        results[label] = measure_onsets(sniffer, "in", "out", onsets, lambda: tone(True), lambda: tone(False))
        sniffer.stop()
        floor.stop(env)
    return results


def delay_part(env, onsets):
    if os.geteuid() != 0:
        print("\n== delay: skipped (the packet socket needs root) ==")
        return
    # baresip's ausine makes 48 kHz only: PCMU phones play 8 kHz tone files.
    agent = Baresip(env, name="dagent", user="dagent", codecs=("g711",),
                    audio_file=tone_file(env, AGENT_TONES[0], seconds=600))
    customer = Baresip(env, name="dcustomer", codecs=("g711",), audio_file=tone_file(env, CUSTOMER_TONE, seconds=600))
    host = Host(env, {"d": agent.uri}, name="dhost")
    sniffer = RtpSniffer({"in": (phone_rtp(customer), host.rtp), "out": (host.rtp, phone_rtp(agent))})
    sniffer.start()
    path = host.dial(customer.uri)
    host.conference(path, ["d"])
    time.sleep(SETTLE)
    muted = [False]

    def mute(on):
        if muted[0] != on:
            customer.command("mute")
            muted[0] = on

    m0 = machine_sample()
    ours = measure_onsets(sniffer, "in", "out", onsets, lambda: mute(False), lambda: mute(True))
    host.hang_up(path)
    sniffer.stop()
    floors = floor_delays(env, onsets)
    m1 = machine_sample()
    print("\n== delay: a voice from the customer to a conferenced agent, through the host (PCMU) ==")
    print("tone onset: its first packet into the relay -> its first packet out (kernel times on lo)")
    print("  %-70s %s" % ("sportellod (customer -> host -> agent)", delay_summary(ours, onsets)))
    for label, delays in floors.items():
        print("  %-70s %s" % (label, delay_summary(delays, onsets)))
    if ours:
        median = benchlib.percentile(sorted(ours), 50)
        print("  the mix beyond the %d ms jitter buffer: %+.1f ms (goal <= 40 ms)" % (JITTER_MS, median - JITTER_MS))
        for label, delays in floors.items():
            if delays:
                print("  sportellod - %s: %+.1f ms" % (label.split(" (")[0], median - benchlib.percentile(sorted(delays), 50)))
    print(machine_line(m0, m1, 0.0))
    for phone in (agent, customer):
        phone.close()
    print("sportellod exit status: %s" % host.env.procs.stop(host.proc, timeout=30))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 30)))
    parser.add_argument("--onsets", type=int, default=20)
    parser.add_argument("--only", default="cost,video,delay", help="cost (= opus,pcmu), opus, pcmu, video, delay")
    parser.add_argument("--keep", action="store_true", help="keep the temporary dirs (logs)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % os.environ["SPORTELLOD"])
    print("baresip: %s" % (os.popen("baresip -h 2>&1 | head -1").read().strip() or "?"))
    print("load average at start: %s" % benchlib.loadavg())
    env = Env()
    try:
        env.start_bus()
        for codec in ("opus", "pcmu"):
            if "cost" in parts or codec in parts:
                cost_part(env, args.seconds, codec)
        if "video" in parts:
            video_part(env, args.seconds)
        if "delay" in parts:
            delay_part(env, args.onsets)
    finally:
        env.cleanup(keep=args.keep)
        if args.keep:
            print("kept: %s and %s" % (env.root, env.logs))
    print("load average at end: %s (2 cores: above 2, the machine was busy)" % benchlib.loadavg())


if __name__ == "__main__":
    main()
