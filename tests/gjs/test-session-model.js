// The extension's session logic (crm-adapters/gnome-shell/…/sessionModel.js) with plain gjs:
//   gjs -I EXTENSION_DIR test-session-model.js
// Exits 1 at the first failed check.
'use strict';

const System = imports.system;
const SessionModel = imports.sessionModel;

let checks = 0;
function check(what, actual, expected) {
    checks++;
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e) {
        printerr(`not ok: ${what}\n  got      ${a}\n  expected ${e}`);
        System.exit(1);
    }
}

const ids = actions => actions.map(action => action.id);
const session = (n, State, more = {}) => ({ path: `/org/sportello/Sportello1/session/${n}`, props: { State, ...more } });

// Which session: a ringing one first, else the newest.
check('no session', SessionModel.pickSession([]), null);
check('newest', SessionModel.pickSession([session(2, 'talking'), session(10, 'held'), session(3, 'talking')]).path,
    '/org/sportello/Sportello1/session/10');
check('ringing first', SessionModel.pickSession([session(9, 'talking'), session(4, 'ringing')]).path,
    '/org/sportello/Sportello1/session/4');
check('number', SessionModel.sessionNumber('/org/sportello/Sportello1/session/42'), 42);
check('not a session', SessionModel.sessionNumber('/org/sportello/Sportello1'), -1);

// The label.
check('idle', SessionModel.describe(null), { title: '', status: 'No call', icon: 'call-start-symbolic' });
check('ringing', SessionModel.describe({ State: 'ringing', RemoteName: 'Maria Rossi', Remote: 'sip:m@x', Video: 'none' }),
    { title: 'Maria Rossi', status: 'Ringing', icon: 'call-incoming-symbolic' });
check('no name', SessionModel.describe({ State: 'held', RemoteName: '', Remote: 'sip:m@x', Video: 'none' }).title, 'sip:m@x');
check('video', SessionModel.describe({ State: 'talking', RemoteName: 'M', Video: 'active', Push: 'clip-1' }),
    { title: 'M', status: 'Talking · video active · pushing', icon: 'camera-web-symbolic' });
check('ended hides video', SessionModel.describe({ State: 'disconnected', RemoteName: 'M', Video: 'paused' }).status, 'Ended');

// The buttons: always the same ones, sensitive only where the service accepts the method.
const catalogue = [{ id: 'c1', title: 'Lathe setup' }, { id: 'c2', title: 'Filter' }];
const codes = [{ id: 'resolved', label: 'Resolved' }, { id: 'callback', label: 'Call back' }];
const sensitive = actions => actions.filter(action => action.sensitive).map(action => action.id);
const find = (actions, id) => actions.find(action => action.id === id);

check('no session, no buttons', SessionModel.actionsFor(null, catalogue, codes), []);
const ringing = SessionModel.actionsFor({ State: 'ringing', Direction: 'inbound', Video: 'none' }, catalogue);
check('ringing: all buttons', ids(ringing),
    ['answer', 'reject', 'hold', 'video-on', 'push:c1', 'push:c2', 'push-stop', 'swap', 'on-top', 'disconnect', 'done']);
check('ringing: answer or reject', sensitive(ringing), ['answer', 'reject']);
check('outbound ringing: nothing to answer',
    sensitive(SessionModel.actionsFor({ State: 'ringing', Direction: 'outbound', Video: 'none' })), []);
check('dialing', sensitive(SessionModel.actionsFor({ State: 'dialing', Video: 'none' })), ['disconnect']);
check('talking, no video', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'none' }, catalogue)),
    ['hold', 'video-on', 'disconnect']);
check('talking, video', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'active', AlwaysOnTop: false }, catalogue)),
    ['hold', 'video-off', 'push:c1', 'push:c2', 'swap', 'on-top', 'disconnect']);
const pushing = SessionModel.actionsFor({ State: 'talking', Video: 'active', Push: 'c1', AlwaysOnTop: true }, catalogue);
check('pushing: another clip or stop', sensitive(pushing), ['hold', 'video-off', 'push:c2', 'push-stop', 'swap', 'on-top', 'disconnect']);
check('on top off', find(pushing, 'on-top'), { id: 'on-top', label: 'Window not on top', method: 'SetAlwaysOnTop', args: [false], sensitive: true });
check('push args', find(pushing, 'push:c2'),
    { id: 'push:c2', label: 'Push “Filter”', method: 'StartPush', args: ['c2'], sensitive: true });
check('no catalogue, no push buttons', ids(SessionModel.actionsFor({ State: 'talking', Video: 'active' })).filter(id => id.startsWith('push')), []);
check('paused video', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'paused' })),
    ['hold', 'video-on', 'swap', 'on-top', 'disconnect']);
check('agent asked for video', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'requested', VideoRequester: 'agent' })),
    ['hold', 'video-off', 'disconnect']);
check('the contact offers video', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'requested', VideoRequester: 'contact' })),
    ['hold', 'video-on', 'video-off', 'disconnect']);
check('declined video', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'declined' })), ['hold', 'video-on', 'disconnect']);
const held = SessionModel.actionsFor({ State: 'held', Video: 'active' }, catalogue);
check('held: retrieve in place of hold', ids(held).slice(0, 3), ['answer', 'reject', 'retrieve']);
check('held', sensitive(held), ['retrieve', 'swap', 'on-top', 'disconnect']);
check('consulting', sensitive(SessionModel.actionsFor({ State: 'consulting', Video: 'none' })), ['disconnect']);
check('ended', sensitive(SessionModel.actionsFor({ State: 'disconnected', Video: 'active', DispositionRequired: false })), ['done']);

// The outcome checklist and Done, which waits for an outcome when the policy requires one.
const outcome = props => SessionModel.actionsFor({ State: 'disconnected', DispositionVisible: true, ...props }, [], codes);
const required = outcome({ DispositionRequired: true, Dispositions: [] });
check('required, none chosen', sensitive(required), ['disposition:resolved', 'disposition:callback']);
check('why not done', SessionModel.doneBlocked({ State: 'disconnected', DispositionRequired: true, Dispositions: [] }),
    'choose an outcome first');
check('a code selects itself', find(required, 'disposition:callback'),
    { id: 'disposition:callback', label: 'Outcome: Call back', method: 'SetDispositions', args: [['callback']], sensitive: true, checked: false });
const chosen = outcome({ DispositionRequired: true, Dispositions: ['resolved'] });
check('chosen: done', sensitive(chosen), ['disposition:resolved', 'disposition:callback', 'done']);
check('adds to the selection', find(chosen, 'disposition:callback').args, [['resolved', 'callback']]);
check('unchecks itself', find(chosen, 'disposition:resolved'),
    { id: 'disposition:resolved', label: 'Outcome: Resolved', method: 'SetDispositions', args: [[]], sensitive: true, checked: true });
check('not required', sensitive(outcome({ DispositionRequired: false, Dispositions: [] })),
    ['disposition:resolved', 'disposition:callback', 'done']);
check('not visible: no checklist', ids(SessionModel.actionsFor({ State: 'disconnected', DispositionVisible: false }, [], codes)).slice(-2),
    ['disconnect', 'done']);
check('outcome during the call', sensitive(SessionModel.actionsFor({ State: 'talking', Video: 'none', DispositionVisible: true }, [], codes)),
    ['hold', 'video-on', 'disconnect', 'disposition:resolved', 'disposition:callback']);
check('not done while talking', SessionModel.doneBlocked({ State: 'talking' }), 'the call is not over');

// Notifications withdrawn once their call no longer rings.
check('still ringing', SessionModel.withdrawn([session(4, 'ringing').path], [session(4, 'ringing'), session(5, 'talking')]), []);
check('answered or gone', SessionModel.withdrawn(['/org/sportello/Sportello1/session/4', '/org/sportello/Sportello1/session/7'],
    [session(4, 'talking'), session(5, 'ringing')]), ['/org/sportello/Sportello1/session/4', '/org/sportello/Sportello1/session/7']);
check('no service', SessionModel.withdrawn(['/org/sportello/Sportello1/session/4'], []), ['/org/sportello/Sportello1/session/4']);

// The agent's readiness.
const reasons = [{ id: 'break', label: 'Break' }, { id: 'lunch', label: 'Lunch' }];
check('unknown', SessionModel.describeReadiness(null, reasons), 'Readiness unknown');
check('ready', SessionModel.describeReadiness({ Readiness: 'ready', ReadinessReason: '' }, reasons), 'Ready');
check('not ready', SessionModel.describeReadiness({ Readiness: 'not-ready', ReadinessReason: 'lunch' }, reasons),
    'Not ready: Lunch');
check('unlisted reason', SessionModel.describeReadiness({ Readiness: 'not-ready', ReadinessReason: 'x' }, reasons),
    'Not ready: x');
check('after-call work', SessionModel.describeReadiness({ Readiness: 'after-call-work' }, reasons), 'After-call work');
const whenReady = SessionModel.readinessActions({ Readiness: 'ready', ReadinessReason: '' }, reasons);
check('ready: the reasons to choose', sensitive(whenReady), ['not-ready:break', 'not-ready:lunch']);
check('ready: checked', find(whenReady, 'ready'),
    { id: 'ready', label: 'Ready', method: 'SetReadiness', args: ['ready', ''], sensitive: false, checked: true });
const atLunch = SessionModel.readinessActions({ Readiness: 'not-ready', ReadinessReason: 'lunch' }, reasons);
check('at lunch: ready or another reason', sensitive(atLunch), ['ready', 'not-ready:break']);
check('at lunch: its arguments', find(atLunch, 'not-ready:break').args, ['not-ready', 'break']);
check('after-call work: either ends it',
    sensitive(SessionModel.readinessActions({ Readiness: 'after-call-work', ReadinessReason: '' }, reasons)),
    ['ready', 'not-ready:break', 'not-ready:lunch']);

print(`ok: ${checks} checks`);
