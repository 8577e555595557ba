/* exported SportelloClient, BUS_NAME */
// The Sportello service as the extension sees it: its sessions (Session1 proxies made from the
// contract's XML, shipped beside this file), the push catalogue and the disposition codes, kept
// current from the ObjectManager's signals and each session's PropertiesChanged. Uses Gio only
// (no imports.ui), so plain gjs can drive it too. Emits 'changed' and 'ringing' (path, props).
'use strict';

const { Gio, GLib } = imports.gi;
const Signals = imports.signals;

var BUS_NAME = 'org.sportello.Sportello1';
const ROOT = '/org/sportello/Sportello1';
const SESSION_IFACE = 'org.sportello.Session1';
const OBJECT_MANAGER = 'org.freedesktop.DBus.ObjectManager';

function readInterface(dir, name) {
    const [, bytes] = GLib.file_get_contents(GLib.build_filenamev([dir, `${name}.xml`]));
    return new TextDecoder().decode(bytes);
}

var SportelloClient = class SportelloClient {
    // XML_DIR: where org.sportello.*.xml are (the extension's own directory).
    constructor(xmlDir, connection = Gio.DBus.session) {
        this._connection = connection;
        this._SessionProxy = Gio.DBusProxy.makeProxyWrapper(readInterface(xmlDir, SESSION_IFACE));
        this._AgentProxy = Gio.DBusProxy.makeProxyWrapper(readInterface(xmlDir, 'org.sportello.Agent1'));
        this._cancellable = new Gio.Cancellable();
        this.sessions = new Map(); // path -> Session1 proxy
        this.catalogue = [];
        this.codes = [];
        this.reasons = [];
        this._subscriptions = [OBJECT_MANAGER].map(iface => connection.signal_subscribe(BUS_NAME, iface,
            null, ROOT, null, Gio.DBusSignalFlags.NONE, this._onManagerSignal.bind(this)));
        this._watch = Gio.bus_watch_name_on_connection(connection, BUS_NAME, Gio.BusNameWatcherFlags.NONE,
            () => this._onAppeared(), () => this._onVanished());
    }

    destroy() {
        this._cancellable.cancel();
        Gio.bus_unwatch_name(this._watch);
        for (const id of this._subscriptions)
            this._connection.signal_unsubscribe(id);
        this._onVanished();
        this.disconnectAll();
    }

    // [{path, props}] of the live sessions.
    list() {
        return [...this.sessions].map(([path, proxy]) => ({ path, props: propertiesOf(proxy) }))
            .filter(session => session.props.State); // a proxy still loading has no properties
    }

    // Calls METHOD with ARGS on the session at PATH through its proxy, so the argument types
    // come from the contract's XML; CALLBACK(error or null). A failure is logged: the service
    // names the reason (org.sportello.Error.*) and the menu follows the properties anyway.
    call(path, method, args = [], callback = () => {}) {
        const proxy = this.sessions.get(path);
        const invoke = proxy && proxy[`${method}Remote`];
        if (!invoke) {
            callback(new Error(`Sportello: no ${method} for ${path}`));
            return;
        }
        invoke.call(proxy, ...args, (result, error) => {
            if (error && !error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED))
                logError(error, `Sportello: ${method} failed`);
            callback(error);
        }, this._cancellable);
    }

    // Runs a model action (sessionModel.actionsFor).
    run(path, action, callback = () => {}) {
        this.call(path, action.method, action.args, callback);
    }

    _onAppeared() {
        this._connection.call(BUS_NAME, ROOT, OBJECT_MANAGER, 'GetManagedObjects', null, null,
            Gio.DBusCallFlags.NONE, -1, this._cancellable, (connection, result) => {
                try {
                    const [objects] = connection.call_finish(result).deep_unpack();
                    for (const [path, interfaces] of Object.entries(objects)) {
                        if (SESSION_IFACE in interfaces)
                            this._addSession(path);
                    }
                } catch (error) {
                    logError(error, 'Sportello: cannot list the sessions');
                }
            });
        this._agent = new this._AgentProxy(this._connection, BUS_NAME, ROOT, (proxy, error) => {
            if (error)
                return;
            proxy.connect('g-properties-changed', () => this.emit('changed'));
            this._refreshLists();
        }, this._cancellable);
    }

    _refreshLists() {
        this._agent.ListPushItemsRemote((result, error) => {
            if (!error)
                this.catalogue = result[0].map(item => ({ id: item.id.unpack(), title: item.title.unpack() }));
            this.emit('changed');
        });
        this._agent.ListDispositionCodesRemote((result, error) => {
            if (!error)
                this.codes = result[0].map(code => ({ id: code.id.unpack(), label: code.label.unpack() }));
            this.emit('changed');
        });
        this._agent.ListNotReadyReasonsRemote((result, error) => {
            if (!error)
                this.reasons = result[0].map(reason => ({ id: reason.id.unpack(), label: reason.label.unpack() }));
            this.emit('changed');
        });
    }

    // Agent1's readiness properties ({Readiness, ReadinessReason, Available}), or null.
    agent() {
        if (!this._agent || !this._agent.get_cached_property('Readiness'))
            return null;
        const props = {};
        for (const name of ['Readiness', 'ReadinessReason', 'Available'])
            props[name] = this._agent.get_cached_property(name)?.deep_unpack();
        return props;
    }

    // Runs a model action on Agent1 (sessionModel.readinessActions); errors are logged.
    runAgent(action, callback = () => {}) {
        const invoke = this._agent && this._agent[`${action.method}Remote`];
        if (!invoke) {
            callback(new Error(`Sportello: no ${action.method}`));
            return;
        }
        invoke.call(this._agent, ...action.args, (result, error) => {
            if (error && !error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED))
                logError(error, `Sportello: ${action.method} failed`);
            callback(error);
        }, this._cancellable);
    }

    _onVanished() {
        this.sessions.clear();
        this._agent = null;
        this.emit('changed');
    }

    _onManagerSignal(connection, sender, path, iface, signal, parameters) {
        if (signal === 'InterfacesAdded') {
            const [objectPath, interfaces] = parameters.deep_unpack();
            if (SESSION_IFACE in interfaces)
                this._addSession(objectPath);
        } else if (signal === 'InterfacesRemoved') {
            const [objectPath, interfaces] = parameters.deep_unpack();
            if (interfaces.includes(SESSION_IFACE) && this.sessions.delete(objectPath))
                this.emit('changed');
        }
    }

    _addSession(path) {
        if (this.sessions.has(path))
            return;
        const proxy = new this._SessionProxy(this._connection, BUS_NAME, path, (ready, error) => {
            if (this.sessions.get(path) !== ready)
                return; // removed (or the service went away) while loading
            if (error) {
                this.sessions.delete(path);
                return;
            }
            ready.connect('g-properties-changed', () => this.emit('changed'));
            const props = propertiesOf(ready);
            if (props.State === 'ringing' && props.Direction === 'inbound')
                this.emit('ringing', path, props);
            this.emit('changed');
        }, this._cancellable);
        this.sessions.set(path, proxy);
        this._refreshLists();
    }
};
Signals.addSignalMethods(SportelloClient.prototype);

const PROPERTIES = ['State', 'Direction', 'Remote', 'RemoteName', 'Video', 'VideoRequester', 'Push',
    'AlwaysOnTop', 'Dispositions', 'DispositionRequired', 'DispositionVisible', 'Window', 'Layout'];

function propertiesOf(proxy) {
    const props = {};
    for (const name of PROPERTIES) {
        const value = proxy.get_cached_property(name);
        if (value)
            props[name] = value.deep_unpack();
    }
    return props;
}
