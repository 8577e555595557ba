#!/usr/bin/python3
"""Video through the customer's browser (WebRTC), measured on loopback next to the SIP video path in
the same run and the same sportellod process. Prints figures; asserts nothing. About 4 minutes
with the defaults.

  SPORTELLOD=build-rel/service/sportellod /usr/bin/python3 bench/browser_video_bench.py
      [--seconds 60] [--joins 10] [--only sip,browser,joins] [--keep]

1. sip: as bench/video_bench.py's part 1: sportellod (camera = test, a moving ball 640x480@30)
   dials a scripted video phone (sipp + tests/integration/videopeer.py: a moving ball, VP8
   640x480@30, Opus) and adds video with ActivateVideo; sportellod's CPU over a --seconds window.
2. browser: the same sportellod dials baresip (voice only: a plain phone line), calls
   InviteBrowserVideo, and headless Chromium (Debian's, selenium) with its fake camera (a moving
   picture, 640x480 at 30 pictures a second) opens the link through the relay (sportello-cobrowse). Once the customer's
   frames flow both ways and 2 s have passed, sportellod's CPU over a window of the same length.
   The ratio browser / sip is the headline (goal: at most 1.2).
3. joins: --joins times on that call: DeactivateVideo, InviteBrowserVideo, then the time from the
   browser being told to open the link to the first customer frame decoded by sportellod
   (GetMediaStatistics' video-frames-decoded polled about every millisecond), and to the page
   saying the agent's picture plays. Goal: first frame within 1 s.

Each window also prints how busy the whole machine was (other work on a shared machine changes
CPU figures); Chromium's own CPU is printed but is the customer's, not ours.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
import benchlib  # noqa: E402

os.environ.setdefault("SPORTELLOD", benchlib.find_sportellod())

import conftest  # noqa: E402
import video_bench as vb  # noqa: E402
from browser import Browser, tcp_port  # noqa: E402
from call_bench import proc_sample  # noqa: E402
from peers import Baresip  # noqa: E402

SESSION = conftest.SESSION
RELAY = Path(os.environ["SPORTELLOD"]).resolve().parent.parent / "crm-adapters" / "co-browse" / "sportello-cobrowse"


def page_state(browser):
    return browser.driver.execute_script("return document.documentElement.dataset.sportelloVideo || ''")


def listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def chromium_pids(browser):
    """Chromium's processes (children of chromedriver)."""
    out = subprocess.run(["pgrep", "-P", str(browser.driver.service.process.pid)], capture_output=True, text=True)
    roots = [int(p) for p in out.stdout.split()]
    pids = list(roots)
    for root in roots:
        out = subprocess.run(["pgrep", "-g", str(os.getpgid(root))], capture_output=True, text=True)
        pids += [int(p) for p in out.stdout.split() if int(p) not in pids]
    return pids


def cpu_of(pids):
    total = 0.0
    for pid in pids:
        try:
            total += proc_sample(pid)["cpu"]
        except (OSError, KeyError, IndexError):
            pass
    return total


def invite_and_open(agent, path, browser):
    """InviteBrowserVideo, then the link opened: (ms to the first decoded frame, ms to the page's
    'active'), both from the moment the browser was told to open it."""
    if agent.prop(path, "VideoPath") == "browser":
        agent.call(path, "DeactivateVideo")
    base = agent.stats(path)["video-frames-decoded"]
    _code, url = agent.call(path, "InviteBrowserVideo")
    browser.driver.get("about:blank")
    t0 = time.monotonic()
    browser.driver.execute_script("window.location.href = arguments[0]", url)
    first = active = None
    deadline = t0 + 20
    while time.monotonic() < deadline and (first is None or active is None):
        if first is None and agent.stats(path)["video-frames-decoded"] > base:
            first = (time.monotonic() - t0) * 1000
        if active is None:
            try:
                if page_state(browser) == "active":
                    active = (time.monotonic() - t0) * 1000
            except Exception:  # the page is being replaced
                pass
        time.sleep(0.001)
    return first, active


def browser_call(env, agent, seconds, joins):
    phone = Baresip(env, name="phone")
    path = agent.dial(phone.uri)
    # 30 pictures a second, as the SIP phone of part 1 sends (Chromium's fake camera makes 20).
    browser = Browser(env, profile="customer", arguments=("--use-fake-device-for-media-stream=fps=30",
                                                          "--use-fake-ui-for-media-stream",
                                                          "--allow-loopback-in-peer-connection"))
    try:
        first, active = invite_and_open(agent, path, browser)
        print("first join (the process's first WebRTC: plugins load): first frame %.0f ms, page active %.0f ms"
              % (first or float("nan"), active or float("nan")))
        agent.wait_stat(path, "video-frames-decoded", 30)
        time.sleep(vb.SETTLE)
        pids = chromium_pids(browser)
        m0 = vb.machine_sample()
        before, s0, c0 = proc_sample(agent.proc.pid), agent.stats(path), cpu_of(pids)
        time.sleep(seconds)
        after, s1, c1 = proc_sample(agent.proc.pid), agent.stats(path), cpu_of(pids)
        m1 = vb.machine_sample()
        f = vb.window_figures(before, after)
        result = {"cost": f, "decoded_fps": vb.rate(s0, s1, "video-frames-decoded", f["wall"]),
                  "codec": s1.get("video-codec"), "chromium": 60.0 * (c1 - c0) / f["wall"],
                  "machine": vb.machine_line(m0, m1, f["per_min"] + 60.0 * (c1 - c0) / f["wall"])}
        times = [invite_and_open(agent, path, browser) for _ in range(joins)]
        result["joins"] = times
        agent.hang_up(path)
    finally:
        browser.quit()
        phone.close()
    return result


def series(values):
    values = sorted(v for v in values if v is not None)
    if not values:
        return "none"
    return "median %.0f, p90 %.0f, max %.0f (n=%d)" % (benchlib.percentile(values, 50),
                                                       benchlib.percentile(values, 90), values[-1], len(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each CPU window (default 60)")
    parser.add_argument("--joins", type=int, default=10, help="timed joins after the first (default 10)")
    parser.add_argument("--only", default="sip,browser", help="parts: sip, browser (its joins included)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary dirs (logs)")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    print("machine: %s" % benchlib.machine())
    print("sportellod: %s" % conftest.SPORTELLOD)
    print("chromium: %s" % (os.popen("chromium --version 2>/dev/null").read().strip() or "?"))
    print("load average at start: %s%s" % (benchlib.loadavg(), " (BUSY)" if benchlib.machine_busy() else ""))
    env = vb.Env()
    results = {}
    try:
        env.start_bus()
        relay_port = tcp_port()
        more = ("browser-ice-addresses = 127.0.0.1\n"
                "\n[co-browse]\nlisten = 127.0.0.1:%d\npublic-url = http://127.0.0.1:%d\n" % (relay_port, relay_port))
        agent = vb.Agent(env, "test", more_config=more)
        relay = env.procs.start("relay", [str(RELAY), "--config", str(agent.config)], env.env)
        conftest.wait_for(lambda: relay.poll() is not None or listening(relay_port), 10, what="the relay")
        if relay.poll() is not None:
            raise SystemExit("the relay exited: see %s" % relay.log_path)
        if "sip" in parts:
            print("\n== 1. the SIP video path: sportellod and a video phone (VP8 640x480@30 both ways), %g s ==" % args.seconds)
            contact = vb.start_contact(env)
            r = vb.sportellod_call(env, agent, contact, args.seconds)
            contact.stop()
            results["sip"] = r
            print(vb.cost_line("sportellod", r["cost"]))
            print(r["machine"])
            print("  frames: sportellod encoded %.2f/s, decoded %.2f/s" % (r["encoded_fps"], r["decoded_fps"]))
        if "browser" in parts:
            print("\n== 2. the browser path: voice with baresip, video with Chromium (fake camera), %g s ==" % args.seconds)
            r = browser_call(env, agent, args.seconds, args.joins)
            results["browser"] = r
            print(vb.cost_line("sportellod", r["cost"]))
            print("  Chromium (the customer's side, all its processes): %.2f CPU-s/min" % r["chromium"])
            print(r["machine"])
            print("  frames: sportellod decoded %.2f/s of the customer's (%s)" % (r["decoded_fps"], r["codec"]))
            print("\n== 3. link opened -> first customer frame decoded by sportellod, %d joins (ms) ==" % len(r["joins"]))
            print("  first frame: %s" % series([j[0] for j in r["joins"]]))
            print("  page active: %s" % series([j[1] for j in r["joins"]]))
        print("\n== summary ==")
        sip, browser = results.get("sip"), results.get("browser")
        if sip and browser:
            ratio = browser["cost"]["per_min"] / sip["cost"]["per_min"]
            print("  CPU: browser path %.2f s/min vs SIP path %.2f s/min = %.2f x (goal <= 1.2: %s)%s"
                  % (browser["cost"]["per_min"], sip["cost"]["per_min"], ratio, "met" if ratio <= 1.2 else "MISSED",
                     " (machine busy)" if benchlib.machine_busy() else ""))
        if browser:
            firsts = sorted(j[0] for j in browser["joins"] if j[0] is not None)
            if firsts:
                p50 = benchlib.percentile(firsts, 50)
                print("  first customer frame after the link is opened: median %.0f ms, max %.0f ms (goal <= 1000: %s)"
                      % (p50, firsts[-1], "met" if firsts[-1] <= 1000 else ("median met" if p50 <= 1000 else "MISSED")))
        print("sportellod exit status: %s" % agent.stop())
    finally:
        env.cleanup(keep=args.keep)
    print("load average at end: %s" % benchlib.loadavg())


if __name__ == "__main__":
    main()
