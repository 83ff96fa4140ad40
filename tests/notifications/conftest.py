"""Notification fixtures: jobs run as the events commit, and every persona has an address."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from creators.models import User


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.SITE_URL = "https://byline.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): …`: the events' on-commit signals, and the jobs they queue (the tests'
    immediate backend), run at the end of the block, as after a real commit."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


def with_email(user: User, address: str | None = None) -> User:
    user.email = address or f"{user.username}@example.com"
    user.save(update_fields=["email"])
    return user


def unread(user: User) -> int:
    """The bell's number, as the next request would load it."""
    return User.objects.values_list("unread_notifications", flat=True).get(pk=user.pk)
