"""The composition root: builds the long-lived parts (models, stores, retriever, LLM, answerer)
and runs an ingestion, from Settings. Every edge, test and benchmark assembles Ruta here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, partial
from pathlib import Path

from app.rag.answer import AnswerConfig, Answerer
from app.rag.llms import LLM, make_llm
from app.rag.reader import Tuning, prime_sentence_vectors
from app.settings import Settings
from index.build import BuildReport, build_index, incomplete_notice
from index.embed import CachedEmbedder, Embedder, LazyEmbedder
from index.live import LiveRetriever
from index.retrieve import HybridRetriever, RetrievalConfig
from index.stores import StoreConfig, Targets, open_stores
from index.vectors import PersistedEmbedder
from ingest.pipeline import Failure, link_doc_id, linked_documents, load_corpus
from ingest.sources import derive_source, read_manifest


@lru_cache(maxsize=8)
def shared_embedder(spec: str) -> Embedder:
    """One loaded copy of each model per process: loading takes seconds, the weights never
    change, and every Services (the server's, a CLI command's, each test's) can share them.
    Each loads on first use (see LazyEmbedder)."""
    return CachedEmbedder(LazyEmbedder(spec))


def store_config(s: Settings) -> StoreConfig:
    return StoreConfig(s.index_dir, s.chroma_url, s.collection, s.chunk_tokens, s.chunk_max_tokens)


def retrieval_config(s: Settings) -> RetrievalConfig:
    return RetrievalConfig(s.candidates, s.bm25_weight, s.dense_weight, s.multilingual_weight)


def answer_config(s: Settings) -> AnswerConfig:
    return AnswerConfig(
        s.top_k,
        s.max_question_chars,
        replace(Tuning(), answer_min=s.refusal_threshold),
        max_history_turns=s.max_history_turns,
        timeout_s=s.request_timeout_s,
    )


@dataclass
class Services:
    """Lazily built, shared by every request: the models (loaded once), the LLM, the stores
    and the live retriever (see index/live.py)."""

    settings: Settings

    def __post_init__(self) -> None:
        self.live = LiveRetriever(
            lambda fresh: self.stores(fresh=fresh),
            retrieval_config(self.settings),
            self.settings.reranker,
        )

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

    def stores(self, *, fresh: bool = False) -> Targets:
        """The collections to write (main embedder first), on a new client each call."""
        s = self.settings
        embedders = [(s.embedder, self.embedder)]
        if self.multilingual_embedder is not None:
            embedders.append((s.multilingual_embedder, self.multilingual_embedder))
        config = store_config(s)
        return open_stores(config, embedders, fresh=fresh, on_unavailable=self.live.mark_stale)

    def retriever(self) -> HybridRetriever:
        """The shared retriever (see LiveRetriever.get)."""
        return self.live.get()

    def ready(self) -> HybridRetriever:
        return self.live.ready()

    @property
    def loading(self) -> bool:
        return self.live.loading

    def warm_up(self) -> int:
        return self.live.warm_up()


def make_answerer(settings: Settings, services: Services | None = None) -> Answerer:
    """An Answerer over the current retriever, with the configured LLM and sentence vectors."""
    services = services or Services(settings)
    config = answer_config(settings)
    notice = partial(incomplete_notice, settings.data_dir)
    return Answerer(services.retriever(), config, services.llm, services.sentence_embedder, notice)


@dataclass(frozen=True)
class Ingested:
    """What `ruta ingest` did: the build, the files that failed, the new sentence vectors."""

    report: BuildReport
    failures: list[Failure] = field(default_factory=list)
    sentences: int = 0


def failed_doc_ids(corpus: Path, failures: list[Failure]) -> set[str]:
    """The ids the files that failed to load had (or would have): the index keeps those."""
    manifest = read_manifest(corpus)
    ids = set()
    for f in failures:
        path = corpus / f.path
        if f.path in manifest:
            ids.add(manifest[f.path].id)
        elif path.is_file():
            ids.add(derive_source(path, corpus).id)
    return ids


def ingest_corpus(
    services: Services,
    *,
    corpus: Path | None = None,
    fetch_links: bool = False,
    rebuild: bool = False,
    progress: bool = False,
    wait_s: float = 0.0,
    sentences: bool | None = None,
    allow_removals: bool = False,
) -> Ingested:
    """Load, clean, chunk (once) and index the corpus; then embed the sentences answers may
    quote (``sentences``, default: the precompute_sentences setting). A file that fails to load
    keeps its indexed version; removing more than half of the index needs ``allow_removals``."""
    settings = services.settings
    folder = corpus or settings.corpus_dir
    docs, failures = load_corpus(folder)
    keep = failed_doc_ids(folder, failures)
    if fetch_links:
        linked, link_failures = linked_documents(docs, settings.data_dir / "links")
        docs += linked
        failures += link_failures
        keep |= {link_doc_id(f.path) for f in link_failures}
    report = build_index(
        docs,
        services.stores,
        settings.data_dir,
        chunk_tokens=settings.chunk_tokens,
        chunk_max_tokens=settings.chunk_max_tokens,
        rebuild=rebuild,
        progress=progress,
        wait_s=wait_s,
        keep=keep,
        allow_removals=allow_removals,
    )
    primed = 0
    if settings.precompute_sentences if sentences is None else sentences:
        primed = prime_sentence_vectors(report.chunk_list, services.sentence_embedder, progress)
    return Ingested(report, failures, primed)
