"""Hybrid retrieval: BM25 and dense search fused by weighted min-max scores, optional reranker."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.analysis import Analysis, analyse_query
from index.embed import Embedder, embed_ahead
from index.errors import BadQuestion
from index.filters import Filters, FiltersIn, FilterValue, checked, matches
from index.lang import detect_language
from index.lemmas import terms
from index.parts import QueryPlan, doc_names, merge_parts
from index.referents import referent
from index.store import ChunkStore
from index.types import Hit
from ingest.types import Chunk

log = logging.getLogger(__name__)

Ranked = list[tuple[Chunk, float]]


# Bumped whenever index_text changes: stored vectors were computed from the old text.
INDEX_TEXT_VERSION = "3"


def index_text(chunk: Chunk, previous: Chunk | None = None) -> str:
    """What is embedded and BM25-indexed: the passage under a short label of its document (the
    publisher's name and the document's kind), its section path, and the name its opening refers
    back to ("the Platform" -> the platform's name), found in its sub-heading or in ``previous``,
    the chunk before it. The full title and publisher list are left to BM25 (lexical_text): in
    the vector of every short passage they drowned what the passage says."""
    head = " - ".join(p for p in (doc_label(chunk), chunk.section) if p)
    name = referent(chunk, previous)
    text = f"({name}) {chunk.text}" if name else chunk.text
    return f"{head}\n{text}" if head else text


def doc_label(chunk: Chunk) -> str:
    """A short name for the chunk's document: "IECAH study", "K4DD helpdesk review"."""
    name = re.split(r"[,(]", chunk.publisher, maxsplit=1)[0].strip() or chunk.title
    kind = chunk.kind if chunk.kind not in ("", "document") else ""
    return " ".join(p for p in (name, kind) if p)


def lexical_text(chunk: Chunk, indexed: str) -> str:
    """What BM25 reads: the indexed text and the document's title and publisher."""
    return f"{chunk.title} - {chunk.publisher}\n{indexed}"


def index_texts(chunks: Sequence[Chunk]) -> list[str]:
    """index_text of each chunk, with the chunk before it in the same document as context."""
    by_id = {c.chunk_id: c for c in chunks}
    return [index_text(c, by_id.get(previous_id(c))) for c in chunks]


def previous_id(chunk: Chunk) -> str:
    """The id of the chunk before this one in its document ("doc#0007" -> "doc#0006")."""
    doc, _, n = chunk.chunk_id.rpartition("#")
    return f"{doc}#{int(n) - 1:0{len(n)}d}" if n.isdigit() and int(n) > 0 else ""


@dataclass(frozen=True)
class RetrievalConfig:
    """Knobs of the hybrid search; built from Settings by app.services.retrieval_config."""

    candidates: int
    bm25_weight: float
    dense_weight: float
    multilingual_weight: float
    foreign_lexical: float = 0.25  # BM25 and English-dense weight factor for other languages
    split_parts: bool = True  # retrieve for each part of a two-part question


class _BM25:
    """BM25 (bm25s, Lucene scoring) over lemmatised terms: each passage in its own language, the
    query in its own, so "co-led" meets "co-lead" and "agencies" meets "agency". LlamaIndex's
    BM25Retriever only takes a Snowball stemmer over a regex split (its ``tokenizer`` argument
    is deprecated and ignored), hence bm25s directly, with pre-tokenised input."""

    def __init__(self, chunks: Sequence[Chunk], top_k: int, texts: dict[str, str]) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG

        self._chunks = list(chunks)
        self._top_k = top_k
        self._bm25 = None
        corpus = [
            terms(lexical_text(c, texts[c.chunk_id]), detect_language(c.text)) for c in self._chunks
        ]
        if any(corpus):
            self._bm25 = bm25s.BM25()
            # an empty passage would break bm25s' vocabulary; it simply never matches
            self._bm25.index([t or [""] for t in corpus], show_progress=False)

    def scores(self, query: str, lang: str | None = None) -> np.ndarray:
        """BM25 score of every chunk (in ``self._chunks`` order) for the query in ``lang``
        (guessed when not given)."""
        if self._bm25 is None:
            return np.zeros(len(self._chunks))
        words = terms(query, lang or detect_language(query))
        if not words:
            return np.zeros(len(self._chunks))
        return np.asarray(bm25_scores(self._bm25, words), dtype=float)

    def search(
        self, query: str, n: int | None = None, lang: str | None = None
    ) -> list[tuple[Chunk, float]]:
        s = self.scores(query, lang)
        return [(self._chunks[i], float(s[i])) for i in top_order(s, n or self._top_k) if s[i] > 0]


def bm25_scores(bm25: Any, words: list[str]) -> np.ndarray:
    """What bm25s' ``get_scores(words)`` returns, added up by slices: a term's postings name
    each document once, so ``scores[docs] += weights`` adds what its ``np.add.at`` adds, in the
    same order, at a ninth of the cost (100,000 chunks: 8.3 -> 0.9 ms of CPU a query)."""
    index = bm25.scores  # the eager index, CSC: per term, its documents and their weights
    data, docs, starts = index["data"], index["indices"], index["indptr"]
    ids = np.asarray(bm25.get_tokens_ids(words), dtype=np.dtype(bm25.int_dtype))
    scores = np.zeros(index["num_docs"], dtype=np.dtype(bm25.dtype))
    for t in ids:
        a, b = starts[t], starts[t + 1]
        scores[docs[a:b]] += data[a:b]
    if bm25.nonoccurrence_array is not None:  # the BM25L/BM25+ variants (not Lucene's)
        scores += bm25.nonoccurrence_array[ids].sum()
    return scores


def top_order(scores: np.ndarray, n: int) -> np.ndarray:
    """The indices of the ``n`` best scores, best first, ties by index: what a stable full
    sort gives, without sorting all of them (100,000 chunks: 8 ms -> under 1 ms)."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")
    cut = np.partition(scores, len(scores) - n)[len(scores) - n]  # the n-th best score
    near = np.flatnonzero(scores >= cut)  # every tie at the cut, in index order
    return near[np.argsort(-scores[near], kind="stable")][:n]


@dataclass
class Prepared:
    """What a retriever derives from the chunks before its first search (at 100k chunks, most
    of a server's start): kept on disk next to the index by index/snapshot.py. ``extras``
    holds what the answer step derives too (its term statistics), as plain data."""

    chunks: list[Chunk]
    texts: dict[str, str]
    bm25: _BM25
    doc_names: dict[str, set[str]]
    prior: dict[str, float]
    extras: dict[str, object]

    @classmethod
    def of(cls, chunks: list[Chunk], candidates: int) -> Prepared:
        texts = dict(zip((c.chunk_id for c in chunks), index_texts(chunks), strict=True))
        return cls(
            chunks,
            texts,
            _BM25(chunks, candidates, texts),
            doc_names(chunks),
            {c.chunk_id: _prior(c) for c in chunks},
            {},
        )


class HybridRetriever:
    """Searches one or two dense collections and BM25, and fuses their min-max scores (_fuse)."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        config: RetrievalConfig,
        multilingual: tuple[ChunkStore, Embedder] | None = None,
        reranker: Reranker | None = None,
        prepared: Prepared | None = None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.config = config
        self.multilingual = multilingual
        self.reranker = reranker
        # ``prepared``: loaded from disk (index/snapshot.py); otherwise read and derived now.
        self.prepared = prepared or Prepared.of(store.all_chunks(), config.candidates)
        self.chunks = self.prepared.chunks
        self._by_id = {c.chunk_id: c for c in self.chunks}
        self._texts = self.prepared.texts
        self._bm25 = self.prepared.bm25
        self._doc_names = self.prepared.doc_names
        self._prior = self.prepared.prior
        self.doc_ids = frozenset(c.doc_id for c in self.chunks)
        log.info("retriever ready: %d chunks", len(self.chunks))

    def analyse(self, query: str, lang: str | None = None) -> Analysis:
        """The question's one analysis, with the documents of this index it names."""
        names = self._doc_names if self.config.split_parts else None
        return analyse_query(query.strip(), names, lang)

    def search(
        self, query: str | Analysis, k: int = 5, filters: FiltersIn | None = None
    ) -> list[Hit]:
        """The top ``k`` passages for a question, or for its analysis (``analyse``)."""
        if isinstance(query, str) and not query.strip():
            raise BadQuestion.empty()
        asked = query if isinstance(query, Analysis) else self.analyse(query)
        query, lang = asked.text, asked.lang
        if not query:
            raise BadQuestion.empty()
        filters = checked(filters, self.doc_ids)
        asks = asked.plan if self.config.split_parts else QueryPlan()
        embed_ahead(self.query_texts(asked))  # the question and its parts at once
        hits = self._rank(asks.scoped or query, filters, lang)
        if asks.parts or len(asks.docs) >= 2:
            # Each part's best passage, then each named document's, ahead of the rest: a
            # two-part question needs both, and one ranking tends to serve only one of them.
            parts = [self._rank(p, filters, lang) for p in asks.parts]
            docs = [] if "doc_id" in filters else asks.docs
            hits = merge_parts(hits, parts, docs, self._rank_in_doc(query, filters, lang))
        if self.reranker is not None:
            hits = self.reranker.rerank(query, hits[: max(k * 4, 20)], self._texts)
        return [
            Hit(h.chunk, h.score, i + 1, h.dense_score, h.bm25_score, self._referent(h.chunk))
            for i, h in enumerate(hits[:k])
        ]

    def query_texts(self, asked: Analysis) -> list[tuple[Embedder, list[str]]]:
        """What ``search`` embeds for ``asked``, by embedder: the question (or its scoped
        form) and its parts. (Not the question searched in one named document alone, when
        the candidates hold none of it: seldom needed, it is embedded then.)"""
        asks = asked.plan if self.config.split_parts else QueryPlan()
        texts = [asks.scoped or asked.text]
        if asks.parts or len(asks.docs) >= 2:
            texts += asks.parts
        use_dense = self.config.dense_weight > 0 or self.multilingual is None
        out = [(self.embedder, texts)] if use_dense else []
        if self.multilingual is not None:
            out.append((self.multilingual[1], texts))
        return out

    def _referent(self, chunk: Chunk) -> str:
        return referent(chunk, self._by_id.get(previous_id(chunk)))

    def _rank(self, query: str, filters: Filters, lang: str) -> list[Hit]:
        """The fused ranking of one query (the question or one of its parts), in the
        question's language."""
        cfg = self.config
        n = cfg.candidates
        use_dense = cfg.dense_weight > 0 or self.multilingual is None
        dense, bm25, m_dense = self._lists(
            query, tuple(sorted(filters.items())), n, use_dense, lang
        )
        dense, bm25, m_dense = dense[:n], bm25[:n], m_dense[:n]
        # Without a multilingual embedder the main one takes its weight.
        dense_w = (
            cfg.dense_weight if self.multilingual else (cfg.dense_weight or cfg.multilingual_weight)
        )
        rankings = [(dense_w, dense), (cfg.bm25_weight, bm25)]
        if self.multilingual is not None:
            # The multilingual embedder is the stronger retriever here (see the README's
            # measurements) and the one that carries Spanish/Portuguese/French questions.
            rankings.append((cfg.multilingual_weight, m_dense))
            if lang != "en":  # English-only signals say little about a question in Spanish
                rankings = [(w * cfg.foreign_lexical, r) for w, r in rankings[:2]] + rankings[2:]
        hits = _fuse(rankings, dense, bm25)
        hits = sorted(
            (
                Hit(
                    h.chunk,
                    h.score * self._prior.get(h.chunk.chunk_id, 1.0),
                    h.rank,
                    h.dense_score,
                    h.bm25_score,
                )
                for h in hits
            ),
            key=lambda h: -h.score,
        )
        return hits

    def _lists(
        self,
        query: str,
        filters: tuple[tuple[str, FilterValue], ...],
        n: int,
        use_dense: bool,
        lang: str,
    ) -> tuple[Ranked, Ranked, Ranked]:
        """The query's candidates from each retriever, best first (the main embedder's only
        when ``use_dense``: it costs an embedding)."""
        where = dict(filters)
        dense: Ranked = []
        if use_dense:
            dense = self._nearest(self.store, self.embedder.queries([query])[0], n, where)
        bm25 = [(c, s) for c, s in self._bm25.search(query, n, lang) if matches(c, where)]
        m_dense: Ranked = []
        if self.multilingual is not None:
            m_store, m_embedder = self.multilingual
            m_dense = self._nearest(m_store, m_embedder.queries([query])[0], n, where)
        return dense, bm25, m_dense

    def _rank_in_doc(self, query: str, filters: Filters, lang: str) -> Callable[[str], list[Hit]]:
        """The fused ranking within one document (query vectors come from the cache)."""
        return lambda doc_id: self._rank(query, {**filters, "doc_id": doc_id}, lang)

    def _nearest(
        self, store: ChunkStore, vec: np.ndarray, n: int, filters: Filters
    ) -> list[tuple[Chunk, float]]:
        """Dense neighbours as the in-memory chunks (ids stored since this retriever loaded,
        by an ingestion it has not reloaded after yet, are left out)."""
        found = store.nearest(vec, n, filters or None)
        return [(self._by_id[cid], sim) for cid, sim in found if cid in self._by_id]


# A passage that says fewer new things than this beyond its document's title and publisher
# (a web page's header: tagline, breadcrumbs, page title) answers nothing; it only matches
# every question that names its document. It is kept, at half its score.
_MIN_NEW_TERMS = 6


def _prior(chunk: Chunk) -> float:
    known = set(terms(f"{chunk.title} {chunk.publisher}"))
    new = set(terms(chunk.text, detect_language(chunk.text))) - known
    return 0.5 if len(new) < _MIN_NEW_TERMS else 1.0


def _fuse(
    rankings: list[tuple[float, list[tuple[Chunk, float]]]],
    dense: list[tuple[Chunk, float]],
    bm25: list[tuple[Chunk, float]],
) -> list[Hit]:
    """Weighted sum of min-max normalised scores. On the dev set this beat reciprocal rank
    fusion (hit@1 0.83 vs 0.78): it keeps how far ahead the best passage is, which RRF drops."""
    scores: dict[str, float] = {}
    chunks: dict[str, Chunk] = {}
    for weight, ranking in rankings:
        if not ranking or weight <= 0:
            continue
        values = [s for _, s in ranking]
        lo, hi = min(values), max(values)
        for chunk, s in ranking:
            norm = (s - lo) / (hi - lo) if hi > lo else 1.0
            scores[chunk.chunk_id] = scores.get(chunk.chunk_id, 0.0) + weight * norm
            chunks[chunk.chunk_id] = chunk
    d = {c.chunk_id: s for c, s in dense}
    b = {c.chunk_id: s for c, s in bm25}
    order = sorted(scores, key=lambda cid: -scores[cid])
    return [Hit(chunks[c], scores[c], i + 1, d.get(c), b.get(c)) for i, c in enumerate(order)]


class Reranker:
    """A cross-encoder from a local folder, re-scoring the fused candidates."""

    def __init__(self, model_dir: str) -> None:
        from sentence_transformers import CrossEncoder

        from index.embed import resolve_model_dir

        self._model = CrossEncoder(str(resolve_model_dir(model_dir)), device="cpu")

    def rerank(self, query: str, hits: list[Hit], texts: dict[str, str] | None = None) -> list[Hit]:
        """Re-score by the cross-encoder; ``texts``: chunk id -> its indexed text."""
        texts = texts or {}
        if not hits:
            return hits
        scores = self._model.predict(
            [(query, texts.get(h.chunk.chunk_id) or index_text(h.chunk)) for h in hits]
        )
        order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
        return [
            Hit(hits[i].chunk, float(scores[i]), r + 1, hits[i].dense_score, hits[i].bm25_score)
            for r, i in enumerate(order)
        ]
