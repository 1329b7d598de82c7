"""`ruta serve`: one FastAPI app with the HTTP API, the Gradio page at "/" and the middlewares."""

from __future__ import annotations

import logging
import os
import threading

from fastapi import FastAPI

from app.rag.answer import Answerer
from app.services import Services, make_answerer
from app.settings import Settings
from ingest.errors import RutaError

log = logging.getLogger(__name__)


class Answerers:
    """Hands out one shared Answerer, rebuilt when Services builds a new retriever (re-ingest)."""

    def __init__(self, settings: Settings, services: Services) -> None:
        self.settings = settings
        self.services = services
        self._lock = threading.Lock()
        self._current: Answerer | None = None

    def __call__(self) -> Answerer:
        retriever = self.services.retriever()  # raises IndexNotReady with what to run
        with self._lock:
            if self._current is None or self._current.retriever is not retriever:
                self._current = make_answerer(self.settings, self.services)
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
    answerers = Answerers(settings, services)
    # No /docs: Swagger UI would load its scripts from a CDN.
    app = FastAPI(title="Ruta", docs_url=None, redoc_url=None, openapi_url="/openapi.json")
    add_api(app, answerers, services)
    mount_ui(app, answerers, FeedbackStore(settings.data_dir / "feedback.sqlite"), settings)
    install(app, settings)
    return app


def _warm_up(services: Services) -> None:
    """Load the index and models before the first question, without delaying the port."""
    try:
        log.info("index ready: %d chunks", services.warm_up())
    except RutaError as exc:
        log.warning("no usable index yet: %s", exc)


def serve(settings: Settings) -> None:
    """Run the app with uvicorn on settings.host:settings.port until interrupted."""
    import uvicorn

    services = Services(settings)
    app = create_app(settings, services)
    threading.Thread(target=_warm_up, args=(services,), daemon=True).start()
    shown = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    base = f"http://{shown}:{settings.port}{settings.root_path}"
    log.info("Ruta on %s/ (API: %s/api/ask, OpenAI-compatible: %s/v1)", base, base, base)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        root_path=settings.root_path,
        log_level="info",
        proxy_headers=True,
    )
