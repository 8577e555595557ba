// The softphone panel a web CRM embeds (an iframe of http://127.0.0.1:PORT/panel/#token=TOKEN).
// It talks only to the bridge that served it: REST for the buttons, the event stream for state.
"use strict";

const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
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

function render() {
  current = pickCurrent();
  const props = current === null ? null : sessions.get(current);
  $("call").hidden = !props;
  $("idle").hidden = !!props;
  if (!props)
    return;
  $("name").textContent = props.RemoteName || "";
  $("remote").textContent = props.Remote || "";
  $("state").textContent = props.State + (props.Video && props.Video !== "none" ? " · video " + props.Video : "");
  const caseData = props.CaseData || {};
  $("case").textContent = Object.keys(caseData).map((k) => k + ": " + caseData[k]).join(" · ");
  for (const button of document.querySelectorAll("#buttons button")) {
    const when = button.dataset.when.split(" ");
    const video = button.dataset.video ? button.dataset.video.split(" ") : null;
    button.hidden = !when.includes(props.State) || (video !== null && !video.includes(props.Video));
  }
}

async function act(action) {
  showError("");
  try {
    const body = action === "mark-done" ? [] : undefined;
    await api("POST", "sessions/" + current + "/" + action, body);
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
      const [state, list] = await Promise.all([api("GET", "state"), api("GET", "sessions")]);
      $("agent").textContent = state.DisplayName || "Sportello";
      sessions.clear();
      for (const session of list)
        sessions.set(session.number, session.properties);
      render();
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
connect();
