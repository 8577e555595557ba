"""A lossy UDP relay for one RTP stream (its RTP and RTCP ports) between sportellod and the
contact, on 127.0.0.1: each datagram is forwarded, or dropped with probability `loss` from a
seeded random generator of its own stream (direction, RTP or RTCP), so the n-th packet of a
stream meets the same fate every run whatever the timing between streams; or all of them during
a burst. This machine has no netem (no kernel module), so the loss a network would cause is made
here, in the test's own process, and counted.

    relay = LossyRelay(loss=0.05, seed=4588)
    # the contact's SDP names relay.agent_port; the contact sends to relay.contact_port
    relay.connect(agent_rtp_port, contact_rtp_port)
    ...
    relay.burst(0.2)        # drop everything for 200 ms (or only direction="to_agent")
    relay.stats()           # {"to_contact": {"forwarded": n, "dropped": n}, "to_agent": {...}}
    relay.stop()

Symmetric: each side's datagrams leave from the socket the other side sends to (RTP from RTP,
RTCP from RTCP), as phones expect (symmetric RTP)."""

import random
import selectors
import socket
import threading
import time


def _even_pair():
    for _ in range(100):
        first = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        first.bind(("127.0.0.1", 0))
        port = first.getsockname()[1]
        if port % 2 == 0 and port < 65534:
            second = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                second.bind(("127.0.0.1", port + 1))
                return port, first, second
            except OSError:
                second.close()
        first.close()
    raise RuntimeError("no free even/odd UDP port pair")


class LossyRelay:
    def __init__(self, loss=0.05, seed=4588, rtcp_loss=None):
        self.loss = loss
        self.rtcp_loss = loss if rtcp_loss is None else rtcp_loss
        # One generator per stream: with one for all, which packet was dropped depended on how
        # the two directions interleaved, so a slow run could drop far fewer than `loss`.
        self.randoms = {
            (direction, rtcp): random.Random(f"{seed}/{direction}/{'rtcp' if rtcp else 'rtp'}")
            for direction in ("to_contact", "to_agent") for rtcp in (False, True)}
        self.lock = threading.Lock()
        self.agent_port, self.agent_rtp, self.agent_rtcp = _even_pair()
        self.contact_port, self.contact_rtp, self.contact_rtcp = _even_pair()
        self.to_agent = None    # sportellod's (host, rtp port)
        self.to_contact = None  # the contact's (host, rtp port)
        self.burst_until = {"to_contact": 0.0, "to_agent": 0.0}
        self.counts = {"to_contact": {"forwarded": 0, "dropped": 0},
                       "to_agent": {"forwarded": 0, "dropped": 0}}
        self.selector = selectors.DefaultSelector()
        # socket it arrives on -> (socket it leaves from, direction, RTCP?)
        self.routes = {
            self.agent_rtp: (self.contact_rtp, "to_contact", False),
            self.agent_rtcp: (self.contact_rtcp, "to_contact", True),
            self.contact_rtp: (self.agent_rtp, "to_agent", False),
            self.contact_rtcp: (self.agent_rtcp, "to_agent", True),
        }
        for sock in self.routes:
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ)
        self.running = True
        self.thread = threading.Thread(target=self._run, name="lossy-relay", daemon=True)
        self.thread.start()

    def connect(self, agent_rtp_port, contact_rtp_port, host="127.0.0.1"):
        with self.lock:
            self.to_agent = (host, agent_rtp_port)
            self.to_contact = (host, contact_rtp_port)

    def set_loss(self, loss, rtcp_loss=None):
        with self.lock:
            self.loss = loss
            self.rtcp_loss = loss if rtcp_loss is None else rtcp_loss

    def burst(self, seconds, direction=None):
        """Drops every datagram for the next `seconds`: both ways, or one ("to_contact",
        "to_agent")."""
        with self.lock:
            for key in ([direction] if direction else list(self.burst_until)):
                self.burst_until[key] = time.monotonic() + seconds

    def stats(self):
        with self.lock:
            return {k: dict(v) for k, v in self.counts.items()}

    def _forward(self, sock):
        try:
            data = sock.recv(65536)
        except BlockingIOError:
            return
        out, direction, rtcp = self.routes[sock]
        with self.lock:
            target = self.to_contact if direction == "to_contact" else self.to_agent
            if target is None:
                return
            loss = self.rtcp_loss if rtcp else self.loss
            drop = (time.monotonic() < self.burst_until[direction]
                    or self.randoms[direction, rtcp].random() < loss)
            self.counts[direction]["dropped" if drop else "forwarded"] += 1
        if not drop:
            host, port = target
            try:
                out.sendto(data, (host, port + 1 if rtcp else port))
            except OSError:
                pass  # the other side is gone: a relay drops, it does not fail

    def _run(self):
        while self.running:
            for key, _ in self.selector.select(timeout=0.1):
                self._forward(key.fileobj)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.selector.close()
        for sock in self.routes:
            sock.close()
