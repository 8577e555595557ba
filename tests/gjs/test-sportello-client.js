// The extension's D-Bus side (crm-adapters/gnome-shell/…/sportelloClient.js) with plain gjs,
// against a fake service made from the contract's XML on a private session bus:
//   dbus-run-session -- gjs -I EXTENSION_DIR test-sportello-client.js XML_DIR
// The fake exports Agent1 on the root and Session1 objects through a GDBusObjectManagerServer,
// as sportellod does. Exits 1 at the first failed check or after 30 s.
'use strict';

const { Gio, GLib } = imports.gi;
const System = imports.system;
const { SportelloClient, BUS_NAME } = imports.sportelloClient;
const SessionModel = imports.sessionModel;

const XML_DIR = ARGV[0];
const ROOT = '/org/sportello/Sportello1';

let checks = 0;
function check(what, actual, expected) {
    checks++;
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e) {
        printerr(`not ok: ${what}\n  got      ${a}\n  expected ${e}`);
        System.exit(1);
    }
}

function xml(name) {
    const [, bytes] = GLib.file_get_contents(`${XML_DIR}/${name}.xml`);
    return new TextDecoder().decode(bytes);
}

function connect() {
    return Gio.DBusConnection.new_for_address_sync(GLib.getenv('DBUS_SESSION_BUS_ADDRESS'),
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        null, null);
}

// Resolves once PREDICATE() is truthy, iterating the main loop; fails the test after 10 s.
function waitFor(predicate, what) {
    return new Promise(resolve => {
        const deadline = GLib.get_monotonic_time() + 10 * GLib.USEC_PER_SEC;
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 10, () => {
            const value = predicate();
            if (value) {
                resolve(value);
                return GLib.SOURCE_REMOVE;
            }
            if (GLib.get_monotonic_time() > deadline) {
                printerr(`not ok: timed out waiting for ${what}`);
                System.exit(1);
            }
            return GLib.SOURCE_CONTINUE;
        });
    });
}

// A plain value of a property's type, for the properties a fake leaves alone.
function empty(signature) {
    if (signature.startsWith('a{'))
        return {};
    if (signature.startsWith('a'))
        return [];
    if (signature.startsWith('('))
        return Array.from(signature.slice(1, -1), () => '');
    return { s: '', b: false, u: 0, t: 0, x: 0 }[signature];
}

// One fake interaction: every Session1 property (the getters answer GetAll with plain values
// typed by the XML), the calls it received, Hold refused as sportellod refuses it.
class FakeSession {
    constructor(service, n, props) {
        this.path = `${ROOT}/session/${n}`;
        this.signatures = {};
        this.props = {};
        for (const property of Gio.DBusNodeInfo.new_for_xml(xml('org.sportello.Session1')).interfaces[0].properties) {
            this.signatures[property.name] = property.signature;
            this.props[property.name] = empty(property.signature);
            Object.defineProperty(this, property.name, { get: () => this.props[property.name] });
        }
        Object.assign(this.props, { Direction: 'inbound', Video: 'none', ...props });
        this.calls = [];
        this.iface = Gio.DBusExportedObject.wrapJSObject(xml('org.sportello.Session1'), this);
        this.object = Gio.DBusObjectSkeleton.new(this.path);
        this.object.add_interface(this.iface);
        service.manager.export(this.object);
    }

    set(name, value) {
        this.props[name] = value;
        this.iface.emit_property_changed(name, new GLib.Variant(this.signatures[name], value));
    }

    Answer() {
        this.calls.push(['Answer']);
        this.set('State', 'talking');
    }

    HoldAsync(params, invocation) {
        invocation.return_dbus_error('org.sportello.Error.InvalidState', 'the call is not talking');
    }

    StartPush(id) {
        this.calls.push(['StartPush', id]);
    }

    SetDispositions(codes) {
        this.calls.push(['SetDispositions', codes]);
    }
}

class FakeService {
    constructor() {
        this.bus = connect();
        this.manager = Gio.DBusObjectManagerServer.new(ROOT);
        this.agent = Gio.DBusExportedObject.wrapJSObject(xml('org.sportello.Agent1'), {
            ListPushItems: () => [{ id: new GLib.Variant('s', 'c1'), title: new GLib.Variant('s', 'Lathe setup') }],
            ListDispositionCodes: () => [{ id: new GLib.Variant('s', 'resolved'), label: new GLib.Variant('s', 'Resolved') }],
            ListNotReadyReasons: () => [{ id: new GLib.Variant('s', 'lunch'), label: new GLib.Variant('s', 'Lunch') }],
        });
        this.agent.export(this.bus, ROOT);
        this.manager.set_connection(this.bus);
        this.owned = false;
    }

    own() {
        this.ownId = Gio.bus_own_name_on_connection(this.bus, BUS_NAME, Gio.BusNameOwnerFlags.NONE,
            () => (this.owned = true), null);
        return waitFor(() => this.owned, 'the fake service on the bus');
    }

    disown() {
        Gio.bus_unown_name(this.ownId);
        this.owned = false;
    }
}

function callAsync(client, path, method, args) {
    return new Promise(resolve => client.call(path, method, args, resolve));
}

async function main() {
    const service = new FakeService();
    const talking = new FakeSession(service, 1, { State: 'talking', Remote: 'sip:luca@example.org' });

    // The client starts before the service: nothing yet, then what the service already has.
    const client = new SportelloClient(XML_DIR, connect());
    let changes = 0;
    const ringings = [];
    client.connect('changed', () => changes++);
    client.connect('ringing', (c, path, props) => ringings.push([path, props.RemoteName]));
    check('no service, no sessions', client.list(), []);
    await service.own();
    await waitFor(() => client.list().length === 1, 'the existing session');
    check('existing session', client.list()[0].path, talking.path);
    check('its properties', client.list()[0].props.Remote, 'sip:luca@example.org');
    await waitFor(() => client.catalogue.length && client.codes.length, 'the catalogue and the codes');
    check('catalogue', client.catalogue, [{ id: 'c1', title: 'Lathe setup' }]);
    check('codes', client.codes, [{ id: 'resolved', label: 'Resolved' }]);
    check('a talking call does not ring', ringings, []);

    // A call rings: 'ringing' with the screen-pop name, and the model picks it.
    const ringing = new FakeSession(service, 2, { State: 'ringing', RemoteName: 'Maria Rossi' });
    await waitFor(() => ringings.length, 'ringing');
    check('ringing', ringings, [[ringing.path, 'Maria Rossi']]);
    check('picked', SessionModel.pickSession(client.list()).path, ringing.path);

    // The model's Answer runs Answer on that session, and the new state comes back.
    const answer = SessionModel.actionsFor(SessionModel.pickSession(client.list()).props)
        .find(action => action.id === 'answer');
    const before = changes;
    check('answered', await new Promise(resolve => client.run(ringing.path, answer, resolve)), null);
    check('the service saw Answer', ringing.calls, [['Answer']]);
    await waitFor(() => client.list().find(s => s.path === ringing.path).props.State === 'talking', 'talking');
    check('changed on PropertiesChanged', changes > before, true);

    // Arguments go through the proxy made from the XML: a string, an array of strings.
    check('push', await callAsync(client, ringing.path, 'StartPush', ['c1']), null);
    check('disposition', await callAsync(client, ringing.path, 'SetDispositions', [['resolved']]), null);
    check('calls with their arguments', ringing.calls.slice(1), [['StartPush', 'c1'], ['SetDispositions', ['resolved']]]);

    // A refusal comes back with the service's error name.
    const refused = await callAsync(client, ringing.path, 'Hold', []);
    check('refused', Gio.DBusError.get_remote_error(refused), 'org.sportello.Error.InvalidState');
    check('no such method', (await callAsync(client, ringing.path, 'NoSuchMethod', [])) instanceof Error, true);
    check('no such session', (await callAsync(client, `${ROOT}/session/99`, 'Answer', [])) instanceof Error, true);

    // A session removed (MarkDone) leaves the list.
    service.manager.unexport(talking.path);
    await waitFor(() => client.list().length === 1, 'the session removed');
    check('left', client.list().map(s => s.path), [ringing.path]);

    // The service goes away and comes back: nothing, then its sessions again.
    service.disown();
    await waitFor(() => client.list().length === 0, 'the sessions gone with the service');
    await service.own();
    await waitFor(() => client.list().length === 1, 'the sessions back with the service');
    check('back', client.list()[0].props.State, 'talking');

    // Once destroyed, the client hears nothing more.
    client.destroy();
    const after = changes;
    const late = new FakeSession(service, 3, { State: 'ringing', RemoteName: 'Late' });
    await new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, 300, () => resolve()));
    check('no signals after destroy', [changes - after, ringings.length], [0, 1]);
    service.manager.unexport(late.path);
}

const loop = new GLib.MainLoop(null, false);
let failed = null;
GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 30, () => {
    printerr('not ok: the test did not finish in 30 s');
    System.exit(1);
});
main().catch(error => (failed = error)).finally(() => loop.quit());
loop.run();
if (failed) {
    printerr(`not ok: ${failed}\n${failed.stack}`);
    System.exit(1);
}
print(`ok: ${checks} checks`);
