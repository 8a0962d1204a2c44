"""The placeholder sentences `new` writes into each section, and `check`'s way to find them.

They read like an entry and pass every other check, so an unedited scaffold could be published:
`check` refuses a section that still holds one, whatever title `new` put in it.
"""

from __future__ import annotations

import re

TITLE = "{title}"
PLACEHOLDERS = {
    "Definition": "What {title} means, in two to four plain sentences a non-specialist understands.",
    "Examples": "A short, concrete situation where a reader meets {title}.",
    "Misuse": "How {title} is used against consumers, patients or workers, and what to watch for.",
    "Conclusion": "One paragraph that sums the entry up.",
}


def _pattern(sentence: str) -> re.Pattern[str]:
    """The sentence with any title, and any line breaks an editor's rewrapping put in."""
    words = [r"\s+".join(map(re.escape, part.split())) for part in sentence.split(TITLE)]
    return re.compile(r".+?".join(words), re.DOTALL)


_PATTERNS = {section: _pattern(sentence) for section, sentence in PLACEHOLDERS.items()}


def placeholder_at(section: str, markdown: str) -> int | None:
    """The offset in `markdown` (the text of `section`) of the placeholder left in it, if any."""
    pattern = _PATTERNS.get(section)
    found = pattern.search(markdown) if pattern else None
    return found.start() if found else None
