"""Builds the long-lived parts (embedders, stores, retriever, LLM) from Settings, once."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import cached_property

from app.llms import LLM, make_llm
from app.settings import Settings
from index.embed import Embedder, make_embedder
from index.retrieve import HybridRetriever, Reranker, RetrievalConfig
from index.store import ChunkStore, open_client
from ingest.chunk import CHUNKER_VERSION
from ingest.pipeline import CLEANER_VERSION

log = logging.getLogger(__name__)


def fingerprint(settings: Settings, embedder_name: str) -> dict[str, str]:
    """What a collection must have been built with for its vectors to be usable."""
    return {
        "embedder": embedder_name,
        "chunking": f"v{CHUNKER_VERSION}:{settings.chunk_tokens}:{settings.chunk_max_tokens}",
        "cleaning": CLEANER_VERSION,
    }


@dataclass
class Services:
    """Lazily built, shared by every request; the retriever reloads after a re-ingest."""

    settings: Settings

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._retriever: HybridRetriever | None = None

    @cached_property
    def embedder(self) -> Embedder:
        return make_embedder(self.settings.embedder)

    @cached_property
    def multilingual_embedder(self) -> Embedder | None:
        name = self.settings.multilingual_embedder
        return None if name in ("", "none") else make_embedder(name)

    @cached_property
    def llm(self) -> LLM | None:
        return make_llm(self.settings)

    def stores(self) -> list[tuple[ChunkStore, Embedder]]:
        """The collections to write (main embedder first), on a fresh client each call."""
        s = self.settings
        client = open_client(s.index_dir, s.chroma_url)
        out = [(ChunkStore(client, s.collection, fingerprint(s, s.embedder)), self.embedder)]
        if self.multilingual_embedder is not None:
            name = s.multilingual_embedder
            m_store = ChunkStore(client, f"{s.collection}__{name}", fingerprint(s, name))
            out.append((m_store, self.multilingual_embedder))
        return out

    def retriever(self) -> HybridRetriever:
        """The shared retriever, built on first use (raises IndexNotReady if there is none)."""
        with self._lock:
            if self._retriever is None:
                self._retriever = self._build_retriever()
            return self._retriever

    def reset(self) -> None:
        with self._lock:
            self._retriever = None

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
