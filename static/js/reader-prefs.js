// Reader settings (issue 21): text size, serif or sans body, light, dark or system theme.
// Kept in this browser only (localStorage), no account needed. Loaded in <head> WITHOUT defer,
// so the settings are on <html> as data-attributes before anything is drawn: no flash of the
// wrong theme or size. site.css reads data-theme, data-text-size and data-font.
// The controls (templates/partials/_reader_settings.html) are wired once the page is parsed.
(function () {
  "use strict";
  var KEY = "byline-reading-settings";
  var root = document.documentElement;
  var CHOICES = {
    size: ["standard", "large", "larger"],
    font: ["serif", "sans"],
    theme: ["system", "light", "dark"]
  };
  var ATTRIBUTES = { size: "data-text-size", font: "data-font", theme: "data-theme" };

  function read() {
    var stored = {};
    try {
      stored = JSON.parse(window.localStorage.getItem(KEY) || "{}") || {};
    } catch (error) {
      stored = {}; // no storage (private mode, blocked) or a broken value: the defaults
    }
    var settings = {};
    Object.keys(CHOICES).forEach(function (name) {
      var value = stored[name];
      settings[name] = CHOICES[name].indexOf(value) >= 0 ? value : CHOICES[name][0];
    });
    return settings;
  }

  function apply(settings) {
    Object.keys(ATTRIBUTES).forEach(function (name) {
      root.setAttribute(ATTRIBUTES[name], settings[name]);
    });
  }

  function save(settings) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(settings));
    } catch (error) {
      // Not kept, but still applied to this page.
    }
  }

  apply(read());

  function sync(form, settings) {
    Object.keys(CHOICES).forEach(function (name) {
      var radio = form.querySelector('input[name="' + name + '"][value="' + settings[name] + '"]');
      if (radio) radio.checked = true;
    });
  }

  function wire() {
    var forms = document.querySelectorAll("[data-reader-settings]");
    forms.forEach(function (form) {
      sync(form, read());
      form.addEventListener("change", function (event) {
        var input = event.target;
        if (!input.name || !(input.name in CHOICES)) return;
        var settings = read();
        settings[input.name] = input.value;
        save(settings);
        apply(settings);
        // Another copy of the controls on the page (the story's and the footer's) follows.
        forms.forEach(function (other) {
          if (other !== form) sync(other, settings);
        });
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault(); // applied as they change; nothing to send
      });
      // The controls need this script: shown only once it runs.
      var holder = form.closest("[data-reader-settings-holder]");
      if (holder) holder.hidden = false;
    });
  }

  // Escape closes an open settings panel and puts focus back on its toggle.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.activeElement && document.activeElement.closest
      ? document.activeElement.closest("[data-reader-settings-holder][open]")
      : null;
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });

  // A change made in another tab applies here too.
  window.addEventListener("storage", function (event) {
    if (event.key !== KEY) return;
    var settings = read();
    apply(settings);
    document.querySelectorAll("[data-reader-settings]").forEach(function (form) {
      sync(form, settings);
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
