"""Answer question sets many times over under different reader models, cheaply: retrieval is
run once per query and replayed, so a fold of the cross-validation or a row of the ablation
costs the reader only. What is scored is exactly what `ruta eval` scores (eval.run)."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.rag.answer import Answerer, prepare
from app.rag.choose import Reading, read
from app.rag.model import Tuning
from app.rag.question import analyse
from eval.questions import Item, load_items
from eval.run import run_eval
from index.lang import detect_language
from index.types import Hit


class CachedRetriever:
    """A retriever whose searches are remembered: the same query gives the same hits."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._seen: dict[tuple[str, int, str], list[Hit]] = {}

    def search(self, query: str, k: int, filters: dict[str, str] | None = None) -> list[Hit]:
        key = (query, k, repr(sorted((filters or {}).items())))
        if key not in self._seen:
            self._seen[key] = self._inner.search(query, k, filters)
        return self._seen[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def load(self, path: Path | None) -> None:
        """Searches remembered by an earlier run (``save``), for the same index."""
        if path is not None and path.exists():
            self._seen.update(pickle.loads(path.read_bytes()))

    def save(self, path: Path | None) -> None:
        if path is not None:
            path.write_bytes(pickle.dumps(self._seen))


@dataclass(frozen=True)
class QuestionSet:
    name: str
    path: Path
    sha256: str
    items: tuple[Item, ...]


def load_set(path: Path) -> QuestionSet:
    items, _ = load_items(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return QuestionSet(path.stem, path, digest, tuple(items))


class Replay:
    """One answerer over a cached retriever; ``answerer(t)`` answers with reader model ``t``."""

    def __init__(self, base: Answerer, cache: Path | None = None) -> None:
        self.base = base
        self.retriever = CachedRetriever(base.retriever)
        self.cache = cache
        self.retriever.load(cache)

    def remember(self) -> None:
        """Keep this run's searches in the cache file, if any (a local file, for reruns)."""
        self.retriever.save(self.cache)

    def answerer(self, t: Tuning) -> Answerer:
        config = replace(self.base.config, tuning=t)
        return Answerer(self.retriever, config, None, self.base.embedder)  # type: ignore[arg-type]

    def candidates(self, item: Item) -> list[tuple[Any, list[Hit]]]:
        """The analysed queries an answer would read and their hits (see Answerer.stream)."""
        a = self.base
        q, queries = prepare(item.question, item.history, a.config.max_question_chars)
        lang = detect_language(q)
        # The Answerer's own analysis: with the documents of this index a question names.
        asked = [self.retriever.analyse(qy, lang) for qy in queries]
        return [(analyse(x), self.retriever.search(x, a.config.top_k)) for x in asked]

    def reading(self, item: Item, t: Tuning) -> Reading:
        """The reading an answer under ``t`` would use: the best supported candidate."""
        return self.reading_and_hits(item, t)[0]

    def reading_and_hits(self, item: Item, t: Tuning) -> tuple[Reading, list[Hit]]:
        """That reading with the hits it read."""
        a = self.base
        return max(
            ((read(q, hits, a.stats, a.embedder, t), hits) for q, hits in self.candidates(item)),
            key=lambda rh: rh[0].best,
        )

    def metrics(self, items: Sequence[Item], t: Tuning) -> dict[str, Any]:
        """`ruta eval`'s metrics for ``items`` answered under ``t``."""
        ask = self.answerer(t).answer
        return run_eval(items, search=lambda q, h: [], ask=ask, progress=False).metrics
