"""How names read in articles: the one Python copy of the widget's name rules.

Every function here mirrors a part of `widget_js/matcher.js` character for character, so that
`check` (two names that would claim the same words), the Python matcher and `scan` read text
exactly as the widget does. The test vectors in `tests/vectors/` run on both sides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# White space as JavaScript's `\s` knows it (Python's `\s` also takes \x1c-\x1f and \x85, and
# not \ufeff): a space in a name matches a run of these, in the widget as here.
JS_SPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_SPACE_RUN_RE = re.compile(f"[{JS_SPACE}]+")
_PLAIN_PUNCTUATION = str.maketrans({"\u2018": "'", "\u2019": "'", "\u2010": "-", "\u2011": "-"})
# A name must start and end with a letter or digit so that whole-word matching is well defined.
NAME_EDGE_RE = re.compile(r"^\w(?:.*\w)?$", re.DOTALL)
# The control characters (C0, DEL, C1) but tab and the line ends: none shows on a page, HTML
# calls them a parse error, and JavaScript's `\s` and Python's disagree on some (\x1c-\x1f, \x85)
# that both would otherwise read as white space inside a name. The widget also joins text nodes
# with NUL, which no name may hold.
CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Unicode's noncharacters (U+FDD0-FDEF and the last two of every plane), never text, and the
# bidirectional embeddings, overrides and isolates, which in a name reverse how it reads and
# match no article's text.
NONCHARACTER_RE = re.compile(
    "[\ufdd0-\ufdef" + "".join(f"{chr(p + 0xFFFE)}{chr(p + 0xFFFF)}" for p in range(0, 0x110000, 0x10000)) + "]"
)
_BIDI_CONTROL_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
# The longest name: twice the longest law's name in the glossary; what is longer is a sentence
# pasted in by mistake, and makes an unwieldy card heading.
NAME_MAX = 100


def is_word(char: str) -> bool:
    """Whether `char` is part of a word: a letter, mark, digit or `_` (`WORD_CHAR`)."""
    return char == "_" or unicodedata.category(char)[0] in "LMN"


def fold(text: str) -> str:
    """Case folding that keeps every letter at its place (`fold` in matcher.js): lower case, the
    final sigma as any sigma, İ as i."""
    return text.replace("İ", "i").lower().replace("ς", "σ")


def plural(word: str) -> str:
    """The regular English plural of one word (`plural` in matcher.js; case-sensitive, as there:
    the plural of APR is APRs)."""
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if len(word) > 1 and word.endswith("y") and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def normalize_gap(gap: str) -> str:
    """The text between two words with white space and typographic variants folded."""
    return _SPACE_RUN_RE.sub(" ", gap).translate(_PLAIN_PUNCTUATION)


def words_of(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each word of `text` from `start` on, as the widget's WORD finds them."""
    index = start
    length = len(text)
    while index < length:
        if is_word(text[index]):
            end = index + 1
            while end < length and is_word(text[end]):
                end += 1
            yield index, end
            index = end
        else:
            index += 1


def next_word(text: str, start: int) -> tuple[int, int] | None:
    return next(words_of(text, start), None)


def split_name(name: str) -> tuple[list[str], list[str]]:
    """A name's words and the normalized text between them (`splitName`); marks before the
    first word are not part of it."""
    words: list[str] = []
    gaps: list[str] = []
    end = -1
    for start, stop in words_of(name):
        if end >= 0:
            gaps.append(normalize_gap(name[end:start]))
        words.append(name[start:stop])
        end = stop
    return words, gaps


def is_acronym(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def name_forms(name: str, case_sensitive: bool = False) -> tuple[str, ...]:
    """The texts a valid `name` matches in an article: any run of white space is one space,
    typographic apostrophes and hyphens are plain ones, and but for a case-sensitive term the
    last word may be in its regular plural (of the name folded, as the widget folds it). An
    acronym keeps its case in the plural (APR -> APRs): it matches only in capitals.
    """
    spaced = normalize_gap(name)
    if case_sensitive:
        return (spaced,)
    base = spaced if is_acronym(name) else fold(spaced)
    words = list(words_of(base))
    last_start = words[-1][0] if words else len(base)
    return spaced, base[:last_start] + plural(base[last_start:])


def name_keys(name: str, case_sensitive: bool = False) -> frozenset[str]:
    """The forms of `name`, folded: two names that share one would claim the same words of a
    page. Case is folded even where the widget keeps it, so that no two terms share a name
    whatever its case."""
    return frozenset(_key(form) for form in name_forms(name, case_sensitive))


def name_key(name: str) -> str:
    """The key of `name` itself, not of its plural: the first of `name_keys`."""
    return _key(normalize_gap(name))


def _key(form: str) -> str:
    return fold(form).casefold()


def name_problem(name: str) -> str | None:
    """What keeps `name` from being a title, alias or context word, or None."""
    if CONTROL_RE.search(name) or NONCHARACTER_RE.search(name):
        return "must not contain control characters or noncharacters"
    if _BIDI_CONTROL_RE.search(name):
        return "must not contain bidirectional controls (U+202A-202E, U+2066-2069)"
    if not NAME_EDGE_RE.match(name):
        return "must start and end with a letter or digit"
    if len(name) > NAME_MAX:
        return f"is {len(name)} characters long; a name has at most {NAME_MAX}"
    # Only `new` can meet one (a command line's bytes that are not UTF-8): no file can hold it.
    if any(unicodedata.category(c) == "Cs" for c in name):
        return "must not contain lone surrogates (bytes that are not UTF-8)"
    return None


def contains_words(phrase: str, name: str) -> bool:
    """Whether `name` occurs in `phrase` as whole words, its last word perhaps in the plural
    ("denied claims that" holds "denied claim"; both folded, gaps normalized)."""
    words, gaps = split_name(fold(phrase))
    name_words, name_gaps = split_name(fold(name))
    *head, last = name_words
    size = len(name_words)
    return any(
        words[i : i + size - 1] == head
        and words[i + size - 1] in (last, plural(last))
        and gaps[i : i + size - 1] == name_gaps
        for i in range(len(words) - size + 1)
    )
