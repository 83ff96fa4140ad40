"""Issue 15: support is on for a creator who never chose, and when the gateway wants a payout
account first (Stripe), the creator, and only the creator, is told where to set it up.

The Stripe cases switch the gateway on through settings with the HTTP client stubbed
(tests/support/conftest.py): a call nobody expected fails the test, so none leaves the machine.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from support.models import SupportSettings, Tip
from support.selectors import payout_setup_needed, support_offer, support_settings_for
from support.services import pledge_create, support_settings_update, tip_create
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

NOTICE = "Readers can’t support you yet:"
SETUP_LINK = '<a href="/settings/support/#payouts">set up payouts</a>'


@pytest.fixture
def story(alice, lifehack):
    """Alice's first story; she has never opened her support settings or her wallet."""
    assert not SupportSettings.objects.filter(creator=alice).exists()
    return make_story(creator=alice, community=lifehack, title="My first story")


def creator_pages(story) -> list[str]:
    return [
        reverse("stories:dashboard"),
        reverse("stories:new"),
        reverse("stories:edit", args=[story.pk]),
        story.get_absolute_url(),
        reverse("support:wallet"),
    ]


# --- offline: on from the first story ------------------------------------------------------


def test_a_creator_who_never_chose_takes_support(alice):
    assert support_settings_for(creator=alice).accepts_support
    assert SupportSettings().accepts_support
    assert support_offer(creator=alice) is not None


def test_a_new_creators_story_offers_tip_and_pledge(client, story, bob):
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Give a one-off tip" in html and "Sign in to pledge monthly" in html
    client.force_login(bob)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Give a one-off tip" in html and "Pledge monthly" in html


def test_a_new_creator_can_be_tipped_and_pledged_to_without_a_visit_to_the_wallet(
    client, story, alice, bob
):
    client.force_login(bob)
    response = client.post(
        reverse("support:tip", args=[alice.username]),
        {"preset": "500", "story": story.pk, "return_url": story.get_absolute_url()},
    )
    assert response.status_code == 302
    assert Tip.objects.get().status == Tip.Status.SUCCEEDED
    pledge, _ = pledge_create(supporter=bob, creator=alice, amount=299)
    assert pledge.status == pledge.Status.ACTIVE


def test_a_creator_who_turned_support_off_stays_off(client, story, alice, bob):
    support_settings_update(creator=alice, accepts_support=False)
    assert support_offer(creator=alice) is None
    assert "Give a one-off tip" not in client.get(story.get_absolute_url()).content.decode()
    with pytest.raises(Exception, match="isn’t accepting support"):
        tip_create(creator=alice, supporter=bob, amount=500)


def test_the_settings_page_shows_support_on_for_a_creator_who_never_chose(client, alice):
    client.force_login(alice)
    html = client.get(reverse("support:settings")).content.decode()
    assert re.search(r'<input[^>]*name="accepts_support"[^>]*checked', html)
    assert "Test mode: payouts need no account here" in html
    assert "Set up payouts" not in html


def test_offline_no_creator_page_shows_the_payout_notice(client, story, alice):
    client.force_login(alice)
    for url in creator_pages(story):
        response = client.get(url)
        assert response.status_code == 200, url
        assert NOTICE not in response.content.decode(), url


# --- a gateway that needs a payout account (Stripe) ------------------------------------------


def test_stripe_the_creator_is_told_on_the_dashboard_editor_story_and_wallet(
    client, stripe_http, story, alice
):
    assert payout_setup_needed(creator=alice)
    client.force_login(alice)
    for url in creator_pages(story):
        html = client.get(url).content.decode()
        assert NOTICE in html and SETUP_LINK in html, url
    assert stripe_http.requests == []


def test_stripe_readers_see_neither_the_notice_nor_the_buttons(client, stripe_http, story, bob):
    for viewer in (None, bob):
        if viewer:
            client.force_login(viewer)
        html = client.get(story.get_absolute_url()).content.decode()
        assert NOTICE not in html
        assert "Give a one-off tip" not in html and "Pledge monthly" not in html
        assert "Subscribe For Free" in html
    assert stripe_http.requests == []


def test_stripe_the_notice_goes_once_stripe_can_pay_out(client, stripe_http, story, alice, bob):
    SupportSettings.objects.create(creator=alice, stripe_account_id="acct_a", payouts_enabled=True)
    assert not payout_setup_needed(creator=alice)
    client.force_login(alice)
    for url in creator_pages(story):
        assert NOTICE not in client.get(url).content.decode(), url
    client.force_login(bob)
    assert "Give a one-off tip" in client.get(story.get_absolute_url()).content.decode()


def test_stripe_no_notice_for_a_creator_who_turned_support_off(client, stripe_http, story, alice):
    support_settings_update(creator=alice, accepts_support=False)
    client.force_login(alice)
    assert NOTICE not in client.get(reverse("stories:dashboard")).content.decode()


def test_stripe_the_settings_page_offers_to_set_up_payouts(client, stripe_http, alice):
    client.force_login(alice)
    html = client.get(reverse("support:settings")).content.decode()
    assert 'id="payouts"' in html
    assert f'action="{reverse("support:payouts")}"' in html and "Set up payouts" in html
    SupportSettings.objects.create(creator=alice, stripe_account_id="acct_a")
    html = client.get(reverse("support:settings")).content.decode()
    assert "Continue setting up payouts" in html


def test_stripe_set_up_payouts_sends_the_creator_to_stripe(client, stripe_http, alice):
    stripe_http.respond("POST", "/v1/accounts", {"id": "acct_new", "object": "account"})
    stripe_http.respond(
        "POST",
        "/v1/account_links",
        {"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_new/x"},
    )
    client.force_login(alice)
    response = client.post(reverse("support:payouts"))
    assert response.status_code == 302
    assert response["Location"] == "https://connect.stripe.com/setup/e/acct_new/x"
    link = stripe_http.calls("POST", "/v1/account_links")[0].params
    assert link["return_url"].endswith("/settings/support/#payouts")
    assert SupportSettings.objects.get(creator=alice).stripe_account_id == "acct_new"


def test_stripe_refusing_set_up_says_so_on_the_settings_page(client, stripe_http, alice):
    stripe_http.respond(
        "POST",
        "/v1/accounts",
        {"error": {"type": "invalid_request_error", "message": "Connect is not enabled."}},
        status=400,
    )
    client.force_login(alice)
    response = client.post(reverse("support:payouts"), follow=True)
    assert response.redirect_chain[-1][0] == "/settings/support/#payouts"
    assert "Connect is not enabled." in response.content.decode()


def test_set_up_payouts_offline_comes_straight_back(client, alice):
    client.force_login(alice)
    response = client.post(reverse("support:payouts"))
    assert response.status_code == 302
    assert response["Location"].endswith("/settings/support/#payouts")


def test_set_up_payouts_wants_a_signed_in_post(client, alice):
    url = reverse("support:payouts")
    response = client.post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(alice)
    assert client.get(url).status_code == 405
