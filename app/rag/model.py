"""The reader's fitted model: sentence weights, the no-answer model and the thresholds, read
from a versioned data file (app/rag/reader_model.json) that ``python -m eval.fit_reader
--write`` writes. The code's feature names are held against the file's (tests/app/
test_model.py), so weights never go stale silently."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from ingest.errors import RutaError

FORMAT = 1
DEFAULT_PATH = Path(__file__).with_name("reader_model.json")
# The thresholds a model file holds; a file may leave any out (the defaults below).
THRESHOLDS = (
    "strict_min",
    "add_min",
    "add_ratio",
    "sure",
    "tie",
    "part_min",
    "breadth_min",
    "next_min",
    "lead_min",
    "max_factoid",
    "max_list",
)


class ModelFileError(RutaError):
    """A reader model file that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Tuning:
    """The reader's fitted weights and thresholds (see the README's "How the reader is made")."""

    strict_min: float = 0.05  # a sentence holding the asked-for span must reach this
    add_min: float = 0.2  # a further sentence must reach this ...
    add_ratio: float = 0.4  # ... and this share of the best sentence's probability
    sure: float = 0.8  # above this the best sentence answers alone (unless a part is open)
    tie: float = 0.03  # ... unless another is this close to it (the reader cannot tell them)
    part_min: float = 0.2  # the best sentence for a question's second part must reach this
    breadth_min: float = 0.3  # "which initiatives…": another passage's name on the subject
    next_min: float = 0.35  # a sentence that goes on about the same thing joins at this
    lead_min: float = 0.5  # from here the passages the answer cites are listed first
    max_factoid: int = 2
    max_list: int = 4
    # The sentence model: one weight per reader.FEATURES, and each feature's mean on the data
    # it was fitted on (what an ablated feature is replaced by).
    weights: tuple[float, ...] = ()
    means: tuple[float, ...] = ()
    # The no-answer model: one weight per noanswer.FEATURES; refuse from ``refuse_at`` on.
    noanswer: tuple[float, ...] = ()
    noanswer_means: tuple[float, ...] = ()
    refuse_at: float = 0.5
    # The join model: one weight per join.FEATURES; a sentence joins from ``join_at`` on. A
    # file without one joins by the rules (runner-up when unsure, near tie, list siblings).
    join: tuple[float, ...] = ()
    join_means: tuple[float, ...] = ()
    join_at: float = 0.5
    # Names of features, rules and steps switched off (python -m eval.ablate); empty in use.
    off: frozenset[str] = field(default_factory=frozenset)

    def without(self, *names: str) -> Tuning:
        return replace(self, off=self.off | frozenset(names))


def load(path: Path = DEFAULT_PATH) -> tuple[Tuning, dict[str, Any]]:
    """The Tuning in ``path`` and the file's whole content (features, provenance)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelFileError(f"no reader model file at {path.name}") from exc
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"the reader model file {path.name} cannot be read: {exc}") from exc
    if data.get("format") != FORMAT:
        raise ModelFileError(
            f"the reader model file {path.name} has format {data.get('format')!r}, this Ruta "
            f"reads {FORMAT}; refit it with `python -m eval.fit_reader --write`"
        )
    known = {f.name for f in fields(Tuning)}
    thresholds = {k: v for k, v in data.get("thresholds", {}).items() if k in known}
    t = Tuning(
        **thresholds,
        weights=tuple(data["sentence"]["weights"]),
        means=tuple(data["sentence"]["means"]),
        noanswer=tuple(data["noanswer"]["weights"]),
        noanswer_means=tuple(data["noanswer"]["means"]),
        refuse_at=float(data["noanswer"]["refuse_at"]),
        **_join(data.get("join")),
    )
    return t, data


def _join(section: dict[str, Any] | None) -> dict[str, Any]:
    if not section:
        return {}
    return {
        "join": tuple(section["weights"]),
        "join_means": tuple(section["means"]),
        "join_at": float(section["join_at"]),
    }


def dump(
    t: Tuning,
    sentence_features: tuple[str, ...],
    noanswer_features: tuple[str, ...],
    provenance: dict[str, Any],
    join_features: tuple[str, ...] = (),
) -> str:
    """The model file's text for ``t`` (rounded: the file is read and diffed by people)."""

    def r(xs: tuple[float, ...]) -> list[float]:
        return [round(float(x), 4) for x in xs]

    data = {
        "format": FORMAT,
        "sentence": {
            "features": list(sentence_features),
            "weights": r(t.weights),
            "means": r(t.means),
        },
        "noanswer": {
            "features": list(noanswer_features),
            "weights": r(t.noanswer),
            "means": r(t.noanswer_means),
            "refuse_at": round(t.refuse_at, 4),
        },
        "thresholds": {k: getattr(t, k) for k in THRESHOLDS},
        **provenance,
    }
    if t.join:
        data["join"] = {
            "features": list(join_features),
            "weights": r(t.join),
            "means": r(t.join_means),
            "join_at": round(t.join_at, 4),
        }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


DEFAULT_TUNING, DEFAULT_MODEL = load()
