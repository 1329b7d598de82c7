"""Passage vectors kept on disk: the sentences answers score are embedded once, at ingestion,
instead of on the first question that retrieves them (the bulk of a new question's time)."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from index.embed import Embedder
from ingest.errors import storage_kind

log = logging.getLogger(__name__)

_PARAMS = 500  # keys per SELECT (SQLite's limit on bound parameters is higher)


def _key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class PersistedEmbedder:
    """Reads passage vectors from a SQLite file and writes the ones it had to compute; queries
    pass through. The file only saves time: when it is damaged or cannot be written, Ruta says
    so in the log once and goes on embedding, it never fails an answer."""

    passes_queries = True  # (see embed.embed_ahead)

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def _db(self) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
                )
                self._conn = conn
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
        return self._conn

    def _give_up(self, exc: Exception) -> None:
        self._broken, self._conn = True, None
        kind = storage_kind(exc)
        repair = (
            "free some disk space (the file is sound)"
            if kind == "full"
            else "make its folder writable"
            if kind == "read-only"
            else "delete the file and run `ruta ingest` to make it again"
        )
        log.warning(
            "the sentence vector file %s cannot be used (%s); answers embed their sentences "
            "as they go; %s",
            self.path,
            exc,
            repair,
        )

    def _read(self, keys: list[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        with self._lock:
            conn = self._db()
            if conn is None:
                return found
            try:
                for i in range(0, len(keys), _PARAMS):
                    part = keys[i : i + _PARAMS]
                    marks = ",".join("?" * len(part))
                    rows = conn.execute(
                        f"SELECT key, vec FROM vectors WHERE key IN ({marks})", part
                    ).fetchall()
                    for k, v in rows:
                        found[k] = np.frombuffer(v, dtype=np.float32)
            except sqlite3.Error as exc:
                self._give_up(exc)
        return found

    def _write(self, vectors: dict[bytes, np.ndarray]) -> None:
        with self._lock:
            conn = self._db()
            if conn is None:
                return
            try:
                with conn:
                    conn.executemany(
                        "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                        [
                            (k, np.asarray(v, dtype=np.float32).tobytes())
                            for k, v in vectors.items()
                        ],
                    )
            except sqlite3.Error as exc:
                self._give_up(exc)

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The distinct texts with no stored vector yet, in order."""
        unique = list(dict.fromkeys(texts))
        found = self._read([_key(t) for t in unique])
        return [t for t in unique if _key(t) not in found]

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return self.inner.passages([])
        keys = [_key(t) for t in texts]
        found = self._read(keys)
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True) if k not in found))
        if todo:
            new = dict(zip((_key(t) for t in todo), self.inner.passages(todo), strict=True))
            self._write(new)
            found.update(new)
        return np.stack([found[k] for k in keys]).astype(np.float32)

    def queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.queries(texts)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
