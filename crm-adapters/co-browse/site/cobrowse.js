// Sportello co-browse: the company site includes this on every page
// (<script src="https://RELAY/cobrowse.js" defer></script>). It does nothing unless the browser
// came through a co-browse link. Then both browsers (the customer's and the agent's) load the
// site's pages themselves and this script keeps them together through the relay: the page the
// leader is on, its scroll, the pointers, clicks on buttons, the agent's highlight, and the
// customer's form fields, masked (passwords always). Elements with the class sportello-private
// are never shown to the agent nor reported. The agent can never type into the customer's page.
// State for tests and styling: <html data-sportello-cobrowse="ROLE:STATE">.
(function () {
  "use strict";

  const KEY = "sportello-cobrowse";
  const script = document.currentScript;
  const relay = new URL(script.src);
  const root = document.documentElement;
  let ticket = null;

  const fromLink = new RegExp("[#&]" + KEY + "=([A-Za-z0-9_-]{20,100})").exec(location.hash);
  if (fromLink) {
    ticket = fromLink[1];
    sessionStorage.setItem(KEY, ticket);
    history.replaceState(history.state, "", location.pathname + location.search);
  } else {
    ticket = sessionStorage.getItem(KEY);
  }
  if (!ticket)
    return;

  const state = { role: null, leader: null, socket: null, origins: [], ended: false, highlighting: false };
  const ui = {};

  function mark(text) {
    root.dataset.sportelloCobrowse = (state.role || "joining") + ":" + text;
  }

  function send(message) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN)
      state.socket.send(JSON.stringify(message));
  }

  function leads() {
    return state.role !== null && state.role === state.leader;
  }

  // ---- element paths: "body > main:nth-child(1) > a:nth-child(3)" ----

  function cssPath(element) {
    const parts = [];
    for (let node = element; node && node !== document.body; node = node.parentElement) {
      const parent = node.parentElement;
      if (!parent)
        return null;
      const index = Array.prototype.indexOf.call(parent.children, node) + 1;
      parts.unshift(node.localName.replace(/[^a-z0-9-]/g, "") + ":nth-child(" + index + ")");
    }
    return ["body"].concat(parts).join(" > ");
  }

  function find(path) {
    if (typeof path !== "string" || !/^[A-Za-z0-9 >:()#._-]+$/.test(path))
      return null;
    try {
      return document.querySelector(path);
    } catch (error) {
      return null;
    }
  }

  function isPrivate(element) {
    return !!(element && element.closest && element.closest(".sportello-private, [data-sportello-ui]"));
  }

  function allowedUrl(url) {
    try {
      return state.origins.includes(new URL(url, location.href).origin);
    } catch (error) {
      return false;
    }
  }

  // ---- the little interface on each side ----

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes))
      node.setAttribute(name, value);
    if (text)
      node.textContent = text;
    node.dataset.sportelloUi = "";
    return node;
  }

  function installStyle() {
    const rules = [
      "#sportello-cobrowse-bar{position:fixed;z-index:2147483647;left:0;right:0;top:0;padding:6px 12px;" +
        "font:14px system-ui,sans-serif;background:#0b5394;color:#fff;display:flex;gap:10px;align-items:center}",
      "#sportello-cobrowse-bar button{font:inherit;padding:2px 10px;border-radius:4px;border:1px solid #fff;" +
        "background:#fff;color:#0b5394;cursor:pointer}",
      "#sportello-cobrowse-pointer{position:absolute;z-index:2147483646;width:14px;height:14px;margin:-7px 0 0 -7px;" +
        "border-radius:50%;background:rgba(207,34,46,.85);border:2px solid #fff;pointer-events:none;display:none}",
      "#sportello-cobrowse-highlight{position:absolute;z-index:2147483645;border:3px solid #f5a623;" +
        "border-radius:6px;box-shadow:0 0 0 4px rgba(245,166,35,.35);pointer-events:none;display:none}",
      "html[data-sportello-role=agent] .sportello-private{visibility:hidden!important}",
      "html[data-sportello-role=agent] [data-sportello-mirror]{background:#eef3fb!important}",
      "html.sportello-highlighting *{cursor:crosshair!important}",
    ];
    const style = element("style", {});
    style.textContent = rules.join("\n");
    document.head.appendChild(style);
    ui.style = style;
  }

  function button(id, label, onClick) {
    const node = element("button", { id, type: "button" }, label);
    node.addEventListener("click", (click) => {
      click.stopPropagation();
      onClick();
    });
    return node;
  }

  function installBar() {
    const bar = element("div", { id: "sportello-cobrowse-bar", role: "region", "aria-label": "Co-browsing" });
    ui.status = element("span", { id: "sportello-cobrowse-status" });
    bar.appendChild(ui.status);
    if (state.role === "customer") {
      bar.appendChild(button("sportello-cobrowse-take", "Lead", () => send({ type: "control", leader: "customer" })));
      bar.appendChild(button("sportello-cobrowse-leave", "Leave co-browse", () => {
        send({ type: "leave" });
        finish("you left");
      }));
    } else {
      ui.control = button("sportello-cobrowse-control", "Take control", () =>
        send({ type: "control", leader: leads() ? "customer" : "agent" }));
      bar.appendChild(ui.control);
      bar.appendChild(button("sportello-cobrowse-highlight-mode", "Highlight", () => {
        state.highlighting = true;
        root.classList.add("sportello-highlighting");
      }));
      bar.appendChild(button("sportello-cobrowse-clear", "Clear highlight", () => send({ type: "highlight", path: null })));
    }
    document.body.appendChild(bar);
    ui.bar = bar;
    ui.pointer = element("div", { id: "sportello-cobrowse-pointer" });
    ui.highlight = element("div", { id: "sportello-cobrowse-highlight" });
    document.body.appendChild(ui.pointer);
    document.body.appendChild(ui.highlight);
    showStatus();
  }

  function showStatus() {
    if (!ui.status)
      return;
    const who = state.role === "customer" ? "Your agent sees this page (not what you type)." : "Co-browsing with the customer.";
    ui.status.textContent = who + (leads() ? " You lead." : " " + (state.leader === "agent" ? "The agent" : "The customer") + " leads.");
    if (ui.control)
      ui.control.textContent = leads() ? "Give control" : "Take control";
  }

  // ---- what the leader sends ----

  let lastScroll = 0, lastPointer = 0;

  function onScroll() {
    const now = Date.now();
    if (!leads() || now - lastScroll < 50)
      return;
    lastScroll = now;
    const width = Math.max(1, document.documentElement.scrollWidth - innerWidth);
    const height = Math.max(1, document.documentElement.scrollHeight - innerHeight);
    send({ type: "scroll", x: Math.min(1, scrollX / width), y: Math.min(1, scrollY / height) });
  }

  function onPointer(move) {
    const now = Date.now();
    if (now - lastPointer < 30 || isPrivate(move.target))
      return;
    lastPointer = now;
    send({ type: "pointer", x: move.pageX, y: move.pageY, t: performance.timeOrigin + performance.now() });
  }

  function onClick(click) {
    const target = click.target && click.target.closest ? click.target.closest("a, button, [role=button]") : null;
    if (state.highlighting) {
      click.preventDefault();
      click.stopPropagation();
      state.highlighting = false;
      root.classList.remove("sportello-highlighting");
      if (!isPrivate(click.target))
        send({ type: "highlight", path: cssPath(click.target) });
      return;
    }
    if (!leads() || !target || isPrivate(target) || target.localName === "a")
      return; // links: the next page's navigate takes the other browser along
    send({ type: "click", path: cssPath(target) });
  }

  function maskedValue(field) {
    if (field.type === "password" || !field.classList.contains("sportello-unmask"))
      return "\u2022".repeat(Math.min(field.value.length, 512));
    return field.value.slice(0, 512);
  }

  function onInput(input) {
    const field = input.target;
    if (state.role !== "customer" || !field || !/^(input|textarea|select)$/.test(field.localName) || isPrivate(field))
      return;
    send({ type: "input", path: cssPath(field), masked: maskedValue(field) });
  }

  // ---- what the follower does ----

  function follow(message) {
    switch (message.type) {
    case "navigate":
      if (allowedUrl(message.url) && message.url !== location.href)
        location.assign(message.url);
      break;
    case "scroll": {
      const width = document.documentElement.scrollWidth - innerWidth;
      const height = document.documentElement.scrollHeight - innerHeight;
      scrollTo(message.x * width, message.y * height);
      break;
    }
    case "pointer":
      ui.pointer.style.display = "block";
      ui.pointer.style.left = message.x + "px";
      ui.pointer.style.top = message.y + "px";
      ui.pointer.dataset.t = String(message.t || "");
      root.dataset.sportelloPointer = Math.round(message.x) + "," + Math.round(message.y);
      break;
    case "click": {
      const target = find(message.path);
      if (target && !isPrivate(target) && target.matches("button, [role=button]"))
        target.click();
      break;
    }
    case "highlight":
      showHighlight(message.path ? find(message.path) : null);
      break;
    case "input":
      if (state.role === "agent") {
        const field = find(message.path);
        if (field && !isPrivate(field)) {
          field.value = message.masked;
          field.readOnly = true;
          field.dataset.sportelloMirror = "";
        }
      }
      break;
    }
  }

  function showHighlight(target) {
    if (!target || isPrivate(target)) {
      ui.highlight.style.display = "none";
      delete root.dataset.sportelloHighlight;
      return;
    }
    const box = target.getBoundingClientRect();
    Object.assign(ui.highlight.style, {
      display: "block", left: (box.left + scrollX - 4) + "px", top: (box.top + scrollY - 4) + "px",
      width: (box.width + 8) + "px", height: (box.height + 8) + "px",
    });
    target.scrollIntoView({ block: "center", behavior: "instant" });
    root.dataset.sportelloHighlight = cssPath(target);
  }

  // ---- the connection ----

  function onMessage(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (error) {
      return;
    }
    if (message.type === "welcome") {
      state.role = message.role;
      state.leader = message.leader;
      state.origins = message.origins;
      root.dataset.sportelloRole = state.role;
      if (!ui.bar)
        installBar();
      mark(message.peer ? "together" : "waiting");
      showStatus();
      if (leads())
        send({ type: "navigate", url: location.href });
    } else if (message.type === "peer") {
      mark(message.present ? "together" : "waiting");
      if (message.present && leads())
        send({ type: "navigate", url: location.href });
    } else if (message.type === "control") {
      state.leader = message.leader;
      showStatus();
      if (leads())
        send({ type: "navigate", url: location.href });
    } else if (message.type === "ended") {
      finish(message.reason);
    } else {
      follow(message);
    }
  }

  function finish(reason) {
    state.ended = true;
    sessionStorage.removeItem(KEY);
    for (const name of ["bar", "pointer", "highlight", "style"])
      if (ui[name])
        ui[name].remove();
    document.querySelectorAll("[data-sportello-mirror]").forEach((field) => {
      field.readOnly = false;
      delete field.dataset.sportelloMirror;
    });
    delete root.dataset.sportelloRole;
    mark("ended:" + reason);
    if (state.socket)
      state.socket.close();
  }

  function connect() {
    const socket = new WebSocket((relay.protocol === "https:" ? "wss://" : "ws://") + relay.host + "/ws");
    state.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ type: "hello", ticket }));
    socket.onmessage = onMessage;
    socket.onclose = (close) => {
      if (state.ended)
        return;
      if (close.code === 4401 || close.code === 4403 || close.code === 4410) {
        finish(close.code === 4410 ? "ended" : "refused");
        return;
      }
      if (close.code !== 4409)
        setTimeout(connect, 1000);
    };
  }

  function start() {
    installStyle();
    mark("connecting");
    addEventListener("scroll", onScroll, { passive: true });
    addEventListener("pointermove", onPointer, { passive: true });
    addEventListener("click", onClick, true);
    addEventListener("input", onInput, true);
    addEventListener("change", onInput, true);
    connect();
  }

  if (document.readyState === "loading")
    document.addEventListener("DOMContentLoaded", start);
  else
    start();
})();
