"""Login lockouts (django-axes through platform_site.login_guard): five wrong passwords for one
username from one address lock that pair out for 15 minutes, and twenty failed logins from one
address in an hour, whatever the usernames, lock the address out; each said plainly on the
login page."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY, authenticate
from django.test import Client

from tests.conftest import RATELIMIT_START, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "the right password 42"
HOME = "203.0.113.7"
ELSEWHERE = "198.51.100.9"
ROOT = Path(__file__).resolve().parents[2]
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


# --- failed logins per address, across usernames ---------------------------------------------

NETWORK_LOCKED = "Too many failed attempts to log in from your network, to any account."
START = RATELIMIT_START  # tests/conftest.py


@pytest.fixture
def three_an_hour(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login": {"address": ["3/h"]}}


def spray(usernames: int, *, address: str = HOME, start: int = 0) -> list[int]:
    """One password tried once against each of many usernames, as a sprayer does."""
    return [
        log_in(f"victim{n}", "Summer2024!", address=address)[1].status_code
        for n in range(start, start + usernames)
    ]


def test_one_password_sprayed_across_usernames_from_one_address_is_capped(db, clock):
    # No username is tried twice, so no username-and-address pair ever reaches its five.
    statuses = spray(30)
    assert statuses == [200] * 19 + [429] * 11


def test_the_address_lockout_says_why_and_holds_even_for_the_right_password(
    carol, three_an_hour, clock
):
    spray(2)
    _, response = log_in("victim2", "Summer2024!")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 46 * 60
    client, response = log_in("carol", PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    html = response.content.decode()
    assert NETWORK_LOCKED in html and "please wait 46 minutes before trying again" in html
    assert 'role="alert"' in html and 'value="carol"' in html
    assert LOCKED not in html  # it is not about carol's account
    # Another network is not held back, and the next hour lets this one in again.
    client, response = log_in("carol", PASSWORD, address=ELSEWHERE)
    assert response.status_code == 302 and signed_in(client)
    clock[0] += 46 * 60
    client, response = log_in("carol", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_successful_login_does_not_wipe_the_addresss_failures(carol, three_an_hour, clock):
    spray(2)
    log_in("carol", PASSWORD)  # the sprayer's own account, between two rounds
    assert spray(2, start=2) == [429, 429]


def test_the_admin_login_shares_the_address_limit(db, three_an_hour, clock):
    make_user("root", password=PASSWORD, is_staff=True, is_superuser=True)
    spray(3)
    client, response = log_in("root", PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and not signed_in(client)
    assert NETWORK_LOCKED in response.content.decode()


def test_one_ipv6_network_is_one_address(db, three_an_hour, clock):
    statuses = [
        log_in(f"victim{n}", "Summer2024!", address=f"2001:db8:1:2::{n + 1:x}")[1].status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_failures_counted_by_another_process_lock_this_one_out(carol, settings):
    """Each gunicorn worker counts into the cache every process shares (on disk by default)."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "failed_login": {"address": ["3/d"]}}
    env = {**os.environ, "DJANGO_DEBUG": "true", "RATE_LIMITS": "failed_login.address=3/d"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from platform_site.login_guard import failed_login\n"
            f"print([failed_login({HOME!r}) > 0 for _ in range(3)])",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[False, False, True]"
    client, response = log_in("carol", PASSWORD)
    assert response.status_code == 429 and NETWORK_LOCKED in response.content.decode()
