"""The widget's matcher in Python: the same highlights as `widget_js/matcher.js` on the same text.

It is built from the same index entries as the files the widget downloads (`api.index_entries`,
merged the way the widget merges its files), and reads each name with `api.index_name`, as those
files are made, so that the data cannot differ either; `tests/vectors/` holds the cases that both
implementations must answer alike. It is written for clarity, not for the widget's speed: it
looks at every word rather than at the few a regular expression picks out, which gives the same
matches, since a name is looked up by its whole first word in both.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from widget_server.api import (
    EXACT_MARK,
    NEAR_MARK,
    NOT_MARK,
    IndexName,
    entry_names,
    index_entries,
    index_name,
    lookup_words,
)
from widget_server.model import Glossary
from widget_server.names import fold, next_word, normalize_gap


@dataclass(frozen=True)
class Entry:
    """One index entry (`[slug, name, ..., +word, ..., -phrase, ...]`) with the context words
    of the index file it came from (used by names that need context and list none)."""

    items: tuple[str, ...]
    defaults: tuple[str, ...] = ()

    @property
    def case_sensitive(self) -> bool:
        return self.items[0].startswith(EXACT_MARK)

    @property
    def slug(self) -> str:
        return self.items[0].removeprefix(EXACT_MARK)

    @property
    def names(self) -> tuple[str, ...]:
        """The names with their marks, title first."""
        return tuple(entry_names(list(self.items)))

    @functools.cached_property
    def near(self) -> Matcher | None:
        """The context words of the names that need them, as a matcher of their own."""
        own = [item[1:] for item in self.items if item.startswith(NEAR_MARK)]
        words = own or list(self.defaults)
        return Matcher([Entry(("", *words))]) if words else None

    @functools.cached_property
    def refuse(self) -> Matcher | None:
        """The `not` phrases, as a matcher of their own."""
        phrases = [item[1:] for item in self.items if item.startswith(NOT_MARK)]
        return Matcher([Entry(("", *phrases))]) if phrases else None


@dataclass(frozen=True)
class Candidate:
    """A name as the matcher tries it at a place where its first word is."""

    entry: Entry
    form: IndexName
    alias: bool


@dataclass(frozen=True)
class Match:
    """A highlight in a text: [start, end) of `slug`, and what allowed it."""

    start: int
    end: int
    slug: str
    name: str
    rule: str  # "name", "alias" or "plural"
    context: str = ""  # the context word found in the block, for a name that needs one


@dataclass(frozen=True)
class Refusal:
    """A name that matched the text's words but that its context rules refused."""

    start: int
    end: int
    slug: str
    name: str
    reason: str


# Given (start, end) of a match that needs context and the matcher of its context words: the
# context word found in the match's block outside the match, or "" (see `highlights.py`).
Near = Callable[[int, int, "Matcher"], str]


@dataclass
class Matcher:
    """Leftmost-longest, non-overlapping matches of the names of `entries`, in their order."""

    entries: Sequence[Entry]
    _heads: dict[str, list[tuple[Entry, str]]] = field(default_factory=dict, init=False)
    _candidates: dict[str, tuple[Candidate, ...]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for name in entry.names:
                for word in lookup_words(name, entry.case_sensitive):
                    self._heads.setdefault(word, []).append((entry, name))

    def candidates(self, head: str) -> tuple[Candidate, ...]:
        """The names whose first word is `head`, most words first, then in glossary order."""
        if head in self._candidates:
            return self._candidates[head]
        found = [
            Candidate(entry, index_name(marked, entry.case_sensitive), alias=marked != entry.names[0])
            for entry, marked in self._heads.get(head, ())
        ]
        ordered = self._candidates[head] = tuple(sorted(found, key=lambda c: -len(c.form.words)))
        return ordered

    def match(self, text: str, near: Near | None = None, refused: list[Refusal] | None = None) -> list[Match]:
        """The matches in `text`. A match that its context rules refuse uses up nothing: the
        next name at the same place is tried (and the refusal added to `refused`)."""
        found: list[Match] = []
        folded = fold(text)
        phrases: dict[int, list[Match]] = {}  # per `not` matcher, its matches in `text`
        position = 0
        while (word := next_word(folded, position)) is not None:
            start, position = word
            for candidate in self.candidates(folded[start:position]):
                end = fits(candidate.form, text if candidate.form.exact else folded, start)
                if not end:
                    continue
                reason, context = allowed(candidate, text, start, end, near, phrases)
                if reason:
                    if refused is not None:
                        refused.append(Refusal(start, end, candidate.entry.slug, candidate.form.name, reason))
                    continue
                seen = (text if candidate.form.exact else folded)[start:end]
                plural_form = candidate.form.plural and seen.endswith(candidate.form.plural)
                rule = "plural" if plural_form else "alias" if candidate.alias else "name"
                found.append(Match(start, end, candidate.entry.slug, candidate.form.name, rule, context))
                position = end
                break
        return found


def fits(name: IndexName, text: str, start: int) -> int:
    """Where `name` ends in `text` if it matches from the word at `start`, else 0."""
    last = len(name.words) - 1
    end = start
    for k, word in enumerate(name.words):
        found = next_word(text, end)
        if found is None:
            return 0
        word_start, word_end = found
        seen = text[word_start:word_end]
        if seen != word and not (k == last and seen == name.plural):
            return 0
        if k and normalize_gap(text[end:word_start]) != name.gaps[k - 1]:
            return 0
        end = word_end
    return end


def allowed(
    candidate: Candidate,
    text: str,
    start: int,
    end: int,
    near: Near | None,
    phrases: dict[int, list[Match]],
) -> tuple[str, str]:
    """(why the context rules refuse the match, or ""; the context word that allowed it). A
    `not` phrase refuses a match that lies inside one of its matches in the same text."""
    if (refuse := candidate.entry.refuse) is not None:
        if id(refuse) not in phrases:
            phrases[id(refuse)] = refuse.match(text)
        for phrase in phrases[id(refuse)]:
            if phrase.start <= start and phrase.end >= end:
                return f"not phrase {phrase.name!r}", ""
    if not candidate.form.needs:
        return "", ""
    matcher = candidate.entry.near
    context = near(start, end, matcher) if near and matcher else ""
    return ("", context) if context else ("no context word in the block or the one before", "")


def chosen_entries(glossary: Glossary, categories: Iterable[str] | None = None) -> list[Entry]:
    """The entries the widget builds its matcher from: those of the file of every term by
    default, else those of the files of `categories` (unknown ones are left out, as the widget
    does), a term in two categories once, at its first place (the widget tries it twice, with
    the same result)."""
    known = [c.slug for c in glossary.categories]
    chosen = [None] if categories is None else [c for c in categories if c in known]
    entries: dict[str, Entry] = {}
    for category in chosen:
        items, defaults = index_entries(glossary, category)
        for item in items:
            entries[item[0]] = Entry(tuple(item), defaults)
    return list(entries.values())


def glossary_matcher(glossary: Glossary, categories: Iterable[str] | None = None) -> Matcher:
    return Matcher(chosen_entries(glossary, categories))
