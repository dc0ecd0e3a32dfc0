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
})();
