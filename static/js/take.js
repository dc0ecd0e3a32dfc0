// Taking an assessment: every answer is saved by htmx as it changes (hx-post per question).
// This script makes sure nothing typed is lost on a phone:
//  * before each save the answer is copied to localStorage; the copy is removed only when the
//    server confirms it (so a closed tab or a dead battery keeps it on the device). Copies are
//    kept per tab (localStorage is shared by the tabs): a tab re-sends its own copies, and those
//    of a tab that is gone (no heartbeat), each with the revision it was typed on;
//  * a save that fails (no network, server error) is marked "Not saved — retrying" and is
//    re-sent on the `online` event and every few seconds, from any page of the attempt;
//  * on load, answers kept on the device and not yet confirmed are put back into the form
//    and sent again;
//  * each form carries the revision of the answer it shows; every save answers the new one. A save
//    refused because another tab changed the answer (409, data-state="conflict") puts the newer
//    answer into the form and keeps the refused text in a box to copy;
//  * a tab's saves of one answer never overlap (a re-send waits for the htmx save and the other
//    way round), so a tab cannot be "stale" against itself;
//  * submitting waits until every answer is saved (else it says so), and stops when a re-sent
//    answer was refused because another tab changed it;
//  * the timer counts down to the server's deadline (so it survives reloads); at zero the page
//    reloads and the server submits the attempt.
// Loaded with `defer` on the take page only (no inline scripts: CSP).
(function () {
  "use strict";

  var PREFIX = "lms-answer:";   // lms-answer:<submission>:<version>|<tab>
  var TABS = "lms-tab:";        // lms-tab:<tab> -> the tab's last heartbeat (ms)
  var RETRY_MS = 4000;
  // A tab without a heartbeat for this long is gone (a closed tab removes its heartbeat at once;
  // this is for a crash). Above a minute: browsers run a hidden tab's timers once a minute.
  var GONE_MS = 180000;
  var TAB = Math.random().toString(36).slice(2, 10) + Date.now().toString(36);
  var page = document.getElementById("take");
  if (!page) { return; }
  var submissionId = page.getAttribute("data-submission");

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

  function keyOf(form) {
    return PREFIX + form.getAttribute("data-key") + "|" + TAB;
  }

  function formKeyOf(key) {
    return key.slice(PREFIX.length).split("|")[0];
  }

  function ownerOf(key) {
    return key.split("|")[1] || "";
  }

  function keep(form) {
    var store = storage();
    if (!store || form.getAttribute("data-type") === "FILE_UPLOAD") { return; }
    var entry = {url: form.getAttribute("hx-post"), fields: fieldsOf(form), t: Date.now()};
    store.setItem(keyOf(form), JSON.stringify(entry));
    return entry;
  }

  // --- tabs ------------------------------------------------------------------------------------
  function heartbeat() {
    var store = storage();
    if (!store) { return; }
    try { store.setItem(TABS + TAB, String(Date.now())); } catch (e) { /* storage full: copies still work */ }
  }

  function alive(owner) {
    if (owner === TAB) { return true; }
    var store = storage();
    var beat = owner && store ? Number(store.getItem(TABS + owner)) : 0;
    return beat > 0 && Date.now() - beat < GONE_MS;
  }

  // This tab's copies not yet confirmed, and those of tabs that are gone (oldest first).
  function pendingKeys() {
    var store = storage();
    var keys = [];
    if (!store) { return keys; }
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX + submissionId + ":") === 0 && (ownerOf(key) === TAB || !alive(ownerOf(key)))) {
        keys.push(key);
      }
    }
    function time(key) {
      try { return JSON.parse(store.getItem(key)).t || 0; } catch (e) { return 0; }
    }
    return keys.sort(function (a, b) { return time(a) - time(b); });
  }

  function stateOf(key) {
    var versionId = formKeyOf(key).split(":").pop();
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

  function formOf(key) {
    return document.querySelector('[data-answer-form][data-key="' + formKeyOf(key) + '"]');
  }

  function setValues(form, values) {
    form.querySelectorAll('[name="answer"]').forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) >= 0;
      } else if (input.tagName === "SELECT") {  // a matching question: one drop-down per item
        var picked = Array.prototype.filter.call(input.options, function (option) {
          return option.value && values.indexOf(option.value) >= 0;
        });
        input.value = picked.length ? picked[0].value : "";
      } else if (input.type !== "file") {
        input.value = values.length ? values[0] : "";
      }
    });
  }

  // --- revisions and answers changed in another tab ---------------------------------------------
  var conflicts = 0;

  // The server's reply is in the form's state element: take its revision; on a conflict put the
  // newer answer into the form and move the box with both texts below the state (where the next
  // "Saving…" does not wipe it). Returns the reply's state ("saved", "conflict", "closed", ...).
  function afterSave(form, stateEl) {
    if (!form || !stateEl) { return ""; }
    var reply = stateEl.querySelector("[data-state]");
    if (!reply) { return ""; }
    var revision = reply.getAttribute("data-revision");
    var field = form.querySelector('input[name="revision"]');
    if (revision && field) { field.value = revision; }
    if (reply.getAttribute("data-state") === "conflict") {
      conflicts += 1;
      var values = [];
      try { values = JSON.parse(reply.getAttribute("data-values") || "[]"); } catch (e) { values = []; }
      setValues(form, values);
      var old = form.querySelector(".answer-conflict");
      if (old && old !== reply) { old.remove(); }
      stateEl.after(reply);
      stateEl.textContent = "";
      stateEl.className = "save-state";
      updateCount(form);
    }
    return reply.getAttribute("data-state");
  }

  // A tab's saves of one answer go one at a time: wait for the htmx save in flight, if any.
  function idle(form) {
    if (!form || !form.classList.contains("htmx-request")) { return Promise.resolve(); }
    return new Promise(function (resolve) {
      var done = false;
      function finish() { if (!done) { done = true; resolve(); } }
      form.addEventListener("htmx:afterRequest", function () { setTimeout(finish, 0); }, {once: true});
      setTimeout(finish, 15000);
    });
  }

  var failedFiles = [];

  // --- htmx saves -------------------------------------------------------------------------
  // ... and the other way round: an htmx save waits for a re-send of the same answer in flight.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-answer-form]") || !form._lmsSending) { return; }
    event.preventDefault();
    form._lmsSending.then(function () { event.detail.issueRequest(true); });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-answer-form]")) { return; }
    form._lmsSent = JSON.stringify(fieldsOf(form));
    keep(form);
    showState(keyOf(form), labels.saving, "saving");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("[data-answer-form]")) { return; }
    var key = keyOf(form);
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (event.detail.successful) {
      confirmSaved(key, form._lmsSent);
      afterSave(form, stateOf(key));
      updateCount(form);
    } else if (status >= 400 && status < 500) {
      var store = storage();
      if (store) { store.removeItem(key); }  // refused for good (time up, bad answer, another tab): the page says why
      if (afterSave(form, stateOf(key)) === "closed") { setTimeout(function () { window.location.reload(); }, 2500); }
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
    var form = formOf(key);
    if (form && form._lmsSending) { return form._lmsSending; }
    var job = idle(form).then(function () { return post(key, form); });
    if (form) {
      form._lmsSending = job.then(function () { form._lmsSending = null; });
    }
    return job;
  }

  function post(key, form) {
    var store = storage();
    var raw = store && store.getItem(key);
    if (!raw) { return Promise.resolve(); }
    var entry = JSON.parse(raw);
    var body = new URLSearchParams();
    // This tab's copy goes with the revision the tab knows now (its own saves raise it); a copy
    // left by a tab that is gone, with the revision it was typed on.
    var field = ownerOf(key) === TAB && form ? form.querySelector('input[name="revision"]') : null;
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[0] === "revision" && field ? field.value : pair[1]);
    });
    showState(key, labels.saving, "saving");
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": window.lms.csrfToken(), "HX-Request": "true"}
    }).then(function (response) {
      return response.text().then(function (text) {
        var html = window.lms.swapOutOfBand(text);
        if (response.ok) {
          confirmSaved(key, JSON.stringify(entry.fields));
          if (form && ownerOf(key) !== TAB) {  // a closed tab's copy is now the answer: show it here
            setValues(form, entry.fields.filter(function (p) { return p[0] === "answer"; })
              .map(function (p) { return p[1]; }));
          }
          var el = stateOf(key);
          if (el) { el.innerHTML = html; el.className = "save-state"; }
          afterSave(form, el);
          updateCount(form);
        } else if (response.status >= 400 && response.status < 500) {
          store.removeItem(key);
          var target = stateOf(key);
          if (target) { target.innerHTML = html; target.className = "save-state"; }
          if (afterSave(form, target) === "closed") { setTimeout(function () { window.location.reload(); }, 2500); }
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
      var form = formOf(key);
      if (!form) { return; }
      var entry;
      try { entry = JSON.parse(storage().getItem(key)); } catch (e) { return; }
      var values = entry.fields.filter(function (p) { return p[0] === "answer"; }).map(function (p) { return p[1]; });
      setValues(form, values);
      // The copy was typed on the revision it was kept with: if another tab changed the answer
      // since, the server refuses it and both texts are shown.
      var revision = entry.fields.filter(function (p) { return p[0] === "revision"; });
      var field = form.querySelector('input[name="revision"]');
      if (revision.length && field) { field.value = revision[0][1]; }
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
    var before = conflicts;
    resend().then(function () {
      var warning = document.getElementById("submit-warning");
      if (pendingKeys().length || failedFiles.length) {
        if (warning) { warning.hidden = false; warning.textContent = form.getAttribute("data-unsaved"); }
        return;
      }
      if (conflicts > before) {  // an answer kept here was changed in another tab: look first
        if (warning) { warning.hidden = false; warning.textContent = form.getAttribute("data-conflict"); }
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
      var key = keyOf(form);
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

  // Heartbeats of tabs closed long ago are removed (their copies are re-sent by the next tab).
  (function forgetOldTabs() {
    var store = storage();
    if (!store) { return; }
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(TABS) === 0 && Date.now() - Number(store.getItem(key)) > GONE_MS) {
        store.removeItem(key);
      }
    }
  })();
  heartbeat();
  setInterval(heartbeat, RETRY_MS);
  window.addEventListener("pagehide", function () {
    var store = storage();
    if (store) { store.removeItem(TABS + TAB); }
  });
  window.addEventListener("online", function () { connection(); resend(); });
  window.addEventListener("offline", connection);
  setInterval(resend, RETRY_MS);
  // --- number answers ----------------------------------------------------------------------------
  // Says "enter a number" while typing (the server refuses the same answers: "six", "1/2", "nan").
  function isNumber(text) {
    var t = (text.normalize ? text.normalize("NFKC") : text).replace(/\s+/g, "");
    if (t.split(",").length === 2 && t.indexOf(".") < 0) { t = t.replace(",", "."); }
    t = t.replace(/,/g, "");
    return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t) && isFinite(Number(t));
  }

  function checkNumber(input) {
    var hint = document.getElementById(input.getAttribute("aria-describedby"));
    var wrong = input.value.trim() !== "" && !isNumber(input.value);
    input.setAttribute("aria-invalid", wrong ? "true" : "false");
    if (hint) { hint.textContent = wrong ? input.getAttribute("data-number-message") : ""; hint.hidden = !wrong; }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-number-message]")) { checkNumber(event.target); }
  });

  restore();
  connection();
  startTimer();
  resend();
  document.querySelectorAll("input[data-number-message]").forEach(checkNumber);
})();
