// htmx sends the CSRF token with its non-GET requests as the X-CSRFToken header: from <meta name="csrf-token">
// (pages for signed-in users, or pages that set needs_csrf), else from the csrf_token field of the form the
// request comes from. Pages without either make no token, so a first-time visitor gets no session for one.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb === "get" || detail.headers["X-CSRFToken"]) { return; }
    var meta = document.querySelector('meta[name="csrf-token"]');
    var token = meta ? meta.getAttribute("content") : null;
    if (!token) {
      var elt = detail.elt;
      var form = elt ? (elt.form || (elt.closest ? elt.closest("form") : null)) : null;
      var field = form ? form.querySelector('input[name="csrf_token"]') : null;
      token = field ? field.value : null;
    }
    if (token) { detail.headers["X-CSRFToken"] = token; }
  });
})();
