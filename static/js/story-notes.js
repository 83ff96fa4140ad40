// Selecting a passage of the story shows a small "Note to the author" button under it; the
// button is a plain link to the note form with the passage in its address (?quote=). The
// link and the form work without this file ("Send the author a note" at the end of the story),
// and the page carries nothing about the reader, so it stays stored for everyone.
(function () {
  "use strict";
  var button = document.querySelector("[data-note-button]");
  var body = document.querySelector(".story__body");
  if (!button || !body || !window.getSelection) return;

  var base = button.getAttribute("href");
  var maxQuote = parseInt(button.getAttribute("data-max-quote"), 10) || 600;
  var GAP = 8; // px between the selection and the button
  var timer = null;

  function passage() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    // Only the story's own words: not the title, the comments or a mix with them.
    if (!body.contains(range.commonAncestorContainer)) return null;
    var text = selection.toString().replace(/\s+/g, " ").trim();
    if (text.length < 2) return null;
    if (text.length > maxQuote) {
      // The start of a long selection, cut at a word: it still occurs in the story.
      text = text.slice(0, maxQuote);
      var space = text.lastIndexOf(" ");
      if (space > maxQuote / 2) text = text.slice(0, space);
    }
    var rects = range.getClientRects();
    var last = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    return { text: text, rect: last };
  }

  function place(rect) {
    // Under the end of the selection, inside the page's width. CSSOM properties, which the
    // Content-Security-Policy allows (it refuses style attributes written in markup).
    var parent = button.offsetParent || document.body;
    var origin = parent.getBoundingClientRect();
    var width = button.offsetWidth;
    var viewport = document.documentElement.clientWidth;
    var left = Math.min(Math.max(rect.right - width / 2, GAP), viewport - width - GAP);
    button.style.left = left - origin.left + "px";
    button.style.top = rect.bottom + GAP - origin.top + "px";
  }

  function update() {
    var found = passage();
    if (!found) {
      // Not while the reader is on the button: a tap or a Tab may clear the selection first.
      if (document.activeElement !== button) button.hidden = true;
      return;
    }
    button.href = base + "?quote=" + encodeURIComponent(found.text);
    button.hidden = false;
    place(found.rect);
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 120);
  }

  document.addEventListener("selectionchange", later);
  window.addEventListener("resize", later);
  // A click on the button must not clear the selection before the link is followed.
  button.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });
  button.addEventListener("blur", later);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !button.hidden) {
      button.hidden = true;
    }
  });
})();
