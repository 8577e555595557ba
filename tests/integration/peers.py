"""Real SIP peers for the integration tests: sipp scenarios, a baresip softphone driven over
its ctrl_tcp interface, and kamailio as registrar. Every peer runs on 127.0.0.1 with ports
picked at run time and is stopped by PID through the TestEnv's Processes."""

import json
import os
import socket
import subprocess
import textwrap
import time
from pathlib import Path

from conftest import free_port, wait_for
from ports import free_port_range
from timescale import scaled

SIPP_DIR = Path(__file__).parent / "sipp"


def sportello_config(testenv, sip_port, extra="", registrar="", rtp_range=None, case_keys="Priority;Product;Serial",
                     dispositions="resolved=Resolved;callback=Call back", required="false", visible="true",
                     audio_source="test", audio_sink="null", rtp_timeout=30, case_from_attached=""):
    """A config for a SIP test: loopback, a free SIP port, test tone and null sink."""
    if rtp_range is None:
        base = free_port_range(100)
        rtp_range = f"{base}-{base + 99}"
    return testenv.write_config(textwrap.dedent(f"""\
        [account]
        uri = sip:agent1@127.0.0.1
        display-name = Anna Verdi
        registrar = {registrar}
        listen = 127.0.0.1:{sip_port}
        transport = udp

        [media]
        audio-source = {audio_source}
        audio-sink = {audio_sink}
        camera = none
        rtp-ports = {rtp_range}
        rtp-timeout = {rtp_timeout}

        [dispositions]
        codes = {dispositions}
        required = {required}
        visible = {visible}

        [case-data]
        keys = {case_keys}
        from-attached = {case_from_attached}

        [attached-data]
        headers = X-Account-Number=AccountNumber;X-Service-Type=ServiceType
        """) + extra)


class Sipp:
    """One sipp run of a scenario file from tests/integration/sipp/ (or a built-in one)."""

    def __init__(self, testenv, name, scenario, remote=None, port=None, extra=(), calls=1, timeout=30):
        self.testenv = testenv
        self.name = name
        # Ports are picked free but bound later; when tests run in parallel another process may
        # take one in between. sipp then exits at once ("bind"): start again on other ports.
        for attempt in range(3):
            self.port = port or free_port()
            self.media_port = free_port()
            self._start(scenario, remote, extra, calls, timeout)
            if not self._lost_a_port() or port:
                break
        if not remote:
            # A UAS must be listening before anyone calls it (else: ICMP, 503).
            wait_for(self._listening, 10, what=f"sipp {name} on port {self.port}")

    def _start(self, scenario, remote, extra, calls, timeout):
        tmp = self.testenv.tmp
        argv = ["sipp", "-i", "127.0.0.1", "-p", str(self.port), "-mp", str(self.media_port), "-m", str(calls),
                "-nostdin", "-timeout", f"{timeout}s", "-timeout_error", "-trace_msg", "-message_file",
                str(tmp / f"{self.name}.messages"), "-trace_err", "-error_file", str(tmp / f"{self.name}.errors")]
        if scenario.startswith("builtin:"):
            argv += ["-sn", scenario.split(":", 1)[1]]
        else:
            argv += ["-sf", str(SIPP_DIR / scenario)]
        argv += list(extra)
        if remote:
            argv.append(remote)
        self.proc = self.testenv.procs.start(self.name, argv, self.testenv.env, cwd=str(tmp))

    def _lost_a_port(self):
        """True when sipp stopped at once because one of its ports was taken. "At once" stretches
        with the machine's load: a sipp slow to fail its bind would otherwise go unnoticed and
        the call it should place would never come."""
        deadline = time.monotonic() + scaled(0.3)
        while time.monotonic() < deadline and self.proc.poll() is None:
            time.sleep(0.02)
        if self.proc.poll() in (None, 0):
            return False
        log = self.proc.log_path.read_text(errors="replace").lower()
        return "bind" in log or "address already in use" in log

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"sipp {self.name} exited {self.proc.returncode}:\n{self.report()}")
        out = subprocess.run(["ss", "-Hlun", f"sport = :{self.port}"], capture_output=True, text=True).stdout
        return f":{self.port}" in out

    @property
    def uri(self):
        return f"sip:customer@127.0.0.1:{self.port}"

    def wait(self, timeout=40):
        """Waits for sipp to finish by itself; returns its exit status (0: scenario passed)."""
        try:
            return self.proc.wait(scaled(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return -1

    def messages(self):
        path = self.testenv.tmp / f"{self.name}.messages"
        return path.read_text(errors="replace") if path.exists() else ""

    def report(self):
        log = self.proc.log_path.read_text(errors="replace") if self.proc.log_path.exists() else ""
        errors = self.testenv.tmp / f"{self.name}.errors"
        return log[-3000:] + (errors.read_text(errors="replace")[-3000:] if errors.exists() else "")

    def assert_passed(self, timeout=40):
        rc = self.wait(timeout)
        assert rc == 0, f"sipp {self.name} exited {rc}:\n{self.report()}"


class Baresip:
    """baresip 1.0.0 as the customer's softphone, auto-answering, driven over ctrl_tcp."""

    def __init__(self, testenv, name="baresip", tone=440, audio_file=None, register_to=None, user="customer",
                 record_dir=None, password=None, codecs=("opus", "g711"), video=False, video_size="640x480",
                 video_fps=30, answermode="auto", mediaenc=None, tls=None):
        """answermode="manual" lets calls ring unanswered. video=True loads vp8, fakevideo (the source: vertical red/green/blue bars; the display:
        discards) and snapshot (snapshot_recv/snapshot_send), so baresip offers and accepts VP8
        video; video=False (the default) loads no video module, so it refuses video (m=video 0).
        mediaenc="srtp" offers SDES keys on RTP/AVP, "srtp-mand" RTP/SAVP (SRTP or no call).
        tls=(certificate and key PEM, CA PEM): SIP over TLS, listening on the SIP port + 1."""
        self.tls = tls
        self.testenv = testenv
        self.name = name
        self.user = user
        self.sip_port = free_port()
        self.ctrl_port = free_port(socket.SOCK_STREAM)
        rtp = free_port_range(100)
        self.dir = testenv.root / name
        self.dir.mkdir()
        source = f"aufile,{audio_file}" if audio_file else f"ausine,{tone}"
        # Codec preference follows module load order: opus before g711 (ausine is 48 kHz only).
        modules = [f"{c}.so" for c in codecs] + ["ausine.so", "aufile.so", "aubridge.so"]
        if record_dir:
            modules.append("sndfile.so")
        if video:
            modules += ["vp8.so", "fakevideo.so", "snapshot.so"]
        if mediaenc:
            modules.append("srtp.so")
        config = [
            "poll_method epoll", f"sip_listen 127.0.0.1:{self.sip_port}", "net_interface 127.0.0.1",
            "call_local_timeout 120", "call_max_calls 4", f"audio_source {source}", "audio_player aubridge,nil",
            "audio_alert aubridge,nil", "rtcp_mux no", "jitter_buffer_delay 5-10", f"rtp_ports {rtp}-{rtp + 99}",
            "module_path /usr/lib/baresip/modules",
        ]
        if video:
            config += ["video_source fakevideo,nil", "video_display fakevideo,nil", f"video_size {video_size}",
                       f"video_fps {video_fps}.00", "video_bitrate 1000000"]
        config += [f"module {m}" for m in modules]
        config += ["module_app account.so", "module_app menu.so", "module_app ctrl_tcp.so",
                   f"ctrl_tcp_listen 127.0.0.1:{self.ctrl_port}"]
        if record_dir:
            config.append(f"snd_path {record_dir}")
        if tls:
            config += [f"sip_certificate {tls[0]}", f"sip_cafile {tls[1]}"]
        (self.dir / "config").write_text("\n".join(config) + "\n")
        if register_to:
            auth = f";auth_pass={password}" if password else ""
            account = f"<sip:{user}@{register_to}>{auth};regint=60;answermode={answermode}"
        else:
            account = f"<sip:{user}@127.0.0.1:{self.sip_port}>;regint=0;answermode={answermode}"
        if tls:
            account = account.replace(">;", ";transport=tls>;", 1)
        if mediaenc:
            account += f";mediaenc={mediaenc}"
        (self.dir / "accounts").write_text(account + "\n")
        (self.dir / "contacts").write_text("")
        self.proc = testenv.procs.start(name, ["baresip", "-4", "-f", str(self.dir)], testenv.env)
        self.sock = None
        self.buffer = b""
        self.events = []
        self._connect()

    @property
    def uri(self):
        if self.tls:
            return f"sip:{self.user}@127.0.0.1:{self.sip_port + 1};transport=tls"
        return f"sip:{self.user}@127.0.0.1:{self.sip_port}"

    def _connect(self):
        def connect():
            if self.proc.poll() is not None:
                raise AssertionError(f"baresip exited {self.proc.returncode}:\n{self.proc.log_path.read_text()}")
            try:
                return socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
            except OSError:
                return None

        self.sock = wait_for(connect, 10, what="baresip ctrl_tcp")
        self.sock.settimeout(0.1)

    def _read(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return
        self.buffer += data
        while b":" in self.buffer:
            length, rest = self.buffer.split(b":", 1)
            if not length.isdigit() or len(rest) < int(length) + 1:
                return
            n = int(length)
            message = json.loads(rest[:n].decode())
            self.buffer = rest[n + 1:]
            self.events.append(message)

    def command(self, command, params="", token="t"):
        payload = json.dumps({"command": command, "params": params, "token": token}).encode()
        self.sock.sendall(str(len(payload)).encode() + b":" + payload + b",")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            self._read()
            for event in self.events:
                if event.get("response") and event.get("token") == token:
                    self.events.remove(event)
                    return event
        raise AssertionError(f"baresip did not answer {command}")

    def wait_event(self, event_type, timeout=15):
        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            self._read()
            for event in self.events:
                if event.get("event") and event.get("type") == event_type:
                    self.events.remove(event)
                    return event
        raise AssertionError(f"baresip: no {event_type} within {timeout}s; saw {self.events}")

    def snapshot(self, which="recv", path=None, timeout=10):
        """Saves the next decoded received frame (which="recv") or the next frame sent ("send") as
        a PNG with snapshot.so's snapshot_recv/snapshot_send command; waits for the file and
        returns its path. Needs video=True and a call with video. baresip copies the path into a
        100-byte buffer: keep it short (the default is under testenv.root, in /tmp)."""
        self.snapshots = getattr(self, "snapshots", 0) + 1
        path = Path(path or self.testenv.root / f"{self.name}-{which}{self.snapshots}.png")
        assert len(str(path)) < 100, f"{path}: baresip truncates snapshot paths at 99 bytes"
        if path.exists():
            path.unlink()
        reply = self.command(f"snapshot_{which}", str(path), token=f"snap{self.snapshots}")
        assert reply.get("ok"), f"baresip snapshot_{which}: {reply}"

        def written():
            # png_save_vidframe writes the file in one go, then closes it: wait for IEND.
            return path.exists() and path.read_bytes()[-8:-4] == b"IEND"

        wait_for(written, timeout, what=f"baresip's snapshot {path}")
        return path

    def received_colour(self, region="whole", timeout=10):
        """Mean (r, g, b) of the next received frame, or of a region of it (display.region_box)."""
        from display import image_colour
        return image_colour(self.snapshot("recv", timeout=timeout), region)

    def close(self):
        if self.sock:
            self.sock.close()


KAMAILIO_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
fork=yes
children=2
auto_aliases=no
dns=no
rev_dns=no
listen=udp:127.0.0.1:{port}
alias="127.0.0.1:{port}"
{tls_listen}
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"
{tls_module}
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "auth.so"
modparam("usrloc", "db_mode", 0)
request_route {{
    if (!mf_process_maxfwd_header("10")) {{ sl_send_reply("483", "Too Many Hops"); exit; }}
    if (!sanity_check()) {{ exit; }}
    xlog("L_INFO", "$rm $ru from $si:$sp proto=$pr\\n");
    if (is_method("OPTIONS") && uri == myself && $rU == $null) {{ sl_send_reply("200", "Keepalive"); exit; }}
    if (has_totag()) {{
        if (loose_route()) {{ t_relay(); exit; }}
        if (is_method("ACK")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
        sl_send_reply("404", "Not here"); exit;
    }}
    if (is_method("CANCEL")) {{ if (t_check_trans()) {{ t_relay(); }} exit; }}
    if (is_method("REGISTER")) {{
        if (!pv_www_authenticate("$td", "{password}", "0")) {{ www_challenge("$td", "0"); exit; }}
        if (!save("location")) {{ sl_reply_error(); }}
        exit;
    }}
    record_route();
{queue_routes}
    if (uri == myself) {{ if (!lookup("location")) {{ sl_send_reply("404", "Not Found"); exit; }} }}
    if (!t_relay()) {{ sl_reply_error(); }}
}}
"""


KAMAILIO_TLS_MODULE = """loadmodule "tls.so"
modparam("tls", "certificate", "{certificate}")
modparam("tls", "private_key", "{private_key}")
modparam("tls", "tls_method", "TLSv1.2+")
modparam("tls", "verify_certificate", 0)
modparam("tls", "require_certificate", 0)"""


class Kamailio:
    """kamailio 5.6 as registrar and proxy with digest authentication (one shared password).
    QUEUES maps a queue's user part to the registered agent its calls go to. tls=(certificate
    PEM, key PEM) adds a TLS listener on tls_port (kamailio-tls-modules); uri then names it."""

    def __init__(self, testenv, password, port=None, name="kamailio", queues=None, tls=None):
        self.port = port or free_port()
        self.tls_port = free_port(socket.SOCK_STREAM) if tls else None
        self.dir = testenv.root / name
        self.dir.mkdir(exist_ok=True)
        cfg = self.dir / "kamailio.cfg"
        routes = "\n".join(f'    if ($rU == "{queue}") {{ $rU = "{agent}"; }}'
                            for queue, agent in (queues or {}).items())
        tls_listen = (f'enable_tls=yes\nlisten=tls:127.0.0.1:{self.tls_port}\nalias="127.0.0.1:{self.tls_port}"'
                      if tls else "")
        tls_module = KAMAILIO_TLS_MODULE.format(certificate=tls[0], private_key=tls[1]) if tls else ""
        cfg.write_text(KAMAILIO_CFG.format(port=self.port, password=password, queue_routes=routes,
                                           tls_listen=tls_listen, tls_module=tls_module))
        check = subprocess.run(["kamailio", "-c", "-f", str(cfg)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = testenv.procs.start(name, ["kamailio", "-f", str(cfg), "-DD", "-E", "-Y", str(self.dir), "-P",
                                               str(self.dir / "kamailio.pid"), "-w", str(self.dir)], testenv.env)
        wait_for(self._listening, 10, what="kamailio listening")

    def _listening(self):
        out = subprocess.run(["ss", "-lun"], capture_output=True, text=True).stdout
        return f"127.0.0.1:{self.port}" in out

    @property
    def uri(self):
        if self.tls_port:
            return f"sip:127.0.0.1:{self.tls_port};transport=tls"
        return f"sip:127.0.0.1:{self.port}"


def tone_file(testenv, frequency, rate=8000, seconds=20, name=None):
    """A mono 16-bit WAV of a sine tone, made with GStreamer (for baresip's aufile source)."""
    path = testenv.root / (name or f"tone{frequency}-{rate}.wav")
    buffers = seconds * 10
    subprocess.run(["gst-launch-1.0", "-q", "audiotestsrc", f"freq={frequency}", "volume=0.5", f"num-buffers={buffers}",
                    f"samplesperbuffer={rate // 10}", "!", f"audio/x-raw,rate={rate},channels=1,format=S16LE", "!",
                    "wavenc", "!", "filesink", f"location={path}"], check=True, env=testenv.env)
    return path


def read_wav(path):
    """Returns (rate, samples of the first channel as ints)."""
    import array
    import wave
    with wave.open(str(path), "rb") as w:
        rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        data = w.readframes(w.getnframes())
    assert width == 2, f"{path}: {width * 8}-bit samples"
    samples = array.array("h", data)
    return rate, samples[::channels]


def tone_power(samples, rate, frequency):
    """Goertzel: the power of one frequency, normalised by the number of samples."""
    import math
    n = len(samples)
    if n == 0:
        return 0.0
    coeff = 2 * math.cos(2 * math.pi * frequency / rate)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2, s1 = s1, s0
    return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / n


def dominant_tone(path, candidates, skip_seconds=0.5):
    """Which of the candidate frequencies is loudest in the WAV (after a short lead-in), and its
    lead over the runner-up."""
    rate, samples = read_wav(path)
    samples = samples[int(rate * skip_seconds):]
    powers = {f: tone_power(samples, rate, f) for f in candidates}
    ranked = sorted(powers, key=powers.get, reverse=True)
    lead = powers[ranked[0]] / max(powers[ranked[1]], 1e-9)
    return ranked[0], lead, len(samples) / rate
