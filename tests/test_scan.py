"""`glossary-widget scan`: every highlight of a folder of pages with the sentence around it and
the rule behind it, every match that context rules refused, and a summary per term."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import GLOSSARY_DATA, REALWORLD_PAGES

from tests.support.vectors import VECTORS_GLOSSARY
from widget_server.cli import main

ARTICLE = """<!doctype html><html><body><nav>premium</nav><main>
<p>Your <b>premium</b> went up, the insurer said.</p>
<p>The premium carmaker grew, as did the insurer.</p>
<p>Tickets sold out.</p>
<ul><li>A premium seat.</li></ul>
</main></body></html>"""

NOTES = "An ARM from the lender.\n\nIn other news:\n\nAn ARM processor and an ARM chip.\n"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    (tmp_path / "2024").mkdir()
    (tmp_path / "2024" / "article.html").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text(NOTES, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    return tmp_path


def scan(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["scan", *args])
    return result.exit_code, result.output


def test_a_folder_gives_its_markdown_files_under_either_suffix(tmp_path: Path) -> None:
    """As `annotate` reads them: `.md` and `.markdown`."""
    for name in ("a.md", "b.MARKDOWN"):
        (tmp_path / name).write_text(NOTES, encoding="utf-8")

    code, output = scan(str(tmp_path), "--data", str(VECTORS_GLOSSARY), "--format", "json")

    assert code == 0, output
    assert json.loads(output)["files"] == 2


def test_json_lists_fired_and_refused_matches_with_their_rules(archive: Path) -> None:
    code, output = scan(str(archive), "--data", str(VECTORS_GLOSSARY), "--format", "json", "--occurrences", "all")
    assert code == 0, output
    report = json.loads(output)
    assert report["files"] == 2  # not the image
    rows = [
        (Path(f["path"]).name, f["verdict"], f["slug"], f["text"], f["why"], f["sentence"]) for f in report["findings"]
    ]
    assert rows == [
        (
            "article.html",
            "fired",
            "premium",
            "premium",
            "name; context word 'insurer'",
            "Your [premium] went up, the insurer said.",
        ),
        (
            "article.html",
            "refused",
            "premium",
            "premium",
            "not phrase 'premium carmaker'",
            "The [premium] carmaker grew, as did the insurer.",
        ),
        (
            "article.html",
            "refused",
            "premium",
            "premium",
            "no context word in the block or the one before",
            "A [premium] seat.",
        ),
        (
            "notes.txt",
            "fired",
            "adjustable-rate-mortgage",
            "ARM",
            "alias; context word 'lender'",
            "An [ARM] from the lender.",
        ),
        (
            "notes.txt",
            "refused",
            "adjustable-rate-mortgage",
            "ARM",
            "not phrase 'ARM processor'",
            "An [ARM] processor and an ARM chip.",
        ),
        (
            "notes.txt",
            "refused",
            "adjustable-rate-mortgage",
            "ARM",
            "no context word in the block or the one before",
            "An ARM processor and an [ARM] chip.",
        ),
    ]
    assert report["summary"] == {
        "adjustable-rate-mortgage": {"fired": 1, "refused": 2},
        "premium": {"fired": 1, "refused": 2},
    }
    assert report["errors"] == []


def test_table_shows_each_finding_and_the_summary(archive: Path) -> None:
    code, output = scan(str(archive / "2024"), "--data", str(VECTORS_GLOSSARY), "--categories", "insurance")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].endswith("article.html")
    assert lines[1].split() == ["fired", "premium", "'Premium'", "(name;", "context", "word", "'insurer')"]
    assert lines[2].strip() == "Your [premium] went up, the insurer said."
    assert "refused premium" in " ".join(output.split())
    assert lines[-2].split() == ["premium", "1", "2"]
    assert lines[-1] == "1 file: 1 highlight, 2 refused by context rules"


def test_unknown_category_is_refused(archive: Path) -> None:
    code, output = scan(str(archive), "--data", str(VECTORS_GLOSSARY), "--categories", "cars")
    assert code == 2
    assert "unknown cars" in output


@pytest.mark.skipif(
    not list(REALWORLD_PAGES.glob("*.html")),
    reason=f"no real-world pages in {REALWORLD_PAGES}; set GLOSSARY_REALWORLD_PAGES",
)
def test_scan_of_the_real_world_pages() -> None:
    """The shared folder of real articles, with the bundled glossary: every page is read, and
    each highlight comes with its sentence."""
    code, output = scan(str(REALWORLD_PAGES), "--data", str(GLOSSARY_DATA), "--format", "json", "--occurrences", "all")
    assert code == 0, output
    report = json.loads(output)
    assert report["files"] == len(list(REALWORLD_PAGES.glob("*.html"))) + len(list(REALWORLD_PAGES.glob("*.md")))
    fired = [f for f in report["findings"] if f["verdict"] == "fired"]
    assert fired, "the real-world pages hold some glossary names"
    for finding in fired:
        assert f"[{finding['text']}]" in finding["sentence"]
    counted = sum(c["fired"] for c in report["summary"].values())
    assert counted == len(fired)
