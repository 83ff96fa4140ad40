// Counts a read once the reader has read: scrolled through most of the story's body, or kept
// the page open and visible for its reading time, whichever comes first. A page view alone
// never counts. The page carries no cookie or token for this, so it stays cacheable.
(function () {
  "use strict";
  var body = document.querySelector("[data-read-url]");
  if (!body || !window.fetch) return;

  var url = body.getAttribute("data-read-url");
  var needed = Math.max(10, parseInt(body.getAttribute("data-read-seconds"), 10) || 60);
  var THROUGH = 0.8; // "most of the body": its first 80 % has passed the bottom of the screen
  var visibleSeconds = 0;
  var sent = false;
  var timer = null;

  function browserId() {
    // A random id kept in this browser only, so a reader is counted once a day without a
    // cookie. Without storage the server falls back to a hash of address and user agent.
    try {
      var id = window.localStorage.getItem("byline-reader");
      if (!id) {
        id = window.crypto && window.crypto.randomUUID
          ? window.crypto.randomUUID()
          : String(Math.random()).slice(2) + String(Date.now());
        window.localStorage.setItem("byline-reader", id);
      }
      return id;
    } catch (error) {
      return "";
    }
  }

  function send() {
    if (sent) return;
    sent = true;
    window.removeEventListener("scroll", onScroll);
    if (timer) window.clearInterval(timer);
    var data = new URLSearchParams();
    var id = browserId();
    if (id) data.set("reader", id);
    window.fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: true
    }).catch(function () {});
  }

  function readThrough() {
    var box = body.getBoundingClientRect();
    return box.top + box.height * THROUGH <= window.innerHeight;
  }

  function onScroll() {
    // Only a reader who scrolled: a short story that fits the screen counts by time instead.
    if (readThrough()) send();
  }

  window.addEventListener("scroll", onScroll, { passive: true });
  timer = window.setInterval(function () {
    if (document.visibilityState === "visible") visibleSeconds += 1;
    if (visibleSeconds >= needed) send();
  }, 1000);
})();
