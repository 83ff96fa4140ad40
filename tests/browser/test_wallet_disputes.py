"""Issue 20 in Chromium: a creator whose reader's bank disputes a tip, after another dispute
was lost with the money already paid out, reads on the wallet what is held and why and what is
owed, on a phone and a desk, axe-clean and without sideways scrolling."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from support import services
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot
from tests.conftest import make_user

PASSWORD = "creator-password-1234"


@pytest.fixture
def disputed(transactional_db, live_server, settings):
    settings.PAYMENTS_GATEWAY = "offline"
    settings.STRIPE_SECRET_KEY = ""
    settings.PLATFORM_FEE_BASIS_POINTS = 700
    settings.SUPPORT_CURRENCY = "usd"
    cache.clear()
    creator = make_user("amelia", display_name="Amelia Wilson", password=PASSWORD)
    reader = make_user("ruth", display_name="Ruth Reader")
    staff = make_user("sam", is_staff=True, is_superuser=True)
    small, _ = services.tip_create(creator=creator, amount=500, supporter=reader)
    large, _ = services.tip_create(creator=creator, amount=1_000, supporter=reader)
    payout = services.payout_request(creator=creator, amount=1_395)
    services.payout_approve(payout=payout, actor=staff)
    lost = services.dispute_opened(
        payment=large, dispute_id="dp_lost", amount=1_000, reason="duplicate"
    )
    services.dispute_closed(dispute=lost, won=False, provider_status="lost")
    services.dispute_opened(
        payment=small, dispute_id="dp_open", amount=500, reason="product_not_received"
    )
    yield live_server
    cache.clear()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_wallet_shows_a_held_dispute_and_what_is_owed(disputed, page_at, viewport):
    width = viewport["width"]
    page = page_at(viewport)
    page.goto(disputed.url + "/accounts/login/?next=/wallet/")
    page.get_by_label("Username").fill("amelia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/wallet/")
    attention = page.locator('[data-block="wallet-attention"]')
    text = attention.inner_text()
    assert "$4.65 held while 1 dispute is open" in text
    assert "You owe $9.30" in text and "next income" in text
    held = page.get_by_role("table", name="Open disputes, oldest first")
    assert "$5.00 tip from Ruth Reader" in held.inner_text()
    assert "The reader says they did not receive what they paid for" in held.inner_text()
    history = page.get_by_role("table", name="Transactions, newest first").inner_text()
    assert "Lost dispute over a tip from Ruth Reader" in history
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"wallet-disputes-{width}")
    assert_accessible(page)
