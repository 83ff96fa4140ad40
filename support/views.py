"""Support pages: the Stripe webhook, creator settings, tips, pledges, supporting, wallet."""

from __future__ import annotations

import json
import logging

import stripe
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import ratelimit
from creators.models import User
from stories.models import Story
from support.charts import income_chart
from support.forms import (
    PledgeChangeForm,
    PledgeForm,
    SupportSettingsForm,
    TipForm,
    TransactionFilterForm,
    local_path,
)
from support.gateways import get_gateway
from support.models import Pledge, Tip
from support.money import format_money
from support.selectors import (
    SupportOffer,
    active_pledges,
    income_by_month,
    open_disputes,
    support_offer,
    support_settings_for,
    supporter_pledges,
    supporter_tips,
    supporters,
    transactions,
    wallet_summary,
)
from support.services import (
    payout_account_connect,
    pledge_cancel,
    pledge_change_amount,
    pledge_create,
    pledge_resume,
    support_settings_update,
    tip_create,
)
from support.signals import pledge_started
from support.webhooks import MalformedEvent, stripe_event_process

logger = logging.getLogger(__name__)

# Stripe signs the delivery time; an older one is refused as a possible replay.
SIGNATURE_TOLERANCE_SECONDS = 300


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is the check.
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify a Stripe event and apply it once.

    400: bad or missing signature, stale timestamp, a body that is not an event, or an event
    with a field of the wrong shape (logged, nothing recorded).
    200: applied, ignored (an event type we do not handle, recorded) or a duplicate.
    404: Stripe is not configured. 500 (raised): applying failed; Stripe will deliver again.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise Http404("Stripe is not configured.")
    payload = request.body
    try:
        stripe.Webhook.construct_event(
            payload,
            request.headers.get("Stripe-Signature"),
            secret,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
        event = json.loads(payload)
    except stripe.SignatureVerificationError as error:
        logger.warning("Stripe webhook refused: %s", error)
        return JsonResponse({"error": "invalid signature"}, status=400)
    except (ValueError, TypeError, AttributeError):  # not UTF-8, not JSON, not an object
        return JsonResponse({"error": "invalid payload"}, status=400)
    if not (
        isinstance(event, dict)
        and isinstance(event.get("id"), str)
        and isinstance(event.get("type"), str)
        and event["id"]
    ):
        return JsonResponse({"error": "not an event"}, status=400)
    try:
        outcome = stripe_event_process(event=event)
    except MalformedEvent as error:
        # Signed by Stripe but not of the shape its API documents: nothing was recorded, and
        # staff need the reason, since a later delivery will be refused the same way.
        logger.warning("Stripe webhook refused a malformed event %s: %s", event["id"], error)
        return JsonResponse({"error": "malformed event", "detail": str(error)}, status=400)
    return JsonResponse({"received": True, "outcome": outcome})


# --- reader and creator pages ----------------------------------------------------------------

SUPPORT_PAGE_SIZE = 25


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _offer_or_404(creator: User, viewer) -> SupportOffer:
    offer = support_offer(creator=creator, viewer=viewer)
    if offer is None:
        raise Http404("This creator does not take support.")
    return offer


@login_required
def support_settings(request: HttpRequest) -> HttpResponse:
    """/settings/support/: turn support on or off and set the three suggested pledges."""
    account = support_settings_for(creator=request.user)
    currency = settings.SUPPORT_CURRENCY
    if request.method == "POST":
        form = SupportSettingsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                support_settings_update(
                    creator=request.user,
                    accepts_support=data["accepts_support"],
                    pledge_amounts=[data[f"pledge_amount_{n}"] for n in (1, 2, 3)],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Your support settings were saved.")
                return redirect("support:settings")
    else:
        form = SupportSettingsForm(
            initial={
                "accepts_support": account.accepts_support,
                **{
                    f"pledge_amount_{n}": format_money(amount, currency).lstrip("$")
                    for n, amount in enumerate(account.pledge_amounts, start=1)
                },
            }
        )
    return render(
        request,
        "support/settings.html",
        {
            "form": form,
            "account": account,
            "needs_payout_account": get_gateway().needs_payout_account,
        },
    )


@login_required
@require_POST
def payouts_connect(request: HttpRequest) -> HttpResponse:
    """/settings/support/payouts/: send the creator to set up their payout account (Stripe
    Connect onboarding), which brings them back to the settings page's Payouts section."""
    back = reverse("support:settings") + "#payouts"
    try:
        url = payout_account_connect(creator=request.user, return_url=back, refresh_url=back)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect(back)
    return redirect(url)


def _story_for(creator: User, story_id) -> Story | None:
    if not story_id:
        return None
    return Story.objects.filter(pk=story_id, creator=creator).first()


def tip_choices(query) -> dict[str, str]:
    """What the story page's GET tip form chose, as the tip form's initial values."""
    chosen = {name: query[name][:200] for name in ("preset", "other_amount") if query.get(name)}
    # Hidden fields: a value the reader cannot see must not be one the form would refuse.
    if query.get("story", "").isdigit():
        chosen["story"] = query["story"]
    if return_url := local_path(query.get("return_url", "")):
        chosen["return_url"] = return_url
    return chosen


def tip(request: HttpRequest, username: str) -> HttpResponse:
    """/support/tip/<username>/: GET shows the tip form; POST starts the tip."""
    creator = get_object_or_404(User, username=username, is_active=True)
    offer = _offer_or_404(creator, request.user)
    is_self = request.user.is_authenticated and request.user.pk == creator.pk
    anonymous = not request.user.is_authenticated
    if request.method == "POST":
        form = TipForm(request.POST, anonymous=anonymous)
    else:
        # The story page's tip box for anonymous readers is a GET form (no CSRF token on a
        # page stored for everyone) that lands here with the amount and story chosen.
        form = TipForm(anonymous=anonymous, initial=tip_choices(request.GET))
    retry_after = None
    if request.method == "POST":
        if is_self:
            form.add_error(None, "You can’t tip yourself.")
        elif form.is_valid():
            data = form.cleaned_data
            story = _story_for(creator, data.get("story"))
            try:
                # Before the gateway: with Stripe, every try would open a Checkout session.
                ratelimit.take_for_request(request, "tip")
                made, next_url = tip_create(
                    creator=creator,
                    amount=data["amount"],
                    supporter=request.user if request.user.is_authenticated else None,
                    email=data.get("email", ""),
                    message=data.get("message", ""),
                    story=story,
                    return_url=data.get("return_url", ""),
                )
            except ratelimit.RateLimited as error:
                form.add_error(None, error)
                retry_after = error.retry_after
            except ValidationError as error:
                form.add_error(None, _errors(error))
            else:
                if made.status == made.Status.SUCCEEDED:
                    messages.success(
                        request,
                        f"Thank you! Your {made.display_amount} tip reached {creator.name}.",
                    )
                return redirect(next_url)
    response = render(
        request,
        "support/tip.html",
        {"creator": creator, "offer": offer, "form": form, "is_self": is_self},
        status=(429 if retry_after else 400) if request.method == "POST" else 200,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def pledge(request: HttpRequest, username: str) -> HttpResponse:
    """/support/pledge/<username>/: start a monthly pledge (signed-in readers only).

    GET is the pledge page a story for supporters links to (`?story=<id>`: the pledge is
    recorded as started from it, and the reader comes back to it); POST starts the pledge.
    """
    creator = get_object_or_404(User, username=username, is_active=True)
    if not request.user.is_authenticated:
        if request.method != "POST":
            return redirect_to_login(request.get_full_path())
        back = local_path(request.POST.get("return_url", "")) or creator.get_absolute_url()
        return redirect_to_login(back)
    if request.method != "POST":
        return _pledge_page(request, creator)
    offer = _offer_or_404(creator, request.user)
    form = PledgeForm(request.POST)
    retry_after = None
    if form.is_valid():
        try:
            ratelimit.take_for_request(request, "pledge")
            made, next_url = pledge_create(
                supporter=request.user,
                creator=creator,
                amount=form.cleaned_data["pledge_amount"],
                return_url=form.cleaned_data.get("return_url", ""),
                story=_story_for(creator, form.cleaned_data.get("story")),
            )
        except ratelimit.RateLimited as error:
            form.add_error(None, error)
            retry_after = error.retry_after
        except ValidationError as error:
            form.add_error("amount", _errors(error))
        else:
            pledge_started.send(sender=Pledge, pledge=made, request=request)
            if made.status == Pledge.Status.ACTIVE:
                messages.success(
                    request,
                    f"Thank you! You now pledge {made.display_amount} a month to {creator.name}.",
                )
            return redirect(next_url)
    response = render(
        request,
        "support/pledge.html",
        {
            "creator": creator,
            "offer": offer,
            "form": form,
            "user": request.user,
            "typed": request.POST.get("amount", ""),
            "return_url": form.cleaned_data.get("return_url", "") if form.is_bound else "",
            "story_id": form.cleaned_data.get("story") or "",
            "pledge_choices": [(a, format_money(a, offer.currency)) for a in offer.pledge_amounts],
        },
        status=429 if retry_after else 400,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _pledge_page(request: HttpRequest, creator: User) -> HttpResponse:
    """The pledge form on a page of its own, from the card of a story for supporters."""
    offer = _offer_or_404(creator, request.user)
    story = None
    if request.GET.get("story", "").isdigit():
        story = _story_for(creator, int(request.GET["story"]))
    back = story.get_absolute_url() if story is not None else creator.get_absolute_url()
    return render(
        request,
        "support/pledge.html",
        {
            "creator": creator,
            "offer": offer,
            "form": PledgeForm(),
            "user": request.user,
            "return_url": back,
            "story": story,
            "story_id": story.pk if story is not None else "",
            "pledge_choices": [(a, format_money(a, offer.currency)) for a in offer.pledge_amounts],
        },
    )


@login_required
def supporting(request: HttpRequest) -> HttpResponse:
    """/supporting/: the reader's pledges (change, cancel, resume) and tips with receipts."""
    return _supporting_page(request)


def _supporting_page(
    request: HttpRequest, *, refused: dict[str, object] | None = None
) -> HttpResponse:
    """The supporting page; `refused` (pk, value, error) is a change of amount that was refused,
    shown at its pledge with what the reader typed, so they can correct it."""
    return render(
        request,
        "support/supporting.html",
        {
            "pledges": supporter_pledges(supporter=request.user),
            "tips": supporter_tips(supporter=request.user)[:100],
            "currency": settings.SUPPORT_CURRENCY,
            "refused": refused,
        },
        status=400 if refused else 200,
    )


def _own_pledge_or_404(request: HttpRequest, pk: int) -> Pledge:
    return get_object_or_404(supporter_pledges(supporter=request.user), pk=pk)


@login_required
@require_POST
def pledge_change(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_pledge_or_404(request, pk)
    form = PledgeChangeForm(request.POST)
    if not form.is_valid():
        problem = _errors(ValidationError(form.errors["amount"]))
    else:
        try:
            changed = pledge_change_amount(
                pledge=found, amount=form.cleaned_data["amount"], actor=request.user
            )
        except ValidationError as error:
            problem = _errors(error)
        else:
            messages.success(
                request,
                f"You now pledge {changed.display_amount} a month to {changed.creator.name}.",
            )
            return redirect("support:supporting")
    # Refused: the page again, with what was typed and why, beside that pledge's field.
    typed = form["amount"].value() or ""
    return _supporting_page(request, refused={"pk": found.pk, "value": typed, "error": problem})


@login_required
@require_POST
def pledge_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_pledge_or_404(request, pk)
    try:
        cancelled = pledge_cancel(pledge=found, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        if cancelled.cancel_at_period_end and cancelled.current_period_end:
            until = f"; it runs until {cancelled.current_period_end:%-d %B}"
        else:
            until = ""
        messages.success(request, f"Your pledge to {cancelled.creator.name} is cancelled{until}.")
    return redirect("support:supporting")


@login_required
@require_POST
def pledge_resume_view(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_pledge_or_404(request, pk)
    try:
        resumed = pledge_resume(pledge=found, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, f"Your pledge to {resumed.creator.name} is running again.")
    return redirect("support:supporting")


@login_required
def wallet(request: HttpRequest) -> HttpResponse:
    """/wallet/: the creator's figures (with what disputes hold and what is owed), income
    chart, transaction history and supporters."""
    creator = request.user
    currency = settings.SUPPORT_CURRENCY
    summary = wallet_summary(creator=creator)
    months = income_by_month(creator=creator)
    filters = TransactionFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    entries = transactions(
        creator=creator, kind=data.get("kind") or None, start=data.get("start"), end=data.get("end")
    )
    page = Paginator(entries, SUPPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    tips_received = (
        Tip.objects.filter(creator=creator, status=Tip.Status.SUCCEEDED)
        .select_related("supporter")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "support/wallet.html",
        {
            "summary": summary,
            "currency": currency,
            "chart": income_chart(months, currency),
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "supporters": supporters(creator=creator)[:100],
            "tips_received": tips_received,
            "pledges": active_pledges(creator=creator),
            "account": support_settings_for(creator=creator),
            "disputes": open_disputes(creator=creator),
        },
    )
