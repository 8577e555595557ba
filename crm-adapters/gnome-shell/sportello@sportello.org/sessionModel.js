/* exported pickSession, describe, actionsFor, sessionNumber, doneBlocked, withdrawn,
   describeReadiness, readinessActions */
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

// Of NOTIFIED (paths of calls announced as ringing), those whose call no longer rings (answered,
// rejected, given up by the caller, or gone with the service): their notifications are withdrawn.
function withdrawn(notified, sessions) {
    const ringing = new Set(sessions.filter(session => session.props.State === 'ringing')
        .map(session => session.path));
    return notified.filter(path => !ringing.has(path));
}

// Live calls: Hold, SwapLayout and the like act on them (Session1.xml); ringing and dialing
// calls are not live yet.
const LIVE = ['talking', 'held', 'consulting'];

function action(id, label, method, sensitive, args = []) {
    return { id, label, method, args, sensitive: Boolean(sensitive) };
}

// Why MarkDone would be refused now, or '' when it would not: the call must have ended, and a
// disposition must be chosen when the policy requires one (Session1.MarkDone's errors).
function doneBlocked(props) {
    if (!props || props.State !== 'disconnected')
        return 'the call is not over';
    if (props.DispositionRequired && !(props.Dispositions || []).length)
        return 'choose an outcome first';
    return '';
}

// The seed's buttons for PROPS, always the same ones in the same order, each sensitive only in
// the states where the service accepts its method:
// [{id, label, method, args, sensitive[, checked]}]. CATALOGUE: the push items ([{id, title}]);
// CODES: the disposition codes ([{id, label}]). ARGS are the method's arguments; their types
// come from the contract's XML through the proxy.
function actionsFor(props, catalogue = [], codes = []) {
    if (!props)
        return [];
    const state = props.State;
    const video = props.Video || 'none';
    const talking = state === 'talking';
    const live = LIVE.includes(state);
    const ringing = state === 'ringing' && props.Direction !== 'outbound';
    const actions = [
        action('answer', 'Answer', 'Answer', ringing),
        action('reject', 'Reject', 'Reject', ringing),
        state === 'held' ? action('retrieve', 'Retrieve', 'Retrieve', true)
            : action('hold', 'Hold', 'Hold', talking),
    ];
    // The contact's phone offered video: the CRM accepts or declines it (VideoRequester).
    if (video === 'requested' && props.VideoRequester === 'contact') {
        actions.push(action('video-on', 'Accept video', 'ActivateVideo', talking),
            action('video-off', 'Decline video', 'DeactivateVideo', talking));
    } else if (video === 'active' || video === 'requested') {
        actions.push(action('video-off', 'Video off', 'DeactivateVideo', talking));
    } else {
        actions.push(action('video-on', 'Video on', 'ActivateVideo', talking));
    }
    for (const item of catalogue) {
        actions.push(action(`push:${item.id}`, `Push “${item.title}”`, 'StartPush',
            talking && video === 'active' && props.Push !== item.id, [item.id]));
    }
    if (catalogue.length || props.Push)
        actions.push(action('push-stop', 'Stop push', 'StopPush', Boolean(props.Push)));
    const videoSession = live && (video === 'active' || video === 'paused');
    actions.push(action('swap', 'Swap pictures', 'SwapLayout', videoSession),
        action('on-top', props.AlwaysOnTop ? 'Window not on top' : 'Window on top', 'SetAlwaysOnTop',
            videoSession, [!props.AlwaysOnTop]),
        action('disconnect', 'Hang up', 'Disconnect', live || state === 'dialing'));
    // The outcome checklist (SetDispositions replaces the whole selection), then Done.
    if (props.DispositionVisible) {
        const chosen = props.Dispositions || [];
        for (const code of codes) {
            const checked = chosen.includes(code.id);
            const selection = checked ? chosen.filter(id => id !== code.id) : [...chosen, code.id];
            actions.push(Object.assign(action(`disposition:${code.id}`, `Outcome: ${code.label}`,
                'SetDispositions', true, [selection]), { checked }));
        }
    }
    actions.push(action('done', 'Done', 'MarkDone', !doneBlocked(props)));
    return actions;
}

// The agent's readiness as the submenu's title, from Agent1's properties (AGENT: {Readiness,
// ReadinessReason}) and the configured reasons ([{id, label}]).
function describeReadiness(agent, reasons = []) {
    if (!agent || !agent.Readiness)
        return 'Readiness unknown';
    if (agent.Readiness === 'not-ready') {
        const reason = reasons.find(r => r.id === agent.ReadinessReason);
        return `Not ready: ${reason ? reason.label : agent.ReadinessReason}`;
    }
    return agent.Readiness === 'after-call-work' ? 'After-call work' : 'Ready';
}

// The agent's choices (Agent1.SetReadiness): Ready, then Not ready for each reason; the one in
// force is checked and not sensitive. After-call work ends by choosing either.
function readinessActions(agent, reasons = []) {
    const readiness = agent ? agent.Readiness : '';
    const reason = agent ? agent.ReadinessReason : '';
    const ready = readiness === 'ready';
    const actions = [Object.assign(action('ready', 'Ready', 'SetReadiness', !ready, ['ready', '']),
        { checked: ready })];
    for (const r of reasons) {
        const current = readiness === 'not-ready' && reason === r.id;
        actions.push(Object.assign(action(`not-ready:${r.id}`, `Not ready: ${r.label}`, 'SetReadiness',
            !current, ['not-ready', r.id]), { checked: current }));
    }
    return actions;
}
