"""`glossary-widget new`: a term file to start from, whose placeholder sentences `check` refuses."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from widget_server.content import load_glossary, term_paths
from widget_server.model import SLUG_RE, Glossary, GlossaryInvalid, Term, report_to, slugify
from widget_server.names import name_problem
from widget_server.placeholders import PLACEHOLDERS
from widget_server.termfile import load_terms
from widget_server.termwriter import front_matter
from widget_server.yamlsource import read_folder

TEMPLATE = f"""\
---
{{front_matter}}---
## Definition

{PLACEHOLDERS["Definition"]}

## Examples

- {PLACEHOLDERS["Examples"]}

## Misuse

{PLACEHOLDERS["Misuse"]}

## Conclusion

{PLACEHOLDERS["Conclusion"]}
"""


# CommonMark lets a backslash escape any ASCII punctuation character, which is then only text:
# escaped, a title starts no link, image, autolink, emphasis, code span, entity or HTML.
_MARKDOWN_PUNCTUATION_RE = re.compile(r"([!-/:-@\[-`{-~])")


class ScaffoldError(Exception):
    pass


def markdown_text(text: str) -> str:
    """`text` as Markdown that reads as that text: its ASCII punctuation escaped and its white
    space (line breaks included) one space, so that it stays in its sentence, inside one line."""
    return _MARKDOWN_PUNCTUATION_RE.sub(r"\\\1", " ".join(text.split()))


def new_term(data_dir: Path, title: str, categories: list[str], today: datetime.date) -> Path:
    """Write `terms/<slug>.md` for `title`; never overwrites an existing term."""
    title = title.strip()  # as `check` reads it
    slug = slugify(title)
    if not SLUG_RE.match(slug):
        raise ScaffoldError(f"cannot make a slug from {title!r}")
    path = data_dir / "terms" / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path} already exists")
    problem = name_problem(title)
    if problem:
        raise ScaffoldError(f"title {title!r} {problem}")
    owner = _term_named(data_dir, title)
    if owner is not None:
        raise ScaffoldError(f"{title!r} matches the same text as a name of term {owner.slug!r} (terms/{owner.slug}.md)")
    fields = {"title": title, "categories": categories, "aliases": [], "related": [], "updated": today}
    path.parent.mkdir(parents=True, exist_ok=True)
    text = TEMPLATE.format(front_matter=front_matter(fields), title=markdown_text(title))
    path.write_text(text, encoding="utf-8")
    return path


def _term_named(data_dir: Path, name: str) -> Term | None:
    """The term that already has `name`. An editor often starts several entries before filling
    them in, so a glossary that `check` refuses (for its unfinished files, say) is still read:
    the term files that load are the ones compared, rather than none."""
    try:
        return load_glossary(data_dir).term_named(name)
    except GlossaryInvalid:
        terms_dir = data_dir / "terms"
        # A terms/ that cannot be read is among the errors just raised: here, it has no terms.
        paths = term_paths(read_folder(terms_dir, report_to([], terms_dir)))
        loaded, _ = load_terms(paths, None, {path.stem for path in paths})
        return Glossary(categories=(), terms=tuple(term for term, _ in loaded)).term_named(name)
