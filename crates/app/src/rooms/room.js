// The live room's client: plain JavaScript, no build step. It speaks room protocol v1
// (docs/room-protocol.md): the server is the clock, so the timer is drawn from absolute end
// instants corrected by the server's `now`; on a dropped connection it reconnects by itself and
// resumes after the last message id it saw.
(function () {
  "use strict";
  var root = document.getElementById("room");
  if (!root) return;
  var me = root.dataset.me;
  var $ = function (id) { return document.getElementById(id); };
  var status = $("status");
  var ws = null;
  var applied = 0;       // highest message id drawn
  var cursor = 0;        // resume point: the highest id actually received
  var snapshotId = 0;    // frames up to the welcome's last_id are already in its snapshot
  var offset = 0;        // server clock minus ours
  var everOpen = false;
  var attempt = 0;
  var ended = ""; // why the server closed the room for good, when it did
  var timer = null;
  var present = {};
  var goals = [];
  var pending = null;    // chat text sent, kept until it comes back
  var labels = { check_in: "Check-in", focus: "Focus", "break": "Break", check_out: "Check-out" };

  function say(text, bad) {
    status.textContent = text;
    status.className = "room-status" + (bad ? " bad" : "");
  }
  function now() { return Date.now() + offset; }
  function mmss(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var m = Math.floor(s / 60);
    s = s % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  // One clock for people across the site: 24 hours, "14:05".
  function time(at) {
    var d = new Date(at);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return two(d.getHours()) + ":" + two(d.getMinutes());
  }
  // Only the host commands the timer's state allows are offered.
  function drawControls(c) {
    var box = $("host-controls");
    if (!box) return;
    var state = c.phase === "ended" ? "ended" : c.phase === "waiting" ? "waiting" : c.paused ? "paused" : "running";
    var valid = { waiting: ["start", "set_focus"], running: ["pause", "skip"], paused: ["resume", "skip"], ended: [] }[state];
    document.querySelectorAll("[data-timer]").forEach(function (b) {
      b.hidden = valid.indexOf(b.dataset.timer) < 0;
    });
    var focus = $("focus-controls");
    if (focus) focus.hidden = valid.indexOf("set_focus") < 0;
  }

  // --- drawing --------------------------------------------------------------
  function currentPhase() {
    if (!timer) return null;
    var t = now();
    if (timer.state === "paused") return { phase: timer.phase, left: timer.remaining_ms, paused: true };
    if (timer.state === "ended") return { phase: "ended" };
    if (timer.state === "waiting" && t < timer.starts_at) return { phase: "waiting", left: timer.starts_at - t };
    for (var i = 0; i < timer.schedule.length; i++) {
      if (timer.schedule[i].ends_at > t) return { phase: timer.schedule[i].phase, left: timer.schedule[i].ends_at - t };
    }
    return { phase: "ended" };
  }
  function drawTimer() {
    var c = currentPhase();
    if (!c) return;
    var phase = $("phase"), left = $("remaining");
    if (c.phase === "ended") { phase.textContent = "Session ended"; left.textContent = ""; }
    else if (c.phase === "waiting") { phase.textContent = "Starts in"; left.textContent = mmss(c.left); }
    else {
      phase.textContent = labels[c.phase] + (c.paused ? " (paused)" : "");
      left.textContent = mmss(c.left);
    }
    var plan = $("plan");
    plan.textContent = "";
    (timer.schedule || []).forEach(function (p) {
      var li = document.createElement("li");
      li.textContent = labels[p.phase] + " until " + time(p.ends_at - offset);
      if (c.phase === p.phase) li.className = "current";
      plan.appendChild(li);
    });
    drawControls(c);
    var mine = goals.filter(function (g) { return g.user_id === me; })[0];
    $("my-goal").hidden = !(mine && (c.phase === "check_out" || c.phase === "ended"));
  }
  function drawPresent() {
    var ul = $("present");
    ul.textContent = "";
    Object.keys(present).forEach(function (id) {
      var li = document.createElement("li");
      li.textContent = present[id] + (id === me ? " (you)" : "");
      ul.appendChild(li);
    });
  }
  function drawGoals() {
    var ul = $("goals");
    ul.textContent = "";
    goals.forEach(function (g) {
      var li = document.createElement("li");
      var mark = g.done === true ? " ✓ done" : g.done === false ? " — not done" : "";
      li.textContent = g.name + ": " + (g.goal || "no goal set") + mark;
      ul.appendChild(li);
    });
  }
  function addChat(m) {
    var li = document.createElement("li");
    var who = document.createElement("strong");
    who.textContent = m.name;
    var when = document.createElement("span");
    when.className = "meta";
    when.textContent = " " + time(m.at);
    var text = document.createElement("p");
    text.textContent = m.text;
    li.appendChild(who); li.appendChild(when); li.appendChild(text);
    var list = $("chat");
    list.appendChild(li);
    list.scrollTop = list.scrollHeight;
    if (m.user_id === me && pending !== null && m.text === pending) {
      pending = null;
      $("chat-text").value = "";
    }
  }
  function showError(el, text) { el.textContent = text; el.hidden = !text; }

  // --- frames ---------------------------------------------------------------
  function onFrame(f) {
    if (f.type === "welcome") {
      everOpen = true;
      attempt = 0;
      say("Connected: you are in the room.");
      offset = f.now - Date.now();
      timer = f.timer;
      present = {};
      f.present.forEach(function (p) { present[p.id] = p.name; });
      goals = f.goals;
      if (f.replay === "history") { $("chat").textContent = ""; applied = 0; }
      snapshotId = f.last_id; // (the resume point moves only with frames received, so a drop
                              // during the replay loses nothing)
      drawPresent(); drawGoals(); drawTimer();
      return;
    }
    if (f.type === "pong") { offset = f.now - Date.now(); return; }
    if (f.type === "error" && f.code === "access_ended") { ended = f.message; return; }
    if (f.type === "error") {
      if (f.code === "too_slow") return;
      var timerCodes = ["timer", "forbidden", "busy"];
      showError(timerCodes.indexOf(f.code) >= 0 ? $("timer-error") : $("chat-error"), f.message);
      return;
    }
    if (typeof f.id !== "number" || f.id <= applied) return; // never drawn twice
    applied = f.id;
    cursor = Math.max(cursor, f.id);
    if (f.type === "chat") { addChat(f); return; }
    if (f.id <= snapshotId) return; // the snapshot already shows it
    if (f.type === "joined") { present[f.user_id] = f.name; drawPresent(); }
    else if (f.type === "left") { delete present[f.user_id]; drawPresent(); }
    else if (f.type === "timer") { timer = f.timer; showError($("timer-error"), ""); drawTimer(); }
    else if (f.type === "goal") {
      goals.forEach(function (g) { if (g.user_id === f.user_id) g.done = f.done; });
      drawGoals(); drawTimer();
    }
  }

  // --- connection -----------------------------------------------------------
  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.ws +
      (cursor > 0 ? "&after=" + cursor : "");
    try { ws = new WebSocket(url); } catch (e) { scheduleReconnect(); return; }
    // Reached only when the room's welcome arrives: a proxy that accepts the upgrade and passes
    // nothing through is as blocked as one that refuses it.
    ws.onopen = function () { say("Joining the room…"); };
    ws.onmessage = function (ev) {
      var f;
      try { f = JSON.parse(ev.data); } catch (e) { return; }
      onFrame(f);
    };
    ws.onclose = function (ev) {
      ws = null;
      // Access ended (signed out, no longer going, a cancelled date…): reconnecting cannot help.
      if (ev.code === 4403) { say(ended || "You can no longer be in this room.", true); return; }
      if (ev.code === 1008 && ev.reason === "too slow") say("The connection fell behind; catching up…", true);
      scheduleReconnect();
    };
  }
  function scheduleReconnect() {
    attempt += 1;
    var wait = Math.min(30, Math.pow(2, attempt - 1));
    if (!navigator.onLine) say("You are offline. The room will reconnect when your connection is back.", true);
    else if (!everOpen && attempt > 1)
      say("Could not open a live connection to the room. WebSockets may be blocked by a proxy, firewall or " +
        "browser extension on this network. Retrying in " + wait + " s…", true);
    else say("Connection lost. Reconnecting in " + wait + " s…", true);
    setTimeout(connect, wait * 1000);
  }
  function send(obj) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(obj));
    return true;
  }

  // --- controls -------------------------------------------------------------
  $("chat-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = $("chat-text").value.trim();
    if (!text) { showError($("chat-error"), "Write something first."); return; }
    showError($("chat-error"), "");
    pending = text;
    if (!send({ type: "chat", text: text })) showError($("chat-error"), "Not connected: your message is kept; send it again once the room reconnects.");
  });
  root.addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b) return;
    if (b.dataset.timer) {
      var msg = { type: "timer", action: b.dataset.timer };
      if (b.dataset.timer === "set_focus") msg.focus_minutes = parseInt($("focus-len").value, 10);
      if (!send(msg)) showError($("timer-error"), "Not connected yet.");
    } else if (b.dataset.goal) {
      send({ type: "goal", done: b.dataset.goal === "true" });
    }
  });
  window.addEventListener("online", function () { if (!ws) connect(); });
  setInterval(drawTimer, 500);
  setInterval(function () { send({ type: "ping" }); }, 20000);
  connect();
})();
