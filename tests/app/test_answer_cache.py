"""Repeated questions are answered from memory (extractive answers only), until the index changes."""

from __future__ import annotations

import socket

import pytest

from app.rag.answer import Answerer
from app.rag.llms.openai_compat import OpenAICompatLLM
from app.rag.rules import ablated
from app.rag.types import Answer, Message
from app.services import answer_config, make_answerer
from index.errors import BadQuestion

QUESTION = "Where does R4V post its monitoring data?"


@pytest.fixture
def searches(real_services, monkeypatch) -> list[str]:
    """The queries the shared retriever searched during the test: one or more per answer
    computed, none for an answer from memory."""
    retriever = real_services.retriever()
    search = retriever.search
    seen: list[str] = []

    def counting(query, *args, **kwargs):
        seen.append(getattr(query, "text", query))
        return search(query, *args, **kwargs)

    monkeypatch.setattr(retriever, "search", counting)
    return seen


def fresh(real_services, size: int = 1000) -> Answerer:
    settings = real_services.settings.model_copy(update={"answer_cache": size})
    return make_answerer(settings, real_services)


def test_a_repeated_question_is_answered_from_memory(real_services, searches) -> None:
    answerer = fresh(real_services)
    first = list(answerer.stream(QUESTION))
    searched = len(searches)
    again = list(answerer.stream("  Where does R4V post its   monitoring data? "))  # cleaned
    assert searched >= 1 and len(searches) == searched  # no search the second time
    assert answerer.cache is not None
    assert (answerer.cache.hits, answerer.cache.misses, len(answerer.cache)) == (1, 1, 1)
    # The same pieces streamed, the same answer, its timings saying where it came from.
    assert again[:-1] == first[:-1]
    a, b = first[-1], again[-1]
    assert isinstance(a, Answer) and isinstance(b, Answer)
    assert (b.text, b.citations, b.hits, b.plan) == (a.text, a.citations, a.hits, a.plan)
    assert set(a.timings_ms) == {"retrieval", "answer"} and set(b.timings_ms) == {"cached"}


def test_another_history_filter_or_ablation_is_another_answer(real_services, searches) -> None:
    answerer = fresh(real_services)
    answerer.answer(QUESTION)
    answerer.answer(
        QUESTION, [Message("user", "What is R4V?"), Message("assistant", "A platform.")]
    )
    answerer.answer(QUESTION, filters={"doc_id": "k4dd-donor-activity"})
    with ablated("reader_first"):
        answerer.answer(QUESTION)
    assert answerer.cache is not None
    assert (answerer.cache.hits, answerer.cache.misses) == (0, 4)
    answerer.answer(QUESTION, filters={"doc_id": ["k4dd-donor-activity"]})  # a list: as given
    answerer.answer(QUESTION, filters={"doc_id": "k4dd-donor-activity"})
    assert (answerer.cache.hits, answerer.cache.misses) == (1, 5)


def test_memory_is_bounded_least_recently_used_out(real_services) -> None:
    answerer = fresh(real_services, size=2)
    one, two, three = QUESTION, "What does EUROFRONT aim to strengthen?", "What is R4V?"
    for q in (one, two, one, three):  # asking `one` again keeps it; `two` goes
        answerer.answer(q)
    assert answerer.cache is not None and len(answerer.cache) == 2
    answerer.answer(one)
    answerer.answer(two)
    assert (answerer.cache.hits, answerer.cache.misses) == (2, 4)
    answerer.cache.clear()  # what the bench does to measure new questions
    answerer.answer(one)
    assert (answerer.cache.hits, answerer.cache.misses, len(answerer.cache)) == (2, 5, 1)


def test_the_index_warning_is_read_at_each_answer(real_services) -> None:
    answerer = fresh(real_services)
    assert not answerer.answer(QUESTION).notice
    answerer.index_notice = lambda: "the index is incomplete: run `ruta ingest`"
    again = answerer.answer(QUESTION)
    assert answerer.cache is not None and answerer.cache.hits == 1
    assert again.notice.startswith("the index is incomplete")


def test_no_memory_when_switched_off_or_for_an_llm(real_services, searches) -> None:
    off = fresh(real_services, size=0)
    off.answer(QUESTION)
    off.answer(QUESTION)
    assert off.cache is None and len(searches) >= 2
    with socket.socket() as s:  # a port nothing listens on: the LLM fails, the reader answers
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    llm = OpenAICompatLLM(f"http://127.0.0.1:{port}/v1", "local", "", 5, 16)
    config = answer_config(real_services.settings.model_copy(update={"answer_cache": 10}))
    with_llm = Answerer(real_services.retriever(), config, llm, real_services.sentence_embedder)
    first, second = with_llm.answer(QUESTION), with_llm.answer(QUESTION)
    assert "unavailable" in first.notice and "unavailable" in second.notice
    assert with_llm.cache is not None and len(with_llm.cache) == 0
    assert "cached" not in second.timings_ms


def test_kept_looks_up_without_answering(real_services, searches) -> None:
    """``kept`` (what the server asks before taking an answer slot) searches nothing: None for a
    new question, not counted as a miss (the answer that follows counts it), then the answer
    ``answer`` gives from memory."""
    answerer = fresh(real_services)
    assert answerer.kept(QUESTION) is None and not searches
    first = answerer.answer(QUESTION)
    searched = len(searches)
    kept = answerer.kept(" Where does R4V post its monitoring data?")
    assert kept is not None and len(searches) == searched
    assert (kept.text, kept.citations, kept.hits) == (first.text, first.citations, first.hits)
    assert set(kept.timings_ms) == {"cached"}
    assert answerer.cache is not None
    assert (answerer.cache.hits, answerer.cache.misses) == (1, 1)
    with pytest.raises(BadQuestion):
        answerer.kept("   ")
