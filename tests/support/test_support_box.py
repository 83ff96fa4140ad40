"""The story page's support box (issue 15): one row of Subscribe, Pledge and Tip, where Pledge
and Tip are <details> whose forms open below the row, without script; and a tip form whose own
amount is the "Other amount" choice rather than a second, always-shown way to say it.
(tests/browser/test_support_box.py measures it in Chromium.)"""

from __future__ import annotations

import html5lib
import pytest
from django.urls import reverse

from subscriptions.services import subscription_create
from support.services import pledge_create
from tests.conftest import make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(accepting, lifehack):
    return make_story(creator=accepting, community=lifehack, title="Gardens at night")


def parse(html: str):
    return html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)


def text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def row_of(client, story):
    tree = parse(client.get(story.get_absolute_url()).content.decode())
    (box,) = tree.findall(".//*[@data-block='support']")
    (row,) = box.findall(".//*[@class='support-box__actions']")
    return row


def actions(row) -> list[tuple[str, object]]:
    """The row's actions in order: ("subscribe", form or div) and ("details", element)."""
    found = []
    for child in row.iter():
        classes = (child.get("class") or "").split()
        # Subscribed: the state holds the Unsubscribe form, which is not an action of its own.
        if "subscribe-state" in classes or ("subscribe-form" in classes and not found):
            found.append(("subscribe", child))
        elif child.tag == "details":
            found.append(("details", child))
    return found


def test_a_signed_in_reader_gets_one_row_subscribe_pledge_tip_all_closed(client, story, bob):
    client.force_login(bob)
    found = actions(row_of(client, story))
    assert [kind for kind, _ in found] == ["subscribe", "details", "details"]
    pledge, tip = found[1][1], found[2][1]
    assert text(pledge.find("summary")) == "Pledge monthly to Alice Walker"
    assert text(tip.find("summary")) == "Tip Alice Walker"
    # Closed until pressed; one name, so opening one closes the other where browsers know it.
    assert pledge.get("open") is None and tip.get("open") is None
    assert pledge.get("name") == tip.get("name") == "support-action"
    # Each opens its own form: the pledge form, and the tip form that posts the tip.
    (pledge_form,) = pledge.findall(".//form")
    assert pledge_form.get("action") == reverse("support:pledge", args=["alice"])
    (tip_form,) = tip.findall(".//form")
    assert tip_form.get("action") == reverse("support:tip", args=["alice"])
    assert tip_form.get("method") == "post"
    assert "Test mode:" in text(tip) and "Test mode:" in text(pledge)


def test_an_anonymous_reader_gets_the_same_row_with_sign_in_and_the_get_tip_form(client, story):
    found = actions(row_of(client, story))
    assert [kind for kind, _ in found] == ["subscribe", "details", "details"]
    subscribe, pledge, tip = (element for _, element in found)
    assert subscribe.get("method") == "get"
    assert "Sign in to pledge monthly" in text(pledge) and pledge.find(".//form") is None
    (tip_form,) = tip.findall(".//form")
    assert tip_form.get("method") == "get"
    assert tip_form.find(".//input[@name='csrfmiddlewaretoken']") is None


def test_a_subscriber_and_pledger_sees_both_states_in_the_row(client, story, alice, bob):
    subscription_create(subscriber=bob, creator=alice)
    pledge_create(supporter=bob, creator=alice, amount=500)
    client.force_login(bob)
    found = actions(row_of(client, story))
    assert [kind for kind, _ in found] == ["subscribe", "details", "details"]
    subscribed, pledge, _ = (element for _, element in found)
    assert "✓ Subscribed" in text(subscribed) and "Unsubscribe" in text(subscribed)
    assert text(pledge.find("summary")) == "✓ Pledging monthly to Alice Walker"
    assert "You pledge $5.00 a month to Alice Walker." in text(pledge)


def test_the_own_amount_is_the_other_choice_not_a_second_label(client, story, bob):
    client.force_login(bob)
    tip = actions(row_of(client, story))[2][1]
    labels = [text(label) for label in tip.iter("label")]
    assert "Other amount" in labels
    # The field belongs to that choice (site.css shows it only once it is chosen), so its own
    # label no longer says "Other amount" a second time.
    assert [label for label in labels if "Other amount" in label] == ["Other amount"]
    field = tip.find(".//input[@name='other_amount']")
    (label,) = (label for label in tip.iter("label") if label.get("for") == field.get("id"))
    assert text(label) == "Your amount ($1.00–$500.00)"
    other = tip.find(".//input[@value='other']")
    assert other.get("type") == "radio" and other.get("name") == "preset"


def test_a_bad_own_amount_comes_back_with_other_chosen_and_what_was_typed(client, story, bob):
    client.force_login(bob)
    response = client.post(
        reverse("support:tip", args=["alice"]),
        {"preset": "other", "other_amount": "3.5.0", "message": "Lovely"},
    )
    assert response.status_code == 400
    tree = parse(response.content.decode())
    assert tree.find(".//input[@value='other']").get("checked") is not None
    assert tree.find(".//input[@name='other_amount']").get("value") == "3.5.0"
    assert tree.find(".//textarea[@name='message']").text.strip() == "Lovely"


def test_the_creator_sees_no_row(client, story, alice):
    client.force_login(alice)
    tree = parse(client.get(story.get_absolute_url()).content.decode())
    (box,) = tree.findall(".//*[@data-block='support']")
    assert box.find(".//*[@class='support-box__actions']") is None
    assert box.find(".//details") is None and box.find(".//form") is None
