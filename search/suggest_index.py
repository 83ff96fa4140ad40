"""Keeping the suggestions' prefixes (search.models.Suggestion) in step with every write.

The same writes as the search index (search.signals), through receivers of their own: a story
published, unpublished, renamed or deleted; tags added, removed, renamed or deleted; a creator
renamed or suspended. They run in the writer's transaction, so a rollback takes them along.
What is kept: published stories' titles; active creators with a published story, ranked by
how many; tags on a published story, ranked likewise. The lookup checks visibility again
(search.suggest), so whatever this misses can hide a suggestion but never show one it must not.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from taggit.models import Tag, TaggedItem

from creators.models import User
from search.models import Suggestion
from search.suggest import terms
from stories.models import Story

Kind = Suggestion.Kind
BATCH = 5000

# A save that writes none of these leaves a story's suggestions as they were (a read count, a
# pick). Counts are redone only when a story becomes public or stops being so: a story moved
# to another account (staff, in the admin) leaves both accounts' counts, which only rank, as
# they were until the next change; whether it is shown is checked by every lookup.
STORY_FIELDS = frozenset({"title", "status", "creator", "creator_id", "published_at"})
CREATOR_FIELDS = frozenset({"display_name", "username", "first_name", "last_name", "is_active"})


def _rows(kind: str, object_id: int, rank: int, texts: Iterable[str]) -> list[Suggestion]:
    return [
        Suggestion(kind=kind, object_id=object_id, term=t, head2=t[:2], head3=t[:3], rank=rank)
        for t in terms(*texts)
    ]


def _story_rank(published_at: datetime | None) -> int:
    return int(published_at.timestamp()) if published_at else 0


def _creator_texts(display: str, username: str, first: str, last: str) -> list[str]:
    return [display, f"{first} {last}", username]


def _story_type_id() -> int:
    return ContentType.objects.get_for_model(Story).id


def _write(kind: str, ids: Iterable[int], rows: list[Suggestion]) -> None:
    ids = sorted(set(ids))
    if ids:
        Suggestion.objects.filter(kind=kind, object_id__in=ids).delete()
    Suggestion.objects.bulk_create(rows, batch_size=BATCH)


# --- one kind at a time, for the ids a write touched -------------------------------------------


def index_stories(ids: Iterable[int]) -> set[int]:
    """These stories' titles: kept if published, gone if not. Returns the ids that became
    public or stopped being so, whose creators' and tags' counts changed with them."""
    ids = set(ids)
    if not ids:
        return set()
    published = Story.objects.published().filter(id__in=ids)
    found = list(published.values_list("id", "title", "published_at"))
    shown = Suggestion.objects.filter(kind=Kind.STORY, object_id__in=ids)
    was_shown = set(shown.values_list("object_id", flat=True))
    if was_shown:
        shown.delete()
    rows = []
    for story_id, title, published_at in found:
        rows += _rows(Kind.STORY, story_id, _story_rank(published_at), [title])
    Suggestion.objects.bulk_create(rows, batch_size=BATCH)
    return was_shown ^ {row[0] for row in found}


def index_creators(ids: Iterable[int]) -> None:
    """These accounts' names, if active and with a published story, ranked by how many."""
    ids = set(ids)
    if not ids:
        return
    rows = []
    counted = (
        User.objects.filter(id__in=ids, is_active=True)
        .annotate(n=Count("stories", filter=Q(stories__in=Story.objects.published())))
        .filter(n__gt=0)
        .values_list("id", "n", "display_name", "username", "first_name", "last_name")
    )
    for user_id, n, *names in counted:
        rows += _rows(Kind.CREATOR, user_id, n, _creator_texts(*names))
    _write(Kind.CREATOR, ids, rows)


def _tag_counts(tag_ids: Iterable[int] | None = None) -> dict[int, int]:
    """How many published stories carry each tag (of `tag_ids`, or all): one query."""
    items = TaggedItem.objects.filter(
        content_type_id=_story_type_id(), object_id__in=Story.objects.published().values("id")
    )
    if tag_ids is not None:
        items = items.filter(tag_id__in=tag_ids)
    return dict(items.values("tag_id").annotate(n=Count("id")).values_list("tag_id", "n"))


def index_tags(ids: Iterable[int]) -> None:
    """These tags, if a published story carries them, ranked by how many do."""
    ids = set(ids)
    if not ids:
        return
    counts = _tag_counts(ids)
    rows = []
    for tag_id, name in Tag.objects.filter(id__in=counts).values_list("id", "name"):
        rows += _rows(Kind.TAG, tag_id, counts[tag_id], [name])
    _write(Kind.TAG, ids, rows)


def _story_tag_ids(story_ids: Iterable[int]) -> list[int]:
    items = TaggedItem.objects.filter(content_type_id=_story_type_id(), object_id__in=story_ids)
    return list(items.values_list("tag_id", flat=True).distinct())


def recount(story_ids: set[int], creator_ids: Iterable[int]) -> None:
    """After stories became public or stopped being so: their creators' and tags' counts."""
    if story_ids:
        index_creators(creator_ids)
        index_tags(_story_tag_ids(story_ids))


def reindex_creator(user: User) -> None:
    """An account renamed, suspended or reinstated: its names, and, if whether its stories
    are public changed, their titles and their tags' counts."""
    index_creators([user.pk])
    story_ids = list(Story.objects.filter(creator=user).values_list("id", flat=True))
    shown = Suggestion.objects.filter(kind=Kind.STORY, object_id__in=story_ids)
    if user.is_active:
        published = Story.objects.published().filter(creator=user).values_list("id", flat=True)
        changed = set(published) - set(shown.values_list("object_id", flat=True))
    else:
        changed = set(shown.values_list("object_id", flat=True))
    if changed:
        index_stories(changed)
        index_tags(_story_tag_ids(changed))


# --- all at once ----------------------------------------------------------------------------


def rebuild_suggestions() -> int:
    """Empty the table and fill it from every published story, active creator and used tag,
    in one transaction; returns how many rows it holds."""
    with transaction.atomic():
        Suggestion.objects.all().delete()
        total = 0
        rows: list[Suggestion] = []
        published = Story.objects.published().order_by("id")
        last = 0
        while True:
            batch = list(
                published.filter(id__gt=last).values_list("id", "title", "published_at")[:BATCH]
            )
            for story_id, title, published_at in batch:
                rows += _rows(Kind.STORY, story_id, _story_rank(published_at), [title])
            Suggestion.objects.bulk_create(rows, batch_size=BATCH)
            total += len(rows)
            rows = []
            if len(batch) < BATCH:
                break
            last = batch[-1][0]
        counted = (
            User.objects.filter(is_active=True)
            .annotate(n=Count("stories", filter=Q(stories__in=Story.objects.published())))
            .filter(n__gt=0)
            .values_list("id", "n", "display_name", "username", "first_name", "last_name")
        )
        for user_id, n, *names in counted.iterator(chunk_size=BATCH):
            rows += _rows(Kind.CREATOR, user_id, n, _creator_texts(*names))
        counts = _tag_counts()
        for tag_id, name in Tag.objects.filter(id__in=counts).values_list("id", "name"):
            rows += _rows(Kind.TAG, tag_id, counts[tag_id], [name])
        Suggestion.objects.bulk_create(rows, batch_size=BATCH)
        return total + len(rows)


# --- the receivers ----------------------------------------------------------------------------


def _touches(update_fields: frozenset[str] | None, fields: frozenset[str]) -> bool:
    return update_fields is None or not fields.isdisjoint(update_fields)


def story_saved(sender, instance: Story, raw: bool = False, update_fields=None, **kwargs) -> None:
    # Fixtures: rebuild_search_index after loaddata, as for the search index.
    if not raw and _touches(update_fields, STORY_FIELDS):
        recount(index_stories([instance.pk]), [instance.creator_id])


def story_deleting(sender, instance: Story, **kwargs) -> None:
    # The tagged items go before post_delete; remember whose they were.
    instance._suggest_tag_ids = _story_tag_ids([instance.pk])


def story_deleted(sender, instance: Story, **kwargs) -> None:
    if index_stories([instance.pk]):  # it was public: its creator and tags have one fewer
        # The account may be going too (a cascade); then there is nothing of it to count.
        index_creators([instance.creator_id])
        index_tags(getattr(instance, "_suggest_tag_ids", []))


def story_tags_changed(
    sender, instance: object, action: str, reverse: bool, pk_set: set[int] | None, **kwargs
) -> None:
    if action == "pre_clear" and isinstance(instance, Story):
        instance._suggest_tag_ids = _story_tag_ids([instance.pk])
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if reverse:  # tag.<manager>.add(story, ...): the tag's count
        index_tags([instance.pk])
    elif isinstance(instance, Story) and instance.is_public:
        if action == "post_clear":
            index_tags(getattr(instance, "_suggest_tag_ids", []))
        else:
            index_tags(pk_set or [])


def tag_saved(sender, instance: Tag, created: bool, raw: bool = False, **kwargs) -> None:
    if not created and not raw:  # a new tag is on no story yet
        index_tags([instance.pk])


def tag_deleted(sender, instance: Tag, **kwargs) -> None:
    Suggestion.objects.filter(kind=Kind.TAG, object_id=instance.pk).delete()


def creator_saved(
    sender, instance: User, created: bool, raw: bool = False, update_fields=None, **kwargs
) -> None:
    if not created and not raw and _touches(update_fields, CREATOR_FIELDS):
        reindex_creator(instance)


def creator_deleted(sender, instance: User, **kwargs) -> None:
    Suggestion.objects.filter(kind=Kind.CREATOR, object_id=instance.pk).delete()


def connect() -> None:
    """Connect the receivers; called once from SearchConfig.ready()."""
    # Named senders only, as search.signals does, for the same reason (fast deletes elsewhere).
    for model in apps.get_models():
        if issubclass(model, Story):
            uid = f"search.suggest.{model._meta.label_lower}"
            post_save.connect(story_saved, sender=model, dispatch_uid=f"{uid}.saved")
            pre_delete.connect(story_deleting, sender=model, dispatch_uid=f"{uid}.deleting")
            post_delete.connect(story_deleted, sender=model, dispatch_uid=f"{uid}.deleted")
    m2m_changed.connect(
        story_tags_changed, sender=Story.tags.through, dispatch_uid="search.suggest.tags"
    )
    post_save.connect(tag_saved, sender=Tag, dispatch_uid="search.suggest.tag_saved")
    post_delete.connect(tag_deleted, sender=Tag, dispatch_uid="search.suggest.tag_deleted")
    user_model = get_user_model()
    post_save.connect(creator_saved, sender=user_model, dispatch_uid="search.suggest.creator")
    post_delete.connect(
        creator_deleted, sender=user_model, dispatch_uid="search.suggest.creator_deleted"
    )
