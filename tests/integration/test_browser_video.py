"""Video through the customer's browser (WebRTC) during a real SIP voice call: sportellod with a
green PipeWire camera calls baresip (voice only, no video module: a plain phone line); the agent
invites the customer to browser video; headless Chromium with a fake camera (a magenta Y4M file)
opens the link the relay serves. What a person would check: the agent's video window (Xvfb
screenshot) shows the customer's magenta picture and the agent's green preview; the page's
<video> shows the agent's green (read back through a canvas), turns to the pushed clip's red and
back; DeactivateVideo and Hold stop the customer's pictures, ActivateVideo and Retrieve bring
them back; a reused code, a second browser and a refused camera are turned away with their
reasons; closing the tab ends browser video while the voice keeps flowing (tones both ways on
the SIP leg). Screenshots go to BUILD_DIR/tests/integration/artefacts."""

import glob
import subprocess
import time

import pytest

from browser import Browser, tcp_port
from conftest import BUILD_DIR, SESSION, free_port, wait_for
from peers import Baresip, dominant_tone, sportello_config
from test_cobrowse_relay import RELAY
from test_push import add_item, make_clip
from test_video import GREEN, RED, wait_camera
from videopeer import near

ARTEFACTS = BUILD_DIR / "tests" / "integration" / "artefacts"
MAGENTA = (255, 0, 255)
OURS, THEIRS = 440, 1100
CANDIDATES = (OURS, THEIRS, 660, 880)
FAKE_CAMERA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
# Chromium leaves loopback out of its ICE candidates unless asked: the tests stay on 127.0.0.1.
LOOPBACK = "--allow-loopback-in-peer-connection"


def fake_camera_file(testenv, colour):
    """A Y4M file of one colour: Chromium's fake camera plays it in a loop."""
    path = testenv.root / "customer-camera.y4m"
    rgb = "0xff%02x%02x%02x" % colour
    subprocess.run(["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=30", "pattern=solid-color",
                    f"foreground-color={rgb}", "!", "video/x-raw,format=I420,width=320,height=240,framerate=15/1",
                    "!", "y4menc", "!", "filesink", f"location={path}"], check=True, timeout=60, env=testenv.env)
    return path


class World:
    """sportellod (camera, relay links, the received voice in a WAV), the relay, baresip."""

    def __init__(self, testenv, pipewire):
        self.testenv = testenv
        self.relay_port = tcp_port()
        self.public = f"http://127.0.0.1:{self.relay_port}"
        self.wav = testenv.root / "received.wav"
        extra = (f"\n[co-browse]\nlisten = 127.0.0.1:{self.relay_port}\npublic-url = {self.public}\n"
                 f"\n[video]\nallowed = true\nbrowser-ice-addresses = 127.0.0.1\n")
        config = sportello_config(testenv, free_port(), extra=extra, audio_sink=f"file:{self.wav}")
        config.write_text(config.read_text().replace("camera = none", "camera = pipewire"))
        self.sportellod = testenv.start_sportellod(config=config)
        wait_camera(testenv)
        self.relay = testenv.procs.start("relay", [RELAY, "--config", str(config)], testenv.env)
        wait_for(self.listening, 10, what="the relay listening")
        self.record = testenv.root / "baresip-rec"
        self.record.mkdir()
        self.phone = Baresip(testenv, tone=THEIRS, record_dir=self.record)
        self.path = testenv.call("org.sportello.Agent1", "Dial", "sa{ss}", (self.phone.uri, {}))
        self.wait("State", "talking")
        self.camera_file = fake_camera_file(testenv, MAGENTA)
        self.browsers = []

    def listening(self):
        assert self.relay.poll() is None, f"the relay exited: {self.relay.log_path.read_text()}"
        return tcp_port_open(self.relay_port)

    def prop(self, name):
        return self.testenv.get_property(SESSION, name, path=self.path)

    def wait(self, name, value, timeout=20):
        wait_for(lambda: self.prop(name) == value, timeout, what=f"{name} = {value} (now {self.prop(name)!r})")

    def call(self, method, signature=None, args=()):
        return self.testenv.call(SESSION, method, signature, args, path=self.path)

    def stats(self):
        return self.call("GetMediaStatistics")

    def browser(self, profile, camera=True):
        arguments = (LOOPBACK, FAKE_CAMERA[0], f"--use-file-for-fake-video-capture={self.camera_file}")
        prefs = None
        if camera:
            arguments += FAKE_CAMERA[1:]
        else:
            prefs = {"profile.default_content_setting_values.media_stream_camera": 2}
        browser = Browser(self.testenv, profile=profile, arguments=arguments, prefs=prefs)
        self.browsers.append(browser)
        return browser

    def close(self):
        for browser in self.browsers:
            browser.quit()
        self.phone.close()


def tcp_port_open(port):
    import socket
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def world(testenv, pipewire, desktop):
    pipewire.start()
    pipewire.start_camera(colour=GREEN)
    world = World(testenv, pipewire)
    try:
        yield world
    finally:
        world.close()


def page_state(browser):
    return browser.driver.execute_script("return document.documentElement.dataset.sportelloVideo || ''")


def wait_page(browser, expected, timeout=30):
    check = expected if callable(expected) else (lambda state: state == expected)
    wait_for(lambda: check(page_state(browser)), timeout,
             what=f"the page in {expected} (now {page_state(browser)!r}; console {browser.logs()})")


# The middle of the agent's picture on the page, read back through a canvas.
READ_VIDEO = """
const video = document.getElementById('agent-video');
if (!video || !video.videoWidth) return null;
const canvas = document.createElement('canvas');
canvas.width = video.videoWidth; canvas.height = video.videoHeight;
const context = canvas.getContext('2d');
context.drawImage(video, 0, 0);
const pixel = context.getImageData(video.videoWidth >> 1, video.videoHeight >> 1, 1, 1).data;
return [pixel[0], pixel[1], pixel[2]];
"""


def page_colour(browser):
    colour = browser.driver.execute_script(READ_VIDEO)
    return tuple(colour) if colour else None


def wait_page_colour(browser, colour, timeout=15):
    wait_for(lambda: page_colour(browser) and near(page_colour(browser), colour), timeout,
             what=f"the page showing {colour} (now {page_colour(browser)})")


def assert_paused(world, desktop, wid):
    """No picture of the customer's is decoded any more, and the window's large picture is not
    theirs."""
    time.sleep(0.5)
    frames = world.stats()["video-frames-decoded"]
    time.sleep(1.5)
    assert world.stats()["video-frames-decoded"] == frames
    wait_for(lambda: not near(desktop.window_colour(wid), MAGENTA), 10,
             what="the customer's picture gone from the window")


def assert_flowing(world, desktop, wid):
    frames = world.stats()["video-frames-decoded"]
    wait_for(lambda: world.stats()["video-frames-decoded"] > frames + 15, 15, what="the customer's frames again")
    wait_for(lambda: near(desktop.window_colour(wid), MAGENTA), 15, what="the customer's magenta again")


def invite(world):
    code, url = world.call("InviteBrowserVideo")
    assert url == f"{world.public}/v/{code}"
    assert world.prop("Video") == "requested"
    assert world.prop("VideoPath") == "browser"
    assert world.prop("BrowserVideo") == "invited"
    return code, url


def test_browser_video_during_a_phone_call(testenv, world, desktop):
    clip = add_item(testenv, make_clip(testenv.root / "red.webm", RED, 30, audio=False), "Red clip")
    code, url = invite(world)

    # The customer opens the link: the camera goes to the agent, the agent's picture comes back.
    customer = world.browser("customer")
    customer.open(url)
    wait_page(customer, "active")
    world.wait("BrowserVideo", "active")
    world.wait("Video", "active")
    world.wait("Window", "open")
    wait_page_colour(customer, GREEN)
    frames = world.stats()["video-frames-decoded"]
    wait_for(lambda: world.stats()["video-frames-decoded"] > frames + 15, 15, what="the customer's frames decoded")
    assert world.stats()["video-codec"] == "VP8"
    wid = desktop.find_window("Sportello", exact=False)
    wait_for(lambda: near(desktop.window_colour(wid), MAGENTA), 15, what="the customer's magenta, large")
    wait_for(lambda: near(desktop.window_colour(wid, "bottom-right", size=0.08, margin=0.05), GREEN), 15,
             what="the agent's green preview")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    desktop.screenshot(wid, ARTEFACTS / "browser-video-agent-window.png")
    assert customer.driver.save_screenshot(str(ARTEFACTS / "browser-video-customer.png"))

    # Push: the page shows the clip, then the camera again.
    world.call("StartPush", "s", (clip,))
    wait_page_colour(customer, RED)
    world.call("StopPush")
    wait_page_colour(customer, GREEN)

    # DeactivateVideo pauses it both ways (the phone is not re-INVITEd); ActivateVideo resumes.
    world.call("DeactivateVideo")
    assert (world.prop("Video"), world.prop("BrowserVideo"), world.prop("VideoPath")) == \
        ("paused", "paused", "browser")
    assert_paused(world, desktop, wid)
    world.call("ActivateVideo")
    assert world.prop("Video") == "active"
    assert_flowing(world, desktop, wid)
    wait_page_colour(customer, GREEN)

    # Hold stops it too, Retrieve brings it back.
    world.call("Hold")
    assert world.prop("State") == "held"
    assert_paused(world, desktop, wid)
    world.call("Retrieve")
    assert_flowing(world, desktop, wid)
    assert page_state(customer) == "active"

    # A second browser with the same link is turned away; the first goes on.
    second = world.browser("second")
    second.open(url)
    wait_page(second, "refused:409")
    assert page_state(customer) == "active"

    # The customer closes the tab: browser video ends, the voice goes on both ways, the link is
    # dead.
    customer.driver.get("about:blank")
    world.wait("BrowserVideo", "ended")
    assert world.prop("BrowserVideoEndedBy") == "left"
    assert world.prop("Video") == "none"
    assert world.prop("State") == "talking"
    customer.open(url)
    wait_page(customer, "refused:404")
    received = world.stats()["rtp-packets-received"]
    wait_for(lambda: world.stats()["rtp-packets-received"] > received + 100, 15, what="the voice still flowing")
    world.call("Disconnect")
    world.phone.wait_event("CALL_CLOSED")
    testenv.stop_sportellod(world.sportellod)  # finalizes the recording
    heard, lead, seconds = dominant_tone(world.wav, CANDIDATES)
    assert heard == THEIRS and lead > 10, f"sportellod heard {heard} Hz (lead {lead:.1f})"
    decoded = glob.glob(str(world.record / "*-dec.wav"))
    assert decoded, "baresip recorded nothing"
    heard, lead, seconds = dominant_tone(decoded[0], CANDIDATES)
    assert heard == OURS and lead > 10, f"baresip heard {heard} Hz (lead {lead:.1f})"


def test_refusals(testenv, world):
    code, url = invite(world)

    # A wrong code: refused, nothing changes.
    wrong = world.browser("wrong")
    wrong.open(f"{world.public}/v/{(int(code) + 1) % 1000000:06d}")
    wait_page(wrong, "refused:404")
    assert world.prop("BrowserVideo") == "invited"

    # A browser that refuses the camera: the CRM is told, the voice is untouched.
    denied = world.browser("denied", camera=False)
    denied.open(url)
    wait_page(denied, "camera-denied")
    world.wait("BrowserVideo", "ended")
    assert world.prop("BrowserVideoEndedBy") == "camera-denied"
    assert world.prop("Video") == "none"
    assert world.prop("State") == "talking"

    # ActivateVideo and InviteBrowserVideo refuse each other while one runs.
    code, url = invite(world)
    name, _ = testenv.call_error(SESSION, "ActivateVideo", path=world.path)
    assert name == "org.sportello.Error.InvalidState"
    world.call("Hold")
    name, _ = testenv.call_error(SESSION, "InviteBrowserVideo", path=world.path)
    assert name == "org.sportello.Error.InvalidState"
    world.call("Retrieve")

    # The call ends: the link dies with it.
    world.call("Disconnect")
    world.wait("BrowserVideo", "ended")
    assert world.prop("BrowserVideoEndedBy") == "call-ended"
    late = world.browser("late")
    late.open(url)
    wait_page(late, "refused:404")
