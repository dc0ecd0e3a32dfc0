// Accounts pages: "Copy" buttons next to invitation links.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy-target]") : null;
    if (!button) { return; }
    var input = document.querySelector(button.getAttribute("data-copy-target"));
    if (!input) { return; }
    var done = function () {
      button.textContent = button.getAttribute("data-copied-label") || "Copied";
    };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (document.execCommand("copy")) { done(); }
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  });
})();
