"""``{% fragment "name" key %}…{% endfragment %}``: a part of a page that is the same for every
reader, rendered once and kept while the page's version stamps hold (core/pagecache.py).

The view puts two things in the context: ``fragment_token`` (pagecache.fragment_token, "" when
the part must be rendered afresh) and ``fragments``, the stored parts it already fetched in one
round trip with pagecache.get_fragments. Nothing inside may depend on who is reading, but for
``{% reader_part "name" %}…{% endreader_part %}``: a hole in the stored copy, rendered for each
request where it stands (a reader's own "liked" button inside the story's byline). A reader
part must be written in the fragment's own template (not in an include, which is not parsed
until it renders) and must not depend on a loop variable.
"""

from __future__ import annotations

import functools

from django import template
from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from core import pagecache

register = template.Library()

# Set in the context while a fragment renders the copy it stores: reader parts leave a marker.
_STORING = "_fragment_storing"


@functools.lru_cache(maxsize=16)
def _marker(secret: str, name: str) -> str:
    # Derived from SECRET_KEY, like the CSRF placeholder: no one can write one into a story.
    digest = salted_hmac("core.fragments.reader_part", name, secret=secret).hexdigest()[:20]
    return f"<!--reader-part:{name}:{digest}-->"


def reader_part_marker(name: str) -> str:
    return _marker(settings.SECRET_KEY, name)


class ReaderPartNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: str):
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> SafeString:
        if context.get(_STORING):
            return mark_safe(reader_part_marker(self.name))
        return self.nodelist.render(context)


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, parts: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.parts = parts
        self.reader_parts = nodelist.get_nodes_by_type(ReaderPartNode)

    def render(self, context: template.Context) -> SafeString:
        token = context.get("fragment_token", "")
        if not token:
            return self.nodelist.render(context)
        key = ":".join(str(part.resolve(context)) for part in self.parts)
        stored = (context.get("fragments") or {}).get(key)
        if stored is None:
            with context.push({_STORING: True}):
                stored = str(self.nodelist.render(context))
            pagecache.set_fragment(token, key, stored)
        return mark_safe(self._fill(stored, context))

    def _fill(self, html: str, context: template.Context) -> str:
        """This request's reader parts in the holes the stored copy left for them (unless an
        enclosing fragment is storing its copy: then the holes stay for it to fill)."""
        if context.get(_STORING):
            return html
        for part in self.reader_parts:
            marker = reader_part_marker(part.name)
            if marker in html:
                html = html.replace(marker, str(part.nodelist.render(context)))
        return html


@register.tag
def fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name, e.g. {% fragment 'x' %}")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]])


@register.tag
def reader_part(parser: template.base.Parser, token: template.base.Token) -> ReaderPartNode:
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError(
            "{% reader_part %} needs one quoted name, e.g. {% reader_part 'like-top' %}"
        )
    nodelist = parser.parse(("endreader_part",))
    parser.delete_first_token()
    return ReaderPartNode(nodelist, bits[1][1:-1])


def fragment_key(*parts: object) -> str:
    """The key {% fragment %} uses for these parts: for the view that prefetches them."""
    return ":".join(str(part) for part in parts)
