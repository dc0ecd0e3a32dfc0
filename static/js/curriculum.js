// Curriculum editing: drag and drop for the subject tree (units, parts, sections; parts and
// sections can be dropped into another unit / part) and for a section's resources.
// A drop posts the new place to the server (CSRF header from the meta tag), which answers the
// re-rendered fragment. The ↑/↓ buttons do the same from the keyboard (plain htmx).
// Loaded with `defer` on the subject and section-editor pages only; uses SortableJS (vendored).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // POST the drop through htmx (same swap, OOB messages and events as the buttons). When the
  // server refuses it, reload the fragment so the list shows the order that was kept.
  function post(url, params, target) {
    window.htmx.ajax("POST", url, {
      target: target,
      swap: "outerHTML",
      values: params,
      headers: {"X-CSRFToken": csrfToken()}
    }).then(function () {
      init();
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (!event.detail.failed || verb !== "post" || !target || !target.matches) { return; }
    if (target.matches("#subject-tree, #section-resources")) {
      window.htmx.ajax("GET", window.location.pathname, {target: "#" + target.id, select: "#" + target.id,
                                                        swap: "outerHTML"});
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

  // Keep the keyboard focus on the control that was used after the fragment is replaced: found
  // again by its id (after "Add …": the title box, ready for the next title), or in the tree
  // (whose buttons carry no ids, to keep it light) by the URL it posts to, preferring the same
  // hx-vals (↑ and ↓ share their URL).
  var focused = null;
  document.addEventListener("htmx:beforeRequest", function () {
    var active = document.activeElement;
    if (!active || active === document.body) { focused = null; return; }
    var addForm = active.closest ? active.closest("form.add-node") : null;
    var box = addForm ? addForm.querySelector("input[name=title][id]") : null;
    var owner = active.closest("[hx-post], [hx-get]") || active.form;
    focused = {
      id: box ? box.id : (active.id || null),
      url: owner ? (owner.getAttribute("hx-post") || owner.getAttribute("hx-get")) : null,
      vals: active.getAttribute("hx-vals")
    };
  });
  function findAgain(wanted) {
    var again = wanted.id ? document.getElementById(wanted.id) : null;
    if (again || !wanted.url) { return again; }
    var same = Array.prototype.filter.call(document.querySelectorAll("#subject-tree button"), function (button) {
      return (button.getAttribute("hx-post") || button.getAttribute("hx-get")) === wanted.url;
    });
    return same.filter(function (button) { return button.getAttribute("hx-vals") === wanted.vals; })[0] || same[0];
  }
  document.addEventListener("htmx:afterSettle", function () {
    init();
    if (focused) {
      var again = findAgain(focused);
      if (again && !again.disabled) { again.focus(); }
      focused = null;
    }
  });
  document.addEventListener("DOMContentLoaded", init);
})();
