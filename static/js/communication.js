// Announcement form: show only the audience fields that fit the chosen target.
// Loaded with `defer` on the form page; works again after htmx swaps the form (validation errors).
(function () {
  "use strict";

  function sync(form) {
    var select = form.querySelector('select[name="target_kind"]');
    if (!select) { return; }
    form.querySelectorAll("[data-target-field]").forEach(function (box) {
      var kinds = box.getAttribute("data-target-field").split(" ");
      box.hidden = kinds.indexOf(select.value) === -1;
    });
  }

  function init(root) {
    (root || document).querySelectorAll("form[data-announcement-form]").forEach(function (form) {
      sync(form);
      var select = form.querySelector('select[name="target_kind"]');
      if (select && !select.dataset.bound) {
        select.dataset.bound = "1";
        select.addEventListener("change", function () { sync(form); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function () { init(document); });
})();
