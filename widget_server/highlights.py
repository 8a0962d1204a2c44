"""What the widget highlights on a page, computed in Python (the widget's highlighter.js and
config.js): the roots, the areas to skip, first or all occurrences, the maximum, and the blocks
in which a name that needs context looks for its context words.

HTML is parsed by selectolax's Lexbor backend: a real HTML5 parser (the tree is the one a
browser builds, which offsets into the page's text depend on) with a CSS Selectors Level 4
engine, which the widget's own selectors need (`:not()` with a list, attribute selectors) as do
a site's `data-root` and `data-exclude`; and it is a compiled parser, fast enough to scan an
archive of pages. (html5lib has no selectors; BeautifulSoup with soupsieve would need both and
runs many times slower.) Matches come back with their text node and offsets in it, so that a
later step can wrap them server-side as the widget does in the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from widget_server.matcher import Match, Matcher, Near, Refusal

# As in widget_js/config.js; the test vectors pin both copies.
DEFAULT_ROOTS = ("main article", "main", "[role=main]", "article", "body")
# Areas to skip, but read for the context of the block after them (`block_before`).
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BULKY = "script,style,noscript,template,svg,math,iframe,select,textarea,pre,code,nav"
SKIP_SELECTOR = ",".join(
    [
        BULKY,
        *HEADINGS,
        "a,button,input,option,label,summary,kbd,samp",
        "glossary-term",
        "[contenteditable]:not([contenteditable=false]),[hidden],[aria-hidden=true]",
        "[role=button],[role=link],[role=menuitem],[role=tab],[data-glossary-skip]",
        ".glossary-widget",
    ]
)
# Phrasing (inline) elements: the block of a text is its nearest ancestor that is none of these
# (`BLOCK` in highlighter.js). Those whose text is never highlighted (a, code, kbd, samp) need not
# be listed: the block of a text inside them makes no difference.
PHRASING = frozenset(
    [
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)


@dataclass(frozen=True)
class Settings:
    """The script tag's settings (docs/site-owners.md, "Settings"); None means the widget's default."""

    categories: tuple[str, ...] | None = None
    occurrences: str = "first"
    max: int = 100
    root: str | None = None
    exclude: str | None = None


DEFAULT_SETTINGS = Settings()


@dataclass(frozen=True)
class Highlight:
    """A match the widget would wrap: in `node`'s text at [start, end); `offset` is where it
    starts in the text of the page's body."""

    node: LexborNode = field(compare=False, repr=False)
    start: int
    end: int
    offset: int
    text: str
    match: Match


@dataclass(frozen=True)
class Refused:
    """A match refused by its context rules, where it would have been."""

    node: LexborNode = field(compare=False, repr=False)
    offset: int
    text: str
    refusal: Refusal


@dataclass
class PageScan:
    """Every highlight of a page, in document order, and the matches context rules refused."""

    highlights: list[Highlight] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    # The page as parsed for the scan, whose nodes the highlights are: for a caller that reads
    # more of it (annotate), so that it is parsed once.
    tree: LexborHTMLParser | None = field(default=None, compare=False, repr=False)


def parse(html: str) -> LexborHTMLParser:
    """The tree a browser that runs scripts builds (the widget's): `noscript` holds one text
    node, its markup as text, which counts in the page's text and offsets."""
    return LexborHTMLParser(html, scripting=True)


def scan_page(
    html: str,
    matcher: Matcher,
    settings: Settings = DEFAULT_SETTINGS,
    *,
    highlighted: Iterable[str] = (),
    count: int = 0,
    placeable: Callable[[str, int, int], bool] | None = None,
) -> PageScan:
    """The highlights the widget makes on `html` with `settings` (its categories are those of
    `matcher`), in document order.

    As the widget counts the highlights a page already holds, `highlighted` are the terms the
    page has highlighted already and `count` how many highlights it has (for `first` and `max`).
    A match that `placeable(text, start, end)` refuses is passed over before it is counted: a
    place where an annotation cannot go (inside a URL written out) leaves the term's first
    occurrence to the next one."""
    tree = parse(html)
    body = tree.body
    if body is None:
        return PageScan()
    offsets = _text_offsets(body)
    skip = f"{SKIP_SELECTOR},{settings.exclude}" if settings.exclude else SKIP_SELECTOR
    # The elements to skip, found once: selectolax's `css_matches` also looks at descendants.
    skipped = {element.mem_id for element in tree.css(skip)}
    result = PageScan(tree=tree)
    highlighted = set(highlighted)
    blocks: dict[int, tuple[str, dict[int, list[Match]]]] = {}  # per block: text, near matches
    for root in find_roots(tree, settings.root):
        if count + len(result.highlights) >= settings.max:
            break
        if _inside(root, skipped):
            continue
        for node in _text_nodes(root, skip_inside=BULKY):
            text = node.text_content or ""
            refused: list[Refusal] = []
            near = _near_in_block(node, text, blocks, root, skipped)
            matches = matcher.match(text, near, refused)
            dropped = _inside(node.parent, skipped)
            if not dropped:
                result.refused += [
                    Refused(node, offsets[node.mem_id] + r.start, text[r.start : r.end], r) for r in refused
                ]
            for match in matches:
                if count + len(result.highlights) >= settings.max:
                    break
                if settings.occurrences == "first" and match.slug in highlighted:
                    continue
                if dropped or (placeable and not placeable(text, match.start, match.end)):
                    continue
                highlighted.add(match.slug)
                result.highlights.append(
                    Highlight(
                        node,
                        match.start,
                        match.end,
                        offsets[node.mem_id] + match.start,
                        text[match.start : match.end],
                        match,
                    )
                )
    return result


def find_roots(tree: LexborHTMLParser, selector: str | None) -> list[LexborNode]:
    """The containers to scan: `data-root`'s, outermost only, else the first default root."""
    if not selector:
        for default in DEFAULT_ROOTS:
            if (found := tree.css_first(default)) is not None:
                return [found]
        return []
    roots: list[LexborNode] = []
    for root in tree.css(selector):
        if not (roots and _contains(roots[-1], root)):
            roots.append(root)
    return roots


def _inside(node: LexborNode | None, elements: set[int]) -> bool:
    """Whether `node` or an ancestor is one of `elements` (by `mem_id`): `Element.closest`."""
    while node is not None:
        if node.mem_id in elements:
            return True
        node = node.parent
    return False


def block_of(node: LexborNode) -> LexborNode:
    """The nearest ancestor of a text node that is not a phrasing element (docs/editors.md,
    "Context rules"): the paragraph, list item, cell or quote whose text gives the context."""
    element = node.parent
    while element is not None and element.tag in PHRASING and element.parent is not None:
        element = element.parent
    return element if element is not None else node


def _near_in_block(
    node: LexborNode,
    text: str,
    blocks: dict[int, tuple[str, dict[int, list[Match]]]],
    root: LexborNode,
    skipped: set[int],
) -> Near:
    """The `near` of `Matcher.match` for the text of `node`: a context word counts when the
    block, read after the block before it (`block_before`), holds more of the term's context
    words than the matched text itself does. The text and its context words are looked up once
    per block and term's words."""

    def near(start: int, end: int, words: Matcher) -> str:
        block = block_of(node)
        if block.mem_id not in blocks:
            before = block_before(block, root, skipped)
            context = "" if before is None else _text_content(before) + " "
            blocks[block.mem_id] = (context + _text_content(block), {})
        block_text, found = blocks[block.mem_id]
        if id(words) not in found:
            found[id(words)] = words.match(block_text)
        in_block = found[id(words)]
        if len(in_block) > len(words.match(text[start:end])):
            return block_text[in_block[0].start : in_block[0].end]
        return ""

    return near


def block_before(block: LexborNode, root: LexborNode, skipped: set[int]) -> LexborNode | None:
    """The element before a block, whose text a name of the block reads for context too (a
    quote, a list item or a one-line paragraph takes its sense from the paragraph before it,
    the first block of a section from its heading): its previous element, or for the first of a
    list or a quote, that of its parent; none if that is outside the root or an area to skip
    other than a heading."""
    before = _previous_element(block)
    if before is None and block.parent is not None:
        before = _previous_element(block.parent)
    if before is None or not _contains(root, before):
        return None
    if before.mem_id in skipped and before.tag not in HEADINGS:
        return None
    return before


def _previous_element(node: LexborNode) -> LexborNode | None:
    sibling = node.prev
    while sibling is not None and not sibling.is_element_node:
        sibling = sibling.prev
    return sibling


def _text_nodes(root: LexborNode, skip_inside: str) -> Iterator[LexborNode]:
    """The text nodes of `root` in document order, but for those inside the areas the widget
    steps over without matching (BULKY); a `template`'s content is not in the tree."""
    bulky = {
        inner.mem_id
        for area in root.css(skip_inside)
        for inner in area.traverse(include_text=True)
        if inner.is_text_node
    }
    for node in root.traverse(include_text=True):
        if node.is_text_node and node.mem_id not in bulky:
            yield node


def _text_offsets(body: LexborNode) -> dict[int, int]:
    """Where each text node of the body starts in the body's text (`textContent`)."""
    offsets: dict[int, int] = {}
    position = 0
    for node in body.traverse(include_text=True):
        if node.is_text_node:
            offsets[node.mem_id] = position
            position += len(node.text_content or "")
    return offsets


def _text_content(element: LexborNode) -> str:
    return "".join(node.text_content or "" for node in element.traverse(include_text=True) if node.is_text_node)


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    node: LexborNode | None = inner
    while node is not None:
        if node.mem_id == outer.mem_id:
            return True
        node = node.parent
    return False
