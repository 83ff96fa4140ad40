// The import page (templates/stories/import_detail.html): asks the status URL every two
// seconds and says "Importing story N of M"; when the import is over, loads the page again to
// show the report. Without this file the page still says where the import was when it loaded.
(function () {
  "use strict";

  var box = document.querySelector("[data-import-progress][data-status-url]");
  if (!box) {
    return;
  }
  var text = box.querySelector("[data-import-text]");
  var bar = box.querySelector("[data-import-bar]");
  var url = box.getAttribute("data-status-url");

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (state) {
        if (state.finished) {
          window.location.reload();
          return;
        }
        text.textContent = state.text;  // from templates/stories/_import_progress.html
        if (bar) {
          bar.max = Math.max(state.total, 1);
          bar.value = state.done;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
