// The customer's join page: the code (from the link /j/CODE or typed), a random key for this
// browser kept on the relay's origin, then on to the company's site with a ticket in the fragment
// (never sent to any server, and removed by the site script at once).
"use strict";

const MESSAGES = {
  400: "That is not a code: it has 6 digits.",
  404: "This code is not right. Check it with your agent.",
  409: "This code is already in use in another browser.",
  410: "This code has expired. Ask your agent for a new one.",
  429: "Too many tries. Wait a minute, then try again.",
  503: "Co-browsing is not available right now.",
};

function browserKey() {
  let key = localStorage.getItem("sportello-browser");
  if (!key) {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    key = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    localStorage.setItem("sportello-browser", key);
  }
  return key;
}

function say(text, error) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = error ? "error" : "";
}

async function join(code) {
  say("Joining…", false);
  try {
    const response = await fetch("/join", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, browser: browserKey() }),
    });
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      say(MESSAGES[response.status] || "Co-browsing could not start.", true);
      document.documentElement.dataset.joinStatus = String(response.status);
      return;
    }
    document.documentElement.dataset.joinStatus = "200";
    location.replace(reply.url + "#sportello-cobrowse=" + reply.ticket);
  } catch (error) {
    say(MESSAGES[503], true);
  }
}

const code = location.pathname.replace(/^\/j\//, "");
document.getElementById("join").addEventListener("submit", (submit) => {
  submit.preventDefault();
  join(document.getElementById("code").value.trim());
});
if (/^[0-9]{6}$/.test(code)) {
  document.getElementById("code").value = code;
  join(code);
}
