"""The GNOME Shell extension (crm-adapters/gnome-shell) in a real gnome-shell 43, headless
(--headless --wayland --no-x11 --virtual-monitor) on the test's private session bus and a private
system bus, driving a real sportellod while baresip calls in.

It checks that the shell enabled the extension; that a ringing call shows in the top bar with the
caller's name and raises a notification with it and an Answer button, whose click answers the
call, and which is withdrawn once the call no longer rings (answered, or given up by the caller); that the menu holds the
call's buttons with only those the service accepts in the call's state sensitive; that the
extension's own menu items (activated as a click does, through their 'activate' signal, and only
when sensitive) answer, hold, retrieve and hang up, each seen over D-Bus and by baresip; and that
with a disposition required, Done stays insensitive until an outcome is chosen from the menu,
then closes the call. A screenshot of the open menu is kept in
BUILD_DIR/tests/integration/artefacts/shell-extension.png.

sportellod must exit with 0 afterwards (under ASan: no memory error or leak).

A test-only extension (tests/data/shell) turns on the shell's unsafe mode so that the test can use
org.gnome.Shell.Eval; gnome-shell is ended with global.context.terminate() and every process the
test starts is stopped by PID."""

import json
import re
import shutil
import subprocess

import pytest
from gi.repository import Gio, GLib

from conftest import AGENT, BUILD_DIR, DATA_DIR, SESSION, SignalRecorder, free_port, wait_for
from peers import Baresip, sportello_config

UUID = "sportello@sportello.org"
EXTENSION = BUILD_DIR / "crm-adapters" / "gnome-shell" / UUID
UNSAFE = DATA_DIR / "shell" / "unsafe@sportello.test"
ARTEFACTS = BUILD_DIR / "tests" / "integration" / "artefacts"
INDICATOR = f"Main.panel.statusArea['{UUID}']"

def system_bus(testenv):
    """A private system bus (gnome-shell exits without one): the stock policy, no activation."""
    config = open("/usr/share/dbus-1/system.conf").read()
    for old, new in (("<user>messagebus</user>", ""), ("<fork/>", ""), ("<syslog/>", ""),
                     ("<standard_system_servicedirs/>", "")):
        config = config.replace(old, new)
    config = re.sub(r"<pidfile>.*?</pidfile>|<servicehelper>.*?</servicehelper>", "", config)
    config = re.sub(r"<listen>.*?</listen>", f"<listen>unix:path={testenv.root}/system_bus_socket</listen>", config)
    path = testenv.root / "system.conf"
    path.write_text(config)
    proc = testenv.procs.start("system-bus", ["dbus-daemon", f"--config-file={path}", "--nofork",
                                              "--print-address=1"], testenv.env)
    wait_for(lambda: proc.log_path.read_text().strip(), 10, what="the system bus's address")
    return proc.log_path.read_text().splitlines()[0].strip()


class Shell:
    def __init__(self, testenv):
        self.testenv = testenv
        extensions = testenv.data / "gnome-shell" / "extensions"
        extensions.mkdir(parents=True)
        shutil.copytree(EXTENSION, extensions / UUID)
        shutil.copytree(UNSAFE, extensions / UNSAFE.name)
        subprocess.run(["gsettings", "set", "org.gnome.shell", "enabled-extensions",
                        f"['{UUID}', '{UNSAFE.name}']"], env=testenv.env, check=True, timeout=30)
        env = {**testenv.env, "DBUS_SYSTEM_BUS_ADDRESS": system_bus(testenv)}
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        self.proc = testenv.procs.start("gnome-shell", ["gnome-shell", "--headless", "--wayland", "--no-x11",
                                                        "--virtual-monitor", "1280x720"], env)
        wait_for(lambda: self._alive() and testenv.name_has_owner("org.gnome.Shell"), 60, what="gnome-shell")
        wait_for(self._unsafe, 60, what="the test extension enabled")

    def _unsafe(self):
        """The shell exports its objects a moment after taking its name: not there yet is False."""
        try:
            return self.extension_state(UNSAFE.name)[0] == 1 and self.eval("global.context.unsafe_mode") == "true"
        except GLib.Error:
            return False

    def _alive(self):
        if self.proc.poll() is not None:
            pytest.fail(f"gnome-shell exited {self.proc.returncode}:\n{self.proc.log_path.read_text()[-3000:]}")
        return True

    def call(self, method, signature, args, interface="org.gnome.Shell", path="/org/gnome/Shell",
             name="org.gnome.Shell"):
        return self.testenv.connection.call_sync(name, path, interface, method, GLib.Variant(signature, args),
                                                 None, Gio.DBusCallFlags.NONE, 20000, None).unpack()

    def extension_state(self, uuid):
        info = self.call("GetExtensionInfo", "(s)", (uuid,), interface="org.gnome.Shell.Extensions")[0]
        return int(info.get("state", -1)), info.get("error", "")

    def eval(self, script):
        self._alive()
        ok, result = self.call("Eval", "(s)", (script,))
        assert ok, f"Eval failed: {result}\n{script}"
        return result

    def label(self):
        return json.loads(self.eval(f"{INDICATOR}._label.text"))

    def activate(self, action):
        """Activates the extension's menu item for ACTION as a click does ('activate'); a click
        cannot reach an insensitive item, so neither does this."""
        found = self.eval(f"(() => {{ const item = {INDICATOR}.itemFor('{action}'); "
                          f"if (!item || !item.sensitive) return false; item.activate(null); return true; }})()")
        assert found == "true", f"no sensitive '{action}' item; the menu: {self.menu(True)}"

    def menu(self, with_sensitivity=False):
        """The menu's labels ('-' for a separator), or [label, sensitive] pairs."""
        items = json.loads(self.eval(f"{INDICATOR}.menu._getMenuItems().filter(i => !i.sportelloReadiness)"
                                     ".map(i => i.label ? [i.label.text, i.sensitive] : ['-', false])"))
        return items if with_sensitivity else [label for label, _ in items]

    def readiness(self):
        """The readiness submenu: [title, [[label, sensitive, checked], ...]], or None."""
        return json.loads(self.eval(f"{INDICATOR}.readiness()"))

    def sensitive(self):
        """The labels of the menu items a click can reach."""
        return [label for label, sensitive in self.menu(True) if sensitive]

    def notifications(self):
        return json.loads(self.eval("Main.messageTray.getSources().filter(s => s.title === 'Sportello')"
                                    ".flatMap(s => s.notifications.map(n => [n.title, n.bannerBodyText,"
                                    " n.actions.map(a => a.label)]))"))

    def click_banner(self, title, label):
        """Clicks the button LABEL of the notification banner TITLE once it is on screen. The
        shell's own banners ("System was put in unsafe mode") are dismissed as a user would: a
        headless shell sees no user activity, so they never expire and ours would wait behind.
        Seen in CI now and then: the headless shell, still in its start-up overview, leaves every
        banner queued (ours and its own) with nothing blocking them; the tray then gets the nudge
        any later event (a pointer move, a new notification) would give it."""
        script = ("(() => { let banner = Main.messageTray._banner; "
                  "if (banner && banner.notification.source.title !== 'Sportello') "
                  "{ banner.notification.destroy(); return 'dismissed'; } "
                  "if (!banner && Main.messageTray._notificationState === 0 "
                  "&& Main.messageTray._notificationQueue.length) "
                  "{ Main.messageTray._updateState(); if (Main.messageTray._banner) return 'nudged'; } "
                  "const buttons = banner && banner._buttonBox ? banner._buttonBox.get_children() : []; "
                  f"const button = buttons.find(b => b.label === {json.dumps(label)}); "
                  f"if (banner && banner.notification.title === {json.dumps(title)} && button) "
                  "{ button.emit('clicked', 1); return 'clicked'; } "
                  "return JSON.stringify([banner ? banner.notification.title : null, buttons.map(b => b.label), "
                  "Main.messageTray._notificationState, Main.messageTray._notificationQueue.map(n => n.title), "
                  "{blocked: Main.messageTray._bannerBlocked, busy: Main.messageTray._busy, "
                  "updating: Main.messageTray._updatingState, fullscreen: Main.layoutManager.primaryMonitor "
                  "? Main.layoutManager.primaryMonitor.inFullscreen : 'no monitor', "
                  "notifications: Main.sessionMode.hasNotifications, overview: Main.overview.visible, "
                  "modal: Main.modalCount}]); })()")
        seen = []

        def clicked():
            seen.append(self.eval(script))
            return seen[-1] == '"clicked"'
        try:
            wait_for(clicked, 30, what=f"the banner '{title}' with its {label} button")
        except BaseException:
            print("banner state:", seen[-1] if seen else None)
            print("gnome-shell's log:", self.proc.log_path.read_text(errors="replace")[-4000:])
            raise

    def screenshot(self, path):
        ok, written = self.call("Screenshot", "(bbs)", (False, False, str(path)),
                                interface="org.gnome.Shell.Screenshot", path="/org/gnome/Shell/Screenshot",
                                name="org.gnome.Shell.Screenshot")
        return ok and path.exists()

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.call("Eval", "(s)", ("global.context.terminate(); 1",))
                self.proc.wait(15)
            except (GLib.Error, subprocess.TimeoutExpired):
                pass  # stopped by PID at teardown


def state_of(testenv, path):
    return testenv.get_property(SESSION, "State", path=path)


def start(testenv):
    """sportellod (a disposition required before Done) and the shell with the extension enabled."""
    port = free_port()
    service = testenv.start_sportellod(config=sportello_config(testenv, port, required="true"))
    shell = Shell(testenv)
    assert shell.extension_state(UUID) == (1, ""), shell.proc.log_path.read_text()[-3000:]
    wait_for(lambda: shell.menu() == ["No call"], 20, what="the idle menu")
    return service, port, shell


def maria_calls(testenv, port):
    """baresip, stored as the contact Maria Rossi, calls the agent; returns it and the session."""
    added = SignalRecorder(testenv.connection, "org.freedesktop.DBus.ObjectManager", "InterfacesAdded")
    phone = Baresip(testenv, user="maria")
    testenv.call("org.sportello.Contacts1", "Save", "a{sv}", ({
        "first-name": GLib.Variant("s", "Maria"), "last-name": GLib.Variant("s", "Rossi"),
        "addresses": GLib.Variant("as", [phone.uri])},))
    assert phone.command("dial", f"sip:agent1@127.0.0.1:{port}")["ok"]
    path = added.wait(lambda e: SESSION in e[3][1], what="the call")[3][0]
    added.close()
    return phone, path


def hang_up_and_close(testenv, shell, phone, path):
    """Hang up, choose the outcome and Done, all from the menu."""
    shell.activate("disconnect")
    phone.wait_event("CALL_CLOSED")
    wait_for(lambda: "Ended" in shell.label(), 15, what="Ended in the top bar")
    # A disposition is required: Done waits for an outcome chosen from the menu.
    wait_for(lambda: shell.sensitive() == ["Outcome: Resolved", "Outcome: Call back"], 10,
             what="only the outcomes sensitive")
    shell.activate("disposition:resolved")
    wait_for(lambda: testenv.get_property(SESSION, "Dispositions", path=path) == ["resolved"], 15,
             what="the outcome chosen")
    wait_for(lambda: "Done" in shell.sensitive(), 10, what="Done sensitive")
    shell.activate("done")
    wait_for(lambda: shell.menu() == ["No call"], 15, what="the call closed")
    assert state_of_gone(testenv, path)


def test_the_extension_drives_a_call(testenv):
    service, port, shell = start(testenv)
    try:
        # A customer calls: the top bar and a notification show who it is.
        phone, path = maria_calls(testenv, port)
        wait_for(lambda: "Ringing" in shell.label(), 20, what="the ringing call in the top bar")
        assert "Maria Rossi" in shell.label()
        wait_for(lambda: shell.notifications(), 10, what="a notification")
        title, body, actions = shell.notifications()[0]
        assert title == "Incoming call: Maria Rossi" and body == phone.uri and actions == ["Answer"]

        # The call's buttons, only Answer and Reject sensitive while it rings.
        wait_for(lambda: "Outcome: Resolved" in shell.menu(), 10, what="the outcome codes in the menu")
        assert shell.menu()[2:] == ["Answer", "Reject", "Hold", "Video on", "Swap pictures", "Window on top",
                                    "Hang up", "Outcome: Resolved", "Outcome: Call back", "Done"]
        assert shell.sensitive() == ["Answer", "Reject", "Outcome: Resolved", "Outcome: Call back"]

        # Answer from the extension's menu: baresip is connected.
        shell.activate("answer")
        phone.wait_event("CALL_ESTABLISHED")
        wait_for(lambda: state_of(testenv, path) == "talking", 15, what="talking")
        wait_for(lambda: "Talking" in shell.label(), 15, what="the label following the call")
        wait_for(lambda: shell.notifications() == [], 10, what="the notification withdrawn once answered")
        wait_for(lambda: shell.sensitive() == ["Hold", "Video on", "Hang up", "Outcome: Resolved",
                                               "Outcome: Call back"], 10, what="the talking call's buttons")

        shell.activate("hold")
        wait_for(lambda: state_of(testenv, path) == "held", 15, what="held")
        wait_for(lambda: "On hold" in shell.label(), 15, what="On hold in the top bar")
        assert testenv.get_property(SESSION, "State", path=path) == "held"
        wait_for(lambda: "Retrieve" in shell.sensitive() and "Hold" not in shell.menu(), 10,
                 what="Retrieve in place of Hold")
        shell.eval(f"Main.overview.hide(); {INDICATOR}.menu.open(false); 1")
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        assert shell.screenshot(ARTEFACTS / "shell-extension.png")
        shell.eval(f"{INDICATOR}.menu.close(false); 1")
        shell.activate("retrieve")
        wait_for(lambda: state_of(testenv, path) == "talking", 15, what="retrieved")

        hang_up_and_close(testenv, shell, phone, path)
        phone.close()
    finally:
        shell.stop()
    testenv.stop_sportellod(service)  # exit 0: no leak or memory error under ASan


def test_answer_from_the_notification(testenv):
    service, port, shell = start(testenv)
    try:
        phone, path = maria_calls(testenv, port)
        # The banner's Answer button, clicked: the extension answers that call.
        shell.click_banner("Incoming call: Maria Rossi", "Answer")
        phone.wait_event("CALL_ESTABLISHED")
        wait_for(lambda: state_of(testenv, path) == "talking", 15, what="talking")
        wait_for(lambda: "Talking" in shell.label() and shell.notifications() == [], 15,
                 what="the top bar talking, the notification gone")
        hang_up_and_close(testenv, shell, phone, path)
        phone.close()
    finally:
        shell.stop()
    testenv.stop_sportellod(service)  # exit 0: no leak or memory error under ASan


def test_a_call_given_up_takes_its_notification_away(testenv):
    service, port, shell = start(testenv)
    try:
        phone, path = maria_calls(testenv, port)
        wait_for(lambda: shell.notifications(), 15, what="the notification")
        phone.command("hangup")  # the caller gives up before the agent answers
        wait_for(lambda: state_of(testenv, path) == "disconnected", 15, what="disconnected")
        wait_for(lambda: shell.notifications() == [], 10, what="the notification withdrawn")
        wait_for(lambda: "Ended" in shell.label(), 10, what="Ended in the top bar")
        assert "Answer" not in shell.sensitive()

        # Disabled, the indicator goes; enabled again, it finds the session the service still has.
        shell.call("DisableExtension", "(s)", (UUID,), interface="org.gnome.Shell.Extensions")
        wait_for(lambda: shell.extension_state(UUID)[0] == 2, 15, what="the extension disabled")
        assert shell.eval(f"{INDICATOR} === undefined") == "true"
        shell.call("EnableExtension", "(s)", (UUID,), interface="org.gnome.Shell.Extensions")
        wait_for(lambda: shell.extension_state(UUID) == (1, ""), 15, what="the extension enabled again")
        wait_for(lambda: "Maria Rossi: Ended" in shell.label(), 15, what="the ended call found again")
        assert shell.sensitive() == ["Outcome: Resolved", "Outcome: Call back"]
        phone.close()
    finally:
        shell.stop()
    testenv.stop_sportellod(service)  # exit 0: no leak or memory error under ASan


def state_of_gone(testenv, path):
    """The session object is gone once marked done."""
    try:
        state_of(testenv, path)
        return False
    except GLib.Error:
        return True


def test_readiness_from_the_menu(testenv):
    """The agent's Ready / Not ready in the menu's own submenu: chosen there, it reaches the
    service; changed elsewhere (a CRM), the submenu follows."""
    service, port, shell = start(testenv)
    try:
        wait_for(lambda: (shell.readiness() or [None])[0] == "Ready", 15, what="the readiness submenu")
        title, items = shell.readiness()
        assert items == [["Ready", False, True], ["Not ready: Break", True, False],
                         ["Not ready: Lunch", True, False], ["Not ready: Training", True, False]]
        shell.activate("not-ready:lunch")
        wait_for(lambda: testenv.get_property(AGENT, "Readiness") == "not-ready", 10, what="not ready")
        assert testenv.get_property(AGENT, "ReadinessReason") == "lunch"
        wait_for(lambda: shell.readiness()[0] == "Not ready: Lunch", 10, what="the submenu's title")
        assert shell.readiness()[1][2] == ["Not ready: Lunch", False, True]
        testenv.call(AGENT, "SetReadiness", "ss", ("ready", ""))  # a CRM's button
        wait_for(lambda: shell.readiness()[0] == "Ready", 10, what="Ready again in the menu")
        assert shell.menu() == ["No call"]
    finally:
        shell.stop()
    testenv.stop_sportellod(service)
