"""The question loader: JSONL and CSV, bad lines reported by number and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.rag.types import Message
from eval.questions import load_items
from ingest.errors import RutaError

QUESTIONS = Path(__file__).resolve().parents[1] / "data" / "questions.jsonl"


def test_jsonl_skips_malformed_lines_and_names_them(tmp_path: Path) -> None:
    good = {
        "id": "q1",
        "type": "factoid",
        "question": "Who co-chairs the network?",
        "answer": "ECLAC and IOM.",
        "key_facts": ["ECLAC", "IOM"],
        "evidence": ["ECLAC (co-chair)"],
        "doc": "000.txt",
    }
    lines = [
        json.dumps(good),
        '{"id": "q2", "type": "factoid", "question": ',  # cut off
        "",  # blank lines are not errors
        json.dumps({"id": "q3", "type": "factoid", "answer": "x"}),
        json.dumps({**good, "id": "q4", "key_facts": "ECLAC"}),
        json.dumps({**good, "id": "q1"}),
        json.dumps(
            {
                "id": "q5",
                "type": "unanswerable",
                "question": "Unknown?",
                "answer": "not in the documents",
                "key_facts": [],
                "evidence": [],
                "doc": "",
            }
        ),
    ]
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    items, errors = load_items(path)

    assert [i.id for i in items] == ["q1", "q5"]
    assert items[0].key_facts == ("ECLAC", "IOM") and items[0].evidence == ("ECLAC (co-chair)",)
    assert not items[0].unanswerable and items[1].unanswerable
    assert len(errors) == 4
    assert errors[0].startswith("dev.jsonl line 2: not valid JSON: ")
    assert errors[1] == "dev.jsonl line 4: missing field 'question'"
    assert errors[2].startswith("dev.jsonl line 5: field 'key_facts' must be a list of strings")
    assert errors[3] == "dev.jsonl line 6: duplicate id 'q1'"


def test_csv_with_lists_history_and_a_bad_row(tmp_path: Path) -> None:
    history = json.dumps(
        [
            {"role": "user", "content": "What does UN Women run?"},
            {"role": "assistant", "content": "A programme on mobility."},
        ]
    )
    csv_text = (
        "id,type,question,answer,key_facts,evidence,doc,history\n"
        'c1,list,Which regions?,"West, Central",West Africa | Pacific,"States, namely West '
        'Africa",000.txt,\n'
        'c2,follow_up,"Which countries\ndoes it cover?",Panama,Panama | Honduras,'
        f'"Panama, Costa Rica",000.txt,"{history.replace(chr(34), chr(34) * 2)}"\n'
        "c3,factoid,,no question here,,,,\n"
        'c4,factoid,Bad history?,x,,,,"[{""role"": ""robot"", ""content"": ""hi""}]"\n'
    )
    path = tmp_path / "dev.csv"
    path.write_text(csv_text, encoding="utf-8")

    items, errors = load_items(path)

    assert [i.id for i in items] == ["c1", "c2"]
    assert items[0].key_facts == ("West Africa", "Pacific")
    assert items[0].evidence == ("States, namely West Africa",)
    assert items[0].history == ()
    assert items[1].question == "Which countries\ndoes it cover?"
    assert items[1].history == (
        Message("user", "What does UN Women run?"),
        Message("assistant", "A programme on mobility."),
    )
    # c2 spans lines 3-4, so the rows after it start on lines 5 and 6
    assert errors == [
        "dev.csv line 5: missing field 'question'",
        "dev.csv line 6: history turn 1: role must be one of ('system', 'user', 'assistant'), "
        "got 'robot'",
    ]


def test_unsupported_file_type(tmp_path: Path) -> None:
    path = tmp_path / "questions.txt"
    path.write_text("q\n", encoding="utf-8")
    with pytest.raises(RutaError, match="unsupported question file type '.txt'"):
        load_items(path)


def test_the_question_set_loads_cleanly() -> None:
    items, errors = load_items(QUESTIONS)
    assert errors == []
    assert len(items) == len(
        [ln for ln in QUESTIONS.read_text(encoding="utf-8").splitlines() if ln]
    )
    follow_up = next(i for i in items if i.type == "follow_up")
    assert follow_up.history and follow_up.history[0].role == "user"
    assert all(i.evidence for i in items if not i.unanswerable)


def test_a_question_may_name_several_documents(tmp_path: Path) -> None:
    row = {"id": "x1", "type": "cross_doc", "question": "Q?", "doc": ["k4dd", "iecah"]}
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    items, errors = load_items(path)
    assert errors == [] and items[0].doc == "k4dd, iecah"


def test_an_item_may_carry_its_language(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "type": "factoid", "question": "¿Quién?", "lang": "ES"},
        {"id": "b", "type": "factoid", "question": "Who?"},
        {"id": "c", "type": "factoid", "question": "Qui ?", "lang": 3},
    ]
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    items, errors = load_items(path)
    assert [(i.id, i.lang) for i in items] == [("a", "es"), ("b", "")]
    assert errors == ["set.jsonl line 3: field 'lang' must be a language code string, got 3"]


def test_type_names_from_different_hands_are_one_name_each(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "type": "Cross-document", "question": "Q1?"},
        {"id": "b", "type": "cross_doc", "question": "Q2?"},
        {"id": "c", "type": "multi-hop", "question": "Q3?"},
        {"id": "d", "type": "follow_up", "question": "Q4?"},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    items, _ = load_items(path)
    assert [i.type for i in items] == ["cross_doc", "cross_doc", "multi_hop", "follow_up"]
