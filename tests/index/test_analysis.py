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


def test_a_statement_about_one_document_and_a_question_about_another_are_told_apart():
    a = analyse_query(
        "K4DD holds R4V up as a model. What does the IECAH study want done to it?", NAMES
    )
    assert a.asked_docs == ("iecah-study",) and a.told_docs == ("k4dd-review",)
    # the pronoun is the statement's subject, not the document that says it
    assert a.focus == "What does the IECAH study want done to R4V?"
    # a statement and a question about the same document, or a statement naming none: neither
    for q in (
        "The study holds R4V up as a model. What does the IECAH study want done to it?",
        "R4V is a model. What does the IECAH study want done to it?",
    ):
        b = analyse_query(q, NAMES)
        assert b.asked_docs == () and b.told_docs == ()


def test_a_statement_set_off_by_a_semicolon_is_told_apart_as_one_ending_in_a_full_stop():
    a = analyse_query(
        "K4DD holds R4V up as a model; what does the IECAH study want done to it?", NAMES
    )
    assert a.asked_docs == ("iecah-study",) and a.told_docs == ("k4dd-review",)
    assert a.context == "K4DD holds R4V up as a model;"
    b = analyse_query("La K4DD cuenta dónde publica R4V sus datos; ¿y qué propone IECAH?", NAMES)
    assert b.asked_docs == ("iecah-study",) and b.told_docs == ("k4dd-review",)
    # a first part that asks, "tl;dr", or a statement with no question after it: no statement
    for q in (
        "What does K4DD say about R4V; and what does the IECAH study want done to it?",
        "tl;dr the IECAH study's recommendations on R4V?",
        "K4DD says R4V works on two fronts; IECAH proposes two levels. Line them up.",
    ):
        assert analyse_query(q, NAMES).context == "", q


def test_a_question_asking_every_document_is_marked():
    assert analyse_query("What role does OCHA have in each of the two documents?", NAMES).every_doc
    assert analyse_query("IOM shows up in both reports: what does it do?", NAMES).every_doc
    assert not analyse_query("What role does OCHA have in the review?", NAMES).every_doc
