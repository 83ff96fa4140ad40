"""Emails recorded as they are handed over (core.mail): an event's email is sent once, and a
send that failed leaves no record, so a retry may send it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from core.mail import send_once
from core.models import SentMark


def test_send_once_sends_a_key_only_once(db):
    def send() -> mail.EmailMessage:
        return mail.EmailMessage("Hello", "Body", None, ["bob@example.com"])

    assert send_once("greeting:1", send()) is True
    assert send_once("greeting:1", send()) is False
    assert send_once("greeting:2", send()) is True
    assert len(mail.outbox) == 2


class RefusingBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionError("smtp down")


def test_a_failed_send_leaves_no_record_so_a_retry_may_send(db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    refused = mail.EmailMessage("Receipt", "Body", None, ["bob@example.com"])
    with pytest.raises(ConnectionError):
        send_once("receipt:7", refused)
    assert not SentMark.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_once("receipt:7", refused) is True
