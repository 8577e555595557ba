#!/usr/bin/python3
"""Co-browse benchmark on loopback: how long the leader's pointer takes to show in the follower's
browser through the relay, next to the floor in the same run; how long a navigation takes to
bring the follower along; what one co-browse costs the relay. Prints figures; asserts nothing.

  SPORTELLOD=… SPORTELLO_COBROWSE=… /usr/bin/python3 bench/cobrowse_bench.py [--events 400]

Parties: sportellod with a call to baresip and StartCoBrowse, the relay (sportello-cobrowse), the
sample site (tests/data/co-browse-site), two headless Chromium (the agent leads, the customer
follows), all on a private bus and 127.0.0.1.

1. Pointer: the agent's page gets synthetic pointermove events every 40 ms (cobrowse.js sends
   at most one per 30 ms) stamped with the page's clock (performance.timeOrigin + now, the
   machine's clock in both browsers); the customer's page records when the pointer marker moves.
   The floor: the same two browsers exchanging the same messages through a bare WebSocket relay
   in this process (asyncio, forwarding frames, no checks), in alternating blocks.
2. Navigation: the agent follows a link; from the click to the customer's new page having run
   its scripts (DOMContentLoaded), twenty times.
3. The relay's CPU time while the pointer streams (per minute) and its resident memory before
   the session and with it.
Goal (issue 13): pointer <= 50 ms p99 on loopback."""

import argparse
import asyncio
import base64
import hashlib
import os
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
import benchlib  # noqa: E402

os.environ.setdefault("SPORTELLOD", benchlib.find_sportellod())
os.environ.setdefault("SPORTELLO_COBROWSE", str(Path(os.environ["SPORTELLOD"]).parents[1] / "crm-adapters"
                                                / "co-browse" / "sportello-cobrowse"))
os.environ.setdefault("SPORTELLO_BUILD_DIR", str(Path(os.environ["SPORTELLOD"]).parents[1]))

import conftest  # noqa: E402
from browser import Browser, Site, tcp_port  # noqa: E402
from test_cobrowse_relay import Relay, call_with_cobrowse  # noqa: E402

FLOOR_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>floor</title></head><body>
<script>
  const role = new URLSearchParams(location.search).get("role");
  const ws = new WebSocket("ws://127.0.0.1:" + new URLSearchParams(location.search).get("port") + "/");
  window.__arrivals = [];
  window.__ready = false;
  ws.onopen = () => { window.__ready = true; };
  ws.onmessage = (e) => { const m = JSON.parse(e.data); __arrivals.push([performance.timeOrigin + performance.now(), m.t]); };
  window.__send = (x, y) => ws.send(JSON.stringify({type: "pointer", x, y, t: performance.timeOrigin + performance.now()}));
</script></body></html>"""

RECORD_POINTER = """
  window.__arrivals = [];
  const marker = document.getElementById("sportello-cobrowse-pointer");
  new MutationObserver(() => __arrivals.push([performance.timeOrigin + performance.now(), Number(marker.dataset.t)]))
    .observe(marker, {attributes: true, attributeFilter: ["data-t"]});
"""

MOVE_POINTER = """
  const [count, start] = arguments;
  window.__moved = 0;
  let i = 0;
  const timer = setInterval(() => {
    document.body.dispatchEvent(new PointerEvent("pointermove", {clientX: 100 + (i % 200), clientY: 200 + (i % 50), bubbles: true}));
    if (++i >= count) { clearInterval(timer); window.__moved = i; }
  }, 40);
"""

FLOOR_MOVES = """
  const [count] = arguments;
  window.__moved = 0;
  let i = 0;
  const timer = setInterval(() => { __send(100 + (i % 200), 200 + (i % 50)); if (++i >= count) { clearInterval(timer); window.__moved = i; } }, 40);
"""


# ---- a bare WebSocket relay: the floor ----

class FloorRelay:
    """Forwards each text frame from one browser to the other; nothing else."""

    def __init__(self):
        self.port = tcp_port()
        self.peers = []
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        benchlib.wait_for(self._listening, 10, what="the floor relay")

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", self.port))
        self.loop.run_forever()

    async def _client(self, reader, writer):
        try:
            await self._serve(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the readiness probe, or a page that went away
        finally:
            if writer in self.peers:
                self.peers.remove(writer)

    async def _serve(self, reader, writer):
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        key = [line.split(":", 1)[1].strip() for line in head.split("\r\n") if line.lower().startswith("sec-websocket-key")][0]
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        self.peers.append(writer)
        while True:
            first, second = await reader.readexactly(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
            mask = await reader.readexactly(4)
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(await reader.readexactly(length)))
            if first & 0x0F == 8:
                return
            for peer in self.peers:
                if peer is not writer:
                    header = bytes([0x81, length]) if length < 126 else bytes([0x81, 126]) + struct.pack("!H", length)
                    peer.write(header + data)


# ---- measuring ----

def latencies(arrivals):
    return sorted(arrived - sent for arrived, sent in arrivals if sent > 0)


def summary(name, values):
    if not values:
        return f"  {name:34} no samples"
    return (f"  {name:34} median {benchlib.percentile(values, 50):7.2f}  p99 {benchlib.percentile(values, 99):7.2f}"
            f"  max {values[-1]:7.2f}  (n={len(values)})")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS")).split()[1])


def stream(driver_from, driver_to, script, count, *args):
    driver_to.execute_script("window.__arrivals = window.__arrivals || []; window.__arrivals.length = 0;")
    driver_from.execute_script(script, count, *args)
    benchlib.wait_for(lambda: driver_from.execute_script("return window.__moved") == count, count * 0.2 + 20,
                      what="the pointer moves")
    time.sleep(0.5)
    return driver_to.execute_script("return window.__arrivals")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--navigations", type=int, default=20)
    options = parser.parse_args()
    print("machine:", benchlib.machine())
    print("sportellod:", os.environ["SPORTELLOD"])
    print("relay:", os.environ["SPORTELLO_COBROWSE"])
    print("load average at start:", benchlib.loadavg())

    tmp = Path(tempfile.mkdtemp(prefix="cobrowse-bench-"))
    env = conftest.TestEnv(tmp)
    env.start_bus()
    browsers = []
    try:
        relay_port = tcp_port()
        site_dir = env.root / "site"
        shutil.copytree(HERE.parent / "tests" / "data" / "co-browse-site", site_dir)
        for page in site_dir.glob("*.html"):
            page.write_text(page.read_text().replace("@RELAY@", f"http://127.0.0.1:{relay_port}"))
        (site_dir / "floor.html").write_text(FLOOR_PAGE)
        site = Site(env, site_dir, name="site")
        relay = Relay(env, site=site.origin, port=relay_port)
        rss_before = rss_kib(relay.proc.pid)
        phone, path, code, url = call_with_cobrowse(env, relay)
        customer, agent = Browser(env, profile="customer"), Browser(env, profile="agent")
        browsers += [customer, agent]
        customer.open(url)
        benchlib.wait_for(lambda: customer.driver.execute_script(
            "return document.documentElement.dataset.sportelloCobrowse") == "customer:waiting", 30, what="the customer")
        agent.open(env.get_property(conftest.SESSION, "CoBrowseAgentUrl", path=path))
        benchlib.wait_for(lambda: agent.driver.execute_script(
            "return document.documentElement.dataset.sportelloCobrowse") == "agent:together", 30, what="the agent")
        customer.driver.execute_script(RECORD_POINTER)
        rss_with = rss_kib(relay.proc.pid)

        floor = FloorRelay()
        floor_customer, floor_agent = Browser(env, profile="floor-b"), Browser(env, profile="floor-a")
        browsers += [floor_customer, floor_agent]
        floor_customer.open(f"{site.origin}/floor.html?role=b&port={floor.port}")
        floor_agent.open(f"{site.origin}/floor.html?role=a&port={floor.port}")
        for b in (floor_customer, floor_agent):
            benchlib.wait_for(lambda b=b: b.driver.execute_script("return window.__ready"), 10, what="floor page")

        through_relay, through_floor = [], []
        relay_cpu = 0
        block = 100
        for _ in range(max(1, options.events // block)):
            cpu = benchlib.cpu_ns(relay.proc.pid)
            through_relay += latencies(stream(agent.driver, customer.driver, MOVE_POINTER, block, 0))
            relay_cpu += benchlib.cpu_ns(relay.proc.pid) - cpu
            through_floor += latencies(stream(floor_agent.driver, floor_customer.driver, FLOOR_MOVES, block))
        through_relay.sort()
        through_floor.sort()
        streamed_s = len(through_relay) * 0.04

        navigations = []
        for n in range(options.navigations):
            target = "products.html" if n % 2 == 0 else "index.html"
            link = "#to-products" if target == "products.html" else None
            clicked = agent.driver.execute_script("return performance.timeOrigin + performance.now()")
            if link:
                agent.click(link)
            else:
                agent.driver.execute_script("location.assign('index.html')")
            benchlib.wait_for(lambda: customer.driver.current_url.endswith(target) and customer.driver.execute_script(
                "return document.readyState !== 'loading'"), 20, what="the customer following")
            loaded = customer.driver.execute_script(
                "return performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
            navigations.append(loaded - clicked)
            benchlib.wait_for(lambda: agent.driver.execute_script(
                "return document.documentElement.dataset.sportelloCobrowse") == "agent:together", 20, what="together")
        navigations.sort()

        print(f"\n== pointer, leader -> follower (ms), {len(through_relay)} moves each, in alternating blocks ==")
        print(summary("through sportello-cobrowse", through_relay))
        print(summary("floor: a bare WebSocket relay", through_floor))
        if through_relay and through_floor:
            print(f"  the relay adds: median {benchlib.percentile(through_relay, 50) - benchlib.percentile(through_floor, 50):+.2f} ms,"
                  f" p99 {benchlib.percentile(through_relay, 99) - benchlib.percentile(through_floor, 99):+.2f} ms"
                  " (goal: pointer <= 50 ms p99)")
        print(f"\n== navigation: the agent's click -> the customer's page loaded (ms), {len(navigations)} ==")
        print(summary("follower's DOMContentLoaded", navigations))
        print("\n== the relay ==")
        print(f"  CPU while the pointer streams: {relay_cpu / 1e9 / streamed_s * 60:.3f} CPU-s per minute "
              f"({relay_cpu / 1e6 / max(1, len(through_relay)):.3f} ms per move)")
        print(f"  resident memory: {rss_before} KiB without a session, {rss_with} KiB with one "
              f"({rss_with - rss_before:+d} KiB)")
        print("load average at end:", benchlib.loadavg(), "(2 cores: above 2, the machine was busy)")
        phone.close()
    finally:
        for b in browsers:
            b.quit()
        env.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
