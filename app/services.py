"""Builds the long-lived parts (embedders, stores, retriever, LLM) from Settings, once."""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import cached_property, lru_cache

from app.llms import LLM, make_llm
from app.settings import Settings
from index.embed import CachedEmbedder, Embedder, LazyEmbedder
from index.retrieve import INDEX_TEXT_VERSION, HybridRetriever, Reranker, RetrievalConfig
from index.store import ChunkStore, open_client
from index.vectors import PersistedEmbedder
from ingest.chunk import CHUNKER_VERSION
from ingest.errors import RutaError

log = logging.getLogger(__name__)

# How often a running server asks the store whether an ingestion changed it (one metadata read).
RELOAD_CHECK_S = 2.0


@lru_cache(maxsize=8)
def shared_embedder(spec: str) -> Embedder:
    """One loaded copy of each model per process: loading takes seconds, the weights never
    change, and every Services (the server's, a CLI command's, each test's) can share them.
    Each loads on first use (see LazyEmbedder)."""
    return CachedEmbedder(LazyEmbedder(spec))


def fingerprint(settings: Settings, embedder_name: str) -> dict[str, str]:
    """What a collection must have been built with for its vectors to be usable. Not the
    cleaning: a cleaner change alters documents' hashes (see CLEANER_VERSION), so the next
    `ruta ingest` replaces them incrementally, no rebuild needed."""
    return {
        "embedder": embedder_name,
        "chunking": f"v{CHUNKER_VERSION}:{settings.chunk_tokens}:{settings.chunk_max_tokens}",
        "index_text": INDEX_TEXT_VERSION,
    }


@dataclass
class Services:
    """Lazily built, shared by every request. The retriever is rebuilt after a store failure,
    and reloaded in the background when an ingestion (in any process) changed the index: the
    previous one keeps answering until the new one is ready."""

    settings: Settings

    def __post_init__(self) -> None:
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

    def warm_up(self) -> int:
        """Load the index and the models a question needs, before the first question; returns
        the number of chunks. Raises what retriever() raises."""
        self._warming = True
        try:
            retriever = self.retriever()
            retriever.search("warm up", k=1)  # loads the query embedders
            return len(retriever.chunks)
        finally:
            self._warming = False

    @cached_property
    def embedder(self) -> Embedder:
        return shared_embedder(self.settings.embedder)

    @cached_property
    def multilingual_embedder(self) -> Embedder | None:
        name = self.settings.multilingual_embedder
        return None if name in ("", "none") else shared_embedder(name)

    @cached_property
    def sentence_embedder(self) -> PersistedEmbedder:
        """What answers score sentences with (the multilingual embedder when there is one: it
        reads every language), its vectors kept on disk next to the index."""
        base = self.multilingual_embedder or self.embedder
        name = re.sub(r"[^A-Za-z0-9._-]+", "_", base.name).strip("_") or "embedder"
        return PersistedEmbedder(base, self.settings.index_dir / f"sentences-{name}.sqlite")

    @cached_property
    def llm(self) -> LLM | None:
        return make_llm(self.settings)

    def stores(self, *, fresh: bool = False) -> list[tuple[ChunkStore, Embedder]]:
        """The collections to write (main embedder first), on a new client each call."""
        s = self.settings
        client = open_client(s.index_dir, s.chroma_url, fresh=fresh)
        lost = self._store_lost
        main = ChunkStore(client, s.collection, fingerprint(s, s.embedder), on_unavailable=lost)
        out = [(main, self.embedder)]
        if self.multilingual_embedder is not None:
            name = s.multilingual_embedder
            m_store = ChunkStore(
                client, f"{s.collection}__{name}", fingerprint(s, name), on_unavailable=lost
            )
            out.append((m_store, self.multilingual_embedder))
        return out

    def retriever(self) -> HybridRetriever:
        """The shared retriever, built on first use. Raises IndexNotReady when there is no usable
        index and StoreUnavailable when the Chroma server cannot be reached; neither is cached,
        so the next call tries again."""
        with self._lock:
            if self._retriever is None or self._stale:
                self._retriever, self._stale = None, False
                self._building = True
                try:
                    self._retriever, self._generation = self._build_retriever()
                finally:
                    self._building = False
                self._checked = time.monotonic()
                return self._retriever
            current = self._retriever
        self._watch(current)
        return current

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
            new, generation = self._build_retriever(fresh=True)
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

    def ready(self) -> HybridRetriever:
        """The retriever, once its store has answered now (health checks): a Chroma server that
        went away since the retriever was built shows here, not only on the next question."""
        retriever = self.retriever()
        retriever.store.count()  # raises StoreUnavailable (and marks the retriever stale)
        return retriever

    def _store_lost(self) -> None:
        # Called by a store whose Chroma server stopped answering, possibly while this lock is
        # held (a failing build): only flag it. The next retriever() builds everything anew: a
        # fresh client, and the chunks and BM25 of whatever the server holds when it is back.
        self._stale = True

    def _build_retriever(self, *, fresh: bool = False) -> tuple[HybridRetriever, str]:
        s = self.settings
        targets = self.stores(fresh=fresh)
        for store, _ in targets:
            store.open()
        main, embedder = targets[0]
        generation = main.generation()  # before reading: a change during the read shows next
        config = RetrievalConfig(s.candidates, s.bm25_weight, s.dense_weight, s.multilingual_weight)
        reranker = Reranker(s.reranker) if s.reranker else None
        multi = targets[1] if len(targets) > 1 else None
        return HybridRetriever(main, embedder, config, multi, reranker), generation
