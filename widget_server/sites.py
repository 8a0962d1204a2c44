"""Registered partner sites: `sites/<site-id>.yml` in the glossary folder, loaded and validated
with the term files' machinery (every problem with its file and line), and the kill switch.

A site file holds a partner's settings, which a tag with `data-site="<site-id>"` reads from
`api/v1/sites/<site-id>.json`, and `enabled: false`, which switches the widget off on the site's
origins whatever the tag says (see `origin_hash`).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import cssselect
import yaml
from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from widget_server.model import SLUG_RE, ContentError, Site, report_to
from widget_server.suggest import did_you_mean
from widget_server.yamlsource import node_line, parse_yaml, read_folder, read_text, text_value, value_nodes

SITES_FOLDER = "sites"
# Every field a site file may have; all but `name` and `origins` are optional.
SITE_FIELDS = (
    "name",
    "origins",
    "categories",
    "occurrences",
    "max",
    "root",
    "exclude",
    "theme",
    "link_target",
    "feedback",
    "enabled",
)
OCCURRENCES = ("first", "all")
THEMES = ("light", "dark", "auto")
LINK_TARGETS = ("_self", "_blank")
# Plain http only for a developer's own machine: partner pages are served over https.
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")
_HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
# 32-bit FNV-1a, as `originHash` in widget_js/config.js.
_FNV_OFFSET = 0x811C9DC5
_FNV_PRIME = 0x01000193


def describe(site: Site) -> str:
    """A site and its settings, in a few lines, for `glossary-widget sites`. Feedback is one of
    the settings (`data-feedback="off"`), shown, like the others, only when not the default."""
    state = "on" if site.enabled else "SWITCHED OFF (enabled: false)"
    settings = " ".join(f'{name}="{value}"' for name, value in site.attributes().items())
    lines = [
        f"{site.id}: {site.name} [{state}]",
        f"  origins: {', '.join(site.origins)}",
        f"  settings: {settings or '(the defaults)'}",
    ]
    return "\n".join(lines)


def dataset_name(attribute: str) -> str:
    """The name `element.dataset` gives a data-* attribute: data-link-target -> linkTarget."""
    first, *rest = attribute.removeprefix("data-").split("-")
    return first + "".join(word.capitalize() for word in rest)


def origin_hash(origin: str) -> int:
    """32-bit FNV-1a of the origin's characters (ASCII: hosts are in punycode, as in
    `location.origin`).

    What the kill switch publishes instead of the disabled origins: the widget must know,
    before it highlights anything, whether its page's origin is switched off, without another
    request and on http pages too (crypto.subtle is https-only and asynchronous), so the hash
    is one it computes synchronously in a few bytes of script. A hash keeps the list from being
    read, not from being confirmed: anyone can hash a list of known domains and compare. With
    32 bits, an origin that is not switched off is taken for one that is with a chance of one in
    about four billion per disabled origin.
    """
    value = _FNV_OFFSET
    for char in origin:
        value = ((value ^ ord(char)) * _FNV_PRIME) & 0xFFFFFFFF
    return value


def disabled_origin_hashes(sites: tuple[Site, ...]) -> list[int]:
    """The hashes of every origin of a switched-off site, sorted, each once."""
    return sorted({origin_hash(origin) for site in sites if not site.enabled for origin in site.origins})


def origin_problem(origin: str) -> str | None:
    """What keeps `origin` from being a site's origin (`https://host[:port]`), or None."""
    parsed = urllib.parse.urlsplit(origin)
    try:
        port = parsed.port
    except ValueError:
        return "has a port that is not a number from 0 to 65535"
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        return "must be https://host or https://host:port"
    if parsed.scheme == "http" and parsed.hostname not in LOCAL_HOSTS:
        return "must use https (plain http is only for localhost and 127.0.0.1)"
    if parsed.path or parsed.query or parsed.fragment or "@" in parsed.netloc or origin.endswith(("?", "#")):
        return "must be only the scheme, the host and the port, with no path, query or user"
    if origin != normal_origin(origin):
        return f"must be written as the browser writes it: {normal_origin(origin)}"
    host = parsed.hostname or ""
    if not (_HOST_RE.match(host) or host == "::1") or port == 0:
        return (
            "has a host that is not a domain name or an IP address (write an international "
            "name in punycode, xn--..., as the browser does)"
        )
    return None


def normal_origin(origin: str) -> str:
    """`origin` as `location.origin` gives it: lower case, without the scheme's default port."""
    parsed = urllib.parse.urlsplit(origin)
    default = {"https": 443, "http": 80}.get(parsed.scheme)
    try:
        port = parsed.port
    except ValueError:
        return origin
    host = (parsed.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    return f"{parsed.scheme}://{host}" + (f":{port}" if port not in (None, default) else "")


def selector_problem(selector: str) -> str | None:
    """What keeps `selector` from being a selector list `querySelectorAll` takes, or None."""
    try:
        parsed = cssselect.parse(selector)
    except cssselect.SelectorError as exc:
        return f"is not a valid CSS selector ({exc})"
    if any(part.pseudo_element for part in parsed):
        return "is not a valid selector here: it names a pseudo-element (::before, ::after)"
    # `annotate` and `scan` apply the site's settings with lexbor, which reads fewer selectors
    # than browsers do: one it cannot read would make them fail on every page of the site.
    try:
        LexborHTMLParser("").css(selector)
    except SelectolaxError:
        return "is a selector that annotate cannot apply: its parser, lexbor, reads fewer pseudo-classes than browsers"
    return None


# Reports one problem at a line of the file being read.
_Report = Callable[[int, str], None]


def load_sites(
    data_dir: Path, known_categories: Collection[str] | None, errors: list[ContentError]
) -> tuple[Site, ...]:
    """The valid sites of `data_dir/sites/`, sorted by id; every problem goes to `errors`.

    The folder is optional: a glossary without registered sites has none.
    """
    folder = data_dir / SITES_FOLDER
    if not folder.is_dir():
        return ()
    sites: list[Site] = []
    claimed: dict[str, tuple[str, Path, int]] = {}  # origin -> (site id, file, line)
    for path in read_folder(folder, report_to(errors, folder)):
        if path.suffix == ".yaml":
            errors.append(ContentError(path, 1, "site files end in .yml; rename it"))
        if path.suffix != ".yml":
            continue
        before = len(errors)
        site, origin_lines = _load_site(path, known_categories, errors)
        if site is None:
            continue
        valid = len(errors) == before
        # The origins of a file with other mistakes are compared too, so that its problems are
        # all said at once.
        for origin, line in zip(site.origins, origin_lines, strict=True):
            if origin in claimed:
                # At both files: which of the two is the mistake (the newer file, or an old one
                # the site moved from) is the editor's call, and the files' order says nothing.
                other, other_path, other_line = claimed[origin]
                if other_path == path:
                    errors.append(
                        ContentError(path, line, f"origin {origin} is listed twice (also at line {other_line})")
                    )
                    continue
                for at, line_at, named, named_path, named_line in (
                    (path, line, other, other_path, other_line),
                    (other_path, other_line, site.id, path, line),
                ):
                    message = f"origin {origin} is also one of site {named!r} ({named_path.name}:{named_line})"
                    errors.append(ContentError(at, line_at, message))
            else:
                claimed[origin] = (site.id, path, line)
        if valid:
            sites.append(site)
    return tuple(sites)


def _load_site(
    path: Path, known_categories: Collection[str] | None, errors: list[ContentError]
) -> tuple[Site | None, list[int]]:
    """The site of one file (with only the origins that are valid) and the line of each of them;
    None once its problems are reported."""

    error = report_to(errors, path)

    if not SLUG_RE.match(path.stem):
        error(1, f"file name {path.name!r} is not a valid site id (lowercase letters, digits, hyphens)")
    text = read_text(path, error)
    parsed = parse_yaml(text, 1, error) if text is not None else None
    if parsed is None:
        return None, []
    node, data = parsed
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        error(node_line(node) if node else 1, "a site file is a mapping of fields (name: ..., origins: [...])")
        return None, []
    reader = _FieldReader(node, data, error)
    for key in sorted(set(reader.values) - set(SITE_FIELDS), key=reader.line):
        error(
            reader.line(key),
            f"unknown field {key!r} (known: {', '.join(SITE_FIELDS)}){did_you_mean(str(key), SITE_FIELDS)}",
        )

    name = reader.text("name")
    if not name:
        if "name" not in data:
            error(1, "missing name")
        elif name == "":
            error(reader.line("name"), "name is empty")
    origins = reader.strings("origins", "origin")
    if "origins" not in data:
        error(1, "missing origins (the https://host[:port] of the partner's pages)")
    elif not origins and data["origins"] == []:
        error(reader.line("origins"), "origins must list at least one origin")
    valid_origins = []  # the others are reported here, and compared with no other site's
    for line, origin in origins:
        if problem := origin_problem(origin):
            error(line, f"origin {origin!r} {problem}")
        else:
            valid_origins.append((line, origin))
    categories = reader.strings("categories", "category")
    for line, category in categories:
        if known_categories is not None and category not in known_categories:
            error(
                line,
                f"unknown category {category!r} (known: {', '.join(sorted(known_categories))})"
                f"{did_you_mean(category, known_categories)}",
            )
    site = Site(
        id=path.stem,
        name=(name or "").strip(),
        origins=tuple(origin for _, origin in valid_origins),
        categories=tuple(category for _, category in categories),
        occurrences=reader.choice("occurrences", OCCURRENCES),
        max=reader.positive_int("max"),
        root=reader.selector("root"),
        exclude=reader.selector("exclude"),
        theme=reader.choice("theme", THEMES),
        link_target=reader.choice("link_target", LINK_TARGETS),
        feedback=reader.flag("feedback", "on or off"),
        enabled=reader.flag("enabled", "true or false"),
    )
    return site, [line for line, _ in valid_origins]


class _FieldReader:
    """Reads a site file's fields, each checked for its kind and reported at its own line."""

    def __init__(self, node: yaml.MappingNode, data: dict[Any, Any], error: _Report) -> None:
        self.values = {key: value for key, value in data.items() if isinstance(key, str)}
        self.value_nodes = value_nodes(node)
        self.key_lines = {key.value: node_line(key) for key, _ in node.value if isinstance(key, yaml.ScalarNode)}
        self.error = error

    def line(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def text(self, key: str) -> str | None:
        """The field's text; None when it is absent or reported."""
        if key not in self.values:
            return None
        return text_value(key, self.values[key], self.value_nodes.get(key), self.line(key), self.error)

    def strings(self, key: str, what: str) -> list[tuple[int, str]]:
        """The text items of list field `key`, each with its line."""
        if key not in self.values:
            return []
        node = self.value_nodes.get(key)
        value = self.values[key]
        if not isinstance(value, list) or not isinstance(node, yaml.SequenceNode):
            self.error(self.line(key), f"{key} must be a list, like [a, b]")
            return []
        items = []
        for item, item_node in zip(value, node.value, strict=True):
            text = text_value(what, item, item_node, node_line(item_node), self.error)
            if text is not None:
                items.append((node_line(item_node), text.strip()))
        return items

    def choice(self, key: str, choices: tuple[str, ...]) -> str | None:
        value = self.text(key)
        if value is not None and value not in choices:
            self.error(self.line(key), f"{key} must be one of {', '.join(choices)}, not {value!r}")
            return None
        return value

    def positive_int(self, key: str) -> int | None:
        value = self.values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.error(self.line(key), f"{key} must be a whole number of at least 1")
            return None
        return value

    def selector(self, key: str) -> str | None:
        value = self.text(key)
        if value is None:
            return None
        if problem := selector_problem(value):
            self.error(self.line(key), f"{key} {value!r} {problem}")
            return None
        return value

    def flag(self, key: str, spelled: str) -> bool:
        value = self.values.get(key, True)
        if not isinstance(value, bool):
            self.error(self.line(key), f"{key} must be {spelled}")
            return True
        return value
