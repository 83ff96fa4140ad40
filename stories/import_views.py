"""Settings → Import: upload another platform's export, watch it import, read the report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.ratelimit import RateLimited, take_for_request
from stories import imports
from stories.forms import ImportForm
from stories.models import StoryImport

RECENT_IMPORTS = 5


def get_own_import_or_404(request: HttpRequest, pk: int) -> StoryImport:
    """The signed-in creator's own import; anyone else's is not found, never forbidden."""
    return get_object_or_404(
        StoryImport.objects.defer("archive"),
        pk=pk,
        creator=request.user,
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        try:
            # Counted before the archive is opened: a refused upload costs nothing.
            take_for_request(request, "import")
        except RateLimited as error:
            form = ImportForm(request.POST)
            form.is_valid()
            form.add_error(None, error)
            response = _page(request, form, status=429)
            response["Retry-After"] = str(error.retry_after)
            return response
        if form.is_valid():
            story_import = imports.import_start(
                creator=request.user,
                community=form.cleaned_data["community"],
                data=form.data_bytes,
                filename=form.cleaned_data["archive"].name or "",
                parsed=form.parsed,
            )
            return redirect(story_import)
        status = 400
    else:
        form = ImportForm()
    return _page(request, form, status=status)


def _page(request: HttpRequest, form: ImportForm, *, status: int) -> HttpResponse:
    recent = StoryImport.objects.filter(creator=request.user).defer("archive", "report")[
        :RECENT_IMPORTS
    ]
    return render(request, "stories/import.html", {"form": form, "recent": recent}, status=status)


@login_required
@never_cache
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story_import = get_own_import_or_404(request, pk)
    return render(request, "stories/import_detail.html", {"story_import": story_import})


@login_required
@never_cache
@require_GET
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the progress script polls: how far the import is, and whether it is over."""
    story_import = get_own_import_or_404(request, pk)
    return JsonResponse(
        {
            "status": story_import.status,
            "status_display": story_import.get_status_display(),
            "done": story_import.done,
            "total": story_import.total,
            "finished": story_import.is_finished,
            "message": story_import.message,
            # The sentence the page shows, from the page's own template: the script only
            # puts it in place.
            "text": render_to_string(
                "stories/_import_progress.html", {"story_import": story_import}
            ).strip(),
        }
    )


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    story_import = get_own_import_or_404(request, pk)
    if story_import.is_finished:
        messages.info(request, "This import had already finished.")
    else:
        imports.import_cancel(story_import=story_import)
        messages.success(
            request, "Stopping after the story being imported; what was imported stays."
        )
    return redirect(story_import)
