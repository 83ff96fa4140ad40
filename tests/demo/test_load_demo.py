"""`manage.py load_demo`: the seed story, enough content to browse, idempotence and safety."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from core.sanitizer import html_to_text
from creators.models import SocialLink, User
from stories.models import Community, Story, StoryTransition
from tests.conftest import make_user

SEED_TITLE = "How Ketamine Infusion Therapy Differs from Traditional Antidepressant Medication"
# The first and last paragraphs of ../shared/seed/story-page.txt, written out here on purpose:
# a typo in the demo data must not be able to hide behind the same typo in the test.
SEED_FIRST = (
    "Ketamine infusion therapy is a relatively new treatment option for individuals suffering "
    "from depression, anxiety, and other mental health conditions. Unlike traditional "
    "antidepressant medication, Ketamine works by targeting a different pathway in the brain, "
    "known as the NMDA receptor."
)
SEED_LAST = (
    "In conclusion, Ketamine infusion therapy differs from traditional antidepressant "
    "medication in the way it works, the speed of onset, the route of administration and the "
    "range of conditions it is effective in treating. In Orange County, Ketamine infusion "
    "therapy is becoming more popular among patients who have not responded to traditional "
    "antidepressants. Patients are looking for alternatives to traditional antidepressants, and "
    "Ketamine infusion treatment Orange County may be an option for them. It's a relatively new "
    "treatment, but the preliminary results are encouraging. Consultation with a qualified "
    "healthcare professional is important before making any decisions on treatment."
)
PASSWORD = "demo-password-for-tests"


def load_demo(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, object]:
    """Everything a run of load_demo writes, to compare one run with the next."""
    from challenges.models import Award, Challenge, Entry
    from support.models import LedgerEntry

    return {
        "counts": [
            model.objects.count()
            for model in (
                User,
                SocialLink,
                Community,
                Story,
                StoryTransition,
                Tag,
                TaggedItem,
                Challenge,
                Entry,
                Award,
                LedgerEntry,
            )
        ],
        "users": list(
            User.objects.order_by("pk").values_list(
                "pk", "username", "password", "display_name", "bio", "avatar", "is_staff"
            )
        ),
        "communities": list(
            Community.objects.order_by("pk").values_list("pk", "slug", "description", "logo")
        ),
        "stories": list(
            Story.objects.order_by("pk").values_list(
                "pk",
                "slug",
                "status",
                "creator_id",
                "community_id",
                "body",
                "hero_image",
                "hero_caption",
                "published_at",
                "created_at",
                "updated_at",
            )
        ),  # fmt: skip
        "transitions": list(
            StoryTransition.objects.order_by("pk").values_list(
                "pk", "story_id", "to_status", "actor_id", "created_at"
            )
        ),
    }


@pytest.mark.slow  # one load_demo for the class, ~7 s
class TestDemoContent:
    """Checks on one load of the demo data, shared by the class and rolled back afterwards.

    The load is `make run`'s: `--skip-if-real`, on an empty database.
    """

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def demo(cls, django_db_setup, django_db_blocker, tmp_path_factory):
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("demo-media")),
            transaction.atomic(),
        ):
            output = load_demo(password=PASSWORD, skip_if_real=True)
            yield output
            transaction.set_rollback(True)

    @pytest.fixture
    def seed(self, db) -> Story:
        return Story.objects.select_related("creator", "community").get(title=SEED_TITLE)

    def test_seed_story_is_published_by_amelia_wilson_in_lifehack(self, seed):
        assert seed in Story.objects.published()
        assert (seed.creator.username, seed.creator.name) == ("ameliawilson", "Amelia Wilson")
        assert seed.creator.bio and not seed.creator.avatar  # the page shows initials, "AW"
        assert (seed.community.slug, seed.community.name) == ("lifehack", "Lifehack")
        assert seed.community.description and seed.community.logo
        assert list(seed.tags.names()) == ["health"]

    def test_seed_story_has_the_hero_image_and_caption(self, seed):
        assert seed.hero_image.name.endswith(".jpg")
        assert (seed.hero_width, seed.hero_height) == (1600, 900)
        assert seed.hero_caption == "ketamine infusion treatment orange county"
        assert seed.hero_alt.startswith("Abstract illustration")

    def test_seed_story_body_is_the_seed_text(self, seed):
        assert seed.body.startswith(f"<p>{SEED_FIRST}</p>")
        assert seed.body.endswith(f"<p>{SEED_LAST}</p>")
        assert seed.body.count("<p>") == 11
        assert (seed.word_count, seed.reading_time) == (615, 3)

    def test_seed_story_was_published_about_a_year_ago(self, seed):
        age = timezone.now() - seed.published_at
        assert timedelta(days=370) < age < timedelta(days=390)

    def test_enough_content_to_browse(self, db):
        published = Story.objects.published()
        assert published.count() >= 31  # more than two pages of Explore at 12 a page
        assert Community.objects.count() >= 5
        assert published.values("creator").distinct().count() >= 7
        assert all(community.logo for community in Community.objects.all())

    def test_every_published_story_is_complete_and_distinct(self, db):
        stories = list(Story.objects.published().prefetch_related("tags"))
        for story in stories:
            assert story.title and story.hero_image and story.hero_caption and story.hero_alt
            assert 1 <= len(story.tags.all()) <= 3, story.title
            assert 3 <= story.body.count("<p>") <= 11, story.title
            assert (story.hero_width, story.hero_height) == (1600, 900)
            assert "lorem" not in story.body.lower()
        assert all(story.subtitle for story in stories if story.title != SEED_TITLE)
        assert len({html_to_text(story.body) for story in stories}) == len(stories)
        assert len({story.hero_image.name for story in stories}) == len(stories)

    def test_publication_dates_spread_over_about_fourteen_months(self, db):
        now = timezone.now()
        ages = [now - story.published_at for story in Story.objects.published()]
        assert all(timedelta(0) < age < timedelta(days=430) for age in ages)
        assert max(ages) - min(ages) > timedelta(days=365)
        assert len({age.days // 30 for age in ages}) >= 12  # most months have something

    def test_publishing_went_through_the_lifecycle(self, db):
        editor = User.objects.get(username="editor")
        for story in Story.objects.published():
            submitted, published = story.transitions.order_by("created_at")
            assert (submitted.to_status, submitted.actor) == ("submitted", story.creator)
            assert (published.to_status, published.actor) == ("published", editor)
            assert published.created_at == story.published_at
            assert story.created_at < submitted.created_at < story.published_at

    def test_one_draft_and_one_submitted_story_are_not_public(self, db):
        hidden = Story.objects.exclude(status=Story.Status.PUBLISHED)
        assert sorted(hidden.values_list("status", flat=True)) == ["draft", "submitted"]
        assert not hidden.filter(pk__in=Story.objects.published()).exists()

    def test_creators_have_profiles_and_social_links(self, db):
        creators = User.objects.filter(stories__isnull=False).distinct()
        for creator in creators:
            assert creator.display_name and creator.bio and creator.bio_html
            assert creator.social_links.exists(), creator.username
        assert (
            creators.exclude(username="ameliawilson")
            .filter(social_links__isnull=False)
            .distinct()
            .count()
            >= 6
        )
        assert sorted(creators.exclude(avatar="").values_list("username", flat=True)) == [
            "priyanair",
            "sofiabianchi",
        ]

    def test_staff_account_logs_in_with_the_given_password(self, db):
        editor = User.objects.get(username="editor")
        assert editor.is_staff and editor.is_superuser and editor.is_active
        assert editor.name == "Byline Editor"
        assert authenticate(username="editor", password=PASSWORD) == editor

    def test_output_says_how_to_log_in(self, demo, seed):
        assert "http://127.0.0.1:8000/admin/" in demo
        assert "username: editor" in demo
        assert f"password: {PASSWORD}" in demo
        assert f"http://127.0.0.1:8000{seed.get_absolute_url()}" in demo

    def test_output_links_to_the_site_url_make_run_serves(self, seed, settings):
        # `PORT=8101 make run` sets SITE_URL=http://127.0.0.1:8101 (tests/platform_site/
        # test_dev_setup.py); the report must send the developer there, not to :8000.
        settings.SITE_URL = "http://127.0.0.1:8101"
        output = load_demo()
        assert "URL:      http://127.0.0.1:8101/admin/" in output
        assert f"The seed story: http://127.0.0.1:8101{seed.get_absolute_url()}" in output
        assert ":8000" not in output

    def test_loads_an_empty_database_as_make_run_asks(self, demo):
        # `--skip-if-real` skips only a database with someone else's accounts (below).
        assert "Demo data loaded" in demo
        assert "not loaded" not in demo

    def test_challenges_one_open_with_entries_one_decided_with_prizes_paid(self, db):
        """Issue 17; made once (test_running_again_changes_nothing counts them too)."""
        from challenges.models import Award, Challenge
        from support.models import LedgerEntry

        open_one = Challenge.objects.get(slug="small-rooms")
        decided = Challenge.objects.get(slug="the-long-winter")
        assert open_one.status == "open" and open_one.entries.count() == 3
        assert open_one.accepts_entries()
        assert decided.status == "decided"
        assert Award.objects.filter(challenge=decided, status="paid").count() == 3
        prizes = LedgerEntry.objects.filter(kind="prize")
        assert sorted(prizes.values_list("amount", flat=True)) == [1500, 10000, 25000]

    def test_running_again_changes_nothing(self, db):
        before = snapshot()
        output = load_demo()
        assert snapshot() == before
        assert "nothing created" in output
        # Commands that work when copied: the virtualenv's Python, which has Django, and
        # manage.py, which reads the .env make wrote (tests/platform_site/test_dev_setup.py).
        assert "`.venv/bin/python manage.py changepassword editor`" in output
        assert "  .venv/bin/python manage.py changepassword jonahreyes" in output
        assert not re.search(r"(?<![/\w])python manage\.py", output)
        assert authenticate(username="editor", password=PASSWORD) is not None

    def test_running_again_with_a_password_only_changes_the_password(self, db):
        before = snapshot()
        load_demo(password="a-new-password")
        after = snapshot()
        assert authenticate(username="editor", password="a-new-password") is not None
        assert authenticate(username="editor", password=PASSWORD) is None
        editor_password = 2  # the column of "password" in snapshot()["users"]
        for row in before, after:
            row["users"] = [
                user[:editor_password] + user[editor_password + 1 :]
                if user[1] == "editor"
                else user
                for user in row["users"]
            ]
        assert after == before


@pytest.mark.django_db
def test_refuses_a_database_with_other_accounts():
    make_user("alice")
    with pytest.raises(
        CommandError, match=r"accounts that load_demo did not make \(alice\).*--force"
    ):
        load_demo(password=PASSWORD)
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]
    assert not Story.objects.exists() and not Community.objects.exists()


@pytest.mark.django_db
def test_skip_if_real_says_so_in_one_line_and_loads_nothing():
    # What `make run` asks for, so that it still serves once someone has signed up.
    make_user("alice")
    output = load_demo(password=PASSWORD, skip_if_real=True)
    assert output.splitlines() == [
        "Demo data not loaded: this database has accounts load_demo did not make (alice); "
        "`.venv/bin/python manage.py load_demo --force` adds it anyway."
    ]
    assert list(User.objects.values_list("username", flat=True)) == ["alice"]
    assert not Story.objects.exists() and not Community.objects.exists()
    assert load_demo(skip_if_real=True, verbosity=0) == ""


@pytest.mark.slow
@pytest.mark.django_db
def test_force_loads_beside_other_accounts_with_a_random_password():
    alice = make_user("alice")
    output = load_demo(force=True)
    assert Story.objects.published().count() >= 31
    assert not alice.stories.exists()
    password = re.search(r"password: (\S+)", output).group(1)
    assert len(password) == 16  # secrets.token_urlsafe(12)
    assert authenticate(username="editor", password=password) is not None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_demo_data_sends_no_email_and_queues_no_job_for_a_worker_to_send_later(
    mailoutbox, settings, tmp_path
):
    # Committed for real (the emails and jobs of a publish are sent or queued on commit). With
    # the database queue `make run` uses, an email swapped out for the load would still be
    # sent later by the worker; so nothing may be queued at all.
    from django_tasks_db.models import DBTaskResult

    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("load_demo", password="no-mail-password", verbosity=0)
    assert Story.objects.published().count() >= 31
    assert mailoutbox == []
    assert DBTaskResult.objects.count() == 0
