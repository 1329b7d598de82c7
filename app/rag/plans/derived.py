"""The derived-figure plan: a figure worked out from stated ones (not yet: the reader answers)."""

from __future__ import annotations

from collections.abc import Sequence

from app.rag.choose import Reading
from app.rag.types import Answer
from index.types import Hit


def derive(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    return None
