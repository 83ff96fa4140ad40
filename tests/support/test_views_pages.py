"""The reader-facing support pages: settings, tips, pledges, supporting, wallet."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from subscriptions.models import Subscription
from support.models import LedgerEntry, Pledge, SupportSettings, Tip
from support.services import pledge_create, support_settings_update, tip_create
from tests.conftest import make_story, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(accepting, lifehack):
    return make_story(creator=accepting, community=lifehack, title="Gardens at night")


def tip_url(user) -> str:
    return reverse("support:tip", args=[user.username])


# --- settings ---------------------------------------------------------------------------------


def test_settings_requires_login(client):
    response = client.get("/settings/support/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_settings_turn_on_and_set_amounts(client, alice):
    client.force_login(alice)
    assert client.get("/settings/support/").status_code == 200
    response = client.post(
        "/settings/support/",
        {
            "accepts_support": "on",
            "pledge_amount_1": "9.99",
            "pledge_amount_2": "$3",
            "pledge_amount_3": "5",
        },
    )
    assert response.status_code == 302
    account = SupportSettings.objects.get(creator=alice)
    assert account.accepts_support
    assert account.pledge_amounts == [300, 500, 999]


def test_settings_errors_keep_typed_values(client, alice):
    client.force_login(alice)
    response = client.post(
        "/settings/support/",
        {
            "accepts_support": "on",
            "pledge_amount_1": "abc",
            "pledge_amount_2": "1",
            "pledge_amount_3": "7",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the amount in digits" in html
    assert 'value="abc"' in html
    assert not SupportSettings.objects.filter(creator=alice, accepts_support=True).exists()


def test_settings_below_pledge_minimum_refused(client, alice):
    client.force_login(alice)
    response = client.post(
        "/settings/support/",
        {
            "accepts_support": "on",
            "pledge_amount_1": "1",
            "pledge_amount_2": "3",
            "pledge_amount_3": "7",
        },
    )
    assert response.status_code == 200
    assert 'value="1"' in response.content.decode()
    assert not SupportSettings.objects.filter(creator=alice, accepts_support=True).exists()


def test_settings_page_links_support(client, alice):
    client.force_login(alice)
    assert reverse("support:settings") in client.get("/settings/").content.decode()


# --- story page ---------------------------------------------------------------------------------


def test_story_page_offers_tip_and_pledge(client, story, bob):
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Give a one-off tip" in html
    assert 'class="support-action support-action--tip"' in html
    assert "Test mode:" in html  # the offline gateway
    # Anonymous readers choose the amount here and give their email on the tip page: the
    # story page's form is a GET form, without a CSRF token, shared by every anonymous reader.
    assert f'method="get" action="{tip_url(story.creator)}"' in html
    assert "Email for your receipt" not in html and "csrfmiddlewaretoken" not in html
    assert "Sign in to pledge monthly" in html
    assert f'value="{story.get_absolute_url()}"' in html
    client.force_login(bob)
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Pledge monthly" in html and "Email for your receipt" not in html


def test_story_page_without_support_has_no_tip(client, alice, lifehack):
    story = make_story(creator=alice, community=lifehack)
    support_settings_update(creator=alice, accepts_support=False)  # on unless turned off
    html = client.get(story.get_absolute_url()).content.decode()
    assert "Subscribe For Free" in html
    assert "Give a one-off tip" not in html
    assert "support-action" not in html


def test_creator_sees_no_tip_form_on_own_story(client, story, alice):
    client.force_login(alice)
    assert "Give a one-off tip" not in client.get(story.get_absolute_url()).content.decode()


# --- tips ---------------------------------------------------------------------------------------


def test_anonymous_tip_preset(client, story):
    response = client.post(
        tip_url(story.creator),
        {
            "preset": "500",
            "email": "reader@example.com",
            "message": "Lovely",
            "return_url": story.get_absolute_url(),
            "story": story.pk,
        },
        follow=True,
    )
    tip = Tip.objects.get()
    assert tip.amount == 500 and tip.status == Tip.Status.SUCCEEDED and tip.story == story
    assert response.redirect_chain[0][0] == story.get_absolute_url() + "?support=thanks"
    assert "Thank you! Your $5.00 tip reached Alice Walker." in response.content.decode()


def test_signed_in_tip_other_amount(client, accepting, bob):
    client.force_login(bob)
    response = client.post(tip_url(accepting), {"preset": "other", "other_amount": "12.50"})
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert tip.amount == 1250 and tip.supporter == bob
    assert response["Location"].startswith(accepting.get_absolute_url())


@pytest.mark.parametrize(
    "typed, error",
    [
        ("0.50", "$1.00"),
        ("500.01", "$500.00"),
        ("lots", "Enter the amount in digits"),
        ("-5", "above zero"),
    ],
)
def test_tip_bad_other_amount_rerenders(client, accepting, bob, typed, error):
    client.force_login(bob)
    response = client.post(
        tip_url(accepting), {"preset": "other", "other_amount": typed, "message": "hi there"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert f'value="{typed}"' in html and "hi there" in html
    assert not Tip.objects.filter(status=Tip.Status.SUCCEEDED).exists()


def test_tip_bounds_accepted(client, accepting, bob):
    client.force_login(bob)
    for typed in ("1", "500"):
        assert (
            client.post(tip_url(accepting), {"preset": "other", "other_amount": typed}).status_code
            == 302
        )
    assert sorted(Tip.objects.values_list("amount", flat=True)) == [100, 50_000]


def test_anonymous_tip_needs_email(client, accepting):
    response = client.post(tip_url(accepting), {"preset": "500"})
    assert response.status_code == 400
    assert not Tip.objects.exists()


def test_creator_cannot_tip_themself(client, accepting):
    client.force_login(accepting)
    response = client.post(tip_url(accepting), {"preset": "500"})
    assert response.status_code == 400
    assert "You can’t tip yourself." in response.content.decode()
    assert not Tip.objects.exists()


def test_tip_creator_not_accepting_is_404(client, alice):
    support_settings_update(creator=alice, accepts_support=False)  # on unless turned off
    assert client.get(tip_url(alice)).status_code == 404
    assert (
        client.post(tip_url(alice), {"preset": "500", "email": "a@example.com"}).status_code == 404
    )


def test_tip_get_shows_form(client, accepting):
    response = client.get(tip_url(accepting))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Give a one-off tip" in html and "Other amount" in html and "Test mode:" in html


def test_the_story_pages_tip_choice_arrives_on_the_tip_page(client, story):
    # What the anonymous reader's GET form on the story page sends.
    query = {"preset": "1000", "story": story.pk, "return_url": story.get_absolute_url()}
    html = client.get(tip_url(story.creator), query).content.decode()
    assert re.search(r'value="1000"[^>]* checked', html)
    assert "Email for your receipt" in html and "csrfmiddlewaretoken" in html
    assert f'name="story" value="{story.pk}"' in html
    assert f'name="return_url" value="{story.get_absolute_url()}"' in html


def test_tip_page_choices_it_would_refuse_are_left_out(client, accepting):
    query = {"story": "abc", "return_url": "https://evil.example/", "other_amount": "9" * 500}
    html = client.get(tip_url(accepting), query).content.decode()
    assert 'name="story" value=' not in html and 'name="return_url" value=' not in html
    assert 'value="' + "9" * 200 + '"' in html  # typed text is kept, cut to a sane length


def test_tip_foreign_return_url_ignored(client, accepting, bob):
    client.force_login(bob)
    response = client.post(
        tip_url(accepting), {"preset": "100", "return_url": "https://evil.example/"}
    )
    assert response["Location"].startswith(accepting.get_absolute_url())


# --- pledges ------------------------------------------------------------------------------------


def test_anonymous_pledge_goes_to_login(client, story):
    response = client.post(
        reverse("support:pledge", args=["alice"]),
        {"suggested": "3", "return_url": story.get_absolute_url()},
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] and "next=" in response["Location"]
    assert not Pledge.objects.exists()


def test_pledge_suggested_subscribes(client, story, bob):
    client.force_login(bob)
    response = client.post(
        reverse("support:pledge", args=["alice"]),
        {"suggested": "$2.99", "amount": "", "return_url": story.get_absolute_url()},
        follow=True,
    )
    pledge = Pledge.objects.get()
    assert pledge.amount == 299 and pledge.status == Pledge.Status.ACTIVE
    assert Subscription.objects.filter(subscriber=bob, creator=story.creator).exists()
    assert response.redirect_chain[0][0].startswith(story.get_absolute_url())
    assert "You now pledge $2.99 a month" in response.content.decode()


def test_pledge_own_amount_below_minimum(client, accepting, bob):
    client.force_login(bob)
    response = client.post(reverse("support:pledge", args=["alice"]), {"amount": "2.50"})
    assert response.status_code == 400
    assert "$2.99" in response.content.decode()
    assert not Pledge.objects.exists()
    assert not Subscription.objects.exists()


def test_supporting_change_cancel_resume(client, accepting, bob):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    tip_create(creator=accepting, supporter=bob, amount=200)
    client.force_login(bob)
    html = client.get("/supporting/").content.decode()
    assert "$5.00 a month" in html and "$2.00" in html and "receipt #" in html
    client.post(reverse("support:pledge_change", args=[pledge.pk]), {"amount": "7"})
    pledge.refresh_from_db()
    assert pledge.amount == 700
    response = client.post(
        reverse("support:pledge_change", args=[pledge.pk]), {"amount": "x"}, follow=True
    )
    assert "Enter the amount in digits" in response.content.decode()
    client.post(reverse("support:pledge_cancel", args=[pledge.pk]))
    pledge.refresh_from_db()
    assert pledge.cancel_at_period_end
    client.post(reverse("support:pledge_resume", args=[pledge.pk]))
    pledge.refresh_from_db()
    assert not pledge.cancel_at_period_end


def test_supporting_other_readers_pledge_is_404(client, accepting, bob):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    client.force_login(make_user("carol"))
    assert client.post(reverse("support:pledge_cancel", args=[pledge.pk])).status_code == 404


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("abc", "Enter the amount in digits"),  # the form refuses it
        ("2.50", "$2.99"),  # the service refuses it: below the smallest pledge
        ("9" * 40, "at most 20 characters"),  # longer than the field takes: no 500
    ],
)
def test_a_refused_change_keeps_what_was_typed_beside_its_pledge(
    client, accepting, bob, typed, reason
):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    dora = make_user("dora")
    support_settings_update(creator=dora, accepts_support=True)
    other, _ = pledge_create(supporter=bob, creator=dora, amount=700)
    client.force_login(bob)
    response = client.post(reverse("support:pledge_change", args=[pledge.pk]), {"amount": typed})
    assert response.status_code == 400
    html = response.content.decode()
    field = re.search(rf'<input [^>]*id="change-{pledge.pk}"[^>]*>', html).group(0)
    assert f'value="{typed}"' in field and 'aria-invalid="true"' in field
    assert f'aria-describedby="change-{pledge.pk}-error"' in field
    error = re.search(rf'id="change-{pledge.pk}-error"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert reason in error
    # The other pledge's field shows its own amount, untouched by the error.
    assert re.search(rf'<input [^>]*id="change-{other.pk}"[^>]*value="\$7.00"', html)
    pledge.refresh_from_db()
    assert pledge.amount == 500


def test_cancel_is_a_separate_confirmed_post_that_says_what_happens(client, accepting, bob):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    client.force_login(bob)
    html = client.get("/supporting/").content.decode()
    cancel = re.search(r'<details class="support-cancel">(.*?)</details>', html, re.S).group(1)
    action = reverse("support:pledge_cancel", args=[pledge.pk])
    assert f'<form class="support-cancel__confirm" method="post" action="{action}">' in cancel
    assert "You won’t be charged again" in cancel and "you can resume it until then" in cancel
    assert "Yes, cancel my pledge" in cancel
    # Cancel is not styled as the change button is.
    assert 'class="button support-cancel__open"' in cancel
    assert "button--secondary" not in cancel
    assert client.get(action).status_code == 405
    response = client.post(action, follow=True)
    assert f"Your pledge to {accepting.name} is cancelled" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.cancel_at_period_end


def test_supporting_forms_need_a_login(client, accepting, bob):
    pledge, _ = pledge_create(supporter=bob, creator=accepting, amount=500)
    for name in ("pledge_change", "pledge_cancel"):
        response = client.post(reverse(f"support:{name}", args=[pledge.pk]), {"amount": "9"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    pledge.refresh_from_db()
    assert pledge.amount == 500 and not pledge.cancel_at_period_end


# --- wallet -------------------------------------------------------------------------------------


def test_wallet_requires_login(client):
    assert client.get("/wallet/").status_code == 302


def test_wallet_shows_figures_chart_and_supporters(client, accepting, bob):
    tip_create(creator=accepting, amount=500, email="anon@example.com", message="Thanks!")
    pledge_create(supporter=bob, creator=accepting, amount=299)
    client.force_login(accepting)
    response = client.get("/wallet/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Platform fee (7%)" in html
    assert "$0.35" in html  # 7% of $5.00
    assert "<svg" in html and "<rect" in html and "Net income per month" in html
    assert "Anonymous" in html and "Thanks!" in html and "Bob Reader" in html
    assert "$2.99 a month" in html


class _TableAncestors(HTMLParser):
    """Each <table>'s caption, with the open elements around it: (tag, attributes) pairs, and
    each <details>'s <summary> text."""

    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.tables: list[dict] = []
        self.summaries: dict[int, str] = {}
        # Every element's attributes kept alive: `summaries` is keyed by their id(), and a
        # freed dict's id is reused by the next one, which then inherited another <details>'
        # summary text (the test failed about once in a full run).
        self._elements: list[dict] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        self.stack.append((tag, dict(attrs)))
        self._elements.append(self.stack[-1][1])
        if tag == "table":
            self.tables.append({"caption": "", "ancestors": list(self.stack[:-1])})
        if tag in {"caption", "summary"}:
            self._in = tag

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "caption" and self.tables:
            self.tables[-1]["caption"] += data
        elif self._in == "summary":
            details = max(i for i, (tag, _) in enumerate(self.stack) if tag == "details")
            key = id(self.stack[details][1])
            self.summaries[key] = self.summaries.get(key, "") + data


def test_wallet_month_table_is_folded_under_show_as_a_table(client, accepting):
    """Like the stats page: the chart shows, its month table waits in a closed disclosure."""
    tip_create(creator=accepting, amount=500, email="anon@example.com")
    client.force_login(accepting)
    html = client.get("/wallet/").content.decode()
    parser = _TableAncestors()
    parser.feed(html)
    months = [t for t in parser.tables if t["caption"].startswith("Net income per month")]
    assert len(months) == 1
    details = [attrs for tag, attrs in months[0]["ancestors"] if tag == "details"]
    assert len(details) == 1, "the month table is not inside a <details>"
    assert "open" not in details[0], "the disclosure must be closed by default"
    assert "bar-chart__details" in details[0].get("class", "")
    assert parser.summaries[id(details[0])].startswith("Show as a table")
    # The chart itself stays outside the disclosure.
    assert re.search(r'<svg class="bar-chart__svg"[^>]*>.*?</svg>\s*<details', html, re.S)
    # The other tables (transactions, supporters) stay open.
    others = [t for t in parser.tables if t is not months[0]]
    assert others and all(tag != "details" for t in others for tag, _ in t["ancestors"])


def test_wallet_filters_and_pages(client, accepting, bob):
    for _ in range(3):
        tip_create(creator=accepting, supporter=bob, amount=100)
    client.force_login(accepting)
    response = client.get("/wallet/", {"kind": "fee"})
    page = response.context["page"]
    assert {e.kind for e in page.object_list} == {LedgerEntry.Kind.FEE}
    response = client.get("/wallet/", {"kind": "nonsense", "start": "not a date"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 6
    response = client.get("/wallet/", {"start": "2000-01-01", "end": "2000-01-31"})
    assert response.context["page"].paginator.count == 0


@pytest.mark.parametrize(
    "dates",
    [{"start": "0001-01-01", "end": "9999-12-31"}, {"end": "9999-12-31"}, {"start": "0001-01-01"}],
)
def test_wallet_dates_at_the_calendars_edge_are_refused_not_a_500(client, accepting, bob, dates):
    tip_create(creator=accepting, supporter=bob, amount=100)
    client.force_login(accepting)
    response = client.get("/wallet/", dates)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a date" in html
    # The filter that could not apply applies to nothing: every entry is listed.
    assert response.context["page"].paginator.count == 2


def test_dashboard_links_wallet(client, alice):
    client.force_login(alice)
    assert reverse("support:wallet") in client.get("/write/").content.decode()
