"""Camera presence from real PipeWire: Agent1.CameraAvailable and Agent1.Cameras follow virtual
cameras (gst-launch pipewiresink mode=provide) appearing and going away, PipeWire starting after
sportellod, and PipeWire crashing and coming back. Every process is stopped by PID at teardown and
sportellod must exit 0 each time."""

import select
import signal
import socket
import time

import pytest

from conftest import AGENT, ROOT, SignalRecorder

TIMEOUT = 15
# sportellod retries a missing PipeWire every 15 s anyway; noticing PipeWire well within that shows
# the socket watch did it. Still generous: it takes well under a second here.
SOCKET_WATCH_TIMEOUT = 10


class CameraWatch:
    """Agent1's camera properties as a client sees them: PropertiesChanged signals and Get."""

    def __init__(self, testenv):
        self.testenv = testenv
        self.recorder = SignalRecorder(testenv.connection, "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                       ROOT)

    def mark(self):
        """Forgets the signals seen so far, so the next wait only looks at what comes after."""
        self.recorder.events.clear()

    def changes(self, prop):
        return [event[3][1][prop] for event in self.recorder.events
                if event[3][0] == AGENT and prop in event[3][1]]

    def wait_available(self, value, what, timeout=TIMEOUT):
        self.recorder.wait(lambda event: event[3][0] == AGENT and event[3][1].get("CameraAvailable") is value,
                           timeout, what=f"PropertiesChanged CameraAvailable={value} ({what})")
        assert self.available() is value

    def wait_cameras(self, node_names, what):
        """Waits for a PropertiesChanged whose Cameras lists exactly these node names."""
        wanted = sorted(node_names)
        self.recorder.wait(lambda event: event[3][0] == AGENT and "Cameras" in event[3][1]
                           and sorted(c["node-name"] for c in event[3][1]["Cameras"]) == wanted,
                           TIMEOUT, what=f"PropertiesChanged Cameras={wanted} ({what})")
        cameras = self.cameras()
        assert sorted(c["node-name"] for c in cameras) == wanted
        return cameras

    def available(self):
        return self.testenv.get_property(AGENT, "CameraAvailable")

    def cameras(self):
        return self.testenv.get_property(AGENT, "Cameras")

    def close(self):
        self.recorder.close()


@pytest.fixture
def watch(testenv):
    w = CameraWatch(testenv)
    yield w
    w.close()


@pytest.fixture
def sportellod(testenv, pipewire):
    """Starts sportellod on demand (start()); at teardown it must exit 0, before PipeWire stops."""
    started = []

    def start():
        proc = testenv.start_sportellod()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        testenv.stop_sportellod(proc)


def test_camera_appears_and_goes_away(testenv, pipewire, sportellod, watch):
    pipewire.start()
    sportellod()
    assert watch.available() is False
    assert watch.cameras() == []

    watch.mark()
    pipewire.start_camera("test-camera", "Test-Camera")
    watch.wait_available(True, "camera published")
    cameras = watch.wait_cameras(["test-camera"], "camera published")
    assert cameras[0]["description"] == "Test-Camera"
    assert cameras[0]["id"] > 0

    watch.mark()
    pipewire.stop_camera("test-camera", signal.SIGKILL)
    watch.wait_available(False, "camera process killed")
    assert watch.cameras() == []


def test_video_source_without_camera_role_does_not_count(testenv, pipewire, sportellod, watch):
    pipewire.start()
    sportellod()
    # A screen-cast-like source: Video/Source but no media.role=Camera.
    pipewire.start_camera("test-screen", "Test-Screen", role=None)
    # Then a real camera: once it is reported, the first node has certainly been seen too.
    watch.mark()
    pipewire.start_camera("test-camera", "Test-Camera")
    watch.wait_available(True, "camera published")
    assert [c["node-name"] for c in watch.cameras()] == ["test-camera"]

    watch.mark()
    pipewire.stop_camera("test-camera")
    watch.wait_available(False, "the only camera gone, the other video source still there")
    assert pipewire.has_node("test-screen")
    assert watch.cameras() == []


def test_two_cameras_one_gone_keeps_available(testenv, pipewire, sportellod, watch):
    pipewire.start()
    sportellod()
    watch.mark()
    pipewire.start_camera("test-camera", "Test-Camera")
    pipewire.start_camera("test-camera-2", "Second-Camera")
    watch.wait_cameras(["test-camera", "test-camera-2"], "two cameras published")
    assert watch.available() is True
    descriptions = {c["node-name"]: c["description"] for c in watch.cameras()}
    assert descriptions == {"test-camera": "Test-Camera", "test-camera-2": "Second-Camera"}

    watch.mark()
    pipewire.stop_camera("test-camera")
    watch.wait_cameras(["test-camera-2"], "one of two cameras gone")
    assert watch.available() is True
    assert False not in watch.changes("CameraAvailable")


def test_pipewire_started_after_sportellod(testenv, pipewire, sportellod, watch):
    sportellod()
    assert watch.available() is False
    watch.mark()
    pipewire.start()
    pipewire.start_camera("test-camera", "Test-Camera")
    watch.wait_available(True, "PipeWire started after sportellod, then a camera", SOCKET_WATCH_TIMEOUT)
    watch.wait_cameras(["test-camera"], "PipeWire started after sportellod")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "crashed"])
def test_pipewire_restart_reconnects(testenv, pipewire, sportellod, watch, sig):
    pipewire.start()
    sportellod()
    watch.mark()
    pipewire.start_camera("test-camera", "Test-Camera")
    watch.wait_available(True, "camera published")

    watch.mark()
    pipewire.stop(sig)
    watch.wait_available(False, "PipeWire and WirePlumber gone while a camera existed")
    assert watch.cameras() == []

    watch.mark()
    pipewire.start()
    pipewire.start_camera("test-camera", "Test-Camera")
    watch.wait_available(True, "PipeWire back with a camera", SOCKET_WATCH_TIMEOUT)
    watch.wait_cameras(["test-camera"], "PipeWire back with a camera")


def test_socket_that_is_not_listening_yet_is_retried(testenv, sportellod):
    """PipeWire binds its socket a moment before it listens: a connection refused right after the
    socket appeared must be retried soon, not only at the 15 s fallback."""
    sportellod()
    time.sleep(1)  # past sportellod's 500 ms reconnect throttle, so it reacts to the socket at once
    path = testenv.runtime / "pipewire-0"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))  # the socket file appears: sportellod tries to connect, refused
        time.sleep(0.2)  # a slow PipeWire start; not a timing assertion
        server.listen(4)
        readable, _, _ = select.select([server], [], [], SOCKET_WATCH_TIMEOUT)
        assert readable, "sportellod did not try the PipeWire socket again once it was listening"
        conn, _ = server.accept()
        conn.close()  # not a real PipeWire: sportellod sees it go away and must carry on
    path.unlink()
    assert testenv.get_property(AGENT, "CameraAvailable") is False


def test_without_pipewire(testenv, sportellod, watch):
    proc = sportellod()
    assert not (testenv.runtime / "pipewire-0").exists()
    assert watch.available() is False
    assert watch.cameras() == []
    assert proc.poll() is None
