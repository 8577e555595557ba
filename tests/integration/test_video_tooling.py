"""Self-test of the video test tooling, without sportellod: VideoPeer against VideoPeer, the video
sipp scenarios against the sipp scenarios that stand in for the agent, baresip with and without
video, and an Xvfb window read back by screenshot. If these fail, the video tests' failures say
nothing about sportellod."""

from conftest import wait_for
from display import image_colour
from peers import Baresip, Sipp, tone_file
from videopeer import Sdp, VideoPeer, find_messages, last_sdp, message_body, near, sipp_messages

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)

OFFER = """v=0\r
o=agent 1 7 IN IP4 127.0.0.1\r
s=-\r
c=IN IP4 127.0.0.1\r
t=0 0\r
m=audio 40000 RTP/AVP 111 0\r
a=rtpmap:111 opus/48000/2\r
a=rtpmap:0 PCMU/8000\r
m=video 40002 RTP/AVP 100 98\r
c=IN IP4 127.0.0.2\r
a=rtpmap:100 H264/90000\r
a=rtpmap:98 VP8/90000\r
a=rtcp-fb:98 nack pli\r
a=inactive\r
"""


def test_sdp_and_sipp_log_helpers():
    sdp = Sdp(OFFER)
    assert sdp.version == 7
    audio, video = sdp.get("audio"), sdp.get("video")
    assert (audio.port, audio.pts, audio.pt_for("opus"), audio.pt_for("PCMU"), audio.direction) == \
        (40000, [111, 0], 111, 0, "sendrecv")
    assert (video.address, video.port, video.pt_for("VP8"), video.rtcp_fb[98], video.direction) == \
        ("127.0.0.2", 40002, 98, ["nack pli"], "inactive")
    log = ("----------------------------------------------- 2026-01-01 10:00:00.000000\n"
           "UDP message received [300] bytes :\n\nINVITE sip:c@127.0.0.1 SIP/2.0\nCSeq: 2 INVITE\n\n" + OFFER +
           "\n----------------------------------------------- 2026-01-01 10:00:00.100000\n"
           "UDP message sent (100 bytes):\n\nSIP/2.0 200 OK\nCSeq: 2 INVITE\nContent-Length: 0\n\n")
    assert [d for d, _ in sipp_messages(log)] == ["received", "sent"]
    assert len(find_messages(log, "received", "INVITE", with_video=True)) == 1
    assert find_messages(log, "sent", "SIP/2.0 200", with_video=True) == []
    assert Sdp(last_sdp(log)).get("video").port == 40002


def test_two_peers_see_each_other_and_key_frames(testenv):
    a = VideoPeer(testenv, "peer-a", colour=RED, tone=440)
    b = VideoPeer(testenv, "peer-b", colour=BLUE, tone=1000, audio_codec="OPUS")
    assert len({a.audio_port, a.video_port, b.audio_port, b.video_port}) == 4
    assert all(p % 2 == 0 for p in (a.audio_port, a.video_port, b.audio_port, b.video_port))
    a.set_remote(audio_port=b.audio_port, video_port=b.video_port, audio_pt=0, video_pt=97)
    b.set_remote(audio_port=a.audio_port, video_port=a.video_port, audio_pt=111, video_pt=98)

    assert near(a.wait_colour(BLUE), BLUE)
    assert near(b.wait_colour(RED), RED)
    assert near(b.colour((600, 440, 40, 40)), RED)
    b.wait_frames(15)
    stats = b.stats()
    assert stats["frame_size"] == [640, 480]
    # The payload types a sends. Not an exact set: on a busy machine another test's sender may
    # still send to a port that was freed and picked again here, and its PT shows up too (seen
    # once: VP8 at 96 from a sportellod of another test).
    assert 0 in stats["payload_types"]["audio"] and 97 in stats["payload_types"]["video"], stats
    assert stats["packets"]["audio"] > 10 and a.packets()["audio"] > 10
    assert b.first_frame_was_keyframe() is True
    assert b.last_gap_started_with_keyframe() is None

    # A pause in a's video: b sees video stop; resuming without a key frame is noticed.
    a.set_sending(video=False)
    b.wait_video_stopped(0.8)
    assert b.video_stopped(0.8) and b.video_gaps()[-1]["length"] >= 0.8
    a.set_sending(video=True, keyframe=False)
    b.wait_frames(5)
    assert len(b.segments()) == 2 and b.last_gap_started_with_keyframe() is False
    a.set_sending(video=False)
    b.wait_video_stopped(0.8)
    a.set_sending(video=True)
    b.wait_frames(5)
    assert len(b.segments()) == 3 and b.last_gap_started_with_keyframe() is True

    # b asks for a key frame: a gets a PLI (or, as rtpsession may choose when both are
    # negotiated, a FIR) and its encoder sends one.
    sent = a.keyframes_sent()
    b.request_keyframe()
    a.wait(lambda s: s["feedback"]["pli"] + s["feedback"]["fir"] >= 1 and s["keyframes_sent"] > sent, 5,
           "a PLI or FIR and a key frame")
    a.set_colour(GREEN)
    assert near(b.wait_colour(GREEN), GREEN)

    # From an SDP, following its directions: a's ports, and a=sendonly on video (a will not
    # receive): b stops sending video; then a=sendrecv: b resumes, with a key frame.
    sdp = (f"v=0\r\no=a 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           f"m=audio {a.audio_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
           f"m=video {a.video_port} RTP/AVP 97\r\na=rtpmap:97 VP8/90000\r\na=sendonly\r\n")
    b.set_remote_from_sdp(sdp, follow_direction=True)
    assert b.stats()["remote"]["video_pt"] == 97
    a.wait_video_stopped(0.8)
    assert a.packets()["audio"] > 0 and not a.video_stopped(5)
    b.set_remote_from_sdp(sdp.replace("a=sendonly", "a=sendrecv"), follow_direction=True)
    a.wait_frames(5)
    assert a.last_gap_started_with_keyframe() is True
    assert a.errors() == [] and b.errors() == []
    assert a.stop() == 0 and b.stop() == 0


def test_window_screenshot_colour_and_wm_state(testenv, desktop):
    testenv.procs.start("gst-window", [
        "gst-launch-1.0", "videotestsrc", "is-live=true", "pattern=solid-color", "foreground-color=0xff0000ff", "!",
        "video/x-raw,width=320,height=240,framerate=30/1", "!", "videoconvert", "!", "ximagesink"], testenv.env)
    wid = desktop.find_window("gst-launch-1.0")
    geometry = desktop.geometry(wid)
    assert (geometry["width"], geometry["height"]) == (320, 240)
    wait_for(lambda: near(desktop.window_colour(wid, "centre"), BLUE), 10, what="a blue window")
    assert near(desktop.window_colour(wid, "bottom-right"), BLUE)
    assert not near(desktop.window_colour(None, "centre"), BLUE)  # the screen's centre: background
    assert "_NET_WM_STATE_ABOVE" not in desktop.wm_state(wid)
    desktop.set_wm_state(wid, add=("above",))
    wait_for(lambda: "_NET_WM_STATE_ABOVE" in desktop.wm_state(wid), 5, what="_NET_WM_STATE_ABOVE")


def agent_and_contact(testenv, contact_scenario, agent_scenario, hold_ms=None, contact_extra=()):
    """Two VideoPeers and two sipps: the contact's scenario and one standing in for the agent.
    (sipp refuses -set for a variable the scenario does not declare: hold only where it is.)"""
    agent = VideoPeer(testenv, "agent-media", colour=RED, tone=440)
    contact = VideoPeer(testenv, "contact-media", colour=BLUE, tone=1000)
    contact_sipp = Sipp(testenv, "contact", contact_scenario, extra=contact.sipp_args() + list(contact_extra))
    agent_sipp = Sipp(testenv, "agent", agent_scenario, remote=f"127.0.0.1:{contact_sipp.port}",
                      extra=agent.sipp_args() + (["-set", "hold", str(hold_ms)] if hold_ms is not None else []))
    return agent, contact, agent_sipp, contact_sipp


def test_uas_video_accepts_and_mirrors_with_media(testenv):
    agent, contact, agent_sipp, contact_sipp = agent_and_contact(testenv, "uas_video.xml", "agent_video.xml", 3000)
    # The contact learns the agent's video from the re-INVITE; the agent from the 200 OK.
    offer = wait_for(lambda: last_sdp(contact_sipp.messages(), "received", "INVITE", with_video=True), 10,
                     what="the video offer")
    answer = wait_for(lambda: last_sdp(agent_sipp.messages(), "received", "SIP/2.0 200", with_video=True), 10,
                      what="the video answer")
    assert Sdp(answer).get("video").pts == [97] and Sdp(answer).get("video").port == contact.video_port
    contact.set_remote_from_sdp(offer)
    agent.set_remote_from_sdp(answer)
    assert near(agent.wait_colour(BLUE), BLUE)
    assert near(contact.wait_colour(RED), RED)
    assert contact.stats()["payload_types"]["video"] == [97]
    agent_sipp.assert_passed()
    contact_sipp.assert_passed()
    bodies = [message_body(m) for m in find_messages(contact_sipp.messages(), "sent", "SIP/2.0 200")]
    answers = [Sdp(body).get("video") for body in bodies if "m=" in body]  # not the 200 to BYE
    assert [v.direction if v else None for v in answers] == [None, "sendrecv", "inactive", "recvonly", "sendrecv"]


def test_uas_video_refuse_and_contact_offer(testenv):
    agent, contact, agent_sipp, contact_sipp = agent_and_contact(testenv, "uas_video_refuse.xml",
                                                                 "agent_video_refused.xml")
    agent_sipp.assert_passed()
    contact_sipp.assert_passed()
    answer = Sdp(last_sdp(contact_sipp.messages(), "sent", "SIP/2.0 200"))
    assert answer.get("video").port == 0 and answer.get("audio").port == contact.audio_port

    second = VideoPeer(testenv, "offer-media", colour=GREEN)
    offer_sipp = Sipp(testenv, "contact-offers", "uas_video_offer.xml",
                      extra=second.sipp_args() + ["-set", "offer_after", "300"])
    answer_sipp = Sipp(testenv, "agent-answers", "agent_video_answer.xml", remote=f"127.0.0.1:{offer_sipp.port}",
                       extra=agent.sipp_args() + ["-set", "hold", "300"])
    answer_sipp.assert_passed()
    offer_sipp.assert_passed()
    offered = Sdp(last_sdp(offer_sipp.messages(), "sent", "INVITE"))
    assert offered.get("video").port == second.video_port and offered.get("video").pt_for("VP8") == 96
    answered = Sdp(last_sdp(offer_sipp.messages(), "received", "SIP/2.0 200"))
    assert answered.get("video").port == agent.video_port


def test_baresip_video_both_ways_and_refused(testenv):
    phone = Baresip(testenv, video=True, audio_file=tone_file(testenv, 1000), codecs=("g711",))
    agent = VideoPeer(testenv, "agent-media", colour=RED)
    sipp = Sipp(testenv, "agent", "agent_video.xml", remote=f"127.0.0.1:{phone.sip_port}",
                extra=agent.sipp_args() + ["-set", "hold", "3000"])
    answer = wait_for(lambda: last_sdp(sipp.messages(), "received", "SIP/2.0 200", with_video=True), 10,
                      what="baresip's video answer")
    agent.set_remote_from_sdp(answer)
    # fakevideo: vertical red / green / blue bars.
    assert near(agent.wait_colour(GREEN, region=(300, 220, 40, 40)), GREEN)
    assert near(agent.colour((10, 10, 40, 40)), RED) and near(agent.colour((590, 430, 40, 40)), BLUE)
    assert agent.first_frame_was_keyframe() is True
    wait_for(lambda: near(phone.received_colour(), RED), 10, what="baresip receiving red")
    assert near(image_colour(phone.snapshot("send"), "centre"), GREEN)
    sipp.assert_passed()
    phone.close()

    refusing = Baresip(testenv, name="baresip-novideo", audio_file=tone_file(testenv, 1000), codecs=("g711",))
    sipp = Sipp(testenv, "agent-refused", "agent_video_refused.xml", remote=f"127.0.0.1:{refusing.sip_port}",
                extra=agent.sipp_args())
    sipp.assert_passed()
    refusing.close()
