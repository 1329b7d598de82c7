"""One analysis per question: the language, the sentence that asks, the parts and the named
documents, read alike by retrieval and the reader."""

from __future__ import annotations

from index.analysis import analyse_query
from index.parts import asked_parts, plan

NAMES = {"iecah-study": {"iecah", "the study"}, "k4dd-review": {"k4dd", "the review"}}


def test_one_analysis_holds_what_retrieval_and_the_reader_read():
    a = analyse_query(
        "UNHCR co-leads R4V. Was it also involved in the study, and in what capacity?", NAMES
    )
    assert a.lang == "en"
    assert a.focus.startswith("Was UNHCR also involved")  # the statement's subject, not "it"
    assert a.context == "UNHCR co-leads R4V."
    assert a.plan.docs == ("iecah-study",)
    assert a.asked_parts == ("Was UNHCR also involved in the study", "in what capacity")


def test_the_language_is_guessed_once_or_given():
    assert analyse_query("¿Quién lidera R4V?").lang == "es"
    # a follow-up merged with an English question keeps the language of the one asked
    assert analyse_query("Who leads R4V. ¿Y quién lo financia?", lang="es").lang == "es"


def test_without_document_names_there_is_no_retrieval_plan():
    a = analyse_query("What does the study propose, and who funds it?")
    assert a.plan.parts == () and a.plan.docs == ()
    assert len(a.asked_parts) == 2


def test_retrieval_and_the_reader_split_a_question_the_same_way():
    for q in (
        "How many levels of coordination does it propose, and would that mean separate structures?",
        "who is behind the IECAH study? which organisations launched the IECAH study?",
        "Em quantos países atua o Programa Global, e quais são os da América Latina?",
    ):
        assert [p.rstrip("?") for p in plan(q, {}).parts] == list(asked_parts(q)), q
