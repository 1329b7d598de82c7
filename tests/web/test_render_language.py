"""The page's words shown with an answer follow the answer's language, on hand-made answers:
the sources' summary, the closest passage of a refusal, the verified mark, the names of [n]."""

from __future__ import annotations

import pytest

from app.http.render import answer_html, label, sources_html
from app.rag.types import Answer, Citation
from index.lang import packs
from index.types import Hit
from ingest.types import Chunk

PASSAGE = Chunk(
    "doc-r#0000",
    "doc-r",
    "A made-up review",
    "The Blue Fund is financed by Norway.",
    0,
    36,
    "Funding",
    links=("https://example.org/blue",),
)


def answer(lang: str, refused: bool = False, n: int = 1) -> Answer:
    cites = tuple(
        Citation(
            i,
            "doc-r#0000",
            "doc-r",
            "A made-up review",
            "Funding",
            None,
            "",
            "The Blue Fund is financed by Norway.",
            not refused,
            1.0,
            ((29, 35),),
            ("https://example.org/blue",),
        )
        for i in range(1, n + 1)
    )
    text = "Los documentos no lo dicen." if refused else "Norway [1]"
    return Answer("q", text, cites, refused, "extractive", (Hit(PASSAGE, 1.0, 1),), "", lang)


def test_every_language_has_every_page_word():
    english = set(packs().entry("en", "page.labels").table)
    assert all(set(p["page.labels"].table) == english for p in packs().packs)


def test_a_spanish_answer_gets_spanish_page_words():
    html = answer_html(answer("es"), "ruta-a1")
    assert "<summary>Fuente [1]</summary>" in html and "cita verificada" in html
    assert 'title="Fuente 1: A made-up review, Funding"' in html
    assert "Enlaces en este pasaje: <a href=" in html
    for english in ("Source", "quote verified", "Links in this passage"):
        assert english not in html


def test_a_french_refusal_names_its_closest_passages_in_french():
    html = sources_html(answer("fr", refused=True, n=2), "ruta-a2")
    assert "<summary>Passages les plus proches [1]–[2]</summary>" in html
    assert "passage le plus proche" in html


@pytest.mark.parametrize("lang", ["en", "xx"])  # English, and a language without a pack
def test_english_words_for_english_and_unknown_languages(lang):
    html = answer_html(answer(lang, n=2), "ruta-a3")
    assert "<summary>Sources [1]–[2]</summary>" in html and "quote verified" in html
    assert 'title="Source 1: A made-up review, Funding"' in html
    assert label("no_sources", lang) == "No sources: the documents did not match this question."


def test_a_copied_answer_names_its_sources_in_its_language():
    from app.http.conversations import answer_markdown
    from app.rag.serialize import answer_dict

    assert "\nFuentes:\n" in answer_markdown(answer_dict(answer("es")))
    assert "\nPassages les plus proches :\n" in answer_markdown(answer_dict(answer("fr", True)))
    assert "\nSources:\n" in answer_markdown(answer_dict(answer("en")))


def test_the_page_speaks_the_browsers_language_before_any_question():
    from app.http.words import accepted_language

    assert accepted_language("es-ES,es;q=0.9,en;q=0.8") == "es"
    assert accepted_language("de-DE,de;q=0.9,fr;q=0.7,en;q=0.5") == "fr"  # no German pack
    assert accepted_language("en;q=0.4, pt-BR") == "pt"  # the weights, not the order
    assert accepted_language("de") == accepted_language("") == "en"


def test_the_page_speaks_the_questions_language_and_keeps_it_for_no_words():
    from app.http.words import question_language

    assert question_language("¿Quién financia el Proyecto Turquesa?", "en") == "es"
    assert question_language("Who funds Project Turquesa?", "es") == "en"
    assert question_language("  ", "fr") == question_language("123 ?", "fr") == "fr"
    assert question_language("誰が資金を出していますか", "es") == "en"  # no pack: English


def test_the_pages_notices_and_start_page_in_the_pages_language():
    from app.http.asking import input_problem
    from app.http.library import library_html

    assert input_problem("  ", 2000, "es") == "Escriba primero una pregunta."
    assert input_problem("x" * 3000, 2000, "pt") == (
        "As perguntas podem ter até 2.000 caracteres; esta tem 3.000."
    )
    assert input_problem("x" * 3000, 2000) == (
        "Questions can be up to 2,000 characters; this one has 3,000."
    )
    doc = {"doc_id": "d", "title": "T", "publisher": "", "date": "", "kind": "", "url": ""}
    assert "Ruta répond à partir de 2 documents :" in library_html([doc, doc], "fr")
    assert "<code>ruta ingest</code>" in library_html([], "es")
    assert "ejecute <code>ruta ingest</code>" in library_html([], "es")


def test_server_errors_on_the_page_in_the_pages_language():
    """No index, a store or LLM out of reach, an answer past its time, any other failure: said
    in the page's language; the detail for whoever runs Ruta (English, as on /api) follows."""
    from app.http.asking import error_said
    from app.http.words import said
    from app.rag.errors import AnswerStopped, AnswerTimedOut, LLMUnavailable
    from index.errors import BadQuestion, IndexNotReady, StoreUnavailable

    missing = IndexNotReady("no index yet; run `ruta ingest`")
    assert error_said(missing, "es") == (
        "Ruta aún no puede responder: su índice de los documentos no está listo. "
        "Para quien administra Ruta: no index yet; run `ruta ingest`"
    )
    assert error_said(missing, "en").startswith("Ruta cannot answer yet")
    assert error_said(StoreUnavailable("x"), "fr").startswith("Ruta n'a pas pu joindre")
    assert error_said(LLMUnavailable("x"), "pt").startswith("O Ruta não conseguiu acessar")
    assert error_said(AnswerTimedOut("past 30 s"), "es") == (
        "Esta respuesta tardó demasiado y se detuvo; vuelva a preguntar, quizá de forma más breve."
    )
    assert error_said(AnswerStopped("stop"), "fr") == said("shutting_down", "fr")
    gone = BadQuestion("unknown document 'x' in filters.doc_id", code="unknown_document")
    assert error_said(gone, "pt") == (
        "O Ruta não conseguiu responder a esta pergunta: unknown document 'x' in filters.doc_id"
    )
    assert error_said(missing, "xx") == error_said(missing, "en")  # no pack: English
