"""The Gradio page on a real server: gradio_client, feedback, and a real browser (chromium)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from gradio_client import Client

from app.feedback import FeedbackStore
from app.http.web import esc, sources_html

QUESTION = "Where does R4V post its monitoring data?"
XSS = "What is <img src=x onerror=alert(1)> in R4V?"
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(p.get("text", "") for p in content)


def test_gradio_client_calls_the_chat(base_url: str) -> None:
    client = Client(base_url, verbose=False)
    api = client.view_api(print_info=False, return_format="dict")
    assert "/chat" in api["named_endpoints"]
    _, chat, sources = client.predict(QUESTION, [], api_name="/chat")
    assert [m["role"] for m in chat] == ["user", "assistant"]
    assert "R4V.info" in _text(chat[-1]) and "[1]" in _text(chat[-1])
    assert "<mark>" in sources and "R4V.info" in sources
    _, chat, sources = client.predict("   ", chat, api_name="/chat")
    assert "question is empty" in _text(chat[-1]) and "question is empty" in sources


def test_sources_panel_escapes_document_text(real_services) -> None:
    from app.services import make_answerer

    answer = make_answerer(real_services.settings, real_services).answer(QUESTION)
    html = sources_html(answer)
    assert html.count('<li class="ruta-source"') == len(answer.citations)
    marked = [c.quote for c in answer.citations if f"<mark>{esc(c.quote)}</mark>" in html]
    assert any("R4V.info" in q for q in marked)
    assert esc('<img src=x onerror="alert(1)">') == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    )
    assert esc("${x} `y`") == "&#36;&#123;x&#125; &#96;y&#96;"


def test_feedback_store_add_and_export(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    assert store.export("csv").splitlines() == [
        "id,ts,rating,comment,question,answer,citations,backend"
    ]
    cites = [{"n": 1, "quote": "R4V posts its data on R4V.info, «en línea»."}]
    store.add(1, QUESTION, "On R4V.info [1]", cites, "extractive", comment="clear, thanks")
    store.add(-1, "¿Qué?", "Los documentos no lo dicen.", [], "extractive")
    with pytest.raises(ValueError, match="rating must be 1 or -1"):
        store.add(0, "q", "a")
    rows = [json.loads(line) for line in store.export("jsonl").splitlines()]
    assert [r["rating"] for r in rows] == [1, -1]
    assert rows[0]["citations"] == cites and rows[0]["comment"] == "clear, thanks"
    assert rows[1]["question"] == "¿Qué?"
    table = list(csv.DictReader(io.StringIO(store.export("csv"))))
    assert table[0]["question"] == QUESTION and json.loads(table[0]["citations"]) == cites
    with pytest.raises(ValueError, match="'csv' or 'jsonl'"):
        store.export("xml")


@pytest.mark.browser
def test_browser_chat_sources_feedback_and_no_outside_requests(
    base_url: str, real_services
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = FeedbackStore(real_services.settings.data_dir / "feedback.sqlite")
    before = len(store.rows())
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base_url}/")
        expect(page).to_have_title("Ruta", timeout=30_000)
        box = page.locator("#ruta-question textarea")
        page.screenshot(path=str(ARTIFACTS / "page-empty.png"), full_page=True)

        box.fill(QUESTION)
        box.press("Enter")
        bot = page.locator("#ruta-chat .message-row.bot-row").last
        expect(bot).to_contain_text("[1]", timeout=60_000)
        expect(bot).to_contain_text("R4V.info")
        mark = page.locator("#ruta-sources mark").filter(has_text="R4V.info")
        expect(mark.first).to_be_visible(timeout=30_000)
        expect(page.locator("#ruta-source-1")).to_contain_text("[1]")
        page.screenshot(path=str(ARTIFACTS / "page-answer.png"), full_page=True)

        page.get_by_label("Comment (optional)").fill("Found it, thanks")
        page.locator("#ruta-up").click()
        expect(page.locator("#ruta-thanks")).to_contain_text("saved", timeout=30_000)
        rows = store.rows()
        assert len(rows) == before + 1
        assert rows[-1]["rating"] == 1 and rows[-1]["comment"] == "Found it, thanks"
        assert rows[-1]["question"] == QUESTION and rows[-1]["citations"]

        box.fill(XSS)
        page.locator("#ruta-ask").click()
        user = page.locator("#ruta-chat .message-row.user-row").last
        expect(user).to_contain_text("<img src=x onerror=alert(1)>", timeout=60_000)
        expect(page.locator("#ruta-chat .message-row.bot-row")).to_have_count(2, timeout=60_000)
        expect(page.locator("#ruta-sources")).not_to_contain_text("Searching", timeout=60_000)
        assert page.locator("#ruta-chat img[src='x']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "page-markup-question.png"), full_page=True)

        page.get_by_role("button", name="Clear conversation").click()
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0, timeout=10_000)
        browser.close()

    assert dialogs == []
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    outside = [u for u in outside if urlparse(u).hostname != "127.0.0.1"]
    assert outside == [], outside
    assert not any(urlparse(u).path.endswith("/x") for u in requests)  # the <img> never loaded
