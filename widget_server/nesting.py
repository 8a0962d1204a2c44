"""How deeply an HTML document nests its elements, estimated from its tags without parsing it.

The HTML parser the matchers use (lexbor, through selectolax) takes time in the square of the
document's depth: a megabyte of `<div>` alone kept a core busy for minutes. Browsers stop
nesting at 512 levels (Chromium's parser puts deeper elements beside the last one), so no page a
reader sees is that deep; `POST api/v1/annotate` refuses a body deeper than MAX_DEPTH before
parsing it.

The estimate reads the tags as the parser's tokenizer and tree builder do where depth is at
stake, and where it simplifies, it errs towards deeper: comments (`<!-->` ends one), quoted
attribute values and the text of `script`, `style` and the like hold no tags; void elements, and
self-closed ones in SVG and MathML, hold nothing; an end tag closes the element of its name and
those opened after it, unless a table cell, a table or another scope boundary was opened after
it (the parser then ignores it); a start tag of an element whose end tag is optional (`li`, `p`,
`td`...) closes the current element if it is one of its kind. A tag left open at the end of the
text ends the document's elements, as in the parser.
"""

from __future__ import annotations

import re

# Far deeper than any page a browser shows as written (512), and still fast to parse.
MAX_DEPTH = 1000

_NEXT = re.compile(r"<(?:!--|/?[a-zA-Z])")
_COMMENT_END = re.compile(r"-?>|.*?--!?>", re.S)  # after `<!--`; `<!-->` and `<!--->` end at once
# A start or end tag from its `<`: its name, its attributes (quoted values may hold `>`), `>`.
_TAG = re.compile(r"""<(/?)([a-zA-Z][^\s/>]*)((?>=\s*"[^"]*"|=\s*'[^']*'|[^>])*+)>""")
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "basefont",
        "bgsound",
        "frame",
        "keygen",
    }
)
# Elements whose text is read as text, up to their end tag: the tags in it are no elements.
_RAW_TEXT = frozenset(
    {
        "script",
        "style",
        "textarea",
        "title",
        "xmp",
        "iframe",
        "noembed",
        "noframes",
        "noscript",
        "plaintext",
    }
)
# Elements an end tag of an element opened before them does not reach ("has an element in scope").
_SCOPE = frozenset(
    {
        "applet",
        "caption",
        "html",
        "table",
        "td",
        "th",
        "marquee",
        "object",
        "template",
        "svg",
        "math",
        "foreignobject",
        "desc",
        "mi",
        "mo",
        "mn",
        "ms",
        "mtext",
    }
)
# An element of each group closes the current element if it is of the same group.
_SIBLINGS = {
    name: group
    for group in (("li",), ("p",), ("dt", "dd"), ("td", "th"), ("tr",), ("option",), ("thead", "tbody", "tfoot"))
    for name in group
}


def depth_problem(html: str) -> str | None:
    """Why `html` is refused before it is parsed, if it nests deeper than MAX_DEPTH: what the
    endpoint and the command both say."""
    if nesting_depth(html) > MAX_DEPTH:
        return f"the HTML nests elements more than {MAX_DEPTH} deep"
    return None


def nesting_depth(html: str, limit: int = MAX_DEPTH) -> int:
    """The estimated depth of `html`'s deepest element; the count stops past `limit` (deeper is
    too deep, however much). Linear in the length of `html`."""
    tree = _OpenElements()
    position = 0
    while opening := _NEXT.search(html, position):
        if opening.group() == "<!--":
            end = _COMMENT_END.match(html, opening.end())
            if not end:
                break  # a comment to the end of the text
            position = end.end()
            continue
        tag = _TAG.match(html, opening.start())
        if not tag:
            break  # a tag to the end of the text: the parser drops it, and nothing follows
        position = tag.end()
        closing, name, attributes = tag.group(1), tag.group(2).lower(), tag.group(3)
        if closing:
            tree.close(name)
            continue
        foreign = tree.count("svg") or tree.count("math")
        if name in _VOID or (foreign and attributes.rstrip().endswith("/")):
            continue
        tree.open(name)
        if tree.deepest > limit:
            break
        if name in _RAW_TEXT and not foreign:
            end_tag = re.compile(rf"</{re.escape(name)}[\s/>]", re.I).search(html, position)
            position = end_tag.start() if end_tag else len(html)
    return tree.deepest


class _OpenElements:
    """The stack of open elements, with where each name and scope boundary is in it, so that
    every step is constant time (amortized): a long document of end tags stays linear."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.deepest = 0
        self._at: dict[str, list[int]] = {}  # name -> its places in `names`
        self._boundaries: list[int] = []

    def count(self, name: str) -> int:
        return len(self._at.get(name, ()))

    def open(self, name: str) -> None:
        if self.names and self.names[-1] in _SIBLINGS.get(name, ()):
            self._pop_to(len(self.names) - 1)
        if name in _SCOPE:
            self._boundaries.append(len(self.names))
        self._at.setdefault(name, []).append(len(self.names))
        self.names.append(name)
        self.deepest = max(self.deepest, len(self.names))

    def close(self, name: str) -> None:
        places = self._at.get(name)
        if not places or (self._boundaries and self._boundaries[-1] > places[-1]):
            return  # not open, or out of scope: ignored
        self._pop_to(places[-1])

    def _pop_to(self, depth: int) -> None:
        while len(self.names) > depth:
            name = self.names.pop()
            self._at[name].pop()
            if self._boundaries and self._boundaries[-1] == len(self.names):
                self._boundaries.pop()
