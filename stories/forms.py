"""The story editor's form: what a creator types, checked before any service sees it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.templatetags.static import static
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import ProseEditorWidget
from js_asset import Media, Script
from taggit.utils import edit_string_for_tags, parse_tags

from core.images import SafeImageField
from stories.importers import ImportRefused, parse_archive
from stories.models import Community, StoryContent
from stories.share import INSTANCE_MAX_LENGTH, clean_instance

MAX_TAGS = 8
MAX_BODY_CHARS = 200_000

# What the editor offers. The server-side sanitiser (core.sanitizer) stays the authority on
# what is stored; this only decides which buttons the creator sees. static/js/prose-editor.js
# swaps in Byline's own Link (typing after a link no longer extends it), Image (only images
# from our storage) and Figure (the image button uploads; it never asks for a URL).
EDITOR_EXTENSIONS: dict[str, Any] = {
    "Heading": {"levels": [2, 3]},
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Figure": True,
    "Caption": True,
    "Image": True,
    "History": True,
    # The library turns the browser's spellcheck off by default; a writing site wants it on.
    "NoSpellCheck": False,
    "Placeholder": {"placeholder": "Tell your story…"},
}
# The same prompt on the body templates/stories/editor.html paints before the editor mounts.
BODY_PLACEHOLDER = EDITOR_EXTENSIONS["Placeholder"]["placeholder"]


class EditorWidget(ProseEditorWidget):
    """The prose editor with no inline script or style, so it runs under our CSP.

    The library's media starts with an inline import map and Tiptap injects a <style> element;
    script-src and style-src 'self' refuse both. static/js/prose-editor.js starts the same
    bundle by its path and without the injected style, whose rules css/editor.css holds.
    """

    @property
    def media(self) -> Media:
        return Media(
            # Ours (Tiptap's base rules and the icon font among them, and the painted body's);
            # the loader links the library's own (see get_context) after the first paint.
            css={"all": ["css/editor.css"]},
            # Issue 21: it starts js/prose-editor.js and its bundle (145 KB compressed); editor.html
            # puts it among the scripts fetched after the first paint, which has the body
            # painted in the editor's place.
            js=[Script("js/prose-editor-loader.js", type="module")],
        )

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-stylesheet"] = static("django_prose_editor/editor.css")
        return context


class StoryForm(forms.Form):
    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    subtitle = forms.CharField(max_length=300, required=False)
    # No default: the first community alphabetically was silently picked for every new story.
    community = forms.ModelChoiceField(
        queryset=Community.objects.all(),
        empty_label="Choose a community",
        help_text="Where readers find it.",
        error_messages={
            "required": "Choose the community your story belongs to.",
            "invalid_choice": "That community no longer exists; choose another.",
        },
    )
    tags = forms.CharField(
        required=False,
        max_length=300,
        help_text=f"Up to {MAX_TAGS}, separated by commas: health, sleep, habits.",
    )
    hero_image = SafeImageField(
        required=False,
        label="Hero image",
        help_text="JPEG, PNG, WebP or GIF, up to 10 MB. Shown full width above the story.",
    )
    hero_caption = forms.CharField(max_length=300, required=False, label="Caption")
    hero_alt = forms.CharField(
        max_length=300,
        required=False,
        label="Alt text",
        help_text="Describe the image for readers who cannot see it.",
    )
    body = ProseEditorFormField(
        required=False,
        max_length=MAX_BODY_CHARS,
        config={"extensions": EDITOR_EXTENSIONS},
        preset="byline",  # the data attribute static/js/prose-editor.js looks for
        widget=EditorWidget,
        label="Story",
    )

    # Issue 18: a setting of the story, not of its text, so it is not reviewed: it applies to
    # the published story as soon as the creator saves (stories.services.story_set_for_supporters).
    for_supporters = forms.BooleanField(
        required=False,
        label="For my supporters",
        help_text="Everyone reads the title, the hero image and the story up to the "
        "“Supporters only from here” break (or its first 30 % without one); readers who pledge "
        "to you read it all. Applies when you save, without review, while you take pledges.",
    )

    def __init__(self, *args, content: StoryContent | None = None, **kwargs) -> None:
        self.content = content
        if content is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(content)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def body_placeholder(self) -> str:
        return BODY_PLACEHOLDER

    def clean_tags(self) -> list[str]:
        names = parse_tags(self.cleaned_data["tags"])
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(f"Use at most {MAX_TAGS} tags.")
        too_long = [name for name in names if len(name) > 50]
        if too_long:
            raise forms.ValidationError(f"“{too_long[0][:20]}…” is too long for a tag.")
        return names

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        has_image = bool(cleaned.get("hero_image")) or (
            cleaned.get("hero_image") is None
            and self.content is not None
            and bool(self.content.hero_image)
        )
        if has_image and not cleaned.get("hero_alt", "").strip():
            self.add_error("hero_alt", "Describe the hero image for readers who cannot see it.")
        return cleaned

    def content_data(self) -> dict[str, Any]:
        """The cleaned values in the shape the story services take."""
        data = {
            field: self.cleaned_data[field]
            for field in ("title", "subtitle", "community", "hero_caption", "hero_alt", "body")
        }
        image = self.cleaned_data.get("hero_image")
        if image is False or image:
            data["hero_image"] = image
        return data


def initial_for(content: StoryContent) -> dict[str, Any]:
    tags = getattr(content, "tag_names", None)
    if tags is None:
        tags = edit_string_for_tags(list(content.tags.all()))
    return {
        "title": content.title,
        "subtitle": content.subtitle,
        "community": content.community_id,
        "tags": tags,
        "hero_image": content.hero_image,
        "hero_caption": content.hero_caption,
        "hero_alt": content.hero_alt,
        "body": content.body,
        "for_supporters": getattr(content, "story", content).for_supporters,
    }


class ReasonForm(forms.Form):
    """Staff's reason when they send a story back: the creator reads it."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text="The creator sees this in their dashboard and in an email.",
    )


class PickForm(forms.Form):
    """Why staff picked a story: readers see it under the story in Top Stories."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
        max_length=200,
        help_text="Public, one short sentence: shown to readers with the story on the home page.",
    )


class MastodonShareForm(forms.Form):
    """The reader's Mastodon server, for the share block's Mastodon link (stories.share)."""

    instance = forms.CharField(
        label="Your Mastodon server",
        max_length=INSTANCE_MAX_LENGTH,
        help_text="Such as mastodon.social",
    )

    def clean_instance(self) -> str:
        return clean_instance(self.cleaned_data["instance"])


class ImportForm(forms.Form):
    """An archive from another platform, checked whole before the import is queued."""

    archive = forms.FileField(
        label="Your export file",
        help_text="The .zip Medium or Substack sent you, a WordPress .xml, a Ghost .json, or "
        "a .zip of Markdown files like our own export.",
        error_messages={"required": "Choose the file to import.", "empty": "The file is empty."},
    )
    community = forms.ModelChoiceField(
        queryset=Community.objects.all(),
        empty_label="Choose a community",
        help_text="Where the drafts go; you can move each one before you submit it.",
        error_messages={
            "required": "Choose the community your drafts go into.",
            "invalid_choice": "That community no longer exists; choose another.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Like the editor, no silent default, unless there is only one to choose.
        communities = list(Community.objects.all()[:2])
        if len(communities) == 1 and not self.is_bound:
            self.initial.setdefault("community", communities[0].pk)
        self.fields["archive"].widget.attrs["accept"] = ".zip,.xml,.json,application/zip"

    def clean_archive(self) -> Any:
        upload = self.cleaned_data["archive"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is too large to import (at most {filesizeformat(limit)}).",
                code="too_large",
            )
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise forms.ValidationError(
                f"This file is too large to import (at most {filesizeformat(limit)}).",
                code="too_large",
            )
        try:
            self.parsed = parse_archive(data)
        except ImportRefused as error:
            raise forms.ValidationError(str(error), code="refused") from None
        self.data_bytes = data
        return upload
