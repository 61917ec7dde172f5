/* Badge Console: progressive enhancement only. Every page works without this file.
   Loaded with `defer` from base.html; no inline scripts anywhere (Content Security Policy). */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("has-js");

  // How many HTMX requests are in flight or still settling; browser tests wait for "0".
  var busy = 0;
  function setBusy(delta) {
    busy = Math.max(0, busy + delta);
    root.dataset.htmxBusy = String(busy);
  }
  root.dataset.htmxBusy = "0";

  function finished(xhr) {
    if (xhr && xhr.consoleBusy) {
      xhr.consoleBusy = false;
      setBusy(-1);
    }
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && !xhr.consoleBusy) {
      xhr.consoleBusy = true;
      setBusy(1);
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail && event.detail.xhr) {
      event.detail.xhr.consoleSwaps = Boolean(event.detail.shouldSwap);
    }
  });
  // A request that swaps nothing is done when it returns; one that swaps, once it has settled.
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && !xhr.consoleSwaps) {
      finished(xhr);
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    finished(event.detail && event.detail.xhr);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    var text = status === 403
      ? "You do not have permission to do that."
      : "Something went wrong (HTTP " + status + "). Reload the page and try again.";
    showProblem(text);
  });
  document.addEventListener("htmx:sendError", function () {
    showProblem("The console could not be reached. Check your connection and try again.");
  });

  function showProblem(text) {
    var region = document.getElementById("client-problem");
    if (!region) {
      return;
    }
    region.textContent = "";
    var alert = document.createElement("div");
    alert.className = "alert alert--error";
    alert.setAttribute("role", "alert");
    var p = document.createElement("p");
    p.textContent = text;
    alert.appendChild(p);
    region.appendChild(alert);
  }

  // After a region is swapped in, move focus to the element it asks for (keyboard users keep
  // their place), e.g. the first field with an error.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.elt;
    if (!target || !target.querySelector) {
      return;
    }
    var focus = target.querySelector("[data-focus-after-swap]");
    if (focus) {
      focus.focus();
    }
  });
})();

/* Badge builder: keep what htmx cannot know across a swap (which details were open), move focus
   to what a swapped region asks for, and focus the error summary after a refused publish. */
(function () {
  "use strict";

  var openDetails = {};
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details && details.dataset && details.dataset.rememberOpen) {
      openDetails[details.dataset.rememberOpen] = details.open;
    }
  }, true);

  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("details[data-remember-open]").forEach(function (details) {
      if (openDetails[details.dataset.rememberOpen]) {
        details.open = true;
      }
    });
    var focus = document.querySelector("#builder [data-focus-after-swap]");
    if (focus) {
      focus.removeAttribute("data-focus-after-swap");
      focus.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) {
      summary.focus();
    }
  });
})();
