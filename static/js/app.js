// LMS page behaviour. Loaded with `defer`; no inline scripts anywhere (CSP).
(function () {
  "use strict";

  // Send the CSRF token with every htmx request (also set by hx-headers on <body>).
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });

  // Move focus to the first invalid field after a form fragment comes back with errors.
  document.addEventListener("htmx:afterSwap", function (event) {
    var invalid = event.detail.target.querySelector && event.detail.target.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  });

  // When a swap removes the element that had the focus (the form or button that was used is
  // re-rendered), put the focus at the start of the new content instead of letting it fall back
  // to the top of the page. An element with the same id keeps the focus (htmx restores it).
  var focusTargetId = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    focusTargetId = target && target.id && active && active !== document.body && target.contains(active)
      ? target.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var id = focusTargetId;
    focusTargetId = null;
    var active = document.activeElement;
    if (!id || (active && active !== document.body && document.contains(active))) { return; }
    var region = document.getElementById(id);
    if (!region) { return; }
    if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "-1"); }
    region.focus({preventScroll: true});
  });

  // Navigation dropdowns (<details class="dropdown">) work without JavaScript; this only closes
  // them on Escape (focus back on their summary), on a click elsewhere, and when another opens.
  function openDropdowns() {
    return Array.prototype.slice.call(document.querySelectorAll(".site-nav details.dropdown[open]"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    openDropdowns().forEach(function (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (summary && details.contains(document.activeElement)) { summary.focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    openDropdowns().forEach(function (details) {
      if (!details.contains(event.target)) { details.open = false; }
    });
  });
})();
