"""Search filters: one value or several, unknown keys and unknown documents named."""

from __future__ import annotations

import pytest

from index.errors import BadQuestion
from index.filters import checked, chroma_where, matches
from ingest.types import Chunk

DOCS = {"k4dd-donor-activity", "iecah-coordination-study"}


def test_one_value_or_several() -> None:
    assert checked({"doc_id": "k4dd-donor-activity", "kind": ""}, DOCS) == {
        "doc_id": "k4dd-donor-activity"
    }
    both = checked({"doc_id": ["k4dd-donor-activity", "iecah-coordination-study"]}, DOCS)
    assert both == {"doc_id": ("k4dd-donor-activity", "iecah-coordination-study")}
    assert checked({"doc_id": ["k4dd-donor-activity"]}, DOCS) == {"doc_id": "k4dd-donor-activity"}
    assert checked(None, DOCS) == {} and checked({"doc_id": [], "kind": None}, DOCS) == {}


def test_unknown_document_and_key_are_named() -> None:
    with pytest.raises(BadQuestion, match="unknown document 'nope'.*iecah-coordination-study"):
        checked({"doc_id": ["k4dd-donor-activity", "nope"]}, DOCS)
    with pytest.raises(BadQuestion, match="unknown filter \\['colour'\\]"):
        checked({"colour": "x"}, DOCS)
    with pytest.raises(BadQuestion, match="filters.kind must be a string"):
        checked({"kind": [1]}, DOCS)  # type: ignore[list-item]


def test_matches_and_chroma_where() -> None:
    chunk = Chunk("a#1", "a", "A", "text", 0, 4, kind="study")
    assert matches(chunk, {"doc_id": ("a", "b"), "kind": "study"})
    assert not matches(chunk, {"doc_id": "b"})
    assert chroma_where({"doc_id": "a"}) == {"doc_id": "a"}
    assert chroma_where({"doc_id": ("a", "b"), "kind": "study"}) == {
        "$and": [{"doc_id": {"$in": ["a", "b"]}}, {"kind": "study"}]
    }
    assert chroma_where({}) is None


def test_search_keeps_to_the_chosen_documents(real_services) -> None:
    retriever = real_services.retriever()
    question = "What is REDLAC?"  # answered by the IECAH study when nothing is chosen
    hits = retriever.search(question, 5, {"doc_id": "k4dd-donor-activity"})
    assert hits and {h.chunk.doc_id for h in hits} == {"k4dd-donor-activity"}
    both = retriever.search(question, 8, {"doc_id": sorted(DOCS)})
    assert {h.chunk.doc_id for h in both} == DOCS
    with pytest.raises(BadQuestion, match="the documents are: iecah-coordination-study, k4dd"):
        retriever.search(question, 5, {"doc_id": "k4dd"})
