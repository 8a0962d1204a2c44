"""Deterministic synthetic glossaries and articles for the benchmarks (seeded, no network).

The glossary is written in the real `glossary_data` format, so it goes through the same
loader, validator, API and build as the bundled one. The same seed gives the same terms, and
`synthetic_terms(500)` is a prefix of `synthetic_terms(2000)`, so the scaling runs compare
glossaries that only differ by the terms added.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("insurance", "finance", "healthcare", "employment-law", "privacy")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


SYLLABLES = _words(
    "al ber con dis en for gar hem in jor kel lum mar nor or pel quin ras sol tor un ver wil "
    "xan yor zel bra cle dro fen gri hol"
)
FILLER = _words(
    "the a of and to in is that for on with as by this from at it be are was or an which "
    "people said would their about more when other could after than them only also new first "
    "money work health plan bill company report state time year month price customer service"
)
ACRONYM_LETTERS = "ABCDEFGHKLMNPRSTVW"
# An article is about a topic: most of its glossary words come from a few dozen terms, so
# terms recur (which is what makes `data-occurrences=first` and `all` differ), and the rest
# come from anywhere in the glossary.
TOPIC_TERMS = 50
TOPIC_SHARE = 0.8
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Mix:
    """How much of an article is glossary words, and which: `density` of its words belong to
    terms, TOPIC_SHARE of those from a topic of `topic` terms and the rest from anywhere, and
    only names of at most `name_words` words are written (terms without one are left out)."""

    density: float = 0.03
    topic: int = TOPIC_TERMS
    name_words: int = 4


# Today's headline article: about 3% of its words are glossary words, from a topic of 50 terms.
SPARSE = Mix()
# The dense article (issue 23): about 13% of its words inside ~1,350 highlights, so
# about one word each, and hundreds of distinct terms (`first` made ~664 highlights there).
DENSE = Mix(density=0.135, topic=500, name_words=1)


@dataclass(frozen=True)
class SyntheticTerm:
    slug: str
    names: tuple[str, ...]  # title first
    case_sensitive: bool
    category: str

    def written(self, name: str) -> str:
        """How an article writes `name`: acronyms in capitals, everything else in lower case."""
        return name if self.case_sensitive else name.lower()


def _word(rng: random.Random) -> str:
    # Realistic lengths for glossary words: two to four syllables, four to twelve letters.
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_terms(count: int, seed: int = 7) -> list[SyntheticTerm]:
    """`count` terms of one to four words; a fifth have an alias, one in 25 is an acronym."""
    rng = random.Random(seed)
    terms: list[SyntheticTerm] = []
    seen: set[str] = set()
    while len(terms) < count:
        index = len(terms)
        if index % 25 == 0:
            title = "".join(rng.choice(ACRONYM_LETTERS) for _ in range(rng.randint(3, 5)))
            case_sensitive = True
        else:
            title = " ".join(_word(rng) for _ in range(rng.choice((1, 2, 2, 3, 4))))
            case_sensitive = False
        names = [title]
        if index % 5 == 1:
            names.append(" ".join(_word(rng) for _ in range(rng.randint(1, 2))))
        if any(name.casefold() in seen for name in names):
            continue
        seen.update(name.casefold() for name in names)
        slug = f"term-{index:05d}"
        terms.append(SyntheticTerm(slug, tuple(names), case_sensitive, CATEGORIES[index % 5]))
    return terms


def write_glossary(root: Path, terms: list[SyntheticTerm]) -> Path:
    """Write `terms` as a glossary folder under `root`; returns the folder."""
    (root / "terms").mkdir(parents=True, exist_ok=True)
    (root / "categories.yml").write_text(
        "".join(f"- slug: {c}\n  label: {c.title()}\n  description: Synthetic {c} terms.\n" for c in CATEGORIES)
    )
    for i, term in enumerate(terms):
        (root / "terms" / f"{term.slug}.md").write_text(_term_file(term, terms[(i + 1) % len(terms)]))
    return root


def _term_file(term: SyntheticTerm, related: SyntheticTerm) -> str:
    title = term.names[0]
    aliases = ", ".join(f'"{alias}"' for alias in term.names[1:])
    related_line = f"related: [{related.slug}]\n" if related.slug != term.slug else ""
    return (
        f'---\ntitle: "{title}"\ncategories: [{term.category}]\naliases: [{aliases}]\n'
        f"case_sensitive: {'true' if term.case_sensitive else 'false'}\n{related_line}"
        f"updated: 2026-01-01\n---\n## Definition\n\nA synthetic definition of {title}, "
        "long enough to look like a real one. It has a second sentence for the card cut.\n\n"
        f"## Misuse\n\nA synthetic warning about {title}. Readers should watch for it.\n"
    )


class _ArticleWriter:
    """Builds sentences word by word, keeping the share of glossary words close to `density`."""

    def __init__(self, terms: list[SyntheticTerm], rng: random.Random, mix: Mix) -> None:
        self.names = {
            term: names
            for term in terms
            if (names := tuple(name for name in term.names if len(name.split()) <= mix.name_words))
        }
        self.terms = list(self.names)
        self.topic = rng.sample(self.terms, min(mix.topic, len(self.terms)))
        self.rng = rng
        self.density = mix.density
        self.words = 0
        self.term_words = 0

    def _term(self) -> str:
        pool = self.topic if self.rng.random() < TOPIC_SHARE else self.terms
        term = self.rng.choice(pool)
        text = term.written(self.rng.choice(self.names[term]))
        count = len(text.split())
        self.words += count
        self.term_words += count
        roll = self.rng.random()
        if roll < 0.05:
            return f"<em>{text}</em>"
        if roll < 0.08:
            return f"<strong>{text}</strong>"
        return text

    def _filler(self, link_id: int) -> str:
        word = self.rng.choice(FILLER)
        self.words += 1
        roll = self.rng.random()
        if roll < 0.02:
            return f'<a href="#w{link_id}">{word}</a>'
        if roll < 0.05:
            return f"<em>{word}</em>"
        if roll < 0.06:
            return f"<strong>{word}</strong>"
        return word

    def sentence(self, length: int) -> str:
        parts: list[str] = []
        for _ in range(length):
            owed = self.term_words < self.density * (self.words + 1)
            if owed and self.rng.random() < 0.5:
                parts.append(self._term())
            else:
                parts.append(self._filler(self.words))
        if parts[0] in FILLER:
            parts[0] = parts[0].capitalize()
        return " ".join(parts) + "."

    def heading(self, length: int) -> str:
        """Headings hold filler only: every method compared must find the same hits."""
        self.words += length
        return " ".join(self.rng.choice(FILLER) for _ in range(length)).capitalize()


def article_html(terms: list[SyntheticTerm], words: int, seed: int = 11, mix: Mix = SPARSE) -> str:
    """An article body of about `words` words in headings, paragraphs and lists, with links and
    inline markup, where glossary words are mixed in as `mix` says.

    Glossary words never fall inside links or headings, which the widget skips, so that the
    widget, the floor and mark.js all have the same occurrences to wrap.
    """
    rng = random.Random(seed)
    writer = _ArticleWriter(terms, rng, mix)
    blocks: list[str] = []
    while writer.words < words:
        kind = rng.random()
        if kind < 0.06:
            blocks.append(f"<h2>{writer.heading(rng.randint(3, 7))}</h2>")
        elif kind < 0.16:
            items = "".join(f"<li>{writer.sentence(rng.randint(6, 16))}</li>" for _ in range(rng.randint(3, 6)))
            blocks.append(f"<ul>{items}</ul>")
        else:
            sentences = (writer.sentence(rng.randint(8, 26)) for _ in range(rng.randint(2, 5)))
            blocks.append(f"<p>{' '.join(sentences)}</p>")
    return "\n".join(blocks)


def count_words(html: str) -> int:
    """Words in `html` as a reader counts them (tags removed, split on white space)."""
    return len(TAG.sub(" ", html).split())
