// Issue 21: the two bars of a public story page. The reading progress bar at the top shows how
// much of the story's body has passed (a decorative line, aria-hidden). The phone bar at the
// bottom (templates/stories/_phone_bar.html, shown by site.css on narrow screens only) hides
// while the reader scrolls down, so it never sits over the lines being read, and comes back
// on scrolling up, at the end of the page, or when focus moves into it. Both are moved through
// CSSOM properties and classes, which the Content-Security-Policy allows.
(function () {
  "use strict";
  var body = document.querySelector(".story__body");
  var progress = document.querySelector("[data-reading-progress]");
  var bar = document.querySelector("[data-phone-bar]");
  var motion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var NUDGE = 8; // px of scrolling that count as a direction, so a trembling thumb does nothing
  var lastY = window.scrollY;
  var ticking = false;

  function updateProgress() {
    if (!progress || !body) return;
    var box = body.getBoundingClientRect();
    // 0 while the body's top is below the screen's, 1 once its end has reached the bottom.
    var span = box.height - window.innerHeight;
    var done = span > 0 ? -box.top / span : box.top <= 0 ? 1 : 0;
    done = Math.min(1, Math.max(0, done));
    progress.style.setProperty("--reading-progress", done.toFixed(4));
  }

  function atEnd() {
    var page = document.documentElement;
    return window.scrollY + window.innerHeight >= page.scrollHeight - 2;
  }

  function setBarHidden(hidden) {
    if (!bar) return;
    // Never hidden while it holds focus: a keyboard or screen reader user is in it.
    if (hidden && bar.contains(document.activeElement)) hidden = false;
    bar.classList.toggle("phone-bar--away", hidden);
  }

  function updateBar() {
    if (!bar) return;
    var y = window.scrollY;
    if (atEnd()) {
      setBarHidden(false);
    } else if (y > lastY + NUDGE) {
      setBarHidden(true);
    } else if (y < lastY - NUDGE) {
      setBarHidden(false);
    } else {
      return; // too small a move to tell: keep lastY where the move began
    }
    lastY = y;
  }

  function onScroll() {
    if (ticking) return;
    ticking = true;
    window.requestAnimationFrame(function () {
      ticking = false;
      updateProgress();
      updateBar();
    });
  }

  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", onScroll, { passive: true });
  updateProgress();

  if (!bar) return;

  bar.addEventListener("focusin", function () {
    setBarHidden(false);
  });

  function reveal(target) {
    // A smooth jump unless the reader asked for less motion.
    target.scrollIntoView({ behavior: motion.matches ? "auto" : "smooth", block: "center" });
  }

  // Pledge and Tip open the support box's own panel and put focus on it.
  bar.querySelectorAll("[data-phone-bar-open]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var details = document.getElementById(link.getAttribute("data-phone-bar-open"));
      if (!details) return;
      event.preventDefault();
      details.open = true;
      var summary = details.querySelector("summary");
      reveal(details);
      if (summary) summary.focus({ preventScroll: true });
    });
  });

  // Share: the device's share sheet where there is one (the share block's own button),
  // else the share block itself.
  var share = bar.querySelector("[data-phone-bar-share]");
  var native = document.querySelector("[data-share-native]");
  var shareBlock = document.getElementById("share");
  if (share && shareBlock) {
    share.addEventListener("click", function (event) {
      event.preventDefault();
      if (native && typeof navigator.share === "function") {
        native.click();
        return;
      }
      reveal(shareBlock);
      var input = shareBlock.querySelector("[data-share-url]");
      if (input) input.focus({ preventScroll: true });
    });
  }
})();
