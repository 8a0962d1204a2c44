"""The bundled starter glossary: enough terms, complete entries, a connected web of related terms."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from conftest import GLOSSARY_DATA, LiveServer
from playwright.sync_api import Page

from widget_server.content import load_glossary
from widget_server.markup import plain_text
from widget_server.model import Glossary

# Everyday words that would light up unrelated articles if they were aliases.
ORDINARY_WORDS = {
    "arm",
    "benefit",
    "benefits",
    "bill",
    "breach",
    "charge",
    "claim",
    "claims",
    "cover",
    "coverage",
    "data",
    "debt",
    "fee",
    "fees",
    "insurance",
    "interest",
    "leave",
    "loan",
    "network",
    "overtime",
    "pay",
    "plan",
    "policy",
    "premium",
    "rate",
    "retaliation",
    "rider",
    "score",
    "tip",
    "wage",
    "waiting period",
    "whistleblower",
}


@pytest.fixture(scope="module")
def glossary() -> Glossary:
    return load_glossary(GLOSSARY_DATA)


def test_at_least_300_terms_and_50_per_category(glossary: Glossary) -> None:
    assert len(glossary.terms) >= 300
    counts = Counter(category for term in glossary.terms for category in term.categories)
    assert {c.slug for c in glossary.categories} == {"insurance", "finance", "healthcare", "employment-law", "privacy"}
    for category in glossary.categories:
        assert counts[category.slug] >= 50, category.slug


def test_every_entry_is_complete(glossary: Glossary) -> None:
    for term in glossary.terms:
        definition = plain_text(term.sections["Definition"])
        misuse = plain_text(term.sections["Misuse"])
        assert 150 <= len(definition) <= 700, term.slug
        assert len(re.findall(r"[.!?](?:\s|$)", definition)) >= 2, term.slug
        assert 200 <= len(misuse) <= 800, term.slug
        assert term.sections.get("Examples", "").lstrip().startswith("-"), term.slug
        assert "Conclusion" in term.sections, term.slug


def test_related_terms_form_one_connected_web(glossary: Glossary) -> None:
    neighbours: dict[str, set[str]] = {term.slug: set() for term in glossary.terms}
    for term in glossary.terms:
        assert term.related, f"{term.slug} links to no other term"
        for slug in term.related:
            assert slug in neighbours, f"{term.slug} -> {slug}"
            neighbours[term.slug].add(slug)
            neighbours[slug].add(term.slug)
    reached, frontier = set(), [glossary.terms[0].slug]
    while frontier:
        slug = frontier.pop()
        if slug not in reached:
            reached.add(slug)
            frontier.extend(neighbours[slug])
    assert reached == set(neighbours)


def test_no_alias_is_an_ordinary_word(glossary: Glossary) -> None:
    for term in glossary.terms:
        for alias in term.aliases:
            if term.matches_exactly(alias):
                continue  # "ARM" only matches in capitals, never the limb
            assert alias.casefold() not in ORDINARY_WORDS, f"{term.slug}: {alias}"


def test_names_are_unique_across_the_glossary(glossary: Glossary) -> None:
    names = Counter(name.casefold() for term in glossary.terms for name in term.names)
    assert [name for name, count in names.items() if count > 1] == []


def test_example_article_highlights_terms_from_every_category(
    page: Page, glossary_server: LiveServer, glossary: Glossary
) -> None:
    page.goto(f"{glossary_server.url}/examples/blog-post.html")
    page.wait_for_selector("glossary-term")
    page.wait_for_function("document.querySelectorAll('glossary-term').length >= 20")
    slugs = page.eval_on_selector_all("glossary-term", "els => els.map(e => e.dataset.glossaryTerm)")
    categories = {c for slug in slugs if (term := glossary.term(slug)) for c in term.categories}
    assert categories == {c.slug for c in glossary.categories}
