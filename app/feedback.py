"""Thumbs up/down on answers, kept in SQLite and exported as CSV or JSONL for review."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Literal

COLUMNS = (
    "id", "ts", "rating", "comment", "question", "answer", "citations", "backend",
    "conversation_id",
)  # fmt: skip
MAX_COMMENT_CHARS = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL DEFAULT '[]',
    backend TEXT NOT NULL DEFAULT '',
    conversation_id TEXT NOT NULL DEFAULT ''
)
"""


def check_comment(comment: str) -> str:
    """The comment, stripped; a longer one than MAX_COMMENT_CHARS is refused, not cut."""
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_CHARS:
        raise ValueError(
            f"a comment can be up to {MAX_COMMENT_CHARS:,} characters; this one has "
            f"{len(comment):,}"
        )
    return comment


class FeedbackStore:
    """One SQLite file; a connection per call, so any thread (Gradio's workers) may use it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=10)) as conn:
            conn.execute(_SCHEMA)
            # A database from before conversation ids: add the column (empty for old rows).
            if "conversation_id" not in {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}:
                conn.execute(
                    "ALTER TABLE feedback ADD COLUMN conversation_id TEXT NOT NULL DEFAULT ''"
                )
            with conn:  # commits, or rolls back on error
                yield conn

    def add(
        self,
        rating: int,
        question: str,
        answer: str,
        citations: Sequence[dict[str, Any]] = (),
        backend: str = "",
        comment: str = "",
        conversation_id: str = "",
    ) -> int:
        """Store one rating (+1 or -1) of an answer; returns its id."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be 1 or -1, got {rating!r}")
        comment = check_comment(comment)
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (ts, rating, comment, question, answer, citations, backend,"
                " conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ts,
                    rating,
                    comment,
                    question,
                    answer,
                    json.dumps(list(citations), ensure_ascii=False),
                    backend,
                    conversation_id,
                ),
            )
            return int(cur.lastrowid or 0)

    def update(self, row_id: int, rating: int, comment: str = "") -> None:
        """Replace rating ``row_id`` (a reader changing their mind about the same answer)."""
        if rating not in (1, -1):
            raise ValueError(f"rating must be 1 or -1, got {rating!r}")
        comment = check_comment(comment)
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._connect() as conn:
            cur = conn.execute(
                "UPDATE feedback SET ts = ?, rating = ?, comment = ? WHERE id = ?",
                (ts, rating, comment, row_id),
            )
            if cur.rowcount != 1:
                raise ValueError(f"no feedback with id {row_id}")

    def rows(self) -> list[dict[str, Any]]:
        """Every rating, oldest first, with citations decoded."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id")
            out = [dict(zip(COLUMNS, row, strict=True)) for row in cur.fetchall()]
        for row in out:
            row["citations"] = json.loads(row["citations"])
        return out

    def export(self, fmt: Literal["csv", "jsonl"] | str = "jsonl") -> str:
        """All ratings as CSV (citations as a JSON cell) or as JSON Lines."""
        rows = self.rows()
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if fmt == "csv":
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            for r in rows:
                writer.writerow({**r, "citations": json.dumps(r["citations"], ensure_ascii=False)})
            return buf.getvalue()
        raise ValueError(f"export format must be 'csv' or 'jsonl', got {fmt!r}")
