"""Subscribe and unsubscribe (POST only), the reader's feed, whom they follow, email unsubscribe."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.links import safe_next
from core.pagination import paginate
from creators.models import User
from subscriptions import selectors, services
from subscriptions.models import Subscription
from subscriptions.receivers import remember_pending
from subscriptions.tokens import BadToken, read_token

SUBSCRIPTIONS_PER_PAGE = 30


def get_creator_or_404(username: str, *, active_only: bool = True) -> User:
    """The creator named in the URL; a suspended one is not found (except to unsubscribe)."""
    users = User.objects.filter(is_active=True) if active_only else User.objects.all()
    return get_object_or_404(users, username=username)


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, username: str) -> HttpResponse:
    """GET: a page that asks to confirm; POST (its button, or the signed-in button): subscribe.

    Anonymous readers' buttons are GET forms that lead here, so the pages they sit on carry no
    CSRF token and one stored copy serves every anonymous reader (core/pagecache.py).
    """
    creator = get_creator_or_404(username)
    back = safe_next(request) or creator.get_absolute_url()
    if request.method == "GET":
        is_self = request.user.is_authenticated and request.user.pk == creator.pk
        return render(
            request,
            "subscriptions/subscribe_confirm.html",
            {
                "creator": creator,
                "next": back,
                "is_self": is_self,
                "subscribed": not is_self
                and selectors.is_subscribed(reader=request.user, creator=creator),
            },
        )
    if not request.user.is_authenticated:
        # Finished by receivers.complete_pending_subscription once they log in or sign up.
        remember_pending(request, creator)
        messages.info(
            request,
            f"Log in or sign up to subscribe to {creator.name}; you’ll come straight back.",
        )
        return redirect_to_login(back)
    try:
        services.subscription_create(subscriber=request.user, creator=creator)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"You’re subscribed to {creator.name}.")
    return redirect(back)


@require_POST
def unsubscribe(request: HttpRequest, username: str) -> HttpResponse:
    creator = get_creator_or_404(username, active_only=False)
    back = safe_next(request) or creator.get_absolute_url()
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    if services.subscription_delete(subscriber=request.user, creator=creator):
        messages.success(request, f"You’ve unsubscribed from {creator.name}.")
    else:
        messages.info(request, f"You weren’t subscribed to {creator.name}.")
    return redirect(back)


@login_required
def feed(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "subscriptions/feed.html",
        {"page": paginate(request, selectors.feed(request.user))},
    )


@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.followed(request.user), SUBSCRIPTIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "subscriptions/subscription_list.html", {"page": page})


# Mail clients POST here for RFC 8058 one-click unsubscribe, without cookies or a CSRF token;
# the signed token is what authorises the request.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page that asks to confirm; POST (its button, or a mail client): unsubscribe."""
    try:
        subscriber_id, creator_id = read_token(token)
    except BadToken:
        return render(request, "subscriptions/unsubscribe_invalid.html", status=400)
    users = User.objects.in_bulk([subscriber_id, creator_id])
    subscriber, creator = users.get(subscriber_id), users.get(creator_id)
    if subscriber is None or creator is None:
        # A deleted account: nothing is subscribed any more, so there is nothing to stop.
        return render(request, "subscriptions/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        removed = services.subscription_delete(subscriber=subscriber, creator=creator)
        return render(
            request, "subscriptions/unsubscribe_done.html", {"creator": creator, "removed": removed}
        )
    subscribed = Subscription.objects.filter(subscriber=subscriber, creator=creator).exists()
    return render(
        request,
        "subscriptions/unsubscribe_confirm.html",
        {"creator": creator, "subscribed": subscribed, "token": token},
    )
