// Starts the story body's editor (prose-editor.js) once the page has painted. The page paints
// the stored body where the editor will be (templates/stories/editor.html), so the words are on
// screen at first paint; fetched and run before that paint, the 145 KB bundle kept them off it
// (the editor replaced the painted body before it was ever drawn). stories/forms.py puts this
// module on the page.
const painted = document.querySelectorAll("[data-editor-static]");

function start() {
  // Both at once: the bundle is prose-editor.js's one import, so it is not found a step later.
  Promise.all([import("../django_prose_editor/editor.js"), import("./prose-editor.js")]).catch(
    (error) => {
      // No editor (offline, blocked): the textarea, hidden behind the painted body, takes its
      // place, with the same text, so the story can still be written and saved.
      for (const element of painted) element.remove();
      throw error;
    },
  );
}

requestAnimationFrame(() => setTimeout(start, 0));
