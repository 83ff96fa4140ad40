"""The Content-Security-Policy: enforced on every page, and nothing in the templates it would block.

What runs in a browser under it (the admin, the editor, the charts) is tests/browser/test_csp.py.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.test import Client

from core import first_paint
from platform_site.pages import ensure_footer_pages
from tests.conftest import make_story, make_user
from tests.platform_site.test_settings import PRODUCTION, setting

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Emails are read in mail programs, which ignore stylesheets: they need their inline styles, and
# no page's policy applies to them. Nothing in this folder is served as a page.
NOT_PAGES = {TEMPLATES / "emails"}
APPS = (
    "platform_site", "creators", "stories", "comments", "subscriptions", "support", "stats",
    "notes",  # issue 16, part 5
)  # fmt: skip

POLICY = {
    "default-src": ["'self'"],
    # The one inline script, by its hash (core/first_paint.py): never 'unsafe-inline'.
    "script-src": ["'self'", first_paint.CSP_SOURCE],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


# setting() starts from a clean environment; these tests are about development unless they say.
DEV = {"DJANGO_DEBUG": "true"}


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


# --- the header --------------------------------------------------------------------------------


@pytest.fixture
def pages(db, alice, sam, lifehack) -> dict[str, Client]:
    """Every kind of page, with the client that may see it."""
    ensure_footer_pages(Site, FlatPage)
    story = make_story(creator=alice, community=lifehack, title="Under the policy")
    anonymous, creator, staff = Client(), Client(), Client()
    creator.force_login(alice)
    staff.force_login(make_user("root", is_staff=True, is_superuser=True))
    return {
        "/": anonymous,
        "/explore/": anonymous,
        story.get_absolute_url(): anonymous,
        f"/authors/{alice.username}/": anonymous,
        "/search/?q=policy": anonymous,
        "/accounts/login/": anonymous,
        "/accounts/signup/": anonymous,
        "/no-such-page/": anonymous,  # the 404 page too
        "/write/": creator,
        "/write/new/": creator,
        "/write/stats/": creator,
        "/settings/": creator,
        "/admin/": staff,
        "/admin/stories/story/": staff,
        f"/admin/stories/story/{story.pk}/change/": staff,
        "/admin/login/": anonymous,
    }


def test_every_page_carries_the_enforced_policy(pages):
    for url, client in pages.items():
        response = client.get(url)
        assert response.status_code in {200, 404}, (url, response.status_code)
        assert "Content-Security-Policy-Report-Only" not in response, url
        assert directives(response["Content-Security-Policy"]) == POLICY, url
        # What the templates, widgets and the admin rendered together: nothing inline either,
        # but the first-paint script, once, on every page of the site's own (not the admin's).
        html = response.content.decode()
        assert html.count(FIRST_PAINT) == (0 if url.startswith("/admin/") else 1), url
        assert inline_code(html.replace(FIRST_PAINT, "")) == [], url


FIRST_PAINT = f"<script>{first_paint.SCRIPT}</script>"


def test_the_hash_is_of_the_script_as_the_page_carries_it(client, db):
    html = client.get("/").content.decode()
    (sent,) = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    digest = base64.b64encode(hashlib.sha256(sent.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == first_paint.CSP_SOURCE
    # Sent without its comments and indentation: the file's lines, trimmed.
    assert "//" not in sent.replace("://", "") and "\n  " not in sent
    assert first_paint.compact("  a();\n  // why\n\n  b();") == "a();\nb();"


def test_static_files_and_posted_forms_carry_it_too(client, db):
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == POLICY
    # A refused form (here a login with wrong details) is a page like any other.
    response = client.post("/accounts/login/", {"username": "nobody", "password": "x"})
    assert directives(response["Content-Security-Policy"]) == POLICY


def test_report_only_is_a_switch_and_enforcing_is_the_default():
    assert setting("settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']", **DEV) == repr(
        ["'self'", first_paint.CSP_SOURCE]
    )
    assert setting("hasattr(settings, 'CONTENT_SECURITY_POLICY_REPORT_ONLY')", **DEV) == "False"
    assert (
        setting(
            "(getattr(settings, 'CONTENT_SECURITY_POLICY', None),"
            " settings.CONTENT_SECURITY_POLICY_REPORT_ONLY['DIRECTIVES']['default-src'])",
            CSP_REPORT_ONLY="true",
            **DEV,
        )
        == "(None, [\"'self'\"])"
    )


@pytest.mark.slow  # five settings processes
def test_images_may_come_from_the_media_host_and_forms_may_end_on_stripe():
    directive = "settings.CONTENT_SECURITY_POLICY['DIRECTIVES']"
    assert setting(f"{directive}['img-src']", **DEV) == "[\"'self'\", 'data:']"
    assert setting(
        f"{directive}['img-src']",
        AWS_STORAGE_BUCKET_NAME="byline-media",
        AWS_S3_CUSTOM_DOMAIN="media.byline.example",
        **DEV,
    ) == ("[\"'self'\", 'data:', 'https://media.byline.example']")
    assert setting(
        f"{directive}['img-src']",
        AWS_STORAGE_BUCKET_NAME="byline-media",
        AWS_S3_ENDPOINT_URL="https://objects.example.net",
        **DEV,
    ) == ("[\"'self'\", 'data:', 'https://objects.example.net']")
    assert setting(f"{directive}['img-src']", MEDIA_URL="https://cdn.example.org/m/", **DEV) == (
        "[\"'self'\", 'data:', 'https://cdn.example.org']"
    )
    assert setting(f"{directive}['form-action']", **DEV) == "[\"'self'\"]"
    assert setting(
        f"{directive}['form-action']",
        STRIPE_SECRET_KEY="sk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
        **DEV,
    ) == ("[\"'self'\", 'https://checkout.stripe.com', 'https://connect.stripe.com']")


def test_production_enforces_it_too():
    assert setting("sorted(settings.CONTENT_SECURITY_POLICY['DIRECTIVES'])", **PRODUCTION) == repr(
        sorted(POLICY)
    )


# --- the templates -----------------------------------------------------------------------------


class InlineFinder(HTMLParser):
    """Collects what a policy without 'unsafe-inline' would refuse in one template."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        line = self.getpos()[0]
        # JSON-LD is data: browsers never run it, and CSP does not look at it.
        is_data = (names.get("type") or "").lower() == "application/ld+json"
        if tag == "script" and "src" not in names and not is_data:
            self.found.append(f"line {line}: inline <script>")
        if tag == "style":
            self.found.append(f"line {line}: <style> element")
        if "style" in names:
            self.found.append(f"line {line}: style attribute on <{tag}>")
        handlers = [name for name in names if name.startswith("on")]
        if handlers:
            self.found.append(f"line {line}: event handler {handlers[0]} on <{tag}>")
        for name in ("href", "src", "action", "formaction"):
            if (names.get(name) or "").strip().lower().startswith("javascript:"):
                self.found.append(f"line {line}: javascript: URL in {name}")


def page_templates() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*.html")
        if not any(folder in path.parents for folder in NOT_PAGES)
    )


def inline_code(text: str) -> list[str]:
    # Template tags could hide a tag's end from the parser; they are neither script nor style.
    finder = InlineFinder()
    finder.feed(re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S))
    finder.close()
    return finder.found


def test_the_finder_finds_what_it_looks_for():
    assert inline_code('<script>alert(1)</script><script src="/a.js"></script>') == [
        "line 1: inline <script>"
    ]
    assert inline_code('<script type="module">import "x";</script>') == ["line 1: inline <script>"]
    assert inline_code('<script type="importmap">{}</script>') == ["line 1: inline <script>"]
    assert inline_code('<script type="application/ld+json">{}</script>') == []
    assert inline_code("<style>p{}</style>") == ["line 1: <style> element"]
    assert inline_code('<svg><rect style="fill:red"/></svg>') == [
        "line 1: style attribute on <rect>"
    ]
    assert inline_code('<p\n  STYLE="color: red">x</p>') == ["line 1: style attribute on <p>"]
    assert inline_code('<button onclick="go()">') == ["line 1: event handler onclick on <button>"]
    assert inline_code('<a href="javascript:go()">') == ["line 1: javascript: URL in href"]
    assert inline_code('<p class="{% if x %}a{% endif %}">{{ style }}</p>') == []


def test_no_template_has_inline_script_or_style():
    templates = page_templates()
    assert len(templates) > 60  # the walk found the templates, not an empty folder
    problems = {
        str(path.relative_to(ROOT)): found
        for path in templates
        if (found := inline_code(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def html_strings(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that could end up in a page: not its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


INLINE_IN_PYTHON = re.compile(r"""\bstyle\s*=\s*["'{]|<style|<script(?![^>]*\bsrc=)""", re.I)


def inline_in_python(path: Path) -> list[int]:
    return sorted(line for line, text in html_strings(path) if INLINE_IN_PYTHON.search(text))


def test_the_python_scan_finds_what_it_looks_for(tmp_path):
    module = tmp_path / "admin.py"
    module.write_text(
        '''"""A module that mentions <script> and style="x" in its docstring."""\n'''
        "def f():\n"
        '''    """Nor here: <style>."""\n'''
        "    return format_html('<span style=\"color: red\">{}</span>', 1)\n"
        "SCRIPT = '<script>go()</script>'\n"
        "LOADED = '<script src=\"/a.js\"></script>'\n",
        encoding="utf-8",
    )
    assert inline_in_python(module) == [4, 5]


def test_python_that_writes_html_adds_no_inline_style_or_script():
    # format_html in the admin and template tags builds markup outside the templates.
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for folder in APPS
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        for line in inline_in_python(path)
    ]
    assert offenders == []


def test_a_refused_form_token_gets_a_page_without_inline_style(db):
    # Django's built-in CSRF failure page has a <style> element; ours is a site page.
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "That form could not be sent" in html
    assert inline_code(html.replace(FIRST_PAINT, "")) == []
    assert directives(response["Content-Security-Policy"]) == POLICY
