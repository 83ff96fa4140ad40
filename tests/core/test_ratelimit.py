"""platform_site.ratelimit: fixed windows in the cache, per account and per client address."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.ratelimit import Rate, RateLimited, address_key, check, email_key, parse_rate, take
from tests.conftest import RATELIMIT_START
from tests.platform_site.test_settings import run_python, setting

START = RATELIMIT_START  # tests/conftest.py


@pytest.fixture
def limits(settings):
    settings.RATE_LIMITS = {
        "comment": {"user": ["3/m"], "address": ["5/m"]},
        "signup": {"address": ["2/h"]},
        "password_reset": {"email": ["2/h"], "address": ["3/h"]},
    }
    return settings.RATE_LIMITS


def allowed(count: int, **who) -> int:
    """How many of `count` tries in a row get through."""
    passed = 0
    for _ in range(count):
        try:
            take("comment", **who)
        except RateLimited:
            continue
        passed += 1
    return passed


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("10/m", Rate(10, 60)),
        ("1/s", Rate(1, 1)),
        ("50/d", Rate(50, 86_400)),
        ("3/10m", Rate(3, 600)),
        (" 5 / h ", Rate(5, 3600)),
    ],
)
def test_rates_are_read_as_written(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["10", "0/m", "10/w", "ten/m", "10/0m", "-1/m", ""])
def test_a_rate_that_does_not_parse_is_a_configuration_error(text):
    with pytest.raises(ImproperlyConfigured, match="10/m"):
        parse_rate(text)


def test_the_next_try_over_the_limit_is_refused_with_when_to_come_back(limits, clock):
    assert allowed(3, user_id=1) == 3
    clock[0] += 20
    with pytest.raises(RateLimited) as refused:
        take("comment", user_id=1)
    assert refused.value.retry_after == 40
    assert refused.value.code == "rate_limited"
    assert refused.value.messages == [
        "You’re commenting faster than we allow; please try again in a minute."
    ]


def test_another_account_or_address_has_its_own_count(limits, clock):
    assert allowed(4, user_id=1) == 3
    assert allowed(3, user_id=2) == 3
    assert allowed(6, address="203.0.113.7") == 5
    assert allowed(1, address="203.0.113.8") == 1


def test_both_counts_apply_and_either_refuses(limits, clock):
    # Three accounts behind one address: each is within its own limit, the address is not.
    assert allowed(2, user_id=1, address="203.0.113.7") == 2
    assert allowed(2, user_id=2, address="203.0.113.7") == 2
    assert allowed(2, user_id=3, address="203.0.113.7") == 1


def test_the_window_resets(limits, clock):
    assert allowed(4, user_id=1) == 3
    clock[0] += 59
    assert allowed(1, user_id=1) == 0
    clock[0] += 1  # the next minute's window
    assert allowed(4, user_id=1) == 3


def test_the_wait_is_worded_for_longer_windows(limits, clock):
    for _ in range(2):
        take("signup", address="203.0.113.7")
    clock[0] += 10
    with pytest.raises(RateLimited) as refused:
        take("signup", address="203.0.113.7")
    assert refused.value.retry_after == 3600 - 14 * 60 - 10
    assert "please try again in 46 minutes" in refused.value.messages[0]
    assert "creating accounts" in refused.value.messages[0]


def test_an_email_is_counted_however_it_is_typed_and_never_kept_in_the_clear(limits, clock):
    take("password_reset", email="carol@example.com")
    take("password_reset", email=" Carol@Example.COM ")
    with pytest.raises(RateLimited) as refused:
        take("password_reset", email="CAROL@example.com")
    assert "asking for password resets" in refused.value.messages[0]
    take("password_reset", email="dave@example.com")  # another email has its own count
    assert email_key("carol@example.com") == email_key(" CAROL@example.com")
    assert "carol" not in email_key("carol@example.com")


def test_check_refuses_a_full_window_and_counts_nothing(limits, clock):
    for _ in range(10):
        check("comment", user_id=1)  # looking never fills a window
    assert allowed(3, user_id=1) == 3
    with pytest.raises(RateLimited) as refused:
        check("comment", user_id=1)
    assert refused.value.retry_after == 60
    check("comment", user_id=2)
    clock[0] += 60
    check("comment", user_id=1)


def test_no_limit_without_someone_to_count(limits, clock):
    assert allowed(10) == 10  # neither an account nor an address: nothing to key on


def test_a_scope_missing_from_the_settings_is_a_configuration_error(limits):
    with pytest.raises(ImproperlyConfigured, match="tip"):
        take("tip", user_id=1)


def test_ipv6_clients_are_counted_by_their_network():
    # One host usually has a whole /64; counting single addresses would be no limit at all.
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") != address_key("2001:db8:1:3::1")
    assert address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_key("203.0.113.7") == "203.0.113.7"


def test_simultaneous_tries_never_share_the_last_slot(limits, clock):
    barrier = threading.Barrier(20)
    outcomes = []

    def attempt():
        barrier.wait()
        try:
            take("comment", user_id=7)
        except RateLimited:
            outcomes.append("refused")
        else:
            outcomes.append("allowed")

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("allowed") == 3 and outcomes.count("refused") == 17


def test_limits_are_overridden_from_the_environment():
    dev = {"DJANGO_DEBUG": "true"}
    assert setting("settings.RATE_LIMITS['comment']", **dev) == (
        "{'user': ['5/m', '50/d'], 'address': ['20/m', '500/d']}"
    )
    assert setting(
        "(settings.RATE_LIMITS['comment'], settings.RATE_LIMITS['tip'])",
        RATE_LIMITS="comment.address=100/m, tip.user=",
        **dev,
    ) == ("({'user': ['5/m', '50/d'], 'address': ['100/m']}, {'user': [], 'address': ['20/h']})")
    assert (
        setting(
            "settings.RATE_LIMITS['password_reset']",
            RATE_LIMITS="password_reset.email=5/h 10/d",
            **dev,
        )
        == "{'email': ['5/h', '10/d'], 'address': ['10/h']}"
    )


@pytest.mark.parametrize(
    "raw", ["comment.user=5", "comments.user=5/m", "comment.everyone=5/m", "comment=5/m"]
)
def test_a_wrong_override_refuses_to_start_and_says_why(raw):
    result = run_python("import django; django.setup()", DJANGO_DEBUG="true", RATE_LIMITS=raw)
    assert result.returncode != 0
    assert "RATE_LIMITS entries look like comment.user=5/m 50/d" in result.stderr
