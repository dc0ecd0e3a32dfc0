// LMS page behaviour. Loaded with `defer`; no inline scripts anywhere (CSP).
(function () {
  "use strict";

  // Shared with the other scripts (loaded after this one) as window.lms.
  var lms = window.lms = window.lms || {};

  // The CSRF token from the page's meta tag: every htmx request sends it (below), and so must
  // every fetch() made by a page script.
  lms.csrfToken = function () {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  };
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = lms.csrfToken();
    // A polling element rendered with its version (data-poll-etag) asks "changed since?": the
    // server answers 304 when nothing changed, and htmx swaps nothing (responseHandling).
    var etag = event.detail.elt && event.detail.elt.getAttribute && event.detail.elt.getAttribute("data-poll-etag");
    if (etag && /^[0-9a-f]+$/.test(etag)) { event.detail.headers["If-None-Match"] = '"' + etag + '"'; }
  });

  // When something changed, a poll's answer replaces the whole element: a polling element marked
  // data-poll-waits-for-drafts does not ask while the reader has unsent text in it (a comment, a
  // report), so their text is never lost; the next poll after it is sent or cleared asks again.
  function holdsDraft(element) {
    return Array.prototype.some.call(element.querySelectorAll("textarea, input[type=text]"), function (field) {
      return field.value.trim() !== "";
    });
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.hasAttribute && element.hasAttribute("data-poll-waits-for-drafts") && holdsDraft(element)) {
      event.preventDefault();
    }
  });

  // A fragment fetched without htmx (fetch) may carry out-of-band parts, as every htmx fragment
  // does (the message region): put them in place and return the rest of the fragment.
  lms.swapOutOfBand = function (html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.querySelectorAll("[hx-swap-oob]").forEach(function (part) {
      var target = part.id ? document.getElementById(part.id) : null;
      var style = part.getAttribute("hx-swap-oob");
      part.remove();
      if (!target) { return; }
      part.removeAttribute("hx-swap-oob");
      if (style === "innerHTML") { target.innerHTML = part.innerHTML; } else { target.replaceWith(part); }
    });
    return template.innerHTML;
  };

  // Move focus to the first invalid field after a form fragment comes back with errors.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;  // none when the Back button restores a page from the server
    var invalid = target && target.querySelector && target.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
  });

  // A file chosen in a form that comes back with an error stays chosen: the browser cannot fill a
  // file input from the server's answer, so the new input gets the files of the old one.
  var chosenFiles = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    chosenFiles = {};
    var target = event.detail.target;
    if (!target || !target.querySelectorAll) { return; }
    Array.prototype.forEach.call(target.querySelectorAll("input[type=file][id]"), function (input) {
      if (input.files && input.files.length) { chosenFiles[input.id] = input.files; }
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(chosenFiles).forEach(function (id) {
      var input = document.getElementById(id);
      if (input && input.type === "file" && !input.files.length) {
        try { input.files = chosenFiles[id]; } catch (err) { /* an old browser: the user chooses again */ }
      }
    });
    chosenFiles = {};
  });

  // After a swap the focus goes back to the control that was used, found again in the new
  // content: by its id; after a form's button, the form's text box (to type the next entry);
  // else a button posting to the same URL (with the same hx-vals if there is one: ↑ and ↓ share
  // their URL). If none is found it goes to the start of the new content, not the top of the page.
  var focusWanted = null;
  function urlOf(element) {
    var owner = element.closest("[hx-post], [hx-get]") || element.form;
    return owner ? (owner.getAttribute("hx-post") || owner.getAttribute("hx-get")) : null;
  }
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var active = document.activeElement;
    if (!target || !target.id || !active || active === document.body || !target.contains(active)) {
      focusWanted = null;
      return;
    }
    var box = active.form && active.type === "submit"
      ? active.form.querySelector("input[id]:not([type=hidden]), textarea[id]") : null;
    focusWanted = {region: target.id, id: active.id || (box && box.id) || null, url: urlOf(active),
                   vals: active.getAttribute("hx-vals")};
  });
  function findAgain(wanted, region) {
    var again = wanted.id ? document.getElementById(wanted.id) : null;
    if (again || !wanted.url) { return again; }
    var same = Array.prototype.filter.call(region.querySelectorAll("button, input, a"), function (element) {
      return (element.getAttribute("hx-post") || element.getAttribute("hx-get")) === wanted.url;
    });
    return same.filter(function (element) { return element.getAttribute("hx-vals") === wanted.vals; })[0] || same[0];
  }
  document.addEventListener("htmx:afterSettle", function () {
    var wanted = focusWanted;
    focusWanted = null;
    var active = document.activeElement;
    if (!wanted || (active && active !== document.body && document.contains(active))) { return; }
    var region = document.getElementById(wanted.region);
    if (!region) { return; }
    var again = findAgain(wanted, region);
    if (again && !again.disabled) {
      again.focus();
    } else {
      if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "-1"); }
      region.focus({preventScroll: true});
    }
  });

  // A table wider than the screen scrolls inside its .table-scroll box (a Markdown table or code
  // block inside its own box). Keyboard users can only scroll it if the box can take the focus, and
  // a focusable box needs a name: while it overflows it becomes a labelled region (named by the
  // table's caption or the heading it comes under); a table keeps its role and only gets the name.
  var scrollId = 0;
  function scrollLabel(box) {
    var caption = box.querySelector("caption");
    if (caption) { return caption; }
    var container = box.closest("section, article, details, main") || document.body;
    var headings = container.querySelectorAll("h1, h2, h3, h4, h5, h6, summary");
    var found = null;
    Array.prototype.forEach.call(headings, function (heading) {
      if (heading.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING) { found = heading; }
    });
    return found || document.querySelector("main h1");
  }
  function updateScrollBoxes() {
    document.querySelectorAll(".table-scroll, .user-content table, .user-content pre").forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        var label = scrollLabel(box);
        if (!label) { return; }
        if (!label.id) { label.id = "scroll-label-" + (++scrollId); }
        // A region (landmark) unless the section around it already is one with that name.
        var named = box.parentElement && box.parentElement.closest('[aria-labelledby~="' + label.id + '"]');
        box.setAttribute("tabindex", "0");
        if (box.tagName !== "TABLE") { box.setAttribute("role", named ? "group" : "region"); }
        box.setAttribute("aria-labelledby", label.id);
        box.setAttribute("data-scroll-region", "");
      } else if (!overflows && box.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-labelledby", "data-scroll-region"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }
  var scrollTimer = null;
  function updateScrollBoxesSoon() {
    window.clearTimeout(scrollTimer);
    scrollTimer = window.setTimeout(updateScrollBoxes, 100);
  }
  document.addEventListener("DOMContentLoaded", updateScrollBoxes);
  document.addEventListener("htmx:afterSettle", updateScrollBoxes);
  document.addEventListener("toggle", updateScrollBoxes, true);  // a <details> opened or closed
  window.addEventListener("resize", updateScrollBoxesSoon);

  // The header's theme toggle (lms.auth.appearance) answers with an "lms:theme" event: the page takes
  // the chosen theme at once ("system": no attribute, the device decides), and the profile page's
  // form shows the same choice.
  document.addEventListener("lms:theme", function (event) {
    var theme = (event.detail && event.detail.value) || "system";
    if (theme === "light" || theme === "dark") {
      document.documentElement.setAttribute("data-theme", theme);
    } else {
      document.documentElement.removeAttribute("data-theme");
    }
    var scheme = document.querySelector('meta[name="color-scheme"]');
    if (scheme) { scheme.content = theme === "light" || theme === "dark" ? theme : "light dark"; }
    document.querySelectorAll('#theme-form input[name="theme"]').forEach(function (radio) {
      radio.checked = radio.value.toLowerCase() === theme;
    });
  });

  // Navigation dropdowns (<details class="dropdown">) work without JavaScript; this only closes
  // them on Escape (focus back on their summary), on a click elsewhere, and when another opens.
  function openDropdowns() {
    return Array.prototype.slice.call(document.querySelectorAll(".site-nav details.dropdown[open]"));
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    openDropdowns().forEach(function (details) {
      details.open = false;
      var summary = details.querySelector("summary");
      if (summary && details.contains(document.activeElement)) { summary.focus(); }
    });
  });
  document.addEventListener("click", function (event) {
    openDropdowns().forEach(function (details) {
      if (!details.contains(event.target)) { details.open = false; }
    });
  });
})();
