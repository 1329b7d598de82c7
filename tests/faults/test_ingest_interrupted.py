"""`ruta ingest` killed part-way, and two ingestions at once, on a real Chroma folder.

The ingestion under test runs in a child process (`python -m app.cli ingest`, what `ruta`
runs); its progress is read from Chroma's SQLite file, read-only, as it writes.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.cli import main
from app.services import Services
from app.settings import Settings
from index.build import build_index, incomplete_notice
from index.store import ChunkStore
from ingest.pipeline import load_corpus

ROOT = Path(__file__).resolve().parents[2]
DOCS = 16


@dataclass(frozen=True)
class Ledger:
    corpus: Path
    clean: dict[str, str]  # chunk_id -> text, from a clean build in a folder of its own


@pytest.fixture(scope="module")
def ledger(tmp_path_factory, small_settings) -> Ledger:
    """16 one-chunk documents, each with sentences no other document has."""
    corpus = tmp_path_factory.mktemp("ledger")
    for i in range(DOCS):
        (corpus / f"ledger-{i:02d}.txt").write_text(
            f"Ledger {i} records that border post {i * 37 + 5} counted {i * 7 + 11} arrivals "
            f"on day {i + 1}. Clerk number {i * 13 + 2} signed ledger {i} in green ink.\n",
            encoding="utf-8",
        )
    settings = small_settings(corpus_dir=corpus)
    services = Services(settings)
    docs, failures = load_corpus(corpus)
    assert not failures and len(docs) == DOCS
    build_index(docs, services.stores(), settings.data_dir, progress=False)
    return Ledger(corpus, _contents(_store(settings)))


def _store(settings: Settings) -> ChunkStore:
    return Services(settings).stores()[0][0]


def _contents(store: ChunkStore) -> dict[str, str]:
    chunks = store.all_chunks()
    contents = {c.chunk_id: c.text for c in chunks}
    assert len(contents) == len(chunks) == store.count(), "duplicate chunks in the index"
    return contents


def _start_ingest(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stored_rows(settings: Settings) -> int:
    """How many chunks the running ingestion has written so far (-1: no database yet)."""
    db = settings.index_dir / "chroma" / "chroma.sqlite3"
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return int(con.execute("SELECT count(*) FROM embeddings").fetchone()[0])
    except sqlite3.Error:
        return -1


def _wait_for_rows(proc: subprocess.Popen[str], settings: Settings, rows: int) -> int:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        n = _stored_rows(settings)
        if n >= rows:
            return n
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the ingestion ended (exit {proc.returncode}) before {rows} chunks: {err}")
        time.sleep(0.01)
    proc.kill()
    pytest.fail(f"the ingestion did not write {rows} chunks in time")


def _summary(out: str) -> dict[str, int]:
    m = re.search(r"(\d+) added, (\d+) replaced, (\d+) unchanged, (\d+) removed", out)
    assert m, out
    return dict(
        zip(("added", "replaced", "unchanged", "removed"), map(int, m.groups()), strict=True)
    )


def test_killed_ingestion_is_completed_by_the_next_run(
    ledger, small_settings, capsys, cli_ingest_args
):
    settings = small_settings(corpus_dir=ledger.corpus)
    ingest = cli_ingest_args(settings, settings.corpus_dir)
    proc = _start_ingest(ingest)
    try:
        _wait_for_rows(proc, settings, 3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    written = _stored_rows(settings)
    assert 0 < written < DOCS, f"not killed part-way: {written} of {DOCS} chunks"
    # The dead process leaves its lock file; the OS released the lock itself with the process.
    assert (settings.data_dir / "ingest.lock").exists()
    # It also leaves its marker: what is served until the next run says the index is partial.
    assert incomplete_notice(settings.data_dir) == "the index is incomplete: run `ruta ingest`"

    code = main(ingest)  # no --wait: a lock still held would exit 5
    out = capsys.readouterr()
    assert code == 0, out.err
    assert incomplete_notice(settings.data_dir) == ""
    done = _summary(out.out)
    assert done["unchanged"] >= written and done["removed"] == 0
    assert done["added"] + done["replaced"] + done["unchanged"] == DOCS

    store = _store(settings)
    assert _contents(store) == ledger.clean  # none missing, none twice, same text
    embedder = Services(settings).embedder
    for chunk_id in (min(ledger.clean), max(ledger.clean)):  # one from each run
        text = ledger.clean[chunk_id]
        (best, _), *_ = store.query(embedder.queries([text])[0], 1)
        assert best.chunk_id == chunk_id


def test_second_ingestion_is_refused_or_waits(ledger, small_settings, capsys, cli_ingest_args):
    settings = small_settings(corpus_dir=ledger.corpus)
    ingest = cli_ingest_args(settings, settings.corpus_dir)
    first = _start_ingest(ingest)
    try:
        _wait_for_rows(first, settings, 1)  # the first one holds the lock and is writing

        refused = main(ingest)
        err = capsys.readouterr().err
        assert refused == 5, err
        assert "another ingestion is running" in err and "--wait" in err
        assert first.poll() is None  # it was refused because the first one was running

        waited = main([*ingest, "--wait", "240"])  # blocks until the first ends
        out = capsys.readouterr()
        assert waited == 0, out.err
        # It went ahead only once the first had written everything: nothing left to do.
        assert _summary(out.out) == {"added": 0, "replaced": 0, "unchanged": DOCS, "removed": 0}

        stdout, stderr = first.communicate(timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    assert _summary(stdout)["added"] == DOCS
    assert _contents(_store(settings)) == ledger.clean
