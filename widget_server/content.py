"""Loading and validating the glossary folder into one immutable snapshot (model.py).

The folder holds `categories.yml`, `terms/<slug>.md` (termfile.py) and `sites/<id>.yml`
(sites.py). Every problem is collected, with its file and line, so that one `check` run reports
everything an editor has to fix; the check across terms (names that match the same text) runs
here, once every file has loaded.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from widget_server.model import SLUG_RE, Category, ContentError, Glossary, GlossaryInvalid, NoGlossary, Term, report_to
from widget_server.names import name_keys
from widget_server.parallel import map_batches, worker_processes
from widget_server.sites import load_sites
from widget_server.suggest import did_you_mean
from widget_server.termfile import TermLines, load_terms, word_list
from widget_server.yamlsource import Report, node_line, parse_yaml, read_folder, read_text, text_value, value_nodes

# Term files handed to a worker process at a time.
LOAD_BATCH = 100


def load_glossary(data_dir: Path) -> Glossary:
    """Load and validate `data_dir`; raise GlossaryInvalid listing every error.

    The term files of a large glossary are read in batches by a worker process per core (their
    YAML takes most of the time), and checked against each other once all have loaded.
    """
    _require_folder(data_dir)
    errors: list[ContentError] = []
    categories = _load_categories(data_dir / "categories.yml", errors)
    # With a broken categories file every term's categories would look unknown: check them only
    # against a file that loaded without errors.
    known_categories = None if errors else {c.slug: c.context for c in categories}
    terms_dir = data_dir / "terms"
    terms: list[tuple[Term, TermLines]] = []
    if not terms_dir.is_dir():
        errors.append(ContentError(terms_dir, 1, "missing folder of term files"))
    else:
        entries = read_folder(terms_dir, report_to(errors, terms_dir))
        paths = term_paths(entries)
        errors += _not_term_files(entries, paths)
        # Every entry's, so that `related: [notes]` beside a `notes.txt` is not called missing.
        slugs = frozenset(path.stem for path in entries)
        batches = (paths[i : i + LOAD_BATCH] for i in range(0, len(paths), LOAD_BATCH))
        load = functools.partial(load_terms, known_categories=known_categories, known_slugs=slugs)
        for loaded, batch_errors in map_batches(load, batches, worker_processes(len(paths))):
            terms += loaded
            errors += batch_errors
    _check_names_unique(terms, errors)
    sites = load_sites(data_dir, known_categories, errors)
    if errors:
        raise GlossaryInvalid(errors)
    return Glossary(categories=tuple(categories), terms=tuple(t for t, _ in terms), sites=sites)


def load_categories(data_dir: Path) -> list[Category]:
    """Only `categories.yml`; raise GlossaryInvalid if it is not valid."""
    _require_folder(data_dir)
    errors: list[ContentError] = []
    categories = _load_categories(data_dir / "categories.yml", errors)
    if errors:
        raise GlossaryInvalid(errors)
    return categories


def _require_folder(data_dir: Path) -> None:
    """Raise NoGlossary unless `data_dir` is a folder with a glossary's files in it."""
    if not data_dir.exists():
        raise NoGlossary(data_dir, "does not exist")
    if not data_dir.is_dir():
        raise NoGlossary(data_dir, "is a file, not a folder")
    if not any(data_dir.iterdir()):
        raise NoGlossary(data_dir, "is an empty folder")
    if not (data_dir / "categories.yml").exists() and not (data_dir / "terms").exists():
        raise NoGlossary(data_dir, "is not a glossary folder: it holds neither categories.yml nor terms/")


def term_paths(entries: list[Path]) -> list[Path]:
    """The term files among the entries of terms/ (`read_folder`), by slug, not by file name:
    "medicaid.md" sorts after "medicaid-estate-recovery.md"."""
    return sorted((path for path in entries if path.suffix == ".md"), key=lambda path: path.stem)


def _not_term_files(entries: list[Path], term_files: list[Path]) -> list[ContentError]:
    """An error for each entry of terms/ that is not a term file, which would otherwise be
    skipped in silence."""
    skipped = set(term_files)
    return [
        ContentError(
            path,
            1,
            "is a folder; terms/ holds only term files, named <slug>.md"
            if path.is_dir()
            else _rename_advice(path, skipped),
        )
        for path in entries
        if path not in skipped
    ]


def _rename_advice(path: Path, term_files: set[Path]) -> str:
    """What to do with a file in terms/ that is not named .md. Its slug is its name up to the
    first dot (a slug has none): `late-fee.md.bak` is late-fee's backup, not `late-fee.md.md`,
    and is never to be renamed over the file it copies."""
    target = f"{path.name.partition('.')[0]}.md"
    if path.with_name(target) in term_files:
        return f"{path.name!r} is not read: term files end in .md (move it out of terms/: {target} is there)"
    return f"{path.name!r} is not read: term files end in .md (rename it to {target}, or move it out of terms/)"


CATEGORY_FIELDS = ("slug", "label", "description")
CATEGORY_KEYS = (*CATEGORY_FIELDS, "context")
# The glossary index gives each category's section its slug as id, and its heading the slug and
# `-heading`, in a page whose main content is `content` (templates/index.html, _layout.html): a
# slug that is one of those ids would make two elements of one id, and its links go elsewhere.
RESERVED_CATEGORY_SLUG = re.compile(r"content|.*-heading")


def _load_categories(path: Path, errors: list[ContentError]) -> list[Category]:
    error = report_to(errors, path)

    text = read_text(path, error, missing="missing categories file")
    parsed = parse_yaml(text, 1, error) if text is not None else None
    if parsed is None:
        return []
    node, items = parsed
    if not isinstance(node, yaml.SequenceNode):
        error(node_line(node) if node else 1, "expected a list of {slug, label, description}")
        return []
    categories: list[Category] = []
    for item, data in zip(node.value, items, strict=True):
        category = _category(item, data, error)
        if category is None:
            continue
        if not SLUG_RE.match(category.slug):
            error(node_line(item), f"category slug {category.slug!r} is not a valid slug")
        elif RESERVED_CATEGORY_SLUG.fullmatch(category.slug):
            error(node_line(item), f"category slug {category.slug!r} is an id the glossary's pages use: choose another")
        elif any(c.slug == category.slug for c in categories):
            error(node_line(item), f"category {category.slug!r} is listed twice")
        else:
            categories.append(category)
    return categories


def _category(node: yaml.Node, data: Any, error: Report) -> Category | None:
    """One entry of categories.yml; None once what is wrong with it is reported."""
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        error(node_line(node), "each category needs slug, label and description")
        return None
    for key_node, _ in node.value:
        if key_node.value not in CATEGORY_KEYS:
            error(
                node_line(key_node),
                f"unknown field {key_node.value!r} (known: {', '.join(CATEGORY_KEYS)})"
                f"{did_you_mean(str(key_node.value), CATEGORY_KEYS)}",
            )
    fields = value_nodes(node)
    context = word_list(
        data.get("context"), fields.get("context"), node_line(node), node_line, "category context", error
    )
    slug, label, description = (
        text_value(f"category {key}", data.get(key), fields.get(key), node_line(fields.get(key) or node), error)
        for key in CATEGORY_FIELDS
    )
    if slug is None or label is None or description is None:
        return None  # reported
    if not (slug.strip() and label.strip() and description.strip()):
        error(node_line(node), "each category needs slug, label and description")
        return None
    return Category(slug, label.strip(), description.strip(), tuple(word for word, _ in context or ()))


def _check_names_unique(terms: list[tuple[Term, TermLines]], errors: list[ContentError]) -> None:
    """No two terms have names that match the same text in an article (see `name_keys`)."""
    claimed: dict[str, tuple[str, str]] = {}  # name key -> (slug, name) of the first term with it
    for term, lines in terms:
        for name, line in zip(term.names, (lines.title, *lines.aliases), strict=True):
            keys = sorted(name_keys(name, term.case_sensitive))
            others = [claimed[k] for k in keys if k in claimed and claimed[k][0] != term.slug]
            if others:
                slug, other = others[0]
                message = f"name {name!r} matches the same text as {other!r} of term {slug!r}"
                errors.append(ContentError(lines.path, line, message))
            for key in keys:
                claimed.setdefault(key, (term.slug, name))
