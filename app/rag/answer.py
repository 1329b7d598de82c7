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

from app.rag.cache import AnswerCache, Key, answer_key
from app.rag.choose import Reading, read
from app.rag.citations import reader_first, validate
from app.rag.compose import extractive_answer, refusal
from app.rag.conversation import bound_history, candidate_queries
from app.rag.errors import AnswerStopped, AnswerTimedOut, LLMUnavailable
from app.rag.framing import frame
from app.rag.llms import LLM
from app.rag.plans.asks_summary import SummaryModel
from app.rag.plans.execute import run_plan
from app.rag.plans.shape import plan_of
from app.rag.plans.steps import AskOne, names
from app.rag.plans.words import words
from app.rag.prompt import build_messages, is_refusal_text
from app.rag.question import Question, analyse
from app.rag.reader import Tuning
from app.rag.rules import on
from app.rag.termstats import TermStats
from app.rag.types import Answer, Message
from index.embed import Embedder, embed_ahead
from index.errors import BadQuestion
from index.filters import FiltersIn
from index.lang import detect_language, packs
from index.lang.organisations import english_names
from index.parts import one_word_names
from index.retrieve import HybridRetriever
from index.types import Hit

log = logging.getLogger(__name__)

_P = packs()
# The notice under an answer in another language than the documents': their passages are
# quoted in English; for a language without a pack, also which languages Ruta answers in.
QUOTED_IN_ENGLISH = {
    p.code: p["answer.quoted_in_english"].text
    for p in _P.packs
    if p["answer.quoted_in_english"].text
}
_NAMES = [p.name for p in _P.packs]
OTHER_LANGUAGE = _P.text("answer.other_language", "en").format(
    languages=" and ".join([", ".join(_NAMES[:-1]), _NAMES[-1]] if len(_NAMES) > 1 else _NAMES)
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
    answer_cache: int = 0  # extractive answers kept for repeated questions; 0 = none
    summary: SummaryModel | None = None  # the fitted summary detector; None = the cue alone


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text(value: str, what: str) -> None:
    """Refuse a lone surrogate ("\\udc00", what a JSON escape or an undecodable byte can make):
    it is no character, and the tokenizers, the store and JSON cannot encode it."""
    m = _SURROGATE.search(value)
    if m:
        raise BadQuestion(
            f"{what} holds a lone surrogate (U+{ord(m.group()):04X}), which is not a character; "
            "send the text as valid UTF-8",
            code="not_text",
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
        raise BadQuestion(
            f"the question must be text, got {type(question).__name__}", code="not_text"
        )
    check_text(question, "the question")
    text = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in question
    )
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise BadQuestion.empty()
    if len(text) > max_chars:
        raise BadQuestion(
            f"the question is {len(text)} characters long; the limit is {max_chars} "
            "(RUTA_MAX_QUESTION_CHARS)",
            code="question_too_long",
        )
    return text


def prepare(
    question: str, history: Sequence[Message], max_chars: int, lang: str | None = None
) -> tuple[str, list[str]]:
    """The cleaned question and the queries retrieval runs, best guess first: the question
    alone when it stands alone, merged with the previous answered one when it leans on it.
    ``lang``: the question's language, when already guessed. Organisations it names in its
    own language are read by their English names ("o PNUD" -> "o UNDP")."""
    q = clean_question(question, max_chars)
    lang = lang or detect_language(q)
    q = english_names(q, lang)
    return q, [english_names(x, lang) for x in candidate_queries(q, history, max_chars, lang)]


def search(
    retriever: HybridRetriever,
    question: str,
    history: Sequence[Message] = (),
    *,
    k: int,
    max_question_chars: int,
    filters: FiltersIn | None = None,
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
        halt: Callable[[], str] | None = None,
    ) -> None:
        self.retriever = retriever
        self.config = config
        self.llm = llm
        self.index_notice = index_notice  # e.g. "the index is incomplete: run `ruta ingest`"
        self.halt = halt  # why an answer must stop now (a server shutting down); "" = go on
        self.embedder = embedder if embedder is not None else retriever.embedder
        self.stats = TermStats.of(retriever.prepared)
        # "according to K4DD": the documents' one-word names say where to look (plans.steps)
        self.doc_words = one_word_names(retriever.prepared.doc_names)
        # Extractive answers only: an LLM's are not the same twice, and are streamed as made.
        self.cache = AnswerCache(config.answer_cache) if config.answer_cache else None
        # (fitted on one embedder's vectors: with another, the packs' cue alone decides)
        self.summary = config.summary and config.summary.for_embedder(self.embedder.name)

    def stream(
        self,
        question: str,
        history: Sequence[Message] = (),
        filters: FiltersIn | None = None,
    ) -> Iterator[str | Answer]:
        """Yield text pieces as they are ready, then the final Answer. Past the time budget the
        next step raises AnswerTimedOut instead of running: the work stops, it is not left
        running behind a client that gave up. When ``halt`` gives a reason (the server is
        shutting down), the next step raises AnswerStopped. A repeated question is answered
        from ``cache`` (extractive answers), its timings then ``{"cached": ms}``."""
        t0 = time.perf_counter()
        budget = self.config.timeout_s

        def in_time() -> None:
            why = self.halt() if self.halt else ""
            if why:
                raise AnswerStopped(why)
            if budget and time.perf_counter() - t0 > budget:
                raise AnswerTimedOut(
                    f"the answer took longer than its {budget:g} s budget and was stopped "
                    "(RUTA_REQUEST_TIMEOUT_S)"
                )

        limit = self.config.max_question_chars
        q, history, key, kept = self._recall(question, history, filters, counted=True)
        cache = self.cache if self.llm is None else None
        if kept is not None:
            for line in kept.text.split("\n"):
                yield from _sentence_pieces(line + "\n")
            took = (time.perf_counter() - t0) * 1000
            yield replace(self._noticed(kept), timings_ms={"cached": took})
            return
        lang = detect_language(q)  # the one language guess: retrieval's and the reader's
        # One analysis per query, read by retrieval and by the reader; a follow-up merged
        # with the previous question keeps the language of the one asked.
        asked_as = q  # the question as asked, which the answer echoes
        q, queries = prepare(q, history, limit, lang)
        analyses = [self.retriever.analyse(query, lang) for query in queries]
        # what every search will embed, side by side (a follow-up unsure of its subject
        # searches twice)
        embed_ahead(pair for a in analyses for pair in self.retriever.query_texts(a))
        searched = []
        for asked in analyses:
            in_time()
            searched.append((asked, self.retriever.search(asked, self.config.top_k, filters)))
        in_time()
        timings = {"retrieval": (time.perf_counter() - t0) * 1000}
        t1 = time.perf_counter()
        questions = [analyse(a) for a, _ in searched]
        # Unsure whether a follow-up leans on the history: keep the better-supported reading.
        asked, hits, reading = max(
            (
                (a, h, read(x, h, self.stats, self.embedder, self.config.tuning))
                for x, (a, h) in zip(questions, searched, strict=True)
            ),
            key=lambda x: x[2].best,
        )
        in_time()
        refused = reading.refused or reading.near_miss
        notice = QUOTED_IN_ENGLISH.get(lang, "" if lang == "en" else OTHER_LANGUAGE)
        # A question of several parts, a comparison, a summary …: its plan answers it (the
        # extractive reader's; an LLM reads the passages whole).
        plan = plan_of(reading.question, self._asks_summary(reading.question))
        planned = None
        # (not on a question merged with the history: its plan is the new question's alone)
        if self.llm is None and (asked.text == q or not asked.text.endswith(q)):
            ask_one = self._ask_one(lang, filters, in_time)
            planned = run_plan(
                plan, q, reading, hits, ask_one, self.retriever.chunks, notice, self.doc_words
            )
        answer: Answer | None = planned
        if self.llm is not None and not refused:
            try:
                answer = yield from self._generate(q, reading, hits, history, lang, in_time)
            except LLMUnavailable as exc:
                log.warning("LLM failed, falling back to extractive: %s", exc)
                notice = (
                    f"The language model was unavailable ({exc}); this is an extractive answer."
                )
                yield f"\n{notice}\n"
        if answer is None or answer is planned:
            answer = answer or extractive_answer(q, reading, hits, notice)
            # (a parts or chain answer frames each part in its own words)
            if answer is not planned or plan.name not in ("parts", "chain"):
                answer = frame(answer, q, plan.name)
            for line in answer.text.split("\n"):
                yield from _sentence_pieces(line + "\n")
        timings["answer"] = (time.perf_counter() - t1) * 1000
        # the reader is sure: its passages lead (a plan's answer keeps its own order)
        sure = reading.best >= self.config.tuning.lead_min and on("reader_first")
        if planned is None and sure:
            lead = [hits[u.hit].chunk.chunk_id for u in (*reading.units, *reading.ranked[:1])]
            answer = replace(answer, hits=reader_first(answer.hits, lead))
        # (the question as read, its organisations in English, is the standalone one)
        answer = replace(answer, question=asked_as, standalone_question=asked.text, plan=plan.name)
        if cache is not None:
            cache.put(key, answer)
        yield replace(self._noticed(answer), timings_ms=timings)

    def kept(
        self, question: str, history: Sequence[Message] = (), filters: FiltersIn | None = None
    ) -> Answer | None:
        """The answer ``stream`` would give from memory, or None when it would compute one: a
        lookup that searches nothing, so a server can give it without waiting for an answer
        slot. Raises what ``stream`` raises for bad inputs. A None is not counted as a miss
        (the ``stream`` that follows counts it)."""
        t0 = time.perf_counter()
        kept = self._recall(question, history, filters, counted=False)[3]
        if kept is None:
            return None
        took = (time.perf_counter() - t0) * 1000
        return replace(self._noticed(kept), timings_ms={"cached": took})

    def _recall(
        self,
        question: str,
        history: Sequence[Message],
        filters: FiltersIn | None,
        counted: bool,
    ) -> tuple[str, Sequence[Message], Key, Answer | None]:
        """The cleaned question, the bounded history, the cache key and the kept answer, if any
        (extractive answers only). ``counted``: a lookup that finds nothing counts as a miss."""
        limit = self.config.max_question_chars
        check_inputs(history, filters)
        history = bound_history(history, self.config.max_history_turns, limit)
        q = clean_question(question, limit)
        key = answer_key(q, history, filters)
        cache = self.cache if self.llm is None else None
        kept = cache.get(key, counted=counted) if cache is not None else None
        return q, history, key, kept

    def _noticed(self, answer: Answer) -> Answer:
        """``answer`` under the index's warning, if any (read at each answer: an ingestion
        that stopped midway shows at once)."""
        warning = self.index_notice() if self.index_notice else ""
        if not warning:
            return answer
        notice = f"{warning}. {answer.notice}".strip() if answer.notice else warning
        return replace(answer, notice=notice)

    def answer(
        self, question: str, history: Sequence[Message] = (), filters: FiltersIn | None = None
    ) -> Answer:
        """The final Answer of ``stream``."""
        final: Answer | None = None
        for piece in self.stream(question, history, filters):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final

    def _asks_summary(self, q: Question) -> bool:
        """Whether the fitted detector reads ``q`` as asking for a summary (plans.asks_summary;
        the packs' cue is plan_of's own)."""
        if self.summary is None or not on("summary_fitted"):
            return False
        if words(q.lang).summary.search(q.text):
            return True  # (the cue decides alone: no vector needed)
        return self.summary.asks(self.embedder.queries([q.text])[0], cue=False)

    def _ask_one(
        self, lang: str, filters: dict[str, str] | None, in_time: Callable[[], None]
    ) -> AskOne:
        """Search and read one question (a part, a side of a comparison) as for a single fact.
        A step asked again (a statement read once more as a claim) reads the passages its first
        search found: one search per step and answer."""
        searched: dict[tuple[str, str, tuple[str, ...]], list[Hit]] = {}

        def search(query: str, name: str, docs: tuple[str, ...]) -> list[Hit]:
            # a part that names a document is asked of that document (unless the request
            # limits the documents itself)
            where: FiltersIn | None = filters
            if docs and not (filters or {}).get("doc_id"):
                where = {**(filters or {}), "doc_id": docs}
            hits = self.retriever.search(query, self.config.top_k, where)
            if name and not any(names(h, name) for h in hits):
                # a side no passage found names: look further down for passages that do
                more = self.retriever.search(query, 4 * self.config.top_k, where)
                hits = [h for h in more if names(h, name)][: self.config.top_k] or hits
            return hits

        def ask(
            query: str, name: str = "", docs: tuple[str, ...] = (), claim: bool = False
        ) -> tuple[list[Hit], Reading]:
            in_time()
            key = (query, name, docs)
            if key not in searched:
                searched[key] = search(*key)
            hits = searched[key]
            q = analyse(query, lang)
            q = replace(q, claim=True) if claim else q
            return hits, read(q, hits, self.stats, self.embedder, self.config.tuning)

        return ask

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
