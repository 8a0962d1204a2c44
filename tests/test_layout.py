"""The code's layout, drawn from its imports: one way, content -> site bytes -> server | export.

Every `from widget_server.x import ...` in widget_server/ counts, the deferred ones inside
functions too (the CLI defers its heavy imports; that hides nothing here).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "widget_server"

# The layers, lowest first. A module of a layer imports only from its own layer or lower ones.
CONTENT = {
    "model",
    "names",
    "lines",
    "yamlsource",
    "yaml_hints",
    "termfile",
    "content",
    "sites",
    "suggest",
    "placeholders",
    "markup",
    "parallel",
    "termwriter",
    "tabular",
}
SITE_BYTES = {"api", "pages", "assets", "site", "openapi", "configure", "headers", "matcher"}
SERVER = {"app", "snapshot", "staticfiles", "memoryfiles", "feedback", "annotating", "admin"}
EXPORT = {"build"}


@cache
def imports() -> dict[str, set[str]]:
    """Module -> the widget_server modules it imports."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("widget_server"):
                parts = node.module.split(".")
                found |= {parts[1]} if len(parts) > 1 else {alias.name for alias in node.names}
        graph[path.stem] = found - {path.stem}
    return graph


def test_the_imports_have_no_cycle() -> None:
    """A cycle would be a module importing from one above it, whatever the layers."""
    graph = imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, "import cycle: " + " -> ".join((*path[path.index(module) :], module))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, (*path, module))
        done.add(module)

    for module in sorted(graph):
        visit(module, ())


def test_each_layer_imports_only_from_itself_or_below() -> None:
    graph = imports()
    above = {"content": SITE_BYTES | SERVER | EXPORT, "site bytes": SERVER | EXPORT}
    for layer, modules in (("content", CONTENT), ("site bytes", SITE_BYTES)):
        for module in sorted(modules):
            assert module in graph, f"{module}.py is gone: update the layers here"
            wrong = graph[module] & above[layer]
            assert not wrong, f"{module} ({layer}) imports from above it: {sorted(wrong)}"


def test_the_server_and_the_export_do_not_import_each_other() -> None:
    """Both are made from the same site bytes; neither is built on the other."""
    graph = imports()
    for module in sorted(SERVER):
        assert not graph[module] & EXPORT, f"{module} (server) imports the export"
    for module in sorted(EXPORT):
        assert not graph[module] & SERVER, f"{module} (export) imports the server"
