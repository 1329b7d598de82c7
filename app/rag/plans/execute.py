"""Runs a question's plan: a summary, several parts, a comparison or a derived figure; None
when the plan is one fact or a list (the reader's own answer) or when it finds nothing."""

from __future__ import annotations

from collections.abc import Sequence

from app.rag.choose import Reading
from app.rag.compose import extractive_answer
from app.rag.plans.derived import derive
from app.rag.plans.documents import answer_documents
from app.rag.plans.shape import Plan
from app.rag.plans.steps import AskOne, answer_steps
from app.rag.plans.summary import summarise
from app.rag.plans.unnamed import unnamed_sides
from app.rag.types import Answer
from index.lemmas import root
from index.types import Hit
from ingest.types import Chunk


def run_plan(
    plan: Plan,
    question: str,
    reading: Reading,
    hits: Sequence[Hit],
    ask_one: AskOne,
    chunks: Sequence[Chunk],
    notice: str,
    doc_words: frozenset[str] = frozenset(),
) -> Answer | None:
    lang = reading.question.lang
    match plan.name:
        case "summary":
            q_roots = {root(t) for t in reading.question.terms}
            return summarise(question, q_roots, reading, hits, chunks, lang, notice)
        case "parts" | "chain":
            first = None
            if plan.name == "chain":
                # the reader's answer to the whole holds the name the first part asks, when
                # sure; when it quotes a sentence for each part already, it is the answer
                sure = not (reading.refused or reading.near_miss)
                if sure and len(reading.units) >= len(plan.steps):
                    return None
                first = extractive_answer(question, reading, hits, "") if sure else None
            return answer_steps(
                question,
                plan.steps,
                ask_one,
                lang,
                notice,
                context=plan.context,
                docs=plan.docs,
                doc_words=doc_words,
                chained=plan.name == "chain",
                first=first,
            )
        case "comparison" if not plan.steps:
            return unnamed_sides(question, reading, hits, notice)
        case "comparison":
            return answer_steps(question, plan.steps, ask_one, lang, notice, labelled=True)
        case "derived":
            return derive(question, reading, hits, notice)
        case "documents":
            return answer_documents(question, plan, ask_one, chunks, lang, notice)
    return None
