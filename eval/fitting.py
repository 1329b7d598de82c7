"""What the fitting commands (eval/fit_reader.py, eval/fit_plan.py) share: their command line's
common part, and the provenance a model file records (the sets it saw, their SHA-256, the
command, the day)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.replay import QuestionSet


def fit_parser(prog: str, doc: str | None, default_out: Path) -> argparse.ArgumentParser:
    """A parser taking the labelled sets, ``--write`` and ``--out``."""
    parser = argparse.ArgumentParser(
        prog=prog, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("sets", nargs="+", type=Path, help="labelled question sets (JSONL)")
    parser.add_argument("--write", action="store_true", help="save the model fitted on all sets")
    parser.add_argument("--out", type=Path, default=default_out, help="model file to write")
    return parser


def provenance(prog: str, sets: Sequence[QuestionSet], paths: Sequence[Path]) -> dict[str, Any]:
    """What a model file says about its fit: the sets, their hashes, the command, the day."""
    return {
        "fitted_on": [{"set": s.name, "sha256": s.sha256, "items": len(s.items)} for s in sets],
        "fitted_by": f"{prog} " + " ".join(p.name for p in paths),
        "fitted_at": datetime.now(UTC).strftime("%Y-%m-%d"),
    }
