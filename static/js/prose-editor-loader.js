// Starts the story editor. The page paints the stored body where the editor will be
// (templates/stories/editor.html), so the words are on screen at first paint; fetched and run
// before that paint, the 145 KB bundle kept them off it (the editor replaced the painted body
// before it was ever drawn). stories/forms.py puts this module on the page and editor.html
// among the scripts fetched once the page has painted (core/first_paint.js), so it starts
// straight away: the paint it waits for has happened.
const painted = document.querySelectorAll("[data-editor-static]");
const textarea = document.querySelector("textarea[data-stylesheet]");

// The library's stylesheet (its URL is on the textarea, hashed in production): the editor and
// its dialogs need it, the painted body does not. After site.css and css/editor.css, as when
// it was linked in <head>, so the cascade is the same.
function stylesheet(href) {
  return new Promise((resolve, reject) => {
    const link = Object.assign(document.createElement("link"), { rel: "stylesheet", href });
    link.addEventListener("load", resolve);
    link.addEventListener("error", () => reject(new Error(`${href} did not load`)));
    document.head.append(link);
  });
}

function start() {
  // No editor on the page (a story awaiting review is shown, not edited): nothing to fetch.
  if (!textarea) return;
  // The page's script: autosave, the image dialog, labels (static/js/editor.js).
  import("./editor.js");
  // The bundle is prose-editor.js's one import: both at once, so it is not found a step later.
  // The editor mounts once its stylesheet is in, so it never shows unstyled.
  const styled = stylesheet(textarea.dataset.stylesheet);
  const bundle = import("../django_prose_editor/editor.js");
  bundle.catch(() => {}); // reported below, once the stylesheet is in
  styled
    .then(() => Promise.all([bundle, import("./prose-editor.js")]))
    .catch((error) => {
      // No editor (offline, blocked): the textarea, hidden behind the painted body, takes its
      // place, with the same text, so the story can still be written and saved.
      for (const element of painted) element.remove();
      throw error;
    });
}

start();
