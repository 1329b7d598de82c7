"""One question, analysed once: its language, the sentence that asks, its parts and the
documents it names. Retrieval (index/retrieve.py) and the reader (app/rag/question.py) both
read this object; neither guesses the language or splits the question again."""

from __future__ import annotations

from dataclasses import dataclass

from index.lang import detect_language
from index.parts import (
    QueryPlan,
    asked_parts,
    focus_of,
    named_docs,
    names_of,
    plan,
    pronoun_to,
    says_every_doc,
    scoped,
)


@dataclass(frozen=True)
class Analysis:
    """What a question is, before any passage is read."""

    text: str
    lang: str  # the one language guess, for retrieval and the reader alike
    focus: str  # the sentence that asks, when a statement comes first (see parts.focus_of)
    context: str  # that statement ("" when none)
    asked_parts: tuple[str, ...]  # the parts of the sentence that asks; one for a simple one
    plan: QueryPlan = QueryPlan()  # retrieval's parts, the documents it names, its scope
    part_docs: tuple[tuple[str, ...], ...] = ()  # the documents each asked part names
    # the documents the sentence that asks names, when the statement before it names others
    # ("K4DD holds R4V up as a model. What does the IECAH study want done to it?")
    asked_docs: tuple[str, ...] = ()
    told_docs: tuple[str, ...] = ()  # and the documents that statement names
    every_doc: bool = False  # it asks each document ("What do both reports say about …?")


def analyse_query(
    text: str, names: dict[str, set[str]] | None = None, lang: str | None = None
) -> Analysis:
    """The question's analysis; ``names`` (parts.doc_names) for the documents it names and
    retrieval's plan (none without them); ``lang`` when already known (a follow-up merged
    with the previous question keeps the language of the one asked)."""
    focus, context = focus_of(text)
    asked_docs, told_docs = _asked_docs(focus, context, names) if names and context else ((), ())
    if asked_docs:  # "… want done to it?": the statement's subject, not its document
        subject = next((w for w in names_of(context) if not named_docs(w, names or {})), "")
        focus = (pronoun_to(focus, subject) if subject else "") or focus
    parts = asked_parts(focus)
    return Analysis(
        text=text,
        lang=lang or detect_language(text),
        focus=focus,
        context=context,
        # Each part without the phrase that says where to look: "who leads it according to the
        # donor mapping" asks who leads it (the documents it names are in the plan).
        asked_parts=tuple(scoped(p, names) or p for p in parts) if names else parts,
        plan=plan(text, names) if names is not None else QueryPlan(),
        # (read before the part is scoped: "who leads it according to the donor mapping"; a
        # part that names one document and says "both reports" is asked of the one it names)
        part_docs=tuple(
            tuple(named_docs(p, names, every=False) or named_docs(p, names)) for p in parts
        )
        if names
        else (),
        asked_docs=asked_docs,
        told_docs=told_docs,
        every_doc=bool(names) and says_every_doc(text),
    )


def _asked_docs(
    focus: str, context: str, names: dict[str, set[str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The documents the asking sentence names and those its statement names, when each names
    its own ("K4DD holds R4V up as a model. What does the IECAH study want done to it?")."""
    asked = named_docs(focus, names, every=False)
    told = named_docs(context, names, every=False)
    if asked and told and not set(asked) & set(told):
        return tuple(asked), tuple(told)
    return (), ()
