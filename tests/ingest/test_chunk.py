"""Chunking the real seeds: within sections, lists with their lead-in, citable sizes, exact spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from ingest.chunk import chunk_document, count_tokens
from ingest.pipeline import load_corpus

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def docs():
    docs, failures = load_corpus(CORPUS)
    assert not failures
    return {d.doc_id: d for d in docs}


@pytest.fixture(scope="module")
def k4dd(docs):
    return docs["k4dd-donor-activity"], chunk_document(docs["k4dd-donor-activity"])


def test_manifest_metadata_reaches_every_chunk(docs):
    iecah = chunk_document(docs["iecah-coordination-study"])
    assert iecah and all(
        c.kind == "study" and c.url.startswith("https://iecah.org/") for c in iecah
    )
    assert docs["k4dd-donor-activity"].title.startswith("Rapid mapping of donor activity")


def test_spans_point_into_the_cleaned_text(k4dd):
    doc, chunks = k4dd
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text


def test_chunks_are_citable_sizes(k4dd, docs):
    for chunks in (k4dd[1], chunk_document(docs["iecah-coordination-study"])):
        sizes = [count_tokens(c.text) for c in chunks]
        assert max(sizes) <= 300 and sum(sizes) / len(sizes) >= 60


def test_chunks_never_cross_a_section(k4dd):
    doc, chunks = k4dd
    starts = [s.start for s in doc.sections]
    for c in chunks:
        assert not any(c.start < s < c.end for s in starts), c.chunk_id


def test_list_stays_with_its_lead_in(k4dd):
    _, chunks = k4dd
    c = next(c for c in chunks if "- Fair Recruitment" in c.text)
    assert "The strategy focuses on five thematic areas:" in c.text
    assert "- Social protection and social cohesion" in c.text
    assert (
        "3.3 International Labour Organisation > Regional Strategy on Labour Migration" in c.section
    )


def test_sub_headings_reach_the_section_path(k4dd):
    _, chunks = k4dd
    r4v = "2. Interagency Coordination Mechanisms > The Interagency Coordination Platform for"
    platform = next(c for c in chunks if c.text.startswith("At the macro level, the Platform"))
    assert platform.section.startswith(r4v)
    first = next(c for c in chunks if "(R4V) is made up by over 200" in c.text)
    assert first.section.startswith(r4v)
    assert first.text.startswith(
        "The Interagency Coordination Platform for Refugees and Migrants (R4V) is"
    )
    borders = next(c for c in chunks if "The Rumichaca border" in c.text)
    assert borders.section.endswith("3.2 International Organisation for Migration > EUROFRONT")


def test_chunks_carry_their_footnote_links(k4dd):
    _, chunks = k4dd
    c = next(c for c in chunks if "(R4V) is made up by over 200" in c.text)
    assert "https://www.r4v.info/en" in c.links
    # the marker read as "l’" in "Project Turquesal’:" still leads to its footnote
    turquesa = next(c for c in chunks if c.text.startswith("Project Turquesa:"))
    assert any(u.endswith("/Project-Turquesa") for u in turquesa.links), turquesa.links


def test_cli_chunks_prints_metadata(capsys):
    assert main(["chunks", "--doc", "iecah-coordination-study"]) == 0
    out = capsys.readouterr().out
    assert "iecah-coordination-study#0000" in out and "tokens" in out


def test_cli_set_works_before_and_after_the_command(capsys):
    """`ruta eval Q --set k=v` as the issue writes it, and `ruta --set k=v eval Q`."""
    args = ["chunks", "--doc", "iecah-coordination-study", "--json"]
    assert main([*args, "--set", "chunk_tokens=60", "--set", "chunk_max_tokens=100"]) == 0
    small = capsys.readouterr().out.count("\n")
    assert main(["--set", "chunk_tokens=60", *args, "--set", "chunk_max_tokens=100"]) == 0
    assert capsys.readouterr().out.count("\n") == small
    assert main(args) == 0
    assert capsys.readouterr().out.count("\n") < small  # the defaults cut bigger chunks
    assert main([*args, "--set", "chunk_tokens=nope"]) == 2


def test_cli_chunks_shows_what_the_index_adds(capsys):
    assert main(["chunks", "--doc", "k4dd-donor-activity"]) == 0
    out = capsys.readouterr().out
    block = out[out.index("At the macro level, the Platform") - 300 :]
    assert "indexed with: (The Interagency Coordination Platform for Refugees" in block
