/* exported pickSession, describe, actionsFor, sessionNumber */
// What the indicator shows and offers for a session, from its Session1 properties alone (no
// imports.ui: unit-tested with plain gjs, tests/gjs/test-session-model.js).
'use strict';

// The number of /org/sportello/Sportello1/session/N, or -1.
function sessionNumber(path) {
    const match = /\/session\/(\d+)$/.exec(path || '');
    return match ? Number(match[1]) : -1;
}

// The session the indicator is about: a ringing one first, else the newest one.
// SESSIONS: array of {path, props}.
function pickSession(sessions) {
    let chosen = null;
    for (const session of sessions) {
        if (session.props.State === 'ringing')
            return session;
        if (!chosen || sessionNumber(session.path) > sessionNumber(chosen.path))
            chosen = session;
    }
    return chosen;
}

const STATE_LABELS = {
    dialing: 'Calling',
    ringing: 'Ringing',
    talking: 'Talking',
    held: 'On hold',
    consulting: 'Consulting',
    disconnected: 'Ended',
};

// {title, status, icon} for the panel and the menu's header.
function describe(props) {
    if (!props)
        return { title: '', status: 'No call', icon: 'call-start-symbolic' };
    const title = props.RemoteName || props.Remote || '';
    let status = STATE_LABELS[props.State] || props.State;
    if (props.State !== 'disconnected' && props.Video && props.Video !== 'none')
        status += ` · video ${props.Video}`;
    if (props.Push)
        status += ' · pushing';
    const icon = props.State === 'ringing' ? 'call-incoming-symbolic'
        : props.State === 'disconnected' ? 'call-missed-symbolic'
            : props.Video === 'active' ? 'camera-web-symbolic' : 'call-start-symbolic';
    return { title, status, icon };
}

function action(id, label, method, args = null, signature = null) {
    return { id, label, method, args, signature };
}

// The buttons for PROPS: [{id, label, method, args, signature[, first]}] (FIRST: a call to make
// before METHOD). CATALOGUE: the push items
// ([{id, title}]); CODES: the disposition codes ([{id, label}]).
function actionsFor(props, catalogue = [], codes = []) {
    if (!props)
        return [];
    const video = props.Video || 'none';
    const actions = [];
    switch (props.State) {
    case 'ringing':
        actions.push(action('answer', 'Answer', 'Answer'), action('reject', 'Reject', 'Reject'));
        break;
    case 'talking':
        actions.push(action('hold', 'Hold', 'Hold'));
        if (['none', 'declined', 'paused'].includes(video))
            actions.push(action('video-on', 'Video on', 'ActivateVideo'));
        else
            actions.push(action('video-off', 'Video off', 'DeactivateVideo'));
        if (video === 'active' && !props.Push) {
            for (const item of catalogue)
                actions.push(action(`push:${item.id}`, `Push “${item.title}”`, 'StartPush', [item.id], '(s)'));
        }
        if (props.Push)
            actions.push(action('push-stop', 'Stop push', 'StopPush'));
        if (video === 'active' || video === 'paused') {
            actions.push(action('swap', 'Swap pictures', 'SwapLayout'));
            actions.push(action('on-top', props.AlwaysOnTop ? 'Window not on top' : 'Window on top',
                'SetAlwaysOnTop', [!props.AlwaysOnTop], '(b)'));
        }
        actions.push(action('disconnect', 'Hang up', 'Disconnect'));
        break;
    case 'held':
        actions.push(action('retrieve', 'Retrieve', 'Retrieve'), action('disconnect', 'Hang up', 'Disconnect'));
        break;
    case 'dialing':
    case 'consulting':
        actions.push(action('disconnect', 'Hang up', 'Disconnect'));
        break;
    case 'disconnected':
        actions.push(...doneActions(props, codes));
        break;
    }
    return actions;
}

// Mark Done, or, when a disposition is required and none is chosen, one "Done: LABEL" per code
// (each sets the disposition, then marks done).
function doneActions(props, codes) {
    const chosen = props.Dispositions || [];
    if (props.DispositionRequired && chosen.length === 0) {
        return codes.map(code => Object.assign(action(`done:${code.id}`, `Done: ${code.label}`, 'MarkDone'), {
            first: { method: 'SetDispositions', args: [[code.id]], signature: '(as)' },
        }));
    }
    return [action('done', 'Done', 'MarkDone')];
}
