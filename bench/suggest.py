"""What follow-up suggestions cost on top of an answer: `python -m bench.suggest [--data DIR]`.

Warm, in process, over the dev questions: each question is answered once to fill the caches,
then answered again (the answer's own time) and its suggestions made (their time, counted
apart: the answer is returned before them only when a client does not ask for them).
"""

from __future__ import annotations

import argparse
import json
import time

from app.rag.suggest import with_suggestions
from app.services import Services, make_answerer
from app.settings import Settings
from bench.common import latency, loadavg, questions


def bench_suggest(services: Services, rounds: int = 1) -> dict[str, object]:
    answerer = make_answerer(services.settings, services)
    qs = questions()
    for q, history in qs:  # warm: sentence vectors and query embeddings cached
        with_suggestions(answerer, answerer.answer(q, history), history)
    answer_ms, suggest_ms, counts, refused = [], [], [], 0
    for _ in range(rounds):
        for q, history in qs:
            t = time.perf_counter()
            answer = answerer.answer(q, history)
            answer_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            found = with_suggestions(answerer, answer, history).suggestions
            suggest_ms.append((time.perf_counter() - t) * 1000)
            counts.append(len(found))
            refused += answer.refused
    return {
        "questions": len(qs),
        "answer": latency(answer_ms),
        "suggestions": latency(suggest_ms),
        "suggestions_per_answer": round(sum(counts) / len(counts), 2),
        "with_two_or_more": round(sum(c >= 2 for c in counts) / len(counts), 2),
        "with_none": round(sum(c == 0 for c in counts) / len(counts), 2),
        "refused": refused,
        "loadavg": loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data", help="data_dir holding a built index")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    services = Services(Settings(data_dir=args.data))
    print(json.dumps(bench_suggest(services, args.rounds), indent=2))


if __name__ == "__main__":
    main()
