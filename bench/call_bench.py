#!/usr/bin/python3
"""Call benchmark on loopback: how fast a call is set up and what a call costs, for sportellod and,
side by side, for baresip 1.0.0 calling baresip. Prints figures; asserts nothing.

  /usr/bin/python3 bench/call_bench.py [--calls 50] [--seconds 60] [--events] [--per-call] [--keep]
  (or BENCH_CALLS / BENCH_SECONDS; --only setup|cost runs one half)

Timestamps are time.monotonic() in this process when a message arrives: a reader thread per
baresip ctrl_tcp connection stamps each event as it is read, and a GDBus filter (run by GDBus's
worker thread) stamps each signal from sportellod as it arrives. No clock inside either peer.

Set-up, per call (ms); the far end is always a baresip:
  outbound  t0 just before Agent1.Dial (or baresip's "dial" command) is sent;
            INVITE at the callee = the callee's first event, CALL_REMOTE_SDP (baresip 1.0.0 emits
            no CALL_INCOMING when it answers by itself, answermode=auto);
            ACK at the callee = its CALL_ESTABLISHED (the caller ACKs the 200 OK on arrival);
            call up at the caller = State talking (PropertiesChanged) / caller's CALL_ESTABLISHED;
            first RTP at the far end = the callee's CALL_RTPESTAB (first RTP packet it received).
  inbound   baresip dials; t0 = the INVITE arrived at the callee: InterfacesAdded of the ringing
            session (then Session1.Answer at once) / the callee baresip's CALL_REMOTE_SDP;
            200 OK = caller's CALL_ESTABLISHED; first RTP at the far end = caller's CALL_RTPESTAB.
Cost: one call of --seconds each (baresip calls a fresh sportellod / a fresh baresip): CPU
(utime+stime, /proc/PID/stat, and per thread from schedstat) and RSS / peak RSS (VmHWM). Then the
memory floor: one gst-launch-1.0 process doing one party's whole call with sportellod's codec
settings (a tone encoded to Opus and sent, the stream received back, jitter buffer, decoded, played
to fakesink), and sportellod's RSS split into the objects that process maps too and the rest.
"""

import argparse
import gc
import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))
import benchlib  # noqa: E402
from ports import free_port, free_port_range  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

AGENT = "org.sportello.Agent1"
SESSION = "org.sportello.Session1"
CLK_TCK = os.sysconf("SC_CLK_TCK")
DEBUG = False
SMAPS = []  # with --smaps: where each long call's callee keeps its memory, printed with the costs
RING_S = 0.0  # with --ring-ms: how long an inbound call rings before sportellod answers


# ---- a shared, time-stamped event log ------------------------------------------------------------

class EventLog:
    """Everything both peers report, stamped on arrival; waited on with a condition variable."""

    def __init__(self):
        self.cond = threading.Condition()
        self.events = []  # (t, source, kind, data)

    def add(self, source, kind, data, t=None):
        t = time.monotonic() if t is None else t
        with self.cond:
            self.events.append((t, source, kind, data))
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.events)

    def wait(self, predicate, start=0, timeout=15.0, what="event"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for event in self.events[start:]:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    tail = [(round(e[0], 4), e[1], e[2]) for e in self.events[start:]][-20:]
                    raise RuntimeError("timed out waiting for %s; since the mark: %r" % (what, tail))
                self.cond.wait(left)

    def since(self, start):
        with self.cond:
            return list(self.events[start:])


# ---- baresip over ctrl_tcp ---------------------------------------------------------------------------

class Baresip:
    """baresip 1.0.0, auto-answering (account answermode=auto), ausine 440 Hz source, nil player,
    opus before g711 (as in tests/integration/peers.py); events stamped by a reader thread."""

    def __init__(self, session, log, name, bus_name=benchlib.BUS_NAME, srtp=False):
        self.session, self.log, self.name, self.bus_name = session, log, name, bus_name
        self.sip_port = free_port()
        self.ctrl_port = free_port(socket.SOCK_STREAM)
        rtp = free_port_range(100)
        self.dir = session.path(name)
        os.mkdir(self.dir)
        config = [
            "poll_method epoll", "sip_listen 127.0.0.1:%d" % self.sip_port, "net_interface 127.0.0.1",
            "call_local_timeout 120", "call_max_calls 4", "audio_source ausine,440",
            "audio_player aubridge,nil", "audio_alert aubridge,nil", "rtcp_mux no",
            "jitter_buffer_delay 5-10", "rtp_ports %d-%d" % (rtp, rtp + 99),
            "module_path /usr/lib/baresip/modules",
        ]
        config += ["module %s.so" % m for m in ("opus", "g711", "ausine", "aufile", "aubridge")
                   + (("srtp",) if srtp else ())]
        config += ["module_app account.so", "module_app menu.so", "module_app ctrl_tcp.so",
                   "ctrl_tcp_listen 127.0.0.1:%d" % self.ctrl_port]
        with open(os.path.join(self.dir, "config"), "w") as f:
            f.write("\n".join(config) + "\n")
        with open(os.path.join(self.dir, "accounts"), "w") as f:
            f.write("<sip:customer@127.0.0.1:%d>;regint=0;answermode=auto%s\n"
                    % (self.sip_port, ";mediaenc=srtp-mand" if srtp else ""))
        open(os.path.join(self.dir, "contacts"), "w").close()
        self.proc = session.spawn(name, ["baresip", "-4", "-f", self.dir])
        self.responses = {}
        self.resp_cond = threading.Condition()
        self.sock = self._connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = threading.Thread(target=self._read_loop, name=name + "-reader", daemon=True)
        self.reader.start()
        self.tokens = 0

    @property
    def uri(self):
        return "sip:customer@127.0.0.1:%d" % self.sip_port

    def _connect(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited with %d; see %s" % (self.name, self.proc.returncode,
                                                                  self.session.path(self.name + ".log")))
            try:
                return socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("%s: no ctrl_tcp" % self.name)

    def _read_loop(self):
        buffer = b""
        self.sock.settimeout(None)
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            if not data:
                return
            t = time.monotonic()
            # ACK at once (Linux resets quick-ACK mode by itself): baresip does not set TCP_NODELAY,
            # so with a delayed ACK from us its next event would wait in Nagle's algorithm.
            try:
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            except OSError:
                pass
            buffer += data
            while b":" in buffer:
                length, rest = buffer.split(b":", 1)
                if not length.isdigit() or len(rest) < int(length) + 1:
                    break
                n = int(length)
                message = json.loads(rest[:n].decode())
                buffer = rest[n + 1:]
                if message.get("response"):
                    with self.resp_cond:
                        self.responses[message.get("token")] = (t, message)
                        self.resp_cond.notify_all()
                elif message.get("event"):
                    self.log.add(self.name, message.get("type"), message, t)

    def send(self, command, params=""):
        """Sends a command; returns (time just before sending, token)."""
        self.tokens += 1
        token = "%s-%d" % (self.name, self.tokens)
        payload = json.dumps({"command": command, "params": params, "token": token}).encode()
        frame = str(len(payload)).encode() + b":" + payload + b","
        t = time.monotonic()
        self.sock.sendall(frame)
        return t, token

    def reply(self, token, timeout=10):
        with self.resp_cond:
            if not self.resp_cond.wait_for(lambda: token in self.responses, timeout):
                raise RuntimeError("%s did not answer %s" % (self.name, token))
            return self.responses.pop(token)[1]

    def command(self, command, params=""):
        return self.reply(self.send(command, params)[1])

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self.reader.join(2)


def is_event(source, kind):
    return lambda e: e[1] == source and e[2] == kind


def invite_arrived(source):
    """baresip 1.0.0 auto-answering emits no CALL_INCOMING: its first event for an incoming call is
    CALL_REMOTE_SDP (the INVITE's offer), then CALL_LOCAL_SDP (its answer) and CALL_ESTABLISHED."""
    return lambda e: e[1] == source and e[2] in ("CALL_INCOMING", "CALL_REMOTE_SDP")


# ---- sportellod on the private bus -----------------------------------------------------------------

class Sportellod:
    def __init__(self, session, log, name, bus_name=benchlib.BUS_NAME, srtp=False):
        self.session, self.log, self.name, self.bus_name = session, log, name, bus_name
        self.sip_port = free_port()
        rtp = free_port_range(100)
        config = session.path(name + ".conf")
        with open(config, "w") as f:
            f.write(textwrap.dedent("""\
                [account]
                uri = sip:agent1@127.0.0.1
                display-name = Bench Agent
                registrar =
                listen = 127.0.0.1:%d
                transport = udp

                [media]
                audio-source = test
                audio-sink = null
                camera = none
                rtp-ports = %d-%d

                [dispositions]
                codes = resolved=Resolved
                required = false
                """ % (self.sip_port, rtp, rtp + 99)))
            if srtp:  # SDES over UDP: on loopback only, as in the tests
                f.write("\n[security]\nmedia-encryption = required\nsdes-without-tls = true\n")
        data_dir = session.path(name + "-data")
        env_saved = dict(session.env)
        for key in ("SU_DEBUG", "TPORT_DEBUG", "NTA_DEBUG", "NUA_DEBUG"):
            session.env[key] = "0"
        session.env.pop("G_MESSAGES_DEBUG", None)
        if DEBUG:
            session.env["G_MESSAGES_DEBUG"] = "all"
            session.env["TPORT_LOG"] = "1"  # every SIP message sent and received, through GLib's log
        try:
            self.proc = session.spawn(name, [benchlib.find_sportellod(), "--config", config, "--data-dir", data_dir,
                                             "--bus-name", bus_name])
        finally:
            session.env.clear()
            session.env.update(env_saved)
        self.conn = session.connect()
        benchlib.wait_for(lambda: self.proc.poll() is not None or session.name_has_owner(self.conn, bus_name),
                          timeout=30, what=name + " to own its name")
        if self.proc.poll() is not None:
            raise RuntimeError("%s exited with %d; see %s" % (name, self.proc.returncode, session.path(name + ".log")))
        self.owner = self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                         "GetNameOwner", GLib.Variant("(s)", (bus_name,)), None,
                                         Gio.DBusCallFlags.NONE, -1, None).unpack()[0]
        # The match rules make the bus send us the signals; the filter stamps them on arrival
        # (in GDBus's worker thread, before any main-context dispatch).
        self.subs = [self.conn.signal_subscribe(bus_name, iface, member, None, None,
                                                Gio.DBusSignalFlags.NONE, lambda *a: None, None)
                     for iface, member in (("org.freedesktop.DBus.Properties", "PropertiesChanged"),
                                           ("org.freedesktop.DBus.ObjectManager", "InterfacesAdded"),
                                           ("org.freedesktop.DBus.ObjectManager", "InterfacesRemoved"))]
        self.filter_id = self.conn.add_filter(self._filter, None)

    def _filter(self, connection, message, incoming, *user_data):
        if incoming and message.get_message_type() == Gio.DBusMessageType.SIGNAL \
                and message.get_sender() == self.owner:
            t = time.monotonic()
            member = message.get_member()
            body = message.get_body()
            if member == "PropertiesChanged":
                iface, changed, _ = body.unpack()
                if iface == SESSION and "State" in changed:
                    self.log.add(self.name, "State", (message.get_path(), changed["State"]), t)
            elif member == "InterfacesAdded":
                path, ifaces = body.unpack()
                if SESSION in ifaces:
                    self.log.add(self.name, "SessionAdded", (path, ifaces[SESSION].get("State")), t)
            elif member == "InterfacesRemoved":
                self.log.add(self.name, "SessionRemoved", body.unpack()[0], t)
        return message

    def call(self, path, iface, method, params=None, timeout_ms=25000):
        reply = self.conn.call_sync(self.bus_name, path, iface, method, params, None,
                                    Gio.DBusCallFlags.NONE, timeout_ms, None)
        result = reply.unpack()
        return result[0] if len(result) == 1 else result

    def dial(self, uri):
        return self.call(benchlib.OBJECT_PATH, AGENT, "Dial", GLib.Variant("(sa{ss})", (uri, {})))

    def stats(self, path):
        return self.call(path, SESSION, "GetMediaStatistics")

    def uri(self):
        return "sip:agent1@127.0.0.1:%d" % self.sip_port

    def close(self):
        self.conn.remove_filter(self.filter_id)
        for sub in self.subs:
            self.conn.signal_unsubscribe(sub)
        self.conn.close_sync(None)
        return self.session.stop(self.proc)


def state_is(name, path, state):
    return lambda e: e[1] == name and e[2] == "State" and e[3] == (path, state)


# ---- /proc -------------------------------------------------------------------------------------------

def proc_sample(pid):
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return {"cpu": (int(rest[11]) + int(rest[12])) / CLK_TCK, "cpu_ns": benchlib.cpu_ns(pid),
            "rss": int(fields["VmRSS"].split()[0]), "hwm": int(fields["VmHWM"].split()[0]),
            "anon": int(fields["RssAnon"].split()[0]), "file": int(fields["RssFile"].split()[0]),
            "threads": int(fields["Threads"]), "per_thread": thread_cpu(pid), "t": time.monotonic()}


def smaps_by_object(pid):
    """{object: (Rss kB, Private_Dirty kB)} from /proc/PID/smaps: each shared object's pages,
    [heap], [stack], and the anonymous mappings summed as "anonymous"."""
    totals = {}
    name = None
    with open("/proc/%d/smaps" % pid) as f:
        for line in f:
            fields = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                name = os.path.basename(fields[5]) if len(fields) > 5 else "anonymous"
                totals.setdefault(name, [0, 0])
            elif fields[0] == "Rss:":
                totals[name][0] += int(fields[1])
            elif fields[0] == "Private_Dirty:":
                totals[name][1] += int(fields[1])
    return totals


def smaps_line(label, pid, top=24):
    totals = sorted(smaps_by_object(pid).items(), key=lambda item: -item[1][0])
    shown = ", ".join("%s %.2f" % (name, rss / 1024) for name, (rss, _) in totals[:top])
    rest = sum(rss for _, (rss, _) in totals[top:])
    dirty = sum(d for _, (_, d) in totals)
    return ("  %-24s RSS by object (MiB): %s, %d others %.2f; private dirty %.2f MiB"
            % (label, shown, max(0, len(totals) - top), rest / 1024, dirty / 1024))


def thread_cpu(pid):
    """{(tid, name): on-CPU ns} for every thread (/proc/PID/task/*/schedstat)."""
    result = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                result[(tid, name)] = int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return result


# ---- the series ------------------------------------------------------------------------------------

def ms(a, b):
    return (b - a) * 1000.0


def summary(values):
    """first / median / p99 / max of a series (the first call separately: lazy start-up)."""
    if not values:
        return "no data"
    rest = sorted(values[1:]) or sorted(values)
    return "first %7.2f   rest: median %6.2f  p99 %7.2f  max %7.2f  (n=%d)" % (
        values[0], benchlib.percentile(rest, 50), benchlib.percentile(rest, 99), rest[-1], len(rest))


def hang_up_sportellod(sd, phone, path, mark):
    sd.call(path, SESSION, "Disconnect")
    sd.log.wait(state_is(sd.name, path, "disconnected"), mark, what="disconnected")
    phone_closed = sd.log.wait(is_event(phone.name, "CALL_CLOSED"), mark, what=phone.name + " CALL_CLOSED")
    sd.call(path, SESSION, "MarkDone")
    sd.log.wait(lambda e: e[1] == sd.name and e[2] == "SessionRemoved" and e[3] == path, mark, timeout=5,
                what="session removed")
    return phone_closed


def outbound_call(sd, phone, log, i, show_events):
    """sportellod dials the auto-answering baresip."""
    mark = log.mark()
    t0 = time.monotonic()
    path = sd.dial(phone.uri)
    t_reply = time.monotonic()
    talking = log.wait(state_is(sd.name, path, "talking"), mark, what="talking")
    incoming = log.wait(invite_arrived(phone.name), mark, what="INVITE at the callee")
    rtp = log.wait(is_event(phone.name, "CALL_RTPESTAB"), mark, what="callee CALL_RTPESTAB")
    ack = log.wait(is_event(phone.name, "CALL_ESTABLISHED"), mark, what="callee CALL_ESTABLISHED")
    row = {"dial_reply": ms(t0, t_reply), "invite": ms(t0, incoming[0]), "ack": ms(t0, ack[0]),
           "ok200": ms(t0, talking[0]), "rtp": ms(t0, rtp[0])}
    codec = sd.stats(path).get("audio-codec") if i == 0 else None
    if show_events and i < 2:
        print_events("sportellod dials baresip, call %d" % (i + 1), t0, log.since(mark))
    hang_up_sportellod(sd, phone, path, mark)
    return row, codec


def inbound_call(sd, phone, log, i, show_events, poll_rtp=False):
    """baresip dials sportellod, which answers (Session1.Answer) as soon as the session appears."""
    mark = log.mark()
    t_dial, token = phone.send("dial", sd.uri())
    added = log.wait(lambda e: e[1] == sd.name and e[2] == "SessionAdded", mark, what="ringing session")
    t0, path = added[0], added[3][0]
    if RING_S:
        time.sleep(RING_S)  # the agent's reaction: the call rings for a while first
    t_answer = time.monotonic()
    sd.call(path, SESSION, "Answer")
    t_answered = time.monotonic()
    # Our own first received RTP: GetMediaStatistics polled every 5 ms once Answer has returned
    # (only with --poll-rtp: the polling itself competes for the CPUs while media starts).
    our_rtp = None
    deadline = t0 + 15 if poll_rtp else 0
    while time.monotonic() < deadline:
        if sd.stats(path)["rtp-packets-received"] > 0:
            our_rtp = time.monotonic()
            break
        time.sleep(0.005)
    rtp = log.wait(is_event(phone.name, "CALL_RTPESTAB"), mark, what="caller CALL_RTPESTAB")
    established = log.wait(is_event(phone.name, "CALL_ESTABLISHED"), mark, what="caller CALL_ESTABLISHED")
    phone.reply(token)
    row = {"dial_to_invite": ms(t_dial, t0), "answer_sent": ms(t0, t_answer),
           "answer_reply": ms(t_answer, t_answered), "ok200": ms(t0, established[0]),
           "rtp": ms(t0, rtp[0]), "answer_to_rtp": ms(t_answer, rtp[0]), "our_rtp": ms(t0, our_rtp) if our_rtp else float("nan")}
    if show_events and i < 2:
        print_events("baresip dials sportellod, call %d" % (i + 1), t_dial, log.since(mark))
    # Let sportellod see the caller's ACK first: a Disconnect between our 200 OK and the ACK sends
    # no BYE (sp_call_leg_hangup answers 480 to the already answered INVITE; sofia logs
    # "500 Responding to a Non-Existing Request") and the caller stays in the call.
    time.sleep(0.02)
    hang_up_sportellod(sd, phone, path, mark)
    return row


def baresip_call(caller, callee, log, i, show_events):
    """One baresip dials the other, which answers by itself; gives an outbound and an inbound row."""
    mark = log.mark()
    t0, token = caller.send("dial", callee.uri)
    incoming = log.wait(invite_arrived(callee.name), mark, what="INVITE at the callee")
    established = log.wait(is_event(caller.name, "CALL_ESTABLISHED"), mark, what="caller CALL_ESTABLISHED")
    far_rtp = log.wait(is_event(callee.name, "CALL_RTPESTAB"), mark, what="callee CALL_RTPESTAB")
    ack = log.wait(is_event(callee.name, "CALL_ESTABLISHED"), mark, what="callee CALL_ESTABLISHED")
    near_rtp = log.wait(is_event(caller.name, "CALL_RTPESTAB"), mark, what="caller CALL_RTPESTAB")
    caller.reply(token)
    out_row = {"invite": ms(t0, incoming[0]), "ack": ms(t0, ack[0]), "ok200": ms(t0, established[0]),
               "rtp": ms(t0, far_rtp[0])}
    in_row = {"ok200": ms(incoming[0], established[0]), "rtp": ms(incoming[0], near_rtp[0])}
    if show_events and i < 2:
        print_events("baresip dials baresip, call %d" % (i + 1), t0, log.since(mark))
    caller.command("hangup")
    log.wait(is_event(caller.name, "CALL_CLOSED"), mark, what="caller CALL_CLOSED")
    log.wait(is_event(callee.name, "CALL_CLOSED"), mark, what="callee CALL_CLOSED")
    return out_row, in_row


def setup_series(session, log, calls, show_events, poll_rtp=False):
    """The three kinds of call in turn (one of each per round), so that whatever else the machine
    does at the time weighs on all three alike. Each sportellod runs its own series from a fresh
    start, so its first call carries the lazy GStreamer start-up."""
    sd_out = Sportellod(session, log, "sportellod-out")
    sd_in = Sportellod(session, log, "sportellod-in", bus_name="org.sportello.BenchInbound")
    peers = [Baresip(session, log, name) for name in
             ("callee-of-sportellod", "caller-of-sportellod", "b2b-caller", "b2b-callee")]
    callee, caller, b2b_caller, b2b_callee = peers
    out_rows, in_rows, bb_out, bb_in = [], [], [], []
    codec = None
    time.sleep(0.5)
    gc.disable()
    try:
        for i in range(calls):
            row, c = outbound_call(sd_out, callee, log, i, show_events)
            out_rows.append(row)
            codec = codec or c
            time.sleep(0.03)
            in_rows.append(inbound_call(sd_in, caller, log, i, show_events, poll_rtp))
            time.sleep(0.03)
            o, n = baresip_call(b2b_caller, b2b_callee, log, i, show_events)
            bb_out.append(o)
            bb_in.append(n)
            time.sleep(0.03)
    finally:
        gc.enable()
        for phone in peers:
            phone.close()
            session.stop(phone.proc)
        rc_out, rc_in = sd_out.close(), sd_in.close()
    return out_rows, in_rows, bb_out, bb_in, codec, rc_out, rc_in


def print_events(title, t0, events):
    wall = time.time() - time.monotonic()
    print("  events, %s (ms after t0 = %s):" % (title, time.strftime("%H:%M:%S", time.localtime(t0 + wall))
                                               + ("%.6f" % ((t0 + wall) % 1))[1:]))
    for t, source, kind, data in sorted(events, key=lambda e: e[0]):
        extra = ""
        if isinstance(data, dict):
            extra = data.get("param", "") or ""
        elif isinstance(data, tuple):
            extra = data[1] if isinstance(data[1], str) else ""
        print("    %8.2f  %-22s %s %s" % (ms(t0, t), source, kind, extra))


def long_call_sportellod(session, log, seconds, srtp=False):
    """baresip calls sportellod, which answers; sportellod's (and the caller's) CPU and memory."""
    suffix = "-srtp" if srtp else ""
    sd = Sportellod(session, log, "sportellod-long" + suffix, srtp=srtp)
    phone = Baresip(session, log, "caller-long" + suffix, srtp=srtp)
    try:
        time.sleep(0.5)
        m0 = benchlib.machine_busy()
        before, peer_before = proc_sample(sd.proc.pid), proc_sample(phone.proc.pid)
        if SMAPS is not None:
            SMAPS.append(smaps_line("sportellod%s, idle" % suffix, sd.proc.pid))
        mark = log.mark()
        phone.send("dial", sd.uri())
        path = log.wait(lambda e: e[1] == sd.name and e[2] == "SessionAdded", mark, what="ringing")[3][0]
        sd.call(path, SESSION, "Answer")
        log.wait(is_event(phone.name, "CALL_RTPESTAB"), mark, what="caller RTP")
        time.sleep(seconds)
        stats = sd.stats(path)
        after, peer_after = proc_sample(sd.proc.pid), proc_sample(phone.proc.pid)
        m1 = benchlib.machine_busy()
        stats["smaps"] = smaps_by_object(sd.proc.pid)
        if SMAPS is not None:
            SMAPS.append(smaps_line("sportellod%s, in the call" % suffix, sd.proc.pid))
        hang_up_sportellod(sd, phone, path, mark)
    finally:
        phone.close()
        session.stop(phone.proc)
        rc = sd.close()
    load = benchlib.other_load(m0, m1, cpu_of(before, after) + cpu_of(peer_before, peer_after))
    return before, after, peer_before, peer_after, stats, rc, load


def long_call_baresip(session, log, seconds, srtp=False):
    suffix = "-srtp" if srtp else ""
    caller = Baresip(session, log, "b2b-long-caller" + suffix, srtp=srtp)
    callee = Baresip(session, log, "b2b-long-callee" + suffix, srtp=srtp)
    try:
        time.sleep(0.5)
        m0 = benchlib.machine_busy()
        before, peer_before = proc_sample(callee.proc.pid), proc_sample(caller.proc.pid)
        mark = log.mark()
        caller.send("dial", callee.uri)
        log.wait(is_event(caller.name, "CALL_RTPESTAB"), mark, what="caller RTP")
        time.sleep(seconds)
        after, peer_after = proc_sample(callee.proc.pid), proc_sample(caller.proc.pid)
        m1 = benchlib.machine_busy()
        if SMAPS is not None:
            SMAPS.append(smaps_line("baresip%s, in the call" % suffix, callee.proc.pid))
        caller.command("hangup")
        log.wait(is_event(callee.name, "CALL_CLOSED"), mark, what="callee CALL_CLOSED")
    finally:
        for phone in (caller, callee):
            phone.close()
            session.stop(phone.proc)
    load = benchlib.other_load(m0, m1, cpu_of(before, after) + cpu_of(peer_before, peer_after))
    return before, after, peer_before, peer_after, load


# One process doing one party's whole audio call with sportellod's settings and nothing else: a
# live tone encoded and sent, the same stream received back through a jitter buffer, decoded and
# played out (to fakesink, as sportellod's `audio-sink = null`).
FLOOR_PIPELINE = ("audiotestsrc is-live=true wave=sine freq=440 ! audio/x-raw,rate=48000,channels=1"
                  " ! opusenc frame-size=20 audio-type=voice bitrate=32000 ! rtpopuspay"
                  " ! udpsink host=127.0.0.1 port={port} sync=false async=false"
                  " udpsrc address=127.0.0.1 port={port}"
                  " caps=application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=96"
                  " ! rtpjitterbuffer latency=100 ! rtpopusdepay ! opusdec ! fakesink sync=true")


def memory_floor(session, seconds):
    """The memory of a bare gst-launch-1.0 call (FLOOR_PIPELINE), sampled like the callees'."""
    port = free_port()
    argv = ["gst-launch-1.0", "-q"] + FLOOR_PIPELINE.format(port=port).split()
    proc = session.spawn("memory-floor", argv)
    try:
        time.sleep(0.5)
        before = proc_sample(proc.pid)
        time.sleep(seconds)
        after = proc_sample(proc.pid)
        objects = smaps_by_object(proc.pid)
    finally:
        session.stop(proc)
    return before, after, objects


def memory_summary(sd_after, sd_objects, floor_after, floor_objects, baresip_after):
    """sportellod's RSS in the call split into what the floor's process also maps and the rest."""
    mib = lambda kb: kb / 1024  # noqa: E731
    shared = sum(rss for name, (rss, _) in sd_objects.items() if name in floor_objects)
    own = sorted(((rss, name) for name, (rss, _) in sd_objects.items() if name not in floor_objects),
                 reverse=True)
    print("\nmemory of one audio call (peak RSS, VmHWM), same run: sportellod %.2f MiB, GStreamer alone"
          " (one gst-launch-1.0 doing the call's media) %.2f MiB, baresip %.2f MiB; goal <= 16 MiB: %s"
          % (mib(sd_after["hwm"]), mib(floor_after["hwm"]), mib(baresip_after["hwm"]),
             "met" if sd_after["hwm"] <= 16 * 1024 else "MISSED"))
    print("  sportellod's RSS in the call: %.2f MiB in objects the floor's process maps too (libc, GLib,"
          " GStreamer, its plugins, [heap], anonymous), %.2f MiB in objects only sportellod maps:"
          % (mib(shared), mib(sum(rss for rss, _ in own))))
    print("    " + ", ".join("%s %.2f" % (name, mib(rss)) for rss, name in own[:16])
          + (", %d others %.2f" % (len(own) - 16, mib(sum(rss for rss, _ in own[16:]))) if len(own) > 16 else ""))


def cost_line(label, before, after):
    wall = after["t"] - before["t"]
    cpu = after["cpu"] - before["cpu"]
    cpu_ns = (after["cpu_ns"] - before["cpu_ns"]) / 1e9
    line = ("  %-24s CPU %5.2f s = %4.2f %% of one CPU (schedstat %6.3f s)   RSS %5.2f -> %5.2f MiB"
            " (anon %.2f, file %.2f)   peak RSS (VmHWM) %5.2f MiB   threads %d -> %d"
            % (label, cpu, 100 * cpu / wall, cpu_ns, before["rss"] / 1024, after["rss"] / 1024,
               after["anon"] / 1024, after["file"] / 1024, after["hwm"] / 1024, before["threads"],
               after["threads"]))
    per = []
    for key, ns in after["per_thread"].items():
        used = (ns - before["per_thread"].get(key, 0)) / 1e9
        if used >= 0.005:
            per.append((used, key[1]))
    per.sort(reverse=True)
    if per:
        line += "\n  %24s by thread: %s" % ("", ", ".join("%s %.2f s" % (name, used) for used, name in per[:8]))
    return line


def cpu_of(before, after):
    return after["cpu_ns"] / 1e9 - before["cpu_ns"] / 1e9


def srtp_series(session, log, seconds):
    """The same long call in clear and encrypted, for sportellod (callee) and for baresip."""
    print("\n== one %g s audio call each, plain RTP then SRTP (SDES keys over UDP on loopback) ==" % seconds)
    figures = {}
    for srtp in (False, True):
        kind = "SRTP" if srtp else "plain"
        before, after, pb, pa, stats, rc, _load = long_call_sportellod(session, log, seconds, srtp=srtp)
        print("baresip calls sportellod, %s: codec %s, %d RTP packets sent, %d received, exit %s"
              % (kind, stats.get("audio-codec"), stats.get("rtp-packets-sent"), stats.get("rtp-packets-received"), rc))
        print(cost_line("sportellod (callee)", before, after))
        figures[("sportellod", srtp)] = cpu_of(before, after)
        bb_before, bb_after, bpb, bpa, _bb_load = long_call_baresip(session, log, seconds, srtp=srtp)
        print("baresip calls baresip, %s:" % kind)
        print(cost_line("baresip (callee)", bb_before, bb_after))
        figures[("baresip", srtp)] = cpu_of(bb_before, bb_after)
    print("\nCPU of the callee over the call (schedstat, s): plain -> SRTP (increase)")
    for who in ("sportellod", "baresip"):
        plain, encrypted = figures[(who, False)], figures[(who, True)]
        print("  %-10s %6.3f -> %6.3f  (%+.1f %%)" % (who, plain, encrypted, 100 * (encrypted - plain) / plain))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=int(os.environ.get("BENCH_CALLS", 50)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 60)))
    parser.add_argument("--keep", action="store_true", help="keep the temporary dir (logs)")
    parser.add_argument("--events", action="store_true", help="print every event of the first two calls")
    parser.add_argument("--only", choices=("setup", "cost", "srtp"),
                        help="run only the set-up series, the long calls, or the long calls plain and with SRTP"
                             " (SDES, AES_CM_128_HMAC_SHA1_80) side by side")
    parser.add_argument("--per-call", action="store_true", help="also print every call's figures")
    parser.add_argument("--ring-ms", type=float, default=0,
                        help="inbound: let sportellod's call ring this long before Answer (an agent's reaction;"
                             " 0: at once)")
    parser.add_argument("--poll-rtp", action="store_true",
                        help="inbound: also poll GetMediaStatistics every 5 ms for our first received RTP")
    parser.add_argument("--smaps", action="store_true",
                        help="also print where each long call's callee keeps its memory (/proc/PID/smaps)")
    parser.add_argument("--debug", action="store_true",
                        help="run sportellod with G_MESSAGES_DEBUG=all (and keep the logs: implies --keep);"
                             " the logging itself slows it down")
    args = parser.parse_args()

    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % benchlib.find_sportellod())
    print("baresip: %s" % (os.popen("baresip -h 2>&1 | head -1").read().strip() or "?"))
    print("load average at start: %s" % benchlib.loadavg())
    log = EventLog()
    global DEBUG, SMAPS, RING_S
    RING_S = args.ring_ms / 1000.0
    DEBUG = args.debug
    SMAPS = [] if args.smaps else None
    with benchlib.PrivateSession(keep=args.keep or args.debug) as session:
        session.start_bus()
        # A fresh XDG_CACHE_HOME has no GStreamer registry: the first gst_init() would rebuild it
        # (once per user and plugin set, not once per call), so build it here and time it.
        t = time.monotonic()
        subprocess.run(["gst-inspect-1.0", "rtpbin"], env=session.env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
        print("GStreamer registry built in a fresh cache dir: %.2f s (before any sportellod starts; not"
              " counted below)" % (time.monotonic() - t))
        if args.keep:
            print("logs in %s" % session.root)
        if args.only in (None, "setup"):
            print("\n== call set-up on loopback, %d calls each (ms; first call shown apart) ==" % args.calls)
            out_rows, in_rows, bb_out, bb_in, codec, rc_out, rc_in = setup_series(session, log, args.calls,
                                                                                  args.events, args.poll_rtp)
            print("codec agreed (sportellod <-> baresip): %s; baresip <-> baresip: opus (first in both offers)" % codec)
            col = lambda rows, key: [r[key] for r in rows]  # noqa: E731
            print("\noutbound: t0 = Dial sent (sportellod) / 'dial' command sent (baresip); far end = callee baresip")
            print("  INVITE at the callee (its first event: CALL_REMOTE_SDP offer)")
            print("    sportellod  %s" % summary(col(out_rows, "invite")))
            print("    baresip     %s" % summary(col(bb_out, "invite")))
            print("  ACK at the callee (callee CALL_ESTABLISHED; the caller ACKs the 200 OK as it arrives)")
            print("    sportellod  %s" % summary(col(out_rows, "ack")))
            print("    baresip     %s" % summary(col(bb_out, "ack")))
            print("  caller reports the call up (State=talking, after sportellod started its media /"
                  " caller CALL_ESTABLISHED)")
            print("    sportellod  %s" % summary(col(out_rows, "ok200")))
            print("    baresip     %s" % summary(col(bb_out, "ok200")))
            print("  first RTP at the far end (callee CALL_RTPESTAB)")
            print("    sportellod  %s" % summary(col(out_rows, "rtp")))
            print("    baresip     %s" % summary(col(bb_out, "rtp")))
            print("  (Dial's D-Bus reply came after %s)" % summary(col(out_rows, "dial_reply")))
            print("\ninbound: t0 = INVITE arrived at the callee (InterfacesAdded / callee CALL_REMOTE_SDP); "
                  "sportellod answered by Session1.Answer at once, baresip by itself; far end = caller baresip")
            print("  200 OK at the caller (caller CALL_ESTABLISHED)")
            print("    sportellod  %s" % summary(col(in_rows, "ok200")))
            print("    baresip     %s" % summary(col(bb_in, "ok200")))
            print("  first RTP at the far end (caller CALL_RTPESTAB)")
            print("    sportellod  %s" % summary(col(in_rows, "rtp")))
            print("    baresip     %s" % summary(col(bb_in, "rtp")))
            print("  sportellod details: 'dial' sent -> InterfacesAdded  %s" % summary(col(in_rows, "dial_to_invite")))
            print("                      InterfacesAdded -> Answer sent  %s" % summary(col(in_rows, "answer_sent")))
            print("                      Answer round trip              %s" % summary(col(in_rows, "answer_reply")))
            print("                      Answer sent -> first RTP at the far end  %s"
                  % summary(col(in_rows, "answer_to_rtp")))
            if args.poll_rtp:
                print("                      our rtp-packets-received > 0   %s  (GetMediaStatistics polled every"
                      " 5 ms once Answer returned)" % summary(col(in_rows, "our_rtp")))
            print("sportellod exit status: outbound run %s, inbound run %s" % (rc_out, rc_in))
            if args.per_call:
                for title, rows in (("sportellod outbound", out_rows), ("sportellod inbound", in_rows),
                                    ("baresip outbound", bb_out), ("baresip inbound", bb_in)):
                    print("per call, %s:" % title)
                    for i, row in enumerate(rows):
                        print("  %3d  %s" % (i + 1, "  ".join("%s %.2f" % kv for kv in row.items())))
        if args.only == "srtp":
            srtp_series(session, log, args.seconds)
        elif args.only != "setup":
            print("\n== one %g s audio call each (CPU and memory over the call) ==" % args.seconds)
            before, after, pb, pa, stats, rc, load = long_call_sportellod(session, log, args.seconds)
            bb_before, bb_after, bpb, bpa, bb_load = long_call_baresip(session, log, args.seconds)
            print("baresip calls sportellod (sportellod answers): codec %s, %d RTP packets sent, %d received"
                  % (stats.get("audio-codec"), stats.get("rtp-packets-sent"), stats.get("rtp-packets-received")))
            print(cost_line("sportellod (callee)", before, after))
            print(cost_line("baresip (the caller)", pb, pa))
            print("baresip calls baresip:")
            print(cost_line("baresip (callee)", bb_before, bb_after))
            print(cost_line("baresip (caller)", bpb, bpa))
            ratio = cpu_of(before, after) / cpu_of(bb_before, bb_after)
            print("sportellod / baresip as callee, CPU: %.2f  (goal <= 1.1: %s)" % (ratio, "met" if ratio <= 1.1
                                                                                   else "MISSED"))
            print("  machine: %s during sportellod's call, %s during baresip's" % (load, bb_load))
            print("  (window: from 0.5 s after the processes started, through the call set-up, to the end of the"
                  " %g s of talk; CPU = utime+stime of all threads from /proc/PID/stat; VmHWM is the peak since"
                  " the process started; a fresh sportellod, so its window includes the lazy GStreamer start)"
                  % args.seconds)
            print("sportellod exit status: %s" % rc)
            floor_before, floor_after, floor_objects = memory_floor(session, min(args.seconds, 10))
            print(cost_line("GStreamer alone (floor)", floor_before, floor_after))
            memory_summary(after, stats["smaps"], floor_after, floor_objects, bb_after)
        for line in SMAPS or []:
            print(line)
    print("\nload average at end: %s" % benchlib.loadavg())


if __name__ == "__main__":
    main()
