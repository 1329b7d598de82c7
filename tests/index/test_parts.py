"""Two-part questions and named documents (index/parts.py), on plain questions and chunks."""

from __future__ import annotations

from index.parts import doc_names, merge_parts, plan
from index.types import Hit
from ingest.types import Chunk


def chunk(
    doc_id: str, n: int, publisher: str = "", kind: str = "document", title: str = ""
) -> Chunk:
    return Chunk(
        chunk_id=f"{doc_id}#{n:04d}",
        doc_id=doc_id,
        title=title or f"Title of {doc_id}",
        text=f"text {n}",
        start=0,
        end=6,
        publisher=publisher,
        kind=kind,
    )


CHUNKS = [
    chunk("alpha-survey", 0, "ACME Institute, for the Ministry", "survey", "Port survey"),
    chunk("beta-guide", 0, "Betaworks (Beta Foundation)", "guide", "Pilot guide"),
]
NAMES = doc_names(CHUNKS)


def test_documents_are_named_by_id_publisher_and_kind():
    assert {"alpha", "acme", "the survey"} <= NAMES["alpha-survey"]
    assert {"beta", "betaworks", "the guide"} <= NAMES["beta-guide"]
    assert plan("What does the ACME survey say about ports?", NAMES).docs == ("alpha-survey",)
    two = plan("Does the guide agree with the ACME survey on ports?", NAMES)
    assert set(two.docs) == {"alpha-survey", "beta-guide"}
    assert set(plan("Which of the two documents is older?", NAMES).docs) == set(NAMES)


def test_both_documents_are_named_by_a_determiner_and_a_word_for_a_document():
    for q in (
        "Ports come up in both docs: what does each say about fees?",
        "What do the two reports say about pilots?",
        "How does each document define a port?",
        "Do both of the studies mention Rotterdam?",
        "¿Qué dicen los dos informes sobre los puertos?",
        "Que disent les deux rapports sur les ports ?",
    ):
        assert set(plan(q, NAMES).docs) == set(NAMES), q
    for q in ("Which two ports does ACME list?", "Do both pilots hold a licence?"):
        assert plan(q, NAMES).docs == ("alpha-survey",) or plan(q, NAMES).docs == (), q


def test_documents_are_named_by_a_word_of_their_own_title():
    assert plan("What does the port review find on fees?", NAMES).docs == ("alpha-survey",)
    assert plan("Who wrote the new pilot report?", NAMES).docs == ("beta-guide",)
    assert plan("What does the annual review find?", NAMES).docs == ()
    # each word of a compound before the noun too
    assert plan("What does the port-survey review find?", NAMES).docs == ("alpha-survey",)


def test_parts_of_a_two_part_question():
    p = plan("Which ports does ACME list, and when were the harbour rules changed?", NAMES)
    assert p.parts == ("Which ports does ACME list", "when were the harbour rules changed?")
    # two sentences; a pronoun in the second part gets the first part's name
    p = plan("Betaworks trains pilots. How long does it take them to qualify?", NAMES)
    assert p.parts[1].endswith("(Betaworks)")
    # "both A and B"; names under "compare"
    p = plan("What is said about fees, both in the port rules and in the pilot guide?", NAMES)
    assert p.parts == (
        "What is said about fees in the port rules?",
        "What is said about fees in the pilot guide?",
    )
    p = plan("Compare the Rotterdam and Antwerp pilot fees", NAMES)
    assert p.parts == ("Compare the Rotterdam pilot fees", "Compare the Antwerp pilot fees")


def test_a_part_may_open_with_a_preposition_or_whose():
    """Pack entry parts.clause_opener: "…, and into which …", "…, and whose …" open a part."""
    p = plan("Which ports does ACME list, and into which two zones are they split?", NAMES)
    assert p.parts == ("Which ports does ACME list", "into which two zones are they split? (ACME)")
    p = plan("Which pilots does ACME train, and whose rules do they follow?", NAMES)
    assert p.parts[0] == "Which pilots does ACME train" and p.parts[1].startswith("whose rules")


def test_one_part_questions_have_no_parts():
    for q in (
        "Which ports lie in Latin America and the Caribbean?",  # names joined, no cue
        "Which ports does ACME list, and on what?",  # the second part says nothing
        "What are the harbour rules?",
    ):
        assert plan(q, NAMES).parts == (), q


def test_a_conjunction_splits_only_before_its_own_languages_question_words():
    # Portuguese "e" before "do" (an English question word) joins two names, asks nothing
    q = "Quais portos da América Latina e do Caribe cobra a ACME?"
    assert plan(q, NAMES).parts == ()
    # before a Portuguese question word it opens a second question
    p = plan("Qual porto cobra taxas de pilotagem, e que regras de porto mudaram em 2020?", NAMES)
    assert len(p.parts) == 2


def test_scope_phrases_leave_the_query():
    p = plan("Which ports in the survey charge fees?", NAMES)
    assert p.scoped == "Which ports charge fees?" and p.docs == ("alpha-survey",)
    assert plan("What does the guide say about fees, according to the ACME survey?", NAMES).scoped
    # a compound before the word for a document names it too
    p = plan("Which ports charge fees according to the port-survey review?", NAMES)
    assert p.scoped == "Which ports charge fees?" and p.docs == ("alpha-survey",)
    # the document is what is asked about: kept
    assert plan("How many people took part in the survey?", NAMES).scoped == ""


def hit(doc: str, n: int, score: float) -> Hit:
    return Hit(chunk(doc, n), score, 0)


def test_merge_pins_each_part_and_each_named_document():
    main = [hit("a", 1, 0.9), hit("a", 2, 0.8), hit("a", 3, 0.7), hit("b", 1, 0.1)]
    part1 = [hit("a", 3, 1.0)]
    part2 = [hit("a", 2, 1.0)]
    out = merge_parts(main, [part1, part2], ["a", "b", "c"], lambda d: [hit(d, 9, 0.05)])
    ids = [h.chunk.chunk_id for h in out]
    assert ids[:4] == ["a#0003", "a#0002", "a#0001", "b#0001"]
    assert ids[4] == "c#0009"  # not among the candidates: searched in that document alone
    assert [h.rank for h in out] == list(range(1, len(out) + 1))
    assert all(x.score >= y.score for x, y in zip(out, out[1:], strict=False))


def test_a_name_of_many_documents_names_none() -> None:
    many = CHUNKS + [chunk(f"gamma-{i}", 0, "Gammacorp", "note", f"Note {i}") for i in range(4)]
    names = doc_names(many)
    assert all("gammacorp" not in names[f"gamma-{i}"] for i in range(4))  # four share it
    assert "acme" in names["alpha-survey"]
    assert plan("What does Gammacorp say about the ACME survey?", names).docs == ("alpha-survey",)


def test_a_pasted_text_has_no_parts() -> None:
    two = "Which ports does ACME list? When were the harbour rules changed?"
    assert len(plan(two, NAMES).parts) == 2
    text = " ".join(f"The harbour rules of port {i} changed in 19{i}0." for i in range(5))
    assert plan(text + " " + two, NAMES).parts == ()  # seven sentences: searched whole


def test_a_long_text_has_no_parts() -> None:
    two = "Which ports does ACME list? When were the harbour rules changed?"
    long_two = two.replace("ACME", "ACME " + "and its partner institutes " * 20)
    assert len(plan(long_two, NAMES).parts) == 0  # over 400 characters: searched whole
