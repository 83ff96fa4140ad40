// Issue 21, Listen: the browser's own speech synthesis reads the story's body aloud, one
// paragraph at a time, and the paragraph being read is highlighted (a class, not a live region:
// a screen reader is not told every paragraph twice). No third-party service. The controls
// (templates/stories/_story_tools.html) stay hidden where the browser has no voice.
// Pausing stops the speech and remembers the paragraph; resuming reads it again from its start,
// which works in every engine (speechSynthesis.pause() does nothing with some voices).
(function () {
  "use strict";
  var box = document.querySelector("[data-listen]");
  var body = document.querySelector(".story__body");
  var synth = window.speechSynthesis;
  if (!box || !body || !synth || typeof window.SpeechSynthesisUtterance !== "function") return;

  var toggle = box.querySelector("[data-listen-toggle]");
  var label = box.querySelector("[data-listen-label]");
  var stopButton = box.querySelector("[data-listen-stop]");
  var rate = box.querySelector("[data-listen-rate]");
  var motion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var READING = "is-being-read";
  var BLOCKS = "p, h2, h3, h4, li, blockquote, pre, figcaption";

  var state = "idle"; // idle, playing, paused
  var index = 0;
  var current = null; // the utterance whose end moves on; null while cancelling

  function paragraphs() {
    // The innermost blocks with words in them: a <li> holding a <p> is read as the <p>.
    var all = Array.prototype.slice.call(body.querySelectorAll(BLOCKS));
    return all.filter(function (block) {
      if (!block.textContent.trim()) return false;
      return !all.some(function (other) {
        return other !== block && block.contains(other);
      });
    });
  }

  function setState(next) {
    state = next;
    box.setAttribute("data-state", next); // site.css shows the play or the pause icon by it
    label.textContent = next === "playing" ? "Pause" : next === "paused" ? "Resume" : "Listen";
    stopButton.hidden = next === "idle";
  }

  function unmark() {
    body.querySelectorAll("." + READING).forEach(function (block) {
      block.classList.remove(READING);
    });
  }

  function mark(block) {
    unmark();
    block.classList.add(READING);
    var place = block.getBoundingClientRect();
    if (place.top < 0 || place.bottom > window.innerHeight) {
      block.scrollIntoView({ behavior: motion.matches ? "auto" : "smooth", block: "center" });
    }
  }

  function silence() {
    current = null;
    synth.cancel();
  }

  function speak(at) {
    var blocks = paragraphs();
    if (at >= blocks.length) {
      stop();
      return;
    }
    index = at;
    var utterance = new window.SpeechSynthesisUtterance(blocks[at].textContent.trim());
    utterance.rate = parseFloat(rate.value) || 1;
    utterance.lang = document.documentElement.lang || "en";
    utterance.onend = function () {
      if (utterance === current) speak(index + 1);
    };
    utterance.onerror = function (event) {
      if (utterance !== current) return;
      // "interrupted" and "canceled" are ours; anything else ends the reading.
      if (event.error !== "interrupted" && event.error !== "canceled") stop();
    };
    current = utterance;
    mark(blocks[at]);
    synth.speak(utterance);
  }

  function play() {
    silence();
    setState("playing");
    speak(index);
  }

  function pause() {
    silence();
    setState("paused");
  }

  function stop() {
    silence();
    unmark();
    index = 0;
    setState("idle");
  }

  toggle.addEventListener("click", function () {
    if (state === "playing") pause();
    else play();
  });
  stopButton.addEventListener("click", function () {
    stop();
    toggle.focus();
  });
  rate.addEventListener("change", function () {
    // The new speed from the start of the paragraph being read.
    if (state === "playing") play();
  });
  // Leaving the page stops the voice: it would otherwise go on reading over the next one.
  window.addEventListener("pagehide", function () {
    if (state !== "idle") stop();
  });

  function offer() {
    if (synth.getVoices().length) {
      box.hidden = false;
      return true;
    }
    return false;
  }

  if (!offer()) {
    // Chromium lists its voices a moment after the page asks; some browsers never have any.
    synth.addEventListener("voiceschanged", offer);
  }
  setState("idle");
})();
