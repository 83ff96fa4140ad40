"""`manage.py load_demo_support` turns support on for the demo creators only, idempotently."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from stories.models import Story
from support.selectors import support_offer
from support.services import support_settings_update
from tests.conftest import make_story, make_user

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


def test_one_demo_story_is_for_supporters_and_it_is_not_the_seed_one(lifehack):
    amelia = make_user("ameliawilson", display_name="Amelia Wilson")
    sleep = make_story(
        creator=amelia,
        community=lifehack,
        title="What I learned from tracking my sleep for ninety days",
    )
    seed = make_story(creator=amelia, community=lifehack, title="How ketamine infusion therapy")
    call_command("load_demo_support", verbosity=0)
    call_command("load_demo_support", verbosity=0)  # twice is harmless
    assert Story.objects.get(pk=sleep.pk).for_supporters
    assert not Story.objects.get(pk=seed.pk).for_supporters
