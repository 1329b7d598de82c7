"""A statement whose source is sought is compared by what it claims: the names of its subject
and document said as "it" (app/rag/reader.py names_as_it, rule ``claim_by_meaning``)."""

from __future__ import annotations

from app.rag.reader import names_as_it
from ingest.types import Chunk


def _chunk(section: str) -> Chunk:
    return Chunk(
        "k4dd#0001",
        "k4dd",
        "Rapid mapping of donor activity on migration (K4DD Rapid Evidence Review)",
        "At the macro level, the Platform could be replicated in other situations.",
        0,
        70,
        section=section,
    )


R4V = _chunk(
    "2. Coordination > The Interagency Coordination Platform for Refugees and Migrants (R4V)"
)


def test_the_subject_and_document_names_are_said_as_it():
    assert names_as_it("K4DD holds R4V up as a model to copy elsewhere.", [R4V]) == (
        "It holds it up as a model to copy elsewhere."
    )


def test_a_name_no_heading_holds_is_what_the_statement_claims():
    assert names_as_it("UNHCR co-leads R4V according to the review.", [R4V]) == (
        "UNHCR co-leads it according to the review."
    )


def test_a_statement_left_with_too_little_to_claim_stays_as_it_is():
    assert names_as_it("R4V turns up in both.", [R4V]) == "R4V turns up in both."
