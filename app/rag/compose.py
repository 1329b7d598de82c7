"""The extractive answer: the reader's sentences, cited, with the answering span marked; or a
refusal that says what is missing and cites the closest passage (app/rag/refusals.py)."""

from __future__ import annotations

import re
from dataclasses import replace

from app.rag.choose import Reading
from app.rag.citations import make_citation
from app.rag.reader import Unit
from app.rag.refusals import refusal
from app.rag.rules import on
from app.rag.spans import _NAME
from app.rag.types import Answer, Citation
from index.lang import packs
from index.lemmas import fold
from index.referents import section_owner, sentence_referent
from index.types import Hit

_P = packs()
_QUESTION_WORDS = re.compile(rf"^(?:{_P.alternation('answer.question_word')})$")
_NEAR_MISS_TEXTS = [
    e.compiled
    for p in _P.packs
    for e in (p["answer.near_miss"], p["answer.near_miss_plain"])
    if e.compiled is not None
]


def is_refusal(text: str) -> bool:
    """Whether an answer is one of Ruta's refusals, plain or a near miss, in any language (a
    refused turn is not carried into the next question)."""
    t = text.strip()
    plain = tuple(p["answer.refusal"].text.lower() for p in _P.packs if p["answer.refusal"].text)
    return t.lower().startswith(plain) or any(p.fullmatch(t) for p in _NEAR_MISS_TEXTS)


def extractive_answer(question: str, reading: Reading, hits: list[Hit], notice: str) -> Answer:
    """The Answer for a reading: its sentences with [n] markers, one citation per passage."""
    lang = reading.question.lang
    if reading.near_miss:
        return near_miss(question, reading, hits, notice)
    if reading.refused:
        return refusal(question, hits, lang, "extractive", notice)
    numbers: dict[int, int] = {}
    cites: dict[int, Citation] = {}
    lines: list[str] = []
    # Whose work a passage describes is its section ("3.5 UNICEF", "EUROFRONT"): the first
    # sentence quoted from a passage is labelled with it when it does not say it itself, so
    # "- The Desaguadero border" answers which programme works there.
    texts = {(x.hit, x.pos): x.text for x in reading.ranked}  # the reader's own sentences
    rank = {(x.hit, x.pos): i for i, x in enumerate(reading.ranked)}
    cited: dict[int, Unit] = {}
    for u in reading.units:
        first_of_passage = u.hit not in numbers
        n = numbers.setdefault(u.hit, len(numbers) + 1)
        if n not in cited or (u.span is not None and _quotes_better(u, cited[n], rank)):
            cited[n] = u  # the passage's answering sentence leads
            cites[n] = _cite(n, hits[u.hit], u)
        chunk = hits[u.hit].chunk
        owner = section_owner(chunk, u.text) if first_of_passage else ""
        before = texts.get((u.hit, u.pos - 1), "")
        line = f"{_labelled(u, before, hits[u.hit], owner)} [{n}]"
        if u.is_item or not lines or lines[-1].startswith("- "):
            lines.append(line)
        else:
            lines[-1] = f"{lines[-1]} {line}"
    return Answer(
        question,
        "\n".join(lines),
        tuple(cites.values()),
        False,
        "extractive",
        tuple(hits),
        notice,
        lang,
    )


def _labelled(unit: Unit, before: str, hit: Hit, owner: str = "") -> str:
    """The sentence, with what its opening pronoun stands for before it in brackets ("[Joint
    IOM-UNDP Global Programme …] It aims to …"): alone, "It aims to …" says not what; or, when
    given, the ``owner`` of the passage ("[UNICEF] - Providing targeted support …"). ``before``:
    the passage's sentence before it. The quote in the citation stays the passage's own words."""
    name = ""
    if not unit.is_item and not before.startswith("- "):
        name = sentence_referent(unit.text, before, hit.referent)
    name = name or (owner if owner and fold(owner) not in fold(unit.text) else "")
    if not name:
        return unit.text
    if unit.is_item:
        return f"- [{name}] {unit.text[2:]}"
    return f"[{name}] {unit.text}"


def _quotes_better(u: Unit, cited: Unit, rank: dict[tuple[int, int], int]) -> bool:
    """Whether a passage's citation quotes ``u`` (which holds an answer span) rather than the
    sentence it quotes: one without a span, or, of a list quoted whole, an item the reader
    ranks lower ("- The Rumichaca border …" for the Aguas Blancas crossing asked about)."""
    if cited.span is None:
        return True
    higher = rank.get((u.hit, u.pos), len(rank)) < rank.get((cited.hit, cited.pos), len(rank))
    return higher and on("answer_quote")


def _cite(n: int, hit: Hit, unit: Unit) -> Citation:
    return replace(make_citation(n, hit, unit.text, 1.0), spans=unit.marks)


def near_miss(question: str, reading: Reading, hits: list[Hit], notice: str) -> Answer:
    """'The documents discuss Project Turquesa [1] but do not give the amount.'"""
    lang = reading.question.lang if _P.get(reading.question.lang) is not None else "en"
    best = reading.ranked[0]
    cite = replace(make_citation(1, hits[best.hit], best.text, 1.0), verified=False)
    subject = subject_of(question, hits[best.hit].chunk.text)
    template = _P.text("answer.near_miss" if subject else "answer.near_miss_plain", lang)
    what = _P.entry(lang, "answer.what").table or _P.entry("en", "answer.what").table
    text = template.format(subject=subject, ref="[1]", what=what[reading.missing])
    return Answer(question, text, (cite,), True, "extractive", tuple(hits), notice, lang)


_POSSESSIVE = re.compile(rf"(?:{_P.alternation('terms.possessive')})$")


def subject_of(question: str, passage: str) -> str:
    """The longest name in the question ('Project Turquesa', 'EUROFRONT', 'UN Women') that the
    passage says word for word, without its question word or a possessive; a lone capitalised
    word that is no acronym ('Venezuelan') is no subject. Only the passage's own words are
    said back."""
    names = []
    folded = fold(passage)
    for words in _name_runs(question):
        while words and _QUESTION_WORDS.match(words[0]):
            words = words[1:]
        name = _POSSESSIVE.sub("", " ".join(words))  # "UN Women's" says "UN Women"
        if (len(words) > 1 or (words and sum(ch.isupper() for ch in words[0]) >= 2)) and (
            fold(name) in folded
        ):
            names.append(name)
    return max(names, key=len, default="")


def _name_runs(text: str) -> list[list[str]]:
    """The words of each name, and of each run of names side by side ("UN" "Women's")."""
    runs: list[list[str]] = []
    run: list[str] = []
    end = -1
    for m in _NAME.finditer(text):
        words = m.group().split()
        run = run + words if run and not text[end : m.start()].strip() else []
        runs += [run] if run else []
        runs.append(words)
        run = run or words
        end = m.end()
    return runs
