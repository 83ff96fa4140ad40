"""Writes to accounts that touch more than one row: the profile with its avatar and links."""

from __future__ import annotations

from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import transaction

from creators.models import SocialLink, User


def profile_update(
    *,
    user: User,
    display_name: str,
    bio: str,
    avatar: File | None = None,
    remove_avatar: bool = False,
    links: dict[str, str],
    show_read_counts: bool | None = None,
) -> User:
    """Save ``user``'s public profile and make their social links exactly ``links``.

    ``avatar`` must already have been through core.images (SafeImageField does that); a
    new avatar replaces the old one, so ``remove_avatar`` only matters without one. ``links``
    maps a SocialLink.Network value to a validated URL; a network that is missing or maps to
    "" loses its link. ``show_read_counts`` None leaves that choice as it is.
    """
    unknown = set(links) - set(SocialLink.Network.values)
    if unknown:
        raise ValueError(f"Unknown social networks: {sorted(unknown)}")

    with transaction.atomic():
        old_avatar = user.avatar.name
        user.display_name = display_name
        user.bio = bio
        # bio_html is made from bio by User.save(), so it must be in update_fields too.
        fields = ["display_name", "bio", "bio_html"]
        if show_read_counts is not None:
            user.show_read_counts = show_read_counts
            fields.append("show_read_counts")
        if avatar is not None:
            user.avatar.save(avatar.name, avatar, save=False)
            fields.append("avatar")
        elif remove_avatar and old_avatar:
            user.avatar = ""
            fields.append("avatar")
        user.save(update_fields=fields)
        _replace_links(user, links)
        if "avatar" in fields and old_avatar:
            # Only once the new state is committed: a rollback must not lose the old picture.
            storage = user.avatar.storage
            transaction.on_commit(lambda: _delete_file(storage, old_avatar))
    return user


def _replace_links(user: User, links: dict[str, str]) -> None:
    existing = {link.network: link for link in user.social_links.all()}
    wanted = {network: url for network, url in links.items() if url}
    user.social_links.exclude(network__in=list(wanted)).delete()
    changed = []
    for network, url in wanted.items():
        link = existing.get(network)
        if link is None:
            SocialLink.objects.create(user=user, network=network, url=url)
        elif link.url != url:
            link.url = url
            changed.append(link)
    if changed:
        SocialLink.objects.bulk_update(changed, ["url"])


def _delete_file(storage: Storage, name: str) -> None:
    storage.delete(name)


@transaction.atomic
def email_preferences_update(
    *, user: User, new_stories: bool, comment_replies: bool, story_activity: bool
) -> User:
    """Save which emails ``user`` wants; the apps that send them read these fields."""
    user.email_new_stories = new_stories
    user.email_comment_replies = comment_replies
    user.email_story_activity = story_activity
    user.save(update_fields=["email_new_stories", "email_comment_replies", "email_story_activity"])
    return user
