// The admin's own widgets, named for assistive technology where Django leaves them
// unnamed: the two-list picker (filter_horizontal) and the autocomplete (select2); and
// tables of related rows that scroll sideways on a phone, reachable from the keyboard.
// The pickers are built by Django's scripts after the page loads, and select2 rebuilds
// parts of itself on every change, so their names are given again whenever nodes are
// added (giving them again changes nothing). Without this file the admin works; only
// what a screen reader or a keyboard gets differs.
(function () {
  "use strict";

  // The label Django wrote for a form field, with an id so other elements can point at it.
  function labelFor(field) {
    if (!field || !field.id) { return null; }
    var label = document.querySelector('label[for="' + field.id + '"]');
    if (label && !label.id) { label.id = field.id + "-label"; }
    return label;
  }

  // The <select> a select2 widget stands for: select2 puts its box right after it, and
  // its drop-down (elsewhere in the page) controls a list named after the select's id.
  function selectOf(element) {
    var box = element.closest(".select2-container");
    if (box && box.previousElementSibling && box.previousElementSibling.tagName === "SELECT") {
      return box.previousElementSibling;
    }
    var controls = element.getAttribute("aria-controls") || "";
    var match = /^select2-(.+)-results$/.exec(controls);
    return match ? document.getElementById(match[1]) : null;
  }

  function nameTwoListPicker() {
    // The filter boxes' labels hold only an icon, a span with an aria-label, which a
    // span without a role may not carry: as an image, it names the box it labels.
    document.querySelectorAll(".selector .search-label-icon[aria-label]:not([role])")
      .forEach(function (icon) { icon.setAttribute("role", "img"); });
  }

  function nameAutocompletes() {
    // Open, a box says which list of choices it controls: select2 says only that it
    // owns it, which a combobox may not leave at.
    document.querySelectorAll(".select2-selection[aria-owns]").forEach(function (box) {
      box.setAttribute("aria-controls", box.getAttribute("aria-owns"));
    });
    // The box of a single choice is named by the chosen value alone (nothing when
    // empty): the field's label comes first. Its value is shown as text, not as a
    // read-only text box without a name.
    document.querySelectorAll(".select2-selection--single[role=combobox]").forEach(function (box) {
      var rendered = box.querySelector(".select2-selection__rendered");
      var label = labelFor(selectOf(box));
      if (!label || !rendered) { return; }
      rendered.removeAttribute("role");
      rendered.removeAttribute("aria-readonly");
      box.setAttribute("aria-labelledby", label.id + " " + rendered.id);
    });
    // The search boxes, in a list of several choices and in the drop-down of one.
    document.querySelectorAll(".select2-search__field:not([aria-labelledby])").forEach(function (search) {
      var label = labelFor(selectOf(search));
      if (label) { search.setAttribute("aria-labelledby", label.id); }
    });
    // The "remove all" cross sits among the chosen items of a list of several: a list
    // holds list items only, so it goes into one of its own.
    document.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear").forEach(function (cross) {
      var item = document.createElement("li");
      item.className = "select2-selection__clear-item";
      cross.parentNode.insertBefore(item, cross);
      item.appendChild(cross);
    });
  }

  // On a phone a table of related rows (an organisation's invitations, a dataset's
  // versions) scrolls sideways. One with nothing to focus in it could not be scrolled
  // from the keyboard: it becomes a named region that takes focus.
  function letScrollingTablesBeReached() {
    document.querySelectorAll(".inline-group:not([tabindex])").forEach(function (group) {
      if (group.scrollWidth <= group.clientWidth) { return; }
      var focusable = group.querySelectorAll("a[href], button, input, select, textarea, [tabindex]");
      // (The hidden row an "Add another" copies holds inputs no one can reach.)
      if (Array.prototype.some.call(focusable, function (element) { return element.getClientRects().length > 0; })) { return; }
      var heading = group.querySelector("h2");
      group.setAttribute("tabindex", "0");
      group.setAttribute("role", "region");
      if (heading) {
        heading.id = heading.id || group.id + "-heading";
        group.setAttribute("aria-labelledby", heading.id);
      }
    });
  }

  function nameAll() {
    nameTwoListPicker();
    nameAutocompletes();
  }

  new MutationObserver(nameAll).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", nameAll);
  window.addEventListener("load", function () {
    nameAll();
    letScrollingTablesBeReached();
  });
  window.addEventListener("resize", letScrollingTablesBeReached);
})();
