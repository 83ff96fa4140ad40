// Reader settings (issue 21): text size, serif or sans body, light, dark or system theme.
// Kept in this browser only (localStorage), no account needed. site.css reads data-theme,
// data-text-size and data-font on <html>, which the inline first-paint script (core/first_paint.js)
// sets before anything is drawn; it shares its rules here as window.bylineReaderSettings. This
// file, loaded after the page has painted, wires the controls
// (templates/partials/_reader_settings.html).
(function () {
  "use strict";
  var shared = window.bylineReaderSettings;
  if (!shared) return; // the first-paint script did not run: the controls stay hidden
  var KEY = shared.KEY;
  var CHOICES = shared.CHOICES;
  var read = shared.read;
  var apply = shared.apply;

  function save(settings) {
    try {
      window.localStorage.setItem(KEY, JSON.stringify(settings));
    } catch (error) {
      // Not kept, but still applied to this page.
    }
  }

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
