"""Ingestion into a real Chroma folder: idempotent, incremental, bad files reported, one writer."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.services import Services
from index.build import build_index, ingest_lock
from index.errors import IndexBusy, IndexNotReady
from ingest.pipeline import load_corpus

DATA = Path(__file__).resolve().parents[1] / "data"


def _build(settings_factory, corpus: Path, **kw):
    settings = settings_factory(corpus_dir=corpus, multilingual_embedder="none")
    services = Services(settings)
    docs, failures = load_corpus(corpus)
    report = build_index(docs, services.stores(), settings.data_dir, progress=False, **kw)
    return settings, services, report, failures


def test_ingest_is_idempotent_and_incremental(settings_factory, small_corpus):
    settings, services, first, _ = _build(settings_factory, small_corpus)
    assert sorted(first.added) == ["andes", "caribe"]
    store = services.stores()[0][0]
    count = store.count()
    # Same corpus again: nothing added.
    docs, _ = load_corpus(small_corpus)
    again = build_index(docs, services.stores(), settings.data_dir, progress=False)
    assert again.added == () and sorted(again.unchanged) == ["andes", "caribe"]
    assert store.count() == count
    # A changed file replaces its chunks; a removed file's chunks go.
    (small_corpus / "andes.md").write_text(
        "# Andean shelters\n\nNow 5,000 people.\n", encoding="utf-8"
    )
    (small_corpus / "caribe.txt").unlink()
    docs, _ = load_corpus(small_corpus)
    third = build_index(docs, services.stores(), settings.data_dir, progress=False)
    assert third.replaced == ("andes",) and third.removed == ("caribe",)
    texts = [c.text for c in store.all_chunks()]
    assert any("5,000" in t for t in texts) and not any("Kingston" in t for t in texts)


def test_bad_files_are_named_and_the_rest_ingested(settings_factory, small_corpus):
    (small_corpus / "empty.txt").write_bytes(b"")
    (small_corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    docs, failures = load_corpus(small_corpus)
    assert {d.doc_id for d in docs} == {"andes", "caribe"}
    reasons = {f.path: f.reason for f in failures}
    assert "empty" in reasons["empty.txt"] and "PDF" in reasons["broken.pdf"]


def test_cli_ingest_exit_code_and_summary(settings_factory, small_corpus, capsys):
    (small_corpus / "empty.txt").write_bytes(b"")
    settings = settings_factory()
    code = main(
        [
            "--set",
            f"data_dir={settings.data_dir}",
            "--set",
            "multilingual_embedder=none",
            "ingest",
            "--corpus",
            str(small_corpus),
            "--quiet",
        ]
    )
    captured = capsys.readouterr()
    assert code == 3
    assert "FAILED  empty.txt" in captured.err and "ingested 2 documents" in captured.out


def test_second_ingestion_is_refused_while_one_runs(settings_factory, small_corpus):
    settings, services, _, _ = _build(settings_factory, small_corpus)
    with ingest_lock(settings.data_dir):
        docs, _ = load_corpus(small_corpus)
        with pytest.raises(IndexBusy, match="another ingestion"):
            build_index(docs, services.stores(), settings.data_dir, progress=False)


def test_other_chunking_asks_for_rebuild(settings_factory, small_corpus):
    settings, _, _, _ = _build(settings_factory, small_corpus)
    other = Services(settings.model_copy(update={"chunk_tokens": 90}))
    with pytest.raises(IndexNotReady, match="--rebuild"):
        other.retriever()


def test_index_of_an_older_indexed_text_asks_for_rebuild(
    settings_factory, small_corpus, monkeypatch
):
    """INDEX_TEXT_VERSION is part of the fingerprint: vectors of the old text would not match."""
    monkeypatch.setattr("index.stores.INDEX_TEXT_VERSION", "old")
    settings, _, _, _ = _build(settings_factory, small_corpus)
    monkeypatch.undo()
    with pytest.raises(IndexNotReady, match="index_text='old'.*ruta ingest --rebuild"):
        Services(settings).retriever()


def test_cleaner_version_is_in_every_document_hash(monkeypatch):
    """A cleaner change re-ingests each document, incrementally (no rebuild)."""
    docs, _ = load_corpus(small := Path(__file__).resolve().parents[2] / "corpus")
    monkeypatch.setattr("ingest.pipeline.CLEANER_VERSION", "older")
    older, _ = load_corpus(small)
    assert {d.content_hash for d in docs}.isdisjoint(d.content_hash for d in older)


def test_corrupt_index_gives_the_repair_command(settings_factory, small_corpus):
    settings, _, _, _ = _build(settings_factory, small_corpus)
    chroma = settings.index_dir / "chroma"
    shutil.rmtree(chroma)
    chroma.mkdir()
    (chroma / "chroma.sqlite3").write_bytes(b"garbage, not a database" * 100)
    # A fresh process: Chroma caches open clients per path inside one process.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "--set",
            f"data_dir={settings.data_dir}",
            "--set",
            "multilingual_embedder=none",
            "search",
            "Cucuta",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 4, proc.stderr
    assert "ruta ingest" in proc.stderr
