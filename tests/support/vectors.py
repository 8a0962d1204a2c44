"""The test vectors of tests/vectors/matching.json, and how each side reads them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from widget_server.content import load_glossary
from widget_server.highlights import Settings, scan_page
from widget_server.matcher import glossary_matcher

VECTORS_DIR = Path(__file__).resolve().parent.parent / "vectors"
VECTORS_GLOSSARY = VECTORS_DIR / "glossary"
VECTORS: list[dict[str, Any]] = (
    json.loads((VECTORS_DIR / "matching.json").read_text(encoding="utf-8"))["vectors"]
    if (VECTORS_DIR / "matching.json").exists()
    else []
)


def vector_page(vector: dict[str, Any], tag: str = "") -> str:
    """The page of a vector: its body content, then the widget's tag (which adds no text)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Vector</title>'
        f'<link rel="icon" href="data:,"></head><body>{vector["html"]}{tag}</body></html>'
    )


def vector_settings(vector: dict[str, Any]) -> Settings:
    given = vector.get("settings", {})
    categories = given.get("categories")
    return Settings(
        categories=tuple(categories) if categories is not None else None,
        occurrences=given.get("occurrences", "first"),
        max=given.get("max", 100),
        root=given.get("root"),
        exclude=given.get("exclude"),
    )


def vector_attributes(vector: dict[str, Any]) -> dict[str, str]:
    """The settings as the script tag's data-* attributes."""
    given = vector.get("settings", {})
    return {key: ",".join(value) if isinstance(value, list) else str(value) for key, value in given.items()}


_glossary = None


def run_python(vector: dict[str, Any]) -> list[tuple[str, int, int, str]]:
    """The highlights the Python matcher gives for a vector, as [slug, start, end, text]."""
    global _glossary
    _glossary = _glossary or load_glossary(VECTORS_GLOSSARY)
    settings = vector_settings(vector)
    matcher = glossary_matcher(_glossary, settings.categories)
    scan = scan_page(vector_page(vector), matcher, settings)
    return [(h.match.slug, h.offset, h.offset + len(h.text), h.text) for h in scan.highlights]
