"""The widget on real article pages nobody here wrote (../shared/realworld-pages/, see its
README): data-root="body", all categories, every occurrence. For each page: no page errors, the
body's text unchanged, no highlight in a skipped area, every highlight a name of its term, and
the same highlights as the Python matcher (widget_server/highlights.py) gives on the same page.

The pages are read from the shared folder, not copied, and served from the glossary server's
origin through routing, so that /widget.js and the API are the real ones; every other request
is aborted. Only the widget's code runs: a Content-Security-Policy of script-src 'self' blocks
the pages' inline scripts and event handlers (onload=, onerror= on images that fail to load),
and their script elements are removed when the DOM is parsed, before the widget changes
anything. (They are removed in the browser rather than cut out of the HTML with a regular
expression: several pages have script tags inside conditional comments, one with a mistyped
end tag, which a regular expression cannot tell from real ones.) The widget's tag is appended
to the document, where the HTML parser puts it at the end of the body.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import GLOSSARY_DATA, REALWORLD_PAGES, LiveServer
from playwright.sync_api import Browser, BrowserContext, Route

from tests.support.widget import ISSUE_SKIP_SELECTOR, RECORD_PAGE, Console, wait_ready, widget_tag
from widget_server.content import load_glossary
from widget_server.highlights import PageScan, Settings, parse, scan_page
from widget_server.matcher import glossary_matcher

# Without the shared pages (a checkout outside this workplace) the test says so, by name, rather
# than pytest's "empty parameter set".
PAGE_FILES = sorted(REALWORLD_PAGES.glob("*.html"))
PAGE_PARAMS = [pytest.param(path, id=path.stem) for path in PAGE_FILES] or [
    pytest.param(
        REALWORLD_PAGES,
        id="missing",
        marks=pytest.mark.skip(reason=f"no real-world pages in {REALWORLD_PAGES}; set GLOSSARY_REALWORLD_PAGES"),
    )
]
TAG = widget_tag(root="body", occurrences="all")
# Runs before RECORD_PAGE's own DOMContentLoaded listener, so the recorded text has no scripts.
REMOVE_PAGE_SCRIPTS = """document.addEventListener("DOMContentLoaded", () => {
  for (const script of document.querySelectorAll("script")) {
    if (!script.src.endsWith("/widget.js")) script.remove();
  }
})"""

# Per highlight: its term, its text, whether a skipped area holds it, and the characters just
# before and after it in the surrounding text (to check that it is a whole word).
HIGHLIGHTS_JS = f"""() => {{
  const skip = {json.dumps(ISSUE_SKIP_SELECTOR)};
  const outer = (node, forward) => {{
    const sibling = forward ? node.nextSibling : node.previousSibling;
    if (!sibling || sibling.nodeType !== Node.TEXT_NODE) return "";
    return forward ? sibling.data.slice(0, 2) : sibling.data.slice(-2);
  }};
  return [...document.querySelectorAll("[data-glossary-term]")].map((el) => ({{
    slug: el.dataset.glossaryTerm,
    text: el.textContent,
    tag: el.localName,
    onlyText: el.childNodes.length === 1 && el.firstChild.nodeType === Node.TEXT_NODE,
    skipped: el.parentElement.closest(skip) ? el.parentElement.closest(skip).localName : null,
    before: outer(el, false),
    after: outer(el, true),
  }}));
}}"""

# The text the widget should have scanned and left alone: every text node of the body outside
# skipped areas and outside highlights.
LEFTOVER_JS = f"""() => {{
  const skip = {json.dumps(ISSUE_SKIP_SELECTOR)};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node; (node = walker.nextNode()); ) {{
    if (!node.parentElement.closest(skip) && /\\S/.test(node.data)) texts.push(node.data);
  }}
  return texts;
}}"""

WORD_CHAR = re.compile(r"[^\W]|_", re.UNICODE)  # letters, digits and _ ...
MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # and marks


def is_word_char(char: str) -> bool:
    return bool(WORD_CHAR.match(char) or MARKS.match(char))


def prepared(path: Path) -> str:
    """The page with the widget's tag added as a site owner would add it."""
    return path.read_text(encoding="utf-8", errors="replace") + TAG


# ---- the names a term may be highlighted as, under the rules of issue 3 ----------------------


def plural(word: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def fold(text: str) -> str:
    """Any run of white space is a space; typographic apostrophes and hyphens are plain."""
    text = re.sub(r"\s+", " ", text)
    return text.translate(str.maketrans({"\u2018": "'", "\u2019": "'", "\u2010": "-", "\u2011": "-"}))


def is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def names_of(term: dict) -> list[tuple[str, bool]]:
    """(name, exact) for the title and each alias; exact names match only as written."""
    return [(fold(name), term["case_sensitive"] or is_acronym(name)) for name in [term["title"], *term["aliases"]]]


def is_name_of(text: str, names: list[tuple[str, bool]]) -> bool:
    text = fold(text)
    for name, exact in names:
        if exact:
            if text == name:
                return True
            continue
        last = re.search(r"\w+$", name)
        forms = {name.lower()}
        if last:
            forms.add(name[: last.start()].lower() + plural(last.group().lower()))
        if text.lower() in forms:
            return True
    return False


def name_pattern(name: str, exact: bool) -> str:
    """A regular expression for `name` under the rules, for finding names the widget missed.
    Leading and trailing punctuation is not part of the match, as in the widget."""
    name = re.sub(r"^\W+|\W+$", "", name)
    variants = {" ": r"\s+", "'": "['\u2018\u2019]", "-": "[-\u2010\u2011]"}
    last = re.search(r"\w+$", name)
    assert last, name
    head = "".join(variants.get(c, r"\s+" if c.isspace() else re.escape(c)) for c in name[: last.start()])
    word = last.group()
    tail = word if exact else f"(?:{re.escape(plural(word.lower()))}|{re.escape(word)})"
    pattern = head + tail
    return pattern if exact else f"(?i:{pattern})"


def missed_names(texts: list[str], terms: dict[str, list[tuple[str, bool]]]) -> list[str]:
    names = [(re.sub(r"^\W+", "", n), exact) for names in terms.values() for n, exact in names]
    patterns = sorted({name_pattern(n, exact) for n, exact in names}, key=len, reverse=True)
    edge = r"\w\u0300-\u036f"
    finder = re.compile(f"(?<![{edge}])(?:{'|'.join(patterns)})(?![{edge}])")
    # The long expression only runs on texts that hold the first word of some name.
    first_words = {re.match(r"\w+", n).group().lower() for n, _ in names}  # type: ignore[union-attr]
    first_words |= {plural(word) for word in first_words}
    return [
        match.group()
        for text in texts
        if not first_words.isdisjoint(re.findall(r"\w+", text.lower()))
        for match in finder.finditer(text)
    ]


def test_the_name_rules_of_this_file() -> None:
    """The checker itself, on names whose answers are known."""
    hsa = names_of({"title": "Health Savings Account", "aliases": ["HSA"], "case_sensitive": False})
    aca = names_of({"title": "ACA", "aliases": ["Affordable Care Act"], "case_sensitive": True})
    assert is_name_of("health\u00a0savings\n accounts", hsa)
    assert is_name_of("HSA", hsa) and not is_name_of("hsa", hsa)
    assert not is_name_of("health savings", hsa)
    assert is_name_of("Affordable Care Act", aca) and not is_name_of("affordable care act", aca)
    assert not is_name_of("ACAs", aca)
    policy = names_of({"title": "Policy", "aliases": [], "case_sensitive": False})
    assert is_name_of("POLICIES", policy) and not is_name_of("policys", policy)
    workers = names_of({"title": "Workers' Compensation", "aliases": [], "case_sensitive": False})
    assert is_name_of("workers\u2019 compensation", workers)
    terms = {"hsa": hsa, "aca": aca, "policy": policy}
    assert missed_names(["An hsa, HSAs, ACAD, the aca, HSA_1 and mypolicy."], terms) == []
    assert missed_names(["Two Health\nSavings accounts, the ACA, policies."], terms) == [
        "Health\nSavings accounts",
        "ACA",
        "policies",
    ]


# ---- the pages -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def python_scan() -> Callable[[Path], PageScan]:
    """What the Python matcher gives on a page, with the page's scripts removed as in the
    browser (a context word in an inline script would count)."""
    matcher = glossary_matcher(load_glossary(GLOSSARY_DATA))
    settings = Settings(root="body", occurrences="all")

    def scan(path: Path) -> PageScan:
        tree = parse(prepared(path))
        for script in tree.css("script"):
            script.decompose()
        return scan_page(tree.html or "", matcher, settings)

    return scan


@pytest.fixture(scope="module")
def terms(glossary_server: LiveServer) -> dict[str, list[tuple[str, bool]]]:
    with urllib.request.urlopen(f"{glossary_server.url}/api/v1/terms.json") as response:
        document = json.load(response)
    return {term["slug"]: names_of(term) for term in document["terms"]}


@pytest.fixture(scope="module")
def context(browser: Browser, glossary_server: LiveServer) -> Iterator[BrowserContext]:
    """One context for all pages: pages are fulfilled from `served`; only the glossary server
    is reachable."""
    served: dict[str, str] = {}
    origin = glossary_server.url + "/"

    def route(route: Route) -> None:
        url = route.request.url
        if url in served:
            route.fulfill(
                status=200,
                body=served[url],
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Content-Security-Policy": "script-src 'self'",
                },
            )
        elif url.startswith(origin) and ("/api/" in url or url.endswith("/widget.js")):
            route.fallback()
        else:
            route.abort()

    context = browser.new_context()
    context.served = served  # type: ignore[attr-defined]
    context.route("**/*", route)
    yield context
    context.close()


@pytest.mark.parametrize("path", PAGE_PARAMS)
def test_realworld_page(
    context: BrowserContext,
    glossary_server: LiveServer,
    terms: dict,
    path: Path,
    python_scan: Callable[[Path], PageScan],
) -> None:
    url = f"{glossary_server.url}/realworld/{path.name}"
    context.served[url] = prepared(path)  # type: ignore[attr-defined]
    page = context.new_page()
    try:
        console = Console.attach(page)
        page.add_init_script(REMOVE_PAGE_SCRIPTS)
        page.add_init_script(RECORD_PAGE)
        page.goto(url, wait_until="domcontentloaded")
        detail = wait_ready(page)
        rows = page.evaluate(HIGHLIGHTS_JS)
        before = page.evaluate("[window.__before.bodyText, window.__before.highlights]")
        body_text = page.evaluate("document.body.textContent")
        scripts = page.evaluate("[...document.scripts].map((s) => s.src)")
        leftover = page.evaluate(LEFTOVER_JS)
    finally:
        page.close()

    assert console.page_errors == []
    assert scripts == [f"{glossary_server.url}/widget.js"]
    assert before[1] == 0  # the text below was recorded before the widget changed anything
    assert body_text == before[0]
    assert detail["highlights"] == len(rows) <= 100
    scan = python_scan(path)
    assert [(row["slug"], row["text"]) for row in rows] == [(h.match.slug, h.text) for h in scan.highlights]
    assert [row for row in rows if row["skipped"]] == []
    assert [row for row in rows if row["tag"] != "glossary-term" or not row["onlyText"]] == []
    wrong = [(row["slug"], row["text"]) for row in rows if not is_name_of(row["text"], terms[row["slug"]])]
    assert wrong == []
    glued = [
        row
        for row in rows
        if (row["before"] and is_word_char(row["before"][-1])) or (row["after"] and is_word_char(row["after"][0]))
    ]
    assert glued == []
    if len(rows) < 100:  # below data-max, every name outside skipped areas is highlighted,
        # but for those that a term's context rules refuse there (the Python matcher says which)
        refused = Counter(refusal.text for refusal in scan.refused)
        assert Counter(missed_names(leftover, terms)) - refused == Counter()
