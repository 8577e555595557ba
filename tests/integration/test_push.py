"""Video push with real components: the agent's PipeWire camera is green, the catalogue clip is
red, and the contact (sipp for SIP, videopeer.py decoding the RTP) sees green -> red after
StartPush -> green after StopPush and after the clip ends by itself. No re-INVITE is sent for
any of it, each switch starts with a key frame, and the history lists every push."""

import random
import shutil
import sqlite3
import subprocess
import time

import pytest

from conftest import SESSION, SignalRecorder, wait_for
from test_video import BLUE, GREEN, RED, Agent, Contact, wait_camera
from videopeer import near

AGENT_IFACE = "org.sportello.Agent1"


def make_clip(path, colour, seconds, audio=True):
    """A WebM (VP8, Opus tone) of one colour."""
    rgb = "0xff%02x%02x%02x" % colour
    argv = ["gst-launch-1.0", "-q", "webmmux", "name=mux", "!", "filesink", f"location={path}",
            "videotestsrc", f"num-buffers={seconds * 30}", "pattern=solid-color", f"foreground-color={rgb}", "!",
            "video/x-raw,width=320,height=240,framerate=30/1", "!", "vp8enc", "deadline=1", "!", "mux."]
    if audio:
        argv += ["audiotestsrc", f"num-buffers={seconds * 47}", "freq=1500", "!", "audioconvert", "!", "opusenc",
                 "!", "mux."]
    subprocess.run(argv, check=True, timeout=60)
    return path


def add_item(testenv, path, title):
    return testenv.call(AGENT_IFACE, "AddPushItem", "sssu", (str(path), title, "", 0))


def invites(contact):
    return contact.sipp.messages().count("INVITE sip:")


def pushes_in_history(testenv):
    with sqlite3.connect(testenv.db_path) as db:
        return db.execute("SELECT item_id, ended_by, started, ended FROM interaction_pushes ORDER BY started").fetchall()


@pytest.fixture
def call_with_video(testenv, pipewire):
    pipewire.start()
    pipewire.start_camera(colour=GREEN)
    agent = Agent(testenv)
    wait_camera(testenv)
    clip = add_item(testenv, make_clip(testenv.root / "red.webm", RED, 2), "Red clip")
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    contact.follow(video=True)
    contact.peer.wait_colour(GREEN)
    yield agent, contact, path, clip
    contact.stop()
    agent.stop()


def key_frame_after(agent, path, keys):
    """A key frame follows the switch: the colour may show a moment earlier (the frame in the
    encoder when the switch came can be a delta one), so the counter is waited for."""
    wait_for(lambda: agent.stats(path)["video-key-frames-sent"] > keys, timeout=3,
             what="a key frame after the switch")


def test_push_replaces_the_camera_and_comes_back(testenv, call_with_video):
    agent, contact, path, clip = call_with_video
    ended = SignalRecorder(testenv.connection, SESSION, "PushEnded", path)
    before = invites(contact)
    keys = agent.stats(path)["video-key-frames-sent"]

    # StartPush: red at the contact, with a key frame; Push names the item.
    agent.call(path, "StartPush", "s", (clip,))
    assert agent.prop(path, "Push") == clip
    contact.peer.wait_colour(RED, timeout=5)
    key_frame_after(agent, path, keys)
    # StopPush: green again at once.
    keys = agent.stats(path)["video-key-frames-sent"]
    agent.call(path, "StopPush")
    assert agent.prop(path, "Push") == ""
    contact.peer.wait_colour(GREEN, timeout=5)
    key_frame_after(agent, path, keys)

    # The clip ends by itself (2 s): green again, PushEnded says so.
    agent.call(path, "StartPush", "s", (clip,))
    contact.peer.wait_colour(RED, timeout=5)
    signal = ended.wait(lambda e: True, timeout=10, what="PushEnded")
    assert signal[3] == (clip, "end-of-clip", "")
    assert agent.prop(path, "Push") == ""
    contact.peer.wait_colour(GREEN, timeout=5)

    # None of it renegotiated anything; the voice call is untouched.
    assert invites(contact) == before
    assert agent.prop(path, "State") == "talking"
    agent.call(path, "Disconnect")
    agent.call(path, "MarkDone")
    assert [(item, how) for item, how, _, _ in pushes_in_history(testenv)] == [
        (clip, "stop"), (clip, "end-of-clip")]
    for _, _, started, finished in pushes_in_history(testenv):
        assert finished > started > 0
    contact.sipp.assert_passed()
    ended.close()


def test_switching_clips_and_bad_input(testenv, call_with_video):
    agent, contact, path, clip = call_with_video
    blue = add_item(testenv, make_clip(testenv.root / "blue.webm", BLUE, 4, audio=False), "Blue clip")
    assert testenv.call_error(SESSION, "StartPush", "s", ("no-such-item",), path=path)[0] == \
        "org.sportello.Error.NotFound"
    assert testenv.call_error(SESSION, "StopPush", path=path)[0] == "org.sportello.Error.InvalidState"
    agent.call(path, "StartPush", "s", (clip,))
    contact.peer.wait_colour(RED, timeout=5)
    agent.call(path, "StartPush", "s", (blue,))  # switches clips
    assert agent.prop(path, "Push") == blue
    contact.peer.wait_colour(BLUE, timeout=5)
    # Deactivating video ends the push; pushing needs active video.
    agent.call(path, "DeactivateVideo")
    assert agent.prop(path, "Push") == ""
    assert testenv.call_error(SESSION, "StartPush", "s", (clip,), path=path)[0] == \
        "org.sportello.Error.InvalidState"
    agent.call(path, "Disconnect")
    agent.call(path, "MarkDone")
    assert [(item, how) for item, how, _, _ in pushes_in_history(testenv)] == [(clip, "stop"), (blue, "stop")]
    contact.sipp.assert_passed()


def test_a_clip_that_breaks_mid_push_returns_to_the_camera(testenv, call_with_video):
    agent, contact, path, clip = call_with_video
    ended = SignalRecorder(testenv.connection, SESSION, "PushEnded", path)
    item = next(i for i in testenv.call(AGENT_IFACE, "ListPushItems") if i["id"] == clip)
    stored = item["path"]
    # The stored copy is damaged after it was accepted: a good start, then noise.
    data = bytearray(open(stored, "rb").read())
    cut = len(data) // 3
    data[cut:] = random.Random(7).randbytes(len(data) - cut)
    open(stored, "wb").write(bytes(data))
    agent.call(path, "StartPush", "s", (clip,))
    signal = ended.wait(lambda e: True, timeout=10, what="PushEnded")
    assert signal[3][0] == clip and signal[3][1] in ("error", "end-of-clip")
    contact.peer.wait_colour(GREEN, timeout=5)
    assert agent.prop(path, "Push") == ""
    # The file vanishes: StartPush names the problem, the camera stays.
    shutil.move(stored, stored + ".gone")
    name, message = testenv.call_error(SESSION, "StartPush", "s", (clip,), path=path)
    assert name == "org.sportello.Error.NotFound", message
    time.sleep(0.3)
    assert near(contact.peer.colour(), GREEN)
    assert agent.prop(path, "State") == "talking"
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    ended.close()


def test_an_image_and_an_mp4_clip(testenv, call_with_video):
    """A still image is shown for its set time; an H.264 MP4 is re-encoded into the call's VP8."""
    from clips import make_image, make_mp4
    agent, contact, path, _ = call_with_video
    ended = SignalRecorder(testenv.connection, SESSION, "PushEnded", path)
    image = testenv.call(AGENT_IFACE, "AddPushItem", "sssu",
                         (str(make_image(testenv.root / "blue.png", BLUE)), "Blue still", "", 1))
    agent.call(path, "StartPush", "s", (image,))
    contact.peer.wait_colour(BLUE, timeout=5)
    assert ended.wait(lambda e: True, timeout=10, what="the image's end")[3][:2] == (image, "end-of-clip")
    contact.peer.wait_colour(GREEN, timeout=5)
    mp4 = testenv.call(AGENT_IFACE, "AddPushItem", "sssu",
                       (str(make_mp4(testenv.root / "red.mp4", RED, 2)), "Red MP4", "", 0))
    agent.call(path, "StartPush", "s", (mp4,))
    contact.peer.wait_colour(RED, timeout=5)
    agent.call(path, "StopPush")
    contact.peer.wait_colour(GREEN, timeout=5)
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    ended.close()
