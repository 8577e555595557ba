/* exported init */
// Sportello in the top bar (GNOME Shell 43): the call's state and caller, and a menu with the
// call's buttons and the agent's readiness; a notification when a call rings. The logic is in sessionModel.js and the
// D-Bus side in sportelloClient.js.
'use strict';

const { Clutter, GObject, St } = imports.gi;
const Main = imports.ui.main;
const MessageTray = imports.ui.messageTray;
const PanelMenu = imports.ui.panelMenu;
const PopupMenu = imports.ui.popupMenu;
const ExtensionUtils = imports.misc.extensionUtils;

const Me = ExtensionUtils.getCurrentExtension();
const SessionModel = Me.imports.sessionModel;
const { SportelloClient } = Me.imports.sportelloClient;

const Indicator = GObject.registerClass(
class SportelloIndicator extends PanelMenu.Button {
    _init(client) {
        super._init(0.0, 'Sportello');
        this._client = client;
        const box = new St.BoxLayout({ style_class: 'panel-status-menu-box' });
        this._icon = new St.Icon({ icon_name: 'call-start-symbolic', style_class: 'system-status-icon' });
        this._label = new St.Label({ text: '', y_align: Clutter.ActorAlign.CENTER });
        box.add_child(this._icon);
        box.add_child(this._label);
        this.add_child(box);
        this._changedId = client.connect('changed', () => this.refresh());
        this.refresh();
    }

    // The session shown, its label and the menu of its actions, from the client's state.
    refresh() {
        const session = SessionModel.pickSession(this._client.list());
        const props = session ? session.props : null;
        const { title, status, icon } = SessionModel.describe(props);
        this._session = session;
        this._icon.icon_name = icon;
        this._label.text = props ? ` ${title}: ${status}` : '';
        this.menu.removeAll();
        this._readiness = null;
        this.menu.addMenuItem(new PopupMenu.PopupMenuItem(props ? `${title} — ${status}` : status,
            { reactive: false }));
        const actions = SessionModel.actionsFor(props, this._client.catalogue, this._client.codes);
        if (actions.length)
            this.menu.addMenuItem(new PopupMenu.PopupSeparatorMenuItem());
        for (const action of actions) {
            const item = new PopupMenu.PopupMenuItem(action.label);
            item.sportelloAction = action.id;
            item.setSensitive(action.sensitive);
            if (action.checked !== undefined)
                item.setOrnament(action.checked ? PopupMenu.Ornament.CHECK : PopupMenu.Ornament.NONE);
            item.connect('activate', () => this._client.run(session.path, action));
            this.menu.addMenuItem(item);
        }
        this._addReadiness();
    }

    // The agent's readiness, last, in a submenu of its own (marked: it is not the call's).
    _addReadiness() {
        const agent = this._client.agent();
        if (!agent)
            return;
        const reasons = this._client.reasons;
        const submenu = new PopupMenu.PopupSubMenuMenuItem(SessionModel.describeReadiness(agent, reasons));
        submenu.sportelloReadiness = true;
        for (const action of SessionModel.readinessActions(agent, reasons)) {
            const item = new PopupMenu.PopupMenuItem(action.label);
            item.sportelloAction = action.id;
            item.setSensitive(action.sensitive);
            item.setOrnament(action.checked ? PopupMenu.Ornament.CHECK : PopupMenu.Ornament.NONE);
            item.connect('activate', () => this._client.runAgent(action));
            submenu.menu.addMenuItem(item);
        }
        const separator = new PopupMenu.PopupSeparatorMenuItem();
        separator.sportelloReadiness = true;
        this.menu.addMenuItem(separator);
        this.menu.addMenuItem(submenu);
        this._readiness = submenu;
    }

    // The readiness submenu's title and its items' [label, sensitive, checked].
    readiness() {
        if (!this._readiness)
            return null;
        return [this._readiness.label.text, this._readiness.menu._getMenuItems().map(item =>
            [item.label.text, item.sensitive, item._ornament === PopupMenu.Ornament.CHECK])];
    }

    // The menu item for ACTION_ID (tests and keyboard users alike go through 'activate').
    itemFor(actionId) {
        const items = this.menu._getMenuItems();
        if (this._readiness)
            items.push(...this._readiness.menu._getMenuItems());
        return items.find(item => item.sportelloAction === actionId) || null;
    }

    destroy() {
        this._client.disconnect(this._changedId);
        super.destroy();
    }
});

class Extension {
    enable() {
        this._client = new SportelloClient(Me.path);
        this._indicator = new Indicator(this._client);
        Main.panel.addToStatusArea(Me.metadata.uuid, this._indicator);
        this._notifications = new Map(); // session path -> its ringing notification
        this._ringingId = this._client.connect('ringing', (client, path, props) => this._notify(path, props));
        this._changedId = this._client.connect('changed', () => this._withdraw());
    }

    disable() {
        this._client.disconnect(this._ringingId);
        this._client.disconnect(this._changedId);
        this._source?.destroy();
        this._source = null;
        this._indicator.destroy();
        this._indicator = null;
        this._client.destroy();
        this._client = null;
    }

    // A ringing call: the caller's name (the screen pop) and an Answer button.
    _notify(path, props) {
        if (!this._source) {
            this._source = new MessageTray.Source('Sportello', 'call-incoming-symbolic');
            this._source.connect('destroy', () => (this._source = null));
            Main.messageTray.add(this._source);
        }
        const { title } = SessionModel.describe(props);
        const notification = new MessageTray.Notification(this._source, `Incoming call: ${title}`,
            props.Remote);
        notification.setUrgency(MessageTray.Urgency.CRITICAL);
        notification.addAction('Answer', () => this._client.call(path, 'Answer'));
        notification.connect('destroy', () => {
            if (this._notifications.get(path) === notification)
                this._notifications.delete(path);
        });
        this._notifications.set(path, notification);
        this._source.showNotification(notification);
    }

    // A call that no longer rings takes its notification (and its Answer button) away.
    _withdraw() {
        for (const path of SessionModel.withdrawn([...this._notifications.keys()], this._client.list()))
            this._notifications.get(path).destroy();
    }
}

function init() {
    return new Extension();
}
