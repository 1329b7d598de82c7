"""`ruta ingest --fetch-links` against a real HTTP server on 127.0.0.1: linked docs become documents."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fpdf import FPDF

from app.cli import main
from app.services import Services


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def site(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 8, "The Andean Shelter Fund disbursed 7,300 vouchers in Cucuta during 2024.")
    pdf.output(str(root / "fund.pdf"))
    (root / "desks.html").write_text(
        "<html><head><title>Border desks</title><script>alert(1)</script></head><body>"
        "<p>Border desks in Tumbes registered 912 families in a single week.</p></body></html>",
        encoding="utf-8",
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_fetch_links_ingests_linked_documents(site, tmp_path, settings_factory, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "review.txt").write_text(
        "The review cites the Andean fund.1 It also cites the border desks.2 And a lost page.3\n\n"
        f"1 {site}/fund.pdf\n2 {site}/desks.html\n3 {site}/missing.pdf\n",
        encoding="utf-8",
    )
    settings = settings_factory(corpus_dir=corpus, multilingual_embedder="none")
    code = main(
        [
            "--set",
            f"data_dir={settings.data_dir}",
            "--set",
            f"corpus_dir={corpus}",
            "--set",
            "multilingual_embedder=none",
            "ingest",
            "--fetch-links",
            "--quiet",
        ]
    )
    out = capsys.readouterr()
    assert code == 3  # the missing link is reported, the rest ingested
    assert "missing.pdf: HTTP 404" in out.err
    assert "ingested 3 documents" in out.out
    retriever = Services(settings).retriever()
    hit = retriever.search("How many vouchers did the Andean Shelter Fund disburse?", k=1)[0]
    assert "7,300 vouchers" in hit.chunk.text and hit.chunk.kind == "linked"
    assert hit.chunk.url == f"{site}/fund.pdf"
    hit = retriever.search("Tumbes border desks families", k=1)[0]
    assert "912 families" in hit.chunk.text and "alert" not in hit.chunk.text
