"""Builds the long-lived parts (embedders, stores, retriever, LLM) from Settings, once."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cached_property, lru_cache

from app.llms import LLM, make_llm
from app.settings import Settings
from index.embed import CachedEmbedder, Embedder, make_embedder
from index.retrieve import INDEX_TEXT_VERSION, HybridRetriever, Reranker, RetrievalConfig
from index.store import ChunkStore, open_client
from ingest.chunk import CHUNKER_VERSION
from ingest.pipeline import CLEANER_VERSION

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def shared_embedder(spec: str) -> Embedder:
    """One loaded copy of each model per process: loading takes seconds, the weights never
    change, and every Services (the server's, a CLI command's, each test's) can share them."""
    return CachedEmbedder(make_embedder(spec))


def fingerprint(settings: Settings, embedder_name: str) -> dict[str, str]:
    """What a collection must have been built with for its vectors to be usable."""
    return {
        "embedder": embedder_name,
        "chunking": f"v{CHUNKER_VERSION}:{settings.chunk_tokens}:{settings.chunk_max_tokens}",
        "cleaning": CLEANER_VERSION,
        "index_text": INDEX_TEXT_VERSION,
    }


@dataclass
class Services:
    """Lazily built, shared by every request; the retriever is rebuilt after a store failure."""

    settings: Settings

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._retriever: HybridRetriever | None = None
        self._stale = False

    @cached_property
    def embedder(self) -> Embedder:
        return shared_embedder(self.settings.embedder)

    @cached_property
    def multilingual_embedder(self) -> Embedder | None:
        name = self.settings.multilingual_embedder
        return None if name in ("", "none") else shared_embedder(name)

    @cached_property
    def llm(self) -> LLM | None:
        return make_llm(self.settings)

    def stores(self) -> list[tuple[ChunkStore, Embedder]]:
        """The collections to write (main embedder first), on a fresh client each call."""
        s = self.settings
        client = open_client(s.index_dir, s.chroma_url)
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
                self._retriever = self._build_retriever()
            return self._retriever

    def ready(self) -> HybridRetriever:
        """The retriever, once its store has answered now (health checks): a Chroma server that
        went away since the retriever was built shows here, not only on the next question."""
        retriever = self.retriever()
        retriever.store.count()  # raises StoreUnavailable (and marks the retriever stale)
        return retriever

    def reset(self) -> None:
        with self._lock:
            self._retriever = None

    def _store_lost(self) -> None:
        # Called by a store whose Chroma server stopped answering, possibly while this lock is
        # held (a failing build): only flag it. The next retriever() builds everything anew: a
        # fresh client, and the chunks and BM25 of whatever the server holds when it is back.
        self._stale = True

    def _build_retriever(self) -> HybridRetriever:
        s = self.settings
        targets = self.stores()
        for store, _ in targets:
            store.open()
        main, embedder = targets[0]
        config = RetrievalConfig(s.candidates, s.bm25_weight, s.dense_weight, s.multilingual_weight)
        reranker = Reranker(s.reranker) if s.reranker else None
        multi = targets[1] if len(targets) > 1 else None
        return HybridRetriever(main, embedder, config, multi, reranker)
