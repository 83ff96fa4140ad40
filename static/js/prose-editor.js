// The story body's rich-text editor: django-prose-editor's own bundle, started the way its
// "configurable" preset starts it, minus the two things a strict Content-Security-Policy refuses:
// an inline import map (this module imports the bundle by its path instead) and the <style>
// element Tiptap would inject (its rules are in css/editor.css). prose-editor-loader.js
// (the one editor script stories/forms.py puts on the page) imports it after the first paint.
//
// Three of the bundle's extensions are replaced by Byline's own (see OVERRIDES), and the menu
// gets readable names; static/js/editor.js does the uploading.
import * as prose from "../django_prose_editor/editor.js";

const ATTRIBUTE = "data-django-prose-editor-byline";

// Images are served from our storage only: the site's CSP blocks any other host, so an image
// from elsewhere would show as broken in the editor, the preview and the published story. The
// form names where uploads live (data-media-url); pasted HTML with any other image drops it.
function isOurImage(src, mediaUrl) {
  if (!src || !mediaUrl) return false;
  try {
    const url = new URL(src, window.location.href);
    const media = new URL(mediaUrl, window.location.href);
    return url.origin === media.origin && url.pathname.startsWith(media.pathname);
  } catch {
    return false;
  }
}

function bylineImage(mediaUrl) {
  return prose.Image.extend({
    parseHTML() {
      return [
        {
          tag: "img[src]",
          getAttrs: (element) => (isOurImage(element.getAttribute("src"), mediaUrl) ? null : false),
        },
      ];
    },
  });
}

// The image the selection is on or in (its figure), with its position; null if none.
function selectedImage({ selection }) {
  if (selection.node?.type.name === "image") return { pos: selection.from, node: selection.node };
  const { $from } = selection;
  for (let depth = $from.depth; depth > 0; depth--) {
    const node = $from.node(depth);
    if (node.type.name !== "figure") continue;
    let found = null;
    node.forEach((child, offset) => {
      if (child.type.name === "image") found = { pos: $from.start(depth) + offset, node: child };
    });
    return found;
  }
  if (selection.node?.type.name === "figure") {
    const child = selection.node.firstChild;
    if (child?.type.name === "image") return { pos: selection.from + 1, node: child };
  }
  return null;
}

// The image button asks the page for an upload (static/js/editor.js answers with its dialog)
// instead of the bundle's dialog, which asks for a URL.
const BylineFigure = prose.Figure.extend({
  addCommands() {
    return {
      ...this.parent?.(),
      editImage:
        () =>
        ({ editor, state, dispatch }) => {
          const image = selectedImage(state);
          if (!dispatch) return !!image || prose.canInsertNode(state, state.schema.nodes.figure);
          editor.view.dom.dispatchEvent(
            new CustomEvent("byline:image-request", { bubbles: true, detail: { editor, image } }),
          );
          return true;
        },
    };
  },
});

// Typing right after a link must not make the link longer. Tiptap's Link is inclusive whenever
// autolink is on, which it is by default.
const BylineLink = prose.Link.extend({
  inclusive() {
    return false;
  },
});

// Dropped or pasted image files open the upload dialog (which asks for the alt text) instead
// of the browser inserting them as data: URLs.
const ImageFiles = prose.Extension.create({
  name: "bylineImageFiles",
  addProseMirrorPlugins() {
    const editor = this.editor;
    const images = (transfer) =>
      [...(transfer?.files || [])].filter((file) => file.type.startsWith("image/"));
    const request = (file, pos) => {
      editor.view.dom.dispatchEvent(
        new CustomEvent("byline:image-request", {
          bubbles: true,
          detail: { editor, file, pos },
        }),
      );
    };
    return [
      new prose.Plugin({
        props: {
          handlePaste(_view, event) {
            const files = images(event.clipboardData);
            if (!files.length) return false;
            request(files[0], null);
            return true;
          },
          handleDrop(view, event) {
            const files = images(event.dataTransfer);
            if (!files.length) return false;
            const at = view.posAtCoords({ left: event.clientX, top: event.clientY });
            request(files[0], at ? at.pos : null);
            return true;
          },
        },
      }),
    ];
  },
});

// Issue 18: the break before the part of a story for supporters, <hr data-break="supporters">,
// the one marker core.sanitizer keeps. Its rule outranks the divider's, so it survives loading;
// a story has one, so placing it again moves it to the cursor.
const SupportersBreak = prose.Node.create({
  name: "supportersBreak",
  group: "block",
  atom: true,
  selectable: true,
  parseHTML() {
    return [{ tag: 'hr[data-break="supporters"]', priority: 60 }];
  },
  renderHTML() {
    return ["hr", { "data-break": "supporters" }];
  },
  addCommands() {
    return {
      setSupportersBreak:
        () =>
        ({ state, chain }) => {
          const found = [];
          state.doc.descendants((node, pos) => {
            if (node.type.name === "supportersBreak") found.push(pos);
          });
          let steps = chain();
          // From the last, so the earlier positions still hold.
          for (const pos of found.reverse()) steps = steps.deleteRange({ from: pos, to: pos + 1 });
          return steps.insertContent({ type: "supportersBreak" }).run();
        },
    };
  },
  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "supportersBreak",
      groups: "nodes",
      command(editor) {
        editor.chain().focus().setSupportersBreak().run();
      },
      button: buttons.material("lock", LABELS.supportersBreak),
      option: prose.crel("p", { textContent: LABELS.supportersBreak }),
      active: () => false,
      enabled: (editor) => editor.isEditable,
    });
  },
});

// Readable names for the toolbar: each button's accessible name and its tooltip (title).
const LABELS = {
  heading2: "Heading",
  heading3: "Subheading",
  paragraph: "Paragraph",
  bulletList: "Bulleted list",
  orderedList: "Numbered list",
  blockquote: "Quote",
  horizontalRule: "Divider line",
  figure: "Image: upload from your device",
  bold: "Bold (Ctrl+B)",
  italic: "Italic (Ctrl+I)",
  strike: "Strikethrough",
  link: "Link (Ctrl+K): select text first",
  unlink: "Remove link",
  "history:undo": "Undo (Ctrl+Z)",
  "history:redo": "Redo (Ctrl+Shift+Z)",
  imageBlock: "Image",
  dividerBlock: "Divider line",
  supportersBreak: "Supporters only from here: readers who don’t pledge stop at this break",
  breakBlock: "Supporters break",
};

// The block-type dropdown shows the type of the block the cursor is in. The bundle knows
// headings and paragraphs only and shows "?" anywhere else; these two name the other blocks.
const BlockTypes = prose.Extension.create({
  name: "bylineBlockTypes",
  addMenuItems({ menu, buttons }) {
    const define = (name, icon, nodeName) => {
      menu.defineItem({
        name,
        groups: "blockType",
        priority: 0,
        button: buttons.material(icon, LABELS[name]),
        option: prose.crel("p", { textContent: LABELS[name] }),
        active: (editor) => editor.isActive(nodeName),
        hidden: (editor) => !editor.isActive(nodeName),
        command() {},
      });
    };
    define("imageBlock", "image", "figure");
    define("dividerBlock", "horizontal_rule", "horizontalRule");
    define("breakBlock", "lock", "supportersBreak");
  },
});

function overrides(mediaUrl) {
  return { Image: bylineImage(mediaUrl), Figure: BylineFigure, Link: BylineLink };
}

function extensionsFrom(config, mediaUrl) {
  const replaced = overrides(mediaUrl);
  const extensions = [];
  for (const [name, options] of Object.entries(config.extensions || {})) {
    const extension = replaced[name] || prose[name];
    if (!extension) continue; // an extension this bundle does not ship: the server allows none
    extensions.push(typeof options === "object" ? extension.configure(options) : extension);
  }
  if (config.extensions?.Figure) extensions.push(ImageFiles);
  if (config.extensions?.HorizontalRule) extensions.push(SupportersBreak);
  if (config.extensions?.Menu) extensions.push(BlockTypes);
  return extensions;
}

function labelMenu(wrapper, editor) {
  for (const button of wrapper.querySelectorAll(".prose-menubar__button[data-name]")) {
    const label = LABELS[button.dataset.name];
    if (!label) continue;
    button.title = label;
    button.setAttribute("aria-label", label);
  }
  // The dropdown's face is a <div>: make it a button for the keyboard and screen readers,
  // named after the type of the block the cursor is in.
  for (const face of wrapper.querySelectorAll(".prose-menubar__selected")) {
    face.setAttribute("role", "button");
    face.tabIndex = 0;
    face.setAttribute("aria-haspopup", "true");
    const name = () => {
      const label = `Block type: ${LABELS[blockType(editor)]}`;
      if (face.getAttribute("aria-label") !== label) {
        face.setAttribute("aria-label", label);
        face.title = label;
      }
    };
    name();
    editor.on("transaction", name);
    face.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        face.click();
      }
    });
    // The face shows a copy of the active item's button; a button inside a button confuses
    // screen readers and keyboards alike, so the copy becomes a picture of one.
    const flatten = () => {
      for (const copy of face.querySelectorAll("button")) {
        const picture = document.createElement("span");
        picture.className = copy.className;
        picture.textContent = copy.textContent;
        if (copy.dataset.level) picture.dataset.level = copy.dataset.level;
        picture.setAttribute("aria-hidden", "true");
        copy.replaceWith(picture);
      }
    };
    flatten();
    new MutationObserver(flatten).observe(face, { childList: true });
  }
}

function blockType(editor) {
  if (editor.isActive("heading", { level: 2 })) return "heading2";
  if (editor.isActive("heading", { level: 3 })) return "heading3";
  if (editor.isActive("figure")) return "imageBlock";
  if (editor.isActive("horizontalRule")) return "dividerBlock";
  if (editor.isActive("supportersBreak")) return "breakBlock";
  return "paragraph";
}

function createEditor(textarea) {
  const config = JSON.parse(textarea.getAttribute(ATTRIBUTE) || "{}");
  const disabled = textarea.hasAttribute("disabled");
  const mediaUrl = textarea.closest("[data-media-url]")?.dataset.mediaUrl || "";
  const wrapper = prose.crel("div", { className: disabled ? "prose-editor disabled" : "prose-editor" });
  // The body the page painted before this module loaded (templates/stories/editor.html) gives
  // way to the editor in the same place and at the same size: no layout shift.
  const painted = textarea.previousElementSibling;
  if (painted?.matches("[data-editor-static]")) painted.replaceWith(wrapper);
  else textarea.before(wrapper);
  wrapper.append(textarea);
  const placeholder = config.extensions?.Placeholder?.placeholder;
  const editor = new prose.Editor({
    element: wrapper,
    editable: !disabled,
    extensions: extensionsFrom(config, mediaUrl),
    content: textarea.value,
    injectCSS: false,
    editorProps: {
      // "prose": the published story's typography, so the editor looks like the story page.
      attributes: {
        class: "prose",
        spellcheck: "true",
        ...(placeholder ? { "aria-placeholder": placeholder } : {}),
      },
    },
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
  // Tiptap builds the menu on "create", just after the constructor returns.
  editor.on("create", () => {
    // The menu hides the buttons that do not apply on its first transaction; until then it
    // shows them all, three rows that push the body down for a frame. An empty transaction
    // (no change to the text, none to the history) settles it before anything is painted.
    editor.view.dispatch(editor.state.tr.setMeta("addToHistory", false));
    labelMenu(wrapper, editor);
  });
  return editor;
}

prose.initializeEditors((textarea) => {
  if (textarea.closest(".prose-editor")) return;
  const editor = createEditor(textarea);
  textarea.dispatchEvent(
    new CustomEvent("prose-editor:ready", { detail: { editor, textarea }, bubbles: true }),
  );
}, `[${ATTRIBUTE}]`);
