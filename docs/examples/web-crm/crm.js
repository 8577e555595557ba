// How a web CRM uses Sportello through its web bridge: it embeds the softphone panel, follows the
// event stream for the screen pop, and calls the REST API for its own buttons (here, notes).
// Open the page as index.html#bridge=http://127.0.0.1:8731&token=TOKEN, the token being what
// `sportelloctl web-bridge token` prints, from an origin listed in [web-bridge] allowed-origins.
"use strict";

const settings = new URLSearchParams(location.hash.slice(1));
const bridge = settings.get("bridge") || "http://127.0.0.1:8731";
const token = settings.get("token") || "";
let popped = null; // the number of the session on screen

function $(id) { return document.getElementById(id); }

function setStatus(text, refused) {
  $("status").textContent = text;
  $("status").className = refused ? "refused" : "";
}

async function sportello(path, body) {
  const response = await fetch(bridge + "/api/v1/" + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json().catch(() => ({}));
  if (!response.ok)
    throw new Error(response.status + " " + (payload.error || ""));
  return payload;
}

function showCall(props) {
  $("pop-state").textContent = props.State;
  const caseData = props.CaseData || {};
  $("pop-case").textContent = Object.keys(caseData).map((key) => key + ": " + caseData[key]).join(", ");
}

// The screen pop: who is calling, from the customer record, before the agent answers.
async function screenPop(number, props) {
  popped = number;
  $("pop").hidden = false;
  $("pop-name").textContent = props.RemoteName || props.Remote;
  $("pop-number").textContent = props.Remote;
  $("pop-organisation").textContent = "";
  $("pop-history").textContent = "";
  showCall(props);
  try {
    const contact = await sportello("contacts/lookup", { address: props.Remote });
    $("pop-name").textContent = (contact["first-name"] + " " + contact["last-name"]).trim();
    $("pop-organisation").textContent = contact.organisation;
    const history = await sportello("contacts/history", { id: contact.id, offset: 0, limit: 20 });
    $("pop-history").textContent = String(history.length);
  } catch (error) {
    $("pop-history").textContent = error.message.startsWith("404") ? "new customer" : error.message;
  }
}

function onEvent(event) {
  if (event.type === "session-added" && event.properties.Direction === "inbound")
    screenPop(event.number, event.properties);
  else if (event.type === "session-changed" && event.number === popped && event.changed.State)
    showCall(event.changed);
  else if (event.type === "session-removed" && event.number === popped)
    $("pop").hidden = true;
}

function follow() {
  const socket = new WebSocket(bridge.replace(/^http/, "ws") + "/api/v1/events");
  socket.onopen = () => socket.send(JSON.stringify({ type: "auth", token }));
  socket.onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "ready")
      setStatus("connected", false);
    else
      onEvent(event);
  };
  socket.onclose = (close) => {
    // 4401: the token was refused; 1006: the bridge refused the handshake (origin) or is down.
    setStatus(close.code === 4401 ? "refused: token" : "refused or unreachable (" + close.code + ")", true);
  };
}

$("note-form").addEventListener("submit", async (submit) => {
  submit.preventDefault();
  try {
    await sportello("sessions/" + popped + "/append-note", { text: $("note").value });
    $("note-result").textContent = "saved";
    $("note").value = "";
  } catch (error) {
    $("note-result").textContent = "not saved: " + error.message;
  }
});

// Click to dial goes through the panel, which posts the call's changes back (Open CTI style);
// both directions name the other side's origin, so nothing else can listen in or command.
$("dial-form").addEventListener("submit", (submit) => {
  submit.preventDefault();
  $("softphone").contentWindow.postMessage({ type: "sportello.dial", target: $("dial-target").value,
                                             attachedData: { AccountNumber: "A-1001" } }, bridge);
});

window.addEventListener("message", (message) => {
  if (message.origin !== bridge || message.source !== $("softphone").contentWindow)
    return;
  const event = message.data;
  $("panel-event").textContent = event.type === "sportello.session"
    ? event.direction + " " + (event.remoteName || event.remote) + ": " + event.state
    : "no call";
});

$("softphone").src = bridge + "/panel/#token=" + encodeURIComponent(token) +
                     "&crm=" + encodeURIComponent(location.origin);
follow();
sportello("state").catch((error) => setStatus("refused: " + error.message, true));
