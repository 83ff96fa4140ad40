"""What changes a challenge: entering and withdrawing, judging, moving its status (by date or by
staff) and deciding it, which pays the prizes through support's ledger exactly once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from challenges import emails
from challenges.models import Award, Challenge, Entry, JudgingDecision, Prize
from challenges.signals import challenge_decided
from core.jobs import enqueue
from creators.models import User
from stories.models import Story
from support.services import prize_credit

Status = Challenge.Status
Action = JudgingDecision.Action

# The story states an entry may be in when it is entered: published, or waiting for review
# (it counts if review publishes it, even after the deadline).
ENTERABLE = (Story.Status.PUBLISHED, Story.Status.SUBMITTED)


# --- entering --------------------------------------------------------------------------------


def entry_problem(*, challenge: Challenge, story: Story, now: datetime | None = None) -> str:
    """Why `story` cannot be entered into `challenge` now, or "" if it can."""
    now = now or timezone.now()
    if not challenge.accepts_entries(now):
        return "This challenge isn’t taking entries."
    if story.created_at < challenge.opens_at:
        return "Only stories written after the challenge opened can be entered."
    if story.status not in ENTERABLE:
        return "Submit the story for review (or publish it) before entering it."
    if challenge.community_id and story.community_id != challenge.community_id:
        return f"Only stories in {challenge.community} can be entered."
    return ""


@transaction.atomic
def entry_create(
    *, challenge: Challenge, story: Story, actor: User, now: datetime | None = None
) -> Entry:
    """Enter the actor's own story. Refused (ValidationError) when the challenge is closed,
    the story too old or not submitted, or the creator has used up their entries."""
    if story.creator_id != actor.pk or not actor.is_active:
        raise Http404("No such story.")
    # Lock the challenge: two entries at once must not both pass the limit.
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    problem = entry_problem(challenge=challenge, story=story, now=now)
    if problem:
        raise ValidationError(problem, code="not_enterable")
    if Entry.objects.filter(challenge=challenge, story=story).exists():
        raise ValidationError("This story is already entered.", code="already_entered")
    used = Entry.objects.filter(challenge=challenge, creator=actor).count()
    if used >= challenge.max_entries_per_creator:
        n = challenge.max_entries_per_creator
        raise ValidationError(
            f"You can enter {n} stor{'y' if n == 1 else 'ies'} in this challenge; withdraw one "
            "to enter another.",
            code="limit",
        )
    try:
        with transaction.atomic():
            return Entry.objects.create(
                challenge=challenge, story=story, creator=actor, created_at=now or timezone.now()
            )
    except IntegrityError as error:
        raise ValidationError("This story is already entered.", code="already_entered") from error


@transaction.atomic
def entry_withdraw(*, entry: Entry, actor: User, now: datetime | None = None) -> None:
    """The creator takes an entry back, while the challenge is open."""
    if entry.creator_id != actor.pk:
        raise Http404("No such entry.")
    entry.challenge = Challenge.objects.get(pk=entry.challenge_id)
    if not entry.challenge.accepts_entries(now):
        raise ValidationError(
            "Entries can be withdrawn only while the challenge is open.", code="closed"
        )
    entry.delete()


# --- judging ---------------------------------------------------------------------------------


def _record(
    challenge: Challenge,
    action: str,
    actor: User | None,
    *,
    entry: Entry | None = None,
    place: int | None = None,
    note: str = "",
) -> JudgingDecision:
    return JudgingDecision.objects.create(
        challenge=challenge, entry=entry, action=action, place=place, note=note[:500], actor=actor
    )


def _judging(entry: Entry) -> None:
    entry.challenge = Challenge.objects.get(pk=entry.challenge_id)  # its status now
    if entry.challenge.status not in (Status.OPEN, Status.JUDGING):
        raise ValidationError(
            "Entries are judged while the challenge is open or judging.", code="not_judging"
        )


@transaction.atomic
def entry_shortlist(*, entry: Entry, actor: User, note: str = "", on: bool = True) -> Entry:
    _judging(entry)
    if on and not Entry.objects.public().filter(pk=entry.pk).exists():
        raise ValidationError("Only a published entry can be shortlisted.", code="not_public")
    entry.shortlisted = on
    entry.shortlist_note = note[:500] if on else entry.shortlist_note
    if not on:
        entry.place, entry.honourable_mention = None, False
    entry.save(update_fields=["shortlisted", "shortlist_note", "place", "honourable_mention"])
    _record(
        entry.challenge,
        Action.SHORTLIST if on else Action.UNSHORTLIST,
        actor,
        entry=entry,
        note=note,
    )
    return entry


@transaction.atomic
def entry_place(
    *, entry: Entry, actor: User, reason: str, place: int | None = None, mention: bool = False
) -> Entry:
    """Give a shortlisted entry a place (one with a prize) or an honourable mention, with the
    public reason (up to 200 characters); neither clears it."""
    challenge = entry.challenge = Challenge.objects.get(pk=entry.challenge_id)
    if challenge.status != Status.JUDGING:
        raise ValidationError(
            "Places are given while the challenge is judging.", code="not_judging"
        )
    reason = (reason or "").strip()
    if place is None and not mention:
        entry.place, entry.honourable_mention, entry.reason = None, False, ""
        entry.save(update_fields=["place", "honourable_mention", "reason"])
        _record(challenge, Action.CLEAR, actor, entry=entry)
        return entry
    if not entry.shortlisted:
        raise ValidationError("Shortlist an entry before placing it.", code="not_shortlisted")
    if not reason:
        raise ValidationError("Give the public reason for the placing.", code="reason_required")
    if len(reason) > 200:
        raise ValidationError("Keep the reason to 200 characters.", code="reason_too_long")
    if place is not None:
        if not Prize.objects.filter(challenge=challenge, place=place).exists():
            raise ValidationError(f"This challenge has no prize for place {place}.", code="place")
        taken = Entry.objects.filter(challenge=challenge, place=place).exclude(pk=entry.pk)
        if taken.exists():
            raise ValidationError("Another entry has this place.", code="place_taken")
    entry.place, entry.honourable_mention, entry.reason = place, mention and place is None, reason
    entry.save(update_fields=["place", "honourable_mention", "reason"])
    action = Action.PLACE if place is not None else Action.MENTION
    _record(challenge, action, actor, entry=entry, place=place, note=reason)
    return entry


# --- status and deciding ---------------------------------------------------------------------


@dataclass
class Decided:
    challenge: Challenge
    paid: list[Award] = field(default_factory=list)
    unpaid: list[Award] = field(default_factory=list)
    newly_decided: bool = False


def _move(challenge: Challenge, to: str, actor: User | None) -> None:
    before = challenge.status
    challenge.status = to
    challenge.save(update_fields=["status"])
    _record(challenge, Action.STATUS, actor, note=f"{before} → {to}")


@transaction.atomic
def challenge_move(*, challenge: Challenge, to: str, actor: User | None) -> Decided | None:
    """Staff move a challenge by hand, one step or several forward (or back, before it is
    decided); moving to decided decides it."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if to not in Status.values:
        raise ValidationError("Unknown status.", code="status")
    if challenge.status == Status.DECIDED:
        raise ValidationError("A decided challenge stays decided.", code="decided")
    if to == Status.DECIDED:
        return challenge_decide(challenge=challenge, actor=actor)
    if to != challenge.status:
        _move(challenge, to, actor)
    return None


def _award_for(entry: Entry, prizes: dict[int, int], challenge: Challenge) -> tuple[str, int]:
    if entry.place:
        return entry.award_label, prizes.get(entry.place, 0)
    return entry.award_label, challenge.mention_amount


def _pay(award: Award, challenge: Challenge, actor: User | None) -> None:
    """Pay an award if it has money and its winner is active; else record why not."""
    if award.amount <= 0:
        award.status = Award.Status.NO_MONEY
    elif not award.winner.is_active:
        award.status = Award.Status.UNPAID_SUSPENDED
    else:
        row, _ = prize_credit(
            creator_id=award.winner_id,
            amount=award.amount,
            currency=challenge.currency,
            key=award.key,
            note=f"Prize: {award.label} in “{challenge.title}”",
            actor=actor,
        )
        award.status, award.ledger_entry_id = Award.Status.PAID, row.pk
    award.save()


@transaction.atomic
def challenge_decide(*, challenge: Challenge, actor: User | None) -> Decided:
    """Announce the winners: each placed or mentioned (published) entry gets an Award, its
    story a badge, and its creator the prize in their wallet, once however often this runs.
    A suspended winner is not paid; staff are told by email (and by the caller's message)."""
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status not in (Status.JUDGING, Status.DECIDED):
        raise ValidationError("Only a challenge being judged can be decided.", code="not_judging")
    result = Decided(challenge=challenge)
    prizes = dict(Prize.objects.filter(challenge=challenge).values_list("place", "amount"))
    # Published entries; a suspended creator's too, so the award is recorded and held.
    winners = (
        Entry.objects.filter(challenge=challenge, story__status=Story.Status.PUBLISHED)
        .exclude(place__isnull=True, honourable_mention=False)
        .select_related("story__community", "creator")
    )
    for entry in winners:
        label, amount = _award_for(entry, prizes, challenge)
        key = f"challenge:{challenge.pk}:entry:{entry.pk}"
        award, created = Award.objects.get_or_create(
            key=key,
            defaults={
                "challenge": challenge,
                "entry": entry,
                "winner": entry.creator,
                "label": label,
                "amount": amount,
                "status": Award.Status.NO_MONEY,
            },
        )
        if created:
            _pay(award, challenge, actor)
        (result.unpaid if award.is_unpaid else result.paid).append(award)
        story = entry.story
        distinction = f"{label}: {challenge.title}"[:120]
        if story.distinction != distinction:
            story.distinction = distinction
            story.distinction_url = challenge.get_absolute_url()
            story.save(update_fields=["distinction", "distinction_url"])
    if challenge.status != Status.DECIDED:
        result.newly_decided = True
        challenge.decided_at = timezone.now()
        challenge.status = Status.DECIDED
        challenge.save(update_fields=["status", "decided_at"])
        _record(challenge, Action.STATUS, actor, note=f"{Status.JUDGING} → {Status.DECIDED}")
        challenge_id = challenge.pk
        transaction.on_commit(lambda: challenge_decided.send(sender=Challenge, challenge=challenge))
        enqueue(emails.send_results, challenge_id=challenge_id)
    if result.unpaid:
        enqueue(emails.send_unpaid_prizes, award_ids=[award.pk for award in result.unpaid])
    return result


@transaction.atomic
def award_pay(*, award: Award, actor: User) -> Award:
    """Staff pay an award held back (its winner since reinstated)."""
    award = Award.objects.select_for_update().select_related("challenge", "winner").get(pk=award.pk)
    if award.status != Award.Status.UNPAID_SUSPENDED:
        return award
    if not award.winner.is_active:
        raise ValidationError("The winner is still suspended.", code="suspended")
    _pay(award, award.challenge, actor)
    return award


def challenges_advance(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled job: open, close and decide challenges whose dates have come. Safe to
    run twice. A challenge past its judging date is decided only once it has placings."""
    now = now or timezone.now()
    counts = {"opened": 0, "closed": 0, "decided": 0}
    for challenge in Challenge.objects.filter(
        status=Status.DRAFT, opens_at__lte=now, closes_at__gt=now
    ):
        with transaction.atomic():
            _move(challenge, Status.OPEN, None)
        counts["opened"] += 1
    for challenge in Challenge.objects.filter(
        status__in=(Status.DRAFT, Status.OPEN), closes_at__lte=now
    ):
        with transaction.atomic():
            _move(challenge, Status.JUDGING, None)
        counts["closed"] += 1
    for challenge in Challenge.objects.filter(status=Status.JUDGING, judging_by__lte=now):
        placed = Entry.objects.public().filter(challenge=challenge, place__isnull=False)
        if placed.exists():
            challenge_decide(challenge=challenge, actor=None)
            counts["decided"] += 1
    return counts
