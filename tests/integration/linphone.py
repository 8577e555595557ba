"""linphonec 5.1 (Debian's linphone-cli) as the customer's second, independent softphone.

linphonec is driven through its command line on stdin and read from its output (TESTENV.md
§5.4): it needs $HOME/.local/share/linphone to exist or it never listens, and without a sound
card it sends audio only in "files" mode, from the WAV given to `play`, and writes what it
receives to the WAV given to `record`. Its camera is the StaticImage device, showing a picture
set with `staticpic set`; `snapshot FILE` writes the next received video frame as a JPEG.
Everything runs on 127.0.0.1 with ports picked at run time; the process is stopped by PID."""

import re
import subprocess
import time
from pathlib import Path

from conftest import free_port, wait_for
from ports import even_free_port
from timescale import describe, scaled


def solid_jpeg(path, colour, size="640x480"):
    """A JPEG of one colour, for linphonec's static picture."""
    subprocess.run(["convert", "-size", size, "xc:rgb(%d,%d,%d)" % tuple(colour), str(path)], check=True)
    return path


class Linphone:
    def __init__(self, testenv, name="linphone", tone_wav=None, picture=None, video=True,
                 auto_answer=True, user="customer", srtp=None, pcmu_only=False):
        """tone_wav: what it sends as audio; picture: a JPEG it sends as video (else
        linphone's own default picture); video=False disables video altogether (it then
        refuses video offers with port 0); srtp: None, "preferred" (offers and accepts SDES
        SRTP, falls back to RTP) or "mandatory" (RTP/SAVP only); pcmu_only: G.711 u-law only,
        so a packet sent in clear would carry its audio as it is."""
        self.testenv = testenv
        self.name = name
        self.user = user
        self.dir = testenv.root / name
        self.home = self.dir / "home"
        (self.home / ".local" / "share" / "linphone").mkdir(parents=True)
        self.sip_port = free_port()
        audio, video_port = even_free_port(), even_free_port()
        self.audio_port = audio
        rc = [
            # ipv6_migration_done=1: else linphonec "migrates" to IPv6 and writes the host's IPv6 address
            # in its SDP, whatever it binds ([net] ipv6=0 alone is not enough).
            "[sip]", f"sip_port={self.sip_port}", "sip_tcp_port=0", "sip_tls_port=0", "bind_address=127.0.0.1",
            "ipv6_migration_done=1", "use_ipv6=0", "prefer_ipv6=0", "guess_hostname=0", "register_only_when_network_is_up=0", "inc_timeout=120",
            f'contact="Customer" <sip:{user}@127.0.0.1:{self.sip_port}>',
            *(["media_encryption=srtp", f"media_encryption_mandatory={int(srtp == 'mandatory')}"] if srtp else []),
            "[net]", "ipv6=0",
            # [rtp] bind_address: the address its SDP advertises (else the default route's).
            "[rtp]", "bind_address=127.0.0.1", f"audio_rtp_port={audio}", f"video_rtp_port={video_port}", "audio_jitt_comp=60",
            "[sound]", "echocancellation=0",
            "[video]", f"enabled={int(video)}", f"display={int(video)}", "displaytype=MSExtDisplay", f"capture={int(video)}",
            "automatically_accept=1", "automatically_initiate=0", "device=StaticImage: Static picture",
            "size=vga", "show_local=0",
        ]
        self.rc = self.dir / "linphonerc"
        self.rc.write_text("\n".join(rc) + "\n")
        env = dict(testenv.env, HOME=str(self.home))
        # -d 6 -l: its full log (SIP messages included) beside the test's other logs.
        argv = ["linphonec", "-c", str(self.rc), "-d", "6", "-l", str(testenv.tmp / f"{name}-debug.log")]
        if video:
            argv.append("-V")  # capture and display: without it linphonec disables video altogether
        if auto_answer:
            argv.append("-a")
        self.proc = testenv.procs.start(name, argv, env, stdin=subprocess.PIPE)
        self.read_from = 0
        wait_for(self._listening, 15, what=f"linphonec {name} on port {self.sip_port}")
        self.command("soundcard use files")
        if pcmu_only:
            self._only_codec("PCMU")
        if tone_wav:
            self.command(f"play {tone_wav}")
        self.recording = self.dir / "received.wav"
        self.command(f"record {self.recording}")
        if picture:
            self.command(f"staticpic set {picture}")

    def _only_codec(self, name):
        """Disables every audio codec but NAME (linphonec lists about twenty, numbered; it
        ignores numbers it does not have)."""
        self.command("codec list")
        keep = int(self.expect(rf"(\d+): {name} \(\d+\) enabled").group(1))
        for index in range(40):
            if index != keep:
                self.command(f"codec disable {index}")

    @property
    def uri(self):
        return f"sip:{self.user}@127.0.0.1:{self.sip_port}"

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"linphonec exited {self.proc.returncode}:\n{self.log()[-3000:]}")
        out = subprocess.run(["ss", "-Hlun", f"sport = :{self.sip_port}"], capture_output=True, text=True).stdout
        return f":{self.sip_port}" in out

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def log(self):
        return self.proc.log_path.read_text(errors="replace")

    def expect(self, pattern, timeout=15):
        """Waits for a line matching pattern in the output written since the last expect();
        returns the match. Lines before it are consumed."""
        deadline = time.monotonic() + scaled(timeout)
        regex = re.compile(pattern)
        while True:
            text = self.log()
            match = regex.search(text, self.read_from)
            if match:
                self.read_from = match.end()
                return match
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"linphonec {self.name}: no /{pattern}/ within {describe(timeout)}; "
                                     f"output since:\n{text[self.read_from:][-4000:]}")
            time.sleep(0.05)

    def seen(self, pattern):
        """Whether pattern occurs anywhere in the output so far."""
        return re.search(pattern, self.log()) is not None

    def call(self, uri, video=False):
        self.command(f"call {uri}" + ("" if video else " --audio-only"))

    def snapshot(self, timeout=10):
        """Writes the next received video frame as a JPEG and returns its path."""
        self.snapshots = getattr(self, "snapshots", 0) + 1
        path = self.dir / f"snapshot{self.snapshots}.jpg"
        self.command(f"snapshot {path}")
        wait_for(lambda: path.exists() and path.stat().st_size > 0 and path.read_bytes()[-2:] == b"\xff\xd9",
                 timeout, what=f"linphonec's snapshot {path}")
        return path

    def received_colour(self, timeout=10):
        from display import image_colour
        return image_colour(self.snapshot(timeout), "whole")

    def close(self):
        if self.proc.poll() is None:
            try:
                self.command("quit")
                self.proc.wait(scaled(10))
            except (BrokenPipeError, subprocess.TimeoutExpired):
                pass
        self.testenv.procs.stop(self.proc)
