"""What readers and creators type about notes: the note, the reply, a report, the switch."""

from __future__ import annotations

from django import forms

from core.forms import PlainTextField
from notes.models import MAX_NOTE_CHARS, MAX_QUOTE_CHARS, MAX_REPLY_CHARS, MAX_REPORT_CHARS


class PlainLabels:
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class NoteForm(PlainLabels, forms.Form):
    quote = PlainTextField(
        label="The passage your note is about",
        required=False,
        max_length=MAX_QUOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Paste the words from the story, as they appear there; or leave this empty "
        "for a note about the whole story.",
        error_messages={
            "max_length": "Quote at most %(limit_value)d characters of the story "
            "(this passage has %(show_value)d).",
        },
    )
    body = PlainTextField(
        label="Your note",
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A typo, a source, a thank-you. Only the author sees it. Plain text; links "
        "starting with http:// or https:// become clickable.",
        error_messages={
            "required": "Write your note before sending it.",
            "max_length": "Notes can be at most %(limit_value)d characters long "
            "(this one has %(show_value)d).",
        },
    )
    # Set when the passage came from a selection on the story page: it is shown, not edited.
    selected = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ReplyForm(PlainLabels, forms.Form):
    reply = PlainTextField(
        label="Your reply",
        max_length=MAX_REPLY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent once, privately: emailed to the reader and shown on their notes page.",
        error_messages={
            "required": "Write your reply before sending it.",
            "max_length": "Replies can be at most %(limit_value)d characters long "
            "(this one has %(show_value)d).",
        },
    )


class NoteReportForm(PlainLabels, forms.Form):
    reason = PlainTextField(
        label="Why should our moderators look at this note?",
        max_length=MAX_REPORT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: spam, harassment or threats. The reader is not told.",
        error_messages={
            "required": "Tell us briefly what is wrong with this note.",
            "max_length": "Keep the reason to %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
    )


class NoteSettingsForm(PlainLabels, forms.Form):
    accepts_notes = forms.BooleanField(
        required=False,
        label="Accept private notes from readers",
        help_text="Signed-in readers can select a passage of your story and send you a note "
        "about it. When this is off, your stories show no note button.",
    )
