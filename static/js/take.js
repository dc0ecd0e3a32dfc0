// Taking an assessment: every answer is saved by htmx as it changes (hx-post per question).
// This script makes sure nothing typed is lost on a phone:
//  * before each save the answer is copied to localStorage; the copy is removed only when the
//    server confirms it (so a closed tab or a dead battery keeps it on the device);
//  * a save that fails (no network, server error) is marked "Not saved — retrying" and is
//    re-sent on the `online` event and every few seconds, from any page of the attempt;
//  * on load, answers kept on the device and not yet confirmed are put back into the form
//    and sent again;
//  * submitting waits until every answer is saved (else it says so);
//  * the timer counts down to the server's deadline (so it survives reloads); at zero the page
//    reloads and the server submits the attempt.
// Loaded with `defer` on the take page only (no inline scripts: CSP).
(function () {
  "use strict";

  var PREFIX = "lms-answer:";
  var RETRY_MS = 4000;
  var page = document.getElementById("take");
  if (!page) { return; }
  var submissionId = page.getAttribute("data-submission");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") { fields.push([name, value]); }
    });
    return fields;
  }

  function keep(form) {
    var store = storage();
    if (!store || form.getAttribute("data-type") === "FILE_UPLOAD") { return; }
    var entry = {url: form.getAttribute("hx-post"), fields: fieldsOf(form), t: Date.now()};
    store.setItem(PREFIX + form.getAttribute("data-key"), JSON.stringify(entry));
    return entry;
  }

  function pendingKeys() {
    var store = storage();
    var keys = [];
    if (!store) { return keys; }
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX + submissionId + ":") === 0) { keys.push(key); }
    }
    return keys;
  }

  function stateOf(key) {
    var versionId = key.split(":").pop();
    return document.getElementById("save-" + versionId);
  }

  function showState(key, text, cls) {
    var el = stateOf(key);
    if (el) {
      el.textContent = text;
      el.className = "save-state " + (cls || "");
    }
  }

  var labels = {saving: page.getAttribute("data-saving"), retrying: page.getAttribute("data-retrying")};

  var failedFiles = [];

  // --- htmx saves -------------------------------------------------------------------------
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-answer-form]")) { return; }
    form._lmsSent = JSON.stringify(fieldsOf(form));
    keep(form);
    showState(PREFIX + form.getAttribute("data-key"), labels.saving, "saving");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-answer-form]")) { return; }
    var key = PREFIX + form.getAttribute("data-key");
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (event.detail.successful) {
      confirmSaved(key, form._lmsSent);
      updateCount(form);
    } else if (status >= 400 && status < 500) {
      var store = storage();
      if (store) { store.removeItem(key); }  // refused for good (time up, bad answer): the page says why
      if (status === 409) { setTimeout(function () { window.location.reload(); }, 2500); }
    } else {
      showState(key, labels.retrying, "not-saved");
      if (form.getAttribute("data-type") === "FILE_UPLOAD" && failedFiles.indexOf(form) < 0) {
        failedFiles.push(form);
      }
      connection();
    }
  });

  function confirmSaved(key, sentFields) {
    var store = storage();
    if (!store) { return; }
    var raw = store.getItem(key);
    if (!raw) { return; }
    try {
      var entry = JSON.parse(raw);
      if (sentFields === undefined || JSON.stringify(entry.fields) === sentFields) { store.removeItem(key); }
    } catch (e) { store.removeItem(key); }
  }

  // --- re-sending ----------------------------------------------------------------------------
  var sending = false;

  function resend() {
    if (sending || navigator.onLine === false) { return Promise.resolve(); }
    var keys = pendingKeys();
    failedFiles.slice().forEach(function (form) {
      failedFiles.splice(failedFiles.indexOf(form), 1);
      window.htmx.trigger(form, "lms:retry");
    });
    if (!keys.length) { return Promise.resolve(); }
    sending = true;
    var chain = Promise.resolve();
    keys.forEach(function (key) {
      chain = chain.then(function () { return sendOne(key); });
    });
    return chain.then(function () { sending = false; }, function () { sending = false; });
  }

  function sendOne(key) {
    var store = storage();
    var raw = store && store.getItem(key);
    if (!raw) { return Promise.resolve(); }
    var entry = JSON.parse(raw);
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    showState(key, labels.saving, "saving");
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"}
    }).then(function (response) {
      return response.text().then(function (html) {
        if (response.ok) {
          confirmSaved(key, JSON.stringify(entry.fields));
          var el = stateOf(key);
          if (el) { el.innerHTML = html; el.className = "save-state"; }
          updateCount(document.querySelector('[data-answer-form][data-key="' + key.slice(PREFIX.length) + '"]'));
        } else if (response.status >= 400 && response.status < 500) {
          store.removeItem(key);
          var target = stateOf(key);
          if (target) { target.innerHTML = html; }
          if (response.status === 409) { setTimeout(function () { window.location.reload(); }, 2500); }
        } else {
          showState(key, labels.retrying, "not-saved");
        }
      });
    }, function () {
      showState(key, labels.retrying, "not-saved");
    });
  }

  // --- answers kept on this device -------------------------------------------------------------
  function restore() {
    pendingKeys().forEach(function (key) {
      var form = document.querySelector('[data-answer-form][data-key="' + key.slice(PREFIX.length) + '"]');
      if (!form) { return; }
      var entry;
      try { entry = JSON.parse(storage().getItem(key)); } catch (e) { return; }
      var values = entry.fields.filter(function (p) { return p[0] === "answer"; }).map(function (p) { return p[1]; });
      form.querySelectorAll('[name="answer"]').forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          input.checked = values.indexOf(input.value) >= 0;
        } else {
          input.value = values.length ? values[0] : "";
        }
      });
      showState(key, labels.retrying, "not-saved");
    });
  }

  // --- connection status and the count of answers ---------------------------------------------
  function connection() {
    var el = document.getElementById("connection-state");
    if (!el) { return; }
    var offline = navigator.onLine === false;
    el.hidden = !offline;
    el.textContent = offline ? el.getAttribute("data-offline") : "";
  }

  // "3 of 7 answered": the server's list of answered questions, kept up to date after each save.
  var countEl = document.getElementById("answered-count");
  var answered = {};
  if (countEl) {
    (countEl.getAttribute("data-answered") || "").split(",").forEach(function (id) { if (id) { answered[id] = true; } });
  }

  function hasAnswer(form) {
    var inputs = form.querySelectorAll('[name="answer"], [name="answer-file"]');
    return Array.prototype.some.call(inputs, function (input) {
      if (input.type === "radio" || input.type === "checkbox") { return input.checked; }
      if (input.type === "file") { return input.files && input.files.length > 0; }
      return input.value.trim() !== "";
    });
  }

  function updateCount(form) {
    if (!countEl || !form) { return; }
    var versionId = form.getAttribute("data-key").split(":").pop();
    if (hasAnswer(form)) { answered[versionId] = true; } else { delete answered[versionId]; }
    countEl.textContent = countEl.getAttribute("data-template").replace("{done}", Object.keys(answered).length);
  }

  // --- submitting ------------------------------------------------------------------------------
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("#submit-form")) { return; }
    if (!pendingKeys().length && !failedFiles.length) { return; }  // htmx asks for confirmation as usual
    event.preventDefault();
    resend().then(function () {
      var warning = document.getElementById("submit-warning");
      if (pendingKeys().length || failedFiles.length) {
        if (warning) { warning.hidden = false; warning.textContent = form.getAttribute("data-unsaved"); }
        return;
      }
      if (warning) { warning.hidden = true; }
      if (window.confirm(event.detail.question)) { event.detail.issueRequest(true); }
    });
  });

  // Leaving for another question: send a typed answer now rather than after the pause.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".take-nav a, .question-jump a");
    if (!link) { return; }
    document.querySelectorAll("[data-answer-form]").forEach(function (form) {
      var key = PREFIX + form.getAttribute("data-key");
      var active = document.activeElement;
      if (active && form.contains(active) && (active.tagName === "TEXTAREA" || active.type === "text")) {
        keep(form);
        event.preventDefault();
        sendOne(key).then(function () { window.location.href = link.href; });
      }
    });
  });

  // --- the timer -------------------------------------------------------------------------------
  function startTimer() {
    var timer = document.getElementById("timer");
    if (!timer) { return; }
    var deadline = Date.parse(timer.getAttribute("data-deadline"));
    var serverNow = Date.parse(timer.getAttribute("data-now"));
    var offset = serverNow - Date.now();  // the server's clock is the one that counts
    var label = timer.getAttribute("data-label");
    var reloaded = false;
    function tick() {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      timer.textContent = label + ": " + minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      timer.classList.toggle("timer-low", left <= 60);
      if (left <= 0) {
        timer.textContent = timer.getAttribute("data-over");
        if (!reloaded) {
          reloaded = true;
          resend().then(function () { setTimeout(function () { window.location.reload(); }, 1500); });
        }
        return;
      }
      setTimeout(tick, 1000);
    }
    tick();
  }

  window.addEventListener("online", function () { connection(); resend(); });
  window.addEventListener("offline", connection);
  setInterval(resend, RETRY_MS);
  restore();
  connection();
  startTimer();
  resend();
})();
