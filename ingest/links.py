"""Fetch the documents that footnotes point to into a local cache, one failure per bad URL."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx

log = logging.getLogger(__name__)

USER_AGENT = "Ruta/0.1 (+document fetcher)"

# Content types Ruta can load, and the suffix that ingest/load.py reads them by.
_SUFFIX_BY_TYPE = {
    "application/pdf": ".pdf",
    "application/x-pdf": ".pdf",
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
_TYPE_BY_SUFFIX = {
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# Servers label many PDFs with these; then the URL's suffix or the file's magic bytes decide.
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/download"}


@dataclass(frozen=True)
class Fetched:
    """A URL whose body is saved at ``path`` (in the cache directory)."""

    url: str
    path: Path
    content_type: str


@dataclass(frozen=True)
class FetchFailure:
    """A URL that could not be fetched, with a reason a person can act on."""

    url: str
    reason: str


class _Failed(Exception):
    """Internal: carries a FetchFailure reason out of the download steps."""


def fetch_links(
    urls: Iterable[str],
    cache_dir: Path,
    *,
    timeout_s: float = 10.0,
    max_bytes: int = 50_000_000,
    client: httpx.Client | None = None,
) -> tuple[list[Fetched], list[FetchFailure]]:
    """Download each distinct http(s) URL once into ``cache_dir``; never raise for one URL."""
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    own_client = client is None
    http = client or httpx.Client(
        follow_redirects=True, timeout=timeout_s, headers={"User-Agent": USER_AGENT}
    )
    fetched: list[Fetched] = []
    failures: list[FetchFailure] = []
    try:
        for url in dict.fromkeys(u.strip() for u in urls if u and u.strip()):
            try:
                fetched.append(_fetch_one(http, url, cache_dir, timeout_s, max_bytes))
            except _Failed as exc:
                log.warning("could not fetch %s: %s", url, exc)
                failures.append(FetchFailure(url=url, reason=str(exc)))
    finally:
        if own_client:
            http.close()
    return fetched, failures


def _fetch_one(
    http: httpx.Client, url: str, cache_dir: Path, timeout_s: float, max_bytes: int
) -> Fetched:
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme not in ("http", "https"):
        raise _Failed(f"unsupported scheme {scheme or '(none)'}; only http and https are fetched")
    stem = hashlib.sha256(url.encode("utf-8")).hexdigest()
    cached = _cached(cache_dir, stem)
    if cached is not None:
        log.debug("cache hit for %s: %s", url, cached)
        return Fetched(url=url, path=cached, content_type=_TYPE_BY_SUFFIX[cached.suffix])
    try:
        return _download(http, url, cache_dir, stem, timeout_s, max_bytes)
    except httpx.TimeoutException as exc:
        raise _Failed(f"timed out after {timeout_s:g}s") from exc
    except httpx.ConnectError as exc:
        refused = "refused" in str(exc).lower()
        raise _Failed("connection refused" if refused else f"could not connect: {exc}") from exc
    except httpx.TooManyRedirects as exc:
        raise _Failed("too many redirects") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise _Failed(f"invalid URL: {exc}") from exc
    except httpx.HTTPError as exc:
        raise _Failed(f"request failed: {exc or type(exc).__name__}") from exc
    except OSError as exc:
        raise _Failed(f"could not save to {cache_dir}: {exc}") from exc


def _cached(cache_dir: Path, stem: str) -> Path | None:
    for suffix in _TYPE_BY_SUFFIX:
        candidate = cache_dir / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _download(
    http: httpx.Client, url: str, cache_dir: Path, stem: str, timeout_s: float, max_bytes: int
) -> Fetched:
    # Per-request settings so a caller's client still follows redirects and says who we are.
    with http.stream(
        "GET",
        url,
        follow_redirects=True,
        timeout=timeout_s,
        headers={"User-Agent": USER_AGENT},
    ) as response:
        if response.status_code >= 400:
            raise _Failed(f"HTTP {response.status_code}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _Failed(_too_large(max_bytes))
        content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        chunks = response.iter_bytes()
        first = next(chunks, b"")
        suffix = _suffix_for(content_type, url, first)
        # Write to a temporary name and rename at the end, so an interrupted download is
        # never mistaken for a cache hit next time.
        partial = cache_dir / f"{stem}.part"
        size = 0
        try:
            with partial.open("wb") as out:
                for chunk in _prepend(first, chunks):
                    size += len(chunk)
                    if size > max_bytes:  # Content-Length can be absent or wrong
                        raise _Failed(_too_large(max_bytes))
                    out.write(chunk)
            final = cache_dir / f"{stem}{suffix}"
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
    log.info("fetched %s (%d bytes) -> %s", url, size, final.name)
    return Fetched(url=url, path=final, content_type=_TYPE_BY_SUFFIX[suffix])


def _suffix_for(content_type: str, url: str, first_bytes: bytes) -> str:
    if content_type in _SUFFIX_BY_TYPE:
        return _SUFFIX_BY_TYPE[content_type]
    if content_type in _GENERIC_TYPES:
        if first_bytes.lstrip().startswith(b"%PDF-"):
            return ".pdf"
        url_suffix = PurePosixPath(httpx.URL(url).path).suffix.lower()
        if url_suffix in _TYPE_BY_SUFFIX:
            return ".html" if url_suffix == ".htm" else url_suffix
    raise _Failed(f"unsupported content type {content_type or '(none)'}")


def _prepend(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    if first:
        yield first
    yield from rest


def _too_large(max_bytes: int) -> str:
    if max_bytes >= 1_000_000:
        return f"larger than {max_bytes / 1_000_000:g} MB"
    return f"larger than {max_bytes} bytes"
