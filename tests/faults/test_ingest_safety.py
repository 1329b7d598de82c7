"""`ruta ingest` never removes what it cannot replace: an empty or missing corpus folder, most
of the corpus gone at once, a file that turns unreadable or into bytes that are not text; a
run cut short says so; a full disk or a read-only data folder is said as what it is."""

from __future__ import annotations

import errno
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from docx import Document as Docx

import index.store as store_module
from app.cli import main
from app.cli.output import EXIT_PARTIAL, EXIT_STORAGE
from app.services import Services, ingest_corpus, make_answerer
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


def test_bytes_that_are_not_text_keep_the_last_good_version(indexed, cli_ingest) -> None:
    """Issue 24: random bytes or NULs in place of a good .txt fail (exit 3, counted, named) and
    the indexed version stays answerable; the same text re-saved as UTF-16 is text again."""
    settings, corpus, before = indexed
    question = "How many boarding passes did the Colón ferry desk issue?"
    for garbage, reason in [
        (random.Random(24).randbytes(4096), "its bytes look random or compressed"),
        (FACTS["ferry.txt"].replace(" ", " \x00").encode(), "it holds NUL characters"),
    ]:
        (corpus / "ferry.txt").write_bytes(garbage)
        code, out, err = cli_ingest(settings, corpus)
        assert code == EXIT_PARTIAL, (out, err)
        assert f"FAILED  ferry.txt: {reason}" in err, err
        assert "0 removed, 1 failed (1 kept their last good version)" in out, out
        assert "ferry: failed to load, its indexed version stays" in out
        assert _chunks(settings) == before
        answer = make_answerer(settings).answer(question)
        assert not answer.refused and "4,417 boarding passes" in answer.text, answer.text
        assert answer.citations[0].doc_id == "ferry"

    (corpus / "ferry.txt").write_bytes(FACTS["ferry.txt"].encode("utf-16"))  # with its BOM
    code, out, err = cli_ingest(settings, corpus)
    assert code == 0, err
    assert "1 replaced" in out and "0 failed" in out, out
    ferry = [text for chunk_id, text in _chunks(settings).items() if chunk_id.startswith("ferry#")]
    assert ferry == [FACTS["ferry.txt"].strip()]  # the text itself: no NULs, no BOM
    answer = make_answerer(settings).answer(question)
    assert "4,417 boarding passes" in answer.text and answer.citations[0].doc_id == "ferry"


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


def _no_repair_advice(err: str) -> None:
    """A full or read-only disk is no damage: nothing may tell the operator to delete or
    rebuild the index, and no traceback reaches them."""
    assert "--rebuild" not in err and "rm -r" not in err and "delete it" not in err, err
    assert "Traceback" not in err, err


def test_a_full_disk_during_ingest_says_to_free_space(indexed, cli_ingest, monkeypatch) -> None:
    """ENOSPC at the lowest write (Chroma's collection.add): exit 6 with 'free some disk space';
    once there is space the next run completes what this one left."""
    from chromadb.api.models.Collection import Collection

    settings, corpus, _ = indexed
    (corpus / "bakery.txt").write_text(FACTS["bakery.txt"] + "It also lent 12 ovens.\n")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Collection, "add", full)
    code, out, err = cli_ingest(settings, corpus)
    monkeypatch.undo()
    assert code == EXIT_STORAGE, (out, err)
    assert "the disk is full" in err and "Free some disk space" in err, err
    _no_repair_advice(err)

    code, out, err = cli_ingest(settings, corpus)  # space was freed
    assert code == 0, err
    assert "12 ovens" in "".join(_chunks(settings).values())
    assert incomplete_notice(settings.data_dir) == ""


def test_a_read_only_data_folder_is_a_clear_error(
    tmp_path, small_settings, cli_ingest, monkeypatch
) -> None:
    """The lock file cannot be made (EROFS from the file system): exit 6 and what to do."""
    corpus = _corpus(tmp_path / "corpus")
    settings = small_settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    real_open = os.open

    def read_only(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).startswith(str(settings.data_dir)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    code, out, err = cli_ingest(settings, corpus)
    monkeypatch.undo()
    assert code == EXIT_STORAGE, (out, err)
    assert "cannot be written (read-only" in err and "ruta ingest" in err, err
    _no_repair_advice(err)


def test_a_really_read_only_data_folder(tmp_path, small_settings, cli_sets) -> None:
    """The same on a read-only bind mount (a user namespace: no root needed), in a process of
    its own, as an operator would meet it."""
    if not shutil.which("unshare"):
        pytest.skip("needs unshare (util-linux) for a read-only mount")
    corpus = _corpus(tmp_path / "corpus")
    data = tmp_path / "data"
    data.mkdir()
    settings = small_settings(corpus_dir=corpus, data_dir=data)
    args = [sys.executable, "-m", "app.cli", *cli_sets(settings), "ingest", "--quiet"]
    script = (
        f'mount --bind "{data}" "{data}" && mount -o remount,bind,ro "{data}" || exit 99; '
        + " ".join(f"'{a}'" for a in [*args, "--corpus", str(corpus)])
    )
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        timeout=300,
    )
    if proc.returncode == 99 or "unshare:" in proc.stderr:
        pytest.skip(f"no read-only mount here: {proc.stderr.strip()[:200]}")
    assert proc.returncode == EXIT_STORAGE, (proc.stdout, proc.stderr)
    assert f"the data folder {data} cannot be written (read-only" in proc.stderr, proc.stderr
    _no_repair_advice(proc.stderr)
    assert list(data.iterdir()) == []  # nothing was written
