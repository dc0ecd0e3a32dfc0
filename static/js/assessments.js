// Assessment editor: drag and drop to reorder questions (the ↑/↓ buttons do the same with
// htmx), and the question editor's type-specific fields shown for the chosen type. Editing in
// place needs nothing more: htmx swaps a row for its editor and back, and focuses the element
// marked `autofocus` in what it swapped in (the editor's first field, the saved row's Edit link).
// Loaded with `defer` on the assessment and question-editor pages only.
(function () {
  "use strict";

  function initQuestions() {
    var list = document.querySelector('[data-sortable="questions"]');
    if (!list || !window.Sortable || list.dataset.sortableReady) { return; }
    list.dataset.sortableReady = "1";
    window.Sortable.create(list, {
      handle: ".drag-handle",
      draggable: "> li",
      animation: 150,
      forceFallback: true,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) { return; }
        var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li"), function (li) {
          return li.getAttribute("data-id");
        });
        window.htmx.ajax("POST", list.getAttribute("data-order-url"), {
          target: "#questions", values: {question_id: ids}
        });
      }
    });
  }

  // Show only the fields of the chosen question type, in each editor (several may be open in
  // place in the question list).
  function showTypeFields(editor) {
    var select = editor.querySelector("[data-question-type]");
    if (!select) { return; }
    var type = select.value;
    editor.querySelectorAll("[data-for-types]").forEach(function (el) {
      var types = el.getAttribute("data-for-types").split(" ");
      el.hidden = types.indexOf(type) < 0;
    });
  }

  function showAllTypeFields() {
    document.querySelectorAll(".question-editor").forEach(showTypeFields);
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var editor = target.closest && target.closest(".question-editor");
    if (!editor) { return; }
    if (target.matches("[data-question-type]")) { showTypeFields(editor); }
    // A single-choice question has one correct option: untick the others when one is ticked.
    if (target.matches('.option-row input[name="correct"]') && target.checked) {
      var select = editor.querySelector("[data-question-type]");
      if (select && select.value === "SINGLE_CHOICE") {
        editor.querySelectorAll('.option-row input[name="correct"]').forEach(function (box) {
          if (box !== target) { box.checked = false; }
        });
      }
    }
  });

  // Moving, dragging or deleting a question answers the whole list: editors open in place (with
  // what was typed in them) are kept and put back where their question's row comes back.
  var openEditors = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var sender = event.detail.elt;  // an editor that saved a new question is done: not kept
    openEditors = target && target.id === "questions"
      ? Array.prototype.filter.call(target.querySelectorAll(".question-item.is-editing"), function (editor) {
        return !(sender && editor.contains(sender));
      }) : [];
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id !== "questions") { return; }  // not the out-of-band parts swapped before it
    openEditors.forEach(function (editor) {
      var row = document.getElementById(editor.id);
      // (Not by its class: until the swap settles htmx gives the new row the old one's attributes.)
      if (row && row !== editor && !row.querySelector(".question-editor")) {
        row.replaceWith(editor);
        window.htmx.process(editor);
      }
    });
    openEditors = [];
  });

  document.addEventListener("htmx:afterSettle", initQuestions);
  document.addEventListener("DOMContentLoaded", function () { initQuestions(); showAllTypeFields(); });
})();
