// The operator dashboard's actions and live views. Every action calls the host's JSON API
// (the one the CLI uses) with the session cookie and the page's CSRF token in a header.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : "";

  function api(method, path, body) {
    return fetch(path, {
      method: method,
      credentials: "same-origin",
      headers: Object.assign({ accept: "application/json", "x-csrf-token": csrf }, body ? { "content-type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return { ok: res.ok, status: res.status, json: json }; });
    });
  }

  function say(text, kind) {
    var box = document.getElementById("flash");
    if (!box) return;
    box.textContent = text;
    box.className = "alert " + (kind || "info");
    box.hidden = false;
    box.focus();
  }

  function failure(answer) {
    return (answer.json && answer.json.error && answer.json.error.message) || "HTTP " + answer.status;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var action = form.getAttribute("data-api");
    if (!action) return;
    event.preventDefault();
    var confirmText = form.getAttribute("data-confirm");
    if (confirmText && !window.confirm(confirmText)) return;
    var body = null;
    if (form.hasAttribute("data-json")) {
      body = {};
      Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function (input) { if (input.value !== "") body[input.name] = input.value; });
    }
    var keyField = form.getAttribute("data-key-field");
    if (keyField && body) {
      action += encodeURIComponent(body[keyField] || "");
      delete body[keyField];
    }
    api(form.getAttribute("data-method") || "POST", action, body).then(function (answer) {
      if (!answer.ok) return say(failure(answer), "bad");
      var then = form.getAttribute("data-then");
      if (then === "show-key") {
        say("New key (shown once, copy it now): " + answer.json.key, "good");
        setTimeout(function () { window.location.reload(); }, 60000);
      } else if (then === "show-link") {
        var field = document.getElementById("reconnect-link");
        field.value = answer.json.connectUrl;
        field.hidden = false;
        field.select();
        if (navigator.clipboard) navigator.clipboard.writeText(answer.json.connectUrl).catch(function () {});
        say("Reconnect link created and copied; it works once, until " + answer.json.expiresAt + ".", "good");
      } else if (then === "poll-runs") {
        say("Sync started.", "info");
        pollRuns(answer.json.startedAt);
      } else {
        window.location.reload();
      }
    });
  });

  // Live progress of a connection's runs: the runs table refreshes while any run is running.
  var runsTable = document.getElementById("runs");
  function renderRuns(runs) {
    var body = runsTable.querySelector("tbody");
    body.textContent = "";
    runs.forEach(function (run) {
      var tr = document.createElement("tr");
      [run.stream, run.status, String(run.pages), String(run.accepted), String(run.rejected), new Date(run.started_at).toLocaleString(), run.error || ""].forEach(function (text, i) {
        var td = document.createElement("td");
        if (i === 1) {
          var span = document.createElement("span");
          span.className = "status " + text;
          span.textContent = text;
          td.appendChild(span);
        } else td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  // `since`: a sync just asked for; keep polling until a run of it has started and none runs.
  function pollRuns(since) {
    if (!runsTable) return;
    var url = "/api/runs?limit=20&connection=" + encodeURIComponent(runsTable.getAttribute("data-connection"));
    api("GET", url).then(function (answer) {
      if (!answer.ok) return;
      renderRuns(answer.json.runs);
      var running = answer.json.runs.some(function (r) { return r.status === "running"; });
      var waiting = since !== undefined && !answer.json.runs.some(function (r) { return r.started_at >= since; });
      runsTable.setAttribute("data-live", running || waiting ? "running" : "done");
      if (running || waiting) setTimeout(function () { pollRuns(since); }, 700);
    });
  }
  if (runsTable && runsTable.getAttribute("data-live") === "running") pollRuns(undefined);
})();
