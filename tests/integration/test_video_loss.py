"""Video under packet loss: 5 % of the datagrams of the video stream are dropped both ways by a
lossy relay (seeded) between sportellod and the contact, and the video must keep decoding at
both ends with the right picture. With a contact that takes RFC 4588 RTX, lost packets come
back as retransmissions (NACKs and RTX packets counted on both sides); with one that does not
(only PLI/FIR), the receivers ask for key frames instead."""

import time

import pytest

from conftest import free_port, wait_for
from lossyrelay import LossyRelay
from peers import Sipp
from test_video import BLUE, GREEN, Agent, camera, wait_camera  # noqa: F401 (fixture)
from videopeer import Sdp, VideoPeer, last_sdp

RTX_PT = 98  # what Sportello offers for VP8's retransmissions, and the peer answers


class LossyContact:
    """sipp for the SIP side (SCENARIO), a VideoPeer (blue) for the media, its video through a
    LossyRelay."""

    def __init__(self, testenv, scenario, rtx, loss):
        self.peer = VideoPeer(testenv, colour=BLUE, rtx_pt=RTX_PT if rtx else 0, strict=True,
                              keyframe_interval=3000)
        self.relay = LossyRelay(loss=loss)
        extra = ["-set", "aport", str(self.peer.audio_port), "-set", "vport", str(self.relay.agent_port)]
        self.sipp = Sipp(testenv, "contact", scenario, extra=extra, timeout=120)

    def follow(self):
        """Media to the agent's latest offer: audio direct, video through the relay only (a
        packet sent straight to the agent first would be the stream's first address)."""
        sdp = Sdp(last_sdp(self.sipp.messages(), "received", "INVITE"))
        audio, video = sdp.get("audio"), sdp.get("video")
        kwargs = {"audio_port": audio.port, "audio_pt": audio.pt_for("PCMU")}
        if video and video.port:
            self.relay.connect(video.port, self.peer.video_port)
            kwargs.update(video_port=self.relay.contact_port, video_pt=video.pt_for("VP8"))
        self.peer.set_remote(**kwargs)
        return sdp

    def stop(self):
        self.peer.stop()
        self.relay.stop()


def call_with_lossy_video(testenv, scenario, rtx, loss=0.05):
    agent = Agent(testenv)
    wait_camera(testenv)
    contact = LossyContact(testenv, scenario, rtx, loss)
    path = agent.dial(contact.sipp.uri)
    contact.follow()
    agent.call(path, "ActivateVideo")
    assert agent.prop(path, "Video") == "active"
    sdp = contact.follow()
    assert (RTX_PT in sdp.get("video").rtpmap) == rtx or not rtx
    return agent, contact, path


def keeps_decoding(agent, contact, path, seconds=8):
    """Both ends decode new pictures in every second of a window of `seconds`."""
    for _ in range(seconds):
        ours = agent.stats(path)["video-frames-decoded"]
        theirs = contact.peer.frames()
        wait_for(lambda: agent.stats(path)["video-frames-decoded"] > ours + 3, 5,
                 what="sportellod decoding new pictures under loss")
        contact.peer.wait(lambda s: s["frames_decoded"] > theirs + 3, 5, "the contact decoding under loss")
        time.sleep(1)


def test_rtx_recovers_lost_video_both_ways(testenv, camera):
    agent, contact, path = call_with_lossy_video(testenv, "uas_video_rtx.xml", rtx=True)
    contact.peer.wait_colour(GREEN, timeout=15)
    keeps_decoding(agent, contact, path)
    contact.peer.wait_colour(GREEN, timeout=10)

    # The loss was real both ways: with this seed each stream of the relay drops at least 3 %
    # of any run of 150 or more packets (a shared generator once dropped 10 of 360).
    relay = contact.relay.stats()
    for way in relay.values():
        assert way["dropped"] >= 0.025 * (way["dropped"] + way["forwarded"]), relay
    # Lost packets were asked for and sent again, both ways.
    wait_for(lambda: agent.stats(path)["video-rtx-packets-sent"] > 0, 10, what="our retransmissions")
    wait_for(lambda: agent.stats(path)["video-rtx-packets-received"] > 0, 10, what="the contact's retransmissions")
    stats = agent.stats(path)
    assert stats["video-nacks-sent"] > 0 and stats["video-nacks-received"] > 0, stats
    peer = contact.peer.stats()["rtx"]
    assert peer["sent"] > 0 and peer["received"] > 0, peer
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


def test_without_rtx_key_frames_repair_the_picture(testenv, camera):
    agent, contact, path = call_with_lossy_video(testenv, "uas_video.xml", rtx=False)
    contact.peer.wait_colour(GREEN, timeout=15)
    keeps_decoding(agent, contact, path)

    # No RTX was agreed, so none is sent; what stays missing makes each side ask for a key frame.
    stats = agent.stats(path)
    assert stats["video-rtx-packets-sent"] == 0 and stats["video-rtx-packets-received"] == 0, stats
    wait_for(lambda: agent.stats(path)["video-key-frame-requests-sent"] > 0, 10,
             what="our key-frame requests (PLI/FIR) to the contact")
    wait_for(lambda: agent.stats(path)["video-key-frame-requests-received"] > 0, 10,
             what="the contact's key-frame requests")
    contact.peer.wait_colour(GREEN, timeout=10)
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()


def test_a_burst_of_loss_is_repaired(testenv, camera):
    agent, contact, path = call_with_lossy_video(testenv, "uas_video_rtx.xml", rtx=True, loss=0.0)
    contact.peer.wait_colour(GREEN, timeout=15)
    for _ in range(3):
        contact.relay.burst(0.3)
        time.sleep(1)
    keeps_decoding(agent, contact, path, seconds=3)
    contact.peer.wait_colour(GREEN, timeout=10)
    agent.call(path, "Disconnect")
    contact.sipp.assert_passed()
    contact.stop()
    agent.stop()
