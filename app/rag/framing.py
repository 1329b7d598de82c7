"""The answer framed in the asker's language: a lead that says the answer span in a sentence of
the question's language ("Lo financia: the Government of Canada [1]"), then the English evidence
under a label that says it is quoted ("Cita (en inglés):"). The words are the language packs'
(answer.lead*, answer.quoted_label); English, which has none, is left as it is."""

from __future__ import annotations

import re
from dataclasses import replace

from app.rag.types import Answer
from index.lang import packs
from index.lemmas import fold

_P = packs()
# The rest of a question longer than this does not read as a lead: the spans are listed instead.
MAX_SAID_WORDS = 8
MAX_SPANS = 8  # a lead names at most this many spans; the quotes below give them all
# Plans whose answer says one thing: their one span may be said with the question's own words.
_ONE_THING = ("single", "list")


def _word_keys(text: str) -> set[str]:
    """A text's words of four letters or more, accents folded, each also by its first six
    letters (a cognate: "agencias" and "agencies" share "agenci")."""
    words = [w for w in re.findall(r"\w+", fold(text)) if len(w) >= 4]
    return {*words, *(w[:6] for w in words if len(w) >= 6)}


def said_by(question: str, span: str) -> bool:
    """Whether the question already holds a word of the span, itself or as a cognate ("UN
    Agencies" for "¿Qué agencias …?"): said back, such a span would answer nothing. A run of
    names is said back only when each of its names is ("the Regional Interagency Coordination
    Platform (R4V) and …" answers "¿Qué mecanismos de coordinación …?")."""
    keys = _word_keys(question)
    names = [n for n in _NAME_SEPARATOR.split(span) if n.strip()]
    return all(keys & _word_keys(n) for n in names) if names else bool(keys & _word_keys(span))


_NAME_SEPARATOR = re.compile(rf"\s*(?:[,;()]|\b(?:{_P.alternation('spans.joiner')})\b)\s*")


def answer_spans(answer: Answer, question: str = "") -> list[tuple[str, int]]:
    """The marked spans of the answer's citations (their quotes' words), in citation order, each
    once, with the citation's number; without those the question already says."""
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for c in sorted(answer.citations, key=lambda c: c.n):
        for s, e in c.spans:
            text = c.quote[s:e].strip()
            if text and fold(text) not in seen and not said_by(question, text):
                seen.add(fold(text))
                out.append((text, c.n))
    return out


def said_back(question: str, lang: str) -> str:
    """What the question asks the answer to do, in its own words, its opening (the question word
    and the noun it asks for) dropped: "¿Quién lo financia?" -> "Lo financia". "" when the
    language has no opening, the question does not start with one, or what is left does not
    read as a statement (too long, an inverted subject, a second question)."""
    pack = _P.get(lang)
    opening = pack["answer.lead_opening"].compiled if pack is not None else None
    if pack is None or opening is None:
        return ""
    text = question.strip().lstrip("¿¡ ").rstrip(" ?!")
    m = opening.match(text)
    if m is None:
        return ""
    rest = text[m.end() :].strip(" ,;:")
    not_said = pack["answer.lead_no_echo"].compiled
    if not rest or len(rest.split()) > MAX_SAID_WORDS or (not_said and not_said.search(text)):
        return ""
    return rest[:1].upper() + rest[1:]


def lead(question: str, answer: Answer, plan: str) -> str:
    """The lead line: the one span of an answer that lists no items said with the question's
    own words ("Codirigen la plataforma: UNHCR and IOM [1]"), else the spans listed ("Según los documentos: UNHCR [1];
    IOM [2]"); each span carries the number of the citation whose quote holds it. "" when no
    quote marks a span the question does not already say (a definition, a reason: the
    quotes say it)."""
    pack = _P.get(answer.language)
    spans = answer_spans(answer, question)
    if pack is None or not spans:
        return ""
    # one span of an answer without list items: said with the question's own words
    one = len(spans) == 1 and plan in _ONE_THING and "\n- " not in f"\n{answer.text}"
    said = said_back(question, answer.language) if one else ""
    if said and pack["answer.lead"].text:
        text, n = spans[0]
        return pack["answer.lead"].text.format(said=said, span=f"{text} [{n}]")
    listed = "; ".join(f"{text} [{n}]" for text, n in spans[:MAX_SPANS])
    return pack["answer.lead_according"].text.format(spans=listed) if listed else ""


def frame(answer: Answer, question: str, plan: str) -> Answer:
    """An extractive answer to a question in a language with a quotation label: its lead line
    and the label above its English text, both kept in ``framing`` (the evaluation measures
    the quotes without them). Refusals (said in the question's language already), generated
    answers and English answers are returned as they are."""
    pack = _P.get(answer.language)
    if answer.refused or answer.backend != "extractive" or pack is None:
        return answer
    label = pack["answer.quoted_label"].text
    if not label:
        return answer
    lines = tuple(x for x in (lead(question, answer, plan), label) if x)
    return replace(answer, text="\n".join([*lines, answer.text]), framing=answer.framing + lines)
