"""`glossary-widget scan`: what the widget would highlight in a folder of articles, and why.

An editor runs it over a publisher's archive before a new alias or context rule reaches partner
pages: every highlight with the sentence around it, the name that matched and the rule that
allowed it, every match that context rules refused and why, and a count per term.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborNode

from widget_server.highlights import DEFAULT_SETTINGS, Settings, block_of, scan_page
from widget_server.matcher import glossary_matcher
from widget_server.model import Glossary, display_path

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
# Where a sentence ends: a full stop, question or exclamation mark and white space, or a line
# break. Good enough to show an editor the words around a match.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n\s*")
_BLANK_LINES_RE = re.compile(r"\n\s*\n")
SENTENCE_MAX = 240


@dataclass(frozen=True)
class Finding:
    """A highlight (`verdict` "fired") or a refused match ("refused") in one file."""

    path: str
    verdict: str
    slug: str
    name: str  # the glossary name that matched, as written
    text: str  # as the page writes it
    offset: int  # in the text of the page's body
    why: str  # "name", "alias" or "plural", and the context word; or the refusal's reason
    sentence: str  # with the match in [brackets]


@dataclass
class ScanReport:
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: int = 0

    def summary(self) -> dict[str, dict[str, int]]:
        """Per term slug: how often it fired and how often its context rules refused it."""
        counts: dict[str, dict[str, int]] = {}
        for finding in self.findings:
            term = counts.setdefault(finding.slug, {"fired": 0, "refused": 0})
            term[finding.verdict] += 1
        return dict(sorted(counts.items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "findings": [asdict(finding) for finding in self.findings],
            "summary": self.summary(),
            "errors": self.errors,
        }


def find_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files named, and the HTML and text files of the folders named (recursively)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in HTML_SUFFIXES + TEXT_SUFFIXES
            )
        else:
            yield path


def page_of(path: Path, text: str) -> str:
    """A file's text as a page: HTML as it is; other text as paragraphs (blank lines between)."""
    if path.suffix.lower() in HTML_SUFFIXES:
        return text
    paragraphs = (p.strip() for p in _BLANK_LINES_RE.split(text))
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs if p)
    return f"<!doctype html><html><body>{body}</body></html>"


def scan_files(paths: Iterable[Path], glossary: Glossary, settings: Settings = DEFAULT_SETTINGS) -> ScanReport:
    """Scans every file under `paths` as the widget would with `settings`."""
    matcher = glossary_matcher(glossary, settings.categories)
    report = ScanReport()
    for path in find_files(paths):
        shown = display_path(path)
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            report.errors.append(f"{shown}: cannot be read: {error.strerror or error}")
            continue
        report.files += 1
        scan = scan_page(page_of(path, text), matcher, settings)
        findings: list[Finding] = []
        for found in scan.highlights:
            match = found.match
            why = match.rule + (f"; context word {match.context!r}" if match.context else "")
            findings.append(
                Finding(
                    shown,
                    "fired",
                    match.slug,
                    match.name,
                    found.text,
                    found.offset,
                    why,
                    sentence_around(found.node, found.start, found.end),
                )
            )
        for refused in scan.refused:
            refusal = refused.refusal
            findings.append(
                Finding(
                    shown,
                    "refused",
                    refusal.slug,
                    refusal.name,
                    refused.text,
                    refused.offset,
                    refusal.reason,
                    sentence_around(refused.node, refusal.start, refusal.end),
                )
            )
        report.findings += sorted(findings, key=lambda finding: finding.offset)
    return report


def sentence_around(node: LexborNode, start: int, end: int) -> str:
    """The sentence of the match at [start, end) of a text node, read in its block, with the
    match in brackets and white space made single spaces."""
    block = block_of(node)
    before: list[str] = []
    after: list[str] = []
    seen = False
    for inner in block.traverse(include_text=True):
        if not inner.is_text_node:
            continue
        data = inner.text_content or ""
        if inner.mem_id == node.mem_id:
            before.append(data[:start])
            after.append(data[end:])
            seen = True
        else:
            (after if seen else before).append(data)
    head = _SENTENCE_END_RE.split("".join(before))[-1]
    tail = _SENTENCE_END_RE.split("".join(after))[0]
    match = (node.text_content or "")[start:end]
    sentence = " ".join(f"{head}[{match}]{tail}".split())
    if len(sentence) > SENTENCE_MAX:
        sentence = sentence[: SENTENCE_MAX - 1] + "…"
    return sentence


def format_table(report: ScanReport) -> Iterator[str]:
    """The report as lines for a terminal: findings by file, then the summary per term."""
    current = None
    for finding in report.findings:
        if finding.path != current:
            current = finding.path
            yield current
        yield (
            f"  {finding.verdict:<7} {finding.slug:<28} {finding.name!r} ({finding.why})\n          {finding.sentence}"
        )
    summary = report.summary()
    yield ""
    yield f"{'term':<36} {'fired':>6} {'refused':>8}"
    for slug, counts in summary.items():
        yield f"{slug:<36} {counts['fired']:>6} {counts['refused']:>8}"
    fired = sum(c["fired"] for c in summary.values())
    refused = sum(c["refused"] for c in summary.values())
    yield f"{_count(report.files, 'file')}: {_count(fired, 'highlight')}, {refused} refused by context rules"
    yield from report.errors


def _count(number: int, noun: str) -> str:
    """`1 file`, `2 files`: the summary reads as a sentence whatever the number."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
