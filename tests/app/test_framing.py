"""The answer framed in the asker's language, on hand-made passages: the lead says the marked
span with its citation in the question's language, the English quotes follow under a label;
English answers are left as they are."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rag.choose import read
from app.rag.compose import extractive_answer
from app.rag.framing import frame, lead, said_back
from app.rag.plans.combine import combine
from app.rag.question import analyse
from app.rag.reader import DEFAULT_TUNING
from app.rag.termstats import TermStats
from app.rag.types import Answer, Citation
from index.retrieve import Prepared
from index.types import Hit
from ingest.types import Chunk

_ANSWERING = replace(DEFAULT_TUNING, noanswer=(), noanswer_means=())


def chunk(n: int, text: str) -> Chunk:
    return Chunk(
        f"doc-f#{n:04d}", "doc-f", "A made-up review", text, n * 1000, n * 1000 + len(text)
    )


PASSAGES = [
    chunk(0, "The Blue Fund is financed by Norway with $12 million for border health posts."),
    chunk(1, "The Green Corridor Initiative is co-led by FAO and WFP in five countries."),
    chunk(2, "The Orange Network has offices in Quito, Lima and Cali."),
]


@pytest.fixture(scope="module")
def answer_to(real_services):
    stats = TermStats.of(Prepared.of(PASSAGES, 10))
    embedder = real_services.sentence_embedder

    def answer(question: str, lang: str) -> Answer:
        hits = [Hit(c, 1.0 / (i + 1), i + 1) for i, c in enumerate(PASSAGES)]
        # Framing, not refusal, is tested here: no no-answer model (its weights are fitted
        # on the corpus's similarity levels, which three made-up sentences do not share).
        reading = read(analyse(question, lang), hits, stats, embedder, _ANSWERING)
        return extractive_answer(question, reading, hits, "")

    return answer


def cited(quote: str, *spans: str, n: int = 1) -> Citation:
    marks = tuple((quote.index(s), quote.index(s) + len(s)) for s in spans)
    return Citation(
        n, f"doc-f#{n:04d}", "doc-f", "A made-up review", "", None, "", quote, True, 1.0, marks
    )


def test_a_spanish_question_gets_a_spanish_lead_with_the_span_and_its_citation(answer_to):
    question = "¿Qué agencias codirigen la Green Corridor Initiative?"
    a = answer_to(question, "es")
    framed = frame(a, question, "list")
    first, label, *quotes = framed.text.split("\n")
    assert first == "Codirigen la Green Corridor Initiative: FAO and WFP [1]"
    assert label == "Cita (en inglés):"
    assert "\n".join(quotes) == a.text  # the English evidence, untouched
    assert framed.framing == (first, label) and framed.quoted == a.text
    # the lead's marker points at the citation whose quote holds its span
    assert "FAO and WFP" in framed.citations[0].quote and framed.citations[0].n == 1


def test_a_french_list_question_gets_the_list_lead():
    a = Answer(
        "q",
        "- Quito [1]\n- Lima [1]",
        (cited("Offices in Quito, Lima.", "Quito", "Lima"),),
        False,
        "extractive",
        language="fr",
    )
    framed = frame(a, "Dans quelles villes le réseau a-t-il des bureaux ?", "list")
    assert framed.text.split("\n")[:2] == [
        "D'après les documents : Quito [1]; Lima [1]",
        "Citation (en anglais) :",
    ]
    assert framed.quoted == a.text


def test_an_english_answer_is_unchanged(answer_to):
    a = answer_to("Which agencies co-lead the Green Corridor Initiative?", "en")
    assert not a.refused
    assert frame(a, a.question, "list") is a and a.quoted == a.text


def test_refusals_and_generated_answers_are_not_framed():
    refused = Answer("q", "Los documentos no lo dicen.", (), True, "extractive", language="es")
    generated = Answer("q", "Lo financia Noruega [1].", (), False, "openai", language="es")
    assert frame(refused, "¿Quién?", "single") is refused
    assert frame(generated, "¿Quién lo financia?", "single") is generated


@pytest.mark.parametrize(
    ("question", "lang", "said"),
    [
        ("¿Quién lo financia?", "es", "Lo financia"),
        ("¿Qué agencias codirigen la plataforma?", "es", "Codirigen la plataforma"),
        ("Quem financia o projeto?", "pt", "Financia o projeto"),
        ("Qui finance le projet ?", "fr", "Finance le projet"),
        # an inverted subject, a verb of saying, a long rest: not said back
        ("Dans combien de pays le plan est-il coordonné ?", "fr", ""),
        ("¿Qué dice el informe sobre R4V?", "es", ""),
        (
            "¿En cuántos países se coordina, a través de la plataforma regional, el plan de respuesta?",
            "es",
            "",
        ),
        ("Who funds it?", "en", ""),  # English has no opening: its answers are not framed
    ],
)
def test_the_question_said_back(question, lang, said):
    assert said_back(question, lang) == said


def test_a_span_the_question_already_holds_is_no_lead():
    a = Answer(
        "q",
        "x [1]",
        (cited("UN Agencies and others.", "UN Agencies"),),
        False,
        "extractive",
        language="es",
    )
    assert lead("¿Qué agencias codirigen la plataforma?", a, "single") == ""
    assert frame(a, "¿Qué agencias codirigen la plataforma?", "single").framing == (
        "Cita (en inglés):",
    )


def test_a_parts_answer_renumbers_each_parts_lead():
    first = Answer(
        "a",
        "Norway funds it. [1]",
        (cited("Norway funds it.", "Norway"),),
        False,
        "extractive",
        language="es",
    )
    second = Answer(
        "b",
        "FAO leads it. [1]",
        (cited("FAO leads it.", "FAO"),),
        False,
        "extractive",
        language="es",
    )
    pieces = [
        ("", frame(p, q, "single"))
        for p, q in ((first, "¿Quién lo financia?"), (second, "¿Quién lo dirige?"))
    ]
    a = combine("q", pieces, "es", "")
    assert "Lo dirige: FAO [2]" in a.framing and "Lo dirige: FAO [2]" in a.text.split("\n")
    assert a.quoted == "Norway funds it. [1]\nFAO leads it. [2]"
