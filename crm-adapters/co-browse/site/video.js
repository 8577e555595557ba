// The customer's side of video with the agent (docs/browser-video.md): joins with the one-time
// code through the relay's WebSocket, sends the camera (never the microphone: the voice stays on
// the phone call) and shows the agent's picture, over WebRTC with sportellod.
"use strict";

(function () {
  const root = document.documentElement;
  const status = document.getElementById("status");
  const agentVideo = document.getElementById("agent-video");
  const ownVideo = document.getElementById("own-video");
  const stopButton = document.getElementById("stop");
  const KEY_NAME = "sportello-video-browser";
  const REFUSALS = {
    "400": "This code is not right. Check it with your agent.",
    "404": "This code is not right, or its video has ended. Ask your agent for a new link.",
    "409": "This link is already in use in another browser.",
    "410": "This link has expired. Ask your agent for a new one.",
    "429": "Too many wrong codes. Please wait a minute and try again.",
    "503": "The video service is not available right now. Your call goes on.",
  };
  const ENDINGS = {
    stopped: "The agent ended the video. Your call goes on.",
    left: "Video ended. Your call goes on.",
    "call-ended": "The call has ended.",
    failed: "The video connection could not be made. Your call goes on.",
    "service-stopped": "The video service stopped. Your call goes on.",
  };
  let socket = null;
  let peer = null;
  let camera = null;
  let finished = false;
  let remoteSet = false;
  const pendingCandidates = [];

  function show(state, text, error) {
    root.dataset.sportelloVideo = state;
    status.textContent = text;
    status.classList.toggle("error", Boolean(error));
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN)
      socket.send(JSON.stringify(message));
  }

  function browserKey() {
    let key = null;
    try {
      key = localStorage.getItem(KEY_NAME);
    } catch (e) {
      key = null;
    }
    if (key && /^[A-Za-z0-9_-]{16,128}$/.test(key))
      return key;
    const bytes = new Uint8Array(18);
    crypto.getRandomValues(bytes);
    key = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    try {
      localStorage.setItem(KEY_NAME, key);
    } catch (e) {
      // A private window: the key lives as long as the page.
    }
    return key;
  }

  function release() {
    if (peer) {
      peer.close();
      peer = null;
    }
    if (camera) {
      camera.getTracks().forEach((track) => track.stop());
      camera = null;
    }
    agentVideo.srcObject = null;
    ownVideo.srcObject = null;
    stopButton.hidden = true;
  }

  function finish(state, text, error) {
    finished = true;
    release();
    show(state, text, error);
    if (socket && socket.readyState <= WebSocket.OPEN)
      socket.close(1000);
  }

  function iceServers(joined) {
    return (joined["ice-servers"] || []).map((url) => {
      const server = { urls: url };
      if (url.startsWith("turn")) {
        server.username = joined["turn-username"] || "";
        server.credential = joined["turn-credential"] || "";
      }
      return server;
    });
  }

  async function startVideo(joined) {
    show("camera", "Please allow the camera: your agent will see its picture.");
    try {
      camera = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (error) {
      const denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
      send({ type: "leave", reason: denied ? "camera-denied" : "camera-error" });
      finish(denied ? "camera-denied" : "camera-error",
             denied ? "Video needs your permission to use the camera. Your call goes on."
                    : "Your camera could not be started. Your call goes on.", true);
      return;
    }
    ownVideo.srcObject = camera;
    peer = new RTCPeerConnection({ iceServers: iceServers(joined) });
    camera.getVideoTracks().forEach((track) => peer.addTrack(track, camera));
    peer.addEventListener("icecandidate", (event) => {
      if (event.candidate && event.candidate.candidate)
        send({ type: "candidate", mline: event.candidate.sdpMLineIndex || 0, candidate: event.candidate.candidate });
    });
    peer.addEventListener("track", (event) => {
      agentVideo.srcObject = event.streams[0] || new MediaStream([event.track]);
    });
    peer.addEventListener("connectionstatechange", () => {
      if (peer && peer.connectionState === "failed" && !finished)
        show("connecting", "The video connection is having trouble…", true);
    });
    const offer = await peer.createOffer();
    await peer.setLocalDescription(offer);
    send({ type: "offer", sdp: peer.localDescription.sdp });
    show("connecting", "Connecting the video…");
    stopButton.hidden = false;
  }

  async function addCandidate(message) {
    if (!remoteSet) {
      pendingCandidates.push(message);
      return;
    }
    try {
      await peer.addIceCandidate({ candidate: message.candidate, sdpMLineIndex: message.mline });
    } catch (error) {
      console.warn("a candidate of the agent's side was refused", error);
    }
  }

  async function onAnswer(message) {
    if (!peer)
      return;
    await peer.setRemoteDescription({ type: "answer", sdp: message.sdp });
    remoteSet = true;
    pendingCandidates.splice(0).forEach(addCandidate);
  }

  function onMessage(event) {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (message.type === "joined")
      startVideo(message).catch((error) => {
        console.error("the video could not start", error);
        send({ type: "leave", reason: "camera-error" });
        finish("camera-error", "The video could not be started. Your call goes on.", true);
      });
    else if (message.type === "answer")
      onAnswer(message);
    else if (message.type === "candidate" && peer)
      addCandidate(message);
    else if (message.type === "refused")
      finish("refused:" + message.status, REFUSALS[message.status] || message.message, true);
    else if (message.type === "ended")
      finish("ended:" + message.reason, ENDINGS[message.reason] || "The video has ended. Your call goes on.");
    else if (message.type === "error")
      show(root.dataset.sportelloVideo || "error", "Something went wrong: " + message.message, true);
  }

  function connect(code) {
    show("joining", "Connecting to your agent…");
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/video/ws");
    socket.addEventListener("open", () => send({ type: "join", code: code, browser: browserKey() }));
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", () => {
      if (!finished)
        finish("ended:connection", "The connection to the video service was lost. Your call goes on.", true);
    });
  }

  function playing() {
    if (agentVideo.videoWidth > 0 && !finished)
      show("active", "You are on video with your agent. Your voice stays on the phone.");
  }

  agentVideo.addEventListener("playing", playing);
  agentVideo.addEventListener("resize", playing);
  stopButton.addEventListener("click", () => {
    send({ type: "leave", reason: "closed" });
    finish("ended:left", ENDINGS.left);
  });
  // Closing or reloading the page closes the socket: the relay takes that as leaving unless the
  // same browser joins again within a few seconds (a reload).

  const match = location.pathname.match(/^\/v\/(\d{6})$/);
  if (match) {
    history.replaceState(null, "", "/v");  // the code leaves the address bar
    connect(match[1]);
  } else {
    const form = document.getElementById("enter");
    form.hidden = false;
    show("code", "Type the code your agent gave you.");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = document.getElementById("code").value.trim();
      if (/^\d{6}$/.test(code)) {
        form.hidden = true;
        connect(code);
      } else {
        show("code", "A code is 6 digits.", true);
      }
    });
  }
})();
