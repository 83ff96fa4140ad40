"""Signal receivers that keep the search index in step with every write, whoever makes it.

Signals, not service calls, because stories change from more places than the services: the
admin's forms, taggit's managers, a creator renaming themselves in `creators` (which may not
import `stories`), cascading deletes; and because `search` is a floor above `stories`, which
never calls it. They run in the writer's transaction, so a rollback takes the index change
with it.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag

from creators.models import User
from search import index
from stories.models import Story

# A save that writes none of these cannot change what the index holds for a story (a pick, a
# read count) or for a creator (a login's last_login).
STORY_FIELDS = frozenset(
    {"title", "subtitle", "body", "for_supporters", "status", "creator", "creator_id"}
)
CREATOR_FIELDS = frozenset({"display_name", "username", "first_name", "last_name", "is_active"})


def _touches(update_fields: frozenset[str] | None, fields: frozenset[str]) -> bool:
    return update_fields is None or not fields.isdisjoint(update_fields)


def story_saved(
    sender,
    instance: Story,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs,
) -> None:
    # A fixture's rows arrive before their tags and creators; rebuild_search_index after loaddata.
    if not raw and _touches(update_fields, STORY_FIELDS):
        index.index_story(instance)


def story_deleted(sender, instance: Story, **kwargs) -> None:
    index.remove_story(instance.pk)


def story_tags_changed(
    sender, instance: object, action: str, reverse: bool, pk_set: set[int] | None, **kwargs
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # tag.<manager>.add(story, ...): pk_set holds the stories' ids
        if pk_set:
            index.index_stories(pk_set)
    elif isinstance(instance, Story) and (pk_set or action == "post_clear"):
        index.index_story(instance)


def _tagged_story_ids(tag: Tag) -> list[int]:
    story_type = ContentType.objects.get_for_model(Story)
    items = tag.taggit_taggeditem_items.filter(content_type=story_type)
    return list(items.values_list("object_id", flat=True))


def tag_saved(sender, instance: Tag, created: bool, raw: bool = False, **kwargs) -> None:
    # A renamed tag changes the text of every story that carries it.
    if not created and not raw:
        index.index_stories(_tagged_story_ids(instance))


def tag_deleting(sender, instance: Tag, **kwargs) -> None:
    # The tagged items are gone by post_delete; remember whose they were.
    instance._search_story_ids = _tagged_story_ids(instance)


def tag_deleted(sender, instance: Tag, **kwargs) -> None:
    index.index_stories(getattr(instance, "_search_story_ids", []))


def creator_saved(
    sender,
    instance: User,
    created: bool,
    raw: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs,
) -> None:
    # A new account has no stories; a renamed or suspended one changes what readers find.
    if not created and not raw and _touches(update_fields, CREATOR_FIELDS):
        index.reindex_creator(instance)


def connect() -> None:
    """Connect the receivers; called once from SearchConfig.ready()."""
    # Named senders only: a post_delete receiver for every model would turn off Django's fast
    # deletes everywhere. Proxies (the review queue's Submission) send under their own name.
    for model in apps.get_models():
        if issubclass(model, Story):
            uid = f"search.{model._meta.label_lower}"
            post_save.connect(story_saved, sender=model, dispatch_uid=f"{uid}.saved")
            post_delete.connect(story_deleted, sender=model, dispatch_uid=f"{uid}.deleted")
    m2m_changed.connect(story_tags_changed, sender=Story.tags.through, dispatch_uid="search.tags")
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="search.tag_saved")
    pre_delete.connect(tag_deleting, sender=Tag, dispatch_uid="search.tag_deleting")
    post_delete.connect(tag_deleted, sender=Tag, dispatch_uid="search.tag_deleted")
    post_save.connect(creator_saved, sender=get_user_model(), dispatch_uid="search.creator_saved")
