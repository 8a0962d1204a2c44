""" "Did you mean": the known name closest to a misspelt one, for error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """`"; did you mean 'finance'?"` for the known name closest to `word`, else "".

    Compared without case, so that `## definition` finds `Definition`; difflib's default cutoff
    (0.6) keeps unrelated names out of the message.
    """
    by_key = {name.casefold(): name for name in known}
    close = difflib.get_close_matches(word.casefold(), list(by_key), n=1)
    return f"; did you mean {by_key[close[0]]!r}?" if close else ""
