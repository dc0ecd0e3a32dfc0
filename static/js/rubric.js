// Grading with a rubric: when a level is chosen, show the rubric's score and put the points it
// gives (scaled to the question's points) into the question's points field.  Without JS the
// server computes the same when the form is saved.
(function () {
  "use strict";

  function plain(value) {
    return String(Math.round(value * 100) / 100);
  }

  function update(box) {
    var groups = {}, earned = 0, complete = true;
    box.querySelectorAll("input[type=radio][data-points]").forEach(function (radio) {
      groups[radio.name] = groups[radio.name] || false;
      if (radio.checked) { groups[radio.name] = true; earned += parseFloat(radio.dataset.points) || 0; }
    });
    Object.keys(groups).forEach(function (name) { if (!groups[name]) { complete = false; } });
    if (!complete) { return; }
    var max = parseFloat(box.dataset.rubricMax) || 0, question = parseFloat(box.dataset.questionPoints) || 0;
    var points = max > 0 ? Math.min(Math.round(earned / max * question * 100) / 100, question) : 0;
    var output = box.querySelector("[data-rubric-score]");
    if (output) {
      output.textContent = box.dataset.scoreFormat.replace("{earned}", plain(earned)).replace("{max}", plain(max))
        .replace("{points}", plain(points)).replace("{question}", plain(question));
    }
    var row = box.closest(".grade-question");
    var field = row && row.querySelector('input[name="points"], input[name^="points-"]');
    if (field) { field.value = plain(points); }
  }

  document.addEventListener("change", function (event) {
    var box = event.target.closest && event.target.closest("[data-rubric]");
    if (box && event.target.type === "radio") { update(box); }
  });
})();
