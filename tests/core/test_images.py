"""Every uploaded image is refused with a form error or re-encoded clean, decoding no more
pixels than the module's limit (the time each takes: bench/image_corpus_benchmark.py)."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import ExifTags, Image, ImageFile

from core.images import (
    MAX_DECODED_PIXELS,
    MAX_SIDE,
    ImageRejected,
    SafeImageField,
    make_variant,
    process_upload,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "images"
CORPUS = sorted(p for p in DATA.rglob("*") if p.is_file() and p.suffix != ".md")

# Byte strings that only a file's metadata, comments or appended payload put there. Checked
# only when the original holds them, so a chance match in compressed pixels can't fail a test.
PAYLOAD_MARKERS = (
    b"<script",
    b"alert(",
    b"onerror",
    b"onload",
    b"<svg",
    b"<html",
    b"document",
    b"<?xpacket",
    b"xmpmeta",
    b"ns.adobe.com",
    b"Exif\x00\x00",
    b"GPS",
    b"CameraMaker",
    b"XXX-XXX",
    b"LensMake",
    b"ICC_PROFILE",
    b"Photoshop",
    b"tEXt",
    b"zTXt",
    b"iTXt",
)
METADATA_KEYS = {
    "exif",
    "xmp",
    "XML:com.adobe.xmp",
    "Raw profile type exif",
    "comment",
    "icc_profile",
    "photoshop",
    "adobe",
}
EXTENSION_OF = {"JPEG": ".jpg", "PNG": ".png"}


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def encoded(image: Image.Image, fmt: str, name: str = "upload", **params) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return SimpleUploadedFile(name, out.getvalue())


def reopen(content: ContentFile) -> Image.Image:
    content.seek(0)
    image = Image.open(io.BytesIO(content.read()))
    image.load()
    return image


@contextmanager
def decoded_pixels() -> Iterator[list[int]]:
    """The pixel count of every image Pillow decodes inside the block, in order.

    The work an upload costs, the same on any machine: a wall-clock limit fails on a busy one.
    Counted at the decode itself (ImageFile.load with tiles left to decode), after any draft
    mode has shrunk what libjpeg decodes.
    """
    counts: list[int] = []
    original_load = ImageFile.ImageFile.load

    def counting_load(self):
        if self.tile:
            counts.append(self.size[0] * self.size[1])
        return original_load(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ImageFile.ImageFile, "load", counting_load)
        yield counts


def assert_bounded_work(counts: list[int], *, decodes: int) -> None:
    """At most `decodes` decodes, none of them over the module's largest decoding budget."""
    assert len(counts) <= decodes, f"{len(counts)} decodes: {counts}"
    budget = max(MAX_DECODED_PIXELS.values())
    assert all(count <= budget for count in counts), f"decoded {max(counts):,} pixels"


def rejection(f) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        process_upload(f)
    return caught.value


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(DATA)))
def test_corpus_file_is_refused_or_reencoded_clean_with_bounded_work(path, caplog):
    original = path.read_bytes()
    caplog.set_level(logging.WARNING, logger="core.images")

    with decoded_pixels() as counts:
        try:
            result = process_upload(upload(path))
        except ValidationError as error:
            result = None
            assert error.messages and error.code

    # One decode at most, within the limit: what kept each file under a second.
    assert_bounded_work(counts, decodes=1)
    # Every refusal is one of the failures the module expects, not its catch-all.
    assert not caplog.records
    if result is None:
        return
    output = result.read()
    image = reopen(result)
    assert max(image.size) <= MAX_SIDE
    assert result.name.endswith(EXTENSION_OF[image.format])
    assert len(image.getexif()) == 0
    assert not METADATA_KEYS & set(image.info)
    for marker in PAYLOAD_MARKERS:
        if marker in original:
            assert marker not in output, marker


def test_decoded_pixels_counts_each_decode_and_the_limit_fails_over_it():
    # The counter the corpus test relies on sees a real decode, and the bound can fail.
    with decoded_pixels() as counts:
        process_upload(upload(DATA / "pillow_tests" / "hopper.png"))
    assert counts == [128 * 128]
    with pytest.raises(AssertionError, match="decoded"):
        assert_bounded_work([max(MAX_DECODED_PIXELS.values()) + 1], decodes=1)
    with pytest.raises(AssertionError, match="2 decodes"):
        assert_bounded_work([1, 1], decodes=1)


def test_a_large_jpeg_is_decoded_at_a_reduced_size():
    # 4800x3200 through libjpeg's draft mode: half the side, a quarter of the pixels.
    source = encoded(Image.new("RGB", (4800, 3200), (90, 120, 150)), "JPEG")
    with decoded_pixels() as counts:
        process_upload(source)
    assert counts == [2400 * 1600]


def test_corpus_is_all_there():
    # The shared corpus has 51 files; a lost copy would quietly shrink the test above.
    assert len(CORPUS) >= 51


@pytest.mark.parametrize("name", ["hopper.jpg", "hopper.png", "hopper.webp", "hopper.gif"])
def test_normal_images_are_accepted_as_opaque_jpeg(name):
    result = process_upload(upload(DATA / "pillow_tests" / name))

    image = reopen(result)
    assert (image.format, image.mode, image.size) == ("JPEG", "RGB", (128, 128))
    assert result.name.endswith(".jpg")
    assert result.name != name


def test_output_jpeg_is_progressive():
    image = reopen(process_upload(upload(DATA / "pillow_tests" / "hopper.jpg")))

    assert image.info.get("progressive")


def test_text_file_named_jpg_is_refused():
    error = rejection(SimpleUploadedFile("photo.jpg", b"just some text\n", "image/jpeg"))

    assert error.code == "unsupported"
    assert error.messages == ["Upload a JPEG, PNG, WebP or GIF image."]


@pytest.mark.parametrize(
    "path",
    [
        "generated/svg_script.svg",
        "patt/SVG_XSS1.svg",
        "patt/xss.svgz",
        "generated/tiny.eps",
        "generated/html_named_png.png",
        "pillow_tests/reallybig.bmp",
        "pillow_tests/psd-oob-write-overflow.psd",
        "pillow_tests/decompression_bomb.ico",
    ],
)
def test_other_formats_are_refused_by_content(path):
    assert rejection(upload(DATA / path)).code == "unsupported"


def test_png_named_jpg_is_accepted_by_content():
    result = process_upload(upload(DATA / "generated" / "png_named.jpg"))

    assert reopen(result).size == (64, 48)


def test_transparent_png_named_jpg_is_saved_as_png():
    rgba = Image.new("RGBA", (10, 10), (255, 0, 0, 128))

    result = process_upload(encoded(rgba, "PNG", name="logo.jpg"))

    assert result.name.endswith(".png")
    assert reopen(result).format == "PNG"


@pytest.mark.parametrize(
    "path", ["generated/truncated_half.jpg", "pillow_tests/truncated_jpeg.jpg"]
)
def test_truncated_jpeg_is_refused(path):
    assert rejection(upload(DATA / path)).code == "damaged"


def test_truncated_jpeg_is_refused_even_if_pillow_was_told_to_load_truncated(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    assert rejection(upload(DATA / "generated" / "truncated_half.jpg")).code == "damaged"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


@pytest.mark.parametrize("path", ["generated/empty.jpg", "generated/jpeg_header_only.jpg"])
def test_empty_or_header_only_file_is_refused(path):
    error = rejection(upload(DATA / path))

    assert error.messages == ["The file is empty or damaged."]


def test_decompression_bomb_is_refused_with_the_pixel_message():
    error = rejection(upload(DATA / "generated" / "bomb_100k_x_100k.png"))

    assert error.code == "too_many_pixels"
    assert error.messages == ["This image is too large (max 16 megapixels)."]


def test_just_over_the_pixel_limit_is_refused_from_the_header(monkeypatch):
    # 40,005,000 pixels: over our limit, under Pillow's own, so this is our check, and it
    # runs before a single pixel is decoded.
    source = encoded(Image.new("1", (8001, 5000)), "PNG")

    def no_decoding(self):
        raise AssertionError("decoded an image over the limit")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)

    assert rejection(source).code == "too_many_pixels"


def test_pillow_bomb_warning_is_a_refusal_not_a_warning(monkeypatch):
    # Someone set Pillow's own limit below ours: its warning must refuse, not let it through.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2000)

    error = rejection(encoded(Image.new("RGB", (50, 50)), "PNG"))

    assert error.code == "too_many_pixels"


def test_exif_orientation_is_applied_and_gps_dropped():
    # Stored landscape, left half red and right half blue; orientation 6 means "turn 90°
    # clockwise to display", so the upright image is portrait with red on top.
    stored = Image.new("RGB", (40, 20), (255, 0, 0))
    stored.paste((0, 0, 255), (20, 0, 40, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "CameraMaker<script>"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update({ExifTags.GPS.GPSLatitudeRef: "N"})
    source = encoded(stored, "JPEG", exif=exif, comment=b"taken at home")
    assert Image.open(source).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    result = process_upload(source)

    output = result.read()
    image = reopen(result)
    assert image.size == (20, 40)
    red, _green, blue = image.getpixel((10, 5))
    assert red > 200 and blue < 60
    red, _green, blue = image.getpixel((10, 35))
    assert blue > 200 and red < 60
    assert len(image.getexif()) == 0
    assert "comment" not in image.info
    assert b"CameraMaker" not in output and b"taken at home" not in output


def test_corpus_photo_with_gps_orientation_xmp_and_comment_comes_out_upright_and_bare():
    path = DATA / "generated" / "exif_gps_orient6_xmp_comment.jpg"
    with Image.open(path) as original:
        assert original.size == (64, 48)
        assert original.getexif().get(ExifTags.Base.Orientation) == 6

    result = process_upload(upload(path))

    output = result.read()
    assert reopen(result).size == (48, 64)
    for marker in (b"Exif\x00\x00", b"<?xpacket", b"<script", b"onerror"):
        assert marker not in output


def test_data_appended_after_png_iend_is_dropped():
    clean = DATA / "generated" / "ok.png"
    payload = b"<html><script>alert(document.domain)</script></html>"

    result = process_upload(SimpleUploadedFile("ok.png", clean.read_bytes() + payload))

    output = result.read()
    assert b"<script" not in output and b"alert(" not in output
    assert reopen(result).size == (64, 48)


def test_corpus_png_with_appended_html_is_accepted_without_it():
    result = process_upload(upload(DATA / "generated" / "png_plus_html.png"))

    assert b"<html" not in result.read()


@override_settings(BYLINE_IMAGE_MAX_BYTES=1000)
def test_file_over_the_size_limit_is_refused():
    path = DATA / "pillow_tests" / "hopper.jpg"

    error = rejection(upload(path))

    assert error.code == "too_large"
    assert "too large" in error.messages[0]
    # A plain file object, with no declared size, is refused too.
    with path.open("rb") as f:
        assert rejection(f).code == "too_large"


@override_settings(BYLINE_IMAGE_MAX_BYTES="10 MB")
def test_size_limit_setting_must_be_a_number_of_bytes():
    with pytest.raises(ImproperlyConfigured, match="BYLINE_IMAGE_MAX_BYTES"):
        process_upload(upload(DATA / "pillow_tests" / "hopper.jpg"))


def test_semi_transparent_webp_is_kept_transparent_as_png():
    result = process_upload(encoded(Image.new("RGBA", (30, 20), (0, 128, 0, 100)), "WEBP"))

    image = reopen(result)
    assert (image.format, image.mode) == ("PNG", "RGBA")
    assert result.name.endswith(".png")
    assert image.getpixel((5, 5))[3] == pytest.approx(100, abs=2)


def test_gif_with_transparent_colour_is_kept_transparent_as_png():
    gif = Image.new("P", (10, 10), 0)
    gif.putpalette([255, 255, 255, 0, 0, 0])
    gif.paste(1, (0, 0, 5, 10))

    image = reopen(process_upload(encoded(gif, "GIF", transparency=0)))

    assert (image.format, image.mode) == ("PNG", "RGBA")
    assert image.getpixel((8, 5))[3] == 0
    assert image.getpixel((2, 5))[3] == 255


def test_fully_opaque_alpha_channel_is_saved_as_jpeg():
    result = process_upload(encoded(Image.new("RGBA", (10, 10), (1, 2, 3, 255)), "PNG"))

    assert reopen(result).format == "JPEG"


def test_animated_gif_keeps_its_first_frame():
    frames = [Image.new("RGB", (20, 10), colour) for colour in ("red", "lime", "blue")]

    result = process_upload(
        encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    )

    red, green, blue = reopen(result).getpixel((5, 5))
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize(
    ("size", "fmt", "expected"),
    [
        ((3000, 1000), "PNG", (2400, 800)),
        ((1200, 4800), "PNG", (600, 2400)),
        ((4800, 3200), "JPEG", (2400, 1600)),  # through libjpeg's reduced-size decode
    ],
)
def test_large_but_allowed_image_is_downscaled(size, fmt, expected):
    result = process_upload(encoded(Image.new("RGB", size, (90, 120, 150)), fmt))

    assert reopen(result).size == expected


def test_small_image_is_not_enlarged():
    result = process_upload(encoded(Image.new("RGB", (30, 20), "white"), "PNG"))

    assert reopen(result).size == (30, 20)


def test_accepts_bytes_and_plain_files():
    path = DATA / "pillow_tests" / "hopper.png"

    assert reopen(process_upload(path.read_bytes())).size == (128, 128)
    with path.open("rb") as f:
        f.read(10)  # a file read before is read again from the start
        assert reopen(process_upload(f)).size == (128, 128)


def test_names_are_random():
    path = DATA / "pillow_tests" / "hopper.png"

    assert process_upload(upload(path)).name != process_upload(upload(path)).name


# make_variant


def test_variant_is_resized_to_the_width_keeping_the_aspect_ratio():
    stored = process_upload(encoded(Image.new("RGB", (2000, 1000), "navy"), "JPEG"))

    variant = make_variant(stored, 640)

    assert reopen(variant).size == (640, 320)
    assert variant.name == stored.name.replace(".jpg", "-640w.jpg")


def test_variant_never_enlarges():
    variant = make_variant(upload(DATA / "pillow_tests" / "hopper.jpg"), 1024)

    assert reopen(variant).size == (128, 128)
    assert variant.name == "hopper-1024w.jpg"


def test_variant_of_a_transparent_image_stays_png():
    stored = process_upload(encoded(Image.new("RGBA", (200, 100), (0, 0, 0, 0)), "PNG"))

    variant = make_variant(stored, 50)

    image = reopen(variant)
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (50, 25))


def test_variant_source_is_checked_like_an_upload():
    with pytest.raises(ImageRejected):
        make_variant(upload(DATA / "generated" / "svg_script.svg"), 320)


def test_variant_strips_metadata_from_an_unprocessed_source():
    variant = make_variant(upload(DATA / "generated" / "exif_gps_orient6_xmp_comment.jpg"), 32)

    output = variant.read()
    assert b"<script" not in output and b"Exif\x00\x00" not in output
    assert reopen(variant).size == (32, 43)


@pytest.mark.parametrize("width", [0, -5, 2.5, True])
def test_variant_width_must_be_a_positive_integer(width):
    with pytest.raises(ValueError, match="width"):
        make_variant(b"unused", width)


# SafeImageField


class AvatarForm(forms.Form):
    avatar = SafeImageField(required=False)


def test_form_field_rejects_a_non_image_with_a_form_error():
    form = AvatarForm(files={"avatar": SimpleUploadedFile("me.png", b"<svg onload=alert(1)>")})

    assert not form.is_valid()
    assert form.errors["avatar"] == ["Upload a JPEG, PNG, WebP or GIF image."]


def test_form_field_rejects_a_bomb_with_the_pixel_message():
    bomb = upload(DATA / "generated" / "bomb_100k_x_100k.png")

    form = AvatarForm(files={"avatar": bomb})

    assert form.errors["avatar"] == ["This image is too large (max 16 megapixels)."]


def test_form_field_rejects_an_empty_file():
    form = AvatarForm(files={"avatar": SimpleUploadedFile("me.jpg", b"")})

    assert not form.is_valid()
    assert form.errors["avatar"]


def test_form_field_cleans_a_good_image_into_a_reencoded_file():
    form = AvatarForm(files={"avatar": upload(DATA / "pillow_tests" / "hopper_bad_exif.jpg")})

    assert form.is_valid(), form.errors
    avatar = form.cleaned_data["avatar"]
    assert isinstance(avatar, ContentFile)
    assert avatar.name.endswith(".jpg") and avatar.name != "hopper_bad_exif.jpg"
    assert len(reopen(avatar).getexif()) == 0


def test_form_field_keeps_the_existing_image_when_nothing_is_uploaded():
    existing = ContentFile(b"stored earlier", name="avatars/existing.jpg")

    form = AvatarForm(data={}, files={}, initial={"avatar": existing})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["avatar"] is existing


def test_required_form_field_is_satisfied_by_the_existing_image():
    class RequiredForm(forms.Form):
        logo = SafeImageField()

    existing = ContentFile(b"stored earlier", name="logos/existing.png")

    assert RequiredForm(data={}, files={}, initial={"logo": existing}).is_valid()
    assert not RequiredForm(data={}, files={}).is_valid()


def test_form_field_clear_checkbox_clears():
    existing = ContentFile(b"stored earlier", name="avatars/existing.jpg")

    form = AvatarForm(data={"avatar-clear": "on"}, files={}, initial={"avatar": existing})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["avatar"] is False


def test_form_field_offers_only_the_accepted_formats_to_the_browser():
    html = str(AvatarForm()["avatar"])

    assert 'accept="image/jpeg,image/png,image/webp,image/gif"' in html


# --- the decoding budget: what a small file may cost -------------------------------------------


def no_decoding(monkeypatch) -> None:
    def refuse(self):
        raise AssertionError("decoded an image over the budget")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_a_small_one_colour_png_of_40_megapixels_is_refused_before_decoding(monkeypatch):
    # The review's file: 6320x6320 of one colour, a few KB, was 2 s and 300 MB to decode.
    source = encoded(Image.new("1", (6320, 6320), 1), "PNG", optimize=True)
    assert source.size < 200_000
    no_decoding(monkeypatch)

    error = rejection(source)

    assert error.code == "too_many_pixels"
    assert error.messages == ["This image is too large (max 16 megapixels)."]


@pytest.mark.parametrize(
    ("fmt", "size", "megapixels"),
    [("PNG", (4001, 4000), 16), ("GIF", (4001, 4000), 16), ("WEBP", (4001, 2000), 8)],
)
def test_formats_decoded_at_full_size_are_refused_just_over_their_budget(
    monkeypatch, fmt, size, megapixels
):
    mode = "RGB" if fmt == "WEBP" else "L"
    source = encoded(Image.new(mode, size, 200), fmt)
    no_decoding(monkeypatch)

    assert rejection(source).messages == [f"This image is too large (max {megapixels} megapixels)."]


@pytest.mark.parametrize(
    ("fmt", "size"), [("PNG", (4000, 4000)), ("GIF", (4000, 4000)), ("WEBP", (4000, 2000))]
)
def test_formats_decoded_at_full_size_are_accepted_at_their_budget(fmt, size):
    mode = "RGB" if fmt == "WEBP" else "L"
    with decoded_pixels() as counts:
        result = process_upload(encoded(Image.new(mode, size, 200), fmt))
    assert counts == [size[0] * size[1]]
    assert max(reopen(result).size) == MAX_SIDE


def test_a_40_megapixel_jpeg_is_decoded_at_a_quarter_of_its_pixels():
    source = encoded(Image.new("RGB", (6320, 6320), (90, 120, 150)), "JPEG")
    with decoded_pixels() as counts:
        result = process_upload(source)
    assert counts == [3160 * 3160]
    assert reopen(result).size == (MAX_SIDE, MAX_SIDE)


def test_a_large_photo_is_turned_upright_after_it_is_made_smaller():
    # Reduced to MAX_SIDE first, then turned by its EXIF orientation: the same result as the
    # other order, on a fraction of the pixels.
    image = Image.new("RGB", (3000, 1000), "red")
    image.paste((0, 0, 255), (0, 0, 300, 1000))  # the left edge blue
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # turn 90 degrees clockwise to view
    result = reopen(process_upload(encoded(image, "JPEG", exif=exif)))
    assert result.size == (800, 2400)
    red, green, blue = result.getpixel((400, 50))  # the blue edge is now at the top
    assert blue > 200 and red < 60
