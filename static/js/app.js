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
