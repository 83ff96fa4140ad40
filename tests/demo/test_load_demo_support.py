"""`manage.py load_demo_support` turns support on for the demo creators only, idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from support.selectors import support_offer
from support.services import support_settings_update
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_demo_creators_take_support_and_nobody_else(alice):
    amelia = make_user("ameliawilson", display_name="Amelia Wilson")
    # Support is on by default (issue 15); both turned it off, as a creator may.
    for creator in (amelia, alice):
        support_settings_update(creator=creator, accepts_support=False)
    assert support_offer(creator=amelia) is None
    call_command("load_demo_support", verbosity=0)
    call_command("load_demo_support", verbosity=0)  # twice is harmless
    assert support_offer(creator=amelia) is not None
    assert support_offer(creator=alice) is None  # not a demo account
