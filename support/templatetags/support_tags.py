"""Support blocks for pages other apps own: ``{% support_actions creator user story %}`` adds the
tip and pledge forms to the story page's support box. One or two queries (support_offer).
``{% supporters_card story %}`` is the card under the free part of a story for supporters.
``{% payout_notice creator %}`` tells a creator, and only them, that readers can't pay them
until they set up payouts (a gateway such as Stripe); no query offline.

The forms are the same for every signed-in reader who does not pledge to the creator but for
the CSRF token: on the story page one rendered copy serves them all while the creator's support
settings are unchanged (core/pagecache.py).
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils.safestring import SafeString

from core import pagecache
from core.prepared import PreparedExists
from creators.models import User
from support.access import SETTINGS_ON_STORY
from support.forms import PledgeForm, TipForm
from support.gateways import get_gateway
from support.models import Pledge
from support.money import format_money
from support.selectors import payout_setup_needed, support_offer, support_settings_for

register = template.Library()


TEMPLATE = "support/_support_actions.html"


@register.simple_tag(takes_context=True)
def support_actions(
    context: template.Context, creator: User, user: User, story: Any = None
) -> SafeString:
    """Nothing when the creator cannot receive support or the viewer is the creator."""
    request = getattr(context, "request", None) or context.get("request")
    viewer = getattr(request, "user", None) or AnonymousUser()
    signed_in = viewer.is_authenticated
    role = "reader" if signed_in else "anonymous"

    def build() -> tuple[dict[str, Any], dict[str, Any]]:
        values = actions_context(context, creator, user, story)
        offer = values["offer"]
        return values, {"offer": offer is not None, "pledges": bool(offer and offer.viewer_pledge)}

    def fits(meta: dict[str, Any]) -> bool:
        # With an offer, only "do you pledge already?" is asked of the stored copy.
        return not meta["offer"] or not (signed_in and _pledges(viewer, creator))

    return pagecache.shared_block(
        context,
        request=request,
        template_name=TEMPLATE,
        key=f"support:{creator.pk}:{role}:{request.get_full_path() if request else ''}",
        owner_id=creator.pk,
        build=build,
        fits=fits,
        shareable=lambda meta: not meta["pledges"],
    )


def _pledges(viewer: User, creator: User) -> bool:
    return _live_pledge(viewer=viewer.pk, creator=creator.pk)


# Asked on every story page a signed-in reader opens whose creator takes support.
_live_pledge = PreparedExists(
    Pledge,
    lambda viewer, creator: Pledge.objects.live().filter(supporter_id=viewer, creator_id=creator),
    ("viewer", "creator"),
)


def actions_context(
    context: template.Context, creator: User, user: User, story: Any = None
) -> dict[str, Any]:
    # Inside another inclusion tag the context is new, but a RequestContext keeps its request.
    request = getattr(context, "request", None) or context.get("request")
    here = request.get_full_path() if request is not None else ""
    if not hasattr(user, "is_authenticated"):
        # Inside the support box the page's `user` is not passed on; the request has it.
        user = getattr(request, "user", None) or AnonymousUser()
    is_creator = user.is_authenticated and user.pk == creator.pk
    offer = None if is_creator else support_offer(creator=creator, viewer=user)
    if offer is None:
        return {"offer": None}
    return {
        "offer": offer,
        "creator": creator,
        "user": user,
        "story": story,
        "here": here,
        "tip_form": TipForm(
            anonymous=not user.is_authenticated,
            initial={"return_url": here, "story": story.pk if story is not None else None},
        ),
        "pledge_form": PledgeForm(initial={"return_url": here}),
        "pledge_choices": [(a, format_money(a, offer.currency)) for a in offer.pledge_amounts],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("support/_payout_notice.html", takes_context=True)
def payout_notice(context: template.Context, creator: User) -> dict[str, Any]:
    """ "Readers can’t support you yet: set up payouts", on the creator's own pages only."""
    request = getattr(context, "request", None) or context.get("request")
    viewer = getattr(request, "user", None)
    is_creator = viewer is not None and viewer.is_authenticated and viewer.pk == creator.pk
    return {"show": is_creator and payout_setup_needed(creator=creator)}


@register.simple_tag
def money(amount: int, currency: str) -> str:
    """``{% money 500 "usd" %}`` → "$5.00"."""
    return format_money(int(amount), currency)


CARD_TEMPLATE = "support/_supporters_card.html"


@register.simple_tag(takes_context=True)
def supporters_card(context: template.Context, story: Any) -> SafeString:
    """Issue 18: "This story is for <creator>'s supporters. Pledge $2.99 a month to read on."
    under the free part of a story for supporters, for a reader who may not read the rest
    (stories.access). The same for every reader but for signing in first: one copy per story
    and kind of reader is kept while the page's stamps hold; no query to make it after the
    access check, which read the creator's settings."""
    request = getattr(context, "request", None) or context.get("request")
    viewer = getattr(request, "user", None) or AnonymousUser()
    role = "reader" if viewer.is_authenticated else "anonymous"

    def build() -> tuple[dict[str, Any], dict[str, Any]]:
        return card_context(story=story, signed_in=viewer.is_authenticated), {}

    return pagecache.shared_block(
        context,
        request=request,
        template_name=CARD_TEMPLATE,
        key=f"supporters-card:{story.pk}:{role}",
        owner_id=story.creator_id,
        build=build,
        fits=lambda meta: True,
        shareable=lambda meta: True,
    )


def card_context(*, story: Any, signed_in: bool) -> dict[str, Any]:
    """The card's values: the smallest of the creator's suggested pledges is the price of
    reading on (the pledge form offers it first); no pledge button when they can't be paid."""
    creator = story.creator
    # Read with the access check on the story page (support.access); else now, 1 query.
    account = getattr(story, SETTINGS_ON_STORY, None) or support_settings_for(creator=creator)
    account.creator = creator
    receivable = account.can_receive(needs_payout_account=get_gateway().needs_payout_account)
    currency = settings.SUPPORT_CURRENCY
    pledge_url = reverse("support:pledge", kwargs={"username": creator.username})
    return {
        "story": story,
        "creator": creator,
        "receivable": receivable,
        "amount": format_money(min(account.pledge_amounts), currency),
        "pledge_url": f"{pledge_url}?story={story.pk}",
        "signed_in": signed_in,
        "here": story.get_absolute_url(),
    }


@register.inclusion_tag("support/_supporters_notice.html", takes_context=True)
def supporters_notice(context: template.Context, creator: User) -> dict[str, Any]:
    """Issue 18, in the editor beside "For my supporters": a creator who takes no pledges is
    told that their stories for supporters are open to everyone until they do. 1 query."""
    return {"show": not support_settings_for(creator=creator).accepts_support}
