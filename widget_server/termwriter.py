"""A Term as the text of its term file, `terms/<slug>.md`: what termfile.py reads back into an
equal Term (the front matter and sections in the order editors write them)."""

from __future__ import annotations

from typing import Any

import yaml

from widget_server.model import SECTIONS, Context, Term
from widget_server.yamlsource import STR_TAG


class _FrontMatterDumper(yaml.SafeDumper):
    """Writes text with a character that is not printable (a line break, a control character)
    in double quotes, where each is an escape: in PyYAML's other styles a `\\x85` or a line break
    is folded into a space when the file is read."""

    def represent_str(self, data: str) -> yaml.ScalarNode:
        return self.represent_scalar(STR_TAG, data, style=None if data.isprintable() else '"')


_FrontMatterDumper.add_representer(str, _FrontMatterDumper.represent_str)


def front_matter(fields: dict[str, Any]) -> str:
    """The YAML of `fields`, in their order, one line per field (a mapping's fields one line
    each): lists in brackets, text quoted only where YAML would read it as something else."""
    return yaml.dump(
        fields,
        Dumper=_FrontMatterDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=1 << 20,
    )


def term_parts(term: Term) -> list[tuple[str, str]]:
    """The file's text in parts, each with what it writes: a front matter field, a section
    (lowercase, as `definition`), or "" for the `---` lines. Joined, they are the file."""
    fields: dict[str, Any] = {"title": term.title, "categories": list(term.categories)}
    if term.case_sensitive:
        fields["case_sensitive"] = True
    if term.aliases:
        fields["aliases"] = list(term.aliases)
    if term.related:
        fields["related"] = list(term.related)
    if context := context_fields(term.context):
        fields["context"] = context
    fields["updated"] = term.updated
    # One part per field: a field's lines are its key's line and those indented under it.
    groups: list[str] = []
    for line in front_matter(fields).splitlines(keepends=True):
        if line[:1].isspace() and groups:
            groups[-1] += line
        else:
            groups.append(line)
    parts = [("", "---\n"), *zip(fields, groups, strict=True)]
    parts.append(("", "---\n"))
    written = [name for name in SECTIONS if name in term.sections]
    for index, name in enumerate(written):
        text = term.sections[name]
        gap = "\n" if index < len(written) - 1 else ""
        parts.append((name.lower(), f"## {name}\n\n{text}\n{gap}" if text else f"## {name}\n{gap}"))
    return parts


def context_fields(context: Context) -> dict[str, list[str]]:
    """The context rules as the front matter writes them: needs, near and not, when given."""
    fields = {"needs": context.needs, "near": context.near, "not": context.refuse}
    return {key: list(words) for key, words in fields.items() if words}


def term_text(term: Term) -> str:
    """The text of `term`'s file."""
    return "".join(text for _, text in term_parts(term))
