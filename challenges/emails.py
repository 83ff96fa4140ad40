"""Emails about challenges: the results to everyone who entered, and unpaid prizes to staff.

Each is a background job (core.jobs) recorded under a key naming the challenge and person
(core.mail.send_once), so a job that runs again sends nothing twice.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from core.jobs import job
from core.links import absolute
from core.mail import send_once
from creators.models import User


def _send(*, key: str, to: list[str], subject: str, template: str, **context: object) -> bool:
    to = [address for address in to if address]
    if not to:
        return False
    context["SITE_NAME"] = settings.SITE_NAME
    body = render_to_string(f"emails/{template}", context)
    return send_once(f"challenges.{key}", EmailMessage(subject, body, None, to))


@job
def send_results(*, challenge_id: int) -> int:
    """Tell each creator who entered how the challenge was decided; winners what they won."""
    from challenges.models import Challenge, Entry

    challenge = Challenge.objects.filter(pk=challenge_id, status="decided").first()
    if challenge is None:
        return 0
    best: dict[int, Entry] = {}
    for entry in Entry.objects.filter(challenge=challenge).select_related("creator", "story"):
        held = best.get(entry.creator_id)
        if held is None or _rank(entry) < _rank(held):
            best[entry.creator_id] = entry
    sent = 0
    for entry in best.values():
        creator = entry.creator
        if not creator.is_active:
            continue
        won = bool(entry.award_label)
        subject = (
            f"Your story won {entry.award_label} in “{challenge.title}”"
            if won
            else f"The results of “{challenge.title}”"
        )
        sent += _send(
            key=f"results:{challenge.pk}:{creator.pk}",
            to=[creator.email],
            subject=subject,
            template="challenges_results.txt",
            challenge=challenge,
            entry=entry,
            won=won,
            challenge_url=absolute(challenge.get_absolute_url()),
        )
    return sent


def _rank(entry) -> tuple[int, int]:
    if entry.place:
        return (0, entry.place)
    return (1, 0) if entry.honourable_mention else (2, 0)


def staff_addresses() -> list[str]:
    """Who hears about money that needs staff: ADMINS, else the active superusers."""
    admins = [address for _, address in settings.ADMINS]
    if admins:
        return admins
    return list(
        User.objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )


@job
def send_unpaid_prizes(*, award_ids: list[int]) -> int:
    """Tell staff that prizes were not paid because their winners are suspended."""
    from challenges.models import Award

    sent = 0
    for award in Award.objects.filter(pk__in=award_ids, status="unpaid_suspended").select_related(
        "challenge", "winner"
    ):
        sent += _send(
            key=f"unpaid:{award.pk}",
            to=staff_addresses(),
            subject=f"Prize not paid: {award.winner.username} is suspended",
            template="challenges_unpaid_prize.txt",
            award=award,
            admin_url=absolute(f"/admin/challenges/award/?status__exact={award.status}"),
        )
    return sent
