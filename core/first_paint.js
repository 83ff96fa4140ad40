// The one inline script (issue 21): every page's <head> carries it, through {% first_paint_script %}
// (core/first_paint.py, which drops these comment lines and puts the hash in the CSP). Inline,
// because an external file here would block the first paint for a round trip of its own.
// 1. The reader's settings on <html> before anything is drawn: no flash of the wrong theme or
//    size. static/js/reader-prefs.js (loaded later, below) wires the controls with the same rules.
// 2. The page's other scripts wait in <template data-later-scripts>: fetched, in order, after the
//    page has loaded and painted, so they never compete with the text, the stylesheet and the
//    first image on a slow connection. <html data-scripts="loaded"> once they have all run.
(function () {
  "use strict";
  var KEY = "byline-reading-settings";
  var CHOICES = { size: ["standard", "large", "larger"], font: ["serif", "sans"], theme: ["system", "light", "dark"] };
  var ATTRIBUTES = { size: "data-text-size", font: "data-font", theme: "data-theme" };
  var root = document.documentElement;
  function read() {
    var stored = {};
    try {
      stored = JSON.parse(window.localStorage.getItem(KEY) || "{}") || {};
    } catch (error) {
      stored = {};
    }
    var settings = {};
    for (var name in CHOICES) {
      settings[name] = CHOICES[name].indexOf(stored[name]) >= 0 ? stored[name] : CHOICES[name][0];
    }
    return settings;
  }
  function apply(settings) {
    for (var name in ATTRIBUTES) root.setAttribute(ATTRIBUTES[name], settings[name]);
  }
  apply(read());
  window.bylineReaderSettings = { KEY: KEY, CHOICES: CHOICES, read: read, apply: apply };

  function later() {
    var sources = [];
    var seen = {};
    document.querySelectorAll("template[data-later-scripts]").forEach(function (holder) {
      holder.content.querySelectorAll("script[src]").forEach(function (script) {
        var src = script.getAttribute("src");
        if (!seen[src]) sources.push({ src: src, type: script.getAttribute("type") });
        seen[src] = true;
      });
    });
    var waiting = sources.length;
    function done() {
      waiting -= 1;
      if (waiting <= 0) root.setAttribute("data-scripts", "loaded");
    }
    if (!waiting) done();
    sources.forEach(function (source) {
      var script = document.createElement("script");
      if (source.type) script.type = source.type;
      script.src = source.src;
      script.async = false;
      script.onload = script.onerror = done;
      document.body.appendChild(script);
    });
  }
  function whenIdle() {
    if (window.requestIdleCallback) window.requestIdleCallback(later, { timeout: 1000 });
    else window.setTimeout(later, 200);
  }
  function afterPaint() {
    // Once the first contentful paint is on screen (its timing entry comes when it is), and the
    // browser is idle; without paint timing, two frames after "load".
    var types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
    if (types.indexOf("paint") < 0) {
      window.requestAnimationFrame(function () {
        window.requestAnimationFrame(whenIdle);
      });
      return;
    }
    var observer = new PerformanceObserver(function (list) {
      if (!list.getEntriesByName("first-contentful-paint").length) return;
      observer.disconnect();
      whenIdle();
    });
    observer.observe({ type: "paint", buffered: true });
  }
  if (document.readyState === "complete") afterPaint();
  else window.addEventListener("load", afterPaint);
})();
