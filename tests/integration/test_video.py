"""Video escalation with real peers: baresip (VP8, its fakevideo bars) and a sipp-signalled
GStreamer peer (videopeer.py) as the contact; a PipeWire virtual camera of a known colour as
the agent's camera. What a person would check: the contact sees the agent's colour, the agent
decodes the contact's pictures, deactivation stops video both ways while the voice goes on,
reactivation starts with a key frame, and every refusal has its exact error name."""

import time

import pytest

from conftest import AGENT, ROOT, SESSION, SignalRecorder, free_port, wait_for
from peers import Baresip, Sipp, sportello_config
from videopeer import VideoPeer, last_sdp, near, parse_sdp

GREEN = (0, 255, 0)
BLUE = (0, 0, 255)
RED = (255, 0, 0)


class Agent:
    """sportellod with a video config; the camera is a PipeWire node of a known colour."""

    def __init__(self, testenv, camera="pipewire", allowed="true", offers="accept", ask_timeout=20,
                 audio_source="test"):
        self.env = testenv
        self.port = free_port()
        extra = f"\n[video]\nallowed = {allowed}\nremote-offers = {offers}\nask-timeout = {ask_timeout}\n"
        config = sportello_config(testenv, self.port, extra=extra, audio_source=audio_source)
        text = config.read_text().replace("camera = none", f"camera = {camera}")
        config.write_text(text)
        self.proc = testenv.start_sportellod(config=config)
        self.added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
                                    ROOT)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def dial(self, uri):
        path = self.env.call(AGENT, "Dial", "sa{ss}", (uri, {}))
        self.wait(path, "State", "talking")
        return path

    def next_session(self):
        return self.added.wait(lambda e: SESSION in e[3][1], what="a new session")[3][0]

    def prop(self, path, name):
        return self.env.get_property(SESSION, name, path=path)

    def wait(self, path, name, value, timeout=15):
        wait_for(lambda: self.prop(path, name) == value, timeout, what=f"{name} = {value}")

    def call(self, path, method, signature=None, args=()):
        return self.env.call(SESSION, method, signature, args, path=path)

    def error(self, path, method, signature=None, args=()):
        return self.env.call_error(SESSION, method, signature, args, path=path)[0]

    def stats(self, path):
        return self.env.call(SESSION, "GetMediaStatistics", path=path)

    def wait_stat(self, path, key, minimum, timeout=15):
        last = {}

        def reached():
            last.update(self.stats(path))
            return dict(last) if last[key] >= minimum else None
        try:
            return wait_for(reached, timeout, what=f"{key} >= {minimum}")
        except pytest.fail.Exception as failure:
            pytest.fail(f"{failure}; last statistics {last}")

    def stop(self):
        self.added.close()
        self.env.stop_sportellod(self.proc)


@pytest.fixture
def camera(testenv, pipewire):
    """PipeWire with a green virtual camera: the agent's picture."""
    pipewire.start()
    pipewire.start_camera(colour=GREEN)
    return pipewire


def wait_camera(testenv):
    wait_for(lambda: testenv.get_property(AGENT, "CameraAvailable"), 15, what="CameraAvailable")


# ---- baresip: a real softphone with video ----------------------------------------------------

def test_escalate_with_baresip_both_ways(testenv, camera):
    agent = Agent(testenv)
    wait_camera(testenv)
    phone = Baresip(testenv, video=True)
    path = agent.dial(phone.uri)
    assert agent.prop(path, "Video") == "none"
    agent.call(path, "ActivateVideo")
    assert agent.prop(path, "Video") == "active"
    assert agent.prop(path, "VideoRequester") == "agent"
    stats = agent.wait_stat(path, "video-frames-decoded", 30)
    assert stats["video-codec"] == "VP8"
    # baresip decodes the agent's green camera.
    wait_for(lambda: near(phone.received_colour(), GREEN), 15, what="baresip sees green")
    assert agent.stats(path)["video-rtp-packets-received"] > 0
    agent.call(path, "Disconnect")
    phone.close()
    agent.stop()


# ---- a scripted contact: sipp for SIP, videopeer.py for the media ----------------------------

class Contact:
    """sipp running SCENARIO for the SIP side and a VideoPeer (blue) for the media."""

    def __init__(self, testenv, scenario, colour=BLUE, remote=None, extra=(), **peer):
        self.peer = VideoPeer(testenv, colour=colour, **peer)
        self.sipp = Sipp(testenv, "contact", scenario, remote=remote, extra=[*self.peer.sipp_args(), *extra],
                         timeout=60)

    def follow(self, video=None):
        """Points the peer's media at the agent's latest offer (what a phone does on a re-INVITE)."""
        sdp = self.peer.set_remote_from_sdp(last_sdp(self.sipp.messages(), "received", "INVITE",
                                                     with_video=video))
        return sdp

    def stop(self):
        self.peer.stop()


def video_direction(sdp):
    media = sdp.get("video")
    return (media.port, media.direction) if media else None


def test_escalate_pause_resume_with_a_scripted_contact(testenv, camera):
    agent = Agent(testenv)
    wait_camera(testenv)
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    assert agent.prop(path, "Video") == "active"
    sdp = contact.follow(video=True)
    assert video_direction(sdp)[1] in (None, "sendrecv")
    assert sdp.get("video").rtpmap[sdp.get("video").pt_for("VP8")].upper() == "VP8/90000"
    # The contact decodes the agent's green; the agent decodes the contact's pictures.
    contact.peer.wait_colour(GREEN, timeout=10)
    assert contact.peer.first_frame_was_keyframe()
    agent.wait_stat(path, "video-frames-decoded", 30)

    # Deactivate: the m-line stays, inactive; no video either way, voice goes on.
    agent.call(path, "DeactivateVideo")
    assert agent.prop(path, "Video") == "paused"
    agent.call(path, "SwapLayout")  # paused video is still a video session
    assert agent.prop(path, "Layout") == "preview-large"
    sdp = contact.follow(video=True)
    assert video_direction(sdp) == (sdp.get("video").port, "inactive") and sdp.get("video").port != 0
    contact.peer.set_sending(video=False)
    contact.peer.wait_video_stopped(1.0)
    before, peer_before = agent.stats(path), contact.peer.packets()
    time.sleep(1.0)
    after, peer_after = agent.stats(path), contact.peer.packets()
    assert after["video-rtp-packets-sent"] == before["video-rtp-packets-sent"]
    assert after["video-frames-decoded"] == before["video-frames-decoded"]
    assert peer_after["video"] == peer_before["video"]
    # The voice goes on (30 packets: 0.6 s when idle).
    wait_for(lambda: agent.stats(path)["rtp-packets-sent"] > before["rtp-packets-sent"] + 30
             and contact.peer.packets()["audio"] > peer_before["audio"] + 30,
             timeout=5, what="the voice going on while video is paused")

    # Activate again: sendrecv, video flows both ways; the agent's restarts with a key frame,
    # and the agent asks the contact for one (PLI), which the contact's phone honours.
    plis = contact.peer.feedback_received()["pli"]
    agent.call(path, "ActivateVideo")
    assert agent.prop(path, "Video") == "active"
    sdp = contact.follow(video=True)
    assert video_direction(sdp)[1] in (None, "sendrecv")
    contact.peer.set_sending(video=True, keyframe=False)
    contact.peer.wait_frames(15)
    assert contact.peer.last_gap_started_with_keyframe() is True
    agent.wait_stat(path, "video-frames-decoded", after["video-frames-decoded"] + 15)
    wait_for(lambda: contact.peer.feedback_received()["pli"] + contact.peer.feedback_received().get("fir", 0) > plis,
             5, what="a PLI or FIR from the agent")
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


@pytest.mark.parametrize("peer", ["sipp", "baresip"])
def test_declined_video_keeps_the_voice_call(testenv, camera, peer):
    agent = Agent(testenv)
    wait_camera(testenv)
    if peer == "sipp":
        contact = Contact(testenv, "uas_video_refuse.xml")
        path = agent.dial(contact.sipp.uri)
        contact.follow()
    else:
        phone = Baresip(testenv, video=False)
        path = agent.dial(phone.uri)
    name, message = testenv.call_error(SESSION, "ActivateVideo", path=path)
    assert name == "org.sportello.Error.PeerDeclinedVideo", message
    assert agent.prop(path, "Video") == "declined"
    assert agent.prop(path, "State") == "talking"
    assert agent.error(path, "SwapLayout") == "org.sportello.Error.InvalidState"
    # The voice goes on both ways: 15 more packets each way (0.3 s of 20 ms packets when idle).
    before = agent.stats(path)
    wait_for(lambda: agent.stats(path)["rtp-packets-sent"] > before["rtp-packets-sent"] + 15
             and agent.stats(path)["rtp-packets-received"] > before["rtp-packets-received"] + 15,
             timeout=5, what="the voice call going on after the refusal")
    assert agent.stats(path)["video-rtp-packets-sent"] == 0
    agent.call(path, "Disconnect")
    if peer == "sipp":
        contact.sipp.assert_passed()
        contact.stop()
    else:
        phone.close()
    agent.stop()


def test_preconditions_fail_without_sending_anything(testenv, pipewire):
    # Policy first: not allowed, whatever the camera.
    agent = Agent(testenv, allowed="false", camera="test")
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    assert agent.error(path, "ActivateVideo") == "org.sportello.Error.NotAllowed"
    assert agent.prop(path, "Video") == "none"
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    # Exactly one INVITE: the call's own. No re-INVITE went out.
    assert contact.sipp.messages().count("INVITE sip:") == 1
    contact.stop()
    agent.stop()


@pytest.mark.parametrize("camera_spec", ["none", "pipewire"])
def test_no_camera(testenv, pipewire, camera_spec):
    pipewire.start()  # PipeWire runs, but no camera is published
    agent = Agent(testenv, camera=camera_spec)
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    assert testenv.get_property(AGENT, "CameraAvailable") is False
    assert agent.error(path, "ActivateVideo") == "org.sportello.Error.NoCamera"
    assert agent.prop(path, "Video") == "none"
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    assert contact.sipp.messages().count("INVITE sip:") == 1
    contact.stop()
    agent.stop()


def test_video_actions_in_the_wrong_state(testenv):
    agent = Agent(testenv, camera="test")
    contact = Contact(testenv, "inbound_video.xml", remote=agent.address)
    path = agent.next_session()
    assert agent.prop(path, "State") == "ringing"
    assert agent.error(path, "ActivateVideo") == "org.sportello.Error.InvalidState"
    assert agent.error(path, "DeactivateVideo") == "org.sportello.Error.InvalidState"
    agent.call(path, "Answer")
    agent.wait(path, "State", "talking")
    assert agent.error(path, "DeactivateVideo") == "org.sportello.Error.InvalidState"  # no video yet
    # The pane controls need a video session: on a voice call they change nothing and say so.
    assert agent.error(path, "SwapLayout") == "org.sportello.Error.InvalidState"
    assert agent.error(path, "SetAlwaysOnTop", "b", (True,)) == "org.sportello.Error.InvalidState"
    assert agent.error(path, "SetAlwaysOnTop", "b", (False,)) == "org.sportello.Error.InvalidState"
    assert agent.prop(path, "Layout") == "remote-large" and agent.prop(path, "AlwaysOnTop") is False
    agent.call(path, "Hold")
    assert agent.error(path, "ActivateVideo") == "org.sportello.Error.InvalidState"
    agent.call(path, "Retrieve")
    agent.call(path, "ActivateVideo")
    assert agent.error(path, "ActivateVideo") == "org.sportello.Error.InvalidState"  # already active
    # With video (no display here, so no window yet) they are preferences the window will use.
    agent.call(path, "SwapLayout")
    assert agent.prop(path, "Layout") == "preview-large"
    agent.call(path, "SetAlwaysOnTop", "b", (True,))
    agent.call(path, "Disconnect")
    assert agent.error(path, "ActivateVideo") == "org.sportello.Error.InvalidState"
    assert agent.error(path, "SwapLayout") == "org.sportello.Error.InvalidState"
    assert agent.error(path, "SetAlwaysOnTop", "b", (False,)) == "org.sportello.Error.InvalidState"
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


# ---- the contact offers video ----------------------------------------------------------------

def contact_offers_video(testenv, offers, camera="test", ask_timeout=20):
    agent = Agent(testenv, camera=camera, offers=offers, ask_timeout=ask_timeout)
    contact = Contact(testenv, "uas_video_offer.xml", extra=["-set", "offer_after", "300"])
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    return agent, contact, path


def answer_to_the_offer(contact, timeout=15):
    """The agent's answer to the contact's video re-INVITE: the last 200 with SDP sipp received."""
    def answered():
        sdp = last_sdp(contact.sipp.messages(), "received", "SIP/2.0 200")
        return sdp if sdp and parse_sdp(sdp).get("video") else None
    return parse_sdp(wait_for(answered, timeout, what="the answer to the video offer"))


def finish(agent, contact, path):
    assert agent.prop(path, "State") == "talking"  # the voice call is never touched
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


def test_contact_offer_accepted_by_policy(testenv):
    agent, contact, path = contact_offers_video(testenv, "accept")
    answer = answer_to_the_offer(contact)
    assert answer.get("video").port != 0
    agent.wait(path, "Video", "active")
    assert agent.prop(path, "VideoRequester") == "contact"
    contact.peer.set_remote_from_sdp(find_answer(contact))
    contact.peer.wait_frames(10)  # camera = test: a moving picture
    agent.wait_stat(path, "video-frames-decoded", 10)
    finish(agent, contact, path)


@pytest.mark.parametrize("offers,camera", [("reject", "test"), ("accept", "none")])
def test_contact_offer_refused(testenv, offers, camera):
    agent, contact, path = contact_offers_video(testenv, offers, camera=camera)
    answer = answer_to_the_offer(contact)
    assert answer.get("video").port == 0
    time.sleep(0.3)
    assert agent.prop(path, "Video") == "none"
    finish(agent, contact, path)


@pytest.mark.parametrize("decision", ["ActivateVideo", "DeactivateVideo", None])
def test_contact_offer_asks_the_crm(testenv, decision):
    agent, contact, path = contact_offers_video(testenv, "ask", ask_timeout=3)
    agent.wait(path, "Video", "requested")
    assert agent.prop(path, "VideoRequester") == "contact"
    # Nothing is answered while the CRM decides.
    time.sleep(0.5)
    assert not find_answer(contact)
    started = time.monotonic()
    if decision:
        agent.call(path, decision)
    answer = answer_to_the_offer(contact, timeout=10)
    if decision == "ActivateVideo":
        assert answer.get("video").port != 0
        assert agent.prop(path, "Video") == "active"
        contact.peer.set_remote_from_sdp(find_answer(contact))
        agent.wait_stat(path, "video-frames-decoded", 10)
    else:
        assert answer.get("video").port == 0
        assert agent.prop(path, "Video") == "none"
        if decision is None:
            assert time.monotonic() - started > 1.5  # declined by the ask-timeout, not at once
    finish(agent, contact, path)


def find_answer(contact):
    sdp = last_sdp(contact.sipp.messages(), "received", "SIP/2.0 200")
    return sdp if sdp and parse_sdp(sdp).get("video") else None


# ---- the video window (Xvfb + jwm) -----------------------------------------------------------

def corner(display, wid):
    return display.window_colour(wid, "bottom-right", size=0.08, margin=0.05)


def test_video_window_layout_on_top_and_closing(testenv, camera, desktop):
    agent = Agent(testenv)  # started after the display: DISPLAY is in its environment
    wait_camera(testenv)
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    assert agent.prop(path, "Window") == "none"
    agent.call(path, "ActivateVideo")
    contact.follow(video=True)
    agent.wait(path, "Window", "open")
    wid = desktop.find_window("Sportello", exact=False)
    title = desktop.run(["xdotool", "getwindowname", str(wid)]).strip()
    assert title.startswith("sip:") or "sipp" in title, title  # names the contact
    # The contact (blue) large, the agent's own picture (green) in the corner.
    wait_for(lambda: near(desktop.window_colour(wid), BLUE), 10, what="the contact's blue, large")
    wait_for(lambda: near(corner(desktop, wid), GREEN), 10, what="the agent's green preview")
    agent.call(path, "SwapLayout")
    assert agent.prop(path, "Layout") == "preview-large"
    wait_for(lambda: near(desktop.window_colour(wid), GREEN), 10, what="green large after SwapLayout")
    wait_for(lambda: near(corner(desktop, wid), BLUE), 10, what="blue in the corner after SwapLayout")
    agent.call(path, "SwapLayout")
    assert agent.prop(path, "Layout") == "remote-large"

    assert agent.prop(path, "AlwaysOnTop") is False
    agent.call(path, "SetAlwaysOnTop", "b", (True,))
    agent.wait(path, "AlwaysOnTop", True)
    assert "_NET_WM_STATE_ABOVE" in desktop.wm_state(wid)
    agent.call(path, "SetAlwaysOnTop", "b", (False,))
    agent.wait(path, "AlwaysOnTop", False)
    assert "_NET_WM_STATE_ABOVE" not in desktop.wm_state(wid)

    # Closed by hand (the window manager's close): the call and its video go on.
    desktop.run(["wmctrl", "-i", "-c", str(wid)])
    agent.wait(path, "Window", "closed")
    wait_for(lambda: desktop.window_gone("Sportello", exact=False), 10, what="the window gone")
    assert agent.prop(path, "State") == "talking"
    frames = agent.stats(path)["video-frames-decoded"]
    agent.wait_stat(path, "video-frames-decoded", frames + 10)
    agent.call(path, "Disconnect")
    agent.call(path, "MarkDone")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


def test_mark_done_closes_the_window(testenv, desktop):
    agent = Agent(testenv, camera="test")
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    agent.wait(path, "Window", "open")
    desktop.find_window("Sportello", exact=False)
    agent.call(path, "Disconnect")
    assert desktop.find_windows("Sportello", exact=False)  # stays until Mark Done
    agent.call(path, "MarkDone")
    wait_for(lambda: desktop.window_gone("Sportello", exact=False), 10, what="the window gone")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


# ---- the camera goes away mid-call; hold ------------------------------------------------------

def test_camera_unplugged_mid_call_sends_a_card(testenv, camera):
    agent = Agent(testenv)
    wait_camera(testenv)
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    contact.follow(video=True)
    contact.peer.wait_colour(GREEN)
    camera.stop_camera("test-camera")
    wait_for(lambda: not testenv.get_property(AGENT, "CameraAvailable"), 10, what="CameraAvailable false")
    # The contact now sees the still card: dark, not green, and frames keep coming.
    wait_for(lambda: (c := contact.peer.colour()) and max(c) < 110 and c[1] < 110, 10, what="the dark card")
    contact.peer.wait_frames(20)
    assert agent.stats(path)["camera"] == "unavailable"
    assert agent.prop(path, "Video") == "active" and agent.prop(path, "State") == "talking"
    # Plugged in again: the camera is back by itself.
    camera.start_camera(colour=GREEN)
    contact.peer.wait_colour(GREEN, timeout=15)
    assert agent.stats(path)["camera"] == "live"
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


def test_hold_stops_video_and_retrieve_restores_it(testenv):
    agent = Agent(testenv, camera="test")
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    contact.follow(video=True)
    contact.peer.wait_frames(10)
    agent.call(path, "Hold")
    sdp = contact.follow(video=True)
    assert video_direction(sdp)[1] == "inactive"
    assert sdp.get("audio").direction == "sendonly"
    assert agent.prop(path, "Video") == "active"  # the video state is kept for Retrieve
    time.sleep(1.0)  # a frame already in the encoder may still leave
    before = agent.stats(path)["video-rtp-packets-sent"]
    time.sleep(0.8)
    assert agent.stats(path)["video-rtp-packets-sent"] == before
    agent.call(path, "Retrieve")
    sdp = contact.follow(video=True)
    assert video_direction(sdp)[1] in (None, "sendrecv")
    contact.peer.wait_frames(10)
    assert agent.prop(path, "Video") == "active"
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


# ---- Wayland (weston's headless backend) -----------------------------------------------------

@pytest.fixture
def wayland(testenv):
    """weston with its headless backend; WAYLAND_DISPLAY (and no DISPLAY) in testenv.env."""
    socket = testenv.runtime / "wayland-sp"
    proc = testenv.procs.start("weston", ["weston", "--backend=headless-backend.so", "--socket=wayland-sp",
                                          "--idle-time=0"], testenv.env)
    wait_for(lambda: socket.exists() or proc.poll() is not None, 15, what="weston's socket")
    assert proc.poll() is None, proc.log_path.read_text()
    testenv.env["WAYLAND_DISPLAY"] = "wayland-sp"
    testenv.env.pop("DISPLAY", None)
    yield proc
    testenv.procs.stop(proc)


def test_video_window_on_wayland(testenv, wayland):
    agent = Agent(testenv, camera="test")
    contact = Contact(testenv, "uas_video.xml")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    agent.wait(path, "Window", "open")
    # xdg-shell has no "keep above": the request is refused and the property tells the truth.
    name, message = testenv.call_error(SESSION, "SetAlwaysOnTop", "b", (True,), path=path)
    assert name == "org.sportello.Error.Unavailable", message
    assert "Wayland" in message
    assert agent.prop(path, "AlwaysOnTop") is False
    agent.call(path, "SwapLayout")
    assert agent.prop(path, "Layout") == "preview-large"
    agent.wait_stat(path, "video-frames-decoded", 0)
    agent.call(path, "Disconnect")
    agent.call(path, "MarkDone")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


def test_h264_chosen_by_negotiation(testenv, camera):
    """The contact's phone offers only H.264, as payload type 102: both ways decode."""
    agent = Agent(testenv)
    wait_camera(testenv)
    contact = Contact(testenv, "uas_video_offer_h264.xml", extra=["-set", "offer_after", "300"],
                      video_codec="H264")
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    answer = answer_to_the_offer(contact)
    video = answer.get("video")
    assert video.port != 0 and video.rtpmap.get(102, "").upper() == "H264/90000", video.rtpmap
    agent.wait(path, "Video", "active")
    contact.peer.set_remote_from_sdp(find_answer(contact))
    contact.peer.wait_colour(GREEN, timeout=10)
    stats = agent.wait_stat(path, "video-frames-decoded", 20)
    assert stats["video-codec"] == "H264"
    finish(agent, contact, path)
