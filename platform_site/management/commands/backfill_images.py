"""Make the WebP copies (core/images.py) of images stored before uploads got them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.management.base import BaseCommand, CommandParser

from core.images import DisplaySizesMixin, has_modern_copies, save_variants
from stories.body_images import CARD_WIDTHS
from stories.models import Story


def stored_images() -> Iterator[tuple[str, Any, tuple[int, ...]]]:
    """(label, stored file, display widths) of every image a page shows with a srcset."""
    for model in apps.get_models():
        if not issubclass(model, DisplaySizesMixin):
            continue
        for field, widths in model.display_sizes.items():
            rows = model._default_manager.exclude(**{field: ""}).exclude(
                **{f"{field}__isnull": True}
            )
            for row in rows.only("pk", field).iterator():
                yield f"{model._meta.label}.{field}", getattr(row, field), widths
    # A story's first body image, on its card (stories.body_images).
    for story in Story.objects.exclude(body_image="").only("pk", "body_image").iterator():
        yield "stories.Story.body_image", story.body_image, CARD_WIDTHS


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
        for label, image, widths in stored_images():
            if image.name in seen:
                continue
            seen.add(image.name)
            if has_modern_copies(image):
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
