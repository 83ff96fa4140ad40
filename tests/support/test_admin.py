"""The admin as the moderators' money tool: read-only payments, refunds and payout decisions
through the services, with the acting staff member recorded."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from support.models import LedgerEntry, PayoutRequest, Tip
from support.services import payout_request, pledge_create, support_settings_update, tip_create
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

MODELS = [
    "supportsettings",
    "tip",
    "pledge",
    "pledgepayment",
    "ledgerentry",
    "payoutrequest",
    "stripeevent",
    "dispute",
    "moneynotice",
    "providerrecord",
    "difference",
]


@pytest.fixture
def root(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def money(accepting, bob):
    tip_create(creator=accepting, amount=500, supporter=bob, message="Lovely")
    tip_create(creator=accepting, amount=1_000, email="anon@example.com")
    pledge_create(supporter=bob, creator=accepting, amount=299)
    return accepting


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_detail_page_loads_and_nothing_can_be_added(admin_client, money, model):
    from django.apps import apps

    changelist = reverse(f"admin:support_{model}_changelist")
    assert admin_client.get(changelist).status_code == 200
    obj = apps.get_model("support", model).objects.first()
    if obj is not None:
        assert (
            admin_client.get(reverse(f"admin:support_{model}_change", args=[obj.pk])).status_code
            == 200
        )
    assert admin_client.get(reverse(f"admin:support_{model}_add")).status_code == 403


def test_the_ledger_cannot_be_edited_or_deleted_in_the_admin(admin_client, money):
    entry = LedgerEntry.objects.first()
    response = admin_client.post(
        reverse("admin:support_ledgerentry_change", args=[entry.pk]), {"amount": 1}
    )
    assert response.status_code == 403
    delete = reverse("admin:support_ledgerentry_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).amount == entry.amount


def test_payment_lists_filter_and_search(admin_client, money, bob):
    url = reverse("admin:support_tip_changelist")
    html = admin_client.get(url, {"q": "anon@example.com"}).content.decode()
    assert "anon@example.com (anonymous)" in html and "$5.00" not in html
    ledger = reverse("admin:support_ledgerentry_changelist")
    html = admin_client.get(ledger, {"kind__exact": "fee"}).content.decode()
    assert "−$0.35" in html and "−$0.70" in html and "$10.00" not in html
    support_settings_update(creator=bob, accepts_support=True)
    tip_create(creator=bob, amount=300, supporter=money)
    html = admin_client.get(ledger, {"creator__id__exact": bob.pk}).content.decode()
    assert "2 ledger entries" in html and "$3.00" in html and "$10.00" not in html


@pytest.mark.parametrize(
    ("model", "rows"),
    [("ledgerentry", 30), ("tip", 30), ("pledgepayment", 10), ("payoutrequest", 10)],
)
def test_lists_take_a_constant_number_of_queries(
    admin_client, accepting, model, rows, django_assert_max_num_queries
):
    for i in range(rows // 2):
        reader = make_user(f"reader{i}")
        tip_create(creator=accepting, amount=500, supporter=reader)
        pledge_create(supporter=reader, creator=accepting, amount=299)
    for i in range(rows if model == "payoutrequest" else 0):
        creator = make_user(f"creator{i}")
        PayoutRequest.objects.create(creator=creator, amount=100, currency="usd")
    # Session, user, count, rows, filters' lookups: about ten, whatever the number of rows.
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse(f"admin:support_{model}_changelist")).status_code == 200


def action(client, model: str, name: str, objs, **extra):
    data = {"action": name, ACTION_CHECKBOX_NAME: [o.pk for o in objs], **extra}
    return client.post(reverse(f"admin:support_{model}_changelist"), data, follow=False)


def test_refund_asks_for_confirmation_then_refunds_as_the_staff_member(admin_client, root, money):
    tip = Tip.objects.get(amount=500)
    page = action(admin_client, "tip", "refund", [tip])
    assert page.status_code == 200
    assert "Refund payments" in page.content.decode()
    assert not LedgerEntry.objects.filter(kind="refund").exists()
    done = action(admin_client, "tip", "refund", [tip], post="yes", reason="Duplicate")
    assert done.status_code == 302
    refund = LedgerEntry.objects.get(kind="refund")
    assert (refund.tip, refund.actor, refund.note) == (tip, root, "Duplicate")
    # Again: refused with a message, not a second refund.
    response = action(admin_client, "tip", "refund", [tip], post="yes", reason="")
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("already been refunded" in m for m in messages)
    assert LedgerEntry.objects.filter(kind="refund").count() == 1


def test_refunding_a_pledge_payment(admin_client, money):
    payment = money.pledges_received.get().payments.get()
    action(admin_client, "pledgepayment", "refund", [payment], post="yes", reason="")
    assert LedgerEntry.objects.get(kind="refund").pledge_payment == payment


def test_staff_without_the_refund_permission_cannot_refund(client, money):
    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    page = client.get(reverse("admin:support_tip_changelist"))
    assert page.status_code == 200 and "Refund selected payments" not in page.content.decode()
    action(client, "tip", "refund", [Tip.objects.first()], post="yes")
    assert not LedgerEntry.objects.filter(kind="refund").exists()


def test_staff_approve_a_payout_and_the_ledger_records_who(admin_client, root, money):
    payout = payout_request(creator=money, amount=500)
    page = admin_client.get(reverse("admin:support_payoutrequest_changelist"))
    assert "$5.00" in page.content.decode()
    action(admin_client, "payoutrequest", "approve", [payout], post="yes", reason="")
    payout.refresh_from_db()
    assert payout.status == PayoutRequest.Status.PAID and payout.decided_by == root
    assert LedgerEntry.objects.get(kind="payout").actor == root


def test_holding_a_payout_needs_a_reason(admin_client, root, money):
    payout = payout_request(creator=money, amount=500)
    page = action(admin_client, "payoutrequest", "hold", [payout], post="yes", reason="")
    assert page.status_code == 200 and "This field is required" in page.content.decode()
    action(admin_client, "payoutrequest", "hold", [payout], post="yes", reason="Verify your ID.")
    payout.refresh_from_db()
    assert (payout.status, payout.reason, payout.decided_by) == ("held", "Verify your ID.", root)
