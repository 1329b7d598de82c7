"""`ruta serve`: one FastAPI app with the HTTP API, the Gradio page at "/" and the middlewares."""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable
from types import FrameType

from fastapi import FastAPI

from app.http.pool import AnswerPool, PoolConfig
from app.rag.answer import Answerer
from app.services import Services, make_answerer
from app.settings import Settings
from ingest.errors import RutaError

log = logging.getLogger(__name__)


class Answerers:
    """Hands out one shared Answerer, rebuilt when Services builds a new retriever (re-ingest);
    ``halt`` stops its answers in flight at shutdown (AnswerPool.halt)."""

    def __init__(
        self, settings: Settings, services: Services, halt: Callable[[], str] | None = None
    ) -> None:
        self.settings = settings
        self.services = services
        self.halt = halt
        self._lock = threading.Lock()
        self._current: Answerer | None = None

    def __call__(self) -> Answerer:
        retriever = self.services.retriever()  # raises IndexNotReady with what to run
        with self._lock:
            if self._current is None or self._current.retriever is not retriever:
                self._current = make_answerer(self.settings, self.services, self.halt)
            return self._current


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """The whole server as an ASGI app: /api, /v1 and /healthz, the page at "/"."""
    # The page must make no outside requests: no Gradio telemetry.
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from app.feedback import FeedbackStore
    from app.http.api import add_api
    from app.http.security import install
    from app.http.web import mount_ui

    services = services or Services(settings)
    # One pool of answer slots for the page, /api/ask and /v1 alike.
    pool = AnswerPool(PoolConfig.of(settings), settings.trust_user_header)
    answerers = Answerers(settings, services, pool.halt)
    # No /docs: Swagger UI would load its scripts from a CDN.
    app = FastAPI(title="Ruta", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    app.state.answer_pool = pool
    add_api(app, answerers, services, pool)
    feedback = FeedbackStore(settings.data_dir / "feedback.sqlite")
    mount_ui(app, answerers, feedback, settings, pool)
    install(app, settings)
    return app


def _warm_up(services: Services) -> None:
    """Load the index and models before the first question, without delaying the port."""
    try:
        log.info("index ready: %d chunks", services.warm_up())
    except RutaError as exc:
        log.warning("no usable index yet: %s", exc)


class _Server:
    """uvicorn's server, bounded at SIGTERM/SIGINT: the pool refuses new answers at once and
    stops those in flight at their next step after 40% of ``shutdown_timeout_s``; open
    connections (the page's event streams) are closed after 60% of it, and answers
    still computing then are abandoned (exit 0); should anything else hold the process at the
    full time, it exits anyway (exit 1)."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        import uvicorn

        pool: AnswerPool = app.state.answer_pool
        limit = settings.shutdown_timeout_s
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            root_path=settings.root_path,
            log_level="info",
            proxy_headers=True,
            timeout_graceful_shutdown=max(1, math.floor(limit * 0.6)),  # type: ignore[arg-type]
        )

        class Server(uvicorn.Server):
            def handle_exit(self, sig: int, frame: FrameType | None) -> None:
                if not self.should_exit:
                    log.info("stopping: answers in flight get %.1f s to finish", limit * 0.4)
                    pool.close(limit * 0.4)
                    threading.Thread(
                        target=_exit_after, args=(limit,), name="ruta-exit", daemon=True
                    ).start()
                super().handle_exit(sig, frame)
                # Handled: a stop that ended in time exits 0 (uvicorn would raise the signal
                # again after its shutdown, and the process would die of it, -15).
                self._captured_signals.clear()

            async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
                await super().shutdown(sockets)
                # Every connection is closed and the app has shut down: exit now. Threads
                # still inside a step (an embedding) of an answer no one awaits would hold the
                # process until they end, and asyncio waits for its cancelled tasks first.
                if pool.running:
                    log.warning("exiting with %d answer(s) still computing", pool.running)
                log.info("stopped")
                logging.shutdown()
                os._exit(0)

        self.server = Server(config)

    def run(self) -> None:
        self.server.run()


def _exit_after(seconds: float) -> None:
    time.sleep(seconds)
    log.error("still running %.0f s after the stop signal: exiting now", seconds)
    logging.shutdown()
    os._exit(1)


def serve(settings: Settings) -> None:
    """Run the app with uvicorn on settings.host:settings.port until SIGTERM or Ctrl-C; the
    process exits within settings.shutdown_timeout_s of the signal."""
    services = Services(settings)
    app = create_app(settings, services)
    threading.Thread(target=_warm_up, args=(services,), daemon=True).start()
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{shown}:{settings.port}{settings.root_path}"
    log.info("Ruta on %s/ (API: %s/api/ask, OpenAI-compatible: %s/v1)", base, base, base)
    _Server(app, settings).run()
