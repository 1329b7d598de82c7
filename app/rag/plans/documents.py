"""The documents plan: a question asked of each document on its own, each answer under the
document's name ("K4DD review: … [1]" / "IECAH study: … [2]"). Two shapes: "what do both
reports say about …" (every document, each answered or said not to), and a statement about
one document before a question about another ("K4DD holds R4V up as a model. What does the
IECAH study want done to it?": the question asked of the study, the statement quoted from
the review when a passage of it says so)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.rag.choose import Reading, _heading
from app.rag.compose import extractive_answer
from app.rag.plans.combine import combine
from app.rag.plans.shape import Plan, names_in
from app.rag.plans.steps import AskOne, capital, focus_on, says, with_runner_up
from app.rag.plans.words import words
from app.rag.rules import on
from app.rag.types import Answer, Hit
from index.lemmas import fold
from index.parts import publisher_word
from ingest.types import Chunk


def doc_labels(chunks: Sequence[Chunk]) -> dict[str, str]:
    """Each document's short name: its publisher's first word and its kind ("K4DD review",
    "IECAH study"), from its first chunk."""
    out: dict[str, str] = {}
    for c in chunks:
        if c.doc_id not in out:
            out[c.doc_id] = " ".join(x for x in (publisher_word(c), c.kind) if x) or c.doc_id
    return out


def _subject(question: str, labels: dict[str, str]) -> str:
    """The first name of a question that is no document's name ("IOM turns up in both
    documents. What position does it hold …" -> "IOM")."""
    words = {w.lower() for label in labels.values() for w in label.split()}
    for m in names_in(question):
        name = m.group().removesuffix("'s").removesuffix("’s")
        if len(name) > 1 and name.split()[0].lower() not in words:
            return name
    return ""


def _source_by_meaning(
    reading: Reading, claimed: Reading, subject: str = "", hits: Sequence[Hit] = ()
) -> Reading:
    """The statement's source: of the sentences the reader finds about as likely as the best
    (``add_ratio`` of its probability) when the same passages are read as a claim (``claimed``:
    Question.claim, the names of its subject and document said as "it"), the one closest to it
    in meaning. "K4DD holds R4V up as a model": every sentence of R4V's passages says "R4V";
    the one that claims it ("the Platform is the world's largest example … could be
    replicated") does so in other words. A line announcing a list claims nothing by itself.
    When the statement names its subject and some sentences (or their passages) name it too,
    the source is the closest of those, however likely the reader finds it (rule
    ``claim_on_subject``): with its names said as "it", a statement reads as much like the
    document's lines about itself ("This report is the third in a series") as like its source.
    Where the reader is sure of one of them ("co-leads" said), its likeliest ones only."""
    floor = claimed.tuning.add_ratio * claimed.best
    usable = [u for u in claimed.ranked if not _heading(u) and not u.text.rstrip().endswith(":")]
    key = fold(subject)
    naming = [u for u in usable if key and says(key, fold(f"{hits[u.hit].referent} {u.text}"))]
    if naming and on("claim_on_subject"):
        # (the reader's own choice among them where it is sure of one: "co-leads" said)
        top = max(u.p for u in naming)
        sure = top >= claimed.tuning.sure
        pool = [u for u in naming if not sure or u.p >= claimed.tuning.add_ratio * top]
    else:
        pool = [u for u in usable if u.p >= floor]
    closest = max(pool, key=lambda u: u.dense, default=None)
    mine = next(
        (u for u in reading.ranked if closest and (u.hit, u.pos) == (closest.hit, closest.pos)),
        None,
    )
    return replace(reading, units=(mine,)) if mine is not None else reading


def answer_documents(
    question: str,
    plan: Plan,
    ask_one: AskOne,
    chunks: Sequence[Chunk],
    lang: str,
    notice: str,
) -> Answer | None:
    """Each step asked of its documents, in order, under their names. A step that is the
    plan's context (the statement before the question) is quoted when a passage says it and
    left out when none does; a document that does not answer its question says so. None when
    no question step is answered (the caller refuses as for one question)."""
    w = words(lang)
    labels = doc_labels(chunks)
    pieces: list[tuple[str, Answer | None]] = []
    answered = 0
    for step, docs in zip(plan.steps, plan.docs, strict=True):
        label = " / ".join(labels.get(d, d) for d in docs) + ":"
        told = bool(plan.context) and step == plan.context
        # "How does OCHA come into each of the two documents?": each document's passages
        # that name it, and its sentence that does
        name = "" if plan.context else _subject(step, labels)
        hits, reading = ask_one(step, name, docs)
        if told and on("claim_by_meaning") and not (reading.refused or reading.near_miss):
            subject = _subject(step, labels)
            reading = _source_by_meaning(
                reading, ask_one(step, name, docs, claim=True)[1], subject, hits
            )
        if name:
            reading = focus_on(reading, name, hits) or reading
            # (only the sentences that name it, when some do)
            key = fold(name)
            naming = tuple(
                u for u in reading.units if says(key, fold(f"{hits[u.hit].referent} {u.text}"))
            )
            reading = replace(reading, units=naming or reading.units)
        if plan.context:  # the question's answer and the statement's source: a sentence each
            reading = replace(reading, units=reading.units[:1])
        elif on("document_runner_up"):
            reading = with_runner_up(reading)
        sub = extractive_answer(step, reading, hits, "")
        if sub.refused or (told and reading.near_miss):
            if not told:
                pieces.append((f"{label} {capital(w.not_said)}", None))
            continue
        answered += not told
        pieces.append((label, sub))
    return combine(question, pieces, lang, notice) if answered else None
