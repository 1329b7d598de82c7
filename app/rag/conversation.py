"""Conversations: which question to search. A follow-up is merged with the history only when it
leans on it, a refused turn never spoils the next one, and the history is bounded."""

from __future__ import annotations

import re
from collections.abc import Sequence

from app.rag.compose import is_refusal
from app.rag.plans.words import words
from app.rag.question import Question, analyse
from app.rag.types import Message
from index.lang import detect_language, packs
from index.lemmas import proper_terms


def bound_history(history: Sequence[Message], turns: int, max_chars: int) -> list[Message]:
    """The last ``turns`` user/assistant turns, each cut to ``max_chars``: what reaches retrieval
    and the LLM, so a long history costs no more than a long question (issue 15)."""
    if turns <= 0:
        return []
    kept = [m for m in history if m.role in ("user", "assistant")][-turns:]
    return [
        m if len(m.content) <= max_chars else Message(m.role, m.content[:max_chars]) for m in kept
    ]


def previous_question(history: Sequence[Message], max_chars: int) -> str:
    """The last user question that was answered (not refused), cut to ``max_chars``."""
    turns = [m for m in history if m.role in ("user", "assistant")]
    for i in range(len(turns) - 1, -1, -1):
        m = turns[i]
        if m.role != "user" or not m.content.strip():
            continue
        reply = turns[i + 1].content if i + 1 < len(turns) else ""
        if is_refusal(reply):  # its question found nothing to carry on
            continue
        return m.content.strip()[:max_chars]
    return ""


# "Different topic: …", "ok, now something else: …", "otra pregunta: …": the user says the
# conversation moves on, so the question stands alone (and the marker is no part of it).
_P = packs()
_NEW_TOPIC = re.compile(
    rf"^\W*(?:(?:{_P.alternation('conversation.filler')})[,.]?\s+)*(?:"
    + _P.source("conversation.new_topic")
    + r")\s*[:\-–—,.;!]+\s*",
    re.I,
)


def new_topic(question: str) -> str:
    """The question without a leading 'different topic:' marker, or '' when it has none."""
    m = _NEW_TOPIC.match(question)
    rest = question[m.end() :].strip() if m else ""
    return rest if len(rest.split()) >= 2 else ""


def own_subject(q: Question) -> bool:
    """Whether a question names its own subject and asks something of it ("And who leads
    R4V?"): it stands alone, "And" or not. Without a name ("And on information management?"),
    with a pronoun ("And who pays for it?") or without a predicate ("And Canada?") it borrows
    what it lacks from the history."""
    names = set(proper_terms(q.text, q.lang))
    if not names or q.needs_context == "no" or words(q.lang).leans_on.search(q.text):
        return False
    return any(t not in names for t in q.terms)


def names_before_pronoun(q: Question) -> bool:
    """A name of the question's own stands before the pronoun it leans on ("And the Mixed
    Migration Centre — what is it trying to achieve?"): the pronoun may point to that name
    rather than back to the conversation."""
    m = words(q.lang).leans_on.search(q.text)
    return m is not None and bool(proper_terms(q.text[: m.start()], q.lang))


def candidate_queries(
    question: str, history: Sequence[Message], max_chars: int, lang: str | None = None
) -> list[str]:
    """The queries to search, best guess first: the question alone when it stands alone (or
    says the topic changes); the question with the previous one when it leans on it; both
    when unsure."""
    moved_on = new_topic(question)
    if moved_on:
        return [moved_on]
    previous = previous_question(history, max_chars)
    if not previous:
        return [question]
    asked = analyse(question, lang or detect_language(question))
    need = "no" if own_subject(asked) else asked.needs_context
    if need == "yes" and names_before_pronoun(asked):
        need = "maybe"  # "And the Mixed Migration Centre — what is it …?": "it" may be it
    # Said as a statement, the previous question is the new one's context: the reader asks
    # the new one (its kind, its parts) and reads the old one's words at half weight.
    merged = f"{previous.rstrip(' ?¿')}. {question}"
    match need:
        case "yes":
            return [merged]
        case "maybe":
            return [question, merged]
    return [question]
