// The story editor: autosave while typing, a warning before leaving unsaved work, and images
// inside the body uploaded through the site's image module (never linked from elsewhere). The server stays the authority:
// everything saved here is sanitised again on the server.

const form = document.getElementById("story-form");

if (form) {
  const status = form.querySelector("[data-autosave-status]");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const AUTOSAVE_DELAY = 2000;
  let editor = null;
  let dirty = false;
  let submitting = false;
  let timer = null;
  let saving = null;

  const say = (text) => {
    if (status) status.textContent = text;
  };

  const markDirty = () => {
    dirty = true;
    say("Unsaved changes");
    clearTimeout(timer);
    timer = setTimeout(autosave, AUTOSAVE_DELAY);
  };

  async function autosave() {
    if (!dirty || submitting) return;
    if (!form.elements.title.value.trim()) {
      say("Add a title to save a draft");
      return;
    }
    if (!form.elements.community.value) {
      say("Choose a community to save a draft");
      return;
    }
    if (saving) return saving;
    const data = new FormData(form);
    data.delete("hero_image"); // uploads wait for "Save"; autosave sends text only
    data.delete("hero_image-clear");
    dirty = false;
    say("Saving…");
    saving = fetch(form.dataset.autosaveUrl, {
      method: "POST",
      body: data,
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(async (response) => {
        const result = await response.json().catch(() => ({}));
        if (!response.ok || !result.saved) {
          dirty = true;
          const errors = Object.values(result.errors || {}).flat();
          say(`Not saved: ${errors[0] || "the server did not answer"}`);
          return;
        }
        // A new story exists from its first autosave on: keep editing it, not a new one.
        if (form.dataset.autosaveUrl !== result.autosave_url) {
          form.dataset.autosaveUrl = result.autosave_url;
          form.action = result.edit_url;
          history.replaceState(null, "", result.edit_url);
        }
        const time = new Date(result.saved_at).toLocaleTimeString([], {
          hour: "2-digit",
          minute: "2-digit",
        });
        say(dirty ? "Unsaved changes" : `Saved ${time}`);
      })
      .catch(() => {
        dirty = true;
        say("Not saved: you seem to be offline. Your text is still here.");
      })
      .finally(() => {
        saving = null;
      });
    return saving;
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", (event) => {
    // An autosave under way may be creating this story: submitting now would post to
    // /write/new/ and make a second one. Wait for it; it points the form at the story.
    if (saving) {
      event.preventDefault();
      const submitter = event.submitter;
      saving.then(() => form.requestSubmit(submitter));
      return;
    }
    submitting = true;
    clearTimeout(timer);
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") autosave();
  });

  const attach = (instance) => {
    if (!instance || editor === instance) return;
    editor = instance;
    editor.on("update", markDirty);
    form.classList.add("story-form--ready");
  };
  // The editable area replaces the labelled textarea, so it takes the label's name. The editor
  // may be built before or after this script runs (and may rebuild its DOM), so every editable
  // area that appears in the form is labelled and attached, whenever that happens.
  const bodyLabel = form.querySelector('label[for="id_body"]');
  const name = bodyLabel ? bodyLabel.textContent.trim() : "Story";
  const adopt = () => {
    for (const area of form.querySelectorAll('.ProseMirror[contenteditable="true"]')) {
      if (area.getAttribute("aria-label") !== name) area.setAttribute("aria-label", name);
      if (!area.hasAttribute("aria-multiline")) area.setAttribute("aria-multiline", "true");
      if (area.closest(".prose-editor") && area.editor) attach(area.editor);
    }
  };
  new MutationObserver(adopt).observe(form, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["aria-label", "contenteditable"],
  });
  document.addEventListener("prose-editor:ready", (event) => {
    if (form.contains(event.detail.textarea)) attach(event.detail.editor);
    adopt();
  });
  adopt();

  // Images inside the body: the toolbar's image button, a dropped or a pasted image file all
  // open this dialog, which asks for the alt text and uploads through the site's image module.
  // No URL is ever typed in: the site's CSP shows images from our own storage only.
  const dialog = document.querySelector("[data-image-dialog]");
  if (dialog) {
    const file = dialog.querySelector("input[type=file]");
    const alt = dialog.querySelector("input[name=alt]");
    const caption = dialog.querySelector("input[name=caption]");
    const captionField = dialog.querySelector("[data-image-dialog-caption]");
    const title = dialog.querySelector("#image-dialog-title");
    const submit = dialog.querySelector("[data-image-dialog-submit]");
    const note = dialog.querySelector("[data-image-dialog-status]");
    let request = null; // { editor, image, pos } of the open dialog

    document.addEventListener("byline:image-request", (event) => {
      if (!form.contains(event.target)) return;
      request = event.detail;
      const editing = !!request.image;
      title.textContent = editing ? "Change the image" : "Add an image";
      submit.textContent = editing ? "Save" : "Upload and insert";
      captionField.hidden = editing; // the caption is edited in place, under the image
      file.value = "";
      if (request.file) {
        const files = new DataTransfer();
        files.items.add(request.file);
        file.files = files.files;
      }
      alt.value = editing ? request.image.node.attrs.alt || "" : "";
      caption.value = "";
      note.textContent = request.file ? `Ready to upload “${request.file.name}”.` : "";
      dialog.showModal();
      (request.file || editing ? alt : file).focus();
    });

    // A complaint about the alt text or the file goes once the creator fixes it.
    dialog.addEventListener("input", () => {
      if (!submit.disabled) note.textContent = "";
    });

    dialog.addEventListener("close", () => {
      request?.editor?.commands.focus();
      request = null;
    });

    const upload = async (chosen) => {
      const data = new FormData();
      data.append("image", chosen);
      const response = await fetch(form.dataset.uploadUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      const result = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(result.error || "The upload failed; try again.");
      return result.url;
    };

    dialog.querySelector("form").addEventListener("submit", async (event) => {
      if (event.submitter?.value !== "insert") return; // Cancel closes the dialog
      event.preventDefault();
      const { editor: target, image, pos } = request || {};
      if (!target) return;
      const description = alt.value.trim();
      if (!image && !file.files.length) {
        note.textContent = "Choose an image file first.";
        file.focus();
        return;
      }
      if (!description) {
        note.textContent = "Describe the image in the alt text first.";
        alt.focus();
        return;
      }
      submit.disabled = true;
      note.textContent = file.files.length ? "Uploading…" : "";
      try {
        const src = file.files.length ? await upload(file.files[0]) : image.node.attrs.src;
        if (image) {
          target
            .chain()
            .setNodeSelection(image.pos)
            .updateAttributes("image", { src, alt: description })
            .run();
        } else {
          const content = [{ type: "image", attrs: { src, alt: description } }];
          if (caption.value.trim()) {
            content.push({ type: "caption", content: [{ type: "text", text: caption.value.trim() }] });
          }
          const figure = { type: "figure", content };
          if (pos == null) {
            target.chain().focus().insertContent(figure).run();
          } else {
            // Dropped onto a line: the image goes after that paragraph, not into its middle.
            const $pos = target.state.doc.resolve(pos);
            target.chain().focus().insertContentAt($pos.depth ? $pos.after(1) : pos, figure).run();
          }
        }
        note.textContent = "";
        dialog.close();
        markDirty();
      } catch (error) {
        note.textContent =
          error instanceof TypeError ? "The upload failed: you seem to be offline." : error.message;
      } finally {
        submit.disabled = false;
      }
    });
  }
}
