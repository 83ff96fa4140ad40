"""Tips through the offline gateway: bounds, who may tip, ledger rows, receipts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from stories.models import Story
from support.models import LedgerEntry, Tip
from support.selectors import balance_of, wallet_summary
from support.services import support_settings_update, tip_create
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db

Kind = LedgerEntry.Kind


def ledger(creator) -> list[tuple[str, int]]:
    return sorted(LedgerEntry.objects.filter(creator=creator).values_list("kind", "amount"))


@pytest.mark.parametrize("amount", [100, 101, 500, 49_999, 50_000])
def test_amounts_at_and_inside_the_bounds_are_taken(accepting, bob, amount):
    tip, _ = tip_create(creator=accepting, amount=amount, supporter=bob)
    assert tip.status == Tip.Status.SUCCEEDED
    assert tip.amount == amount


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (99, "too_small", r"smallest tip is \$1\.00"),
        (1, "too_small", r"smallest tip is \$1\.00"),
        (0, "too_small", r"smallest tip is \$1\.00"),
        (-500, "too_small", r"smallest tip is \$1\.00"),
        (50_001, "too_large", r"largest tip is \$500\.00"),
        (10**12, "too_large", r"largest tip is \$500\.00"),
        ("5", "invalid", "in digits"),
        ("abc", "invalid", "in digits"),
        (5.0, "invalid", "in digits"),
        (None, "invalid", "in digits"),
        (True, "invalid", "in digits"),
    ],
)
def test_amounts_beyond_the_bounds_or_not_integers_are_refused(
    accepting, bob, amount, code, message
):
    with pytest.raises(ValidationError, match=message) as caught:
        tip_create(creator=accepting, amount=amount, supporter=bob)
    assert caught.value.code == code
    assert not Tip.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_paid_tip_is_a_charge_and_a_fee_in_the_ledger(accepting, bob):
    tip, next_url = tip_create(creator=accepting, amount=500, supporter=bob, message="Thanks!")
    assert tip.status == Tip.Status.SUCCEEDED and tip.paid_at is not None
    assert tip.gateway == "offline" and tip.gateway_reference.startswith("offline_tip_")
    assert ledger(accepting) == [(Kind.CHARGE, 500), (Kind.FEE, 35)]
    assert balance_of(creator_id=accepting.pk, currency="usd") == 465
    assert next_url == accepting.get_absolute_url() + "?support=thanks"
    assert LedgerEntry.objects.filter(creator=bob).count() == 0


def test_the_fee_follows_the_setting(accepting, bob, settings):
    settings.PLATFORM_FEE_BASIS_POINTS = 1_000
    tip_create(creator=accepting, amount=250, supporter=bob)
    assert ledger(accepting) == [(Kind.CHARGE, 250), (Kind.FEE, 25)]


def test_a_tip_too_small_for_a_fee_has_no_fee_row(accepting, bob, settings):
    settings.PLATFORM_FEE_BASIS_POINTS = 50  # 0.5% of $1.00 rounds to 1 cent; 0.4% to none
    tip_create(creator=accepting, amount=100, supporter=bob)
    settings.PLATFORM_FEE_BASIS_POINTS = 40
    tip_create(creator=accepting, amount=100, supporter=bob)
    assert ledger(accepting) == [(Kind.CHARGE, 100), (Kind.CHARGE, 100), (Kind.FEE, 1)]


def test_anonymous_readers_tip_with_an_email_for_the_receipt(
    accepting, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_create(
            creator=accepting, amount=200, supporter=AnonymousUser(), email=" reader@example.com "
        )
    assert tip.supporter is None and tip.email == "reader@example.com"
    assert tip.supporter_name == "an anonymous reader"
    [receipt] = mailoutbox
    assert receipt.to == ["reader@example.com"]
    assert receipt.subject == "Receipt: your $2.00 tip to Alice Walker"
    assert "$2.00" in receipt.body and "test mode" in receipt.body


@pytest.mark.parametrize("email", ["", "   ", "not-an-email", "a@b"])
def test_anonymous_readers_must_give_a_valid_email(accepting, email):
    with pytest.raises(ValidationError) as caught:
        tip_create(creator=accepting, amount=200, email=email)
    assert caught.value.code == "email"
    assert not Tip.objects.exists()


def test_a_signed_in_reader_gets_the_receipt_at_their_account_address(
    accepting, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tip, _ = tip_create(creator=accepting, amount=500, supporter=bob, email="other@x.org")
    assert tip.email == ""
    assert [m.to for m in mailoutbox] == [["bob@example.com"]]


def test_the_receipt_waits_for_the_commit(accepting, bob, mailoutbox):
    # Inside the test's transaction nothing has committed, so nothing is sent yet.
    tip_create(creator=accepting, amount=500, supporter=bob)
    assert mailoutbox == []


def test_the_message_is_kept_as_text_and_shown_sanitised(accepting, bob):
    tip, _ = tip_create(
        creator=accepting,
        amount=500,
        supporter=bob,
        message="Loved it <script>alert(1)</script>\nsee https://example.com",
    )
    assert tip.message.startswith("Loved it <script>")
    assert "<script>" not in tip.message_html
    assert "&lt;script&gt;" in tip.message_html
    assert 'href="https://example.com"' in tip.message_html


def test_a_long_message_is_refused(accepting, bob):
    with pytest.raises(ValidationError, match="500 characters"):
        tip_create(creator=accepting, amount=500, supporter=bob, message="x" * 501)
    tip, _ = tip_create(creator=accepting, amount=500, supporter=bob, message="x" * 500)
    assert len(tip.message) == 500


def test_a_tip_on_a_story_returns_to_the_story(accepting, bob, lifehack):
    story = make_story(creator=accepting, community=lifehack)
    tip, next_url = tip_create(creator=accepting, amount=500, supporter=bob, story=story)
    assert tip.story == story
    assert next_url == story.get_absolute_url() + "?support=thanks"


def test_a_story_by_someone_else_or_not_public_cannot_be_tipped(accepting, bob, lifehack):
    theirs = make_story(creator=bob, community=lifehack)
    draft = make_story(creator=accepting, community=lifehack, status=Story.Status.DRAFT)
    for story in (theirs, draft):
        with pytest.raises(ValidationError) as caught:
            tip_create(creator=accepting, amount=500, supporter=bob, story=story)
        assert caught.value.code == "story"
    assert not Tip.objects.exists()


def test_creators_cannot_tip_themselves(accepting):
    with pytest.raises(ValidationError, match="yourself"):
        tip_create(creator=accepting, amount=500, supporter=accepting)


def test_a_creator_who_does_not_accept_support_cannot_be_tipped(alice, bob):
    # Support is on until the creator turns it off (issue 15).
    support_settings_update(creator=alice, accepts_support=False)
    with pytest.raises(ValidationError, match="isn’t accepting support") as caught:
        tip_create(creator=alice, amount=500, supporter=bob)
    assert caught.value.code == "not_accepting"
    support_settings_update(creator=alice, accepts_support=True)
    support_settings_update(creator=alice, accepts_support=False)
    with pytest.raises(ValidationError, match="isn’t accepting support"):
        tip_create(creator=alice, amount=500, supporter=bob)


def test_a_suspended_creator_cannot_be_tipped_and_a_suspended_reader_cannot_tip(accepting, bob):
    suspended = make_user("mallory", is_active=False, email="m@example.com")
    with pytest.raises(ValidationError, match="suspended"):
        tip_create(creator=accepting, amount=500, supporter=suspended)
    accepting.is_active = False
    accepting.save()
    with pytest.raises(ValidationError, match="isn’t accepting support"):
        tip_create(creator=accepting, amount=500, supporter=bob)


@pytest.mark.parametrize("currency", ["eur", "USDX", ""])
def test_only_the_platform_currency_is_taken(accepting, bob, currency):
    with pytest.raises(ValidationError, match="USD only"):
        tip_create(creator=accepting, amount=500, currency=currency, supporter=bob)
    tip, _ = tip_create(creator=accepting, amount=500, currency="USD", supporter=bob)
    assert tip.currency == "usd"


def test_the_wallet_counts_tips(accepting, bob):
    for amount in (100, 250, 5_000):
        tip_create(creator=accepting, amount=amount, supporter=bob)
    wallet = wallet_summary(creator=accepting)
    assert (wallet.tips, wallet.tip_count) == (5_350, 3)
    assert wallet.fees == 7 + 18 + 350
    assert wallet.net == wallet.balance == 5_350 - 375


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_the_return_address_stays_on_the_site(accepting, bob, unsafe):
    _, next_url = tip_create(creator=accepting, amount=500, supporter=bob, return_url=unsafe)
    assert next_url == accepting.get_absolute_url() + "?support=thanks"
    _, next_url = tip_create(
        creator=accepting, amount=500, supporter=bob, return_url="/lifehack/a-story/?x=1"
    )
    assert next_url == "/lifehack/a-story/?x=1&support=thanks"
