"""Tests for ingest/links.py against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple

import pytest
from fpdf import FPDF

from ingest.links import FetchFailure, fetch_links
from ingest.load import load

PDF_SENTENCE = "The Chilean census counted 444000 Venezuelan residents."
HTML_SENTENCE = "Costa Rica received 220000 Nicaraguan asylum claims."


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output readable


class Site(NamedTuple):
    base: str
    root: Path
    server: ThreadingHTTPServer


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "site"
    root.mkdir()
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 10, PDF_SENTENCE)
    pdf.output(str(root / "census.pdf"))
    (root / "asylum.html").write_text(
        f"<html><head><title>Asylum</title></head><body><p>{HTML_SENTENCE}</p></body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_address[1]}", root, server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_fetch_links_saves_loads_and_reports_failures(site: Site, tmp_path: Path) -> None:
    base = site.base
    cache = tmp_path / "cache"
    pdf_url, html_url = f"{base}/census.pdf", f"{base}/asylum.html"
    missing_url = f"{base}/missing.pdf"
    urls = [pdf_url, html_url, missing_url, "http://127.0.0.1:1/unreachable", "ftp://x/y"]

    fetched, failures = fetch_links(urls + [pdf_url], cache, timeout_s=5.0)

    by_url = {f.url: f for f in fetched}
    assert list(by_url) == [pdf_url, html_url]  # the repeated PDF URL is fetched once
    assert by_url[pdf_url].path.suffix == ".pdf"
    assert by_url[pdf_url].content_type == "application/pdf"
    assert by_url[html_url].path.suffix == ".html"
    assert by_url[html_url].content_type == "text/html"
    assert all(f.path.parent == cache for f in fetched)
    assert PDF_SENTENCE in load(by_url[pdf_url].path).text
    assert HTML_SENTENCE in load(by_url[html_url].path).text
    assert not list(cache.glob("*.part"))

    reasons = {f.url: f.reason for f in failures}
    assert reasons == {
        missing_url: "HTTP 404",
        "http://127.0.0.1:1/unreachable": "connection refused",
        "ftp://x/y": "unsupported scheme ftp; only http and https are fetched",
    }

    # Second run with the server gone: both documents come from the cache.
    site.server.shutdown()
    site.server.server_close()
    again, again_failures = fetch_links([pdf_url, html_url], cache, timeout_s=2.0)
    assert again_failures == []
    assert [(f.url, f.path) for f in again] == [(f.url, f.path) for f in fetched]


def test_fetch_links_stops_past_max_bytes(site: Site, tmp_path: Path) -> None:
    cache = tmp_path / "small-cache"
    url = f"{site.base}/census.pdf"
    fetched, failures = fetch_links([url], cache, max_bytes=100)
    assert fetched == []
    assert failures == [FetchFailure(url=url, reason="larger than 100 bytes")]
    assert list(cache.iterdir()) == []


def test_unsupported_content_type_is_a_failure(site: Site, tmp_path: Path) -> None:
    (site.root / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    url = f"{site.base}/chart.png"
    fetched, failures = fetch_links([url], tmp_path / "cache")
    assert fetched == []
    assert failures == [FetchFailure(url=url, reason="unsupported content type image/png")]
