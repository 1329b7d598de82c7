"""The retriever a long-running process serves from, kept current with the store.

Built on first use, rebuilt after a store failure, and reloaded in the background when an
ingestion (in any process) changed the index: the previous one keeps answering until the new
one is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from index import snapshot
from index.errors import IndexNotReady
from index.retrieve import HybridRetriever, Prepared, Reranker, RetrievalConfig
from index.stores import Targets
from ingest.errors import RutaError

log = logging.getLogger(__name__)

# How often a running server asks the store whether an ingestion changed it (one metadata read).
RELOAD_CHECK_S = 2.0


class LiveRetriever:
    """``get()`` hands out the current retriever. ``targets(fresh)`` opens the collections to
    read (main first), on stores that call ``mark_stale`` when their server stops answering."""

    def __init__(
        self,
        targets: Callable[[bool], Targets],
        config: RetrievalConfig,
        reranker: str = "",
        snapshot: Path | None = None,
        extras: Callable[[Prepared], object] | None = None,
    ) -> None:
        # ``snapshot``: where the prepared state is kept (index/snapshot.py); ``extras`` adds
        # what the answer step derives from the chunks to a state derived here, before saving.
        self._snapshot = snapshot
        self._extras = extras
        self._targets = targets
        self._config = config
        self._reranker = reranker
        self._lock = threading.Lock()
        self._watch_lock = threading.Lock()
        self._retriever: HybridRetriever | None = None
        self._generation = ""
        self._checked = 0.0
        self._reloading = False
        self._stale = False
        self._building = False
        self._warming = False

    @property
    def loading(self) -> bool:
        """The index or the models are still loading (health checks say so at once)."""
        return self._building or self._warming

    def warm_up(self, also: Callable[[], object] | None = None) -> int:
        """Load the index and the query models before the first question, then run ``also``
        (what else answers would load on first use), all while ``loading``; returns the number
        of chunks. Raises what get() raises."""
        self._warming = True
        try:
            retriever = self.get()
            retriever.search("warm up", k=1)  # loads the query embedders
            if also is not None:
                also()
            return len(retriever.chunks)
        finally:
            self._warming = False

    def get(self) -> HybridRetriever:
        """The shared retriever, built on first use. Raises IndexNotReady when there is no usable
        index and StoreUnavailable when the Chroma server cannot be reached; neither is cached,
        so the next call tries again."""
        with self._lock:
            if self._retriever is None or self._stale:
                self._retriever, self._stale = None, False
                self._building = True
                try:
                    self._retriever, self._generation = self._build()
                finally:
                    self._building = False
                self._checked = time.monotonic()
                return self._retriever
            current = self._retriever
        self._watch(current)
        return current

    def ready(self) -> HybridRetriever:
        """The retriever, once its store has answered now (health checks): a Chroma server that
        went away since the retriever was built shows here, not only on the next question."""
        retriever = self.get()
        retriever.store.count()  # raises StoreUnavailable (and marks the retriever stale)
        return retriever

    def mark_stale(self) -> None:
        # Called by a store whose Chroma server stopped answering, possibly while this lock is
        # held (a failing build): only flag it. The next get() builds everything anew: a
        # fresh client, and the chunks and BM25 of whatever the server holds when it is back.
        self._stale = True

    def _watch(self, current: HybridRetriever) -> None:
        """Start a background reload when the store's generation moved on."""
        with self._watch_lock:
            now = time.monotonic()
            if self._reloading or now - self._checked < RELOAD_CHECK_S:
                return
            self._checked = now
            try:
                changed = current.store.generation() != self._generation
            except RutaError:
                return  # mid-rebuild or server away: the next query says what is wrong
            if changed:
                self._reloading = True
                threading.Thread(target=self._reload, name="ruta-reload", daemon=True).start()

    def _reload(self) -> None:
        try:
            new, generation = self._build(fresh=True)
        except RutaError as exc:
            log.warning(
                "the index changed but could not be reloaded (%s); still serving the previous one",
                exc,
            )
        else:
            with self._lock:
                self._retriever, self._generation = new, generation
            log.info("the index changed: reloaded, %d chunks", len(new.chunks))
        finally:
            self._reloading = False

    def _build(self, *, fresh: bool = False) -> tuple[HybridRetriever, str]:
        targets = self._targets(fresh)
        for store, _ in targets:
            store.open()
        main, embedder = targets[0]
        generation = main.generation()  # before reading: a change during the read shows next
        counts = {store.name: store.count() for store, _ in targets}
        if len(set(counts.values())) > 1:
            # A weight turned on since the last ingestion, or an ingestion that stopped midway.
            raise IndexNotReady(
                f"the collections searched hold different numbers of chunks ({counts}): some "
                "vectors are missing; run `ruta ingest` to add them"
            )
        reranker = Reranker(self._reranker) if self._reranker else None
        multi = targets[1] if len(targets) > 1 else None
        prepared = None if self._snapshot is None else snapshot.load(self._snapshot, generation)
        retriever = HybridRetriever(main, embedder, self._config, multi, reranker, prepared)
        if prepared is None and self._snapshot is not None:
            if self._extras is not None:
                self._extras(retriever.prepared)
            snapshot.save(self._snapshot, generation, retriever.prepared)
        return retriever, generation
