"""`manage.py load_demo`: idempotent development demo data (creators, communities, stories).

The words come from the data files in demo/content/ (see demo/loader.py); the pictures are
drawn here.
"""

from __future__ import annotations

import io
import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html import escape
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from core import jobs
from core.images import process_upload
from core.links import absolute
from creators.models import SocialLink, User
from demo import loader
from stories.models import Community, Story
from stories.services import story_pick, story_publish, story_submit

# The command that works when copied from the report: .venv is where `make` installs Django, and
# manage.py reads the .env `make` writes, so debug and its development key need no typing.
MANAGE = ".venv/bin/python manage.py"
DEMO_USERNAMES = frozenset({loader.STAFF_USERNAME, *(c.username for c in loader.CREATORS)})

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    description: str  # for the alt text: "… in <description> tones"
    start: RGB
    end: RGB
    accents: tuple[RGB, ...]


# The seed story takes the first palette and the first motif: warm orange, soft circles.
PALETTES: tuple[Palette, ...] = (
    Palette("warm orange and peach", (255, 190, 110), (226, 88, 52),
            ((255, 228, 186), (255, 150, 90), (238, 120, 70), (255, 208, 128))),
    Palette("midnight blue, teal and sand", (28, 52, 94), (64, 138, 160),
            ((232, 196, 125), (120, 190, 200), (20, 36, 66))),
    Palette("pale sage and forest green", (235, 242, 230), (150, 196, 160),
            ((60, 120, 90), (250, 250, 240), (210, 160, 90))),
    Palette("plum, rose and coral", (60, 30, 80), (220, 110, 140),
            ((255, 200, 160), (120, 60, 140), (250, 150, 120))),
    Palette("soft sky blue and white", (200, 228, 250), (120, 170, 225),
            ((255, 255, 255), (90, 130, 200), (250, 215, 150))),
    Palette("sand, terracotta and cream", (245, 225, 190), (205, 120, 80),
            ((160, 80, 50), (255, 245, 225), (120, 95, 70))),
    Palette("lemon yellow and leaf green", (255, 240, 150), (150, 200, 90),
            ((60, 130, 70), (255, 250, 220), (240, 180, 40))),
    Palette("lavender and lilac", (225, 215, 245), (150, 125, 200),
            ((95, 70, 150), (250, 240, 255), (240, 170, 200))),
    Palette("ocean blue and turquoise", (20, 90, 140), (60, 190, 200),
            ((200, 240, 240), (10, 50, 90), (250, 220, 160))),
    Palette("rust red and ochre", (230, 170, 70), (160, 60, 40),
            ((255, 220, 150), (110, 40, 30), (240, 130, 60))),
    Palette("mint and deep teal", (210, 245, 230), (40, 120, 120),
            ((20, 70, 75), (255, 255, 245), (120, 210, 180))),
    Palette("slate grey and mustard", (90, 100, 115), (50, 58, 70),
            ((225, 180, 60), (200, 205, 215), (140, 150, 165))),
)  # fmt: skip

# Working size of the illustrations; they are scaled up to HERO_SIZE, which softens the edges.
HERO_SIZE = (1600, 900)
WORK_SIZE = (800, 450)


# The demo's challenges (issue 17), by slug.
DEMO_CHALLENGES = ("small-rooms", "the-long-winter")


class Command(BaseCommand):
    help = (
        "Fill a development database with demo creators, communities and stories, and a staff "
        "account named “editor”. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Password for the staff account “editor” (default: a random one, printed once). "
            "Given for an existing account, it replaces that account's password.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though the database has accounts that load_demo did not make.",
        )
        parser.add_argument(
            "--skip-if-real",
            action="store_true",
            help="On a database with accounts that load_demo did not make, say so in one line "
            "and load nothing, instead of failing (what `make run` uses, so it always serves).",
        )

    def handle(
        self,
        *args: Any,
        password: str | None,
        force: bool,
        skip_if_real: bool,
        verbosity: int,
        **options: Any,
    ) -> None:
        started = time.monotonic()
        self.verbosity = verbosity
        self.created: dict[str, int] = {"creators": 0, "communities": 0, "stories": 0}
        self.now = timezone.now()
        if not self._may_load(force=force, skip_if_real=skip_if_real):
            return
        # Publishing through the services queues emails to the creators (and later to their
        # subscribers); demo data is not news, so no job is even queued while it is made. (An
        # email backend swapped for the load would not do: a worker sends the queued jobs later,
        # long after the swap has ended.)
        with jobs.muted(), transaction.atomic():
            editor, known_password, generated = self._staff(password)
            creators = {spec.username: self._creator(spec) for spec in loader.CREATORS}
            communities = {spec.slug: self._community(spec) for spec in loader.COMMUNITIES}
            # The seed story comes first: it takes the first look (warm orange, soft circles).
            seed, *_others = (
                self._story(
                    spec,
                    look=look,
                    creator=creators[spec.creator],
                    community=communities[spec.community],
                    editor=editor,
                )
                for look, spec in enumerate((loader.SEED_STORY, *loader.STORIES))
            )
            self._picks(editor)
            self._challenges(editor)
        self._report(
            seconds=time.monotonic() - started,
            password=known_password,
            generated=generated,
            seed=seed,
        )

    # --- safety ---------------------------------------------------------------------------

    def _may_load(self, *, force: bool, skip_if_real: bool) -> bool:
        """Whether to go on: refuses (or, asked to, skips) a database with real accounts."""
        others = list(
            User.objects.exclude(username__in=DEMO_USERNAMES)
            .order_by("username")
            .values_list("username", flat=True)[:6]
        )
        if not others:
            return True
        shown = ", ".join(others[:5]) + (", …" if len(others) > 5 else "")
        if force:
            if self.verbosity:
                self.stdout.write(self.style.WARNING(f"--force: adding demo data beside {shown}."))
            return True
        if skip_if_real:
            # One line, and success: `make run` goes on to serve what the database holds.
            if self.verbosity:
                self.stdout.write(
                    self.style.WARNING(
                        f"Demo data not loaded: this database has accounts load_demo did not "
                        f"make ({shown}); `{MANAGE} load_demo --force` adds it anyway."
                    )
                )
            return False
        raise CommandError(
            f"This database has accounts that load_demo did not make ({shown}), so it may "
            "hold real data. load_demo is for development databases only; if you really "
            "want demo content added here, run it again with --force."
        )

    # --- accounts -------------------------------------------------------------------------

    def _staff(self, password: str | None) -> tuple[User, str | None, bool]:
        """The staff account, its password if known, and whether that password was generated."""
        editor = User.objects.filter(username=loader.STAFF_USERNAME).first()
        if editor is None:
            editor = User(
                username=loader.STAFF_USERNAME,
                display_name=loader.STAFF_DISPLAY_NAME,
                email="editor@example.com",
                is_staff=True,
                is_superuser=True,
            )
            generated = not password
            password = password or secrets.token_urlsafe(12)
            editor.set_password(password)
            editor.save()
            return editor, password, generated
        if password:
            editor.set_password(password)
            editor.save(update_fields=["password"])
        return editor, password, False

    def _creator(self, spec: loader.DemoCreator) -> User:
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            return user
        user = User(
            username=spec.username,
            display_name=spec.display_name,
            email=f"{spec.username}@example.com",
            bio=spec.bio,
        )
        # Demo creators cannot log in until someone gives them a password (see the report);
        # hashing eight passwords would also cost seconds.
        user.set_unusable_password()
        if spec.avatar:
            _attach(user.avatar, avatar_image(spec.username))
        user.save()
        SocialLink.objects.bulk_create(
            SocialLink(user=user, network=SocialLink.Network(network), url=url)
            for network, url in spec.links
        )
        self.created["creators"] += 1
        return user

    # --- communities and stories ----------------------------------------------------------

    def _community(self, spec: loader.DemoCommunity) -> Community:
        community = Community.objects.filter(slug=spec.slug).first()
        if community is not None:
            return community
        community = Community(
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            created_at=self.now - timedelta(days=450),
        )
        _attach(community.logo, logo_image(spec.mark, spec.colour))
        community.save()
        self.created["communities"] += 1
        return community

    def _story(
        self,
        spec: loader.DemoStory,
        *,
        look: int,
        creator: User,
        community: Community,
        editor: User,
    ) -> Story:
        slug = slugify(spec.title)[:90].strip("-")
        story = Story.objects.filter(community=community, slug=slug).first()
        if story is not None:
            return story
        palette = PALETTES[look % len(PALETTES)]
        motif = MOTIFS[look % len(MOTIFS)]
        story = Story(
            title=spec.title,
            subtitle=spec.subtitle,
            slug=slug,
            creator=creator,
            community=community,
            body=body_html(spec.body),
            hero_caption=spec.hero_caption,
            hero_alt=f"Abstract illustration: {motif.description} in {palette.description} tones.",
        )
        _attach(story.hero_image, hero_image(slug, palette, motif))
        story.save()
        story.tags.add(*spec.tags)

        # Dates: spread over the past months, each step of the lifecycle a little apart.
        rng = random.Random(slug)
        when = (self.now - timedelta(days=spec.days_ago)).replace(
            hour=rng.randint(7, 20), minute=rng.randint(0, 59), second=0, microsecond=0
        )
        submitted_at = when - timedelta(hours=rng.randint(4, 40))
        created_at = submitted_at - timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 12))
        if spec.status == Story.Status.DRAFT:
            Story.objects.filter(pk=story.pk).update(created_at=when, updated_at=when)
        else:
            # Through the services, so the history records who moved the story and when.
            story_submit(story=story, actor=creator)
            if spec.status == Story.Status.PUBLISHED:
                story_publish(story=story, actor=editor)
                Story.objects.filter(pk=story.pk).update(
                    published_at=when, created_at=created_at, updated_at=when
                )
                story.transitions.filter(to_status=Story.Status.PUBLISHED).update(created_at=when)
                story.transitions.filter(to_status=Story.Status.SUBMITTED).update(
                    created_at=submitted_at
                )
            else:
                Story.objects.filter(pk=story.pk).update(
                    created_at=submitted_at - timedelta(days=1), updated_at=when
                )
                story.transitions.update(created_at=when)
        self.created["stories"] += 1
        return story

    def _picks(self, editor: User) -> None:
        """The staff picks, oldest first so the first in the list leads; existing ones stay."""
        for title, reason in reversed(loader.PICKS):
            story = Story.objects.published().filter(title=title, picked_at__isnull=True).first()
            if story is not None:
                story_pick(story=story, actor=editor, reason=reason)

    # --- challenges (issue 17) -------------------------------------------------------------

    def _challenges(self, editor: User) -> None:
        """One open challenge with entries, one decided with winners whose prizes are in their
        wallets (paid through the ledger like any prize). Made once; existing ones stay."""
        from challenges import services as challenge_services
        from challenges.models import Challenge, Entry, Prize

        if Challenge.objects.filter(slug__in=DEMO_CHALLENGES).exists():
            return
        stories = list(
            Story.objects.published().select_related("creator").order_by("-published_at")[:8]
        )
        if len(stories) < 6:
            return
        recent, older = stories[:3], stories[3:6]

        def make(slug: str, title: str, brief: str, entries: list[Story], **dates) -> Challenge:
            challenge = Challenge.objects.create(
                slug=slug,
                title=title,
                brief=brief,
                rules="Up to 3,000 words.\nOne story per writer.\nNew work only.",
                max_entries_per_creator=1,
                mention_amount=1500,
                status=Challenge.Status.OPEN,
                **dates,
            )
            for place, amount in ((1, 25000), (2, 10000), (3, 5000)):
                Prize.objects.create(challenge=challenge, place=place, amount=amount)
            for n, story in enumerate(entries):
                # Demo stories are older than the challenge's dates allow, so the entries are
                # written as they would have been made, not through entry_create's checks.
                Entry.objects.create(
                    challenge=challenge,
                    story=story,
                    creator=story.creator,
                    created_at=max(story.published_at, dates["opens_at"]) + timedelta(hours=n),
                )
            return challenge

        make(
            "small-rooms",
            "Small rooms",
            "<p>Write about a room no bigger than a kitchen, and everything that happened "
            "in it. <strong>Fiction or memoir</strong>; the room must be real to you.</p>",
            recent,
            opens_at=min(s.created_at for s in recent) - timedelta(days=1),
            closes_at=self.now + timedelta(days=4, hours=2),
            judging_by=self.now + timedelta(days=12),
        )
        closes = max(s.published_at for s in older) + timedelta(days=1)
        closes = min(closes, self.now - timedelta(days=1))
        decided = make(
            "the-long-winter",
            "The long winter",
            "<p>A story set in the coldest months: what people keep, and what they give up.</p>",
            older,
            opens_at=min(s.created_at for s in older) - timedelta(days=1),
            closes_at=closes,
            judging_by=closes + timedelta(minutes=1),
        )
        challenge_services.challenge_move(
            challenge=decided, to=Challenge.Status.JUDGING, actor=editor
        )
        reasons = (
            "A quiet story that stays with you for days.",
            "The best opening paragraph we read this winter.",
            "Warm, funny and exact.",
        )
        entries = Entry.objects.filter(challenge=decided).order_by("created_at")
        for place, (entry, reason) in enumerate(zip(entries, reasons, strict=False), start=1):
            challenge_services.entry_shortlist(entry=entry, actor=editor, note="Shortlisted")
            challenge_services.entry_place(
                entry=entry,
                actor=editor,
                reason=reason,
                place=place if place < 3 else None,
                mention=place == 3,
            )
        challenge_services.challenge_decide(challenge=decided, actor=editor)

    # --- the report -----------------------------------------------------------------------

    def _report(
        self, *, seconds: float, password: str | None, generated: bool, seed: Story
    ) -> None:
        if not self.verbosity:
            if generated:  # printed or lost: it is stored nowhere else
                self.stdout.write(f"Password for {loader.STAFF_USERNAME}: {password}")
            return
        if password is None:
            password_note = (
                f"(unchanged; reset it with `{MANAGE} changepassword {loader.STAFF_USERNAME}`)"
            )
        elif generated:
            password_note = f"{password}   (random; shown only this once)"
        else:
            password_note = password
        made = ", ".join(f"{n} {kind}" for kind, n in self.created.items())
        published = Story.objects.published().count()
        if any(self.created.values()):
            summary = f"Demo data loaded in {seconds:.1f} s: created {made}."
        else:
            summary = f"Demo data already complete; nothing created ({seconds:.1f} s)."
        self.stdout.write(self.style.SUCCESS(summary))
        self.stdout.write(
            f"The database now has {published} published stories in "
            f"{Community.objects.count()} communities.\n"
            "\n"
            "Log in to the admin:\n"
            f"  URL:      {absolute('/admin/')}\n"
            f"  username: {loader.STAFF_USERNAME}\n"
            f"  password: {password_note}\n"
            "\n"
            f"The seed story: {absolute(seed.get_absolute_url())}\n"
            "Demo creators have no password; to write as one, give them one first, e.g.\n"
            f"  {MANAGE} changepassword jonahreyes"
        )


def body_html(paragraphs: tuple[str, ...]) -> str:
    """Plain-text paragraphs as HTML paragraphs; a newline inside one (verse) becomes <br>."""
    return "".join(
        "<p>" + "<br>".join(escape(line, quote=False) for line in text.split("\n")) + "</p>"
        for text in paragraphs
    )


def _attach(field: FieldFile, image: bytes) -> None:
    """Store a generated image through the one upload gate, as if a user had uploaded it."""
    content: ContentFile = process_upload(io.BytesIO(image))
    field.save(content.name, content, save=False)


# --- Pictures, drawn with Pillow --------------------------------------------------------------


def _gradient(size: tuple[int, int], start: RGB, end: RGB, slant: float) -> Image.Image:
    """A linear gradient from `start` to `end`; `slant` 0 is top to bottom, 1 left to right."""
    vertical = Image.linear_gradient("L").resize(size)
    horizontal = vertical.transpose(Image.Transpose.ROTATE_90).resize(size)
    ramp = Image.blend(vertical, horizontal, slant)
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), ramp)


def _paint(
    image: Image.Image,
    colour: RGB,
    alpha: int,
    blur: float,
    draw: Callable[[ImageDraw.ImageDraw, int], None],
) -> None:
    """Paint `colour` through a mask drawn by `draw`, blurred for soft edges (no dark fringes)."""
    mask = Image.new("L", image.size, 0)
    draw(ImageDraw.Draw(mask), alpha)
    shape = mask.getbbox()
    if shape is None:
        return
    # Blur and paste only around the shape: most shapes cover a small part of the picture.
    pad = math.ceil(blur * 3)
    box = (
        max(0, shape[0] - pad),
        max(0, shape[1] - pad),
        min(image.width, shape[2] + pad),
        min(image.height, shape[3] + pad),
    )
    region = mask.crop(box)
    if blur:
        region = region.filter(ImageFilter.GaussianBlur(blur))
    image.paste(colour, box, region)


def _circle(x: float, y: float, r: float) -> tuple[float, float, float, float]:
    return (x - r, y - r, x + r, y + r)


def _circles(image: Image.Image, palette: Palette, rng: random.Random) -> None:
    w, h = image.size
    for _ in range(6):
        box = _circle(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(50, 170))
        _paint(
            image, rng.choice(palette.accents), rng.randint(90, 170), rng.choice((2, 6, 18)),
            lambda d, a, box=box: d.ellipse(box, fill=a),
        )  # fmt: skip


def _hills(image: Image.Image, palette: Palette, rng: random.Random) -> None:
    w, h = image.size
    sun = _circle(rng.uniform(120, w - 120), rng.uniform(60, 140), 55)
    _paint(image, (255, 246, 225), 220, 3, lambda d, a: d.ellipse(sun, fill=a))
    for i in range(4):
        top, phase = h * (0.45 + 0.14 * i), rng.uniform(0, math.tau)
        amplitude, waves = rng.uniform(15, 45), rng.uniform(0.6, 1.6)
        outline = [(0.0, float(h))]
        outline += [
            (float(x), top + amplitude * math.sin(phase + waves * math.tau * x / w))
            for x in range(0, w + 10, 10)
        ]
        outline.append((float(w), float(h)))
        colour = palette.accents[i % len(palette.accents)]
        _paint(image, colour, 210, 1.5, lambda d, a, pts=outline: d.polygon(pts, fill=a))


def _rings(image: Image.Image, palette: Palette, rng: random.Random) -> None:
    w, h = image.size
    for _ in range(7):
        box = _circle(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(40, 160))
        width = rng.randint(8, 24)
        _paint(
            image, rng.choice(palette.accents), rng.randint(120, 200), 2,
            lambda d, a, box=box, width=width: d.ellipse(box, outline=a, width=width),
        )  # fmt: skip


def _bands(image: Image.Image, palette: Palette, rng: random.Random) -> None:
    w, h = image.size
    for _ in range(6):
        x, width = rng.uniform(-300, w), rng.uniform(40, 140)
        band = [(x, h), (x + width, h), (x + width + 350, 0), (x + 350, 0)]
        _paint(
            image, rng.choice(palette.accents), rng.randint(70, 150), 2,
            lambda d, a, band=band: d.polygon(band, fill=a),
        )  # fmt: skip


def _dots(image: Image.Image, palette: Palette, rng: random.Random) -> None:
    w, h = image.size
    big = _circle(rng.uniform(w * 0.55, w * 0.8), rng.uniform(h * 0.3, h * 0.7), 150)
    _paint(image, palette.accents[0], 200, 12, lambda d, a: d.ellipse(big, fill=a))
    colour = palette.accents[1 % len(palette.accents)]
    step = 36
    offset_x, offset_y = rng.randint(20, 50), rng.randint(20, 50)
    spots = [
        _circle(offset_x + col * step, offset_y + row * step, 5)
        for row in range(6)
        for col in range(8)
    ]

    def grid(d: ImageDraw.ImageDraw, a: int) -> None:
        for spot in spots:
            d.ellipse(spot, fill=a)

    _paint(image, colour, 190, 1, grid)


@dataclass(frozen=True)
class Motif:
    description: str  # for the alt text
    draw: Callable[[Image.Image, Palette, random.Random], None]


MOTIFS: tuple[Motif, ...] = (
    Motif("soft, overlapping circles over a gradient", _circles),
    Motif("layered rolling hills under a pale sun", _hills),
    Motif("loose outlined rings over a gradient", _rings),
    Motif("diagonal bands of light over a gradient", _bands),
    Motif("a grid of small dots beside one large, soft circle", _dots),
)


def hero_image(seed: str, palette: Palette, motif: Motif) -> bytes:
    """A 1600x900 JPEG: a gradient with soft shapes, the same every time for the same seed."""
    rng = random.Random(seed)
    image = _gradient(WORK_SIZE, palette.start, palette.end, rng.choice((0.0, 0.25, 0.5)))
    motif.draw(image, palette, rng)
    return _jpeg(image.resize(HERO_SIZE, Image.Resampling.BICUBIC))


def avatar_image(seed: str) -> bytes:
    """A 400x400 JPEG: a small landscape, the kind of picture people use when not their face.

    Not a head-and-shoulders silhouette: that reads as "no picture", which is what the
    initials placeholder of creators without an avatar already says.
    """
    rng = random.Random(seed)
    palette = PALETTES[rng.randrange(1, len(PALETTES))]
    image = _gradient((400, 400), palette.start, palette.end, 0.0)
    _hills(image, palette, rng)
    return _jpeg(image)


def logo_image(mark: str, colour: str) -> bytes:
    """A 256x256 PNG: a coloured disc with the community's letters, on transparency."""
    size = 1024  # drawn at four times the size and scaled down, for smooth edges
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=colour)
    font = ImageFont.load_default(size=size * 0.42)
    draw.text((size / 2, size / 2), mark, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.resize((256, 256), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()
