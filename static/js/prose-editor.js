// The story body's rich-text editor: django-prose-editor's own bundle, started the way its
// "configurable" preset starts it, minus the two things a strict Content-Security-Policy refuses:
// an inline import map (this module imports the bundle by its path instead) and the <style>
// element Tiptap would inject (its rules are in css/prose-editor-core.css). stories/forms.py
// puts this module, and no other editor script, on the page.
import * as prose from "../django_prose_editor/editor.js";

const ATTRIBUTE = "data-django-prose-editor-byline";

function extensionsFrom(config) {
  const extensions = [];
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = prose[name];
    if (!extension) continue; // an extension this bundle does not ship: the server allows none
    extensions.push(typeof options === "object" ? extension.configure(options) : extension);
  }
  return extensions;
}

function createEditor(textarea) {
  const config = JSON.parse(textarea.getAttribute(ATTRIBUTE) || "{}");
  const disabled = textarea.hasAttribute("disabled");
  const wrapper = prose.crel("div", { className: disabled ? "prose-editor disabled" : "prose-editor" });
  textarea.before(wrapper);
  wrapper.append(textarea);
  return new prose.Editor({
    element: wrapper,
    editable: !disabled,
    extensions: extensionsFrom(config),
    content: textarea.value,
    injectCSS: false,
    onUpdate({ editor }) {
      const html = editor.getHTML();
      // A lone empty paragraph is an empty body, as the library's own textarea editor has it.
      textarea.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
    onDestroy() {
      wrapper.before(textarea);
      wrapper.remove();
    },
  });
}

prose.initializeEditors((textarea) => {
  if (textarea.closest(".prose-editor")) return;
  const editor = createEditor(textarea);
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }),
  );
}, `[${ATTRIBUTE}]`);
