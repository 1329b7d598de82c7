"""What a run produces: per-question records and the metrics aggregated over them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EvalResult:
    """Per-item records (plain dicts, one per question, in order) and the aggregated metrics."""

    records: tuple[dict[str, Any], ...]
    metrics: dict[str, Any]
