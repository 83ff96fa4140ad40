// Suggestions under the header's search box (search/suggest.py, GET /search/suggest/?q=):
// stories, creators and tags as the reader types, in a WAI-ARIA 1.2 combobox with a listbox
// popup. Without this file, or without fetch, the box is the plain form it was and Enter
// still searches.
(function () {
  "use strict";

  var DELAY = 150; // ms of quiet typing before asking
  var MIN_LENGTH = 2; // as search.suggest.MIN_LENGTH: shorter answers nothing
  var HEADINGS = { story: "Stories", creator: "Writers", tag: "Tags" };

  function folded(text) {
    // A rough match of the server's folding, only to skip asking about "a" or "  ".
    return text.replace(/[\s\p{P}\p{S}_]+/gu, "");
  }

  function setUp(form) {
    var input = form.querySelector("input[name=q]");
    var endpoint = form.getAttribute("data-suggest-url");
    if (!input || !endpoint || !window.fetch) {
      return;
    }
    var listId = input.id + "-suggestions";
    var list = document.createElement("div");
    list.id = listId;
    list.className = "site-search__suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    // Said after a pause, so a screen reader hears how many there are without moving there.
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.appendChild(list);
    form.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var options = []; // the option elements in order, with their url on .dataset
    var active = -1;
    var timer = null;
    var latest = 0; // only the answer to the latest question is shown
    var controller = null;
    var answers = {}; // this page's answers, by what was typed
    var shownFor = null;

    function setActive(index) {
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
      }
      active = index;
      if (active >= 0 && options[active]) {
        var option = options[active];
        option.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", option.id);
        if (option.scrollIntoView) {
          option.scrollIntoView({ block: "nearest" });
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function open() {
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function go(option) {
      close();
      window.location.assign(option.getAttribute("data-url"));
    }

    function render(query, suggestions) {
      shownFor = query;
      list.textContent = "";
      options = [];
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var group = null;
      var groupKind = null;
      suggestions.forEach(function (suggestion, index) {
        if (suggestion.kind !== groupKind) {
          groupKind = suggestion.kind;
          group = document.createElement("div");
          group.setAttribute("role", "group");
          var heading = document.createElement("div");
          heading.id = listId + "-" + groupKind;
          heading.className = "site-search__group";
          heading.setAttribute("role", "presentation");
          heading.textContent = HEADINGS[groupKind] || groupKind;
          group.setAttribute("aria-labelledby", heading.id);
          group.appendChild(heading);
          list.appendChild(group);
        }
        var option = document.createElement("div");
        option.id = listId + "-" + index;
        option.className = "site-search__option site-search__option--" + suggestion.kind;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-url", suggestion.url);
        var label = document.createElement("span");
        label.className = "site-search__label";
        label.textContent = suggestion.label;
        var detail = document.createElement("span");
        detail.className = "site-search__detail";
        detail.textContent = suggestion.detail;
        option.appendChild(label);
        option.appendChild(detail);
        group.appendChild(option);
        options.push(option);
      });
      if (options.length) {
        status.textContent =
          options.length === 1 ? "1 suggestion" : options.length + " suggestions";
        if (document.activeElement === input) {
          open();
        }
      } else {
        status.textContent = "";
        close();
      }
    }

    function ask() {
      var query = input.value;
      if (folded(query).length < MIN_LENGTH) {
        render(query, []);
        return;
      }
      if (Object.prototype.hasOwnProperty.call(answers, query)) {
        render(query, answers[query]);
        return;
      }
      var asked = ++latest;
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?q=" + encodeURIComponent(query);
      window
        .fetch(url, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
          signal: controller ? controller.signal : undefined,
        })
        .then(function (response) {
          // Over the rate limit or any other refusal: no suggestions; the form still works.
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (body) {
          if (asked !== latest) {
            return;
          }
          var suggestions = Array.isArray(body.suggestions) ? body.suggestions : [];
          answers[query] = suggestions;
          if (input.value === query) {
            render(query, suggestions);
          }
        })
        .catch(function () {
          /* aborted, or offline: leave the box as it is */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      if (event.isComposing) {
        return;
      }
      switch (event.key) {
        case "ArrowDown":
          if (!options.length) {
            return;
          }
          event.preventDefault();
          if (list.hidden) {
            open();
          }
          setActive(active + 1 < options.length ? active + 1 : 0);
          break;
        case "ArrowUp":
          if (!options.length) {
            return;
          }
          event.preventDefault();
          if (list.hidden) {
            open();
          }
          setActive(active > 0 ? active - 1 : options.length - 1);
          break;
        case "Enter":
          // With a suggestion chosen, Enter follows it; otherwise the form searches.
          if (!list.hidden && active >= 0) {
            event.preventDefault();
            go(options[active]);
          }
          break;
        case "Escape":
          if (!list.hidden) {
            // Closes the list only; a second Escape clears the box as a search box does.
            event.preventDefault();
            close();
          }
          break;
        default:
          break;
      }
    });

    input.addEventListener("focus", function () {
      if (shownFor === input.value) {
        open();
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    // mousedown, not click: the input would lose focus (and the list close) first.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        go(option);
      }
    });
    list.addEventListener("mousemove", function (event) {
      var option = event.target.closest("[role=option]");
      var index = options.indexOf(option);
      if (index >= 0 && index !== active) {
        setActive(index);
      }
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-suggest-url]");
    Array.prototype.forEach.call(forms, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
