"""``{% reader_part %}``: a hole in a stored fragment that each request fills with its own."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError

from core import pagecache
from core.templatetags.fragments import reader_part_marker

PAGE = Template(
    "{% load fragments %}"
    '{% fragment "box" 1 %}<p>shared {{ shared }}</p>'
    '{% if show %}{% reader_part "mine" %}<b>{{ who }}</b>{% endreader_part %}{% endif %}'
    "{% endfragment %}"
)


@pytest.fixture
def stored(settings):
    settings.PAGE_CACHE_SECONDS = 300
    pagecache.local.clear()
    return "token-1"


def render(template: Template, token: str, **values) -> str:
    fragments = pagecache.get_fragments(token, ["box:1", "outer:1"])
    return template.render(
        Context({"fragment_token": token, "fragments": fragments, "show": True, **values})
    )


def test_without_a_token_it_renders_in_place():
    html = PAGE.render(Context({"fragment_token": "", "shared": "a", "who": "bob", "show": True}))
    assert html == "<p>shared a</p><b>bob</b>"


def test_the_stored_copy_keeps_a_hole_each_request_fills(stored):
    assert render(PAGE, stored, shared="a", who="bob") == "<p>shared a</p><b>bob</b>"
    kept = pagecache.get_fragment(stored, "box:1")
    assert kept == "<p>shared a</p>" + reader_part_marker("mine")
    # The next reader gets the stored shared part and their own reader part.
    assert render(PAGE, stored, shared="changed", who="sam") == "<p>shared a</p><b>sam</b>"


def test_a_reader_part_is_escaped_and_never_stored(stored):
    render(PAGE, stored, shared="a", who="<i>bob</i>")
    assert "bob" not in pagecache.get_fragment(stored, "box:1")
    html = render(PAGE, stored, shared="a", who="<i>sam</i>")
    assert "<b>&lt;i&gt;sam&lt;/i&gt;</b>" in html


def test_a_marker_written_by_someone_is_not_a_hole(stored, settings):
    fake = "<!--reader-part:mine:0000000000-->"
    assert fake != reader_part_marker("mine")
    html = render(PAGE, stored, shared=fake, who="bob")
    assert "&lt;!--reader-part" in html  # escaped as any text


def test_a_fragment_inside_a_fragment_leaves_its_holes_to_the_outer_copy(stored):
    nested = Template(
        "{% load fragments %}"
        '{% fragment "outer" 1 %}[{% fragment "box" 1 %}'
        '{% reader_part "mine" %}{{ who }}{% endreader_part %}{% endfragment %}]{% endfragment %}'
    )
    assert render(nested, stored, who="bob") == "[bob]"
    assert "bob" not in pagecache.get_fragment(stored, "outer:1")
    assert render(nested, stored, who="sam") == "[sam]"


@pytest.mark.parametrize(
    "source",
    [
        "{% load fragments %}{% reader_part %}x{% endreader_part %}",
        "{% load fragments %}{% reader_part mine %}x{% endreader_part %}",
        "{% load fragments %}{% reader_part 'a' 'b' %}x{% endreader_part %}",
    ],
)
def test_a_reader_part_needs_one_quoted_name(source):
    with pytest.raises(TemplateSyntaxError):
        Template(source)
