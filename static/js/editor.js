// The story editor: autosave while typing, a warning before leaving unsaved work, and images
// inside the body uploaded through the site's image module. The server stays the authority:
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
  form.addEventListener("submit", () => {
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

  // Images inside the body.
  const picker = form.querySelector("[data-insert-image]");
  if (picker) {
    const file = picker.querySelector("input[type=file]");
    const alt = picker.querySelector("#insert-image-alt");
    const caption = picker.querySelector("#insert-image-caption");
    const note = picker.querySelector(".insert-image__status");
    const escape = (text) => {
      const span = document.createElement("span");
      span.textContent = text;
      return span.innerHTML.replaceAll('"', "&quot;");
    };
    picker.querySelector("[data-insert-image-button]").addEventListener("click", async () => {
      if (!editor) {
        note.textContent = "The editor is still loading; try again in a moment.";
        return;
      }
      if (!file.files.length) {
        note.textContent = "Choose an image first.";
        return;
      }
      if (!alt.value.trim()) {
        note.textContent = "Describe the image in the alt text first.";
        alt.focus();
        return;
      }
      const data = new FormData();
      data.append("image", file.files[0]);
      note.textContent = "Uploading…";
      try {
        const response = await fetch(form.dataset.uploadUrl, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": csrf, Accept: "application/json" },
          credentials: "same-origin",
        });
        const result = await response.json().catch(() => ({}));
        if (!response.ok) {
          note.textContent = result.error || "The upload failed; try again.";
          return;
        }
        const figcaption = caption.value.trim()
          ? `<figcaption>${escape(caption.value.trim())}</figcaption>`
          : "";
        editor
          .chain()
          .focus()
          .insertContent(
            `<figure><img src="${escape(result.url)}" alt="${escape(alt.value.trim())}">${figcaption}</figure>`,
          )
          .run();
        note.textContent = "Image inserted.";
        file.value = "";
        alt.value = "";
        caption.value = "";
        markDirty();
      } catch {
        note.textContent = "The upload failed: you seem to be offline.";
      }
    });
  }
}
