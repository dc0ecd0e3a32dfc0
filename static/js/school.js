// School pages: the year-end rollover wizard (counts of repeaters, tick all / untick all).
// Loaded with `defer` only on the rollover page; the page works without it.
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
