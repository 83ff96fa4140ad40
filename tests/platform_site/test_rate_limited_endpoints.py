"""Every endpoint someone could repeat to spam answers the try over its limit with a 429 that
says when to come back (keeping what was typed where there is a form), never a 500; another
account or address is not held back; the next window lets them in again."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, CommentReport
from core import ratelimit
from creators.models import User
from insights.models import Insight
from stories.models import Story
from support.models import Pledge, Tip
from support.services import support_settings_update
from tests.conftest import make_story, make_user
from tests.insights.insights_helpers import default_choices

pytestmark = pytest.mark.django_db

HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
_serial = itertools.count(1)


@dataclass
class Endpoint:
    scope: str
    doing: str  # as the refusal words it
    post: Callable[[Client], object]  # one try, as the signed-in (or not) client
    made: Callable[[], int]  # how many of the thing exist
    typed: str = ""  # what the refusal page must still show
    signed_in: bool = True


@pytest.fixture
def story(alice, lifehack) -> Story:
    support_settings_update(creator=alice, accepts_support=True)
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


def endpoints(story: Story) -> dict[str, Endpoint]:
    alice = story.creator
    rating = default_choices().nice

    def new_comment() -> Comment:
        return Comment.objects.create(story=story, author=alice, body="Report me")

    return {
        "comment": Endpoint(
            scope="comment",
            doing="commenting",
            post=lambda client: client.post(
                reverse("comments:comment_post", args=[story.pk]),
                {"body": "A carefully typed comment"},
            ),
            made=lambda: Comment.objects.exclude(body="Report me").count(),
            typed="A carefully typed comment",
        ),
        "insight": Endpoint(
            scope="insight",
            doing="saving insights",
            post=lambda client: client.post(
                reverse("insights:insight_save", args=[story.pk]), {"rating": rating.pk}
            ),
            made=lambda: Insight.objects.count(),
        ),
        "report": Endpoint(
            scope="report",
            doing="reporting comments",
            # A new comment each time: a second report of the same one is simply "already".
            post=lambda client: client.post(
                reverse("comments:comment_report", args=[new_comment().pk]),
                {"reason": "A carefully typed reason"},
            ),
            made=lambda: CommentReport.objects.count(),
            typed="A carefully typed reason",
        ),
        "tip": Endpoint(
            scope="tip",
            doing="sending tips",
            post=lambda client: client.post(
                reverse("support:tip", args=[alice.username]),
                {"preset": "other", "other_amount": "7.25", "message": "A carefully typed note"},
            ),
            made=lambda: Tip.objects.count(),
            typed="A carefully typed note",
        ),
        "anonymous tip": Endpoint(
            scope="tip",
            doing="sending tips",
            post=lambda client: client.post(
                reverse("support:tip", args=[alice.username]),
                {"preset": "500", "email": "fan@example.com", "message": "Typed anonymously"},
            ),
            made=lambda: Tip.objects.count(),
            typed="Typed anonymously",
            signed_in=False,
        ),
        "pledge": Endpoint(
            scope="pledge",
            doing="starting pledges",
            post=lambda client: client.post(
                reverse("support:pledge", args=[alice.username]), {"amount": "4.50"}
            ),
            made=lambda: Pledge.objects.count(),
            typed="4.50",
        ),
        "signup": Endpoint(
            scope="signup",
            doing="creating accounts",
            post=lambda client: client.post(
                "/accounts/signup/",
                {
                    "username": f"newcomer{(n := next(_serial))}",
                    "email": f"newcomer{n}@example.com",
                    "password1": "a long enough password 42",
                    "password2": "a long enough password 42",
                },
            ),
            made=lambda: User.objects.filter(username__startswith="newcomer").count(),
            typed="newcomer",
            signed_in=False,
        ),
    }


NAMES = ["comment", "insight", "report", "tip", "anonymous tip", "pledge", "signup"]


def limit(settings, scope: str, *, user: str = "100/m", address: str = "100/m") -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: {"user": [user], "address": [address]}}


def reader(address: str = HOME, user: User | None = None) -> Client:
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    return client


def assert_refused(response, endpoint: Endpoint) -> None:
    assert response.status_code == 429, response.status_code
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert f"You’re {endpoint.doing} faster than we allow; please try again in" in html
    assert endpoint.typed in html
    assert 'role="alert"' in html


@pytest.mark.parametrize("name", [n for n in NAMES if n not in {"anonymous tip", "signup"}])
def test_one_account_over_its_limit_is_refused_and_others_are_not(
    name, story, bob, settings, clock
):
    endpoint = endpoints(story)[name]
    limit(settings, endpoint.scope, user="2/m")
    bobs = reader(user=bob)
    for _ in range(2):
        assert endpoint.post(bobs).status_code in {302, 400}  # a second pledge is a 400
    made = endpoint.made()
    assert_refused(endpoint.post(bobs), endpoint)
    assert endpoint.made() == made
    # The limit is bob's: from another address he is still refused, ...
    assert_refused(endpoint.post(reader(ELSEWHERE, bob)), endpoint)
    # ... and carol, behind the same address, is not.
    assert endpoint.post(reader(user=make_user("carol"))).status_code in {302, 400}
    # A new window.
    clock[0] += 60
    assert endpoint.post(bobs).status_code in {302, 400}


@pytest.mark.parametrize("name", NAMES)
def test_one_address_over_its_limit_is_refused_and_others_are_not(name, story, settings, clock):
    endpoint = endpoints(story)[name]
    limit(settings, endpoint.scope, address="3/h")

    def someone(address: str) -> Client:
        return reader(address, make_user() if endpoint.signed_in else None)

    for _ in range(3):
        assert endpoint.post(someone(HOME)).status_code in {302, 400}
    made = endpoint.made()
    # A fourth account (or visitor) from the same address is refused, whoever they are.
    assert_refused(endpoint.post(someone(HOME)), endpoint)
    assert endpoint.made() == made
    # Another address is not held back.
    assert endpoint.post(someone(ELSEWHERE)).status_code == 302
    assert endpoint.made() == made + 1
    # The next hour's window.
    clock[0] += 46 * 60
    assert endpoint.post(someone(HOME)).status_code == 302


@pytest.mark.parametrize("name", NAMES)
def test_the_default_limits_let_ordinary_use_through(name, story, bob):
    endpoint = endpoints(story)[name]
    client = reader(user=bob if endpoint.signed_in else None)
    assert endpoint.post(client).status_code == 302
    assert endpoint.made() >= 1


def test_the_refused_insight_page_links_back_to_the_story(story, bob, settings, clock):
    endpoint = endpoints(story)["insight"]
    limit(settings, "insight", user="1/m")
    client = reader(user=bob)
    endpoint.post(client)
    response = endpoint.post(client)
    assert_refused(response, endpoint)
    assert f'href="{story.get_absolute_url()}#insights"' in response.content.decode()


def test_comments_from_the_shell_count_against_the_account_only(story, bob, settings, clock):
    from comments.services import comment_create

    limit(settings, "comment", user="2/m", address="1/m")
    comment_create(story=story, author=bob, body="One")
    comment_create(story=story, author=bob, body="Two")  # no address: only bob's count
    with pytest.raises(ratelimit.RateLimited):
        comment_create(story=story, author=bob, body="Three")
