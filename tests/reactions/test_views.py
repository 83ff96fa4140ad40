"""Like and save views: GET asks to confirm, POST does it; bad ids are 404s, anonymous readers
log in and come back with it done, a script is slowed to a 429; and the reader's /library/."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reactions import services
from reactions.models import Like, SavedStory
from reactions.receivers import PENDING_KEY, PENDING_MAX_AGE
from stories.models import Story
from stories.services import story_unpublish
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"  # what tests.conftest.make_user sets
STRONG = "plum-orchard-47-lanterns"
KINDS = ["like", "save"]


@pytest.fixture
def story(alice, lifehack) -> Story:
    return make_story(creator=alice, community=lifehack, title="Tomatoes in August")


@pytest.fixture
def as_bob(client: Client, bob) -> Client:
    client.force_login(bob)
    return client


def url(kind: str, story_id: int) -> str:
    return reverse(f"reactions:{kind}", kwargs={"story_id": story_id})


def do(kind: str) -> str:
    return {"like": "like", "save": "save"}[kind]


def undo(kind: str) -> str:
    return {"like": "unlike", "save": "remove"}[kind]


def made(kind: str, story, reader) -> bool:
    model = Like if kind == "like" else SavedStory
    return model.objects.filter(story=story, reader=reader).exists()


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- not found, not allowed -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_ids_are_not_found(as_bob, alice, lifehack, kind, method):
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    for story_id in (draft.pk, 999_999, 2**63, 10**30):
        response = getattr(as_bob, method)(url(kind, story_id), {"action": do(kind)})
        assert response.status_code == 404, story_id
    assert not Like.objects.exists() and not SavedStory.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_a_suspended_creators_story_is_not_found(as_bob, alice, story, kind):
    alice.is_active = False
    alice.save()
    assert as_bob.post(url(kind, story.pk), {"action": do(kind)}).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_other_methods_are_not_allowed(as_bob, story, kind, method):
    assert getattr(as_bob, method)(url(kind, story.pk)).status_code == 405


@pytest.mark.parametrize("kind", KINDS)
def test_a_post_without_the_csrf_token_is_refused(bob, story, kind):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bob)
    assert client.post(url(kind, story.pk), {"action": do(kind)}).status_code == 403
    assert not made(kind, story, bob)


# --- signed in: do, undo, and back -----------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_do_and_undo_come_back_to_the_button(as_bob, bob, story, kind):
    back = story.get_absolute_url() + "#reactions-end"
    response = as_bob.post(url(kind, story.pk), {"action": do(kind), "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert made(kind, story, bob)
    # A double click does nothing more.
    as_bob.post(url(kind, story.pk), {"action": do(kind), "next": back})
    assert (Like if kind == "like" else SavedStory).objects.count() == 1
    response = as_bob.post(url(kind, story.pk), {"action": undo(kind), "next": back})
    assert response["Location"] == back
    assert not made(kind, story, bob)


def test_liking_says_so_and_the_count_goes_up(as_bob, story):
    response = as_bob.post(url("like", story.pk), {"action": "like"})
    assert response["Location"] == story.get_absolute_url()
    assert "You like “Tomatoes in August”." in messages_of(response)
    assert Story.objects.get(pk=story.pk).like_count == 1


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad_next", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_next_elsewhere_is_ignored(as_bob, story, kind, bad_next):
    response = as_bob.post(url(kind, story.pk), {"action": do(kind), "next": bad_next})
    assert response["Location"] == story.get_absolute_url()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("action", ["", "toggle", "x" * 5000, "LIKE"])
def test_a_made_up_action_changes_nothing(as_bob, bob, story, kind, action):
    response = as_bob.post(url(kind, story.pk), {"action": action})
    assert response.status_code == 302
    assert not made(kind, story, bob)
    assert "Choose" in messages_of(response)[-1]


def test_the_creator_is_told_they_cannot_like_their_own_story(client, alice, story):
    client.force_login(alice)
    response = client.post(url("like", story.pk), {"action": "like"})
    assert response.status_code == 302
    assert "You can’t like your own story." in messages_of(response)
    assert not Like.objects.exists()


@pytest.mark.parametrize("kind", KINDS)
def test_going_too_fast_is_a_429_that_says_when_to_come_back(
    as_bob, bob, story, kind, settings, clock
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, kind: {"user": ["3/m"], "address": []}}
    for n in range(3):
        action = do(kind) if n % 2 == 0 else undo(kind)
        assert as_bob.post(url(kind, story.pk), {"action": action}).status_code == 302
    response = as_bob.post(url(kind, story.pk), {"action": undo(kind)})
    assert response.status_code == 429
    assert response["Retry-After"]
    doing = "liking stories" if kind == "like" else "saving stories"
    assert f"You’re {doing} faster than we allow" in response.content.decode()
    assert f'href="{story.get_absolute_url()}"' in response.content.decode()
    assert made(kind, story, bob)  # the fourth, refused, changed nothing
    clock[0] += 60
    assert as_bob.post(url(kind, story.pk), {"action": undo(kind)}).status_code == 302
    assert not made(kind, story, bob)


# --- GET: the confirmation page ---------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_the_anonymous_button_leads_to_a_confirmation_that_keeps_the_way_back(client, story, kind):
    back = story.get_absolute_url() + "#reactions-top"
    page = client.get(url(kind, story.pk), {"next": back})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Next you log in or sign up" in html
    assert f'name="next" value="{back}"' in html and "csrfmiddlewaretoken" in html
    assert f'name="action" value="{do(kind)}"' in html
    assert PENDING_KEY not in client.session  # nothing is remembered until they confirm


@pytest.mark.parametrize("kind", KINDS)
def test_a_signed_in_confirmation_shows_what_they_did(as_bob, bob, story, kind):
    html = as_bob.get(url(kind, story.pk)).content.decode()
    assert f'value="{do(kind)}"' in html and "Next you log in" not in html
    services.like_add(story=story, reader=bob)
    services.save_add(story=story, reader=bob)
    html = as_bob.get(url(kind, story.pk)).content.decode()
    assert f'value="{undo(kind)}"' in html and f'value="{do(kind)}"' not in html


def test_the_creators_like_page_says_they_cannot(client, alice, story):
    client.force_login(alice)
    html = client.get(url("like", story.pk)).content.decode()
    assert "You can’t like your own story." in html and 'value="like"' not in html


# --- anonymous: log in or sign up, come back with it done -------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_anonymous_post_asks_to_log_in_and_does_nothing_yet(client, story, kind):
    back = story.get_absolute_url() + "#reactions-top"
    response = client.post(url(kind, story.pk), {"action": do(kind), "next": back})
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(back, safe='/')}"
    assert not Like.objects.exists() and not SavedStory.objects.exists()
    assert client.session[PENDING_KEY]["story"] == story.pk
    assert client.session[PENDING_KEY]["kind"] == kind
    login_page = client.get(response["Location"]).content.decode()
    assert "Log in or sign up to" in login_page


@pytest.mark.parametrize("kind", KINDS)
def test_logging_in_makes_it_and_comes_back_to_the_story(client, bob, story, kind):
    back = story.get_absolute_url() + "#reactions-top"
    login_url = client.post(url(kind, story.pk), {"action": do(kind), "next": back})["Location"]
    response = client.post(
        login_url, {"username": "bob", "password": PASSWORD, "next": back}, follow=True
    )
    assert response.redirect_chain == [(back, 302)]
    assert made(kind, story, bob)
    assert PENDING_KEY not in client.session
    html = response.content.decode()
    button = re.search(rf'<button class="reaction reaction--{kind}"[^>]*>', html).group(0)
    assert 'aria-pressed="true"' in button
    said = "You like “Tomatoes in August”." if kind == "like" else "is saved in your library"
    assert any(said in m for m in messages_of(response))


def test_signing_up_makes_the_like_too(client, story):
    back = story.get_absolute_url()
    client.post(url("like", story.pk), {"action": "like", "next": back})
    data = {
        "username": "carol",
        "display_name": "Carol",
        "email": "carol@example.com",
        "password1": STRONG,
        "password2": STRONG,
        "next": back,
    }
    response = client.post(f"/accounts/signup/?next={back}", data, follow=True)
    assert response.redirect_chain == [(back, 302)]
    assert Like.objects.get().reader.username == "carol"
    assert Story.objects.get(pk=story.pk).like_count == 1


def test_an_anonymous_unlike_only_asks_to_log_in(client, story):
    response = client.post(url("like", story.pk), {"action": "unlike"})
    assert response["Location"].startswith("/accounts/login/")
    assert PENDING_KEY not in client.session


def test_a_stale_pending_like_is_dropped(client, bob, story):
    client.post(url("like", story.pk), {"action": "like"})
    session = client.session
    session[PENDING_KEY]["at"] = int(time.time()) - PENDING_MAX_AGE - 1
    session.save()
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert not Like.objects.exists()


def test_a_story_unpublished_meanwhile_is_not_liked(client, bob, sam, story):
    client.post(url("like", story.pk), {"action": "like"})
    story_unpublish(story=story, actor=sam, reason="Off topic.")
    response = client.post(
        "/accounts/login/", {"username": "bob", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert not Like.objects.exists()


def test_the_creator_logging_in_is_told_they_cannot_like_their_own(client, alice, story):
    client.post(url("like", story.pk), {"action": "like"})
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}, follow=True
    )
    assert not Like.objects.exists()
    assert "You can’t like your own story." in messages_of(response)


@pytest.mark.parametrize(
    "pending", ["junk", {"kind": "like"}, {"kind": "hug", "story": 1, "at": 1}, {"story": "x"}]
)
def test_a_mangled_pending_reaction_is_ignored(client, bob, story, pending):
    session = client.session
    session[PENDING_KEY] = pending
    session.save()
    response = client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert not Like.objects.exists() and not SavedStory.objects.exists()


def test_a_plain_login_likes_nothing(client, bob, story):
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    assert not Like.objects.exists() and not SavedStory.objects.exists()


# --- the library ------------------------------------------------------------------------------

LIBRARY = "/library/"


def save_many(reader, community, n: int) -> list[Story]:
    """`n` stories saved by `reader`, one a minute, the last saved newest."""
    creator = make_user()
    stories = [
        make_story(creator=creator, community=community, title=f"Shelf {i:02}") for i in range(n)
    ]
    start = timezone.now() - timedelta(hours=1)
    SavedStory.objects.bulk_create(
        SavedStory(story=story, reader=reader, created_at=start + timedelta(minutes=i))
        for i, story in enumerate(stories)
    )
    return stories


def titles(response) -> list[str]:
    return [saved.story.title for saved in response.context["page"].object_list]


def test_the_library_needs_a_login(client):
    response = client.get(LIBRARY)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={LIBRARY}"


def test_the_library_url_is_reserved_from_communities():
    from django.core.exceptions import ValidationError

    from stories.models import validate_community_slug

    with pytest.raises(ValidationError):
        validate_community_slug("library")


def test_an_empty_library_says_how_to_fill_it(as_bob):
    html = as_bob.get(LIBRARY).content.decode()
    assert "Nothing saved yet" in html


def test_the_library_lists_newest_saved_first_in_keyset_pages(as_bob, bob, lifehack, settings):
    settings.STORIES_PER_PAGE = 2
    save_many(bob, lifehack, 5)
    save_many(make_user(), lifehack, 2)  # someone else's
    first = as_bob.get(LIBRARY)
    assert titles(first) == ["Shelf 04", "Shelf 03"]
    page = first.context["page"]
    assert page.older and not page.newer
    second = as_bob.get(LIBRARY, {"after": page.older})
    assert titles(second) == ["Shelf 02", "Shelf 01"]
    third = as_bob.get(LIBRARY, {"after": second.context["page"].older})
    assert titles(third) == ["Shelf 00"]
    assert not third.context["page"].older
    back = as_bob.get(LIBRARY, {"before": third.context["page"].newer})
    assert titles(back) == ["Shelf 02", "Shelf 01"]
    html = second.content.decode()
    assert 'rel="next"' in html and 'rel="prev"' in html


@pytest.mark.parametrize(
    "query",
    [
        {"after": "junk"},
        {"after": "x" * 5000},
        {"before": "%%%"},
        {"after": "MjAyNC0wMS0wMVQwMDowMDowMHwtMQ"},  # a valid shape, a negative id
        {"after": "OTk5OS0xMi0zMVQyMzo1OTo1OS0xMjowMHwx"},  # the year 9999, west of Greenwich
        {"after": "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx"},  # the year 1, east of Greenwich
        {"after": "MjAyNC0wMS0wMVQwMDowMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OTk"},  # a huge id
        {"after": "", "before": ""},
    ],
)
def test_a_hostile_token_is_never_a_500(as_bob, bob, lifehack, query):
    save_many(bob, lifehack, 3)
    response = as_bob.get(LIBRARY, query)
    assert response.status_code == 200


def test_a_token_past_the_end_shows_a_way_back(as_bob, bob, lifehack, settings):
    settings.STORIES_PER_PAGE = 2
    save_many(bob, lifehack, 3)
    older = as_bob.get(LIBRARY).context["page"].older
    as_bob.post(
        reverse(
            "reactions:library_remove",
            args=[SavedStory.objects.order_by("created_at").first().story_id],
        )
    )
    response = as_bob.get(LIBRARY, {"after": older})
    assert response.status_code == 200
    assert titles(response) == []
    html = response.content.decode()
    assert "Nothing more here" in html and 'rel="prev"' in html


@pytest.mark.parametrize("n", [1, 12])
def test_the_library_costs_two_queries(as_bob, bob, lifehack, n, django_assert_num_queries):
    save_many(bob, lifehack, n)
    # the user (the session comes from the cache); the page of saves with their stories,
    # creators and communities
    with django_assert_num_queries(2):
        response = as_bob.get(LIBRARY)
    assert len(titles(response)) == n


def test_an_unpublished_saved_story_shows_as_no_longer_available(
    as_bob, bob, sam, alice, story, lifehack
):
    gone_creator = make_user("gone", display_name="Gone Writer")
    suspended = make_story(creator=gone_creator, community=lifehack, title="By a suspended one")
    for saved in (story, suspended):
        services.save_add(story=saved, reader=bob)
    story_unpublish(story=story, actor=sam, reason="Off topic.")
    gone_creator.is_active = False
    gone_creator.save()
    response = as_bob.get(LIBRARY)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("No longer available") == 2
    # No link to a page that would be a 404.
    assert story.get_absolute_url() not in html
    assert suspended.get_absolute_url() not in html
    # It can still be removed.
    remove = reverse("reactions:library_remove", args=[story.pk])
    assert f'action="{remove}"' in html
    response = as_bob.post(remove, {"next": LIBRARY})
    assert response["Location"] == LIBRARY
    assert not SavedStory.objects.filter(story=story).exists()
    # Published again, a save of it is back in the list with its link.
    from stories.services import story_publish

    SavedStory.objects.create(story=story, reader=bob)  # saved before it was taken down
    story.refresh_from_db()
    story.status = Story.Status.SUBMITTED
    story.save()
    story_publish(story=story, actor=sam)
    assert story.get_absolute_url() in as_bob.get(LIBRARY).content.decode()


def test_remove_from_the_library_keeps_the_page(as_bob, bob, lifehack, settings):
    settings.STORIES_PER_PAGE = 2
    stories = save_many(bob, lifehack, 3)
    older = as_bob.get(LIBRARY).context["page"].older
    here = f"{LIBRARY}?after={older}"
    page = as_bob.get(here).content.decode()
    assert f'name="next" value="{here}"' in page
    response = as_bob.post(
        reverse("reactions:library_remove", args=[stories[0].pk]), {"next": here}
    )
    assert response["Location"] == here
    assert "Removed from your library." in messages_of(response)
    assert not SavedStory.objects.filter(story=stories[0]).exists()


def test_removing_what_is_not_there(as_bob, bob, story):
    remove = reverse("reactions:library_remove", args=[story.pk])
    response = as_bob.post(remove)
    assert response["Location"] == LIBRARY
    assert "That story was not in your library." in messages_of(response)
    for missing in (999_999, 2**63, 10**30):
        assert as_bob.post(reverse("reactions:library_remove", args=[missing])).status_code == 404


def test_removing_needs_a_login_and_a_post(client, bob, story):
    services.save_add(story=story, reader=bob)
    remove = reverse("reactions:library_remove", args=[story.pk])
    response = client.post(remove)
    assert response["Location"] == f"/accounts/login/?next={LIBRARY}"
    client.force_login(bob)
    assert client.get(remove).status_code == 405
    assert SavedStory.objects.exists()
    # Another reader removes nothing of bob's.
    other = Client()
    other.force_login(make_user())
    other.post(remove)
    assert SavedStory.objects.filter(reader=bob).exists()
