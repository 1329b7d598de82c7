"""Documents -> chunks -> the store, incrementally, under a lock, with progress and a summary."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout
from tqdm import tqdm

from index.embed import Embedder
from index.errors import IndexBusy, RemovalRefused
from index.retrieve import index_texts
from index.store import ChunkStore
from ingest.chunk import CHUNK_MAX_TOKENS, CHUNK_TOKENS, chunk_document
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


def embed_chunks(embedder: Embedder, chunks: list[Chunk], texts: list[str]) -> np.ndarray:
    """The chunks' vectors: from the embedder's ``chunk_passages`` when it has one (vectors
    pooled from the sentences, see index/pooled.py), else from their indexed texts."""
    pooled = getattr(embedder, "chunk_passages", None)
    return pooled(chunks, texts) if pooled is not None else embedder.passages(texts)


def ingest_lock(data_dir: Path, wait_s: float = 0.0) -> FileLock:
    """One writer at a time: a second ingestion waits ``wait_s`` then refuses."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(data_dir / "ingest.lock"), timeout=wait_s)


def build_index(
    docs: Sequence[Document],
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
) -> BuildReport:
    """Bring every store in line with ``docs``; unchanged documents cost nothing. ``keep``
    names documents that failed to load: their indexed version stays. Removing more than half
    of the index needs ``allow_removals`` (or ``rebuild``): see removal_check."""
    started = time.perf_counter()
    lock = ingest_lock(data_dir, wait_s)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexBusy(
            f"another ingestion is running (lock {lock.lock_file}); wait for it to finish "
            "or pass --wait SECONDS"
        ) from exc
    try:
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
        wanted = {d.doc_id for d in docs}
        kept = sorted((indexed & set(keep)) - wanted)
        gone = sorted(indexed - wanted - set(kept)) if prune else []
        if not (rebuild or allow_removals):
            removal_check(len(docs), indexed, set(gone))
        added: list[str] = []
        replaced: list[str] = []
        unchanged: list[str] = []
        per_doc: dict[str, int] = {}
        todo: list[tuple[Document, list[Chunk], list[int]]] = []
        every: list[Chunk] = []
        for doc in docs:
            chunks = chunk_document(doc, chunk_tokens, chunk_max_tokens)
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
            if not stale:
                unchanged.append(doc.doc_id)
                continue
            (replaced if any(current) else added).append(doc.doc_id)
            todo.append((doc, chunks, stale))
        if todo or gone:
            _mark(marker)
        total = sum(len(c) for _, c, _ in todo)
        bar = tqdm(total=total, unit="chunk", desc="embedding", disable=not progress or not total)
        for doc, chunks, stale in todo:
            texts = index_texts(chunks)
            for i in stale:
                store, embedder = targets[i]
                store.replace_doc(
                    doc.doc_id, doc.content_hash, chunks, embed_chunks(embedder, chunks, texts)
                )
            bar.update(len(chunks))
        bar.close()
        for doc_id in gone:
            for store, _ in targets:
                store.delete_doc(doc_id)
        if rebuild or added or replaced or gone:
            for store, _ in targets:
                store.mark_changed()  # running servers reload on their next request
        marker.unlink(missing_ok=True)
        return BuildReport(
            documents=len(docs),
            chunks=sum(per_doc.values()),
            added=tuple(added),
            replaced=tuple(replaced),
            removed=tuple(gone),
            unchanged=tuple(unchanged),
            kept=tuple(kept),
            chunks_per_doc=per_doc,
            seconds=time.perf_counter() - started,
            chunk_list=tuple(every),
        )
    finally:
        lock.release()


def _mark(marker: Path) -> None:
    marker.write_text(time.strftime("started %Y-%m-%dT%H:%M:%S\n"), encoding="utf-8")
