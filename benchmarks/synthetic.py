"""Deterministic synthetic glossaries and articles for the benchmarks (seeded, no network).

The glossary is written in the real `glossary_data` format, so it goes through the same
loader, validator, API and build as the bundled one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

CATEGORIES = ("insurance", "finance", "healthcare", "employment-law", "privacy")
SYLLABLES = (
    "al ber con dis en for gar hem in jor kel lum mar nor or pel quin ras sol tor un ver wil "
    "xan yor zel bra cle dro fen gri hol"
).split()
FILLER = (
    "the a of and to in is that for on with as by this from at it be are was or an which "
    "people said would their about more when other could after than them only also new first "
    "money work health plan bill company report state time year month price customer service"
).split()


@dataclass(frozen=True)
class SyntheticTerm:
    slug: str
    names: tuple[str, ...]  # title first
    case_sensitive: bool
    category: str


def _word(rng: random.Random) -> str:
    # Realistic lengths: two to four syllables, four to eleven letters.
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def synthetic_terms(count: int, seed: int = 7) -> list[SyntheticTerm]:
    """`count` terms of one to four words; a fifth have an alias, one in 25 is an acronym."""
    rng = random.Random(seed)
    terms: list[SyntheticTerm] = []
    seen: set[str] = set()
    while len(terms) < count:
        index = len(terms)
        if index % 25 == 0:
            title = "".join(rng.choice("ABCDEFGHKLMNPRSTVW") for _ in range(rng.randint(3, 5)))
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
        related = terms[(i + 1) % len(terms)].slug
        aliases = ", ".join(f'"{alias}"' for alias in term.names[1:])
        (root / "terms" / f"{term.slug}.md").write_text(
            f'---\ntitle: "{term.names[0]}"\ncategories: [{term.category}]\naliases: [{aliases}]\n'
            f"case_sensitive: {'true' if term.case_sensitive else 'false'}\nrelated: [{related}]\n"
            f"updated: 2026-01-01\n---\n## Definition\n\nA synthetic definition of {term.names[0]}, "
            "long enough to look like a real one. It has a second sentence for the card cut.\n\n"
            f"## Misuse\n\nA synthetic warning about {term.names[0]}. Readers should watch for it.\n"
        )
    return root


def article_html(terms: list[SyntheticTerm], words: int, seed: int = 11, density: float = 0.03) -> str:
    """An article body of about `words` words in paragraphs, lists, links, headings and inline
    markup, where about `density` of the words belong to glossary terms."""
    rng = random.Random(seed)
    blocks: list[str] = []
    written = 0
    while written < words:
        kind = rng.random()
        sentence_words: list[str] = []
        target = rng.randint(40, 120)
        while len(sentence_words) < target:
            if rng.random() < density / 1.8:
                term = rng.choice(terms)
                name = rng.choice(term.names)
                sentence_words.append(name if term.case_sensitive else name.lower())
            else:
                word = rng.choice(FILLER)
                roll = rng.random()
                if roll < 0.02:
                    word = f'<a href="#w{written}">{word}</a>'
                elif roll < 0.05:
                    word = f"<em>{word}</em>"
                elif roll < 0.06:
                    word = f"<strong>{word}</strong>"
                sentence_words.append(word)
        text = " ".join(sentence_words)
        written += target
        if kind < 0.08:
            blocks.append(f"<h2>{' '.join(rng.choice(FILLER) for _ in range(5))}</h2>")
        if kind < 0.15:
            items = text.split(" and ")
            blocks.append("<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>")
        else:
            blocks.append(f"<p>{text}.</p>")
    return "\n".join(blocks)
