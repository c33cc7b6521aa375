/* The site menu and the contents button on narrow screens.
 *
 * pydata-sphinx-theme 0.17.1 binds the sidebar dialogs to the *first* .primary-toggle and
 * .secondary-toggle in the page (document.querySelector). sphinx-book-theme 1.3.0 adds its own,
 * visible, buttons in the article header and hides the theme's header, so the buttons a reader
 * taps have no handler and do nothing. Here each other toggle forwards its click to the first
 * one, where both themes' handlers are bound (the dialog on a phone, collapsing the sidebar on
 * a wide screen). Buttons without a name get one for screen readers.
 *
 * Screen readers (axe-core, WCAG 2.1 AA): the sidebar's expand arrows (<summary> holding only
 * an icon) are named after the section they open ("summary-name"), and the search button's
 * name is its visible text, not a shorter aria-label ("label-content-name-mismatch"). The
 * colour-mode button keeps its name "Color mode": its icons' titles ("Light", "Dark", which the
 * icon script turns into SVG titles) are hidden from screen readers, as the name says it all.
 */
(function () {
  "use strict";
  var NAMES = { ".primary-toggle": "Site navigation", ".secondary-toggle": "On this page" };

  function forward(selector) {
    var buttons = Array.prototype.slice.call(document.querySelectorAll(selector));
    buttons.forEach(function (button) {
      if (!button.getAttribute("aria-label")) {
        button.setAttribute("aria-label", NAMES[selector]);
      }
    });
    var bound = buttons[0];
    buttons.slice(1).forEach(function (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        bound.click();
      });
    });
  }

  function nameSummaries() {
    document.querySelectorAll("summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.getAttribute("aria-label")) {
        return;
      }
      var item = summary.parentElement && summary.parentElement.parentElement;
      var link = item && item.querySelector(":scope > a");
      var section = link ? link.textContent.trim() : "";
      summary.setAttribute("aria-label", section ? "Pages in " + section : "Show or hide pages");
    });
  }

  function nameFromContent() {
    document.querySelectorAll("button.search-button-field[aria-label]").forEach(function (button) {
      if (button.textContent.replace(/\s+/g, " ").trim()) {
        button.removeAttribute("aria-label");
      }
    });
  }

  function hideIconTitles() {
    document.querySelectorAll(".theme-switch-button").forEach(function (button) {
      var quiet = function () {
        button.querySelectorAll("[title], svg, title").forEach(function (el) {
          if (el.tagName.toLowerCase() === "title") {
            el.remove();
            return;
          }
          el.removeAttribute("title");
          el.removeAttribute("aria-labelledby");
          el.removeAttribute("role");
          el.setAttribute("aria-hidden", "true");
        });
      };
      quiet();
      new MutationObserver(quiet).observe(button, { childList: true, subtree: true });
    });
  }

  function init() {
    Object.keys(NAMES).forEach(forward);
    nameSummaries();
    nameFromContent();
    hideIconTitles();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
