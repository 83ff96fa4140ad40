"""Tests for core.sanitizer against public XSS corpora and everyday content."""

from __future__ import annotations

import json
import re
from pathlib import Path

import html5lib
import pytest

from core.sanitizer import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    clean_html,
    clean_text,
    html_to_text,
    image_sources,
    word_count,
)

XSS_DATA = Path(__file__).resolve().parent.parent / "data" / "xss"


def _load_corpora() -> dict[str, list[tuple[str, str]]]:
    """Each corpus file's payloads as (name, payload), the name as the old one-test ids."""
    payloads = json.loads((XSS_DATA / "xss_payloads.json").read_text(encoding="utf-8"))
    fixtures = json.loads((XSS_DATA / "dompurify_fixtures.json").read_text(encoding="utf-8"))
    return {
        "xss_payloads.json": [
            (f"payloads-{index:04d}", item["payload"])
            for index, item in enumerate(payloads["payloads"])
        ],
        "dompurify_fixtures.json": [
            (f"dompurify-{index:03d}", item["payload"])
            for index, item in enumerate(fixtures["fixtures"])
        ],
    }


CORPORA = _load_corpora()
PAYLOADS = [payload for corpus in CORPORA.values() for _name, payload in corpus]

# The bar from the corpus README, plus elements that load, submit or re-base things.
FORBIDDEN_ELEMENTS = {
    "script", "iframe", "object", "embed", "svg", "math", "style", "noscript",
    "frame", "frameset", "base", "link", "meta", "form", "input", "button", "textarea",
    "template",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "srcset",
    "poster", "background", "data", "cite", "lowsrc", "dynsrc",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would read, or None for a relative URL.

    Browsers strip leading and trailing C0 controls and spaces and drop tabs and newlines
    anywhere; we drop every ASCII control anywhere, which can only find more schemes.
    """
    url = re.sub(r"[\x00-\x1f\x7f]", "", url.strip("".join(map(chr, range(0x21)))))
    match = SCHEME.match(url)
    return match.group(1).lower() if match else None


def local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def assert_safe(markup: str) -> None:
    """Parse as a browser would (with and without scripting) and check the corpus bar."""
    for scripting in (True, False):
        parser = html5lib.HTMLParser(
            tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False
        )
        fragment = parser.parseFragment(markup, scripting=scripting)
        for element in fragment.iter():
            if not isinstance(element.tag, str):  # a comment
                continue
            if element is fragment:
                continue
            assert not element.tag.startswith("{"), f"foreign element {element.tag} in {markup!r}"
            tag = element.tag.lower()
            assert tag not in FORBIDDEN_ELEMENTS, f"<{tag}> in {markup!r}"
            assert tag in ALLOWED_TAGS, f"<{tag}> not in the allowlist: {markup!r}"
            for raw_name, value in element.attrib.items():
                name = raw_name.lower()
                assert not local_name(name).startswith("on"), f"{name} in {markup!r}"
                assert name != "style", markup
                assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | (
                    {"rel"} if tag == "a" else set()
                ), f"{tag}[{name}] in {markup!r}"
                if name in URL_ATTRIBUTES or local_name(name) in URL_ATTRIBUTES:
                    if name == "srcset":  # "url 2x, url 640w"
                        urls = [part.split()[0] for part in value.split(",") if part.split()]
                    else:
                        urls = [value]
                    allowed = {"http", "https"} if tag == "img" else SAFE_SCHEMES
                    for url in urls:
                        assert url_scheme(url) in allowed | {None}, f"{name}={url!r} in {markup!r}"


def failures(corpus: str, check) -> list[str]:
    """Every payload of one corpus file through `check`; one line per payload that fails.

    One test per file instead of one per payload (2,770 tests' worth of setup): still every
    payload is checked, and each one that fails is named with its reason.
    """
    failed = []
    for name, payload in CORPORA[corpus]:
        try:
            check(payload)
        except AssertionError as error:
            failed.append(f"{name}: {error}".splitlines()[0][:300])
        except Exception as error:  # a crash is a failure too, named like the others
            failed.append(f"{name}: {type(error).__name__}: {error}"[:300])
    return failed


def html_is_safe_and_stable(payload: str) -> None:
    cleaned = clean_html(payload)
    assert_safe(cleaned)
    assert clean_html(cleaned) == cleaned, f"not stable: {cleaned!r}"


def text_is_safe(payload: str) -> None:
    assert_safe(clean_text(payload))


@pytest.mark.parametrize("corpus", list(CORPORA))
def test_clean_html_neutralises_every_payload(corpus: str) -> None:
    failed = failures(corpus, html_is_safe_and_stable)
    assert not failed, f"{len(failed)} payloads of {corpus} get through:\n" + "\n".join(failed)


@pytest.mark.parametrize("corpus", list(CORPORA))
def test_clean_text_neutralises_every_payload(corpus: str) -> None:
    failed = failures(corpus, text_is_safe)
    assert not failed, f"{len(failed)} payloads of {corpus} get through:\n" + "\n".join(failed)


def test_a_failing_payload_is_reported_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # The batched tests above must still fail, and say which payload: a cleaner that lets
    # <script> through fails them, naming each payload.
    tiny = [("first", "<b>ok</b>"), ("second", "<script>x</script>")]
    monkeypatch.setitem(CORPORA, "tiny", tiny)
    failed = failures("tiny", assert_safe)
    assert failed == ["second: <script> in '<script>x</script>'"]


def test_corpus_is_all_there() -> None:
    # 1,162 corpus payloads + 223 DOMPurify fixtures; a truncated copy must not pass silently.
    assert len(PAYLOADS) == 1162 + 223
    assert {corpus: len(items) for corpus, items in CORPORA.items()} == {
        "xss_payloads.json": 1162,
        "dompurify_fixtures.json": 223,
    }


def test_every_one_line_payload_is_among_those_tested() -> None:
    # xss_payloads.txt is the one-line subset of the JSON; none of its lines may go untested.
    lines = [
        line
        for line in (XSS_DATA / "xss_payloads.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    tested = set(PAYLOADS)
    assert len(lines) == 1065
    assert [line for line in lines if line not in tested] == []


@pytest.mark.parametrize(
    "payload",
    [
        '<a href="javascript:123">x</a>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="jav&Tab;ascript&colon;alert(1)">x</a>',
        '<a href="jav\tascript:alert(1)">x</a>',
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<a href="\x01javascript:alert(1)">x</a>',
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
        '<a href="&#0000106avascript:alert(1)">x</a>',
        '<a href="&amp;#106;avascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<a href="livescript:alert(1)">x</a>',
    ],
)
def test_dangerous_link_schemes_lose_their_href(payload: str) -> None:
    assert clean_html(payload) == f'<a rel="{LINK_REL}">x</a>'


def test_event_handlers_are_dropped() -> None:
    assert clean_html("<img src=x onerror=alert(1)>") == '<img src="x">'
    assert clean_html('<a href="#" onmouseover="alert(1)">x</a>') == (
        f'<a href="#" rel="{LINK_REL}">x</a>'
    )


def test_style_class_and_id_are_dropped() -> None:
    assert clean_html('<p style="color:red" class="big" id="top">red</p>') == "<p>red</p>"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=https://example.com/x.js></SCRIPT>",
        "<style>body{background:url(javascript:alert(1))}</style>",
        "<iframe src=javascript:alert(1)>alert(1)</iframe>",
        "<object data=x>alert(1)</object>",
        "<svg><script>alert(1)</script></svg>",
        "<svg onload=alert(1)><title>alert(1)</title></svg>",
        "<math><mtext><script>alert(1)</script></mtext></math>",
        "<noscript><script>alert(1)</script></noscript>",
        "<template><script>alert(1)</script></template>",
        "<textarea>alert(1)</textarea>",
        "<select><option>alert(1)</option></select>",
        "<xmp>alert(1)</xmp>",
    ],
)
def test_dangerous_elements_go_with_their_content(payload: str) -> None:
    assert clean_html(payload + "<p>after</p>") == "<p>after</p>"


def test_split_script_tag_leaves_only_inert_text() -> None:
    cleaned = clean_html("<scr<script>ipt>alert(1)</script>")
    assert_safe(cleaned)
    assert "<" not in cleaned  # whatever text survives is escaped, never a tag


def test_noscript_mutation_trick() -> None:
    # Browsers (scripting on) read the <img> as real markup; it survives without its handler.
    cleaned = clean_html('<noscript><p title="</noscript><img src=x onerror=alert(1)>">')
    assert_safe(cleaned)
    assert "onerror" not in cleaned


def test_image_sources() -> None:
    assert clean_html('<img src="data:image/png;base64,iVBORw0KGgo=" alt="x">') == ""
    assert clean_html('<img src="mailto:a@example.com">') == ""
    assert clean_html('<img src="javascript:alert(1)">') == ""
    assert clean_html('<img src="/media/a.png" alt="A" width="640" height="480">') == (
        '<img src="/media/a.png" alt="A" width="640" height="480">'
    )
    assert clean_html('<img src="/media/a.png" width="100%" height="1e9">') == (
        '<img src="/media/a.png">'
    )


@pytest.mark.parametrize(
    "src",
    [
        "https://example.com/a.png",
        "http://images.example.org/a.png",
        "//example.com/a.png",
        "/\\example.com/a.png",
        "https:\\\\example.com/a.png",
        "https://example.com&#47;a.png",
        "https://testserver.example.com/a.png",
    ],
)
def test_images_from_other_hosts_are_dropped_as_the_csp_would_block_them(src: str) -> None:
    # The site's CSP (img-src) refuses them: kept, they would be broken in the editor, the
    # preview and the published story.
    assert clean_html(f'<p>A</p><img src="{src}" alt="x"><p>B</p>') == "<p>A</p><p>B</p>"


def test_images_from_this_site_and_the_csp_media_host_are_kept(settings) -> None:
    settings.SITE_URL = "https://byline.example"
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"img-src": ["'self'", "data:", "https://cdn.byline.example"]}
    }
    for src in (
        "/media/story-images/a.jpg",
        "https://byline.example/media/a.jpg",
        "https://cdn.byline.example/m/a.jpg",
        "//cdn.byline.example/m/a.jpg",
    ):
        assert clean_html(f'<img src="{src}" alt="A">') == f'<img src="{src}" alt="A">'
    assert clean_html('<img src="https://cdn.byline.example.evil.com/a.jpg">') == ""


def test_safe_links_survive_with_rel() -> None:
    rel = f'rel="{LINK_REL}"'
    cases = {
        '<a href="https://example.com">x</a>': f'<a href="https://example.com" {rel}>x</a>',
        '<a href="http://example.com/a?b=1&amp;c=2">x</a>': (
            f'<a href="http://example.com/a?b=1&amp;c=2" {rel}>x</a>'
        ),
        '<a href="mailto:ed@example.com">x</a>': f'<a href="mailto:ed@example.com" {rel}>x</a>',
        '<a href="/lifehack/a-story/">x</a>': f'<a href="/lifehack/a-story/" {rel}>x</a>',
        '<a href="#notes">x</a>': f'<a href="#notes" {rel}>x</a>',
        '<a href="https://example.com" rel="opener" target="_blank">x</a>': (
            f'<a href="https://example.com" {rel}>x</a>'
        ),
    }
    for payload, expected in cases.items():
        assert clean_html(payload) == expected


def test_legitimate_story_survives_exactly() -> None:
    story = (
        "<h2>Why sleep matters</h2>"
        "<p>Sleep is <strong>not</strong> optional, <em>really</em>. Read "
        f'<a href="https://example.com/sleep" title="Study" rel="{LINK_REL}">the study</a>.</p>'
        "<h3>Three habits</h3>"
        "<ol><li>Dark room</li><li>Cool room</li><li><b>No</b> <i>screens</i></li></ol>"
        "<ul><li>H<sub>2</sub>O and E=mc<sup>2</sup></li><li><u>u</u> <s>s</s></li></ul>"
        "<h4>A quote</h4>"
        "<blockquote><p>Sleep is the best meditation.</p></blockquote>"
        '<figure><img src="/media/story-images/bed.jpg" alt="A bed" width="800" height="600">'
        "<figcaption>A well-made bed.</figcaption></figure>"
        "<hr><p>Line one<br>line two</p>"
        "<pre><code>sleep(8 * 3600)</code></pre>"
    )
    assert clean_html(story) == story


def test_out_of_range_headings_are_renamed() -> None:
    assert clean_html("<h1>Title</h1><h5>Small</h5><h6>Tiny</h6>") == (
        "<h2>Title</h2><h4>Small</h4><h4>Tiny</h4>"
    )


def test_word_processor_paste_comes_out_clean() -> None:
    paste = (
        "<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View>"
        "</w:WordDocument></xml><![endif]-->"
        '<p class="MsoNormal" style="margin-bottom:0cm;line-height:normal">'
        "<span lang=EN-US style='font-size:12.0pt;font-family:\"Calibri\"'>Text<o:p></o:p>"
        "</span></p>"
        "<!--[if !supportLists]--><!--[endif]-->"
    )
    assert clean_html(paste) == "<p>Text</p>"


def test_comments_are_removed() -> None:
    assert clean_html("<p>a<!-- secret --></p><!-- <script>alert(1)</script> -->") == "<p>a</p>"
    # "<!-->" is a whole (empty) comment to a browser, so the script is real and the "-->" text.
    assert clean_html("<!--><script>alert(1)</script>-->") == "--&gt;"


def test_pre_keeps_leading_blank_line_across_saves() -> None:
    once = clean_html("<pre>\n\nindented</pre>")
    assert once == "<pre>\n\nindented</pre>"
    assert clean_html(once) == once


def test_empty_and_odd_input() -> None:
    assert clean_html(None) == ""
    assert clean_html("") == ""
    assert clean_html("plain words") == "plain words"
    assert clean_html("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert clean_html("<p>a\x00b\x08c\ud800d</p>") == "<p>abcd</p>"


def test_deep_nesting_does_not_crash() -> None:
    deep = "<b>" * 3000 + "deep" + "</b>" * 3000
    assert html_to_text(clean_html(deep)) == "deep"


def test_clean_text_escapes_and_links() -> None:
    text = "Hi <b>there</b> & welcome\nsee https://example.com/a?b=1&c=2 or example.com\n\nBye"
    assert clean_text(text) == (
        "<p>Hi &lt;b&gt;there&lt;/b&gt; &amp; welcome<br>see "
        f'<a href="https://example.com/a?b=1&amp;c=2" rel="{LINK_REL}">'
        "https://example.com/a?b=1&amp;c=2</a> or example.com</p><p>Bye</p>"
    )


def test_clean_text_does_not_link_other_schemes() -> None:
    cleaned = clean_text("javascript:alert(1) and data:text/html,<script>alert(1)</script>")
    assert "<a" not in cleaned
    assert_safe(cleaned)


def test_clean_text_empty() -> None:
    assert clean_text(None) == ""
    assert clean_text("  \n\n  ") == ""


def test_html_to_text_separates_blocks_not_inline() -> None:
    assert html_to_text("<p>a</p><p>b</p>") == "a b"
    assert html_to_text("<p>one<br>two</p><ul><li>three</li><li>four</li></ul>") == (
        "one two three four"
    )
    assert html_to_text("<p>un<em>believ</em>able <a href='/x'>link</a>s</p>") == (
        "unbelievable links"
    )
    assert html_to_text("<h2>T</h2>\n\n  <p>x &amp; y</p>") == "T x & y"
    assert html_to_text("<p>shown</p><script>hidden()</script><svg><text>no</text></svg>") == (
        "shown"
    )
    assert html_to_text("") == ""


def test_word_count() -> None:
    assert word_count("") == 0
    assert word_count("one two  three\nfour") == 4
    assert word_count("don't stop — a well-known 3.5 % rule") == 6
    assert word_count(html_to_text("<p>a</p><p>b</p>")) == 2


def test_markup_that_never_settles_falls_back_to_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only one pass allowed, so input that needs a second pass takes the fallback branch.
    monkeypatch.setattr("core.sanitizer._MAX_PASSES", 1)
    cleaned = clean_html("<p>a <b>b</b><script>x</script></p><span>c</span>")
    assert cleaned == "<p>a b c</p>"
    assert clean_html(cleaned) == cleaned


def test_image_sources_in_reading_order_with_entities_decoded() -> None:
    html = clean_html(
        '<p>Intro<img src="/media/a&amp;b.png" alt=""></p><h2>Later</h2>'
        '<figure><img src="/media/c.jpg"><figcaption>C</figcaption></figure>'
        '<img src="javascript:alert(1)"><img alt="no source">'
    )
    assert list(image_sources(html)) == ["/media/a&b.png", "/media/c.jpg"]
    assert list(image_sources("<p>No images.</p>")) == []
    assert list(image_sources("")) == []
