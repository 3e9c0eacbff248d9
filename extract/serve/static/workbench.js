// The workbench's keyboard shortcuts and adding a value from selected words.
// Keys come from the page (#shortcuts data attributes, set from models/lexicons/workbench.json).
// Offsets: every line of a passage is a <p class="line" data-start=N> whose text is exactly the paper's
// characters from N on, so a selection's offset is N plus the length of the text before it in its line.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function keys() {
    const holder = byId("shortcuts");
    return holder ? holder.dataset : {};
  }

  function isTyping(target) {
    return target instanceof Element && target.closest("input, textarea, select, [contenteditable]") !== null;
  }

  function lineOf(node) {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest("p.line") : null;
  }

  function offsetIn(line, node, offset) {
    const range = document.createRange();
    range.setStart(line, 0);
    range.setEnd(node, offset);
    return Number(line.dataset.start) + range.toString().length;
  }

  // The selection inside the passage as paper offsets and its text, or null.
  function selectedWords() {
    const selection = window.getSelection();
    const passage = byId("passage");
    if (!selection || selection.isCollapsed || selection.rangeCount === 0 || !passage) return null;
    const range = selection.getRangeAt(0);
    if (!passage.contains(range.commonAncestorContainer)) return null;
    const first = lineOf(range.startContainer);
    const last = lineOf(range.endContainer);
    if (!first || !last) return null;
    const start = offsetIn(first, range.startContainer, range.startOffset);
    const end = offsetIn(last, range.endContainer, range.endOffset);
    if (end <= start) return null;
    return { start: start, end: end, text: selection.toString() };
  }

  function showAddForm(words, focus) {
    const form = byId("add-form");
    if (!form || !words) return false;
    byId("add-start").value = String(words.start);
    byId("add-end").value = String(words.end);
    byId("add-selected-text").value = words.text;
    byId("add-selected").textContent = words.text;
    const value = byId("add-value");
    const short = words.text.trim();
    if (value && !value.dataset.typed && short.length <= 60) value.value = short;
    form.hidden = false;
    if (focus && value) value.focus();
    return true;
  }

  function press(id) {
    const element = byId(id);
    if (!element) return;
    if (element instanceof HTMLFormElement) element.requestSubmit();
    else element.click();
  }

  function focusCorrection() {
    const input = byId("correct-value");
    if (input) { input.focus(); input.select(); }
  }

  function toggleHelp() {
    const help = byId("shortcut-help");
    if (help) help.hidden = !help.hidden;
  }

  document.addEventListener("mouseup", function () { showAddForm(selectedWords(), false); });
  document.addEventListener("keyup", function (event) {
    if (event.shiftKey && !isTyping(event.target)) showAddForm(selectedWords(), false);
  });
  document.addEventListener("input", function (event) {
    if (event.target instanceof HTMLElement && event.target.id === "add-value") event.target.dataset.typed = "1";
  });
  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-shortcut-help]")) toggleHelp();
    if (target.closest("[data-close-add]")) { const form = byId("add-form"); if (form) form.hidden = true; }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape") {
      const form = byId("add-form");
      if (form) form.hidden = true;
      const help = byId("shortcut-help");
      if (help) help.hidden = true;
      if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      return;
    }
    if (isTyping(event.target)) return;
    const k = keys();
    const actions = {};
    actions[k.confirm] = function () { press("judge-confirm"); };
    actions[k.reject] = function () { press("judge-reject"); };
    actions[k.correct] = focusCorrection;
    actions[k.add] = function () { showAddForm(selectedWords(), true); };
    actions[k.next] = function () { press("nav-next"); };
    actions[k.previous] = function () { press("nav-previous"); };
    actions[k.nextUnreviewed] = function () { press("nav-unreviewed"); };
    actions[k.grid] = function () { press("grid-link"); };
    actions[k.help] = toggleHelp;
    const action = Object.prototype.hasOwnProperty.call(actions, event.key) ? actions[event.key] : null;
    if (action) { event.preventDefault(); action(); }
  });
})();
