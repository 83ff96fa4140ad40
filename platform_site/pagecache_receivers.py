"""Signal receivers that bump the page cache's stamps (core/pagecache.py) on every write
a public page shows, whoever makes it.

Signals rather than calls in each service, as for the search index: the admin's forms, taggit's
managers, cascading deletes and the shell write these rows too, and `creators` may not import
the site package's cache. Writes that go round signals (`QuerySet.update()`) call
`pagecache.bump` themselves: comments.services does for moderation.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from taggit.models import Tag

from comments.models import Comment
from core.pagecache import bump, creator_name, story_name
from creators.models import SocialLink
from insights.models import Insight, Quality, Rating
from stories.models import Community, Story
from subscriptions.models import Subscription
from support.models import SupportSettings

# A save that writes only these changes nothing a page shows (a login, a password).
USER_PRIVATE_FIELDS = frozenset({"last_login", "password"})


def _story_changed(story: Story) -> None:
    names = [story_name(story.pk)]
    # A story that has never been public is on no page but its creator's own preview, which
    # is never stored; every autosave of a draft need not empty the listings.
    if story.published_at is not None:
        names += ["listing", creator_name(story.creator_id)]
    bump(*names)


def story_saved(sender, instance: Story, raw: bool = False, update_fields=None, **kwargs) -> None:
    # The read beacon counts with QuerySet.update(), not here: a read is not worth emptying the
    # pages for; the count on a stored page is at most PAGE_CACHE_SECONDS old.
    if not raw:
        _story_changed(instance)


def story_deleted(sender, instance: Story, **kwargs) -> None:
    _story_changed(instance)


def story_tags_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        if isinstance(instance, Story):
            _story_changed(instance)
        else:  # tag.<manager>.add(story, …)
            bump("listing", "site")


def shown_everywhere(sender, raw: bool = False, **kwargs) -> None:
    """Communities, tags, insight ratings and qualities: on cards and story pages site-wide."""
    if not raw:
        bump("site")


def user_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs):
    if created or raw:
        return
    if update_fields is not None and set(update_fields) <= USER_PRIVATE_FIELDS:
        return
    # Names and avatars show wherever people do: bylines, cards, comments.
    bump("site", creator_name(instance.pk))


def creator_detail_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """Social links, subscriptions, support settings: the profile and the creator's stories."""
    if not raw:
        bump(creator_name(_creator_id(instance)))


def _creator_id(instance) -> int:
    if isinstance(instance, SocialLink):
        return instance.user_id
    return instance.creator_id


def story_detail_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    """Comments and insights: one story's page."""
    if not raw:
        bump(story_name(instance.story_id))


def insight_qualities_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        if isinstance(instance, Insight):
            bump(story_name(instance.story_id))
        else:
            bump("site")


def connect() -> None:
    """Connect the receivers; called once from PlatformSiteConfig.ready()."""
    # Named senders only (and proxies of Story, which send under their own name): a receiver
    # for every model would turn off Django's fast deletes everywhere.
    from django.apps import apps

    uid = "platform_site.pagecache"
    for model in apps.get_models():
        if issubclass(model, Story):
            label = model._meta.label_lower
            post_save.connect(story_saved, sender=model, dispatch_uid=f"{uid}.{label}.saved")
            post_delete.connect(story_deleted, sender=model, dispatch_uid=f"{uid}.{label}.deleted")
    m2m_changed.connect(story_tags_changed, sender=Story.tags.through, dispatch_uid=f"{uid}.tags")
    for model in (Community, Tag, Rating, Quality):
        label = model._meta.label_lower
        post_save.connect(shown_everywhere, sender=model, dispatch_uid=f"{uid}.{label}.saved")
        post_delete.connect(shown_everywhere, sender=model, dispatch_uid=f"{uid}.{label}.deleted")
    post_save.connect(user_saved, sender=get_user_model(), dispatch_uid=f"{uid}.user")
    for model in (SocialLink, Subscription, SupportSettings):
        label = model._meta.label_lower
        post_save.connect(creator_detail_changed, sender=model, dispatch_uid=f"{uid}.{label}.s")
        post_delete.connect(creator_detail_changed, sender=model, dispatch_uid=f"{uid}.{label}.d")
    for model in (Comment, Insight):
        label = model._meta.label_lower
        post_save.connect(story_detail_changed, sender=model, dispatch_uid=f"{uid}.{label}.s")
        post_delete.connect(story_detail_changed, sender=model, dispatch_uid=f"{uid}.{label}.d")
    m2m_changed.connect(
        insight_qualities_changed,
        sender=Insight.qualities.through,
        dispatch_uid=f"{uid}.insight_qualities",
    )
