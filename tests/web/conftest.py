"""Real servers for the web tests: the app under uvicorn in a thread, on 127.0.0.1 and a free port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from app.http.server import create_app
from app.services import Services
from app.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def launch_chromium() -> Callable[..., object]:
    """Launches Debian's chromium through Playwright: ``launch_chromium(pw)``. The test is
    skipped where it is not installed (`make browser`)."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import expect

    # How long an expectation waits for the page to show it: on a busy two-core machine the
    # page can take longer than Playwright's 5 s to redraw; a wrong page still fails, later.
    expect.set_options(timeout=20_000)
    return lambda pw: pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(settings: Settings, services: Services | None = None) -> Iterator[str]:
    """Serve create_app(settings, services) until the block ends; yields the base URL."""
    port = free_port()
    app = create_app(settings, services)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", root_path=settings.root_path
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"  # with root_path, what a prefix-stripping proxy calls
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def serve() -> Callable[..., object]:
    """``with serve(settings, services) as url``: a server for one test."""
    return running


@pytest.fixture(scope="session")
def serve_real(real_services: Services, settings_factory) -> Callable[..., object]:
    """Settings over the real index, with overrides: ``with serve_real(api_token=...) as url``."""

    def make(**overrides: object):
        settings = settings_factory(data_dir=real_services.settings.data_dir, **overrides)
        return running(settings, real_services)

    return make


@pytest.fixture(scope="module")
def base_url(serve_real) -> Iterator[str]:
    """One server per module over the real index, with the default (open) settings."""
    with serve_real(rate_limit_per_minute=0) as url:
        # Build the retriever once, before the tests time their requests.
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200
        yield url
