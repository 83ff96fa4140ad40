"""Note pages: the form a reader sends a note with, the creator's notes (mark done, reopen,
reply once, report), the reader's sent notes, and the settings switch.

State changes are POST only. A refused note or reply (empty, too long, a passage not in the
story, too fast: a 429) comes back on its page with the reason and everything typed. A note
that is not yours is not found.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.links import safe_next
from core.pagination import paginate
from core.ratelimit import RateLimited
from notes import services
from notes.forms import NoteForm, NoteReportForm, NoteSettingsForm, ReplyForm
from notes.models import MAX_QUOTE_CHARS, Note
from stories.models import Story

NOTES_PER_PAGE = 20


def get_note_or_404(request: HttpRequest, pk: int) -> Note:
    """A note sent to the signed-in creator; anyone else's is not found."""
    notes = Note.objects.select_related("reader", "story__community", "story__creator")
    return get_object_or_404(notes.filter(creator=request.user), pk=pk)


def _published_story_or_404(story_id: int) -> Story:
    return get_object_or_404(
        Story.objects.published().select_related("creator", "community"), pk=story_id
    )


def _with_retry_after(response: HttpResponse, retry_after: int | None) -> HttpResponse:
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# --- the reader's side --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def note_new(request: HttpRequest, story_id: int) -> HttpResponse:
    """GET: the form, with the passage the reader selected (``?quote=``) shown, not editable,
    or an empty passage field to paste into. POST: send it, then back to the story."""
    story = _published_story_or_404(story_id)
    if not request.user.is_authenticated:
        # Back to this form after logging in (with the passage), never to a POST.
        url = reverse("notes:new", kwargs={"story_id": story.pk})
        quote = services.one_line(request.GET.get("quote", ""))[:MAX_QUOTE_CHARS]
        if quote:
            url += "?" + urlencode({"quote": quote})
        return redirect_to_login(url)
    refused = services.refusal(story=story, reader=request.user)
    status, retry_after = 200, None
    if request.method == "POST":
        form = NoteForm(request.POST)
        status = 400
        if refused:
            form.add_error(None, refused)
            status = 403
        elif form.is_valid():
            try:
                services.note_create(
                    story=story,
                    reader=request.user,
                    body=form.cleaned_data["body"],
                    quote=form.cleaned_data["quote"],
                    client_address=client_ip(request),
                )
            except RateLimited as error:
                form.add_error(None, error)
                status, retry_after = 429, error.retry_after
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Your note is on its way to {story.creator.name}. It and any reply are "
                    "on your notes page.",
                )
                return redirect(story.get_absolute_url())
        selected = form.data.get("selected") in {"True", "true", "1", "on"}
        quote = form.data.get("quote", "")
    else:
        quote = services.one_line(request.GET.get("quote", ""))[:MAX_QUOTE_CHARS]
        form = NoteForm(initial={"quote": quote, "selected": bool(quote)})
        selected = bool(quote)
        if quote:
            try:
                services.checked_quote(story=story, quote=quote, reader=request.user)
            except ValidationError:
                selected = False  # not from the story as it is: the reader may fix it
    # The passage is shown, not edited, only while it is one the reader selected and is fine.
    locked = bool(selected and quote and "quote" not in form.errors)
    response = render(
        request,
        "notes/note_form.html",
        {
            "story": story,
            "creator": story.creator,
            "form": form,
            "refused": refused,
            "locked": locked,
            "quote": services.one_line(quote),
        },
        status=status,
    )
    return _with_retry_after(response, retry_after)


@login_required
@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    """The notes the reader sent, newest first, with the creators' replies."""
    notes = (
        Note.objects.filter(reader=request.user)
        .select_related("creator", "story__community", "story__creator")
        .order_by("-created_at", "-pk")
    )
    return render(
        request, "notes/sent.html", {"page": paginate(request, notes, per_page=NOTES_PER_PAGE)}
    )


# --- the creator's side -------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """Notes from readers: open ones first, newest first, then those done."""
    notes = (
        Note.objects.filter(creator=request.user)
        .select_related("reader", "story__community", "story__creator")
        .inbox_order()
    )
    return render(
        request,
        "notes/inbox.html",
        {
            "page": paginate(request, notes, per_page=NOTES_PER_PAGE),
            "open_count": Note.objects.filter(creator=request.user).open().count(),
        },
    )


def _note_page(
    request: HttpRequest,
    note: Note,
    *,
    reply_form: ReplyForm | None = None,
    report_form: NoteReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "notes/note.html",
        {
            "note": note,
            "reply_form": reply_form or ReplyForm(),
            "report_form": report_form or NoteReportForm(),
            "open_reply": reply_form is not None,
            "open_report": report_form is not None,
        },
        status=status,
    )


@login_required
@require_GET
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _note_page(request, get_note_or_404(request, pk))


def _creator_first(request: HttpRequest, pk: int) -> tuple[Note | None, HttpResponse | None]:
    """The creator's note for a POST; an anonymous reader is sent to log in and back to the
    notes page, not to this POST-only URL."""
    if not request.user.is_authenticated:
        return None, redirect_to_login(reverse("notes:inbox"))
    return get_note_or_404(request, pk), None


def _back(request: HttpRequest, note: Note) -> HttpResponse:
    return redirect(safe_next(request) or reverse("notes:inbox") + f"#note-{note.pk}")


@require_POST
def note_done(request: HttpRequest, pk: int) -> HttpResponse:
    note, answer = _creator_first(request, pk)
    if answer:
        return answer
    if services.note_mark_done(note=note, actor=request.user):
        messages.success(request, f"The note from {note.reader.name} is marked done.")
    else:
        messages.info(request, "That note was already done.")
    return _back(request, note)


@require_POST
def note_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    note, answer = _creator_first(request, pk)
    if answer:
        return answer
    if services.note_reopen(note=note, actor=request.user):
        messages.success(request, f"The note from {note.reader.name} is open again.")
    else:
        messages.info(request, "That note was already open.")
    return _back(request, note)


@require_POST
def note_reply(request: HttpRequest, pk: int) -> HttpResponse:
    note, answer = _creator_first(request, pk)
    if answer:
        return answer
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.note_reply(note=note, actor=request.user, text=form.cleaned_data["reply"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your reply is on its way to {note.reader.name}.")
            return _back(request, note)
    return _note_page(request, note, reply_form=form, status=400)


@require_POST
def note_report(request: HttpRequest, pk: int) -> HttpResponse:
    note, answer = _creator_first(request, pk)
    if answer:
        return answer
    form = NoteReportForm(request.POST)
    if form.is_valid():
        try:
            created = services.note_report(
                note=note, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(
                    request, "Thank you for your report. Our moderators will look at the note."
                )
            else:
                messages.info(request, "You have already reported this note.")
            return _back(request, note)
    return _note_page(request, note, report_form=form, status=400)


@login_required
@require_POST
def note_settings(request: HttpRequest) -> HttpResponse:
    """The settings page's "Notes from readers" switch: a small form of its own."""
    form = NoteSettingsForm(request.POST)
    form.is_valid()  # a checkbox cannot be invalid; a forged value reads as "off"
    accepts = bool(form.cleaned_data.get("accepts_notes"))
    services.notes_accept(user=request.user, accepts=accepts)
    messages.success(
        request,
        "Readers can send you notes."
        if accepts
        else "Notes are off: your stories show no note button.",
    )
    return redirect(reverse("creators:settings") + "#notes")
