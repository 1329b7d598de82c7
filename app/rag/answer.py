"""Answering: question (+ history) -> retrieved passages -> cited Answer.

The core's entry points, used by every edge: ``Answerer.stream``/``Answerer.answer`` (the web
page, the HTTP API, `ruta ask`, the evaluation) and ``search`` (`ruta search`, the
retrieval-only evaluation). Both clean the question and resolve follow-ups the same way.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from app.rag.citations import make_citation, validate
from app.rag.errors import LLMUnavailable
from app.rag.extractive import Selection, TermStats, select_units
from app.rag.llms import LLM
from app.rag.prompt import REFUSAL, build_messages, is_refusal_text
from app.rag.types import Answer, Citation, Message
from index.embed import Embedder
from index.errors import BadQuestion
from index.lang import detect_language
from index.retrieve import HybridRetriever
from index.types import Hit

log = logging.getLogger(__name__)

_FOLLOW_UP = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|he|she|his|her|there|"
    r"él|ella|ellos|ellas|eso|esto|ese|esa|su|sus|lo|la|le)\b",
    re.IGNORECASE,
)

CLOSEST = {
    "en": "The closest passages are",
    "es": "Los pasajes más cercanos son",
    "pt": "As passagens mais próximas são",
    "fr": "Les passages les plus proches sont",
}
QUOTED_IN_ENGLISH = {
    "es": "Los pasajes citados están en inglés, tal como aparecen en los documentos.",
    "pt": "As passagens citadas estão em inglês, tal como aparecem nos documentos.",
    "fr": "Les passages cités sont en anglais, tels qu'ils figurent dans les documents.",
}
OTHER_LANGUAGE = (
    "Ruta answers in English, Spanish, Portuguese and French; the passages below are quoted in "
    "English, as they appear in the documents."
)


@dataclass(frozen=True)
class AnswerConfig:
    """The answer-step knobs; built from Settings by app.services.answer_config."""

    top_k: int
    max_question_chars: int
    refusal_threshold: float
    refusal_dense_threshold: float


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters; refuse empty or over-long questions with a clear message."""
    if not isinstance(question, str):
        raise BadQuestion(f"the question must be text, got {type(question).__name__}")
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
    )
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise BadQuestion("the question is empty; type a question about the documents")
    if len(text) > max_chars:
        raise BadQuestion(
            f"the question is {len(text)} characters long; the limit is {max_chars} "
            "(RUTA_MAX_QUESTION_CHARS)"
        )
    return text


def standalone_question(question: str, history: Sequence[Message]) -> str:
    """Resolve a follow-up ('And who co-chairs it?') by carrying the previous question along."""
    previous = [m.content for m in history if m.role == "user" and m.content.strip()]
    if not previous:
        return question
    short = len(question.split()) <= 8
    if _FOLLOW_UP.search(question) or short or question.lower().startswith(("and ", "y ", "e ")):
        return f"{previous[-1].strip()} {question}"
    return question


def prepare(question: str, history: Sequence[Message], max_chars: int) -> tuple[str, str]:
    """The cleaned question and the query retrieval runs (follow-ups resolved)."""
    q = clean_question(question, max_chars)
    return q, standalone_question(q, history)


def search(
    retriever: HybridRetriever,
    question: str,
    history: Sequence[Message] = (),
    *,
    k: int,
    max_question_chars: int,
    filters: dict[str, str] | None = None,
) -> list[Hit]:
    """Retrieval alone, on the query answering would run: the passages an answer would see."""
    _, query = prepare(question, history, max_question_chars)
    return retriever.search(query, k, filters)


class Answerer:
    """Holds what answering needs across questions: retriever, term stats, embedder, LLM."""

    def __init__(
        self,
        retriever: HybridRetriever,
        config: AnswerConfig,
        llm: LLM | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.retriever = retriever
        self.config = config
        self.llm = llm
        self.embedder = embedder if embedder is not None else retriever.embedder
        self.stats = TermStats(retriever.chunks)

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: dict[str, str] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they are ready, then the final Answer."""
        t0 = time.perf_counter()
        q, query = prepare(question, history, self.config.max_question_chars)
        lang = detect_language(q)
        hits = self.retriever.search(query, self.config.top_k, filters)
        timings = {"retrieval": (time.perf_counter() - t0) * 1000}
        t1 = time.perf_counter()
        sel = select_units(query, hits, self.stats, self.embedder)
        refused = self._should_refuse(sel, lang)
        notice = QUOTED_IN_ENGLISH.get(lang, "" if lang == "en" else OTHER_LANGUAGE)
        answer: Answer | None = None
        if self.llm is not None and not refused:
            try:
                answer = yield from self._generate(q, query, hits, history, lang)
            except LLMUnavailable as exc:
                log.warning("LLM failed, falling back to extractive: %s", exc)
                notice = (
                    f"The language model was unavailable ({exc}); this is an extractive answer."
                )
                yield f"\n{notice}\n"
        if answer is None:
            answer = _extractive(q, query, hits, sel, refused, lang, notice)
            for line in answer.text.split("\n"):
                yield line + "\n"
        timings["answer"] = (time.perf_counter() - t1) * 1000
        yield replace(answer, timings_ms=timings, standalone_question=query)

    def answer(
        self, question: str, history: Sequence[Message] = (), filters: dict[str, str] | None = None
    ) -> Answer:
        """The final Answer of ``stream``."""
        final: Answer | None = None
        for piece in self.stream(question, history, filters):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final

    def _should_refuse(self, sel: Selection, lang: str) -> bool:
        """Calibrated on the dev set (README, "Refusals"): lexical coverage of the question by the
        best sentence for English; for other languages, the multilingual similarity."""
        if not sel.units:
            return True
        if lang != "en":
            return sel.dense < self.config.refusal_dense_threshold
        return sel.coverage < self.config.refusal_threshold or bool(sel.unknown_terms)

    def _generate(
        self, q: str, query: str, hits: list[Hit], history: Sequence[Message], lang: str
    ) -> Iterator[str | Answer]:
        assert self.llm is not None
        messages = build_messages(q, hits, history, lang)
        pieces: list[str] = []
        for piece in self.llm.stream(messages):
            pieces.append(piece)
            yield piece
        raw = "".join(pieces).strip()
        if not raw:
            raise LLMUnavailable("the model returned an empty reply")
        if is_refusal_text(raw):
            return _refusal(q, hits, lang, self.llm.name, "")
        text, cites, unsupported = validate(raw, hits)
        notice = (
            f"{unsupported} sentence(s) could not be verified against the sources."
            if unsupported
            else ""
        )
        return Answer(q, text, tuple(cites), False, self.llm.name, tuple(hits), notice, lang)


def _extractive(
    q: str, query: str, hits: list[Hit], sel: Selection, refused: bool, lang: str, notice: str
) -> Answer:
    if refused:
        return _refusal(q, hits, lang, "extractive", notice)
    numbers: dict[int, int] = {}
    cites: dict[int, Citation] = {}
    lines: list[str] = []
    for u in sel.units:
        n = numbers.setdefault(u.hit, len(numbers) + 1)
        if n not in cites:
            cites[n] = make_citation(n, hits[u.hit], u.text, 1.0)
        line = f"{u.text} [{n}]"
        if u.is_item or not lines or lines[-1].startswith("- "):
            lines.append(line)
        else:
            lines[-1] = f"{lines[-1]} {line}"
    return Answer(
        q, "\n".join(lines), tuple(cites.values()), False, "extractive", tuple(hits), notice, lang
    )


def _refusal(q: str, hits: list[Hit], lang: str, backend: str, notice: str) -> Answer:
    closest = hits[:3]
    cites = tuple(
        replace(make_citation(i + 1, h, _first_sentence(h), 0.0), verified=False)
        for i, h in enumerate(closest)
    )
    refs = ", ".join(f"[{c.n}]" for c in cites)
    text = REFUSAL.get(lang, REFUSAL["en"])
    if refs:
        text += f" {CLOSEST.get(lang, CLOSEST['en'])}: {refs}."
    return Answer(q, text, cites, True, backend, tuple(hits), notice, lang)


def _first_sentence(hit: Hit) -> str:
    from app.rag.text import split_sentences

    sents = split_sentences(hit.chunk.text)
    return sents[0] if sents else hit.chunk.text[:200]
