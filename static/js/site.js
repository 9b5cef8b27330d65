// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Live character counters for textareas with a maximum length.
  function setUpCounter(counter) {
    var field = document.getElementById(counter.getAttribute("data-counter-for"));
    var max = parseInt(counter.getAttribute("data-max"), 10);
    if (!field || !max) { return; }
    var timer = null;
    function update() {
      var left = max - field.value.length;
      counter.textContent = left >= 0
        ? left.toLocaleString("en-GB") + " characters left"
        : (-left).toLocaleString("en-GB") + " characters too many";
      counter.classList.toggle("counter--over", left < 0);
    }
    update();
    // Announce the count a moment after typing stops, not on every key.
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 400);
    });
  }

  // Put focus on an error summary so screen-reader users hear what went wrong.
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }

  // A disclosure that is a sidebar on wide screens (the library's filters) starts open
  // there; on small screens it stays closed so that what it filters comes first.
  function openWhereThereIsRoom(details) {
    if (window.matchMedia("(min-width: " + details.getAttribute("data-open-from") + ")").matches) {
      details.open = true;
    }
  }

  // A form that does what cannot be undone (giving up an event place, removing someone's
  // seat) asks first. Without this file it submits at once, as any form does.
  function confirmBeforeSubmit(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  }

  // A button that prints the page (the recovery codes). It starts hidden, as it does
  // nothing without this file; the print stylesheet leaves it off the paper.
  function printOnClick(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-confirm]").forEach(confirmBeforeSubmit);
    document.querySelectorAll("[data-counter-for]").forEach(setUpCounter);
    document.querySelectorAll("details[data-open-from]").forEach(openWhereThereIsRoom);
    document.querySelectorAll("button[data-print]").forEach(printOnClick);
    focusErrorSummary();
  });
})();
