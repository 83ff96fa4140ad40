"""Signals `challenges` sends to the floor above (notifications)."""

from django.dispatch import Signal

# Sent once a challenge's decision is committed. Arguments: challenge.
challenge_decided = Signal()
