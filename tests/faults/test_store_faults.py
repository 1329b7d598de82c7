"""The store goes away or is unusable: a Chroma server killed and restarted, an index folder built
by another version of Ruta or damaged. Ruta says what happened and what to run, keeps serving,
and recovers by itself once the store is back or repaired, without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from app.cli import main
from app.services import Services
from index.build import build_index
from index.store import open_client
from ingest.pipeline import load_corpus

QUESTION = "When did the Kingston liaison desk open?"
FACT = "3 May 2021"
OTHER = "How many families did the Tumbes border desk count?"
# `ruta` runs in this process with the test's settings, its corpus folder included.
CLI_SETTINGS = ("data_dir", "corpus_dir", "embedder", "multilingual_embedder")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("store-corpus")
    (root / "kingston.txt").write_text(
        f"The Kingston liaison desk opened on {FACT} to register arrivals by boat.\n",
        encoding="utf-8",
    )
    (root / "tumbes.md").write_text(
        "# Tumbes\n\nThe Tumbes border desk counted 912 families in its first week.\n",
        encoding="utf-8",
    )
    return root


def _ingest(services: Services) -> None:
    s = services.settings
    docs, failures = load_corpus(s.corpus_dir)
    assert not failures
    build_index(
        docs,
        services.stores(),
        s.data_dir,
        chunk_tokens=s.chunk_tokens,
        chunk_max_tokens=s.chunk_max_tokens,
        progress=False,
    )


def _ask(url: str, question: str = QUESTION) -> httpx.Response:
    return httpx.post(f"{url}/api/ask", json={"question": question}, timeout=60)


def _check_store_error(r: httpx.Response) -> None:
    assert r.status_code == 503, r.text
    error = r.json()["error"]
    assert error["type"] == "store_unavailable", error
    assert "Chroma server" in error["message"] and "chroma run" in error["message"], error


def test_chroma_server_down_then_back(small_settings, corpus, chroma_server, serve, port, tmp_path):
    """Ruta starts before Chroma, Chroma comes up, is SIGKILLed, restarts on the same port and
    folder: 503 store_unavailable while it is away, answers again once it is back."""
    settings = small_settings(corpus_dir=corpus, chroma_url=f"http://127.0.0.1:{port}")
    services = Services(settings)
    chroma_dir = tmp_path / "chroma-server"
    proc = None
    try:
        with serve(settings, services) as url:
            health = httpx.get(f"{url}/healthz", timeout=60)
            assert health.status_code == 503 and "cannot be reached" in health.json()["index"]
            _check_store_error(_ask(url))  # a failed build is not cached...

            proc = chroma_server(port, chroma_dir)
            _ingest(services)
            first = _ask(url)  # ...so once Chroma is up the next request builds it
            assert first.status_code == 200 and FACT in first.json()["answer"], first.text

            proc.kill()
            proc.wait(timeout=10)
            # Mid-search on the cached retriever (a question not asked before: an answer kept
            # in memory needs no search), then while reconnecting: every question waits for
            # the store, the one answered before included.
            _check_store_error(_ask(url, OTHER))
            _check_store_error(_ask(url))
            health = httpx.get(f"{url}/healthz", timeout=60)
            assert health.status_code == 503 and "chroma run" in health.json()["index"]
            assert httpx.get(f"{url}/v1/models").status_code == 200  # the server itself is fine

            proc = chroma_server(port, chroma_dir)  # same port, same data, Ruta untouched
            again = _ask(url)
            assert again.status_code == 200, again.text
            assert again.json()["answer"] == first.json()["answer"]
            health = httpx.get(f"{url}/healthz", timeout=60)
            assert health.status_code == 200 and health.json()["chunks"] == 2
    finally:
        if proc is not None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.parametrize("case", ["other chunking", "older schema", "damaged folder"])
def test_unusable_index_names_the_repair_and_recovers(
    case, small_settings, corpus, serve, capsys, cli_sets
) -> None:
    """`ruta search` exits 4 and /healthz and /api/ask answer 503, each naming the command that
    repairs the index; running that command fixes the server that is already running."""
    settings = small_settings(corpus_dir=corpus)
    folder = settings.index_dir / "chroma"
    repair = ["ingest", "--rebuild", "--quiet"]
    shown = ""
    if case == "other chunking":  # built by a Ruta configured with other chunk sizes
        _ingest(Services(settings.model_copy(update={"chunk_tokens": 90})))
        expect = "chunking='v"
    elif case == "older schema":  # built by an earlier version of Ruta
        _ingest(Services(settings))
        coll = open_client(settings.index_dir).get_collection(settings.collection)
        meta = {k: v for k, v in (coll.metadata or {}).items() if not k.startswith("hnsw:")}
        coll.modify(metadata={**meta, "schema": "0"})
        expect = "schema='0'"
    else:  # the database file is not a database
        folder.mkdir(parents=True)
        (folder / "chroma.sqlite3").write_bytes(b"garbage, not a database" * 100)
        expect, repair = f"rm -r {folder}", ["ingest", "--quiet"]
        shown = "rm -r …/index/chroma"  # over HTTP: no absolute path of the machine
    command = "`ruta " + " ".join(a for a in repair if a != "--quiet") + "`"

    assert main([*cli_sets(settings, *CLI_SETTINGS), "search", QUESTION]) == 4
    err = capsys.readouterr().err
    assert expect in err and command in err, err

    with serve(settings, Services(settings)) as url:
        health = httpx.get(f"{url}/healthz", timeout=60)
        assert health.status_code == 503, health.text
        said = health.json()["index"]
        assert (shown if case == "damaged folder" else expect) in said and command in said, said
        assert str(settings.data_dir) not in health.text
        r = _ask(url)
        assert r.status_code == 503 and r.json()["error"]["type"] == "index_not_ready"
        assert command in r.json()["error"]["message"]

        if case == "damaged folder":
            shutil.rmtree(folder)  # what the message says to do first
        assert main([*cli_sets(settings, *CLI_SETTINGS), *repair]) == 0, capsys.readouterr().err
        assert httpx.get(f"{url}/healthz", timeout=60).status_code == 200
        r = _ask(url)
        assert r.status_code == 200 and FACT in r.json()["answer"], r.text


def test_a_damaged_store_shows_no_absolute_path_on_the_page(small_settings, corpus, serve):
    """Issue 24: /healthz and /api hid the data path; the page's status line and the Gradio
    error showed it. Each now says the same as /healthz, with '…/index/chroma'."""
    import asyncio

    from app.http.asking import asker
    from app.http.pool import AnswerPool, PoolConfig
    from app.http.server import Answerers

    settings = small_settings(corpus_dir=corpus)
    folder = settings.index_dir / "chroma"
    folder.mkdir(parents=True)
    (folder / "chroma.sqlite3").write_bytes(b"garbage, not a database" * 100)
    services = Services(settings)
    secret = str(settings.data_dir)

    pool = AnswerPool(PoolConfig.of(settings))
    chat_turn = asker(Answerers(settings, services, pool.halt), pool)

    async def said() -> tuple:
        turn = chat_turn(QUESTION, None, None, None, "en", None, None)
        await anext(turn)  # first the page in the question's language
        return await anext(turn)

    status = asyncio.run(said())[4]  # the status line under the question box
    assert "…/index/chroma" in status and "ruta ingest" in status, status
    assert secret not in status and "/tmp/" not in status, status

    with serve(settings, services) as url:
        r = httpx.post(
            f"{url}/gradio_api/call/ask", json={"data": [QUESTION, [], None, False]}, timeout=60
        )
        stream = httpx.get(f"{url}/gradio_api/call/ask/{r.json()['event_id']}", timeout=60).text
        stream = stream.replace("\\u2026", "…")  # as the JSON of the event escapes it
        assert "event: error" in stream and "…/index/chroma" in stream, stream[:500]
        assert secret not in stream and "/tmp/" not in stream, stream[:500]
        for path in ("/healthz", "/api/sources"):
            assert secret not in httpx.get(f"{url}{path}", timeout=60).text
