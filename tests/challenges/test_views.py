"""Challenge pages: /challenges/, a challenge's page, entering and withdrawing, the home page's
block, the editor's block, the badge on cards, and the admin's judging and deciding."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from challenges import services
from challenges.models import Award, Challenge, Entry, JudgingDecision
from stories.models import Story
from support.models import LedgerEntry
from tests.challenges.conftest import entry_story, make_challenge
from tests.conftest import make_story

Status = Challenge.Status


def _decided(alice, sam, lifehack, **fields) -> tuple[Challenge, Entry]:
    challenge = make_challenge(**fields)
    entry = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    services.challenge_move(challenge=challenge, to=Status.JUDGING, actor=sam)
    entry.refresh_from_db()
    services.entry_shortlist(entry=entry, actor=sam, note="Yes")
    services.entry_place(entry=entry, actor=sam, place=1, reason="The best rain we read.")
    services.challenge_decide(challenge=challenge, actor=sam)
    challenge.refresh_from_db()
    return challenge, entry


@pytest.mark.django_db
def test_the_list_shows_open_first_with_countdown_and_prize_total_then_decided(
    client, alice, sam, lifehack, django_assert_num_queries
):
    old, _ = _decided(alice, sam, lifehack, title="Snow")
    make_challenge(title="Rain", closes_in=timedelta(days=3, hours=1))
    make_challenge(title="Hidden", status=Status.DRAFT)
    with django_assert_num_queries(1):
        html = client.get("/challenges/").content.decode()
    assert html.index("Rain") < html.index("Snow")
    assert "Closes in 3 days" in html
    assert "$150.00 in prizes" in html
    assert "Hidden" not in html
    assert "Decided" in html


@pytest.mark.django_db
def test_the_challenge_page(client, alice, bob, lifehack, django_assert_num_queries):
    challenge = make_challenge(
        title="Rain", slug="rain", brief="<p>Write <script>x()</script>rain</p>"
    )
    older = services.entry_create(
        challenge=challenge,
        story=entry_story(alice, lifehack, challenge, title="First drops"),
        actor=alice,
    )
    Entry.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(hours=2))
    services.entry_create(
        challenge=challenge,
        story=entry_story(bob, lifehack, challenge, title="Downpour"),
        actor=bob,
    )
    # challenge, prizes, entries
    with django_assert_num_queries(3):
        response = client.get("/challenges/rain/")
    html = response.content.decode()
    assert "<script>" not in html.split("challenge__brief")[1].split("</div>")[0]
    assert 'Entries <span class="count">(2)</span>' in html
    assert html.index("Downpour") < html.index("First drops")  # newest first
    assert "Closes in" in html
    assert "Up to 2,000 words." in html
    assert "Sign in</a> to enter" in html


@pytest.mark.django_db
def test_the_challenge_page_for_a_signed_in_creator(
    client, alice, lifehack, django_assert_num_queries
):
    challenge = make_challenge(slug="rain")
    entry_story(alice, lifehack, challenge, title="Mine to enter")
    client.force_login(alice)
    # user, challenge, prizes, entries, their own entries, the stories they may enter
    with django_assert_num_queries(6):
        html = client.get("/challenges/rain/").content.decode()
    assert "Mine to enter" in html and "Enter this story" in html


@pytest.mark.django_db
def test_a_decided_challenge_shows_its_winners_with_reasons(client, alice, sam, lifehack):
    challenge, entry = _decided(alice, sam, lifehack)
    html = client.get(challenge.get_absolute_url()).content.decode()
    assert "Winners" in html and "1st place" in html and "The best rain we read." in html


@pytest.mark.django_db
def test_a_draft_challenge_is_not_found_but_by_staff(client, sam):
    make_challenge(slug="soon", status=Status.DRAFT)
    assert client.get("/challenges/soon/").status_code == 404
    client.force_login(sam)
    assert client.get("/challenges/soon/").status_code == 200
    assert client.get("/challenges/nothing-here/").status_code == 404


@pytest.mark.django_db
def test_entering_from_the_challenge_page(client, alice, bob, lifehack):
    challenge = make_challenge(slug="rain")
    story = entry_story(alice, lifehack, challenge)
    url = "/challenges/rain/enter/"
    # Anonymous: to the login page; GET: not allowed.
    assert client.post(url, {"story": story.pk}).status_code == 302
    assert not Entry.objects.exists()
    client.force_login(alice)
    assert client.get(url).status_code == 405
    # Bad input never a 500, and enters nothing.
    for bad in ["", "abc", "9" * 40, "-1", str(story.pk) + "\x00"]:
        assert client.post(url, {"story": bad}).status_code == 302
    assert not Entry.objects.exists()
    response = client.post(url, {"story": story.pk}, follow=True)
    assert Entry.objects.filter(story=story, creator=alice).exists()
    assert "is entered" in response.content.decode()
    # Someone else's story: refused, as if it did not exist.
    client.force_login(bob)
    response = client.post(url, {"story": entry_story(alice, lifehack, challenge).pk}, follow=True)
    assert Entry.objects.count() == 1
    assert "Choose one of your stories" in response.content.decode()


@pytest.mark.django_db
def test_the_limit_is_told_on_the_page(client, alice, lifehack):
    challenge = make_challenge(slug="rain")
    first, second = (entry_story(alice, lifehack, challenge) for _ in range(2))
    client.force_login(alice)
    client.post("/challenges/rain/enter/", {"story": first.pk})
    response = client.post("/challenges/rain/enter/", {"story": second.pk}, follow=True)
    html = response.content.decode()
    assert "You can enter 1 story in this challenge" in html
    assert "as many stories as this challenge allows" in html
    assert Entry.objects.count() == 1


@pytest.mark.django_db
def test_withdrawing(client, alice, bob, lifehack):
    challenge = make_challenge(slug="rain")
    entry = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    url = f"/challenges/rain/entries/{entry.pk}/withdraw/"
    client.force_login(bob)
    assert client.post(url).status_code == 404
    client.force_login(alice)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_a_withdrawn_or_unpublished_entry_leaves_the_page(client, alice, bob, lifehack):
    challenge = make_challenge(slug="rain", max_entries_per_creator=2)
    gone = entry_story(alice, lifehack, challenge, title="Taken back")
    hidden = entry_story(alice, lifehack, challenge, title="Unpublished later")
    for story in (gone, hidden):
        services.entry_create(challenge=challenge, story=story, actor=alice)
    services.entry_withdraw(entry=Entry.objects.get(story=gone), actor=alice)
    hidden.status = Story.Status.DRAFT
    hidden.save()
    html = client.get("/challenges/rain/").content.decode()
    assert "Taken back" not in html and "Unpublished later" not in html
    assert 'Entries <span class="count">(0)</span>' in html


@pytest.mark.django_db
def test_the_home_page_shows_open_challenges_under_top_stories(client, alice, lifehack):
    make_story(creator=alice, community=lifehack, picked_at=timezone.now(), pick_reason="Good")
    make_challenge(title="Rain", closes_in=timedelta(days=3, hours=1))
    make_challenge(title="Long gone", status=Status.DECIDED)
    html = client.get("/").content.decode()
    assert "Open challenges" in html and "Rain" in html and "Long gone" not in html
    top, block = html.index('id="top-heading"'), html.index('id="challenges-heading"')
    assert top < block
    assert "Closes in 3 days · $150.00 in prizes" in html


@pytest.mark.django_db
def test_the_home_block_is_kept_in_the_cache(client, bob, settings, monkeypatch):
    from core import pagecache

    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    settings.PAGE_CACHE_SECONDS = 60
    make_challenge(title="Rain")
    client.get("/")  # stores the page and the block
    from challenges.templatetags.challenge_tags import OPEN_KEY
    from core.pagecache import get_versioned

    assert get_versioned(OPEN_KEY)[0][0]["title"] == "Rain"
    # A change to a challenge empties it (its stamp), and the page with it (listing).
    make_challenge(title="Snow", closes_in=timedelta(days=1))
    assert get_versioned(OPEN_KEY) is None
    assert "Snow" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_editor_offers_to_enter_the_story(client, alice, lifehack):
    challenge = make_challenge(title="Rain", slug="rain")
    story = entry_story(alice, lifehack, challenge, status=Story.Status.SUBMITTED)
    client.force_login(alice)
    html = client.get(f"/write/{story.pk}/").content.decode()
    assert "Enter this story into a challenge" in html
    assert 'action="/challenges/rain/enter/"' in html
    client.post("/challenges/rain/enter/", {"story": story.pk, "next": f"/write/{story.pk}/"})
    html = client.get(f"/write/{story.pk}/").content.decode()
    assert "Entered in" in html


@pytest.mark.django_db
def test_a_winning_story_carries_its_badge_on_its_page_and_its_cards(
    client, alice, sam, lifehack, settings, monkeypatch
):
    from core import pagecache

    monkeypatch.setattr(pagecache, "SETTLE_SECONDS", 0)
    settings.PAGE_CACHE_SECONDS = 60
    challenge = make_challenge(title="Rain")
    story = entry_story(alice, lifehack, challenge, title="Thunder")
    assert "1st place: Rain" not in client.get("/lifehack/").content.decode()
    assert client.get("/lifehack/")["X-Page-Cache"] == "hit"  # the stored page, with its cards
    entry = services.entry_create(challenge=challenge, story=story, actor=alice)
    services.challenge_move(challenge=challenge, to=Status.JUDGING, actor=sam)
    entry.refresh_from_db()
    services.entry_shortlist(entry=entry, actor=sam)
    services.entry_place(entry=entry, actor=sam, place=1, reason="Loud.")
    services.challenge_decide(challenge=challenge, actor=sam)
    story.refresh_from_db()
    assert "1st place: Rain" in client.get("/lifehack/").content.decode()
    assert "1st place: Rain" in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_wallet_shows_the_prize(client, alice, sam, lifehack):
    _decided(alice, sam, lifehack, title="Rain")
    client.force_login(alice)
    html = client.get("/wallet/").content.decode()
    assert "Prize: 1st place in “Rain”" in html
    assert "$100.00" in html
    html = client.get("/wallet/", {"kind": "prize"}).content.decode()
    assert "Prize: 1st place" in html


# --- the admin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_create_a_challenge_with_prizes_in_the_admin(client, sam):
    sam.is_superuser = True
    sam.save()
    client.force_login(sam)
    now = timezone.now()
    fmt = "%Y-%m-%d"
    data = {
        "title": "Rain",
        "slug": "rain",
        "brief": "<p>Rain<script>x</script></p>",
        "rules": "Short.",
        "cover_alt": "",
        "opens_at_0": now.strftime(fmt),
        "opens_at_1": "00:00:00",
        "closes_at_0": (now + timedelta(days=5)).strftime(fmt),
        "closes_at_1": "00:00:00",
        "judging_by_0": (now + timedelta(days=9)).strftime(fmt),
        "judging_by_1": "00:00:00",
        "max_entries_per_creator": "1",
        "mention_amount": "0",
        "created_at_0": now.strftime(fmt),
        "created_at_1": "00:00:00",
        "prizes-TOTAL_FORMS": "2",
        "prizes-INITIAL_FORMS": "0",
        "prizes-MIN_NUM_FORMS": "0",
        "prizes-MAX_NUM_FORMS": "1000",
        "prizes-0-place": "1",
        "prizes-0-amount": "10000",
        "prizes-1-place": "2",
        "prizes-1-amount": "2500",
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "1000",
    }
    response = client.post("/admin/challenges/challenge/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    challenge = Challenge.objects.get(slug="rain")
    assert challenge.status == Status.DRAFT
    assert "script" not in challenge.brief
    assert list(challenge.prizes.values_list("amount", flat=True)) == [10000, 2500]
    client.post(
        "/admin/challenges/challenge/",
        {"action": "open_now", "_selected_action": [challenge.pk]},
    )
    challenge.refresh_from_db()
    assert challenge.status == Status.OPEN


@pytest.mark.django_db
def test_admin_judging_records_who_and_when_and_deciding_tells_of_a_suspended_winner(
    client, alice, sam, lifehack
):
    sam.is_superuser = True
    sam.save()
    challenge = make_challenge()
    entry = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    services.challenge_move(challenge=challenge, to=Status.JUDGING, actor=sam)
    client.force_login(sam)
    url = f"/admin/challenges/entry/{entry.pk}/change/"
    assert client.get(url).status_code == 200
    client.post(url, {"shortlisted": "on", "shortlist_note": "Lovely", "reason": ""})
    client.post(
        url,
        {"shortlisted": "on", "shortlist_note": "Lovely", "place": "1", "reason": "Best of all."},
    )
    entry.refresh_from_db()
    assert entry.place == 1 and entry.reason == "Best of all."
    assert list(JudgingDecision.objects.filter(entry=entry).values_list("action", "actor")) == [
        ("place", sam.pk),
        ("shortlist", sam.pk),
    ]
    alice.is_active = False
    alice.save()
    response = client.post(
        "/admin/challenges/challenge/",
        {"action": "decide", "_selected_action": [challenge.pk]},
        follow=True,
    )
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("NOT paid" in t and "alice is suspended" in t for t in texts), texts
    assert not LedgerEntry.objects.filter(kind="prize").exists()
    listed = client.get("/admin/challenges/award/", {"status__exact": "unpaid_suspended"})
    assert "Alice Walker" in listed.content.decode()
    assert Award.objects.get().status == Award.Status.UNPAID_SUSPENDED


@pytest.mark.django_db
def test_the_editor_says_nothing_of_challenges_a_story_cannot_enter(client, alice, lifehack):
    challenge = make_challenge(title="Rain", slug="rain")
    old = entry_story(alice, lifehack, challenge, created_at=challenge.opens_at - timedelta(days=1))
    client.force_login(alice)
    html = client.get(f"/write/{old.pk}/").content.decode()
    assert "Enter this story into a challenge" not in html


@pytest.mark.django_db
def test_a_refused_judging_change_is_shown_on_the_form_and_keeps_what_was_typed(
    client, alice, sam, lifehack
):
    sam.is_superuser = True
    sam.save()
    challenge = make_challenge()
    entry = services.entry_create(
        challenge=challenge, story=entry_story(alice, lifehack, challenge), actor=alice
    )
    services.challenge_move(challenge=challenge, to=Status.JUDGING, actor=sam)
    client.force_login(sam)
    url = f"/admin/challenges/entry/{entry.pk}/change/"
    # Placed without being shortlisted, and a reason too long.
    response = client.post(url, {"place": "1", "reason": "Typed words"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Shortlist an entry before placing it." in html and "Typed words" in html
    response = client.post(url, {"shortlisted": "on", "place": "1", "reason": "x" * 201})
    assert response.status_code == 200
    entry.refresh_from_db()
    assert not entry.shortlisted and entry.place is None
    assert not JudgingDecision.objects.filter(entry=entry).exists()
