"""Challenge rules: dates at their boundaries, entering, limits, withdrawing, judging, deciding
(prizes paid once, suspended winners not paid and staff told), badges and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from challenges import services
from challenges.models import Award, Challenge, Entry, JudgingDecision
from notifications.models import Kind, Notification
from stories.models import Story
from support.models import LedgerEntry
from support.selectors import balance_of
from support.services import prize_credit
from tests.challenges.conftest import entry_story, make_challenge

Status = Challenge.Status
US = timedelta(microseconds=1)


# --- status by date ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_draft_opens_exactly_at_its_opening_time():
    opens = timezone.now() + timedelta(days=1)
    challenge = make_challenge(
        status=Status.DRAFT, opens_at=opens, closes_at=opens + timedelta(days=5)
    )
    services.challenges_advance(now=opens - US)
    challenge.refresh_from_db()
    assert challenge.status == Status.DRAFT
    assert services.challenges_advance(now=opens)["opened"] == 1
    challenge.refresh_from_db()
    assert challenge.status == Status.OPEN
    assert challenge.decisions.filter(action="status", actor=None).exists()


@pytest.mark.django_db
def test_an_open_challenge_closes_for_judging_exactly_at_its_deadline():
    challenge = make_challenge()
    services.challenges_advance(now=challenge.closes_at - US)
    challenge.refresh_from_db()
    assert challenge.status == Status.OPEN
    services.challenges_advance(now=challenge.closes_at)
    challenge.refresh_from_db()
    assert challenge.status == Status.JUDGING
    # Run again: nothing more happens.
    assert services.challenges_advance(now=challenge.closes_at) == {
        "opened": 0,
        "closed": 0,
        "decided": 0,
    }


@pytest.mark.django_db
def test_past_judging_by_it_is_decided_only_once_it_has_placings(alice, sam, lifehack):
    challenge = make_challenge()
    story = entry_story(alice, lifehack, challenge)
    entry = services.entry_create(challenge=challenge, story=story, actor=alice)
    services.challenges_advance(now=challenge.closes_at)
    services.challenges_advance(now=challenge.judging_by)
    challenge.refresh_from_db()
    assert challenge.status == Status.JUDGING  # nobody placed yet
    services.entry_shortlist(entry=entry, actor=sam, note="Strong")
    services.entry_place(entry=entry, actor=sam, place=1, reason="Moving.")
    assert services.challenges_advance(now=challenge.judging_by)["decided"] == 1
    challenge.refresh_from_db()
    assert challenge.status == Status.DECIDED
    assert balance_of(creator_id=alice.pk, currency=challenge.currency) == 10000


# --- entering ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_story_written_before_the_challenge_opened_cannot_enter(alice, lifehack):
    challenge = make_challenge()
    old = entry_story(alice, lifehack, challenge, created_at=challenge.opens_at - US)
    with pytest.raises(ValidationError, match="after the challenge opened"):
        services.entry_create(challenge=challenge, story=old, actor=alice)
    on_time = entry_story(alice, lifehack, challenge, created_at=challenge.opens_at)
    services.entry_create(challenge=challenge, story=on_time, actor=alice)
    assert Entry.objects.filter(story=on_time).exists()


@pytest.mark.django_db
def test_entries_close_exactly_at_the_deadline(alice, lifehack):
    challenge = make_challenge()
    first = entry_story(alice, lifehack, challenge)
    with pytest.raises(ValidationError, match="isn’t taking entries"):
        services.entry_create(
            challenge=challenge, story=first, actor=alice, now=challenge.closes_at
        )
    services.entry_create(
        challenge=challenge, story=first, actor=alice, now=challenge.closes_at - US
    )
    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_challenge_takes_no_entries(alice, lifehack):
    challenge = make_challenge(status=Status.DRAFT)
    story = entry_story(alice, lifehack, challenge)
    with pytest.raises(ValidationError):
        services.entry_create(challenge=challenge, story=story, actor=alice)


@pytest.mark.django_db
def test_a_draft_story_cannot_enter_but_one_awaiting_review_can(alice, lifehack):
    challenge = make_challenge()
    draft = entry_story(alice, lifehack, challenge, status=Story.Status.DRAFT)
    with pytest.raises(ValidationError, match="Submit the story"):
        services.entry_create(challenge=challenge, story=draft, actor=alice)
    waiting = entry_story(alice, lifehack, challenge, status=Story.Status.SUBMITTED)
    services.entry_create(challenge=challenge, story=waiting, actor=alice)


@pytest.mark.django_db
def test_only_your_own_story(alice, bob, lifehack):
    challenge = make_challenge()
    story = entry_story(alice, lifehack, challenge)
    with pytest.raises(Http404):
        services.entry_create(challenge=challenge, story=story, actor=bob)


@pytest.mark.django_db
def test_a_community_challenge_takes_stories_of_that_community_only(alice, lifehack):
    from tests.conftest import make_community

    other = make_community("Poetry")
    challenge = make_challenge(community=lifehack)
    story = entry_story(alice, other, challenge)
    with pytest.raises(ValidationError, match="Lifehack"):
        services.entry_create(challenge=challenge, story=story, actor=alice)


@pytest.mark.django_db
def test_the_entry_limit_per_creator(alice, bob, lifehack):
    challenge = make_challenge(max_entries_per_creator=2)
    stories = [entry_story(alice, lifehack, challenge) for _ in range(3)]
    services.entry_create(challenge=challenge, story=stories[0], actor=alice)
    services.entry_create(challenge=challenge, story=stories[1], actor=alice)
    with pytest.raises(ValidationError, match="You can enter 2 stories"):
        services.entry_create(challenge=challenge, story=stories[2], actor=alice)
    # Another creator has their own allowance.
    services.entry_create(
        challenge=challenge, story=entry_story(bob, lifehack, challenge), actor=bob
    )
    # Withdrawing one frees a place.
    services.entry_withdraw(entry=Entry.objects.get(story=stories[0]), actor=alice)
    services.entry_create(challenge=challenge, story=stories[2], actor=alice)
    assert Entry.objects.filter(creator=alice).count() == 2


@pytest.mark.django_db
def test_a_story_enters_once(alice, lifehack):
    challenge = make_challenge(max_entries_per_creator=3)
    story = entry_story(alice, lifehack, challenge)
    services.entry_create(challenge=challenge, story=story, actor=alice)
    with pytest.raises(ValidationError, match="already entered"):
        services.entry_create(challenge=challenge, story=story, actor=alice)


@pytest.mark.django_db
def test_withdrawing_is_allowed_while_open_only(alice, bob, lifehack):
    challenge = make_challenge(max_entries_per_creator=2)
    one = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    two = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    with pytest.raises(Http404):
        services.entry_withdraw(entry=one, actor=bob)
    services.entry_withdraw(entry=one, actor=alice)
    assert not Entry.objects.filter(pk=one.pk).exists()
    with pytest.raises(ValidationError, match="only while the challenge is open"):
        services.entry_withdraw(entry=two, actor=alice, now=challenge.closes_at)
    services.challenges_advance(now=challenge.closes_at)
    two.challenge.refresh_from_db()
    with pytest.raises(ValidationError):
        services.entry_withdraw(entry=two, actor=alice)


# --- judging and deciding ----------------------------------------------------------------


def _judge(entry: Entry, sam, *, place: int | None = 1, mention: bool = False) -> None:
    services.entry_shortlist(entry=entry, actor=sam, note="On the shortlist")
    services.entry_place(
        entry=entry, actor=sam, place=place, mention=mention, reason="A storm of a story."
    )


def _close(challenge: Challenge) -> Challenge:
    services.challenge_move(challenge=challenge, to=Status.JUDGING, actor=None)
    challenge.refresh_from_db()
    return challenge


@pytest.mark.django_db
def test_judging_rules_and_every_decision_is_recorded(alice, sam, lifehack):
    challenge = make_challenge()
    entry = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    _close(challenge)
    entry.refresh_from_db()
    with pytest.raises(ValidationError, match="Shortlist"):
        services.entry_place(entry=entry, actor=sam, place=1, reason="Good.")
    services.entry_shortlist(entry=entry, actor=sam, note="Vivid opening")
    with pytest.raises(ValidationError, match="public reason"):
        services.entry_place(entry=entry, actor=sam, place=1, reason="  ")
    with pytest.raises(ValidationError, match="200"):
        services.entry_place(entry=entry, actor=sam, place=1, reason="x" * 201)
    with pytest.raises(ValidationError, match="no prize for place 5"):
        services.entry_place(entry=entry, actor=sam, place=5, reason="Good.")
    services.entry_place(entry=entry, actor=sam, place=1, reason="x" * 200)
    steps = list(JudgingDecision.objects.filter(entry=entry).order_by("created_at", "pk"))
    assert [(s.action, s.actor) for s in steps] == [("shortlist", sam), ("place", sam)]
    assert steps[0].note == "Vivid opening" and steps[1].place == 1
    assert all(s.created_at for s in steps)


@pytest.mark.django_db
def test_two_entries_cannot_share_a_place(alice, bob, sam, lifehack):
    challenge = make_challenge()
    a = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    b = services.entry_create(
        challenge=challenge, story=entry_story(bob, lifehack, challenge), actor=bob
    )
    _close(challenge)
    a.refresh_from_db()
    b.refresh_from_db()
    _judge(a, sam, place=1)
    services.entry_shortlist(entry=b, actor=sam)
    with pytest.raises(ValidationError, match="Another entry"):
        services.entry_place(entry=b, actor=sam, place=1, reason="Also good.")


@pytest.mark.django_db
def test_deciding_twice_pays_each_prize_once(alice, bob, sam, lifehack):
    challenge = make_challenge(mention_amount=1000)
    first = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    mention = services.entry_create(
        challenge=challenge, story=entry_story(bob, lifehack, challenge), actor=bob
    )
    _close(challenge)
    for entry in (first, mention):
        entry.refresh_from_db()
    _judge(first, sam, place=1)
    _judge(mention, sam, place=None, mention=True)
    result = services.challenge_decide(challenge=challenge, actor=sam)
    assert result.newly_decided and not result.unpaid
    again = services.challenge_decide(challenge=challenge, actor=sam)
    assert not again.newly_decided
    prizes = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PRIZE)
    assert prizes.count() == 2
    assert balance_of(creator_id=alice.pk, currency=challenge.currency) == 10000
    assert balance_of(creator_id=bob.pk, currency=challenge.currency) == 1000
    # No fee on a prize: the platform pays it.
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.FEE).exists()
    assert Award.objects.count() == 2
    row = prizes.get(creator=alice)
    assert row.description == f"Prize: 1st place in “{challenge.title}”"


@pytest.mark.django_db
def test_the_ledger_refuses_a_second_row_for_the_same_prize(alice):
    one, made = prize_credit(creator_id=alice.pk, amount=500, currency="usd", key="k:1", note="x")
    two, again = prize_credit(creator_id=alice.pk, amount=500, currency="usd", key="k:1", note="x")
    assert made and not again and one.pk == two.pk
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            creator=alice, kind="prize", amount=500, currency="usd", prize_key="k:1"
        )


@pytest.mark.django_db
def test_a_suspended_winner_is_not_paid_and_staff_are_told(
    alice, sam, lifehack, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    challenge = make_challenge()
    entry = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    _close(challenge)
    entry.refresh_from_db()
    _judge(entry, sam)
    alice.is_active = False
    alice.save()
    # Suspended accounts' stories leave public listings, but a placed entry is still awarded:
    # the award records it as unpaid.
    with django_capture_on_commit_callbacks(execute=True):
        result = services.challenge_decide(challenge=challenge, actor=sam)
    assert not LedgerEntry.objects.filter(kind="prize").exists()
    award = Award.objects.get()
    assert award.status == Award.Status.UNPAID_SUSPENDED and award.amount == 10000
    assert [a.pk for a in result.unpaid] == [award.pk]
    staff_mail = [m for m in mail.outbox if "ops@example.com" in m.to]
    assert len(staff_mail) == 1 and "suspended" in staff_mail[0].subject
    # Reinstated, staff pay it once.
    alice.is_active = True
    alice.save()
    services.award_pay(award=award, actor=sam)
    services.award_pay(award=award, actor=sam)
    assert balance_of(creator_id=alice.pk, currency="usd") == 10000


@pytest.mark.django_db
def test_an_entry_submitted_at_the_deadline_counts_once_published(alice, sam, lifehack):
    challenge = make_challenge()
    story = entry_story(alice, lifehack, challenge, status=Story.Status.SUBMITTED)
    entry = services.entry_create(challenge=challenge, story=story, actor=alice)
    services.challenges_advance(now=challenge.closes_at)
    assert not Entry.objects.public().filter(pk=entry.pk).exists()  # not public yet
    story.status, story.published_at = Story.Status.PUBLISHED, timezone.now()
    story.save()
    assert Entry.objects.public().filter(pk=entry.pk).exists()
    entry.refresh_from_db()
    _judge(entry, sam)
    services.challenge_decide(challenge=challenge, actor=sam)
    assert balance_of(creator_id=alice.pk, currency="usd") == 10000


@pytest.mark.django_db
def test_an_unpublished_entry_cannot_be_shortlisted_nor_win(alice, bob, sam, lifehack):
    challenge = make_challenge()
    story = entry_story(alice, lifehack, challenge)
    entry = services.entry_create(challenge=challenge, story=story, actor=alice)
    _close(challenge)
    entry.refresh_from_db()
    _judge(entry, sam)
    story.status = Story.Status.DRAFT
    story.save()
    services.challenge_decide(challenge=challenge, actor=sam)
    assert not Award.objects.exists()
    assert not LedgerEntry.objects.filter(kind="prize").exists()
    assert Entry.objects.filter(pk=entry.pk).exists()  # kept, hidden, until public again
    with pytest.raises(ValidationError):
        services.entry_shortlist(entry=entry, actor=sam)


@pytest.mark.django_db
def test_deciding_gives_the_story_a_badge_and_tells_winners_and_entrants(
    alice, bob, sam, lifehack, settings, django_capture_on_commit_callbacks
):
    challenge = make_challenge(title="Rain")
    win = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    services.entry_create(
        challenge=challenge, story=entry_story(bob, lifehack, challenge), actor=bob
    )
    alice.email, bob.email = "alice@example.com", "bob@example.com"
    alice.save()
    bob.save()
    _close(challenge)
    win.refresh_from_db()
    _judge(win, sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_decide(challenge=challenge, actor=sam)
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_decide(challenge=challenge, actor=sam)
    story = Story.objects.get(pk=win.story_id)
    assert story.distinction == "1st place: Rain"
    assert story.distinction_url == "/challenges/" + challenge.slug + "/"
    won = Notification.objects.get(recipient=alice, kind=Kind.CHALLENGE)
    assert won.summary == f"“{story.title}” won 1st place in “Rain”"
    assert won.detail == "A storm of a story."
    assert won.get_absolute_url() == challenge.get_absolute_url()
    told = Notification.objects.get(recipient=bob, kind=Kind.CHALLENGE)
    assert told.summary == "The results of “Rain” are out"
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("alice@example.com", "Your story won 1st place in “Rain”"),
        ("bob@example.com", "The results of “Rain”"),
    ]


@pytest.mark.django_db
def test_staff_move_by_hand_but_not_back_from_decided(alice, sam, lifehack):
    challenge = make_challenge(status=Status.DRAFT)
    services.challenge_move(challenge=challenge, to=Status.OPEN, actor=sam)
    services.challenge_move(challenge=challenge, to=Status.JUDGING, actor=sam)
    services.challenge_move(challenge=challenge, to=Status.DECIDED, actor=sam)
    challenge.refresh_from_db()
    assert challenge.status == Status.DECIDED and challenge.decided_at
    with pytest.raises(ValidationError):
        services.challenge_move(challenge=challenge, to=Status.OPEN, actor=sam)
    assert challenge.decisions.filter(actor=sam, action="status").count() == 3


@pytest.mark.django_db
def test_the_brief_is_sanitised():
    challenge = make_challenge(brief='<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert "script" not in challenge.brief and "onclick" not in challenge.brief


def test_countdown_words():
    from challenges.models import time_left

    now = timezone.now()
    assert time_left(now + timedelta(days=3, hours=2), now) == "in 3 days"
    assert time_left(now + timedelta(hours=1), now) == "in 1 hour"
    assert time_left(now + timedelta(minutes=5), now) == "in 5 minutes"
    assert time_left(now, now) == "closed"


@pytest.mark.django_db
def test_the_scheduled_command_moves_challenges_by_date():
    import io

    from django.core.management import call_command

    past = make_challenge(closes_at=timezone.now() - timedelta(minutes=1))
    out = io.StringIO()
    call_command("advance_challenges", stdout=out)
    assert out.getvalue().strip() == "Opened 0, closed 1, decided 0."
    past.refresh_from_db()
    assert past.status == Status.JUDGING
