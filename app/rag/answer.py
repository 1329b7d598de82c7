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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from app.rag.choose import Reading, read
from app.rag.citations import reader_first, validate
from app.rag.compose import extractive_answer, refusal
from app.rag.conversation import bound_history, candidate_queries
from app.rag.errors import AnswerTimedOut, LLMUnavailable
from app.rag.llms import LLM
from app.rag.prompt import build_messages, is_refusal_text
from app.rag.question import analyse
from app.rag.reader import Tuning
from app.rag.termstats import TermStats
from app.rag.types import Answer, Message
from index.embed import Embedder
from index.errors import BadQuestion
from index.lang import detect_language
from index.retrieve import HybridRetriever
from index.types import Hit

log = logging.getLogger(__name__)

QUOTED_IN_ENGLISH = {
    "es": "Los pasajes citados están en inglés, tal como aparecen en los documentos.",
    "pt": "As passagens citadas estão em inglês, tal como aparecem nos documentos.",
    "fr": "Les passages cités sont en anglais, tels qu'ils figurent dans les documents.",
}
OTHER_LANGUAGE = (
    "Ruta answers in English, Spanish, Portuguese and French; the passages below are quoted in "
    "English, as they appear in the documents."
)


# Where a streamed extractive answer is cut: after a sentence's end or its [n] markers.
_PIECE_END = re.compile(r"(?<=[.!?\]])\s+(?=[\"“(]?[A-Z0-9¿¡])")


def _sentence_pieces(text: str) -> Iterator[str]:
    """``text`` sentence by sentence, whitespace kept: the pieces join back to ``text``."""
    start = 0
    for m in _PIECE_END.finditer(text):
        yield text[start : m.end()]
        start = m.end()
    if start < len(text):
        yield text[start:]


@dataclass(frozen=True)
class AnswerConfig:
    """The answer-step knobs; built from Settings by app.services.answer_config."""

    top_k: int
    max_question_chars: int
    tuning: Tuning
    max_history_turns: int = 6
    timeout_s: float = 0.0  # the time budget of one answer; 0 = none


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str) -> None:
    """Refuse a lone surrogate ("\\udc00", what a JSON escape or an undecodable byte can make):
    it is no character, and the tokenizers, the store and JSON cannot encode it."""
    m = _SURROGATE.search(value)
    if m:
        raise BadQuestion(
            f"{what} holds a lone surrogate (U+{ord(m.group()):04X}), which is not a character; "
            "send the text as valid UTF-8"
        )


def check_inputs(history: Sequence[Message] = (), filters: dict[str, str] | None = None) -> None:
    """Refuse a history or filters holding what is not text (see check_text)."""
    for i, m in enumerate(history):
        check_text(m.content, f"history[{i}].content")
    for key, value in (filters or {}).items():
        check_text(key, "a filter name")
        if isinstance(value, str):  # None: no filter (`ruta search` without --doc)
            check_text(value, f"filters.{key}")


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters; refuse empty or over-long questions with a clear message."""
    if not isinstance(question, str):
        raise BadQuestion(f"the question must be text, got {type(question).__name__}")
    check_text(question, "the question")
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


def prepare(question: str, history: Sequence[Message], max_chars: int) -> tuple[str, list[str]]:
    """The cleaned question and the queries retrieval runs, best guess first: the question
    alone when it stands alone, merged with the previous answered one when it leans on it."""
    q = clean_question(question, max_chars)
    return q, candidate_queries(q, history, max_chars)


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
    check_inputs(history, filters)
    _, queries = prepare(question, history, max_question_chars)
    return retriever.search(queries[0], k, filters)


class Answerer:
    """Holds what answering needs across questions: retriever, term stats, embedder, LLM."""

    def __init__(
        self,
        retriever: HybridRetriever,
        config: AnswerConfig,
        llm: LLM | None = None,
        embedder: Embedder | None = None,
        index_notice: Callable[[], str] | None = None,
    ) -> None:
        self.retriever = retriever
        self.config = config
        self.llm = llm
        self.index_notice = index_notice  # e.g. "the index is incomplete: run `ruta ingest`"
        self.embedder = embedder if embedder is not None else retriever.embedder
        self.stats = TermStats.of(retriever.prepared)

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: dict[str, str] | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they are ready, then the final Answer. Past the time budget the
        next step raises AnswerTimedOut instead of running: the work stops, it is not left
        running behind a client that gave up."""
        t0 = time.perf_counter()
        budget = self.config.timeout_s

        def in_time() -> None:
            if budget and time.perf_counter() - t0 > budget:
                raise AnswerTimedOut(
                    f"the answer took longer than its {budget:g} s budget and was stopped "
                    "(RUTA_REQUEST_TIMEOUT_S)"
                )

        limit = self.config.max_question_chars
        check_inputs(history, filters)
        history = bound_history(history, self.config.max_history_turns, limit)
        q, queries = prepare(question, history, limit)
        lang = detect_language(q)
        searched = []
        for query in queries:
            in_time()
            searched.append((query, self.retriever.search(query, self.config.top_k, filters)))
        in_time()
        timings = {"retrieval": (time.perf_counter() - t0) * 1000}
        t1 = time.perf_counter()
        # Unsure whether a follow-up leans on the history: keep the better-supported reading.
        query, hits, reading = max(
            (
                (qy, h, read(analyse(qy, lang), h, self.stats, self.embedder, self.config.tuning))
                for qy, h in searched
            ),
            key=lambda x: x[2].best,
        )
        in_time()
        refused = reading.refused or reading.near_miss
        notice = QUOTED_IN_ENGLISH.get(lang, "" if lang == "en" else OTHER_LANGUAGE)
        answer: Answer | None = None
        if self.llm is not None and not refused:
            try:
                answer = yield from self._generate(q, reading, hits, history, lang, in_time)
            except LLMUnavailable as exc:
                log.warning("LLM failed, falling back to extractive: %s", exc)
                notice = (
                    f"The language model was unavailable ({exc}); this is an extractive answer."
                )
                yield f"\n{notice}\n"
        if answer is None:
            answer = extractive_answer(q, reading, hits, notice)
            for line in answer.text.split("\n"):
                yield from _sentence_pieces(line + "\n")
        timings["answer"] = (time.perf_counter() - t1) * 1000
        warning = self.index_notice() if self.index_notice else ""
        if warning:
            notice = f"{warning}. {answer.notice}".strip() if answer.notice else warning
            answer = replace(answer, notice=notice)
        if reading.best >= self.config.tuning.lead_min:  # the reader is sure: its passages lead
            lead = [hits[u.hit].chunk.chunk_id for u in (*reading.units, *reading.ranked[:1])]
            answer = replace(answer, hits=reader_first(answer.hits, lead))
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

    def _generate(
        self,
        q: str,
        reading: Reading,
        hits: list[Hit],
        history: Sequence[Message],
        lang: str,
        in_time: Callable[[], None],
    ) -> Iterator[str | Answer]:
        assert self.llm is not None
        evidence = [(u.hit + 1, u.text) for u in reading.units]
        messages = build_messages(q, hits, history, lang, evidence)
        pieces: list[str] = []
        for piece in self.llm.stream(messages):
            in_time()
            pieces.append(piece)
            yield piece
        raw = "".join(pieces).strip()
        if not raw:
            raise LLMUnavailable("the model returned an empty reply")
        if is_refusal_text(raw):
            return refusal(q, hits, lang, self.llm.name, "")
        text, cites, unsupported = validate(raw, hits)
        notice = (
            f"{unsupported} sentence(s) could not be verified against the sources."
            if unsupported
            else ""
        )
        return Answer(q, text, tuple(cites), False, self.llm.name, tuple(hits), notice, lang)
