"""Small archives in each format an import reads, built by the tests that use them."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile


def zip_of(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return buffer.getvalue()


def medium_post(
    *, title: str, body: str, published: str | None, canonical: str, subtitle: str = ""
) -> str:
    time = (
        f'<a href="{canonical}"><time class="dt-published" datetime="{published}">a day</time></a>'
        if published
        else ""
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ color: red }}</style></head><body><article class="h-entry">
<header><h1 class="p-name">{title}</h1></header>
<section data-field="subtitle" class="p-summary">{subtitle}</section>
<section data-field="body" class="e-content"><section name="a1" class="section section--body">
<div class="section-content"><div class="section-inner sectionLayout--insetColumn">
<h3 name="t" class="graf graf--h3 graf--leading graf--title">{title}</h3>
{body}</div></div></section></section>
<footer><p>By <a href="https://medium.com/@alice" class="p-author h-card">Alice</a> on {time}.</p>
<p><a href="{canonical}" class="p-canonical">Canonical link</a></p></footer>
</article></body></html>"""


def medium_zip(posts: dict[str, str]) -> bytes:
    files: dict[str, bytes | str] = {"README.html": "<p>Your Medium archive</p>"}
    files.update({f"posts/{name}": html for name, html in posts.items()})
    return zip_of(files)


def substack_zip(rows: list[dict[str, str]], bodies: dict[str, str]) -> bytes:
    out = io.StringIO()
    columns = ["post_id", "post_date", "is_published", "email_sent_at", "title", "subtitle"]
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    files: dict[str, bytes | str] = {"posts.csv": out.getvalue()}
    files.update({f"posts/{post_id}.html": html for post_id, html in bodies.items()})
    return zip_of(files)


def wxr(items: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>My blog</title><link>https://blog.example</link>
<wp:wxr_version>1.2</wp:wxr_version>
{items}
</channel></rss>""".encode()


def wxr_item(
    *,
    title: str,
    content: str,
    status: str = "publish",
    date: str = "2019-05-06 07:08:09",
    link: str = "https://blog.example/?p=1",
    tags: tuple[str, ...] = (),
    post_type: str = "post",
    excerpt: str = "",
) -> str:
    categories = "".join(
        f'<category domain="post_tag" nicename="{t.lower()}"><![CDATA[{t}]]></category>'
        for t in tags
    )
    return f"""<item><title>{title}</title><link>{link}</link>
<guid isPermaLink="false">{link}</guid>
<content:encoded><![CDATA[{content}]]></content:encoded>
<excerpt:encoded><![CDATA[{excerpt}]]></excerpt:encoded>
<wp:post_date_gmt>{date}</wp:post_date_gmt><wp:status>{status}</wp:status>
<wp:post_type>{post_type}</wp:post_type>{categories}
<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]></category>
</item>"""


def ghost_json(posts: list[dict], tags: list[dict] = (), posts_tags: list[dict] = ()) -> bytes:
    document = {
        "db": [
            {
                "meta": {"version": "5.0.0"},
                "data": {"posts": posts, "tags": list(tags), "posts_tags": list(posts_tags)},
            }
        ]
    }
    return json.dumps(document).encode()


def upload(data: bytes, name: str = "export.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")
