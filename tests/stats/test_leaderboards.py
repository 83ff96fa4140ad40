"""The leaderboards: scores and places per metric and period, ties, hidden read counts,
suspended creators, the refresh command, and the page (fixed queries, hostile query strings)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from creators.models import User
from insights.models import Insight
from stats.leaderboards import BOARD_SIZE, board_rows, leaderboards_refresh, month_start
from stats.models import LeaderboardEntry, LeaderboardRefresh, Read
from stories.models import Story, validate_community_slug
from support.models import LedgerEntry, Pledge, PledgePayment, Tip
from support.services import payment_refund, tip_create
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices

URL = "/leaderboard/"
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
THIS_MONTH = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
LAST_MONTH = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

_keys = itertools.count(1)
_refs = itertools.count(1)


def read(story: Story, at: datetime, n: int = 1) -> None:
    Read.objects.bulk_create(
        Read(story=story, reader_key=f"lb-{next(_keys)}", day=at.date(), created_at=at)
        for _ in range(n)
    )


def insight(story: Story, at: datetime) -> None:
    Insight.objects.create(
        story=story, reader=make_user(), rating=default_choices().good, created_at=at
    )


def tip(creator, amount: int, at: datetime, *, currency: str = "usd") -> Tip:
    """A paid tip and its ledger charge, at a chosen time."""
    paid = Tip.objects.create(
        creator=creator,
        email="reader@example.com",
        amount=amount,
        currency=currency,
        status=Tip.Status.SUCCEEDED,
        gateway="offline",
        created_at=at,
        paid_at=at,
    )
    LedgerEntry.objects.create(
        creator=creator,
        kind=LedgerEntry.Kind.CHARGE,
        amount=amount,
        currency=currency,
        tip=paid,
        created_at=at,
    )
    return paid


def pledge_payment(creator, amount: int, at: datetime) -> None:
    pledge = Pledge.objects.create(
        supporter=make_user(),
        creator=creator,
        amount=amount,
        currency="usd",
        status=Pledge.Status.ACTIVE,
        gateway="offline",
    )
    payment = PledgePayment.objects.create(
        pledge=pledge,
        amount=amount,
        currency="usd",
        status=PledgePayment.Status.SUCCEEDED,
        period_start=at,
        period_end=at + timedelta(days=30),
        gateway="offline",
        gateway_reference=f"lb-pp-{next(_refs)}",
        created_at=at,
    )
    LedgerEntry.objects.create(
        creator=creator,
        kind=LedgerEntry.Kind.CHARGE,
        amount=amount,
        currency="usd",
        pledge_payment=payment,
        created_at=at,
    )


def ranking(metric: str, period: str, now: datetime = NOW) -> list[tuple[str, int]]:
    users = dict(User.objects.values_list("pk", "username"))
    return [
        (users[row["creator_pk"]], row["score"])
        for row in board_rows(metric=metric, period=period, now=now)
    ]


@pytest.fixture
def stories(alice, carol, lifehack):
    return (
        make_story(creator=alice, community=lifehack),
        make_story(creator=carol, community=lifehack),
    )


# --- scores and places --------------------------------------------------------------------


def test_reads_this_month_and_all_time(stories):
    alice_story, carol_story = stories
    read(alice_story, LAST_MONTH, 3)
    read(alice_story, THIS_MONTH, 1)
    read(carol_story, THIS_MONTH, 2)
    assert ranking("reads", "all") == [("alice", 4), ("carol", 2)]
    assert ranking("reads", "month") == [("carol", 2), ("alice", 1)]


def test_insights_this_month_and_all_time(stories):
    alice_story, carol_story = stories
    insight(alice_story, LAST_MONTH)
    insight(alice_story, LAST_MONTH)
    insight(carol_story, THIS_MONTH)
    assert ranking("insights", "all") == [("alice", 2), ("carol", 1)]
    assert ranking("insights", "month") == [("carol", 1)]


def test_support_sums_tips_and_pledge_payments_in_cents(alice, carol):
    tip(alice, 500, LAST_MONTH)
    tip(alice, 250, THIS_MONTH)
    pledge_payment(carol, 300, THIS_MONTH)
    tip(carol, 199, THIS_MONTH)
    assert ranking("support", "all") == [("alice", 750), ("carol", 499)]
    assert ranking("support", "month") == [("carol", 499), ("alice", 250)]


def test_support_leaves_out_refunds_other_currencies_fees_and_payouts(alice, bob, sam, settings):
    settings.PAYMENTS_GATEWAY = "offline"
    kept, _ = tip_create(creator=alice, supporter=bob, amount=700)
    refunded, _ = tip_create(creator=alice, supporter=bob, amount=900)
    payment_refund(tip=refunded, actor=sam, reason="Asked for it back")
    tip(alice, 10_000, THIS_MONTH, currency="eur")
    kept.refresh_from_db()
    assert kept.status == Tip.Status.SUCCEEDED
    # Gross: the 7% fee is the platform's policy, the same for everyone.
    assert ranking("support", "all", now=timezone.now()) == [("alice", 700)]


def test_support_leaves_out_a_payment_lost_to_a_dispute(alice, bob, settings):
    from support.services import dispute_closed, dispute_opened

    settings.PAYMENTS_GATEWAY = "offline"
    tip_create(creator=alice, supporter=bob, amount=700)
    disputed, _ = tip_create(creator=alice, supporter=bob, amount=900)
    dispute = dispute_opened(payment=disputed, dispute_id="dp_1", amount=900, reason="fraudulent")
    assert ranking("support", "all", now=timezone.now()) == [("alice", 1_600)]  # still open
    dispute_closed(dispute=dispute, won=False)
    assert ranking("support", "all", now=timezone.now()) == [("alice", 700)]


def test_month_starts_at_midnight_in_the_sites_time_zone(settings, stories):
    settings.TIME_ZONE = "America/New_York"
    alice_story, carol_story = stories
    now = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # noon on 1 December in New York
    # 23:30 on 30 November in New York: already December in UTC, still November here.
    read(alice_story, datetime(2026, 12, 1, 4, 30, tzinfo=UTC), 5)
    # 00:30 on 1 December in New York.
    read(carol_story, datetime(2026, 12, 1, 5, 30, tzinfo=UTC), 1)
    assert month_start(now) == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
    assert ranking("reads", "month", now=now) == [("carol", 1)]
    assert ranking("reads", "all", now=now) == [("alice", 5), ("carol", 1)]


def test_board_keeps_the_top_ten(alice, lifehack):
    for n in range(BOARD_SIZE + 2):
        read(make_story(creator=make_user(), community=lifehack), THIS_MONTH, n + 1)
    scores = [score for _, score in ranking("reads", "all")]
    assert scores == list(range(BOARD_SIZE + 2, 2, -1))


# --- ties ---------------------------------------------------------------------------------


def test_a_tie_goes_to_whoever_reached_the_score_first(stories):
    alice_story, carol_story = stories
    # Alice read first, but reached 2 reads at 10:00; Carol reached 2 at 09:00.
    read(alice_story, THIS_MONTH.replace(hour=1))
    read(alice_story, THIS_MONTH.replace(hour=10))
    read(carol_story, THIS_MONTH.replace(hour=5))
    read(carol_story, THIS_MONTH.replace(hour=9))
    assert ranking("reads", "month") == [("carol", 2), ("alice", 2)]
    leaderboards_refresh(now=NOW)
    entry = LeaderboardEntry.objects.get(metric="reads", period="month", rank=1)
    assert entry.reached_at == THIS_MONTH.replace(hour=9)


def test_a_support_tie_goes_to_whoever_reached_it_first(alice, carol):
    tip(alice, 300, THIS_MONTH.replace(hour=8))
    tip(carol, 100, THIS_MONTH.replace(hour=2))
    tip(carol, 200, THIS_MONTH.replace(hour=7))
    assert ranking("support", "month") == [("carol", 300), ("alice", 300)]


def test_a_tie_at_the_same_moment_goes_to_the_older_account(stories):
    alice_story, carol_story = stories
    read(carol_story, THIS_MONTH)
    read(alice_story, THIS_MONTH)
    assert ranking("reads", "month") == [("alice", 1), ("carol", 1)]


# --- who is shown -------------------------------------------------------------------------


def test_suspended_creators_are_left_out_and_the_rest_move_up(client, stories, alice, carol):
    alice_story, carol_story = stories
    read(alice_story, THIS_MONTH, 3)
    read(carol_story, THIS_MONTH, 1)
    alice.is_active = False
    alice.save()
    leaderboards_refresh()
    assert list(LeaderboardEntry.objects.values_list("creator__username", flat=True)) == [
        "carol",
        "carol",
    ]


def test_a_creator_suspended_since_the_refresh_is_hidden_at_once(client, stories, alice):
    alice_story, carol_story = stories
    read(alice_story, timezone.now(), 3)
    read(carol_story, timezone.now(), 1)
    leaderboards_refresh()
    alice.is_active = False
    alice.save()
    places = client.get(URL + "?by=reads&period=all").context["board"].places
    assert [(p.rank, p.creator.username) for p in places] == [(1, "carol")]
    assert "Alice Walker" not in client.get(URL + "?by=reads&period=all").content.decode()


def test_hidden_read_counts_are_ranked_but_show_no_number(client, stories, carol):
    alice_story, carol_story = stories
    carol.show_read_counts = False
    carol.save()
    read(carol_story, timezone.now(), 7)
    read(alice_story, timezone.now(), 4)
    insight(carol_story, timezone.now())
    leaderboards_refresh()
    html = client.get(URL + "?by=reads&period=all").content.decode()
    assert html.index("Carol Other") < html.index("Alice Walker")
    assert "Read count hidden" in html
    assert "7 reads" not in html
    assert "4 reads" in html
    # Only the reads board hides it: the insights are hers to show.
    assert "1 insight" in client.get(URL + "?by=insights&period=all").content.decode()


# --- refresh ------------------------------------------------------------------------------


def test_refresh_command_twice_stores_the_same_boards(stories, alice):
    alice_story, carol_story = stories
    read(alice_story, timezone.now(), 2)
    read(carol_story, timezone.now(), 1)
    insight(carol_story, timezone.now())
    tip(alice, 500, timezone.now())
    out = StringIO()
    call_command("refresh_leaderboards", stdout=out)
    fields = ("metric", "period", "rank", "creator_id", "score", "reached_at")
    first = sorted(LeaderboardEntry.objects.values_list(*fields))
    call_command("refresh_leaderboards", stdout=out)
    assert sorted(LeaderboardEntry.objects.values_list(*fields)) == first
    # reads, insights and support, each this month and all time
    assert len(first) == 2 + 2 + 1 + 1 + 1 + 1
    assert LeaderboardRefresh.objects.count() == 1
    assert "8 places stored" in out.getvalue()


def test_the_page_never_counts_between_refreshes(client, stories):
    alice_story, _ = stories
    leaderboards_refresh()
    read(alice_story, timezone.now(), 3)
    assert client.get(URL + "?by=reads&period=all").context["board"].places == []
    leaderboards_refresh()
    assert len(client.get(URL + "?by=reads&period=all").context["board"].places) == 1


# --- the page -----------------------------------------------------------------------------


def test_url_and_reserved_slug():
    assert reverse("stats:leaderboard") == URL
    with pytest.raises(ValidationError):
        validate_community_slug("leaderboard")


def test_before_the_first_refresh_it_says_so_and_queues_one(
    client, stories, django_capture_on_commit_callbacks
):
    read(stories[0], timezone.now(), 2)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.get(URL)
    assert response.status_code == 200
    assert "being worked out" in response.content.decode()
    assert len(queued) == 1
    # The test backend runs the job at once: the boards are there for the next reader.
    assert LeaderboardRefresh.objects.exists()
    assert "being worked out" not in client.get(URL + "?period=all").content.decode()


def test_only_one_refresh_is_queued_while_waiting(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        client.get(URL)
        client.get(URL)
        client.get(URL + "?by=support")
    assert len(queued) == 1


def test_an_empty_board_after_a_refresh_says_nobody_is_on_it(client, db):
    leaderboards_refresh()
    html = client.get(URL).content.decode()
    assert "Nobody is on this board yet this month" in html
    assert "being worked out" not in html


def test_query_count_is_fixed(client, lifehack, django_assert_num_queries):
    for n in range(BOARD_SIZE + 3):
        story = make_story(creator=make_user(display_name=f"Creator {n}"), community=lifehack)
        read(story, timezone.now(), n + 1)
        tip(story.creator, 100 * (n + 1), timezone.now())
    leaderboards_refresh()
    for query in ("", "?by=support&period=all", "?by=insights"):
        # The refresh row, then the board with its creators.
        with django_assert_num_queries(2):
            response = client.get(URL + query)
        assert response.status_code == 200
    assert len(client.get(URL).context["board"].places) == BOARD_SIZE


def test_support_is_shown_as_money_like_the_wallet(client, alice):
    tip(alice, 123456, timezone.now())
    leaderboards_refresh()
    assert "$1,234.56" in client.get(URL + "?by=support&period=month").content.decode()


def test_links_keep_the_other_choice(client, db):
    leaderboards_refresh()
    html = client.get(URL + "?by=support&period=all").content.decode()
    assert 'href="/leaderboard/?period=month&amp;by=support"' in html
    assert 'href="/leaderboard/?period=all&amp;by=reads"' in html
    assert html.count('aria-current="page"') == 2


@pytest.mark.parametrize(
    "query",
    [
        "?by=&period=",
        "?by=READS&period=Month",
        "?by=reads%27--&period=all%27",
        "?by=%ff&period=%ff%fe",
        "?by=reads&by=<script>&period[]=all",
        "?by=" + "x" * 5000,
        "?period=0&by=1",
        "?by=get_absolute_url&period=__class__",
    ],
)
def test_hostile_query_strings_show_the_default_board(client, db, query):
    leaderboards_refresh()
    response = client.get(URL + query)
    assert response.status_code == 200
    board = response.context["board"]
    # (For ?by=reads&by=<script> the last value is the one read: not a metric, so the default.)
    assert (board.metric, board.period) == ("reads", "month")
    assert "<script>" not in response.content.decode().split("<main", 1)[-1]


def test_a_nul_in_the_query_string_is_the_sites_usual_400(client, db):
    # core.middleware refuses a NUL anywhere before any view runs: a clear page, not a 500.
    assert client.get(URL + "?by=%00&period=all%00").status_code == 400


def test_footer_links_to_the_leaderboard(client, db):
    assert 'href="/leaderboard/"' in client.get("/explore/").content.decode()
