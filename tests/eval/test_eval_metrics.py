"""Scoring on hand-made Hits and Answers, and run_eval over the small overlap retriever."""

from __future__ import annotations

import pytest

from app.rag.types import Answer, Citation, Message
from eval import metrics
from eval.questions import Item
from eval.run import run_eval
from index.types import Hit


def cite(n: int, chunk_id: str, quote: str, verified: bool) -> Citation:
    return Citation(
        n=n,
        chunk_id=chunk_id,
        doc_id=chunk_id[0],
        title="t",
        section="",
        page=None,
        url="",
        quote=quote,
        verified=verified,
    )


def test_norm_ignores_case_spacing_and_punctuation() -> None:
    assert metrics.norm("1,380 Cross-ings\n per DAY!") == "1380crossingsperday"
    assert metrics.norm("Cúcuta") == "cúcuta"  # letters beyond ASCII are kept


def test_evidence_rank_and_retrieval_scores() -> None:
    texts = ["Nothing relevant here.", "Border monitoring in TUMBES recorded\n1380 crossings."]
    rank = metrics.evidence_rank(["Tumbes recorded 1,380 crossings"], texts)
    assert rank == 2
    scores = metrics.retrieval_scores(rank)
    assert scores == {"hit@1": 0.0, "hit@3": 1.0, "hit@5": 1.0, "hit@10": 1.0, "mrr": 0.5}
    assert metrics.evidence_rank(["absent span"], texts) is None
    assert metrics.retrieval_scores(None)["mrr"] == 0.0
    assert metrics.evidence_rank([], texts) is None  # no evidence: nothing to find
    assert metrics.evidence_rank(["..."], texts) is None  # empty after norm must not match


def test_key_fact_recall_names_the_missed_facts() -> None:
    recall, missed = metrics.key_fact_recall(["1,380", "Tumbes", "March"], "Tumbes saw 1380 [1].")
    assert recall == pytest.approx(2 / 3)
    assert missed == ["March"]
    # a [n] marker must not glue onto a number: "25 [1]" is not "251"
    assert metrics.key_fact_recall(["251"], "It cost 25 [1].") == (0.0, ["251"])
    assert metrics.key_fact_recall([], "anything") == (None, [])


def test_split_sentences_keeps_markers_with_their_sentence() -> None:
    text = "The fund paid 42 million [1]. Tumbes saw 1,380 a day. [2] Was it 2.5 times more? [9]"
    sentences = metrics.split_sentences(text)
    assert sentences == [
        "The fund paid 42 million [1].",
        "Tumbes saw 1,380 a day. [2]",
        "Was it 2.5 times more? [9]",
    ]
    assert [metrics.markers(s) for s in sentences] == [[1], [2], [9]]


def test_citation_precision_and_recall(chunk) -> None:
    evidence = ["recorded 1,380 crossings per day"]
    tumbes = chunk("a#1")
    answer = Answer(
        question="q",
        text="Tumbes recorded 1,380 crossings per day [2]. The fund paid 42 million [1]. "
        "The office opened in 2021 [3]. Nothing cited here.",
        citations=(
            cite(1, "a#0", "paid 42 million pesos", verified=True),  # verified
            cite(2, "a#1", "Border monitoring", verified=False),  # chunk holds the evidence
            cite(3, "b#0", "opened on 3 May 2021", verified=False),  # neither
        ),
        refused=False,
        backend="test",
        hits=(Hit(chunk=tumbes, score=1.0, rank=1),),
    )
    assert metrics.citation_precision(answer, evidence) == pytest.approx(2 / 3)
    # recall: only the sentence with [1] carries a verified citation, out of four sentences
    assert metrics.citation_recall(answer) == pytest.approx(1 / 4)

    refused = Answer(
        question="q", text="Not in the documents.", citations=(), refused=True, backend="test"
    )
    assert metrics.citation_precision(refused, evidence) is None
    assert metrics.citation_recall(refused) is None


def test_answer_similarity_is_cosine(embed) -> None:
    sims = metrics.answer_similarity(["abc [1]", "abc"], ["cba", "xyz"], embed)
    assert sims[0] == pytest.approx(1.0)
    assert sims[1] == pytest.approx(0.0)


def test_latency_summary_uses_numpy_percentiles() -> None:
    p50, p95 = metrics.latency_summary([10.0, 20.0, 30.0, 40.0, None])
    assert p50 == pytest.approx(25.0)
    assert p95 == pytest.approx(38.5)
    assert metrics.latency_summary([]) == (None, None)


def test_lower_is_better() -> None:
    assert metrics.lower_is_better("answer_ms_p95")
    assert metrics.lower_is_better("false_refusal_rate")
    assert not metrics.lower_is_better("refusal_rate")
    assert not metrics.lower_is_better("mrr")


def test_retrieval_only_run(items: list[Item], search) -> None:
    result = run_eval(items, search=search, ask=None, progress=False)
    by_id = {r["id"]: r for r in result.records}
    assert by_id["q1"]["evidence_rank"] == 1
    assert by_id["q1"]["retrieved_chunk_ids"][0] == "a#0"
    assert by_id["q2"]["retrieved_doc_ids"][0] == "a"
    assert by_id["q4"]["answer"] is None
    overall = result.metrics["overall"]
    assert overall["hit@1"] == 1.0  # the three answerable items; q4 has no evidence
    assert overall["refusal_rate"] is None and overall["key_fact_recall"] is None
    assert result.metrics["mode"] == "retrieval"


def test_answer_run_scores_and_survives_a_failing_item(
    items: list[Item], search, ask, embed
) -> None:
    extractive_ask = ask

    def failing_ask(question: str, history: list[Message]) -> Answer:
        if "Quito" in question:
            raise RuntimeError("backend timed out")
        return extractive_ask(question, history)

    result = run_eval(items, search=search, ask=failing_ask, embed=embed, progress=False)
    by_id = {r["id"]: r for r in result.records}
    assert by_id["q3"]["error"] == "RuntimeError: backend timed out"
    assert by_id["q4"]["refused"] is True
    assert by_id["q1"]["key_fact_recall"] == 1.0
    assert by_id["q1"]["citations"][0]["chunk_id"] == "a#0"
    assert by_id["q1"]["citation_precision"] == 1.0 and by_id["q1"]["citation_recall"] == 1.0
    assert by_id["q1"]["retrieval_ms"] == 2.0  # taken from the answer's own timings
    assert by_id["q1"]["similarity"] is not None and by_id["q4"]["similarity"] is None
    overall = result.metrics["overall"]
    assert overall["n"] == 4 and overall["n_errors"] == 1
    assert overall["refusal_rate"] == 1.0 and overall["false_refusal_rate"] == 0.0
    assert overall["answer_ms_p50"] is not None
    assert result.metrics["by_type"]["unanswerable"]["refusal_rate"] == 1.0
    assert result.metrics["by_type"]["numeric"]["mrr"] == 1.0


def test_follow_up_history_reaches_search(search) -> None:
    seen: list[list[Message]] = []
    overlap_search = search

    def recording_search(question: str, history: list[Message]) -> list[Hit]:
        seen.append(history)
        return overlap_search(question, history)

    item = Item(
        id="f1",
        type="follow_up",
        question="How many per day?",
        answer="1,380",
        evidence=("1,380 crossings",),
        history=(Message(role="user", content="Tell me about Tumbes border monitoring"),),
    )
    result = run_eval([item], search=recording_search, ask=None, progress=False)
    assert seen == [list(item.history)]
    assert result.records[0]["evidence_rank"] == 1


def test_evidence_precision_counts_the_sentences_that_hold_evidence() -> None:
    evidence = ["co-led by UNHCR and IOM and could be replicated"]
    text = (
        "At the macro level, the Platform is the world's largest example of crisis coordination "
        "co-led by UNHCR and IOM and could be replicated elsewhere. [1] "
        "It has over 200 members. [2]"
    )
    assert metrics.evidence_precision(evidence, text) == 0.5
    # a sentence inside a long span, or sharing half of it, counts too
    assert (
        metrics.evidence_precision(
            ["It has over 200 members and partners"], "It has over 200 members."
        )
        == 1.0
    )
    assert metrics.evidence_precision([], text) is None
    assert metrics.evidence_precision(evidence, "") is None


def test_answer_length_in_sentences_and_words() -> None:
    assert metrics.answer_length("One sentence here. [1] Two here. [2]") == (2, 5)
    assert metrics.answer_length("Lead-in: [1]\n- item one [1]\n- item two [1]") == (3, 7)


def test_metrics_by_answer_plan_and_the_summary_coverage():
    def rec(plan: str, recall: float) -> dict:
        return {
            "type": "factoid",
            "plan": plan,
            "refused": False,
            "unanswerable": False,
            "key_fact_recall": recall,
            "evidence": [],
            "evidence_rank": None,
        }

    out = metrics.aggregate([rec("single", 1.0), rec("summary", 0.5), rec("summary", 1.0)])
    assert list(out["by_plan"]) == ["single", "summary"]
    assert out["by_plan"]["summary"]["n"] == 2
    # a summary's key facts are its gold points: the share quoted is its coverage
    assert out["overall"]["summary_coverage"] == pytest.approx(0.75)
    assert metrics.aggregate([rec("single", 1.0)])["overall"]["summary_coverage"] is None


def test_metrics_by_language_when_the_questions_are_in_several():
    def rec(lang: str, unanswerable: bool, refused: bool, recall: float | None) -> dict:
        return {
            "type": "unanswerable" if unanswerable else "factoid",
            "lang": lang,
            "refused": refused,
            "unanswerable": unanswerable,
            "key_fact_recall": recall,
            "evidence": [],
            "evidence_rank": None,
        }

    records = [
        rec("es", False, False, 0.5),
        rec("en", False, False, 1.0),
        rec("en", True, True, None),
        rec("es", True, False, None),
    ]
    out = metrics.aggregate(records)
    assert list(out["by_lang"]) == ["en", "es"]  # English first: the others are read against it
    assert out["by_lang"]["en"]["refusal_rate"] == 1.0
    assert out["by_lang"]["es"]["refusal_rate"] == 0.0
    assert out["by_lang"]["es"]["key_fact_recall"] == pytest.approx(0.5)
    assert "by_lang" not in metrics.aggregate([r for r in records if r["lang"] == "en"])


def test_a_framed_answer_is_measured_on_its_quotes() -> None:
    """The lead and the quotation label in the asker's language are not quoted sentences:
    evidence precision, length and citation recall skip them; key facts are read in it all."""
    from eval.run import _blank_record, _score_answer

    quote = "R4V is co-led by UNHCR and IOM."
    answer = Answer(
        question="¿Qué agencias codirigen R4V?",
        text=f"Codirigen R4V: UNHCR and IOM [1]\nCita (en inglés):\n{quote} [1]",
        citations=(cite(1, "a#0", quote, verified=True),),
        refused=False,
        backend="extractive",
        language="es",
        framing=("Codirigen R4V: UNHCR and IOM [1]", "Cita (en inglés):"),
    )
    assert answer.quoted == f"{quote} [1]"
    item = Item("q1", answer.question, "list", key_facts=("UNHCR",), evidence=("co-led by UNHCR",))
    rec = _blank_record(item)
    _score_answer(rec, item, answer, [])
    assert rec["evidence_precision"] == 1.0 and rec["citation_recall"] == 1.0
    assert rec["answer_sentences"] == 1 and rec["key_fact_recall"] == 1.0


def test_lead_precision_says_whether_the_lead_names_a_key_fact() -> None:
    label = "Cita (en inglés):"
    right = ("Según los documentos: Panama, Costa Rica and Honduras [1]", label)
    wrong = ("D'après les documents : IDB [1]", "Citation (en anglais) :")
    assert metrics.lead_precision(["Costa Rica"], right) == 1.0
    assert metrics.lead_precision(["USAID"], wrong) == 0.0
    # no lead that cites (a label alone, an English answer) or no key facts: nothing to score
    assert metrics.lead_precision(["USAID"], (label,)) is None
    assert metrics.lead_precision(["USAID"], ()) is None
    assert metrics.lead_precision([], right) is None
