"""The daily digest: `send_notification_digest` mails each reader who chose it one email with
the day's notifications, once however often it runs; readers who chose otherwise, or whose
notifications were of another day, get none."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.models import SentMark
from notifications import services
from notifications.models import Kind, Notification
from tests.conftest import make_user
from tests.notifications.conftest import with_email

pytestmark = pytest.mark.django_db


def digest_reader(name: str, mode: str = "digest"):
    reader = with_email(make_user(name, display_name=name.title()))
    services.preferences_update(
        user=reader, in_app=Kind.values, email=[Kind.SUBSCRIBER, Kind.TIP], mode=mode
    )
    return reader


def subscriber_note(recipient, actor, n: int, days_ago: int = 1) -> Notification:
    at = timezone.now() - timedelta(days=days_ago)
    return services.notify(
        kind=Kind.SUBSCRIBER, recipient=recipient, key=f"subscriber:{n}", actor=actor, at=at
    )


@pytest.fixture
def run(run_jobs):
    def command(day: str | None = None) -> str:
        out = StringIO()
        with run_jobs():  # as the worker would, once the command's jobs are queued
            call_command("send_notification_digest", *(["--day", day] if day else []), stdout=out)
        return out.getvalue()

    return command


def test_one_email_with_yesterdays_notifications_sent_once(alice, bob, run):
    carol = make_user("carol", display_name="Carol")
    reader = digest_reader("dora")
    subscriber_note(reader, bob, 1)
    subscriber_note(reader, carol, 2)
    subscriber_note(reader, alice, 3, days_ago=0)  # today's: tomorrow's digest
    instant = digest_reader("ed", mode="instant")
    subscriber_note(instant, bob, 4)
    mail.outbox.clear()  # ed's instant email

    assert "for 1 readers in 1 jobs" in run()
    (message,) = mail.outbox
    assert message.to == ["dora@example.com"]
    assert message.subject == "Your day on Byline: 2 notifications"
    assert "Bob Reader subscribed to you" in message.body
    assert "Carol subscribed to you" in message.body
    assert "Alice Walker" not in message.body
    assert "https://byline.example/notifications/" in message.body

    run()  # the scheduler ran it twice
    assert len(mail.outbox) == 1
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert SentMark.objects.filter(key=f"notifications.digest:{reader.pk}:{yesterday}").exists()


def test_a_reader_who_left_the_digest_since_gets_none(bob, run):
    reader = digest_reader("dora")
    subscriber_note(reader, bob, 1)
    services.preferences_update(user=reader, in_app=Kind.values, email=[], mode="off")
    run()
    assert mail.outbox == []


def test_a_given_day_and_a_bad_one(bob, run):
    reader = digest_reader("dora")
    subscriber_note(reader, bob, 1, days_ago=3)
    run((timezone.localdate() - timedelta(days=3)).isoformat())
    assert len(mail.outbox) == 1
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("yesterday")
