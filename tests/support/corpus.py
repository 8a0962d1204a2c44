"""The labelled corpus (tests/corpus/*.yml): passages of article prose, each occurrence of a
glossary name labelled `expect` (the glossary's sense, to be highlighted) or `other` (another
sense, not to be). How a matcher's highlights score against it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from widget_server.highlights import parse
from widget_server.names import is_word

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
PRECISION_TARGET = 0.98
RECALL_TARGET = 0.95

# A highlight as (passage id, slug, offset in the passage's text, text).
Found = tuple[str, str, int, str]


def load_passages(pattern: str = "*.yml") -> list[dict[str, Any]]:
    passages: list[dict[str, Any]] = []
    for path in sorted(CORPUS_DIR.glob(pattern)):
        passages += yaml.safe_load(path.read_text(encoding="utf-8"))
    return passages


def passage_nodes(passage: dict[str, Any]) -> list[str]:
    """The text nodes of the passage's body, in order (their concatenation is `textContent`)."""
    tree = parse(f"<!doctype html><html><body>{passage['html']}</body></html>")
    body = tree.body
    if body is None:
        return []
    return [node.text_content or "" for node in body.traverse(include_text=True) if node.is_text_node]


def passage_text(passage: dict[str, Any]) -> str:
    return "".join(passage_nodes(passage))


def occurrence(nodes: list[str], wanted: str, nth: int) -> int:
    """Where the nth whole-word occurrence of `wanted` (exact, within one text node, as the
    matchers read text) starts in the concatenated text, or -1."""
    seen = 0
    offset = 0
    for text in nodes:
        start = 0
        while (found := text.find(wanted, start)) >= 0:
            end = found + len(wanted)
            if (found == 0 or not is_word(text[found - 1])) and (end == len(text) or not is_word(text[end])):
                seen += 1
                if seen == nth:
                    return offset + found
            start = found + 1
        offset += len(text)
    return -1


def labelled(passages: Iterable[dict[str, Any]], key: str) -> set[Found]:
    """The occurrences a list (`expect` or `other`) labels, located in the passages' text."""
    located: set[Found] = set()
    for passage in passages:
        nodes = passage_nodes(passage)
        for item in passage.get(key) or []:
            at = occurrence(nodes, item["text"], item.get("nth", 1))
            located.add((passage["id"], item["term"], at, item["text"]))
    return located


@dataclass
class Score:
    expected: set[Found]
    found: set[Found]
    contexts: dict[str, str] = field(default_factory=dict)  # passage id -> its text

    @property
    def false_positives(self) -> list[Found]:
        return sorted(self.found - self.expected)

    @property
    def misses(self) -> list[Found]:
        return sorted(self.expected - self.found)

    @property
    def precision(self) -> float:
        return len(self.found & self.expected) / len(self.found) if self.found else 1.0

    @property
    def recall(self) -> float:
        return len(self.found & self.expected) / len(self.expected) if self.expected else 1.0

    def report(self) -> str:
        """Every wrong highlight and every miss, with the words around it, then the figures."""

        def around(item: Found) -> str:
            text = self.contexts.get(item[0], "")
            start = max(0, item[2] - 50)
            end = item[2] + len(item[3]) + 50
            snippet = text[start : item[2]] + "[" + item[3] + "]" + text[item[2] + len(item[3]) : end]
            return " ".join(snippet.split())

        lines = [f"highlighted in another sense ({len(self.false_positives)}):"]
        lines += [f"  {i[0]} {i[1]}: …{around(i)}…" for i in self.false_positives]
        lines += [f"not highlighted ({len(self.misses)}):"]
        lines += [f"  {i[0]} {i[1]}: …{around(i)}…" for i in self.misses]
        lines += [
            f"precision {self.precision:.3f} (target {PRECISION_TARGET}), "
            f"recall {self.recall:.3f} (target {RECALL_TARGET}), "
            f"{len(self.found)} highlights, {len(self.expected)} expected"
        ]
        return "\n".join(lines)


def score(passages: list[dict[str, Any]], found: set[Found]) -> Score:
    return Score(labelled(passages, "expect"), found, {p["id"]: passage_text(p) for p in passages})
