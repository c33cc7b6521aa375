/* The site menu and the contents button on narrow screens.
 *
 * pydata-sphinx-theme 0.17.1 binds the sidebar dialogs to the *first* .primary-toggle and
 * .secondary-toggle in the page (document.querySelector). sphinx-book-theme 1.3.0 adds its own,
 * visible, buttons in the article header and hides the theme's header, so the buttons a reader
 * taps have no handler and do nothing. Here each other toggle forwards its click to the first
 * one, where both themes' handlers are bound (the dialog on a phone, collapsing the sidebar on
 * a wide screen). Buttons without a name get one for screen readers.
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

  function init() {
    Object.keys(NAMES).forEach(forward);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
