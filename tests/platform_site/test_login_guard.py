"""Login lockouts (django-axes through platform_site.login_guard): five wrong passwords for one
username from one address lock that pair out for 15 minutes, said plainly on the login page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, authenticate
from django.test import Client

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "the right password 42"
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
LOCKED = "Too many failed attempts to log in to this account from your network."


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    # Dozens of logins per test: the fast hasher keeps them about lockouts, not PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def carol(db):
    return make_user("carol", password=PASSWORD)


def log_in(username: str, password: str, *, address: str = HOME, url="/accounts/login/", **extra):
    client = Client(REMOTE_ADDR=address, **extra)
    response = client.post(url, {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def fail(times: int, username: str = "carol", **kwargs) -> list[int]:
    return [log_in(username, "a wrong guess", **kwargs)[1].status_code for _ in range(times)]


def test_four_wrong_passwords_are_ordinary_mistakes(carol):
    assert fail(4) == [200, 200, 200, 200]
    client, response = log_in("carol", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_the_fifth_locks_the_pair_out_with_a_clear_message_on_the_login_page(carol):
    assert fail(4) == [200] * 4
    _, response = log_in("carol", "a fifth guess")
    assert response.status_code == 429
    assert 15 * 60 - 10 < int(response["Retry-After"]) <= 15 * 60
    html = response.content.decode()
    assert LOCKED in html and "please wait 15 minutes before trying again" in html
    assert 'role="alert"' in html and '<h1 class="page-title">Log in</h1>' in html
    assert 'value="carol"' in html  # the username is kept; the password never is
    assert "a fifth guess" not in html
    assert "don’t match an active account" not in html  # nothing was checked


def test_while_locked_out_even_the_right_password_is_refused(carol):
    fail(5)
    client, response = log_in("carol", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_is_for_that_username_from_that_address_only(carol):
    make_user("dave", password=PASSWORD)
    fail(5)
    client, response = log_in("carol", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)
    client, response = log_in("dave", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_it_ends_after_fifteen_minutes(carol):
    fail(5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    client, response = log_in("carol", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_trying_again_during_the_lockout_does_not_extend_it(carol):
    fail(5)
    first = AccessAttempt.objects.get().attempt_time
    fail(3)
    assert AccessAttempt.objects.get().attempt_time == first


def test_a_successful_login_starts_the_count_again(carol):
    fail(4)
    log_in("carol", PASSWORD)
    assert fail(4) == [200] * 4


def test_a_forged_forwarded_header_does_not_escape_the_lockout(carol, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        log_in("carol", "a wrong guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    _, response = log_in("carol", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert response.status_code == 429


def test_behind_our_proxy_the_lockout_follows_the_address_it_saw(carol, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        log_in("carol", "a wrong guess", address="10.0.0.2", HTTP_X_FORWARDED_FOR=HOME)
    _, response = log_in("carol", PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR=HOME)
    assert response.status_code == 429
    client, response = log_in("carol", PASSWORD, address="10.0.0.2", HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)


def test_the_admin_login_is_guarded_the_same_way(db):
    make_user("root", password=PASSWORD, is_staff=True, is_superuser=True)
    statuses = fail(5, "root", url="/admin/login/")
    assert statuses == [200, 200, 200, 200, 429]
    client, response = log_in("root", PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and not signed_in(client)
    html = response.content.decode()
    assert LOCKED in html and 'id="login-form"' in html  # the admin's own login page


def test_logging_in_without_a_request_is_left_to_the_password_check(carol):
    # The shell and management commands have no client to lock out.
    assert authenticate(username="carol", password=PASSWORD) == carol
    assert authenticate(username="carol", password="wrong") is None
