// Report data entry, like a spreadsheet: Enter moves to the next input of the same column
// (Shift+Enter to the previous one) instead of submitting the form. Leaving the input fires
// "change", which autosaves it through htmx. Textareas keep Enter for new lines.
document.addEventListener("keydown", function (event) {
  var el = event.target;
  if (event.key !== "Enter" || event.isComposing || !(el instanceof HTMLElement)) return;
  var column = el.getAttribute("data-entry");
  if (!column || el instanceof HTMLTextAreaElement) return;
  event.preventDefault();
  var inputs = Array.prototype.slice.call(document.querySelectorAll('[data-entry="' + column + '"]'));
  var next = inputs[inputs.indexOf(el) + (event.shiftKey ? -1 : 1)];
  if (next) {
    next.focus();
    if (typeof next.select === "function") next.select();
  }
});
