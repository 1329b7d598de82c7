"""GET /healthz: whether the index is ready (or loading, incomplete, broken), the LLM reachable."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from app.http.errors import public
from app.services import Services
from index.build import incomplete_notice
from ingest.errors import RutaError


@dataclass
class LLMProbe:
    """Whether an LLM server answers, asked at most every ``every_s`` (health checks are
    frequent; a dead server must not make each of them wait for its time-out)."""

    base_url: str
    timeout_s: float = 1.0
    every_s: float = 10.0
    _at: float = field(default=-1e9, init=False)
    _ok: bool = field(default=True, init=False)

    async def reachable(self) -> bool:
        import httpx

        now = time.monotonic()
        if now - self._at < self.every_s:
            return self._ok
        self._at = now
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                await client.get(f"{self.base_url.rstrip('/')}/models")
            self._ok = True  # any HTTP answer: the server is there
        except httpx.HTTPError:
            self._ok = False
        return self._ok


def add_health(app: FastAPI, services: Services) -> None:
    """Register GET /healthz (open to all: the gate lets it through without credentials)."""
    settings = services.settings
    probe = LLMProbe(settings.openai_base_url) if settings.llm == "openai" else None

    @app.get("/healthz")
    async def healthz() -> JSONResponse:
        llm = settings.llm
        if probe is not None and not await probe.reachable():
            # Answers fall back to extractive ones: degraded, not down.
            llm = "unreachable"
        if services.loading:  # answer at once while the index and models load (cold start)
            return JSONResponse(
                {"index": "loading", "llm": llm, "chunks": 0},
                status_code=503,
                headers={"Retry-After": "2"},
            )
        try:
            # ready(), not retriever(): a Chroma server that went away must show here too.
            retriever = await run_in_threadpool(services.ready)
        except RutaError as exc:
            body = {"index": public(str(exc)), "llm": llm, "chunks": 0}
            return JSONResponse(body, status_code=503)
        body = {"index": "ready", "llm": llm, "chunks": len(retriever.chunks)}
        warning = incomplete_notice(settings.data_dir)
        if warning:  # an ingestion was cut short: the index serves, but holds part of the corpus
            body.update(index="incomplete", warning=warning)
        return JSONResponse(body)
