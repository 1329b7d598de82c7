"""The layers stay one-way: ingest < index < app core (app.rag) < composition and edges, eval
beside the edges, bench on top; no import circles. Imports inside functions and under
TYPE_CHECKING count: they are dependencies all the same."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ingest", "index", "app", "eval", "bench")
FRAMEWORKS = ("gradio", "fastapi", "uvicorn", "argparse", "starlette")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def imported(path: Path, name: str) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports (absolute names), with the line, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            yield base, node.lineno
            for alias in node.names:  # `from app.cli import commands` imports a module too
                yield f"{base}.{alias.name}", node.lineno


def graph() -> dict[str, dict[str, int]]:
    """Module -> the project modules it imports (with a line for the message)."""
    mods = modules()
    out: dict[str, dict[str, int]] = {}
    for name, path in mods.items():
        deps: dict[str, int] = {}
        for target, line in imported(path, name):
            if target in mods and target != name:
                deps.setdefault(target, line)
        out[name] = deps
    return out


def all_imports() -> Iterator[tuple[str, str, int]]:
    for name, path in modules().items():
        for target, line in imported(path, name):
            yield name, target, line


def within(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def violations(sources: tuple[str, ...], forbidden: tuple[str, ...], allowed=()) -> list[str]:
    return sorted(
        f"{src} imports {dst} (line {line})"
        for src, dst, line in all_imports()
        if within(src, *sources) and within(dst, *forbidden) and not within(dst, *allowed)
    )


def check(sources: tuple[str, ...], forbidden: tuple[str, ...], allowed=()) -> None:
    found = violations(sources, forbidden, allowed)
    assert not found, "imports against the layering:\n" + "\n".join(found)


def test_ingest_is_the_bottom_layer():
    check(("ingest",), ("index", "app", "eval", "bench"))


def test_index_imports_only_ingest():
    check(("index",), ("app", "eval", "bench"))


def test_the_answering_core_knows_no_edge_and_no_framework():
    edges = ("app.cli", "app.http", "app.services", "eval", "bench")
    check(("app.rag",), edges + FRAMEWORKS)


def test_the_http_edge_does_not_import_the_cli():
    check(("app.http",), ("app.cli",))


def test_the_cli_imports_the_http_edge_only_to_start_the_server():
    check(("app.cli",), ("app.http",), allowed=("app.http.server",))


def test_below_the_edges_nothing_imports_them():
    lower = ("ingest", "index", "app.rag", "app.settings", "app.services", "app.feedback", "eval")
    check(lower, ("app.cli", "app.http"))


def test_nothing_outside_bench_imports_bench():
    outside = tuple(p for p in PACKAGES if p != "bench")
    check(outside, ("bench",))


def strongly_connected(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_circles():
    edges = graph()
    circles = [
        " -> ".join(f"{m} (imports {n} at line {edges[m][n]})" for m, n in _ring(c, edges))
        for c in strongly_connected(edges)
    ]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def _ring(component: list[str], edges: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    """The shortest cycle through the component's first module, as (importer, imported) pairs."""
    members, start = set(component), component[0]
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in edges[node]:
                if child == start:
                    pairs = [(node, start)]
                    while node != start:
                        pairs.append((came[node], node))
                        node = came[node]
                    return pairs[::-1]
                if child in members and child not in came:
                    came[child] = node
                    nxt.append(child)
        frontier = nxt
    return []


def test_the_circle_finder_finds_circles():
    edges = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
    assert strongly_connected(edges) == [["a", "b", "c"]]
