#!/usr/bin/python3
"""A desktop CRM's use of Sportello, end to end, with Gio only: screen-pop lookup, a call with
attached data, hold, a note, case data, a disposition, hang-up, Mark Done, and the contact's
history. Run it against a running sportellod:

  /usr/bin/python3 docs/examples/crm_client.py sip:maria@example.com "+39 02 1234"

The tests run it against a real sportellod and a softphone, so it cannot rot."""

import sys

from gi.repository import Gio, GLib

NAME, ROOT = "org.sportello.Sportello1", "/org/sportello/Sportello1"
bus = Gio.bus_get_sync(Gio.BusType.SESSION)


def call(path, method, signature=None, args=(), iface=None):
    """One method call; the interface is Agent1 on ROOT and Session1 on a session's path."""
    iface = iface or ("org.sportello.Agent1" if path == ROOT else "org.sportello.Session1")
    params = GLib.Variant(signature, args) if signature else None
    reply = bus.call_sync(NAME, path, iface, method, params, None, Gio.DBusCallFlags.NONE, 120000, None)
    values = reply.unpack()
    return values[0] if len(values) == 1 else (values or None)


def prop(path, name):
    return call(path, "Get", "(ss)", ("org.sportello.Session1", name), iface="org.freedesktop.DBus.Properties")


def wait_state(path, wanted, seconds=20):
    """Follows PropertiesChanged until State is WANTED (a CRM would simply react to the signal)."""
    loop = GLib.MainLoop()
    timed_out = []

    def changed(connection, sender, object_path, iface, signal, params):
        if params.unpack()[1].get("State") == wanted:
            loop.quit()

    def give_up():
        timed_out.append(True)
        loop.quit()
        return False
    subscription = bus.signal_subscribe(NAME, "org.freedesktop.DBus.Properties", "PropertiesChanged", path,
                                        None, Gio.DBusSignalFlags.NONE, changed)
    timeout = GLib.timeout_add_seconds(seconds, give_up)
    if prop(path, "State") != wanted:
        loop.run()
    bus.signal_unsubscribe(subscription)
    if not timed_out:
        GLib.source_remove(timeout)
    if prop(path, "State") != wanted:
        raise SystemExit(f"{path}: State is {prop(path, 'State')}, not {wanted}")


def main():
    target, number = sys.argv[1], sys.argv[2]
    contact = call(ROOT, "Lookup", "(s)", (number,), iface="org.sportello.Contacts1")
    print("screen pop:", contact.get("first-name", ""), contact.get("last-name", ""))

    path = call(ROOT, "Dial", "(sa{ss})", (target, {"AccountNumber": "AC-7781"}))
    wait_state(path, "talking")
    call(path, "Hold")
    call(path, "Retrieve")
    call(path, "AppendNote", "(s)", ("Customer will send a photo",))
    call(path, "SetCaseData", "(a{ss})", ({"Priority": "high"},))
    call(path, "SetDispositions", "(as)", (["resolved"],))
    call(path, "Disconnect")
    call(path, "MarkDone")
    if contact.get("id"):
        history = call(ROOT, "History", "(suu)", (contact["id"], 0, 1), iface="org.sportello.Contacts1")
        print("last interaction:", history[0]["notes"], history[0]["dispositions"])
    print("done:", path)


if __name__ == "__main__":
    main()
