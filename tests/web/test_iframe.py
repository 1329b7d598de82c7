"""Ruta in an <iframe> of a page from another origin: allowed by frame_ancestors, else blocked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

QUESTION = "Where does R4V post its monitoring data?"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
HOST_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Intranet portal</title></head>
<body style="font-family: system-ui, sans-serif; margin: 16px">
<h1>Intranet portal</h1><p>Ruta, embedded from {src}</p>
<iframe id="ruta" src="{src}" style="width:100%;height:900px;border:1px solid #999"></iframe>
</body></html>
"""

pytestmark = pytest.mark.browser


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def host_site(folder: Path) -> Iterator[str]:
    """A static site on 127.0.0.1 and its own port (another origin than Ruta); yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_iframe_allowed_by_frame_ancestors_and_blocked_by_default(
    serve_real, tmp_path: Path, launch_chromium
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    console: list[str] = []
    with host_site(tmp_path) as portal:
        allowed = serve_real(frame_ancestors=f"'self' {portal}", rate_limit_per_minute=0)
        default = serve_real(rate_limit_per_minute=0)  # frame-ancestors 'self'
        with allowed as open_url, default as closed_url, sync_playwright() as pw:
            assert httpx.get(f"{open_url}/healthz", timeout=120).status_code == 200
            csp = httpx.get(f"{closed_url}/").headers["content-security-policy"]
            assert csp == "frame-ancestors 'self'"
            (tmp_path / "allowed.html").write_text(HOST_PAGE.format(src=f"{open_url}/"), "utf-8")
            (tmp_path / "blocked.html").write_text(HOST_PAGE.format(src=f"{closed_url}/"), "utf-8")

            browser = launch_chromium(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: console.append(m.text))

            page.goto(f"{portal}/allowed.html")
            frame = page.frame_locator("#ruta")
            box = frame.locator("#ruta-question textarea")
            expect(box).to_be_visible(timeout=30_000)
            box.fill(QUESTION)
            box.press("Enter")
            bot = frame.locator("#ruta-chat .message-row.bot-row").last
            expect(bot).to_contain_text("[1]", timeout=60_000)
            expect(bot).to_contain_text("R4V.info")
            bot.locator("a.ruta-cite").first.click()  # opens this answer's passage [1]
            mark = bot.locator(".ruta-current mark").filter(has_text="R4V.info")
            expect(mark.first).to_be_visible(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "iframe.png"), full_page=True)

            # Chromium fetches the page, reads the CSP and shows its own error page instead.
            with page.expect_console_message(lambda m: "frame-ancestors" in m.text):
                page.goto(f"{portal}/blocked.html")
            [blocked] = page.main_frame.child_frames
            assert blocked.url.startswith("chrome-error://"), blocked.url
            assert "ruta-question" not in blocked.content()
            expect(page.frame_locator("#ruta").locator("#ruta-question")).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / "iframe-blocked.png"), full_page=True)
            browser.close()

    refusals = [m for m in console if "frame-ancestors" in m]
    assert refusals and all(closed_url in m for m in refusals), console
    assert not any(open_url in m for m in refusals)
    web = [urlparse(u) for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert web and all(u.hostname == "127.0.0.1" for u in web), requests
