"""`ruta ingest` never removes what it cannot replace: an empty or missing corpus folder, most
of the corpus gone at once, a file that turns unreadable; and a run cut short says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from docx import Document as Docx

import index.store as store_module
from app.cli import main
from app.cli.output import EXIT_PARTIAL
from app.services import Services, ingest_corpus
from app.settings import Settings
from index.build import INCOMPLETE, incomplete_notice

FACTS = {
    "ferry.txt": "The Colón ferry desk issued 4,417 boarding passes in April 2022.\n",
    "bakery.txt": "The Quito bakery fund lent 96 small loans to bakers in 2019.\n",
    "clinic.txt": "The Tumbes border clinic vaccinated 2,318 children in May 2021.\n",
}
DOCX_FACT = "The Arauca shelter report counted 1,205 beds across nine sites in 2023."


def _corpus(folder: Path) -> Path:
    folder.mkdir()
    for name, text in FACTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    doc = Docx()
    doc.add_heading("Arauca shelter report", level=1)
    doc.add_paragraph(DOCX_FACT)
    doc.save(str(folder / "arauca.docx"))
    return folder


def _chunks(settings: Settings) -> dict[str, str]:
    store = Services(settings).stores()[0][0]
    return {c.chunk_id: c.text for c in store.all_chunks()}


@pytest.fixture()
def indexed(tmp_path, small_settings, cli_ingest) -> tuple[Settings, Path, dict[str, str]]:
    """The four documents above, indexed; the settings, the corpus and what the index holds."""
    corpus = _corpus(tmp_path / "corpus")
    settings = small_settings(corpus_dir=corpus)
    code, out, err = cli_ingest(settings, corpus)
    assert code == 0, err
    chunks = _chunks(settings)
    assert {c.split("#")[0] for c in chunks} >= {"ferry", "bakery", "clinic", "arauca"}, chunks
    return settings, corpus, chunks


def test_an_empty_or_missing_corpus_folder_leaves_the_index_untouched(
    indexed, tmp_path, cli_ingest
) -> None:
    settings, corpus, before = indexed
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = cli_ingest(settings, empty)
    assert code != 0, out
    assert "holds no documents" in err and "--allow-removals" in err, err
    assert "removed" not in out
    assert _chunks(settings) == before
    assert incomplete_notice(settings.data_dir) == ""  # refused before touching anything

    code, _, err = cli_ingest(settings, tmp_path / "mistyped")
    assert code != 0 and "does not exist" in err, err
    assert _chunks(settings) == before


def test_most_of_the_corpus_gone_at_once_needs_allow_removals(indexed, cli_ingest) -> None:
    settings, corpus, before = indexed
    for name in ("ferry.txt", "bakery.txt", "clinic.txt"):
        (corpus / name).unlink()
    code, _, err = cli_ingest(settings, corpus)
    assert code != 0
    assert "3 of the 4 indexed documents are no longer in the corpus" in err, err
    assert _chunks(settings) == before

    code, out, err = cli_ingest(settings, corpus, "--allow-removals")
    assert code == 0, err
    assert "3 removed" in out
    assert {c.split("#")[0] for c in _chunks(settings)} == {"arauca"}


def test_one_document_gone_is_removed_as_before(indexed, cli_ingest) -> None:
    settings, corpus, _ = indexed
    (corpus / "clinic.txt").unlink()
    code, out, err = cli_ingest(settings, corpus)
    assert code == 0, err
    assert "1 removed" in out
    assert "clinic" not in {c.split("#")[0] for c in _chunks(settings)}


def test_a_truncated_file_keeps_its_indexed_chunks(indexed, cli_ingest) -> None:
    settings, corpus, before = indexed
    (corpus / "arauca.docx").write_bytes(b"")  # truncated to 0 bytes, e.g. by a failed copy
    code, out, err = cli_ingest(settings, corpus)
    assert code == EXIT_PARTIAL, (out, err)
    assert "FAILED  arauca.docx" in err
    assert "0 removed, 1 failed (1 kept their last good version)" in out, out
    assert "arauca: failed to load, its indexed version stays" in out
    assert _chunks(settings) == before
    hits = Services(settings).retriever().search("Arauca shelter beds", k=1)
    assert hits[0].chunk.doc_id == "arauca" and "1,205 beds" in hits[0].chunk.text


def test_an_interrupted_ingestion_is_reported_until_the_next_run(
    indexed, serve, monkeypatch, capsys, cli_ingest, cli_sets
) -> None:
    settings, corpus, _ = indexed
    shutil.copy(corpus / "ferry.txt", corpus / "ferry-copy.txt")
    (corpus / "bakery.txt").write_text(FACTS["bakery.txt"] + "It also lent 12 ovens.\n")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt  # what Ctrl-C does half-way through the writes

    monkeypatch.setattr(store_module.ChunkStore, "replace_doc", crash)
    with pytest.raises(KeyboardInterrupt):
        ingest_corpus(Services(settings), sentences=False)
    monkeypatch.undo()
    assert incomplete_notice(settings.data_dir) == INCOMPLETE

    with serve(settings, Services(settings)) as url:
        health = httpx.get(f"{url}/healthz", timeout=120)
        assert health.status_code == 200
        assert health.json()["index"] == "incomplete" and health.json()["warning"] == INCOMPLETE
        r = httpx.post(f"{url}/api/ask", json={"question": "How many boarding passes?"}, timeout=60)
        assert INCOMPLETE in r.json()["notice"]

    capsys.readouterr()
    sets = cli_sets(
        settings, "data_dir", "embedder", "multilingual_embedder", "rate_limit_per_minute"
    )
    code = main([*sets, "ask", "How many boarding passes?"])
    assert code == 0 and f"Note: {INCOMPLETE}" in capsys.readouterr().out

    code, out, err = cli_ingest(settings, corpus)
    assert code == 0, err
    assert incomplete_notice(settings.data_dir) == ""
