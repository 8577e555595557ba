"""Loopback ports for tests and benches that never collide with another test running in parallel.

Asking the kernel for a free port (bind to 0, close, hand the number on) races: the kernel hands
out ephemeral ports to every socket bound to port 0 (RTP sockets, browsers, phones), and our
peers are told 100-port RTP ranges they bind later, so two parallel tests could pick overlapping
numbers and sportellod then fails with "Address already in use".

Instead each process takes one slab of ports, outside the kernel's ephemeral range, and holds an
flock on the slab's lock file for its whole life: no other test process gets the same slab, and
the kernel never hands these numbers to port-0 sockets. Within its slab a process hands ports out
in order and checks each one can still be bound before giving it away."""

import errno
import fcntl
import os
import socket
import tempfile
import time
from pathlib import Path

SLAB_SIZE = 2000
# The product's default RTP range (20000-20999) stays out, in case a demo runs beside the tests.
CANDIDATE_RANGES = ((10000, 20000), (21000, 31000))
LOCK_DIR = Path(tempfile.gettempdir()) / f"sportello-test-ports-{os.getuid()}"
WAIT_FOR_SLAB = 120.0


def _ephemeral_range():
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def _slabs():
    low, high = _ephemeral_range()
    for start, end in CANDIDATE_RANGES:
        for base in range(start, end - SLAB_SIZE + 1, SLAB_SIZE):
            if base + SLAB_SIZE <= low or base > high:
                yield base


class _Slab:
    def __init__(self):
        self.base = None
        self.next = None
        self._lock_fd = None

    def _acquire(self):
        LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
        deadline = time.monotonic() + WAIT_FOR_SLAB
        while True:
            for base in _slabs():
                fd = os.open(LOCK_DIR / f"slab-{base}.lock", os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as e:
                    os.close(fd)
                    if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                        raise
                    continue
                self._lock_fd, self.base, self.next = fd, base, base
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"every test port slab in {LOCK_DIR} is held by another process")
            time.sleep(0.5)

    def take(self, count, align):
        """The first run of `count` ports (start a multiple of `align`) after the last one given."""
        if self._lock_fd is None:
            self._acquire()
        start = -(-self.next // align) * align
        if start + count > self.base + SLAB_SIZE:
            start = self.base
        self.next = start + count
        return start


_slab = _Slab()


def _bindable(port, kinds):
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_port_range(count, align=2, kinds=(socket.SOCK_DGRAM,)):
    """The first port of `count` consecutive ports this process alone hands out, all bindable now."""
    for _ in range(SLAB_SIZE):
        base = _slab.take(count, align)
        if all(_bindable(port, kinds) for port in range(base, base + count)):
            return base
    raise RuntimeError(f"no run of {count} free ports in the slab at {_slab.base}")


def free_port(kind=socket.SOCK_DGRAM):
    """A port this process alone hands out, free for both UDP and TCP now (SIP listens on both,
    whatever `kind` asks). The next three stay unused: baresip listens for SIP over TLS on the
    port after its SIP port, and sipp sends video from its media port + 2."""
    return free_port_range(4, align=4, kinds=(socket.SOCK_DGRAM, socket.SOCK_STREAM))


def even_free_port():
    """A free even port whose odd neighbour (RTCP) is free too."""
    return free_port_range(2)
