"""What retrieval hands the rest of Ruta: a ranked Chunk with its score."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.types import Chunk


@dataclass(frozen=True)
class Hit:
    """One retrieved chunk. ``rank`` starts at 1; ``score`` is the fused score (higher is better)."""

    chunk: Chunk
    score: float
    rank: int
    dense_score: float | None = None
    bm25_score: float | None = None
    # The name the passage's opening refers back to ("the Platform" -> its name; see
    # index/referents.py), "" when it names its subject itself.
    referent: str = ""
