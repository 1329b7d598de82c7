"""Follow-up questions and helpful refusals over the real corpus: each suggestion answered by
the reader from the section it was made from; a refusal names the closest subject, cited once."""

from __future__ import annotations

import pytest

from app.rag.refusals import heading
from app.rag.suggest import candidates, follow_ups, is_name, names, with_suggestions
from app.services import make_answerer
from ingest.types import Chunk

R4V = "Where does R4V post its monitoring data?"
OFF_TOPIC = "What is the capital of Mongolia?"


@pytest.fixture(scope="module")
def answerer(real_services):
    return make_answerer(real_services.settings, real_services)


def test_heading_and_names_in_the_documents_words() -> None:
    chunk = Chunk(
        "d#3", "d", "Doc", "The Mixed Migration Centre (MMC) works with IOM. It has offices.", 0, 9,
        section="6. Others > 6.2 Mixed Migration Centre", publisher="IECAH, for DG-ECHO",
        kind="study",
    )  # fmt: skip
    assert heading(chunk) == "Mixed Migration Centre"
    assert is_name("Mixed Migration Centre") and is_name("UNICEF")
    assert is_name("Inter-American Development Bank (IDB)")
    assert not is_name("Coordination gaps") and not is_name("Summary")
    assert names(chunk.text, set()) == ["Mixed Migration Centre", "MMC", "IOM"]
    skip: set[str] = set()
    made = candidates(chunk, "en", skip, quoted=set())
    assert made[0] == ["What does Mixed Migration Centre do?", "What is Mixed Migration Centre?"]
    assert ["What is MMC?", "What does MMC do?"] in made  # the heading's name is not repeated
    topic = Chunk("d#4", "d", "Doc", "Gaps remain.", 0, 9, section="4 Coordination gaps",
                  publisher="IECAH, for DG-ECHO", kind="study")  # fmt: skip
    assert candidates(topic, "es", set(), set())[0] == [
        "¿Qué dice el documento IECAH study sobre coordination gaps?"
    ]


def test_follow_ups_are_answered_from_the_cited_sections(answerer) -> None:
    answer = answerer.answer(R4V)
    found = follow_ups(answerer, answer)
    assert 1 <= len(found) <= 3 and len(set(found)) == len(found)
    cited = {(c.doc_id, c.section) for c in answer.citations}
    quoted = {c.quote for c in answer.citations}
    for question in found:
        assert question != R4V
        trial = answerer.answer(question)
        assert not trial.refused, question
        same = [c for c in trial.citations if (c.doc_id, c.section) in cited]
        assert same and same[0].quote not in quoted, question  # something the answer did not say


def test_with_suggestions_times_them_and_keeps_the_answer(answerer) -> None:
    answer = answerer.answer(R4V)
    assert answer.suggestions == ()
    more = with_suggestions(answerer, answer)
    assert more.text == answer.text and more.citations == answer.citations
    assert more.suggestions and "suggestions" in more.timings_ms


def test_refusal_names_the_closest_subject_and_offers_answered_questions(answerer) -> None:
    refused = answerer.answer(OFF_TOPIC)
    assert refused.refused
    first, _, rest = refused.text.partition(". ")
    assert first == "The documents do not say"  # the refusal itself comes first
    [cite] = refused.citations  # one cited subject, not three passages of no support
    best = next(h.chunk for h in refused.hits if h.chunk.chunk_id == cite.chunk_id)
    assert f"“{heading(best) or best.title}”" in rest and rest.endswith("[1].")
    assert not cite.verified and cite.quote in best.text
    offered = follow_ups(answerer, refused)
    assert len(offered) >= 2
    for question in offered:
        assert not answerer.answer(question).refused, question


def test_a_filter_that_leaves_nothing_refuses_plainly(answerer) -> None:
    refused = answerer.answer(OFF_TOPIC, filters={"kind": "nonexistent-kind"})
    assert refused.refused and refused.text == "The documents do not say."
    assert refused.citations == () and follow_ups(answerer, refused) == ()
