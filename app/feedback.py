"""Thumbs up/down on answers, kept in SQLite and exported as CSV or JSONL for review. Bounded:
a comment holds at most MAX_COMMENT_CHARS characters, and one client adds at most the
feedback_per_hour setting's entries an hour (FeedbackLimit); a full disk is said as one."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, Literal

from ingest.errors import RutaError, raise_storage

MAX_COMMENT_CHARS = 2000
_SURROGATE = re.compile("[\ud800-\udfff]")


class FeedbackRefused(RutaError, ValueError):
    """A comment over MAX_COMMENT_CHARS or not text, or a client past its entries per hour;
    ``retry_after`` is the seconds until one more is taken (0: a problem with the comment).
    ``code`` names the refusal ("comment_too_long", "comment_not_text", "rate_too_many") and
    ``fields`` its numbers, so the page says it in its own language."""

    def __init__(self, message: str, code: str, retry_after: int = 0, **fields: int) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
        self.fields = fields


class FeedbackMissing(RutaError, ValueError):
    """No rating with this id: a browser kept the id of a rating this feedback database does
    not hold (a new database, another server)."""


def check_comment(comment: str) -> str:
    """The comment, stripped; FeedbackRefused when it is too long or not text."""
    text = comment.strip()
    if len(text) > MAX_COMMENT_CHARS:
        raise FeedbackRefused(
            f"Comments can be up to {MAX_COMMENT_CHARS:,} characters; this one has "
            f"{len(text):,}. Shorten it and rate again.",
            "comment_too_long",
            max=MAX_COMMENT_CHARS,
            n=len(text),
        )
    if _SURROGATE.search(text):
        raise FeedbackRefused(
            "The comment holds characters that are not text; type it again.", "comment_not_text"
        )
    return text


class FeedbackLimit:
    """At most ``per_hour`` entries per client in any hour (a sliding window); 0 = no limit."""

    def __init__(self, per_hour: int) -> None:
        self.per_hour = per_hour
        self._lock = threading.Lock()
        self._seen: dict[str, deque[float]] = {}

    def take(self, client: str, now: float | None = None) -> None:
        """Count one entry for ``client``, or raise FeedbackRefused saying when to retry."""
        if self.per_hour <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._seen) > 10_000:  # forget clients with nothing in the last hour
                self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < 3600}
            times = self._seen.setdefault(client, deque())
            while times and now - times[0] >= 3600:
                times.popleft()
            if len(times) >= self.per_hour:
                wait = max(1, math.ceil(3600 - (now - times[0])))
                minutes = max(1, round(wait / 60))
                raise FeedbackRefused(
                    f"Ruta keeps at most {self.per_hour} ratings an hour from one person; "
                    f"try again in {minutes} min.",
                    "rate_too_many",
                    retry_after=wait,
                    per_hour=self.per_hour,
                    minutes=minutes,
                )
            times.append(now)


COLUMNS = (
    "id", "ts", "rating", "comment", "question", "answer", "citations", "backend",
    "conversation_id",
)  # fmt: skip

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


class FeedbackStore:
    """One SQLite file; a connection per call, so any thread (Gradio's workers) may use it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=10)) as conn:
                conn.execute(_SCHEMA)
                # A database from before conversation ids: add the column (empty for old rows).
                cols = {r[1] for r in conn.execute("PRAGMA table_info(feedback)")}
                if "conversation_id" not in cols:
                    conn.execute(
                        "ALTER TABLE feedback ADD COLUMN conversation_id TEXT NOT NULL DEFAULT ''"
                    )
                with conn:  # commits, or rolls back on error
                    yield conn
        except (sqlite3.Error, OSError) as exc:
            # A full disk or a read-only folder: say so (the database itself is sound).
            raise_storage(exc, "the feedback database")
            raise

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
        """Replace rating ``row_id`` (a reader changing their mind about the same answer);
        FeedbackMissing when the database holds no such rating."""
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
                raise FeedbackMissing(f"no feedback with id {row_id}")

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
