"""Documents -> chunks -> the store, incrementally, under a lock, with progress and a summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from tqdm import tqdm

from index.ahead import ReadAhead
from index.embed import Embedder
from index.errors import IndexBusy, RemovalRefused
from index.retrieve import index_texts
from index.store import ChunkStore
from ingest.chunk import CHUNK_MAX_TOKENS, CHUNK_TOKENS, chunk_document
from ingest.errors import raise_storage
from ingest.types import Chunk, Document

log = logging.getLogger(__name__)

# Written before an ingestion changes the index, removed once it finished: still there, the
# ingestion was cut short (killed, crashed) and the index holds part of the corpus.
MARKER = "ingest.incomplete"
INCOMPLETE = "the index is incomplete: run `ruta ingest`"


def incomplete_notice(data_dir: Path) -> str:
    """INCOMPLETE when an ingestion into ``data_dir`` was cut short, else ""."""
    return INCOMPLETE if (data_dir / MARKER).exists() else ""


def removal_check(docs: int, indexed: set[str], gone: set[str]) -> None:
    """Refuse to remove what cannot be replaced: every indexed document at once (an empty,
    mistyped or unmounted corpus folder) or more than half of them."""
    if not gone or len(gone) * 2 <= len(indexed):
        return
    why = (
        "the corpus folder holds no documents (is it the right folder? is it mounted?)"
        if docs == 0
        else f"{len(gone)} of the {len(indexed)} indexed documents are no longer in the corpus"
    )
    raise RemovalRefused(
        f"{why}; the index was left as it is. Pass --allow-removals to remove them "
        "(or --rebuild to build the index anew)"
    )


@dataclass(frozen=True)
class BuildReport:
    """What one ingestion did."""

    documents: int
    chunks: int
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept: tuple[str, ...] = ()  # failed to load: their last good indexed version stays
    chunks_per_doc: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    # Every chunk of ``docs``, in order (what answers may quote), so nothing chunks them again.
    chunk_list: tuple[Chunk, ...] = field(default=(), repr=False)
    sentences: int = 0  # what build_index's ``sentences`` counted (new sentence vectors)


def embed_chunks(embedder: Embedder, chunks: list[Chunk], texts: list[str]) -> np.ndarray:
    """The chunks' vectors: from the embedder's ``chunk_passages`` when it has one (vectors
    pooled from the sentences, see index/pooled.py), else from their indexed texts."""
    pooled = getattr(embedder, "chunk_passages", None)
    return pooled(chunks, texts) if pooled is not None else embedder.passages(texts)


def ingest_lock(data_dir: Path, wait_s: float = 0.0) -> FileLock:
    """One writer at a time: a second ingestion waits ``wait_s`` then refuses."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise_storage(exc, f"the data folder {data_dir}", "run `ruta ingest` again")
        raise
    return FileLock(str(data_dir / "ingest.lock"), timeout=wait_s)


def build_index(
    docs: Iterable[Document],
    targets: Sequence[tuple[ChunkStore, Embedder]]
    | Callable[[], Sequence[tuple[ChunkStore, Embedder]]],
    data_dir: Path,
    *,
    chunk_tokens: int = CHUNK_TOKENS,
    chunk_max_tokens: int = CHUNK_MAX_TOKENS,
    rebuild: bool = False,
    prune: bool = True,
    progress: bool = True,
    wait_s: float = 0.0,
    keep: Collection[str] = (),
    allow_removals: bool = False,
    expected: Collection[str] | None = None,
    sentences: Callable[[Sequence[Chunk]], int] | None = None,
) -> BuildReport:
    """Bring every store in line with ``docs``; unchanged documents cost nothing. ``keep``
    names documents that failed to load: their indexed version stays. Removing more than half
    of the index needs ``allow_removals`` (or ``rebuild``): see removal_check.

    ``docs`` is read (loaded, when it loads as it goes: ingest.pipeline.iter_corpus) and
    chunked in a thread, a few documents ahead of the embedding (index/ahead.py). When it is
    not a sequence, ``expected`` names every id its documents have or would have, for the
    removal check to run before anything changes; one expected but not delivered is kept like
    ``keep``. ``sentences`` runs on each document's chunks once they are stored (unchanged
    documents too), e.g. to embed the sentences answers will score; its counts are summed."""
    started = time.perf_counter()
    if expected is None:
        docs = list(docs)
        expected = {d.doc_id for d in docs}
    lock = ingest_lock(data_dir, wait_s)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexBusy(
            f"another ingestion is running (lock {lock.lock_file}); wait for it to finish "
            "or pass --wait SECONDS"
        ) from exc
    except OSError as exc:  # a read-only or full data folder: the lock file cannot be made
        raise_storage(exc, f"the data folder {data_dir}", "run `ruta ingest` again")
        raise
    bar = tqdm(total=len(expected) or None, unit="doc", desc="ingest", disable=not progress)
    seen = {"loaded": 0, "chunks": 0, "sentences": 0}

    def chunked(doc: Document) -> tuple[Document, list[Chunk]]:
        seen["loaded"] += 1
        bar.set_postfix(seen, refresh=False)
        return doc, chunk_document(doc, chunk_tokens, chunk_max_tokens)

    ahead: ReadAhead[tuple[Document, list[Chunk]]] | None = None
    try:
        # Started before the stores open: the first documents load meanwhile.
        ahead = ReadAhead(chunked(doc) for doc in docs)
        # A callable opens the store only once the lock is held: a refused run touches nothing.
        if callable(targets):
            targets = targets()
        marker = data_dir / MARKER
        if rebuild:  # dropping the collections is the first change
            _mark(marker)
        for store, _ in targets:
            store.create(rebuild=rebuild)
        states = [store.doc_states() for store, _ in targets]
        indexed = {d for s in states for d in s}
        known = set(expected) | set(keep)
        if not (rebuild or allow_removals):
            removal_check(len(expected), indexed, (indexed - known) if prune else set())
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        per_doc: dict[str, int] = {}
        every: list[Chunk] = []
        for doc, chunks in ahead:
            every += chunks
            per_doc[doc.doc_id] = len(chunks)
            current = [s.get(doc.doc_id) for s in states]
            # Per store: a collection added since (a weight turned on) gets only its own vectors.
            stale = [
                i
                for i, c in enumerate(current)
                if not (
                    c and c.doc_hash == doc.content_hash and c.expected == c.stored == len(chunks)
                )
            ]
            if stale:
                if not marker.exists():
                    _mark(marker)
                (replaced if any(current) else added).append(doc.doc_id)
                texts = index_texts(chunks)
                for i in stale:
                    store, embedder = targets[i]
                    vectors = embed_chunks(embedder, chunks, texts)
                    store.replace_doc(doc.doc_id, doc.content_hash, chunks, vectors)
                seen["chunks"] += len(chunks)
            else:
                unchanged.append(doc.doc_id)
            if sentences is not None:
                seen["sentences"] += sentences(chunks)
            bar.set_postfix(seen, refresh=False)
            bar.update(1)
        wanted = set(per_doc)
        kept = sorted((indexed & known) - wanted)
        gone = sorted(indexed - wanted - set(kept)) if prune else []
        if gone and not marker.exists():
            _mark(marker)
        for doc_id in gone:
            for store, _ in targets:
                store.delete_doc(doc_id)
        if rebuild or added or replaced or gone:
            for store, _ in targets:
                store.mark_changed()  # running servers reload on their next request
        marker.unlink(missing_ok=True)
        if bar.total and bar.n < bar.total:  # files that failed to load
            bar.update(bar.total - bar.n)
        return BuildReport(
            documents=len(per_doc),
            chunks=sum(per_doc.values()),
            added=tuple(added),
            replaced=tuple(replaced),
            removed=tuple(gone),
            unchanged=tuple(unchanged),
            kept=tuple(kept),
            chunks_per_doc=per_doc,
            seconds=time.perf_counter() - started,
            chunk_list=tuple(every),
            sentences=seen["sentences"],
        )
    finally:
        if ahead is not None:
            ahead.close()  # stops the reading thread when the build stopped early
        bar.close()
        lock.release()


def _mark(marker: Path) -> None:
    try:
        marker.write_text(time.strftime("started %Y-%m-%dT%H:%M:%S\n"), encoding="utf-8")
    except OSError as exc:
        raise_storage(exc, f"the data folder {marker.parent}", "run `ruta ingest` again")
        raise
