"""``{% fragment "name" key %}…{% endfragment %}``: a part of a page that is the same for every
reader, rendered once and kept while the page's version stamps hold (core/pagecache.py).

The view puts two things in the context: ``fragment_token`` (pagecache.fragment_token, "" when
the part must be rendered afresh) and ``fragments``, the stored parts it already fetched in one
round trip with pagecache.get_fragments. Nothing inside may depend on who is reading.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core import pagecache

register = template.Library()


class FragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, parts: list[template.base.FilterExpression]):
        self.nodelist = nodelist
        self.parts = parts

    def render(self, context: template.Context) -> SafeString:
        token = context.get("fragment_token", "")
        if not token:
            return self.nodelist.render(context)
        key = ":".join(str(part.resolve(context)) for part in self.parts)
        stored = (context.get("fragments") or {}).get(key)
        if stored is None:
            stored = self.nodelist.render(context)
            pagecache.set_fragment(token, key, str(stored))
        return mark_safe(stored)


@register.tag
def fragment(parser: template.base.Parser, token: template.base.Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name, e.g. {% fragment 'x' %}")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(nodelist, [parser.compile_filter(bit) for bit in bits[1:]])


def fragment_key(*parts: object) -> str:
    """The key {% fragment %} uses for these parts: for the view that prefetches them."""
    return ":".join(str(part) for part in parts)
