// School pages: the year-end rollover wizard (counts of repeaters, tick all / untick all).
// Loaded with `defer` on the rollover page and the students list; the pages work without it.
(function () {
  "use strict";

  function update(root) {
    var total = 0;
    root.querySelectorAll("[data-rollover-classroom]").forEach(function (room) {
      var boxes = room.querySelectorAll('input[name="promote"]');
      var repeating = 0;
      boxes.forEach(function (box) { if (!box.checked) { repeating += 1; } });
      total += repeating;
      var badge = room.querySelector("[data-rollover-repeating]");
      if (badge) {
        badge.textContent = repeating ? String(repeating) + " ↺" : "";
        badge.hidden = repeating === 0;
      }
      var tools = room.querySelector(".rollover-tools");
      if (tools) { tools.hidden = false; }
    });
    var line = root.querySelector("[data-rollover-total]");
    if (line && line.dataset.template) {
      line.textContent = line.dataset.template.replace("%(num)s", String(total));
    }
  }

  function init() {
    var form = document.getElementById("rollover-form");
    if (!form) { return; }
    update(form);
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "promote") { update(form); }
    });
    form.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-tick]") : null;
      if (!button) { return; }
      var room = button.closest("[data-rollover-classroom]");
      var value = button.getAttribute("data-tick") === "all";
      room.querySelectorAll('input[name="promote"]').forEach(function (box) { box.checked = value; });
      update(form);
    });
  }

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", function () {
    var form = document.getElementById("rollover-form");
    if (form) { update(form); }
  });
})();

// Students list: "select all on this page" ticks every row's box (without JS the
// "all on this page" choice under the table does the same).
(function () {
  "use strict";

  function reveal() {
    document.querySelectorAll("[data-bulk-toggle]").forEach(function (box) { box.hidden = false; });
  }
  document.addEventListener("change", function (event) {
    var toggle = event.target.closest && event.target.closest("[data-bulk-toggle]");
    if (!toggle || !toggle.form) { return; }
    toggle.form.querySelectorAll('input[name="student_id"]').forEach(function (box) { box.checked = toggle.checked; });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
  document.addEventListener("htmx:afterSwap", reveal);
})();
