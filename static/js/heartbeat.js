// Login-session heartbeat. Loaded with `defer` on every page of a signed-in user.
// While the tab is visible it sends POST <data-url> every N seconds (N = the meta tag's content),
// and once as soon as the tab becomes visible again. Pages of all tabs share the last ping time
// (localStorage), so navigating between pages does not delay or multiply the pings.
// A 401 answer means the login session has ended: go to the sign-in page.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="lms-heartbeat"]');
  if (!meta || !meta.dataset.url || !window.fetch) { return; }
  var seconds = parseInt(meta.content, 10);
  if (!(seconds >= 5)) { seconds = 60; }
  var interval = seconds * 1000;
  var url = meta.dataset.url;
  var loginUrl = meta.dataset.loginUrl || "/auth/login";
  var storageKey = "lms-heartbeat-last";
  var timer = null;
  var inFlight = false;

  function lastPing() {
    try { return parseInt(window.localStorage.getItem(storageKey), 10) || 0; } catch (e) { return 0; }
  }

  function rememberPing(when) {
    try { window.localStorage.setItem(storageKey, String(when)); } catch (e) { /* private mode */ }
  }

  function goToLogin() {
    var next = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(next));
  }

  function ping() {
    if (inFlight) { return; }
    inFlight = true;
    rememberPing(Date.now());
    window.fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": window.lms.csrfToken(), "X-Requested-With": "fetch" },
      cache: "no-store"
    }).then(function (response) {
      inFlight = false;
      if (response.status === 401) { goToLogin(); }
    }).catch(function () {
      inFlight = false; // offline for a moment: the next beat tries again
    });
  }

  function schedule() {
    window.clearTimeout(timer);
    var wait = Math.max(0, lastPing() + interval - Date.now());
    timer = window.setTimeout(beat, Math.min(wait, interval));
  }

  function beat() {
    if (document.visibilityState === "visible" && Date.now() - lastPing() >= interval - 1000) {
      ping();
    }
    schedule();
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      ping();
      schedule();
    } else {
      window.clearTimeout(timer);
    }
  });

  if (document.visibilityState === "visible") { beat(); }
})();
