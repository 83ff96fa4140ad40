"""/notifications/: the reader's notifications, newest first, marked read one by one or all at
once (POST only), and the settings page's "Notifications" form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.pagination import paginate
from notifications import services
from notifications.forms import NotificationSettingsForm
from notifications.models import Notification

PER_PAGE = 30


def get_notification_or_404(user, pk: int) -> Notification:
    """One of the reader's own notifications shown on the site; anyone else's is not found."""
    return get_object_or_404(Notification, pk=pk, recipient=user, in_app=True)


def _back_to_list(request: HttpRequest) -> HttpResponse:
    # Back to the page the button was on; anything but a plain page number is the first page.
    page = request.POST.get("page", "")
    url = reverse("notifications:list")
    return redirect(f"{url}?page={page}" if page.isdigit() and len(page) < 10 else url)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, Notification.objects.listed_for(request.user), PER_PAGE)
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_or_404(request.user, pk)
    services.notification_mark_read(notification=notification, reader=request.user)
    return _back_to_list(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.notifications_mark_all_read(reader=request.user)
    if marked:
        messages.success(request, f"Marked {marked} notification{'s' * (marked != 1)} as read.")
    return _back_to_list(request)


@login_required
@require_POST
def notification_settings(request: HttpRequest) -> HttpResponse:
    """The settings page's "Notifications" form: its own small form, like "Emails"."""
    form = NotificationSettingsForm(request.POST)
    if form.is_valid():
        services.preferences_update(user=request.user, **form.chosen())
        messages.success(request, "Your notification choices were saved.")
    else:  # checkboxes and three radios cannot be wrong, but a forged POST gets an answer
        messages.error(request, "Your notification choices could not be saved; please try again.")
    return redirect(reverse("creators:settings") + "#notifications")
