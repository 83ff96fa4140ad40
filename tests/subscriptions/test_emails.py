"""New-story emails: one per subscriber who wants it, in batches through the task seam, with a
working one-click unsubscribe link; nothing for drafts, opted-out, suspended or address-less
readers; and one failing address does not stop the rest."""

from __future__ import annotations

import re
import smtplib
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test import Client

from core import jobs as core_jobs
from stories.models import Story
from stories.services import story_publish, story_unpublish
from subscriptions import emails, receivers
from subscriptions.models import NewStoryEmail, Subscription
from subscriptions.services import subscription_create
from subscriptions.tokens import make_token
from tests.conftest import make_story, make_user
from tests.subscriptions.helpers import many_readers, subscribe_all

pytestmark = pytest.mark.django_db

SUBJECT = "New from Alice Walker: Tomatoes in March"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://byline.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def submitted(alice, lifehack) -> Story:
    return make_story(
        creator=alice,
        community=lifehack,
        title="Tomatoes in March",
        subtitle="Sow early, & mind the frost",
        status=Story.Status.SUBMITTED,
    )


def publish(story: Story, actor, capture) -> None:
    with capture(execute=True):
        story_publish(story=story, actor=actor)


def new_story_emails() -> list[mail.EmailMultiAlternatives]:
    return [m for m in mail.outbox if m.subject == SUBJECT]


def unsubscribe_path(message) -> str:
    url = re.search(r"<(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
    assert url.startswith("https://byline.example/subscriptions/unsubscribe/")
    return urlsplit(url).path


# --- who gets one -------------------------------------------------------------------------------


def test_publishing_emails_every_subscriber_who_wants_it_once(
    alice, sam, submitted, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(emails, "BATCH_SIZE", 100)  # 300 readers: three batches and a bit
    wanting = many_readers(300)
    opted_out = many_readers(5, prefix="quiet", email_new_stories=False)
    suspended = many_readers(4, prefix="gone", is_active=False)
    no_address = [make_user("noaddress", email="")]
    subscribe_all(wanting + opted_out + suspended + no_address, alice)
    make_user("stranger", email="stranger@example.com")  # not a subscriber

    publish(submitted, sam, django_capture_on_commit_callbacks)

    sent = new_story_emails()
    recipients = sorted(address for m in sent for address in m.to)
    assert len(sent) == 300
    assert recipients == sorted(r.email for r in wanting)  # one each, nobody twice
    assert len(mail.outbox) == 300  # alice has no address for her own “it’s live” email

    # Every email's unsubscribe link works for its own reader.
    for message in (sent[0], sent[150], sent[-1]):
        reader = Subscription.objects.get(subscriber__email=message.to[0]).subscriber
        path = unsubscribe_path(message)
        page = Client().get(path)
        assert page.status_code == 200
        assert "<button" in page.content.decode()
        assert Client().post(path).status_code == 200
        assert not Subscription.objects.filter(subscriber=reader, creator=alice).exists()
    assert Subscription.objects.filter(creator=alice).count() == 300 + 5 + 4 + 1 - 3


def test_the_email_carries_the_story_and_the_unsubscribe_headers(
    alice, bob, sam, submitted, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.com"
    bob.save()
    subscription_create(subscriber=bob, creator=alice)
    publish(submitted, sam, django_capture_on_commit_callbacks)
    (message,) = new_story_emails()
    story_url = "https://byline.example" + submitted.get_absolute_url()
    assert message.to == ["bob@example.com"]
    assert "Tomatoes in March" in message.body
    assert "Sow early, & mind the frost" in message.body  # plain text is not HTML-escaped
    assert story_url in message.body
    assert "https://byline.example/settings/#emails" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Sow early, &amp; mind the frost" in html and f'href="{story_url}"' in html
    path = unsubscribe_path(message)
    assert "https://byline.example" + path in message.body and path in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = message.message()
    assert raw["List-Unsubscribe"] == f"<https://byline.example{path}>"
    assert raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_draft_or_submitted_story_sends_nothing(alice, bob, lifehack, submitted):
    subscription_create(subscriber=bob, creator=alice)
    draft = make_story(creator=alice, community=lifehack, status=Story.Status.DRAFT)
    for story in (draft, submitted):
        assert emails.fan_out_new_story.call(story_id=story.pk) == 0
        assert emails.send_new_story_batch.call(story_id=story.pk, subscriber_ids=[bob.pk]) == 0
    assert mail.outbox == []


def test_a_story_unpublished_before_the_job_runs_sends_nothing(
    alice, bob, sam, submitted, django_capture_on_commit_callbacks, monkeypatch
):
    subscription_create(subscriber=bob, creator=alice)
    jobs = []
    monkeypatch.setattr(receivers, "enqueue", lambda job, **kwargs: jobs.append((job, kwargs)))
    publish(submitted, sam, django_capture_on_commit_callbacks)
    story_unpublish(story=submitted, actor=sam)
    ((job, kwargs),) = jobs
    assert job.call(**kwargs) == 0
    assert new_story_emails() == []


def test_publishing_again_after_unpublishing_does_not_email_again(
    alice, bob, sam, submitted, django_capture_on_commit_callbacks
):
    bob.email = "bob@example.com"
    bob.save()
    subscription_create(subscriber=bob, creator=alice)
    publish(submitted, sam, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        story_unpublish(story=submitted, actor=sam)
    submitted.status = Story.Status.SUBMITTED
    submitted.save()
    publish(submitted, sam, django_capture_on_commit_callbacks)
    assert len(new_story_emails()) == 1


def test_readers_who_opt_out_or_leave_between_fan_out_and_batch_are_skipped(
    alice, sam, submitted, django_capture_on_commit_callbacks, monkeypatch
):
    readers = many_readers(3)
    subscribe_all(readers, alice)
    jobs = []
    monkeypatch.setattr(core_jobs, "enqueue", only_batches(jobs, lambda job, kwargs: (job, kwargs)))
    publish(submitted, sam, django_capture_on_commit_callbacks)
    ((job, kwargs),) = jobs  # one batch, held back as a queue would
    readers[0].email_new_stories = False
    readers[0].save()
    Subscription.objects.filter(subscriber=readers[1]).delete()
    assert job.call(**kwargs) == 1
    assert [m.to for m in new_story_emails()] == [[readers[2].email]]


# --- the request that publishes does no email work itself ---------------------------------------


def test_publishing_only_enqueues_one_fan_out_job(
    alice, sam, submitted, django_capture_on_commit_callbacks, monkeypatch
):
    subscribe_all(many_readers(50), alice)
    jobs = []
    monkeypatch.setattr(receivers, "enqueue", lambda job, **kwargs: jobs.append((job, kwargs)))
    publish(submitted, sam, django_capture_on_commit_callbacks)
    assert jobs == [(emails.fan_out_new_story, {"story_id": submitted.pk})]
    assert new_story_emails() == []


def test_the_fan_out_walks_ids_in_batches_with_constant_queries(
    alice,
    sam,
    submitted,
    django_capture_on_commit_callbacks,
    monkeypatch,
    django_assert_num_queries,
):
    monkeypatch.setattr(emails, "BATCH_SIZE", 100)
    readers = many_readers(250)
    subscribe_all(readers, alice)
    with django_capture_on_commit_callbacks(execute=False):
        story_publish(story=submitted, actor=sam)
    batches = []
    monkeypatch.setattr(core_jobs, "enqueue", only_batches(batches, lambda job, kwargs: kwargs))
    # the story, whether it was announced before, then one query per batch of 100 ids and a
    # last one that finds the end
    with django_assert_num_queries(2 + 3):
        assert emails.fan_out_new_story.call(story_id=submitted.pk) == 3
    ids = [i for batch in batches for i in batch["subscriber_ids"]]
    assert [len(b["subscriber_ids"]) for b in batches] == [100, 100, 50]
    assert sorted(ids) == sorted(r.pk for r in readers)
    # A batch costs the story, its readers and those whose email failed before, then the
    # record of each send, committed as it is handed over: a savepoint around one insert, so
    # that a batch run twice mails nobody twice. On PostgreSQL two more: commits that do not
    # wait for the disk, set and reset (core.mail.quick_commits; on SQLite it holds the WAL
    # checkpoint back only outside a transaction, and a test runs inside one).
    quick = 2 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(3 + 3 * 100 + quick):
        assert emails.send_new_story_batch.call(**batches[0]) == 100


def only_batches(into: list, entry):
    """A stand-in for core.jobs.enqueue that keeps the new-story batches it is given (the
    fan-out queues them through core.jobs.enqueue_batches), and nothing else."""

    def enqueue(job, /, **kwargs):
        if job is emails.send_new_story_batch:
            into.append(entry(job, kwargs))

    return enqueue


# --- a batch run again ---------------------------------------------------------------------------


def test_a_batch_run_again_mails_nobody_twice(
    alice, sam, submitted, django_capture_on_commit_callbacks, monkeypatch
):
    readers = many_readers(3)
    subscribe_all(readers, alice)
    batches = []
    monkeypatch.setattr(core_jobs, "enqueue", only_batches(batches, lambda job, kwargs: kwargs))
    publish(submitted, sam, django_capture_on_commit_callbacks)
    (batch,) = batches
    assert emails.send_new_story_batch.call(**batch) == 3
    # A retry, or a second worker that picked up the same batch.
    assert emails.send_new_story_batch.call(**batch) == 0
    assert sorted(m.to[0] for m in new_story_emails()) == sorted(r.email for r in readers)
    assert NewStoryEmail.objects.filter(story=submitted).count() == 3


def test_the_fan_out_run_twice_mails_nobody_twice(
    alice, sam, submitted, django_capture_on_commit_callbacks
):
    readers = many_readers(4)
    subscribe_all(readers, alice)
    publish(submitted, sam, django_capture_on_commit_callbacks)
    assert len(new_story_emails()) == 4
    # The whole fan-out again (a retry of the job after its batches were queued): it hands
    # out the same batches, and they find everyone recorded.
    with django_capture_on_commit_callbacks(execute=True):
        assert emails.fan_out_new_story.call(story_id=submitted.pk) == 1
    assert sorted(m.to[0] for m in new_story_emails()) == sorted(r.email for r in readers)


# --- one bad address ----------------------------------------------------------------------------

BAD_ADDRESS = "reader7@example.com"


class RefusingBackend(LocmemBackend):
    """The locmem outbox, except that one address is refused as an SMTP server would."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        for message in messages:
            if BAD_ADDRESS in message.to:
                raise smtplib.SMTPRecipientsRefused({BAD_ADDRESS: (550, b"No such user")})
        return super().send_messages(messages)


def test_a_refused_address_does_not_stop_the_others(
    alice, sam, submitted, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    readers = many_readers(20)
    subscribe_all(readers, alice)
    RefusingBackend.opened = 0
    publish(submitted, sam, django_capture_on_commit_callbacks)
    recipients = {m.to[0] for m in new_story_emails()}
    assert recipients == {r.email for r in readers} - {BAD_ADDRESS}
    assert "New-story email for story" in caplog.text and "SMTPRecipientsRefused" in caplog.text
    # One connection for the batch, reopened once after the failure.
    assert RefusingBackend.opened == 2
    # The refusal is recorded for staff, and it is for good (550): a batch run again leaves
    # that reader alone and sends nothing more.
    refused = next(r for r in readers if r.email == BAD_ADDRESS)
    row = NewStoryEmail.objects.get(story=submitted, subscriber=refused)
    assert row.status == NewStoryEmail.Status.REFUSED and "550" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    ids = [r.pk for r in readers]
    assert emails.send_new_story_batch.call(story_id=submitted.pk, subscriber_ids=ids) == 0
    assert new_story_emails() == []


def test_a_failure_that_may_pass_is_retried_for_those_readers_only(
    alice, sam, submitted, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    readers = many_readers(5)
    subscribe_all(readers, alice)
    FlakyBackend.failures_left = 2  # the first two sends time out, then the server is back
    publish(submitted, sam, django_capture_on_commit_callbacks)
    # The batch raised, core.jobs ran it again (at once with the tests' immediate backend),
    # and the second run sent only the two that had failed.
    assert sorted(m.to[0] for m in new_story_emails()) == sorted(r.email for r in readers)
    rows = NewStoryEmail.objects.filter(story=submitted)
    assert {row.status for row in rows} == {NewStoryEmail.Status.SENT}
    assert sorted(row.attempts for row in rows) == [1, 1, 1, 2, 2]


class FlakyBackend(LocmemBackend):
    """The locmem outbox behind a mail server that times out on the first few messages."""

    failures_left = 0

    def send_messages(self, messages):
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise TimeoutError("timed out")
        return super().send_messages(messages)


# --- the unsubscribe link -----------------------------------------------------------------------


@pytest.fixture
def link(alice, bob) -> str:
    subscription_create(subscriber=bob, creator=alice)
    return f"/subscriptions/unsubscribe/{make_token(subscriber_id=bob.pk, creator_id=alice.pk)}/"


def test_the_link_shows_a_confirmation_page_without_logging_in(client, alice, bob, link):
    response = client.get(link)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert f'<form class="form" method="post" action="{link}">' in html
    assert '<button class="button" type="submit">Unsubscribe from Alice Walker</button>' in html
    assert 'name="robots" content="noindex"' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # Looking is not unsubscribing: mail scanners follow links.
    assert Subscription.objects.filter(subscriber=bob, creator=alice).exists()


def test_the_confirmation_button_unsubscribes(client, alice, bob, link):
    response = client.post(link)
    assert response.status_code == 200
    assert "You’re unsubscribed" in response.content.decode()
    assert not Subscription.objects.filter(subscriber=bob, creator=alice).exists()
    again = client.post(link)
    assert again.status_code == 200 and "Already unsubscribed" in again.content.decode()
    assert "You’re not subscribed" in client.get(link).content.decode()


def test_one_click_unsubscribe_from_a_mail_client_without_csrf(alice, bob, link):
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(
        link,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.filter(subscriber=bob, creator=alice).exists()


def test_the_link_only_unsubscribes_its_own_reader(client, alice, bob, sam, link):
    subscription_create(subscriber=sam, creator=alice)
    client.force_login(sam)  # whoever is signed in, the token names the reader
    client.post(link)
    assert Subscription.objects.filter(subscriber=sam, creator=alice).exists()


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "W10:1tZ0:abc",
        "x" * 300,
        "WzEsMl0:1u0dGS:tampered-signature-AAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_bad_token_is_a_clear_400(client, alice, bob, token):
    subscription_create(subscriber=bob, creator=alice)
    response = client.get(f"/subscriptions/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "This unsubscribe link doesn’t work" in response.content.decode()
    assert client.post(f"/subscriptions/unsubscribe/{token}/").status_code == 400
    assert Subscription.objects.filter(subscriber=bob, creator=alice).exists()


def test_a_tampered_token_is_refused(client, alice, bob, sam, link):
    subscription_create(subscriber=sam, creator=alice)
    token = link.split("/")[-2]
    # Swap in sam's id while keeping bob's signature.
    forged = make_token(subscriber_id=sam.pk, creator_id=alice.pk).split(":")[0]
    forged += ":" + ":".join(token.split(":")[1:])
    assert client.post(f"/subscriptions/unsubscribe/{forged}/").status_code == 400
    assert Subscription.objects.filter(subscriber=sam, creator=alice).exists()


def test_a_token_for_another_purpose_is_refused(client, alice, bob):
    from django.core import signing

    token = signing.dumps([bob.pk, alice.pk], salt="something.else")
    assert client.get(f"/subscriptions/unsubscribe/{token}/").status_code == 400


def test_a_token_for_a_deleted_account_is_a_404(client, alice, bob, link):
    bob.delete()
    response = client.get(link)
    assert response.status_code == 404
    assert "This unsubscribe link doesn’t work" in response.content.decode()


def test_only_get_and_post(client, link):
    assert client.put(link).status_code == 405
