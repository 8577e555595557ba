#!/usr/bin/python3
"""Web bridge benchmark on loopback: what the bridge adds to the D-Bus API, in the same run.
Prints figures; asserts nothing. About 1 minute.

  SPORTELLOD=… SPORTELLO_WEB_BRIDGE=… /usr/bin/python3 bench/web_bridge_bench.py [--rounds 2000]

Parties: sportellod (test tone), gnome-keyring for the bridge's token, sportello-web-bridge,
and a baresip the agent calls, on a private bus.

1. Round trips, in turn so that other work weighs on both alike: Properties.GetAll on Agent1
   over D-Bus (this process -> dbus-daemon -> sportellod -> back), next to GET /api/v1/state
   over one kept-alive HTTP connection (this process -> bridge -> dbus-daemon -> sportellod ->
   back); then Session1.AppendNote on a live call directly, next to POST
   /api/v1/sessions/N/append-note.
2. Events: each AppendNote changes the session's Notepad; its PropertiesChanged is stamped on
   arrival here (a GDBus filter, before any dispatch) and the bridge's session-changed message
   on the WebSocket as it is read (a reader thread); the difference is what the bridge adds to
   an event.
Figures: median, p99 (nearest rank) and max in ms. Goal (issue 12): the bridge adds <= 1 ms p99."""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "integration"))
import benchlib  # noqa: E402

os.environ.setdefault("SPORTELLOD", benchlib.find_sportellod())

import conftest  # noqa: E402
from peers import Baresip, sportello_config  # noqa: E402
from video_bench import Env  # noqa: E402
from wsclient import WsClient  # noqa: E402

from gi.repository import Gio, GLib  # noqa: E402

BRIDGE = os.environ.get("SPORTELLO_WEB_BRIDGE", str(Path(os.environ["SPORTELLOD"]).parents[1]
                                                     / "crm-adapters" / "web-bridge" / "sportello-web-bridge"))
CRM = "http://127.0.0.1:8089"


def summary(values):
    values = sorted(values)
    return "median %7.3f  p99 %7.3f  max %7.3f  (n=%d)" % (
        benchlib.percentile(values, 50), benchlib.percentile(values, 99), values[-1], len(values))


def start_keyring(env):
    proc = env.procs.start("gnome-keyring", ["gnome-keyring-daemon", "--foreground", "--unlock",
                                             "--components=secrets"], env.env, stdin=subprocess.PIPE)
    proc.stdin.write(b"bench-pass")
    proc.stdin.close()
    conftest.wait_for(lambda: env.name_has_owner("org.freedesktop.secrets"), 10, what="gnome-keyring")


def tcp_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(proc, port):
    if proc.poll() is not None:
        raise RuntimeError("the bridge exited %d: %s" % (proc.returncode, proc.log_path.read_text()))
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class Http:
    def __init__(self, port, token):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Host": "127.0.0.1:%d" % port, "Origin": CRM, "Authorization": "Bearer " + token,
                        "Content-Type": "application/json"}

    def request(self, method, path, body=None):
        self.connection.request(method, path, body=None if body is None else json.dumps(body).encode(),
                                headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError("%s %s: %d %s" % (method, path, response.status, data))
        return data


class NoteWatcher:
    """Stamps each Notepad change of PATH: over D-Bus (GDBus filter) and on the WebSocket."""

    def __init__(self, connection, path, stream):
        self.lock = threading.Condition()
        self.dbus, self.ws = {}, {}
        self.path = path
        # The match rule makes the bus send us the signal; the filter stamps it on arrival.
        self.subscription = connection.signal_subscribe(conftest.NAME, "org.freedesktop.DBus.Properties",
                                                        "PropertiesChanged", path, None,
                                                        Gio.DBusSignalFlags.NONE, lambda *a: None)
        self.filter_id = connection.add_filter(self._filter, None)
        self.connection = connection
        self.stream = stream
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _filter(self, connection, message, incoming, *user_data):
        if incoming and message.get_member() == "PropertiesChanged" and message.get_path() == self.path:
            t = time.monotonic()
            changed = message.get_body().unpack()[1]
            if "Notepad" in changed:
                with self.lock:
                    self.dbus.setdefault(changed["Notepad"], t)
                    self.lock.notify_all()
        return message

    def _read(self):
        while True:
            try:
                kind, *rest = self.stream.receive()
            except (OSError, ConnectionError):
                return
            t = time.monotonic()
            if kind != "text":
                return
            event = json.loads(rest[0])
            if event.get("type") == "session-changed" and "Notepad" in event.get("changed", {}):
                with self.lock:
                    self.ws.setdefault(event["changed"]["Notepad"], t)
                    self.lock.notify_all()

    def wait(self, notepad, timeout=5):
        with self.lock:
            self.lock.wait_for(lambda: notepad in self.dbus and notepad in self.ws, timeout)
            return self.dbus.get(notepad), self.ws.get(notepad)

    def close(self):
        self.connection.remove_filter(self.filter_id)
        self.connection.signal_unsubscribe(self.subscription)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    print("machine: %s" % benchlib.machine())
    print("sportellod: %s\nbridge: %s" % (os.environ["SPORTELLOD"], BRIDGE))
    print("load average at start: %s" % benchlib.loadavg())
    env = Env()
    try:
        env.start_bus()
        start_keyring(env)
        port = tcp_port()
        config = sportello_config(env, conftest.free_port(),
                                  extra="\n[web-bridge]\nport = %d\nallowed-origins = %s\n" % (port, CRM))
        env.start_sportellod(config=config)
        token = subprocess.run([conftest.SPORTELLOCTL, "web-bridge", "token"], env=env.env, capture_output=True,
                               text=True, check=True).stdout.strip()
        bridge = env.procs.start("web-bridge", [BRIDGE, "--config", str(config)], env.env)
        conftest.wait_for(lambda: listening(bridge, port), 10, what="the bridge")
        http_client = Http(port, token)
        conn = env.connection
        get_all = lambda: conn.call_sync(conftest.NAME, conftest.ROOT, "org.freedesktop.DBus.Properties",  # noqa: E731
                                         "GetAll", GLib.Variant("(s)", ("org.sportello.Agent1",)), None,
                                         Gio.DBusCallFlags.NONE, -1, None)
        for _ in range(200):  # warm-up
            get_all()
            http_client.request("GET", "/api/v1/state")
        direct, bridged = [], []
        for _ in range(args.rounds):
            t0 = time.monotonic()
            get_all()
            t1 = time.monotonic()
            http_client.request("GET", "/api/v1/state")
            t2 = time.monotonic()
            direct.append((t1 - t0) * 1000)
            bridged.append((t2 - t1) * 1000)

        customer = Baresip(env)
        path = env.call(conftest.AGENT, "Dial", "sa{ss}", (customer.uri, {}))
        conftest.wait_for(lambda: env.get_property(conftest.SESSION, "State", path=path) == "talking", 20,
                          what="talking")
        number = int(path.rsplit("/", 1)[1])
        stream = WsClient(port, "/api/v1/events", origin=CRM)
        stream.send_json({"type": "auth", "token": token})
        watcher = NoteWatcher(conn, path, stream)
        note_direct, note_bridged, event_added = [], [], []
        for i in range(args.events):
            t0 = time.monotonic()
            conn.call_sync(conftest.NAME, path, conftest.SESSION, "AppendNote", GLib.Variant("(s)", ("d%d" % i,)),
                           None, Gio.DBusCallFlags.NONE, -1, None)
            t1 = time.monotonic()
            http_client.request("POST", "/api/v1/sessions/%d/append-note" % number, ["b%d" % i])
            t2 = time.monotonic()
            note_direct.append((t1 - t0) * 1000)
            note_bridged.append((t2 - t1) * 1000)
            notepad = env.get_property(conftest.SESSION, "Notepad", path=path)
            t_dbus, t_ws = watcher.wait(notepad)
            if t_dbus and t_ws:
                event_added.append((t_ws - t_dbus) * 1000)
        watcher.close()
        stream.close()
        env.call(conftest.SESSION, "Disconnect", path=path)
        customer.close()

        print("\n== round trips, %d in turn (ms) ==" % args.rounds)
        print("  D-Bus GetAll(Agent1)            %s" % summary(direct))
        print("  GET /api/v1/state (bridge)      %s" % summary(bridged))
        print("  the bridge adds: median %+.3f ms, p99 %+.3f ms (goal <= 1 ms p99)" % (
            benchlib.percentile(sorted(bridged), 50) - benchlib.percentile(sorted(direct), 50),
            benchlib.percentile(sorted(bridged), 99) - benchlib.percentile(sorted(direct), 99)))
        print("\n== an action on a live call, %d in turn (ms) ==" % args.events)
        print("  D-Bus AppendNote                %s" % summary(note_direct))
        print("  POST .../append-note (bridge)   %s" % summary(note_bridged))
        print("\n== events: PropertiesChanged here -> the bridge's WebSocket message here (ms) ==")
        print("  %s" % summary(event_added) if event_added else "  no event pairs seen")
    finally:
        env.cleanup()
    print("load average at end: %s (2 cores: above 2, the machine was busy)" % benchlib.loadavg())


if __name__ == "__main__":
    main()
