"""Ruta under /ruta/ behind a real nginx running README's config: API, streaming, the page."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

QUESTION = "Where does R4V post its monitoring data?"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
NGINX = shutil.which("nginx") or next(
    (p for p in ("/usr/sbin/nginx", "/usr/bin/nginx") if Path(p).exists()), None
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx (apt-get install nginx)"),
]


def readme_location() -> str:
    """The ```nginx block of README "Embedding in an intranet": the test runs what users copy."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 1, f"expected one nginx block in README.md, found {len(blocks)}"
    assert "proxy_pass http://127.0.0.1:7860/;" in blocks[0]
    return blocks[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_conf(prefix: Path, port: int, location: str) -> str:
    """A whole nginx.conf around ``location``: everything nginx writes lies under ``prefix``."""
    temp = "".join(
        f"    {kind}_temp_path {prefix}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root the workers would switch to 'nobody', who cannot write into pytest's tmp folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log {prefix}/access.log;\n{temp}"
        f"    server {{\n        listen 127.0.0.1:{port};\n{location}    }}\n}}\n"
    )


@contextmanager
def nginx(prefix: Path, upstream: str, extra: str = "") -> Iterator[str]:
    """nginx in the foreground with README's location pointed at ``upstream`` (and ``extra``
    locations); yields its URL."""
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    location = readme_location().replace("http://127.0.0.1:7860/", f"{upstream}/") + extra
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf(prefix, port, location), encoding="utf-8")
    log = prefix / "error.log"
    command = [str(NGINX), "-c", str(conf), "-p", f"{prefix}/", "-e", str(log)]
    proc = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            if proc.poll() is not None:
                pytest.fail(f"nginx exited with {proc.returncode}:\n{log.read_text('utf-8')}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not listen on {port} within 10 s")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


PORTAL = """<!doctype html>
<html><head><meta charset="utf-8"><title>Intranet portal</title>
<script type="module" src="/ruta/gradio.js"></script></head>
<body style="font-family: system-ui, sans-serif; margin: 16px">
<h1>Intranet portal</h1><p>Ruta as a web component:</p>
<gradio-app src="{src}/"></gradio-app>
</body></html>
"""


@pytest.fixture(scope="module")
def proxied(serve_real, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Ruta (root_path=/ruta) behind nginx, and an intranet page at /portal/ on the same site;
    yields http://127.0.0.1:NGINX_PORT/ruta."""
    portal = tmp_path_factory.mktemp("portal")
    extra = f"        location /portal/ {{ alias {portal}/; }}\n"
    with serve_real(root_path="/ruta", rate_limit_per_minute=0) as upstream:
        assert httpx.get(f"{upstream}/healthz", timeout=120).status_code == 200
        with nginx(tmp_path_factory.mktemp("nginx"), upstream, extra) as url:
            (portal / "index.html").write_text(PORTAL.format(src=f"{url}/ruta"), "utf-8")
            yield f"{url}/ruta"


def test_health_api_and_gradio_links_through_nginx(proxied: str) -> None:
    r = httpx.get(f"{proxied}/healthz", timeout=30)
    assert r.status_code == 200 and r.json()["index"] == "ready"
    assert r.headers["server"].startswith("nginx")
    r = httpx.post(f"{proxied}/api/ask", json={"question": QUESTION}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert "R4V.info" in body["answer"] and "[1]" in body["answer"]
    assert body["citations"][0]["n"] == 1 and body["citations"][0]["verified"]
    # Gradio builds its absolute URLs from Host: with the port and the prefix, as the browser sees.
    config = httpx.get(f"{proxied}/config", timeout=30).json()
    assert config["root"] == proxied
    assert httpx.get(proxied).headers["location"] == f"{proxied}/"  # nginx adds the slash


def test_gradio_client_through_nginx(proxied: str) -> None:
    from gradio_client import Client

    body = Client(f"{proxied}/", verbose=False).predict(QUESTION, [], api_name="/ask")
    assert "[1]" in body["answer"] and any("R4V.info" in c["quote"] for c in body["citations"])


def test_per_browser_rate_limit_behind_nginx(serve_real, tmp_path: Path) -> None:
    # Two browsers, 127.0.0.2 and 127.0.0.3, behind one proxy: each has its own bucket.
    with serve_real(root_path="/ruta", rate_limit_per_minute=2) as upstream:
        with nginx(tmp_path / "nginx", upstream) as url:

            def codes(address: str, n: int) -> list[int]:
                transport = httpx.HTTPTransport(local_address=address)
                with httpx.Client(transport=transport, timeout=30) as client:
                    return [client.get(f"{url}/ruta/v1/models").status_code for _ in range(n)]

            assert codes("127.0.0.2", 3) == [200, 200, 429]
            assert codes("127.0.0.3", 1) == [200]


@pytest.mark.llamacpp
def test_tokens_stream_through_nginx(real_services, settings_factory, serve, tmp_path) -> None:
    """SmolLM2 generates token by token: the tokens reach the client in several reads, not one."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed (ruta[llamacpp])")
    from app.services import Services

    settings = settings_factory(
        data_dir=real_services.settings.data_dir,
        root_path="/ruta",
        rate_limit_per_minute=0,
        llm="llamacpp",
        llm_max_tokens=16,
        llm_threads=1,  # the other tests' threads share these cores
        llm_timeout_s=60.0,
    )
    body = {"messages": [{"role": "user", "content": QUESTION}], "stream": True}
    reads: list[list[dict]] = []  # the SSE events of each network read, in arrival order
    with serve(settings, Services(settings)) as upstream, nginx(tmp_path / "ng", upstream) as url:
        chat = f"{url}/ruta/v1/chat/completions"
        with httpx.stream("POST", chat, json=body, timeout=120) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            assert "content-length" not in r.headers
            buffer = ""
            for raw in r.iter_text():
                buffer += raw
                *events, buffer = buffer.split("\n\n")
                parsed = [e.removeprefix("data: ") for e in events if e]
                reads.append([{"done": True} if e == "[DONE]" else json.loads(e) for e in parsed])
    events = [e for read in reads for e in read]
    assert events[-1] == {"done": True} and events[-2]["choices"][0]["finish_reason"] == "stop"

    def has_text(read: list[dict]) -> bool:
        return any("choices" in e and e["choices"][0]["delta"].get("content") for e in read)

    text_reads = [i for i, read in enumerate(reads) if has_text(read)]
    assert len(text_reads) >= 4, reads  # the tokens came a few at a time, not in one block
    assert text_reads[0] < len(reads) - 1


def test_browser_asks_through_nginx(proxied: str, launch_chromium) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{proxied}/")
        expect(page).to_have_title("Ruta", timeout=30_000)
        box = page.locator("#ruta-question textarea")
        box.fill(QUESTION)
        box.press("Enter")
        bot = page.locator("#ruta-chat .message-row.bot-row").last
        expect(bot).to_contain_text("[1]", timeout=60_000)
        expect(bot).to_contain_text("R4V.info")
        bot.locator("a.ruta-cite").first.click()  # opens this answer's passage [1]
        mark = bot.locator(".ruta-current mark").filter(has_text="R4V.info")
        expect(mark.first).to_be_visible(timeout=30_000)
        expect(bot.locator("#ruta-a1-1")).to_contain_text("[1]")
        page.screenshot(path=str(ARTIFACTS / "proxy-answer.png"), full_page=True)
        browser.close()

    base = urlparse(proxied)
    web = [urlparse(u) for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert any(u.path.startswith("/ruta/gradio_api/queue/") for u in web), requests
    strays = [u.geturl() for u in web if (u.hostname, u.port) != (base.hostname, base.port)]
    strays += [u.geturl() for u in web if not u.path.startswith("/ruta/")]
    assert strays == [], strays


def test_web_component_in_an_intranet_page(proxied: str, launch_chromium) -> None:
    """README's <gradio-app> snippet, with gradio.js from Ruta itself: a portal page on the same
    site shows the chat, answers, and nothing is fetched from outside."""
    from playwright.sync_api import expect, sync_playwright

    loader = httpx.get(f"{proxied}/gradio.js", timeout=30)
    assert loader.status_code == 200 and "./assets/" in loader.text
    assert loader.headers["content-type"].startswith("text/javascript")
    site = proxied.removesuffix("/ruta")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"{site}/portal/index.html")
        expect(page).to_have_title("Intranet portal")
        box = page.locator("gradio-app #ruta-question textarea")
        expect(box).to_be_visible(timeout=60_000)
        box.fill(QUESTION)
        box.press("Enter")
        bot = page.locator("gradio-app #ruta-chat .message-row.bot-row").last
        expect(bot).to_contain_text("R4V.info", timeout=60_000)
        expect(bot).to_contain_text("[1]")
        page.screenshot(path=str(ARTIFACTS / "web-component.png"), full_page=True)
        browser.close()
    base = urlparse(site)
    web = [urlparse(u) for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    strays = [u.geturl() for u in web if (u.hostname, u.port) != (base.hostname, base.port)]
    assert strays == [], strays
