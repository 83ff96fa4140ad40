"""Support blocks for pages other apps own: ``{% support_actions creator user story %}`` adds the
tip and pledge forms to the story page's support box. One or two queries (support_offer)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from creators.models import User
from support.forms import PledgeForm, TipForm
from support.money import format_money
from support.selectors import support_offer

register = template.Library()


@register.inclusion_tag("support/_support_actions.html", takes_context=True)
def support_actions(
    context: template.Context, creator: User, user: User, story: Any = None
) -> dict[str, Any]:
    """Nothing when the creator cannot receive support or the viewer is the creator."""
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


@register.simple_tag
def money(amount: int, currency: str) -> str:
    """``{% money 500 "usd" %}`` → "$5.00"."""
    return format_money(int(amount), currency)
