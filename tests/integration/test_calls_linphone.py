"""Calls with linphonec 5.1 (Debian's linphone-cli) as a second, independent softphone: both
directions, Hold/Retrieve, video escalation and BYE from each side. Each side sends a tone of
its own (ours 440 Hz, linphonec's 1000 Hz) and must hear the other's; video is checked by the
colours each side decodes. linphonec differs from baresip where it matters here: it offers
telephone-event at 48000, 16000 and 8000 Hz, answers a re-offer with every format it accepts,
and follows a payload type that moves (the reason its calls used to die on the first
re-INVITE)."""

import time

import pytest

from conftest import AGENT, ROOT, SESSION, SignalRecorder, free_port, wait_for
from linphone import Linphone, solid_jpeg
from peers import dominant_tone, sportello_config, tone_file
from videopeer import near

OURS, THEIRS = 440, 1000
CANDIDATES = (OURS, THEIRS, 700, 1500)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)


class Agent:
    """sportellod with a test tone, a recording of what it hears, and video allowed."""

    def __init__(self, testenv, video=False):
        self.env = testenv
        self.port = free_port()
        self.wav = testenv.root / "received.wav"
        extra = "\n[video]\nallowed = true\nremote-offers = accept\n"
        config = sportello_config(testenv, self.port, extra=extra, audio_sink=f"file:{self.wav}")
        if video:
            config.write_text(config.read_text().replace("camera = none", "camera = pipewire"))
        self.proc = testenv.start_sportellod(config=config)
        self.added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                    ROOT)

    @property
    def uri(self):
        return f"sip:agent1@127.0.0.1:{self.port}"

    def prop(self, path, name):
        return self.env.get_property(SESSION, name, path=path)

    def wait(self, path, name, value, timeout=15):
        wait_for(lambda: self.prop(path, name) == value, timeout, what=f"{name} = {value}")

    def call(self, path, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=path)

    def stats(self, path):
        return self.env.call(SESSION, "GetMediaStatistics", path=path)

    def next_session(self):
        return self.added.wait(lambda e: SESSION in e[3][1], what="a new session")[3][0]

    def packets_grow(self, path, key, count, timeout=10):
        start = self.stats(path)[key]
        wait_for(lambda: self.stats(path)[key] >= start + count, timeout, what=f"{count} more {key}")

    def sent_while_quiet(self, path, seconds=1.0):
        before = self.stats(path)["rtp-packets-sent"]
        time.sleep(seconds)
        return self.stats(path)["rtp-packets-sent"] - before

    def stop(self):
        self.added.close()
        self.env.stop_sportellod(self.proc)  # finalizes the recording


def hold_and_retrieve(agent, phone, path):
    """Hold: linphonec is told it is paused, nothing leaves us; Retrieve: both ways again."""
    agent.call(path, "Hold")
    assert agent.prop(path, "State") == "held"
    phone.expect(r"Call \d+ has been paused by")
    time.sleep(0.5)  # packets already in flight
    assert agent.sent_while_quiet(path) <= 2
    agent.call(path, "Retrieve")
    assert agent.prop(path, "State") == "talking"
    phone.expect(r"Media streams established with .* for call \d+")  # its word for resumed
    agent.packets_grow(path, "rtp-packets-sent", 50)
    agent.packets_grow(path, "rtp-packets-received", 50)


def check_tones(agent, phone):
    heard, lead, seconds = dominant_tone(agent.wav, CANDIDATES)
    assert seconds > 1.0, f"sportellod recorded only {seconds:.1f} s"
    assert heard == THEIRS and lead > 10, f"sportellod heard {heard} Hz (lead {lead:.1f})"
    heard, lead, seconds = dominant_tone(phone.recording, CANDIDATES)
    assert seconds > 1.0, f"linphonec recorded only {seconds:.1f} s"
    assert heard == OURS and lead > 10, f"linphonec heard {heard} Hz (lead {lead:.1f})"


def test_linphone_calls_in_holds_and_hangs_up(testenv):
    agent = Agent(testenv)
    phone = Linphone(testenv, tone_wav=tone_file(testenv, THEIRS, rate=48000), video=False)
    phone.call(agent.uri)
    path = agent.next_session()
    assert agent.prop(path, "Remote").startswith("sip:customer@127.0.0.1")
    agent.call(path, "Answer")
    phone.expect(r"Call \d+ with .* connected")
    agent.packets_grow(path, "rtp-packets-received", 100)
    assert agent.stats(path)["audio-codec"] == "opus/48000"
    hold_and_retrieve(agent, phone, path)
    hold_and_retrieve(agent, phone, path)  # and once more: the second re-offer keeps the PTs too
    phone.command("terminate")
    agent.wait(path, "State", "disconnected")
    assert agent.prop(path, "EndReason")[:2] == ("remote", "hangup")
    phone.expect(r"Call \d+ with .* ended")
    agent.stop()
    phone.close()
    check_tones(agent, phone)


def test_agent_calls_linphone_and_hangs_up(testenv):
    agent = Agent(testenv)
    phone = Linphone(testenv, tone_wav=tone_file(testenv, THEIRS, rate=48000), video=False)
    path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
    agent.wait(path, "State", "talking")
    phone.expect(r"Call \d+ with .* connected")
    agent.packets_grow(path, "rtp-packets-received", 100)
    hold_and_retrieve(agent, phone, path)
    agent.call(path, "Disconnect")
    assert agent.prop(path, "EndReason")[:2] == ("local", "hangup")
    phone.expect(r"Call \d+ with .* ended")
    agent.stop()
    phone.close()
    check_tones(agent, phone)


@pytest.fixture
def camera(testenv, pipewire):
    pipewire.start()
    pipewire.start_camera(colour=GREEN)
    return pipewire


@pytest.mark.parametrize("direction", ["inbound", "outbound"])
def test_video_escalation_with_linphone(testenv, camera, direction):
    agent = Agent(testenv, video=True)
    wait_for(lambda: testenv.get_property(AGENT, "CameraAvailable"), 15, what="CameraAvailable")
    picture = solid_jpeg(testenv.root / "blue.jpg", BLUE)
    phone = Linphone(testenv, tone_wav=tone_file(testenv, THEIRS, rate=48000), picture=picture)
    if direction == "inbound":
        phone.call(agent.uri)
        path = agent.next_session()
        agent.call(path, "Answer")
    else:
        path = testenv.call(AGENT, "Dial", "sa{ss}", (phone.uri, {}))
        agent.wait(path, "State", "talking")
    phone.expect(r"Call \d+ with .* connected")
    agent.packets_grow(path, "rtp-packets-received", 50)

    agent.call(path, "ActivateVideo")
    assert agent.prop(path, "Video") == "active"
    wait_for(lambda: agent.stats(path)["video-frames-decoded"] >= 10, 20, what="linphonec's pictures decoded")
    assert agent.stats(path)["video-codec"] == "VP8"
    wait_for(lambda: near(phone.received_colour(), GREEN), 20, what="linphonec sees the agent's green")

    # Hold stops video too, Retrieve brings it back; the voice call survives every re-INVITE.
    hold_and_retrieve(agent, phone, path)
    assert agent.prop(path, "Video") == "active"
    frames = agent.stats(path)["video-frames-decoded"]
    wait_for(lambda: agent.stats(path)["video-frames-decoded"] > frames + 5, 20, what="video again after Retrieve")
    agent.call(path, "DeactivateVideo")
    assert agent.prop(path, "Video") == "paused"
    agent.call(path, "ActivateVideo")
    assert agent.prop(path, "Video") == "active"
    assert agent.prop(path, "State") == "talking"

    if direction == "inbound":
        agent.call(path, "Disconnect")
        phone.expect(r"Call \d+ with .* ended")
    else:
        phone.command("terminate")
        agent.wait(path, "State", "disconnected")
        assert agent.prop(path, "EndReason")[:2] == ("remote", "hangup")
    agent.stop()
    phone.close()
