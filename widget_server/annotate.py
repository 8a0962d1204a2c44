"""Annotated HTML and Markdown for readers where no script runs: newsletters, feeds, AMP, print.

The widget's own rules pick the terms (highlights.scan_page: roots, skip areas, first or all,
max, context rules); the annotations are then spliced into the input as it was written
(sourcemap.py), never into a re-serialised tree, so that everything else stays byte-for-byte
and removing what was added gives the input back. Nothing added is executable: two styles of
plain markup, every text in it escaped.

- `links`: the term becomes `<a href="ENTRY" title="DEFINITION">term</a>`.
- `footnotes`: the term is followed by `<sup><a href="#gw-fn-1" id="gw-ref-1">1</a></sup>`,
  and an `<hr>` and a `<div>` with `<h2>Glossary</h2>` and an `<ol>` (definition, how the
  practice is misused, a link to the entry) are added at the end of the article (the root the
  widget reads), else of the body or of a fragment: markup that email clients render without
  classes or styles.

Markdown gets the same in Markdown (docs/site-owners.md, "Annotating where scripts
cannot run").
"""

from __future__ import annotations

import bisect
import html
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from selectolax.lexbor import LexborHTMLParser, LexborNode

from widget_server.api import entry_path
from widget_server.highlights import Highlight, Settings, find_roots, scan_page
from widget_server.markup import card_text
from widget_server.matcher import glossary_matcher
from widget_server.model import Glossary, Term
from widget_server.sourcemap import ESCAPABLE_RAW_TEXT, RAW_TEXT, SourceText

STYLES = ("footnotes", "links")
ID_PREFIX = "gw"
GLOSSARY_HEADING = "Glossary"
MISUSE_LABEL = "How it is misused:"
# What the Markdown of a paragraph writes around its prose: code spans, links and images
# (reference, footnote and shortcut ones too), autolinks and inline HTML, backslash escapes,
# character references, emphasis. The widget sees no prose there either (code, a), or a new
# text node (em, strong): a name is never matched across one.
_MARKDOWN_MARKUP_RE = re.compile(
    r"(`+)(?:.*?[^`])?\1(?!`)|`+"
    r"|!?\[(?:[^\[\]]|\[[^\[\]]*\])*\](?:\([^()]*(?:\([^()]*\)[^()]*)*\)|\[[^\]]*\])?"
    # Inline HTML: an element whose text the widget never highlights, whole; a comment; any
    # other tag (its attributes may run over lines); an autolink.
    r"|<(a|button|code|iframe|kbd|label|math|noscript|option|samp|script|select|style|summary|svg|template|textarea)\b[^>]*>.*?</\2\s*>"
    r"|<!--.*?-->|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>|<[A-Za-z][\w+.-]*:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>"
    r"|\\.|&#?\w+;|[*_~]+",
    re.DOTALL | re.IGNORECASE,
)
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+$")
# A URL or an e-mail address written out: mail programs and Markdown link it, so a term inside
# is left alone (an annotation would split the address).
# (`example.com/fees` too: mail programs link a domain followed by a path.)
_ADDRESS_RE = re.compile(
    r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.|\b(?:[\w-]+\.)+[a-z]{2,}/)[^\s<>\"']*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    re.IGNORECASE,
)
# Elements whose text a browser shows as written, markup and all (or, for `title` in the body,
# not at all): a link put inside would show as text. The widget, which adds elements rather than
# text, has no need to skip them.
_SHOWN_AS_TEXT = "xmp,plaintext,noembed,noframes,title"
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>&#])")
# CommonMark's HTML blocks that end only where their end is written (kinds 1-5: raw text
# elements, comments, processing instructions, declarations, CDATA): how each starts, the end
# that closes it, and what the notes write to close one left open, which would run to the end of
# the document. (The others end at a blank line, which the notes start with.)
_HTML_BLOCK_ENDS = [
    (r"<(pre|script|style|textarea)(?:[ \t>]|$)", r"</(?:pre|script|style|textarea)>", r"</\1>"),
    (r"<!--", r"-->", "-->"),
    (r"<\?", r"\?>", "?>"),
    (r"<!\[CDATA\[", r"\]\]>", "]]>"),
    (r"<![A-Za-z]", r">", ">"),
]


@dataclass(frozen=True)
class Options:
    """How to annotate: the widget's settings, the style and where the entry pages are."""

    base_url: str
    style: str = "footnotes"
    settings: Settings = Settings()


@dataclass
class Annotation:
    """What to insert where in the input, and the highlights that could not be written."""

    insertions: list[tuple[int, str]] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # slugs, in order of first appearance
    skipped: int = 0

    def apply(self, source: str) -> str:
        """`source` with the insertions (sorted; at one place, in the order they were made)."""
        parts: list[str] = []
        position = 0
        for at, markup in sorted(self.insertions, key=lambda insertion: insertion[0]):
            parts += [source[position:at], markup]
            position = at
        parts.append(source[position:])
        return "".join(parts)


@dataclass(frozen=True)
class _Found:
    """A highlight that is written as it is in the source, from `start` to `end`."""

    start: int
    end: int
    term: Term


class NotText(ValueError):
    """The input is not text: invalid UTF-8, or NUL bytes, which no HTML or Markdown holds."""


def decode_input(data: bytes) -> str:
    """The text of an input, or NotText saying where it stops being text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotText(f"not UTF-8 text (invalid byte at {error.start})") from None
    if "\0" in text:
        raise NotText(f"not text (a NUL byte at {data.index(0)})")
    return text


def base_url_problem(base_url: str) -> str | None:
    """Why `base_url` cannot start the absolute links to entry pages, if it cannot."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"{base_url!r} is not an absolute http(s) URL, e.g. https://glossary.example.org/"
    return None


def annotate_text(source: str, markdown: bool, glossary: Glossary, options: Options) -> Annotation:
    """The annotations of an HTML (or, with `markdown`, a Markdown) document or fragment."""
    return (annotate_markdown if markdown else annotate_html)(source, glossary, options)


def settings_for(glossary: Glossary, site_id: str | None, **given: Any) -> Settings:
    """The settings of a registered site (`site_id`), overridden by those `given` (not None)."""
    settings = Settings()
    if site_id:
        site = next((site for site in glossary.sites if site.id == site_id), None)
        if site is None:
            known = ", ".join(site.id for site in glossary.sites) or "none"
            raise ValueError(f"unknown site {site_id!r} (known: {known})")
        settings = Settings(
            categories=site.categories or None,
            occurrences=site.occurrences or "first",
            max=site.max if site.max is not None else settings.max,
            root=site.root,
            exclude=site.exclude,
        )
    return replace(settings, **{key: value for key, value in given.items() if value is not None})


def annotate_html(source: str, glossary: Glossary, options: Options) -> Annotation:
    """The annotations of an HTML document or fragment. A document this annotated before
    (its Glossary notes, or links to the entries) is not annotated twice: the notes make it
    whole, and terms linked already count as highlighted."""
    entries = re.escape(_entries_url(options.base_url))
    if re.search(rf'<li id="[\w-]+-fn-\d+"><p><a href="{entries}', source):
        return Annotation()
    linked = re.findall(rf'<a href="{entries}([a-z0-9-]+)/"', source)
    matcher = glossary_matcher(glossary, options.settings.categories)
    settings = options.settings
    exclude = f"{settings.exclude},{_SHOWN_AS_TEXT}" if settings.exclude else _SHOWN_AS_TEXT
    scan = scan_page(
        source,
        matcher,
        replace(settings, exclude=exclude),
        highlighted=linked,
        count=len(linked),
        placeable=_outside_addresses,
    )
    highlights, tree = scan.highlights, scan.tree
    if not highlights or tree is None:
        return Annotation()
    text = SourceText(source)
    found, skipped = _in_source(text, highlights, glossary)
    ids = {node.attributes.get("id") or "" for node in tree.css("[id]")}
    end = _end_of_text(text, tree, find_roots(tree, settings.root))
    annotation = _annotate(found, options, _free_prefix(ids), end, _HtmlMarkup())
    annotation.skipped = skipped
    return annotation


def annotate_markdown(source: str, glossary: Glossary, options: Options) -> Annotation:
    """The annotations of a Markdown document: in the prose of its paragraphs only (not in
    headings, code, HTML blocks, link texts or URLs). As for HTML, a document this annotated
    before is not annotated twice."""
    entries = re.escape(_entries_url(options.base_url))
    if re.search(rf"^\[\^[\w-]+\]: \*\*\[.*?\]\(<{entries}", source, re.MULTILINE):
        return Annotation()
    linked = re.findall(rf"\]\(<{entries}([a-z0-9-]+)/>", source)
    markdown = MarkdownIt("commonmark")
    tokens = markdown.parse(source)
    page, segments = _markdown_page(source, tokens)
    matcher = glossary_matcher(glossary, options.settings.categories)
    found: list[_Found] = []
    skipped = 0
    highlights = scan_page(
        page, matcher, options.settings, highlighted=linked, count=len(linked), placeable=_outside_addresses
    ).highlights
    for highlight in highlights:
        start = _markdown_source(segments, highlight.offset)
        end = None if start is None else start + len(highlight.text)
        term = glossary.term(highlight.match.slug)
        if (
            start is None
            or term is None
            or source[start:end] != highlight.text
            or (_MARKDOWN_SPECIAL_RE.search(highlight.text))
            # `!` before a link's `[` would make it an image.
            or (options.style == "links" and source[start - 1 : start] == "!")
        ):
            skipped += 1
            continue
        found.append(_Found(start, start + len(highlight.text), term))
    labels = set(re.findall(r"\[\^([^\]\s]+)\]", source))
    prefix = f"{ID_PREFIX}-" if any(label.isdigit() for label in labels) else ""
    annotation = _annotate(found, options, prefix, len(source), _MarkdownMarkup(source, tokens, markdown))
    annotation.skipped = skipped
    return annotation


def _in_source(text: SourceText, highlights: list[Highlight], glossary: Glossary) -> tuple[list[_Found], int]:
    """Where each highlight is in the source; the count of those that are not written there as
    they are (across a character reference or markup, or in text the parser moved)."""
    wanted = {highlight.node.mem_id for highlight in highlights}
    root = highlights[0].node
    while root.parent is not None:
        root = root.parent
    positions: dict[int, int] = {}
    cursor = 0
    for node in root.traverse(include_text=True):
        data = (node.text_content or "") if node.is_text_node else ""
        if not data.strip():
            continue
        position = text.find_node(data, cursor)
        if position == -1:
            continue
        if node.mem_id in wanted:
            positions[node.mem_id] = position
        cursor = position + len(data)
    found: list[_Found] = []
    skipped = 0
    for highlight in highlights:
        at = positions.get(highlight.node.mem_id)
        span = None if at is None else text.span(at + highlight.start, at + highlight.end)
        term = glossary.term(highlight.match.slug)
        if span is None or term is None:
            skipped += 1
            continue
        found.append(_Found(*span, term))
    return found, skipped


def _end_of_text(text: SourceText, tree: LexborHTMLParser, roots: list[LexborNode]) -> int:
    """Where the notes go: at the end of the last root the widget reads (the article: not after
    the site's footer and scripts), when its end tag is in the source; else at the end of the
    body, or of a fragment."""
    tag = roots[-1].tag if roots else None
    if tag and tag not in ("html", "body") and tree.root is not None:
        # By walking the tree, not by a selector: a tag name may not be one (`x:y`, `x.y`).
        index = [node.mem_id for node in tree.root.traverse() if node.tag == tag].index(roots[-1].mem_id)
        end = text.end_of_element(tag, index)
        if end is not None:
            return end
    end = text.end_of_body if text.end_of_body is not None else len(text.source)
    # Before what the source leaves open at its end (a `<textarea>`, `<!--` or tag of a cut-off
    # excerpt), which would swallow the notes.
    return end if text.open_from is None else min(end, text.open_from)


def _outside_addresses(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is outside every URL and e-mail address written out in `text`."""
    return not any(found.start() < end and start < found.end() for found in _ADDRESS_RE.finditer(text))


def _free_prefix(ids: set[str]) -> str:
    """An id prefix that no id of the document starts with."""
    prefix, number = ID_PREFIX, 1
    while any(id_.startswith((f"{prefix}-fn-", f"{prefix}-ref-")) for id_ in ids):
        number += 1
        prefix = f"{ID_PREFIX}{number}"
    return prefix


def _escaped(text: str) -> str:
    """Text as HTML in ASCII, other characters as references: right in a page or feed of any
    declared encoding (windows-1252 and ISO-8859-1 pages are UTF-8 when they are ASCII)."""
    return html.escape(text).encode("ascii", "xmlcharrefreplace").decode("ascii")


class _HtmlMarkup:
    """The markup the HTML styles add."""

    def link(self, term: Term, url: str) -> tuple[str, str]:
        definition = _escaped(card_text(term.sections["Definition"]))
        return f'<a href="{_escaped(url)}" title="{definition}">', "</a>"

    def reference(self, prefix: str, number: int, repeat: int) -> str:
        own = f' id="{prefix}-ref-{number}"' if repeat == 1 else ""
        return f'<sup><a href="#{prefix}-fn-{number}"{own}>{number}</a></sup>'

    def notes(self, prefix: str, notes: list[tuple[int, Term, str]]) -> str:
        items = "".join(
            f'<li id="{prefix}-fn-{number}"><p><a href="{_escaped(url)}"><strong>'
            f"{_escaped(term.title)}</strong></a>: "
            f"{_escaped(card_text(term.sections['Definition']))}</p>\n"
            f"<p><em>{MISUSE_LABEL}</em> {_escaped(card_text(term.sections['Misuse']))} "
            f'<a href="#{prefix}-ref-{number}" aria-label="Back to the text">&#8617;</a></p></li>\n'
            for number, term, url in notes
        )
        return f"\n<hr>\n<div>\n<h2>{GLOSSARY_HEADING}</h2>\n<ol>\n{items}</ol>\n</div>\n"


class _MarkdownMarkup:
    """The Markdown the styles add: links with titles, or footnote references and their
    definitions under a Glossary heading at the end."""

    def __init__(self, source: str, tokens: list[Token], markdown: MarkdownIt) -> None:
        self.source = source
        self.tokens = tokens  # as `markdown` parsed `source`, for `_closing`
        self.markdown = markdown

    def link(self, term: Term, url: str) -> tuple[str, str]:
        title = card_text(term.sections["Definition"]).replace("\\", "\\\\").replace('"', '\\"')
        return "[", f'](<{url}> "{" ".join(title.split())}")'

    def reference(self, prefix: str, number: int, repeat: int) -> str:
        return f"[^{prefix}{number}]"

    def notes(self, prefix: str, notes: list[tuple[int, Term, str]]) -> str:
        text = "".join(
            f"[^{prefix}{number}]: **[{_markdown_text(term.title)}](<{url}>)**: "
            f"{_markdown_text(card_text(term.sections['Definition']))} "
            f"*{MISUSE_LABEL}* {_markdown_text(card_text(term.sections['Misuse']))}\n\n"
            for number, term, url in notes
        )
        ending = "" if self.source.endswith("\n") or not self.source else "\n"
        # A block left open at the end runs to the end of the document: closed first, or the
        # Glossary would be code, a comment or raw HTML. (Found here, with the notes: it renders
        # the document, which links and a document without notes never need.)
        closing = _closing(self.source, self.tokens, self.markdown)
        ending += f"{closing}\n" if closing else ""
        return f"{ending}\n## {GLOSSARY_HEADING}\n\n{text.rstrip()}\n"


def _closing(source: str, tokens: list[Token], markdown: MarkdownIt) -> str:
    """What closes what the Markdown (`tokens` of `source`) leaves open at its end: a fenced code
    block's fence, an HTML block's end (`_HTML_BLOCK_ENDS`), or else what its HTML leaves open
    (a comment or a raw text element inside a quote, a list item or another HTML block), which
    in the page would swallow the notes; or ""."""
    return _open_block_end(source, tokens) or _open_html_end(markdown.renderer.render(tokens, markdown.options, {}))


def _open_block_end(source: str, tokens: list[Token]) -> str:
    """The end of the fenced code block or HTML block left open at the end of the Markdown."""
    last = next((token for token in reversed(tokens) if token.map), None)
    # Only at the top level: in a list item or a quote, the notes' first line ends the block.
    if last is None or last.level or not last.map:
        return ""
    lines = _LINE_RE.findall(source)
    if last.map[1] < len(lines):
        return ""  # closed before the end
    if last.type == "html_block":
        for start, end, closer in _HTML_BLOCK_ENDS:
            opened = re.match(f" {{0,3}}{start}", last.content, re.IGNORECASE | re.MULTILINE)
            if opened:
                return "" if re.search(end, last.content, re.IGNORECASE) else opened.expand(closer)
        return ""
    if last.type != "fence":
        return ""
    closing = lines[-1].strip() if len(lines) > last.map[0] + 1 else ""
    return "" if len(closing) >= len(last.markup) and set(closing) == {last.markup[0]} else last.markup


def _open_html_end(html: str) -> str:
    """A line of Markdown that closes the comment or raw text element that `html` (the document
    rendered) leaves open: raw HTML in the page, as a block of its own (`<!-- -->`) or a
    paragraph's inline HTML (`</textarea>`)."""
    start = SourceText(html).open_from
    if start is None:
        return ""
    if html.startswith("<!--", start):
        return "<!-- -->"
    # A tag cut off inside its attributes has no such line: left as it is.
    element = re.match(r"<([A-Za-z]+)[^>]*>", html[start:])
    name = element[1].lower() if element else ""
    return f"</{name}>" if name in RAW_TEXT + ESCAPABLE_RAW_TEXT else ""


def _annotate(
    found: list[_Found],
    options: Options,
    prefix: str,
    end: int,
    markup: _HtmlMarkup | _MarkdownMarkup,
) -> Annotation:
    """The insertions of a style for the highlights `found`; notes go at `end`."""
    annotation = Annotation()
    numbers: dict[str, int] = {}
    repeats: dict[str, int] = {}
    terms: list[Term] = []
    for place in found:
        url = entry_url(options.base_url, place.term.slug)
        if options.style == "links":
            opening, closing = markup.link(place.term, url)
            annotation.insertions += [(place.start, opening), (place.end, closing)]
        else:
            if place.term.slug not in numbers:
                numbers[place.term.slug] = len(numbers) + 1
                terms.append(place.term)
            repeats[place.term.slug] = repeats.get(place.term.slug, 0) + 1
            number = numbers[place.term.slug]
            annotation.insertions.append((place.end, markup.reference(prefix, number, repeats[place.term.slug])))
        if place.term.slug not in annotation.terms:
            annotation.terms.append(place.term.slug)
    if terms:
        notes = [(number, term, entry_url(options.base_url, term.slug)) for number, term in enumerate(terms, start=1)]
        annotation.insertions.append((end, markup.notes(prefix, notes)))
    return annotation


def _entries_url(base_url: str) -> str:
    """What the URL of every entry page starts with (`glossary/`, below the base URL)."""
    return entry_url(base_url, "").removesuffix("/")


def entry_url(base_url: str, slug: str) -> str:
    """The absolute URL of a term's entry page."""
    return f"{base_url.rstrip('/')}/{entry_path(slug)}"


def _markdown_text(text: str) -> str:
    """Plain text as Markdown that shows it as it is, on one line."""
    return _MARKDOWN_SPECIAL_RE.sub(r"\\\1", " ".join(text.split()))


@dataclass(frozen=True)
class _Segment:
    """Prose of the Markdown at `source`, which is at `offset` in the text of the page built
    from it (`_markdown_page`)."""

    offset: int
    source: int
    length: int


def _markdown_page(source: str, tokens: list[Token]) -> tuple[str, list[_Segment]]:
    """An HTML page of the Markdown's paragraphs, their prose as text and the rest of their
    inline markup in `code` (whose text counts as context but is never matched), and where
    each piece of prose is in the source."""
    # Lines as markdown-it counts them (its map): it reads \r\n, \r and \n as line breaks.
    lines = _LINE_RE.findall(source)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    page: list[str] = []
    segments: list[_Segment] = []
    offset = 0
    for previous, token in zip(tokens, tokens[1:], strict=False):
        if token.type != "inline" or previous.type != "paragraph_open" or not token.map:
            continue
        mapping = _content_mapping(token.content, lines, starts, token.map[0])
        page.append("<p>")
        for prose, start, end in _pieces(token.content):
            text = token.content[start:end]
            if prose:
                segments += _contiguous(mapping, start, end, offset)
                page.append(html.escape(text))
            else:
                page.append(f"<code>{html.escape(text)}</code>")
            offset += len(text)
        page.append("</p>")
    return f"<!doctype html><html><body>{''.join(page)}</body></html>", segments


def _pieces(content: str) -> Iterable[tuple[bool, int, int]]:
    """(is prose, start, end) for the consecutive pieces of a paragraph's inline content."""
    position = 0
    for found in _MARKDOWN_MARKUP_RE.finditer(content):
        if found.start() > position:
            yield True, position, found.start()
        yield False, found.start(), found.end()
        position = found.end()
    if position < len(content):
        yield True, position, len(content)


def _content_mapping(content: str, lines: list[str], starts: list[int], first: int) -> list[int]:
    """For each character of a paragraph's inline content, where it is in the source (-1 where
    markdown-it changed the line: such prose is left alone)."""
    mapping: list[int] = []
    for number, line in enumerate(content.split("\n")):
        index = first + number
        written = lines[index].rstrip("\r\n") if index < len(lines) else ""
        at = written.find(line) if line else len(written)
        if at == -1 or written[:at].strip(" \t>-+*.)0123456789"):
            mapping += [-1] * (len(line) + 1)
            continue
        mapping += [starts[index] + at + i for i in range(len(line))]
        mapping.append(-1)  # the line break, which markdown-it may have rewritten
    return mapping


def _contiguous(mapping: list[int], start: int, end: int, offset: int) -> list[_Segment]:
    """The runs of content[start:end] that are written as they are, one after the other, in
    the source; `offset` is where content[start] is in the page's text."""
    segments: list[_Segment] = []
    run: int | None = None
    for index in range(start, end + 1):
        written = index < end and mapping[index] != -1
        if written and run is not None and mapping[index] == mapping[run] + index - run:
            continue
        if run is not None:
            segments.append(_Segment(offset + run - start, mapping[run], index - run))
        run = index if written else None
    return segments


def _markdown_source(segments: list[_Segment], offset: int) -> int | None:
    """Where the page's text at `offset` is in the Markdown, if it is in one piece of prose."""
    index = bisect.bisect_right([segment.offset for segment in segments], offset) - 1
    if index < 0 or offset >= segments[index].offset + segments[index].length:
        return None
    return segments[index].source + offset - segments[index].offset
