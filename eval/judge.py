"""Optional LLM-judged faithfulness: does each cited passage support the sentence citing it?"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from app.rag.errors import LLMUnavailable
from app.rag.llms import LLM
from app.rag.types import Message
from eval.metrics import markers, split_sentences

log = logging.getLogger(__name__)

PROMPT = (
    "Passage:\n<<<\n{passage}\n>>>\n\nClaim: {claim}\n\n"
    "Does the passage support the claim? Answer with one word: yes or no."
)


def _verdict(llm: LLM, passage: str, claim: str) -> bool | None:
    messages = [
        Message("system", "You check claims against passages. Reply yes or no."),
        Message("user", PROMPT.format(passage=passage, claim=claim)),
    ]
    try:
        reply = "".join(llm.stream(messages)).strip().lower()
    except LLMUnavailable as exc:
        log.warning("judge unavailable: %s", exc)
        return None
    if re.match(r"\W*yes\b", reply):
        return True
    if re.match(r"\W*no\b", reply):
        return False
    return None  # an answer that is neither is not counted


def judge_records(records: Iterable[dict[str, Any]], llm: LLM) -> dict[str, Any]:
    """Adds ``faithfulness_llm`` to each answered record; returns the overall share and counts."""
    yes = judged = unclear = 0
    for rec in records:
        if rec.get("refused") or not rec.get("citations"):
            continue
        quotes = {c["n"]: c.get("quote", "") for c in rec["citations"]}
        votes: list[bool] = []
        for sentence in split_sentences(rec.get("answer", "")):
            for n in markers(sentence):
                v = _verdict(llm, quotes.get(n, ""), re.sub(r"\[\d+\]", "", sentence).strip())
                if v is None:
                    unclear += 1
                else:
                    votes.append(v)
        if votes:
            rec["faithfulness_llm"] = sum(votes) / len(votes)
            yes += sum(votes)
            judged += len(votes)
    return {
        "faithfulness_llm": yes / judged if judged else None,
        "judged_claims": judged,
        "unclear_verdicts": unclear,
        "judge": llm.name,
    }
