"""Password-reset throttling: a few emails an hour per target address, a few more requests per
client address, and a page that never tells whether an email has an account or hit its limit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.conftest import RATELIMIT_START, make_user

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
DONE = "/accounts/password/reset/done/"
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
START = RATELIMIT_START  # tests/conftest.py
_address = iter(f"192.0.2.{n}" for n in range(1, 255))


@pytest.fixture
def carol(db):
    return make_user("carol", email="carol@example.com")


def ask(email: str, address: str | None = None):
    """One reset request, from a new address unless one is named."""
    return Client(REMOTE_ADDR=address or next(_address)).post(RESET, {"email": email})


def test_one_email_gets_three_reset_emails_an_hour_from_anywhere(carol, clock):
    answers = [ask("carol@example.com") for _ in range(3)]
    assert len(mail.outbox) == 3
    # The fourth, in another case and from yet another address, silently sends nothing ...
    answers.append(ask("Carol@Example.com"))
    assert len(mail.outbox) == 3
    # ... and is answered exactly like the three before it.
    assert {(a.status_code, a["Location"]) for a in answers} == {(302, DONE)}
    clock[0] += 46 * 60  # the next hour
    ask("carol@example.com")
    assert len(mail.outbox) == 4


def test_the_answer_never_tells_which_emails_exist_or_are_over_their_limit(carol, clock):
    for _ in range(3):
        ask("carol@example.com")
    over = ask("carol@example.com")
    unknown = ask("nobody@example.com")
    fresh = ask("someone-else@example.com")
    for response in (over, unknown, fresh):
        assert response.status_code == 302 and response["Location"] == DONE
        assert response.content == fresh.content
        assert "Retry-After" not in response


def test_one_address_asking_for_many_emails_meets_a_429_that_keeps_the_form(db, clock):
    for n in range(10):
        assert ask(f"person{n}@example.com", HOME).status_code == 302
    response = ask("person10@example.com", HOME)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "You’re asking for password resets faster than we allow" in html
    assert 'role="alert"' in html and 'value="person10@example.com"' in html
    # Another address is not held back, and the next hour lets this one in again.
    assert ask("person11@example.com", ELSEWHERE).status_code == 302
    clock[0] += 46 * 60
    assert ask("person12@example.com", HOME).status_code == 302


def test_the_refused_request_sends_nothing_and_costs_the_email_nothing(carol, clock):
    for n in range(10):
        ask(f"person{n}@example.com", HOME)
    assert ask("carol@example.com", HOME).status_code == 429
    assert mail.outbox == []
    for _ in range(3):
        ask("carol@example.com")
    assert len(mail.outbox) == 3


def test_a_malformed_email_is_a_form_error_and_counts_for_nothing(carol, clock):
    for _ in range(12):
        response = ask("not an email", HOME)
        assert response.status_code == 200
        assert "Enter a valid email address." in response.content.decode()
    assert ask("carol@example.com", HOME).status_code == 302
    assert len(mail.outbox) == 1
