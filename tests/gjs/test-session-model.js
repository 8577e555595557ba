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

// The buttons, by state.
check('ringing', ids(SessionModel.actionsFor({ State: 'ringing' })), ['answer', 'reject']);
check('talking, no video', ids(SessionModel.actionsFor({ State: 'talking', Video: 'none' })),
    ['hold', 'video-on', 'disconnect']);
const catalogue = [{ id: 'c1', title: 'Lathe setup' }, { id: 'c2', title: 'Filter' }];
check('talking, video', ids(SessionModel.actionsFor({ State: 'talking', Video: 'active', AlwaysOnTop: false }, catalogue)),
    ['hold', 'video-off', 'push:c1', 'push:c2', 'swap', 'on-top', 'disconnect']);
const pushing = SessionModel.actionsFor({ State: 'talking', Video: 'active', Push: 'c1', AlwaysOnTop: true }, catalogue);
check('pushing', ids(pushing), ['hold', 'video-off', 'push-stop', 'swap', 'on-top', 'disconnect']);
check('on top off', pushing.find(a => a.id === 'on-top').args, [false]);
check('push args', SessionModel.actionsFor({ State: 'talking', Video: 'active' }, catalogue)[2],
    { id: 'push:c1', label: 'Push “Lathe setup”', method: 'StartPush', args: ['c1'], signature: '(s)' });
check('paused video', ids(SessionModel.actionsFor({ State: 'talking', Video: 'paused' })),
    ['hold', 'video-on', 'swap', 'on-top', 'disconnect']);
check('held', ids(SessionModel.actionsFor({ State: 'held', Video: 'active' })), ['retrieve', 'disconnect']);
check('dialing', ids(SessionModel.actionsFor({ State: 'dialing' })), ['disconnect']);

// Done, with a disposition when one is required and none is chosen.
const codes = [{ id: 'resolved', label: 'Resolved' }, { id: 'callback', label: 'Call back' }];
check('done', ids(SessionModel.actionsFor({ State: 'disconnected', DispositionRequired: false }, [], codes)), ['done']);
check('done, chosen', ids(SessionModel.actionsFor({ State: 'disconnected', DispositionRequired: true, Dispositions: ['resolved'] }, [], codes)),
    ['done']);
const required = SessionModel.actionsFor({ State: 'disconnected', DispositionRequired: true, Dispositions: [] }, [], codes);
check('done, required', ids(required), ['done:resolved', 'done:callback']);
check('sets the code first', required[1].first, { method: 'SetDispositions', args: [['callback']], signature: '(as)' });
check('then marks done', required[1].method, 'MarkDone');

print(`ok: ${checks} checks`);
