// Streams: the list refreshes itself every 30 s (htmx polling with If-None-Match; a 304 changes
// nothing).  When something changed, the new list replaces the old one, so a poll waits while the
// reader is writing in the list (a comment or a report not yet sent): their text is never lost.
(function () {
  "use strict";

  function writing(list) {
    return Array.prototype.some.call(list.querySelectorAll("textarea, input[type=text]"), function (field) {
      return field.value.trim() !== "";
    });
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var list = event.detail && event.detail.elt;
    if (list && list.id === "stream-posts" && writing(list)) {
      event.preventDefault();
    }
  });
})();
