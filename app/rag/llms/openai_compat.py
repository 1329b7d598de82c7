"""Streams chat replies from any OpenAI-compatible server (llama.cpp, vLLM, Ollama) over httpx."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

import httpx

from app.rag.errors import LLMUnavailable
from app.rag.types import Message

_ADVICE = "start it or set RUTA_LLM=extractive"


class OpenAICompatLLM:
    """``POST {base_url}/chat/completions`` with ``stream: true``; yields the content deltas."""

    name = "openai"

    def __init__(
        self, base_url: str, model: str, api_key: str, timeout_s: float, max_tokens: int
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens

    def stream(self, messages: list[Message]) -> Iterator[str]:
        where = f"the LLM server at {self.base_url}"
        payload = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "stream": True,
            "temperature": 0,  # answers must be reproducible and stick to the sources
            "max_tokens": self.max_tokens,
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        # One Timeout value bounds the connect and every single read, so a server that
        # stalls mid-stream fails as surely as one that never answers.
        timeout = httpx.Timeout(self.timeout_s)
        got_text = False
        try:
            with httpx.Client(timeout=timeout) as client:
                url = f"{self.base_url}/chat/completions"
                with client.stream("POST", url, json=payload, headers=headers) as response:
                    if response.status_code >= 400:
                        body = response.read().decode("utf-8", "replace").strip()[:200]
                        raise LLMUnavailable(
                            f"{where} answered HTTP {response.status_code}: {body or '(no body)'}"
                        )
                    for piece in _sse_deltas(response.iter_lines(), where):
                        got_text = True
                        yield piece
        except httpx.ConnectTimeout as exc:
            raise LLMUnavailable(
                f"{where} cannot be reached (time-out after {self.timeout_s:g} s while "
                f"connecting); {_ADVICE}"
            ) from exc
        except httpx.ConnectError as exc:
            cause = "connection refused" if "refused" in str(exc).lower() else str(exc)
            raise LLMUnavailable(f"{where} cannot be reached ({cause}); {_ADVICE}") from exc
        except httpx.TimeoutException as exc:
            raise LLMUnavailable(
                f"{where} did not answer within {self.timeout_s:g} s (time-out); "
                "raise RUTA_LLM_TIMEOUT_S or use a smaller model"
            ) from exc
        except httpx.HTTPError as exc:
            raise LLMUnavailable(f"{where} failed: {type(exc).__name__}: {exc}") from exc
        if not got_text:
            raise LLMUnavailable(f"{where} returned an empty reply")


def _sse_deltas(lines: Iterable[str], where: str) -> Iterator[str]:
    """The non-empty ``choices[0].delta.content`` of each ``data:`` event, until ``[DONE]``."""
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(":"):
            continue  # blank event separators and SSE comments (keep-alives)
        field, _, value = line.partition(":")
        if field in ("event", "id", "retry"):
            continue
        if field != "data":
            # A proxy's HTML page or a server that ignored stream=true: not something to guess at.
            raise LLMUnavailable(f"{where} did not send an event stream; it sent {line[:80]!r}")
        data = value.strip()
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise LLMUnavailable(f"{where} sent a malformed event: {data[:80]!r}") from exc
        if not isinstance(event, dict):
            raise LLMUnavailable(f"{where} sent a malformed event: {data[:80]!r}")
        if "error" in event:
            # Servers report failures that happen after the 200 (e.g. context overflow) in-band.
            raise LLMUnavailable(f"{where} reported an error: {str(event['error'])[:200]}")
        choices = event.get("choices")
        first = choices[0] if isinstance(choices, list) and choices else None
        delta = first.get("delta") if isinstance(first, dict) else None
        content = delta.get("content") if isinstance(delta, dict) else None
        if isinstance(content, str) and content:
            yield content  # role-only and finish events carry no content; skip them
