"""Markdown for term sections: safe HTML for pages, plain text for cards."""

from __future__ import annotations

import functools
import re

from markdown_it import MarkdownIt
from markupsafe import Markup

CARD_TEXT_LIMIT = 300
ELLIPSIS = "\u2026"

# Raw HTML is off: an editor's `<script>` shows as text. markdown-it also drops links whose URL
# is javascript:, vbscript:, file: or (non-image) data:, which the validator reports as errors.
_renderer = MarkdownIt("commonmark", {"html": False})
# Sees every link as written, so that the validator can point at the unsafe ones.
_inspector = MarkdownIt("commonmark", {"html": False})
_inspector.validateLink = lambda url: True  # type: ignore[method-assign]

# Every way CommonMark writes a link or an image holds one of these: `](` (inline), `]:` (a
# reference definition) or `<` (an autolink). Text with none of them needs no parsing.
_LINK_SYNTAX_RE = re.compile(r"\]\(|\]:|<")
_UNSAFE_URL_RE = re.compile(r"^\s*(?:javascript|vbscript|file|data):", re.IGNORECASE)
# A sentence ends at . ! or ? (perhaps closing a quote or parenthesis) before a space and a
# capital or digit; not after a one-letter word, so "U.S. Congress" or "e.g. Medicare" is no end.
_SENTENCE_END_RE = re.compile(r"(?<!\b\w)[.!?][\"'\u201d\u2019)]?(?=\s+[\"'\u201c\u2018(]?[A-Z0-9])")


# Most sections are plain paragraphs, which need no parsing: no character CommonMark gives a
# meaning to inside a line, and no line that could begin another kind of block (a list item,
# a heading underline, indented code) or end in a line break. Parsing the rest is most of the
# time a large glossary takes to render.
_MARKUP_CHARACTER_RE = re.compile(r"[\\`*_\[\]<>&#~|{}\t\r\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")
_BLOCK_LINE_RE = re.compile(r"^(?:[-+=\s]|\d+[.)])|\s$", re.MULTILINE)
_PARAGRAPH_BREAK_RE = re.compile(r"\n{2,}")
_QUOTE_RE = re.compile('"')


def _plain_paragraphs(markdown: str) -> list[str] | None:
    """The paragraphs of `markdown` if CommonMark reads it as nothing but plain paragraphs."""
    if _MARKUP_CHARACTER_RE.search(markdown):
        return None
    paragraphs = [paragraph for paragraph in _PARAGRAPH_BREAK_RE.split(markdown) if paragraph]
    if any(_BLOCK_LINE_RE.search(paragraph) for paragraph in paragraphs):
        return None
    return paragraphs


def render_html(markdown: str) -> Markup:
    paragraphs = _plain_paragraphs(markdown)
    if paragraphs is None:
        return Markup(_renderer.render(markdown))
    # As markdown-it writes them: & < > are not in such text, and " is escaped.
    return Markup("".join(f"<p>{_QUOTE_RE.sub('&quot;', p)}</p>\n" for p in paragraphs))


UNSAFE_LINK = "link with an unsafe URL"
# No image can show on the pages: their policy allows only our own images (img-src 'self'),
# the glossary has no image files to publish, and one from another site would tell that site
# who reads the entry. The cards show text only.
IMAGE = "image (entries are text only: the pages would show it broken)"


def link_problems(markdown: str) -> list[tuple[int, str]]:
    """(0-based line, what) of each link whose URL could run script, and of each image."""
    if not _LINK_SYNTAX_RE.search(markdown):
        return []
    problems = []
    for token in _inspector.parse(markdown):
        # A block's map gives its first line; the link may sit on a later line of the paragraph.
        line = token.map[0] if token.map else 0
        for child in token.children or ():
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            url = child.attrGet("href") or child.attrGet("src")
            if isinstance(url, str) and _UNSAFE_URL_RE.match(url):
                problems.append((line, UNSAFE_LINK))
            elif child.type == "image":
                problems.append((line, IMAGE))
    return problems


@functools.lru_cache(maxsize=1 << 16)
def plain_text(markdown: str) -> str:
    """The words of `markdown` with all markup removed and white space collapsed.

    Cached: the API, the pages and the snippets all ask for the same sections' text, one whole
    pass over the glossary apart, so the cache holds a large glossary's two card sections.
    """
    if _plain_paragraphs(markdown) is not None:
        return " ".join(markdown.split())
    pieces = []
    for token in _renderer.parse(markdown):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                pieces.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                pieces.append(" ")
        if token.type in ("paragraph_close", "heading_close", "list_item_close"):
            pieces.append(" ")
    return " ".join("".join(pieces).split())


def card_text(markdown: str, limit: int = CARD_TEXT_LIMIT) -> str:
    """Plain text of at most `limit` characters, cut at a sentence, else a word, with an ellipsis.

    Cards are small: a cut at the end of a sentence reads best, unless it would drop more than
    half of the room, in which case the cut falls at the last whole word.
    """
    text = plain_text(markdown)
    if len(text) <= limit:
        return text
    room = limit - 2  # the ellipsis and the space before it
    # The whole text is searched: whether a sentence ends just before the cut depends on what
    # follows it.
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(text) if m.end() <= room]
    if ends and ends[-1] >= limit // 2:
        return f"{text[: ends[-1]]} {ELLIPSIS}"
    cut = text.rfind(" ", 0, room + 1)
    head = text[: cut if cut > 0 else room].rstrip(" ,;:-\u2013\u2014")
    return f"{head}{ELLIPSIS}"
