"""One row of the ablation for a language-pack entry. The answering core compiles what it reads
from the packs when it is imported, so a row switches the entry off
(index.lang.packs.switched_off), imports afresh every module of Ruta that reads the packs
(directly or through another), answers the sets with those (the index's terms, BM25 and term
statistics derived afresh; a search replayed unless the entry changed the question's analysis)
and then puts the modules back."""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from index.lang.packs import switched_off

_PROJECT = ("app", "index", "ingest", "eval")
_PACKS = "index.lang.packs"  # kept: it holds what is switched off


@cache
def _imports(path: str) -> frozenset[str]:
    """The modules a source file imports anywhere (a from-import: the module and its names)."""
    out = set()
    for node in ast.walk(ast.parse(Path(path).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return frozenset(out)


def readers() -> set[str]:
    """The loaded modules of Ruta that read the packs, directly or through another."""
    loaded = {
        n: m.__file__
        for n, m in list(sys.modules.items())
        if n.split(".")[0] in _PROJECT and getattr(m, "__file__", None)
    }
    found = {_PACKS, "index.lang"}
    grew = True
    while grew:
        grew = False
        for name, path in loaded.items():
            if name not in found and _imports(path) & found:
                found.add(name)
                grew = True
    return (found - {_PACKS}) & set(loaded)


@contextmanager
def fresh_core(entry: str) -> Iterator[None]:
    """Inside: ``entry`` is off and the modules that read the packs import afresh."""
    names = readers()
    saved = {n: sys.modules.pop(n) for n in names}
    try:
        with switched_off(entry):
            yield
    finally:
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)
        for n, m in saved.items():  # a package's attribute names its module again
            parent, _, child = n.rpartition(".")
            if parent in sys.modules:
                setattr(sys.modules[parent], child, m)


class _Replayed:
    """The replayed searches (an eval.replay.CachedRetriever's) for the analyses that the entry
    leaves as they were, the fresh retriever's for those it changes."""

    def __init__(self, cached: Any, fresh: Any) -> None:
        # By their text: the analyses are of the fresh modules' classes, the cache's of the old.
        self._seen = {(repr(q), k, f): hits for (q, k, f), hits in cached._seen.items()}
        self._fresh = fresh

    def search(self, query: Any, k: int = 5, filters: dict[str, str] | None = None) -> Any:
        key = (repr(query), k, repr(sorted((filters or {}).items())))
        if key not in self._seen:
            self._seen[key] = self._fresh.search(query, k, filters)
        return self._seen[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fresh, name)


def scores(
    entry: str, replay: Any, sets: Sequence[Any], t: Any, utility: Callable[[dict], float]
) -> list[float]:
    """Each set's combined score with ``entry`` switched off (replay: an eval.replay.Replay)."""
    base, old = replay.base, replay.retriever._inner
    with fresh_core(entry):
        answer = importlib.import_module("app.rag.answer")
        retrieve = importlib.import_module("index.retrieve")
        run = importlib.import_module("eval.run")
        # The index's terms, BM25 and term statistics derived afresh, without the entry.
        fresh = retrieve.HybridRetriever(
            old.store, old.embedder, old.config, old.multilingual, old.reranker
        )
        config = replace(base.config, tuning=t)
        answerer = answer.Answerer(_Replayed(replay.retriever, fresh), config, None, base.embedder)
        return [
            utility(
                run.run_eval(s.items, search=_none, ask=answerer.answer, progress=False).metrics
            )
            for s in sets
        ]


def _none(question: str, history: Any) -> list[Any]:
    return []
