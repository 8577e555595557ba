"""How much longer than on an idle machine a test may wait for what it expects.

Every deadline a test waits against (a state, a signal, decoded frames, a colour) is a bound on
how long a correct service may take, never a measurement: benches measure. A correct service
takes longer under AddressSanitizer or valgrind, and on a machine whose cores are all busy
(parallel test processes, a CI neighbour), so the bounds grow with the machine's condition.
A broken feature still fails, only later. SPORTELLO_TIME_SCALE=N sets the factor by hand.

Standard library only: videopeer.py's child process imports it too."""

import os

MAX_LOAD_FACTOR = 3.0


def factor():
    explicit = os.environ.get("SPORTELLO_TIME_SCALE")
    if explicit:
        return max(1.0, float(explicit))
    scale = 1.0
    if os.environ.get("SPORTELLO_VALGRIND"):
        scale *= 3.0
    elif os.environ.get("SPORTELLO_SANITIZED"):
        scale *= 2.0
    # The one-minute load average per core: above 1, runnable work waits for a core.
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return scale * min(MAX_LOAD_FACTOR, max(1.0, load))


def scaled(seconds):
    """seconds, stretched for this machine's present condition."""
    return seconds * factor()


def describe(seconds):
    f = factor()
    return f"{seconds}s" if f == 1.0 else f"{seconds}s (×{f:.1f} for this machine: {seconds * f:.0f}s)"
