// OmniRoute dashboard: the few behaviours htmx does not cover. No data is ever written into
// this script; buttons point at their targets with data-* attributes.
(function () {
  "use strict";

  // Copy buttons: <button data-copy="#element-id">. navigator.clipboard needs https or
  // localhost; elsewhere the text is selected so Ctrl+C works.
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = "value" in source && source.value !== undefined ? source.value : source.textContent;
    var done = function (label) {
      var previous = button.textContent;
      button.textContent = label;
      setTimeout(function () { button.textContent = previous; }, 1500);
    };
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done("Press Ctrl+C");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); }, select);
    } else {
      select();
    }
  });

  // A form that added something comes back fresh; keep the focus where the user was typing.
  document.addEventListener("htmx:afterSwap", function (event) {
    var first = event.detail.target.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  });
})();
