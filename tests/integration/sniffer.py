"""What crosses the loopback interface: every UDP datagram (and, with tcp=True, every TCP
segment's payload) to or from a set of ports, captured with a raw AF_PACKET socket on "lo" (root
only, as in the CI) by a thread of the test's own.

    with Sniffer(ports) as sniffer:
        ...
    sniffer.datagrams   # [(source port, destination port, payload bytes)]
    sniffer.segments    # the same for TCP (empty payloads left out)"""

import socket
import struct
import threading

ETH_P_ALL = 0x0003
PACKET_HOST = 0  # on "lo" each datagram shows up once as outgoing and once as arriving


class Sniffer:
    def __init__(self, ports, tcp=False):
        self.ports = set(ports)
        self.tcp = tcp
        self.datagrams = []
        self.segments = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind(("lo", 0))
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._run, name="sniffer", daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                frame, address = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            if address[2] != PACKET_HOST:
                continue
            self._take(frame[14:])  # the Ethernet header of lo

    def _take(self, ip):
        if len(ip) < 28 or ip[0] >> 4 != 4:
            return
        header = (ip[0] & 0x0F) * 4
        if ip[9] == socket.IPPROTO_UDP:
            source, destination, length = struct.unpack("!HHH", ip[header:header + 6])
            if source in self.ports or destination in self.ports:
                with self.lock:
                    self.datagrams.append((source, destination, bytes(ip[header + 8:header + length])))
        elif ip[9] == socket.IPPROTO_TCP and self.tcp and len(ip) >= header + 20:
            source, destination = struct.unpack("!HH", ip[header:header + 4])
            total = struct.unpack("!H", ip[2:4])[0]
            payload = bytes(ip[header + (ip[header + 12] >> 4) * 4:total])
            if payload and (source in self.ports or destination in self.ports):
                with self.lock:
                    self.segments.append((source, destination, payload))

    def snapshot(self):
        with self.lock:
            return list(self.datagrams)

    def tcp_snapshot(self):
        with self.lock:
            return list(self.segments)

    def stop(self):
        self.running = False
        self.thread.join(5)
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
