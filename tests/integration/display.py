"""An X display for tests that show video: Xvfb on a free display number (-displayfd), jwm as an
EWMH window manager when asked for, and helpers to find a window, screenshot it and read the
mean colour of a region with ImageMagick (TESTENV.md section 7). Xvfb and jwm are started
through the TestEnv's Processes and stopped by PID.

    display = Display(testenv, wm=True)     # or the `display` / `desktop` fixtures in conftest.py
    sportellod = testenv.start_sportellod(...)   # after: it inherits DISPLAY from testenv.env
    wid = display.find_window("Sportello video")
    assert near(display.window_colour(wid, "centre"), (0, 0, 255))
    assert "_NET_WM_STATE_ABOVE" in display.wm_state(wid)
"""

import re
import socket
import subprocess
from pathlib import Path

from conftest import wait_for

# xwininfo -root -tree:    0x400001 "gst-launch-1.0": ("gst-launch-1.0" "GStreamer")  640x480+0+0  +0+0
WINDOW_LINE = re.compile(r'^\s*(0x[0-9a-f]+) (?:"(.*?)"|\(has no name\)): .*?'
                         r'(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)\s*$')


def run(argv, env=None, check=True, timeout=20):
    """Runs a command; returns its stdout as text."""
    result = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, argv))} exited {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def image_size(path):
    width, height = run(["identify", "-format", "%w %h", f"{path}[0]"]).split()
    return int(width), int(height)


def region_box(width, height, where="centre", size=0.1, margin=0.02):
    """A box (x, y, w, h) in an image of width x height: where is "whole", "centre"/"center",
    "top-left", "top-right", "bottom-left" or "bottom-right"; size is the box's fraction of each
    dimension; corner boxes stay margin (fraction) away from the edges. A tuple passes through."""
    if not isinstance(where, str):
        return tuple(int(v) for v in where)
    if where == "whole":
        return 0, 0, width, height
    w, h = max(1, round(width * size)), max(1, round(height * size))
    mx, my = round(width * margin), round(height * margin)
    places = {
        "centre": ((width - w) // 2, (height - h) // 2), "center": ((width - w) // 2, (height - h) // 2),
        "top-left": (mx, my), "top-right": (width - w - mx, my),
        "bottom-left": (mx, height - h - my), "bottom-right": (width - w - mx, height - h - my),
    }
    x, y = places[where]
    return x, y, w, h


def image_colour(path, region="whole", size=0.1, margin=0.02):
    """Mean (r, g, b), 0-255, of a region of an image file (see region_box)."""
    width, height = image_size(path)
    x, y, w, h = region_box(width, height, region, size, margin)
    fx = ",".join(f"%[fx:int(255*mean.{c}+0.5)]" for c in "rgb")
    out = run(["convert", f"{path}[0]", "-crop", f"{w}x{h}+{x}+{y}", "+repage", "-format", fx, "info:"])
    return tuple(int(v) for v in out.strip().split(","))


def image_stddev(path):
    """ImageMagick's standard deviation of the whole image: 0 for a blank one."""
    return float(run(["convert", f"{path}[0]", "-format", "%[fx:standard_deviation]", "info:"]))


class Display:
    """Xvfb (screen size x depth, default 1280x720x24) on a display number it picks itself, with
    DISPLAY put into testenv.env so that everything started afterwards shows on it; jwm too when
    wm=True (or later with start_wm()). HOME is the test's own (testenv.home)."""

    def __init__(self, testenv, screen="1280x720x24", wm=False, name="xvfb", timeout=15):
        self.testenv = testenv
        self.name = name
        self.shots = 0
        self.wm = None
        # -displayfd 1: Xvfb writes the display number to its stdout, i.e. its log file.
        # -noreset: without it the server resets when its last client leaves (even our probe of
        # the socket), and a client connecting meanwhile fails with "could not open display".
        self.xvfb = testenv.procs.start(name, ["Xvfb", "-displayfd", "1", "-screen", "0", screen,
                                               "-nolisten", "tcp", "-noreset"], testenv.env)
        number = wait_for(self._display_number, timeout, interval=0.05, what="Xvfb's display number")
        self.display = f":{number}"
        self.socket = Path(f"/tmp/.X11-unix/X{number}")
        wait_for(self._accepts, timeout, interval=0.05, what=f"Xvfb on {self.display}")
        testenv.env["DISPLAY"] = self.display
        self.env = dict(testenv.env)
        if wm:
            self.start_wm()

    def _display_number(self):
        if self.xvfb.poll() is not None:
            raise AssertionError(f"Xvfb exited {self.xvfb.returncode}:\n{self.log()}")
        for line in self.log().splitlines():
            if line.strip().isdigit():
                return line.strip()
        return None

    def _accepts(self):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            try:
                s.connect(str(self.socket))
            except OSError:
                return False
        return True

    def log(self):
        path = self.xvfb.log_path
        return path.read_text(errors="replace") if path.exists() else ""

    def run(self, argv, check=True, timeout=20):
        """Runs an X client on this display; returns its stdout."""
        return run(argv, env=self.env, check=check, timeout=timeout)

    # -- the window manager ------------------------------------------------------------------------
    def start_wm(self, timeout=15):
        """Starts jwm and waits until it owns _NET_SUPPORTING_WM_CHECK."""
        assert self.wm is None, "jwm is already running"
        self.wm = self.testenv.procs.start(f"{self.name}-jwm", ["jwm"], self.env)

        def ready():
            if self.wm.poll() is not None:
                raise AssertionError(f"jwm exited {self.wm.returncode}:\n"
                                     + self.wm.log_path.read_text(errors="replace"))
            return self.wm_running()

        wait_for(ready, timeout, interval=0.05, what="jwm on " + self.display)

    def wm_running(self):
        out = self.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], check=False)
        return "window id" in out

    # -- windows -----------------------------------------------------------------------------------
    def windows(self):
        """Every window in the tree: [{"id", "name", "width", "height", "x", "y"}] (x, y absolute)."""
        found = []
        for line in self.run(["xwininfo", "-root", "-tree"]).splitlines():
            m = WINDOW_LINE.match(line)
            if m:
                found.append({"id": int(m.group(1), 16), "name": m.group(2), "width": int(m.group(3)),
                              "height": int(m.group(4)), "x": int(m.group(5)), "y": int(m.group(6))})
        return found

    def geometry(self, wid):
        """{"x", "y", "width", "height", "map_state"} of a window (x, y absolute)."""
        out = self.run(["xwininfo", "-id", str(wid)])
        value = {}
        for key, label in (("x", "Absolute upper-left X"), ("y", "Absolute upper-left Y"), ("width", "Width"),
                           ("height", "Height")):
            value[key] = int(re.search(rf"^\s*{label}:\s*(-?\d+)", out, re.M).group(1))
        value["map_state"] = re.search(r"Map State:\s*(\w+)", out).group(1)
        return value

    def find_windows(self, title, exact=True):
        """Ids of the windows called title (or whose name contains it, exact=False)."""
        return [w["id"] for w in self.windows()
                if w["name"] is not None and (w["name"] == title if exact else title in w["name"])]

    def find_window(self, title, exact=True, timeout=10, viewable=True):
        """Waits for a window called title (mapped and viewable unless viewable=False); its id."""
        def look():
            for wid in self.find_windows(title, exact):
                try:
                    if not viewable or self.geometry(wid)["map_state"] == "IsViewable":
                        return wid
                except AssertionError:  # it went away meanwhile
                    continue
            return None

        return wait_for(look, timeout, interval=0.1, what=f"a window called {title!r} on {self.display}")

    def window_gone(self, title, exact=True):
        return not any(self._viewable(wid) for wid in self.find_windows(title, exact))

    def _viewable(self, wid):
        try:
            return self.geometry(wid)["map_state"] == "IsViewable"
        except AssertionError:
            return False

    def wm_state(self, wid):
        """The atoms in the window's _NET_WM_STATE (e.g. ["_NET_WM_STATE_ABOVE"]); [] if unset."""
        out = self.run(["xprop", "-id", str(wid), "_NET_WM_STATE"], check=False)
        if "=" not in out:
            return []
        return [atom.strip() for atom in out.split("=", 1)[1].split(",") if atom.strip()]

    def set_wm_state(self, wid, add=(), remove=()):
        """Asks the window manager to change _NET_WM_STATE, e.g. add=("above",) (wmctrl)."""
        for action, states in (("add", add), ("remove", remove)):
            for state in states:
                self.run(["wmctrl", "-i", "-r", str(wid), "-b", f"{action},{state}"])

    # -- pictures ----------------------------------------------------------------------------------
    def screenshot(self, wid=None, path=None):
        """A PNG of one window (or of the whole screen); returns its path (in the test's tmp dir)."""
        if path is None:
            self.shots += 1
            path = self.testenv.tmp / f"{self.name}-shot{self.shots}.png"
        self.run(["import", "-window", str(wid) if wid is not None else "root", f"png:{path}"])
        return Path(path)

    def window_colour(self, wid=None, region="centre", size=0.1, margin=0.02):
        """Screenshots the window (or screen) and returns the mean (r, g, b) of region (see region_box)."""
        return image_colour(self.screenshot(wid), region, size, margin)

    # -- teardown ----------------------------------------------------------------------------------
    def stop(self):
        if self.wm is not None:
            self.testenv.procs.stop(self.wm)
            self.wm = None
        self.testenv.procs.stop(self.xvfb)
        if self.testenv.env.get("DISPLAY") == self.display:
            del self.testenv.env["DISPLAY"]
