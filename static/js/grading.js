// Grading one question across the class: J or Alt+→ shows the next answer, K or Alt+← the
// previous one (J/K only outside the form fields); Enter in the points field submits the form,
// whose first button is "Save and next". After each swap the points field gets the focus.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                      target.tagName === "SELECT" || target.isContentEditable);
  }

  function go(which) {
    var link = document.querySelector('#question-grading [data-key="' + which + '"]');
    if (link) { link.click(); }
    return Boolean(link);
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("question-grading") || event.ctrlKey || event.metaKey) { return; }
    var which = null;
    if (event.altKey && event.key === "ArrowRight") { which = "next"; }
    else if (event.altKey && event.key === "ArrowLeft") { which = "previous"; }
    else if (!event.altKey && !event.shiftKey && !typing(event.target)) {
      if (event.key === "j" || event.key === "J") { which = "next"; }
      if (event.key === "k" || event.key === "K") { which = "previous"; }
    }
    if (which && go(which)) { event.preventDefault(); }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "question-grading") { return; }
    var points = document.getElementById("answer-points");
    if (points) { points.focus(); points.select(); }
  });
})();

// Grading queue: the "select all" box ticks every graded submission's box on the page (hidden
// without JS: tick them one by one).
(function () {
  "use strict";

  function reveal() {
    document.querySelectorAll("[data-return-toggle]").forEach(function (box) { box.hidden = false; });
  }
  document.addEventListener("change", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-return-toggle]");
    if (!toggle || !toggle.form) { return; }
    toggle.form.querySelectorAll('input[name="submission"]').forEach(function (box) { box.checked = toggle.checked; });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
  document.addEventListener("htmx:afterSwap", reveal);
})();
