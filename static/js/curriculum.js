// Curriculum editing: drag and drop for the subject tree (units, parts, sections; parts and
// sections can be dropped into another unit / part) and for a section's resources.
// A drop posts the new place to the server (htmx.ajax: app.js adds the CSRF header), which answers the
// re-rendered fragment. The ↑/↓ buttons do the same from the keyboard (plain htmx).
// Loaded with `defer` on the subject and section-editor pages only; uses SortableJS (vendored).
(function () {
  "use strict";

  // POST the drop through htmx (same swap, OOB messages and events as the buttons). When the
  // server refuses it, reload the fragment so the list shows the order that was kept.
  function post(url, params, target) {
    window.htmx.ajax("POST", url, {
      target: target,
      values: params
    }).then(function () {
      init();
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (!event.detail.failed || verb !== "post" || !target || !target.matches) { return; }
    if (target.matches("#subject-tree, #section-resources")) {
      window.htmx.ajax("GET", window.location.pathname, {target: "#" + target.id, select: "#" + target.id});
    }
  });

  function initTree(list) {
    var kinds = list.getAttribute("data-sortable");
    window.Sortable.create(list, {
      group: {name: kinds, pull: kinds !== "units", put: kinds !== "units"},
      handle: ".drag-handle",
      draggable: "> li",
      animation: 150,
      fallbackOnBody: true,
      forceFallback: true,
      swapThreshold: 0.65,
      onEnd: function (event) {
        if (event.from === event.to && event.oldIndex === event.newIndex) { return; }
        var item = event.item;
        // The drop goes to the same URL as the item's own ↑ button.
        var up = item.querySelector(":scope > .node-row .move-up");
        post(up.getAttribute("hx-post"), {
          parent_id: event.to.getAttribute("data-parent-id"),
          index: event.newIndex
        }, "#subject-tree");
      }
    });
  }

  function initResources(list) {
    window.Sortable.create(list, {
      handle: ".drag-handle",
      draggable: "> li",
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) { return; }
        var ids = Array.prototype.map.call(list.querySelectorAll(":scope > li"), function (li) {
          return li.getAttribute("data-id");
        });
        post(list.getAttribute("data-order-url"), {resource_id: ids}, "#section-resources");
      }
    });
  }

  function init() {
    if (!window.Sortable) { return; }
    document.querySelectorAll("[data-sortable]").forEach(function (list) {
      if (list.hasAttribute("data-sortable-ready")) { return; }
      list.setAttribute("data-sortable-ready", "");
      if (list.getAttribute("data-sortable") === "resources") {
        initResources(list);
      } else {
        initTree(list);
      }
    });
  }

  document.addEventListener("htmx:afterSettle", init);
  document.addEventListener("DOMContentLoaded", init);
})();
