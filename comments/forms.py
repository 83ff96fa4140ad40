"""What readers type about a comment: its text (new, reply or edit) and a report's reason."""

from __future__ import annotations

from django import forms

from comments.models import MAX_COMMENT_CHARS
from core.forms import PlainTextField

MAX_REPORT_CHARS = 1000


def comment_body_field(label: str) -> PlainTextField:
    return PlainTextField(
        label=label,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Plain text; links starting with http:// or https:// become clickable.",
        error_messages={
            "required": "Write something before posting.",
            "max_length": "Comments can be at most %(limit_value)d characters long "
            "(this one has %(show_value)d).",
        },
    )


class CommentForm(forms.Form):
    body = comment_body_field("Your comment")
    # Set when the comment answers another; the service checks it belongs to the same story.
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CommentEditForm(forms.Form):
    body = comment_body_field("Your comment")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ReportForm(forms.Form):
    reason = PlainTextField(
        label="Why should our moderators look at this comment?",
        max_length=MAX_REPORT_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: spam, harassment, hate, or personal information. "
        "Only our moderators see your report.",
        error_messages={
            "required": "Tell us briefly what is wrong with this comment.",
            "max_length": "Keep the reason to %(limit_value)d characters "
            "(this one has %(show_value)d).",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
