"""Make the WebP copies (core/images.py) of images stored before uploads got them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.management.base import BaseCommand, CommandParser

from core.images import DisplaySizesMixin, has_modern_copies, save_variants
from core.sanitizer import image_sources
from stories.body_images import BODY_WIDTHS, StoredImage, has_body_sizes, upload_name
from stories.models import Story, StoryEdit


def _has_copies(image: Any) -> bool:
    return has_modern_copies(image)


def _has_body_sizes(image: Any) -> bool:
    return has_body_sizes(image.name)


def stored_images() -> Iterator[tuple[str, Any, tuple[int, ...], Callable[[Any], bool]]]:
    """(label, stored file, display widths, whether its copies are made) of every image a page
    shows with WebP copies."""
    for model in apps.get_models():
        if not issubclass(model, DisplaySizesMixin):
            continue
        for field, widths in model.display_sizes.items():
            rows = model._default_manager.exclude(**{field: ""}).exclude(
                **{f"{field}__isnull": True}
            )
            for row in rows.only("pk", field).iterator():
                yield f"{model._meta.label}.{field}", getattr(row, field), widths, _has_copies
    # Every upload a story body or a pending edit names (stories.body_images), for the story
    # page; its widths include the card's, so a story's first body image (Story.body_image,
    # shown on cards) is one of these.
    for model in (Story, StoryEdit):
        for body in (
            model.objects.filter(body__contains="<img").values_list("body", flat=True).iterator()
        ):
            for src in image_sources(body):
                name = upload_name(src)
                if name:
                    label = f"{model._meta.label}.body"
                    yield label, StoredImage(name), BODY_WIDTHS, _has_body_sizes


class Command(BaseCommand):
    help = (
        "Make the WebP copies of every stored image that has none yet (images uploaded before "
        "uploads made them). Safe to run again: images that have them are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be made; write nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        made = skipped = failed = 0
        seen: set[str] = set()
        for label, image, widths, made_already in stored_images():
            if image.name in seen:
                continue
            seen.add(image.name)
            if made_already(image):
                skipped += 1
                continue
            if dry_run:
                made += 1
                continue
            try:
                save_variants(image, widths, plain=False)
            except (OSError, ValidationError, SuspiciousOperation) as error:
                failed += 1
                self.stderr.write(f"{label} {image.name}: {error}")
                continue
            made += 1
        verb = "would make" if dry_run else "made"
        self.stdout.write(f"WebP copies: {verb} {made}, already there {skipped}, failed {failed}.")
