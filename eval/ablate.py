"""Make every feature, rule and composition step earn its place:

    python -m eval.ablate SET.jsonl [SET.jsonl ...] [--only NAME ...] [--markdown]

Each row switches one thing off and answers every set again (retrieval replayed, the reader's
model as shipped): a sentence feature or a no-answer feature is replaced by its mean on the
data the model was fitted on, a rule of app/rag/rules.py is skipped, an entry of the language
packs (index/lang/*.toml) is emptied in every language, the modules that read the packs
imported afresh (eval/pack_row.py). Per set, the change in a
combined score is printed: key facts + evidence precision + leads naming a key fact +
unanswerable refused − answerable refused (each a share, so one question of a 100-question set
moves it by about 0.01; the leads, of the answers in another language, since the eleventh
session). A
negative change means the thing helps that set. What helps fewer than two sets is listed as
"review": the rule that serves one set is over-fitted to it, the one that serves none goes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.rag import noanswer, reader
from app.rag.model import Tuning
from app.rag.rules import RULES, ablated
from eval import pack_row
from eval.replay import QuestionSet, Replay, load_set
from index.lang.packs import entry_names

EPS = 0.004  # below this a change is noise (less than half a question on the largest set)


def utility(m: dict[str, Any]) -> float:
    o = m["overall"]
    return (
        (o.get("key_fact_recall") or 0.0)
        + (o.get("evidence_precision") or 0.0)
        + (o.get("lead_precision") or 0.0)
        + (o.get("refusal_rate") or 0.0)
        - (o.get("false_refusal_rate") or 0.0)
    )


def rows() -> list[tuple[str, str]]:
    """(name, kind) of everything that can be switched off."""
    out = [(f, "feature") for f in reader.FEATURES if f != "bias"]
    out += [(f"noanswer.{f}", "no-answer") for f in noanswer.FEATURES if f != "bias"]
    out += [(r, "rule") for r in RULES]
    out += [(e, "pack") for e in entry_names()]
    return out


def measure(replay: Replay, sets: Sequence[QuestionSet], t: Tuning, rule: str = "") -> list[float]:
    if rule:
        with ablated(rule):
            return [utility(replay.metrics(s.items, t)) for s in sets]
    return [utility(replay.metrics(s.items, t)) for s in sets]


def table(
    sets: Sequence[QuestionSet], base: list[float], results: list[tuple[str, str, list[float]]]
) -> str:
    head = ["switched off", "kind", *(s.name for s in sets), "helps", "verdict"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, kind, vals in results:
        deltas = [v - b for v, b in zip(vals, base, strict=True)]
        helps = sum(d < -EPS for d in deltas)
        hurts = sum(d > EPS for d in deltas)
        verdict = "keep" if helps >= 2 and helps > hurts else "review"
        cells = [f"{d:+.3f}" if abs(d) > EPS else "·" for d in deltas]
        lines.append(f"| {name} | {kind} | " + " | ".join(cells) + f" | {helps} | {verdict} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval.ablate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("sets", nargs="+", type=Path, help="labelled question sets (JSONL)")
    parser.add_argument("--only", nargs="*", default=[], help="only these rows (names)")
    parser.add_argument(
        "--cache", type=Path, help="keep the searches in this file for a rerun (same index)"
    )
    args = parser.parse_args(argv)

    from app.services import make_answerer
    from app.settings import Settings

    answerer = make_answerer(Settings())
    replay = Replay(answerer, args.cache)
    t = answerer.config.tuning
    sets = [load_set(p) for p in args.sets]
    base = measure(replay, sets, t)
    replay.remember()
    print(
        "score with everything on: "
        + ", ".join(f"{s.name} {b:.3f}" for s, b in zip(sets, base, strict=True))
    )
    todo = [(n, k) for n, k in rows() if not args.only or n in args.only]
    results = []
    for name, kind in tqdm(todo, desc="ablation", unit="row"):
        if kind == "rule":
            vals = measure(replay, sets, t, name)
        elif kind == "pack":
            vals = pack_row.scores(name, replay, sets, t, utility)
        else:
            vals = measure(replay, sets, t.without(name))
        results.append((name, kind, vals))
    print(table(sets, base, results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
