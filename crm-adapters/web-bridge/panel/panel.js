// The softphone panel a web CRM embeds (an iframe of
// http://127.0.0.1:PORT/panel/#token=TOKEN&crm=ORIGIN). It talks only to the bridge that served
// it: REST for the buttons, the event stream for state. With crm=ORIGIN it also talks to the
// page that frames it, the way Open CTI-style softphones do: it posts the call's changes to
// that origin only, and takes {type: "sportello.dial", target, attachedData} (click to dial)
// from it only. Only allowed origins can frame the panel (CSP frame-ancestors), so the parent
// is one of them.
"use strict";

const settings = new URLSearchParams(location.hash.slice(1));
const token = settings.get("token") || "";
const crmOrigin = settings.get("crm") || "";
const framed = window.parent !== window;
const sessions = new Map(); // number -> properties
let current = null;         // the session the buttons act on

function $(id) { return document.getElementById(id); }

function showError(text) {
  const error = $("error");
  error.textContent = text;
  error.hidden = !text;
}

async function api(method, path, body) {
  const response = await fetch("/api/v1/" + path, {
    method,
    headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok)
    throw new Error((payload.error || response.status) + ": " + (payload.message || ""));
  return payload;
}

// The session to show: a ringing one first, else the newest that is not done.
function pickCurrent() {
  let chosen = null;
  for (const [number, props] of sessions) {
    if (props.State === "ringing")
      return number;
    if (chosen === null || number > chosen)
      chosen = number;
  }
  return chosen;
}

// What the framing CRM hears: the shown call's number, state, video, remote and name.
let lastTold = "";
function tellCrm(props) {
  if (!framed || !crmOrigin)
    return;
  const message = props
    ? { type: "sportello.session", number: current, state: props.State, video: props.Video,
        remote: props.Remote, remoteName: props.RemoteName, direction: props.Direction }
    : { type: "sportello.idle" };
  const text = JSON.stringify(message);
  if (text !== lastTold)
    window.parent.postMessage(message, crmOrigin);
  lastTold = text;
}

function onCrmMessage(message) {
  if (!framed || message.source !== window.parent || message.origin !== crmOrigin)
    return;
  const request = message.data || {};
  if (request.type === "sportello.dial" && typeof request.target === "string")
    api("POST", "agent/dial", { target: request.target, attached_data: request.attachedData || {} })
      .catch((error) => showError(error.message));
}

function render() {
  current = pickCurrent();
  const props = current === null ? null : sessions.get(current);
  tellCrm(props);
  $("call").hidden = !props;
  $("idle").hidden = !!props;
  if (!props)
    return;
  $("name").textContent = props.RemoteName || "";
  $("remote").textContent = props.Remote || "";
  const video = props.State !== "disconnected" && props.Video && props.Video !== "none";
  $("state").textContent = props.State + (video ? " · video " + props.Video : "");
  const caseData = props.CaseData || {};
  $("case").textContent = Object.keys(caseData).filter((k) => caseData[k]).map((k) => k + ": " + caseData[k]).join(" · ");
  for (const button of document.querySelectorAll("#buttons button")) {
    const when = button.dataset.when.split(" ");
    const video = button.dataset.video ? button.dataset.video.split(" ") : null;
    button.hidden = !when.includes(props.State) || (video !== null && !video.includes(props.Video));
  }
  // Push needs live video; the catalogue may be empty.
  $("push").hidden = props.State !== "talking" || props.Video !== "active" || $("push-item").options.length === 0;
  $("push-start").hidden = !!props.Push;
  $("push-stop").hidden = !props.Push;
  $("disposition").hidden = props.State !== "disconnected" || props.DispositionVisible === false;
}

function fillSelect(select, entries) {
  for (const [value, label] of entries) {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.append(option);
  }
}

// The push catalogue and the disposition codes: read once per connection.
async function loadLists() {
  const [items, codes] = await Promise.all([api("POST", "agent/list-push-items"),
                                            api("POST", "agent/list-disposition-codes")]);
  $("push-item").replaceChildren();
  fillSelect($("push-item"), items.map((item) => [item.id, item.title]));
  $("disposition-code").replaceChildren($("disposition-code").options[0] || new Option("–", ""));
  fillSelect($("disposition-code"), codes.map((code) => [code.id, code.label]));
}

async function act(action, body) {
  showError("");
  try {
    const session = "sessions/" + current + "/";
    const code = $("disposition-code").value;
    if (action === "mark-done" && code)
      await api("POST", session + "set-dispositions", { codes: [code] });
    await api("POST", session + action, body);
  } catch (error) {
    showError(error.message);
  }
}

function onEvent(event) {
  if (event.type === "session-added")
    sessions.set(event.number, event.properties);
  else if (event.type === "session-changed" && sessions.has(event.number))
    Object.assign(sessions.get(event.number), event.changed);
  else if (event.type === "session-removed")
    sessions.delete(event.number);
  else if (event.type === "state-changed" && event.changed.DisplayName)
    $("agent").textContent = event.changed.DisplayName;
  render();
}

function connect() {
  const socket = new WebSocket("ws://" + location.host + "/api/v1/events");
  socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token }));
  socket.onmessage = async (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "ready") {
      $("connection").textContent = "connected";
      $("connection").className = "on";
      // After the stream is up, so that nothing between the two is missed.
      try {
        const [state, list] = await Promise.all([api("GET", "state"), api("GET", "sessions"), loadLists()]);
        $("agent").textContent = state.DisplayName || "Sportello";
        sessions.clear();
        for (const session of list)
          sessions.set(session.number, session.properties);
        render();
      } catch (error) {
        showError(error.message);
      }
    } else {
      onEvent(event);
    }
  };
  socket.onclose = (close) => {
    $("connection").textContent = close.code === 4401 ? "not authorised" : "reconnecting…";
    $("connection").className = "off";
    if (close.code !== 4401)
      setTimeout(connect, 2000);
  };
}

for (const button of document.querySelectorAll("#buttons button"))
  button.addEventListener("click", () => act(button.dataset.action));
$("push-start").addEventListener("click", () => act("start-push", { item_id: $("push-item").value }));
$("push-stop").addEventListener("click", () => act("stop-push"));
window.addEventListener("message", onCrmMessage);
connect();
