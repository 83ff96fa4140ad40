"""core.mail.deliver over a real SMTP server (aiosmtpd): the record and the dot that ends the
message stand or fall together."""

from __future__ import annotations

import socket

import pytest
from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

from core.mail import AlreadySent, Refused, deliver
from core.models import SentMark
from tests.harness.fanout import SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)


class RefusingSink(SmtpSink):
    """Refuses, at the end of DATA, messages to addresses starting with "refuse"."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        if any(address.startswith("refuse") for address in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected"
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def sink():
    with RefusingSink() as running:
        yield running


@pytest.fixture
def connection(sink):
    backend = EmailBackend(host="127.0.0.1", port=sink.port, use_tls=False, timeout=5)
    yield backend
    backend.close()


def message(to: str) -> EmailMessage:
    return EmailMessage("Hello", "A line\n.\nA dot alone above.", "site@example.com", [to])


def marks(key: str):
    def claim() -> bool:
        SentMark.objects.create(key=key)
        return True

    def release() -> None:
        SentMark.objects.filter(key=key).delete()

    return claim, release


def test_a_message_is_delivered_once_and_recorded(sink, connection):
    claim, release = marks("hello:ann")
    deliver(message("ann@example.com"), connection=connection, claim=claim, release=release)
    assert sink.wait_for(lambda s: s.total == 1, timeout=5)
    assert SentMark.objects.filter(key="hello:ann").exists()

    # Run again: the record stops it, and the half-sent message is dropped.
    with pytest.raises(AlreadySent):
        deliver(message("ann@example.com"), connection=connection, claim=claim, release=release)
    # The same connection still works for the next reader.
    claim_bo, release_bo = marks("hello:bo")
    deliver(message("bo@example.com"), connection=connection, claim=claim_bo, release=release_bo)
    sink.wait_until_quiet(expected=2, timeout=5, quiet=0.5)
    assert sink.snapshot() == {"ann@example.com": 1, "bo@example.com": 1}


def test_no_record_is_left_when_the_dot_never_went_out(sink, connection):
    def claim_then_lose_the_connection() -> bool:
        SentMark.objects.create(key="hello:cy")
        connection.connection.sock.shutdown(socket.SHUT_RDWR)
        return True

    _, release = marks("hello:cy")
    with pytest.raises(OSError):
        deliver(
            message("cy@example.com"),
            connection=connection,
            claim=claim_then_lose_the_connection,
            release=release,
        )
    assert not SentMark.objects.exists()
    sink.wait_until_quiet(expected=0, timeout=1, quiet=0.5)
    assert sink.total == 0

    # A retry on a fresh connection sends it, once.
    connection.connection = None
    claim, release = marks("hello:cy")
    deliver(message("cy@example.com"), connection=connection, claim=claim, release=release)
    assert sink.wait_for(lambda s: s.total == 1, timeout=5)
    assert SentMark.objects.filter(key="hello:cy").exists()


def test_a_message_refused_at_the_dot_takes_its_record_back(sink, connection):
    claim, release = marks("hello:refused")
    with pytest.raises(Refused) as refused:
        deliver(message("refuse@example.com"), connection=connection, claim=claim, release=release)
    assert refused.value.code == 554 and refused.value.stage == "end"
    assert not refused.value.permanent
    assert not SentMark.objects.exists()
    assert sink.total == 0
