"""The Gradio page on a real server: the `ask` API endpoint, feedback, and a real browser."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from gradio_client import Client

from app.feedback import FeedbackStore
from app.http.render import answer_html, esc
from app.http.web import EXAMPLES, input_problem

QUESTION = "Where does R4V post its monitoring data?"
CO_CHAIRS = "Which agencies co-chair the UN Regional Network on Migration for LAC?"
FUNDER = "Who funds Project Turquesa?"  # its passage cites footnote links
UNANSWERED = "What does the Quito Process do?"  # the corpus never mentions Quito
XSS = "What is <img src=x onerror=alert(1)> in R4V?"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def answerer(real_services):
    from app.services import make_answerer

    return make_answerer(real_services.settings, real_services)


def test_gradio_client_ask_returns_the_api_json(base_url: str) -> None:
    client = Client(base_url, verbose=False)
    api = client.view_api(print_info=False, return_format="dict")
    assert list(api["named_endpoints"]) == ["/ask"]  # the page's own handlers stay private
    params = [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]]
    assert params == ["question", "history"]

    body = client.predict(QUESTION, [], api_name="/ask")
    assert not body["refused"] and "[1]" in body["answer"]
    assert "OCHA's" in body["answer"] and "&#" not in body["answer"]  # plain text, not HTML
    [first] = [c for c in body["citations"] if "R4V.info" in c["quote"]]
    assert first["n"] == 1 and first["verified"] and first["title"].startswith("Rapid mapping")
    assert set(first) >= {"quote", "spans", "url", "links", "section", "page", "doc_id"}

    body = client.predict(question=CO_CHAIRS, history=[], api_name="/ask")
    cite = body["citations"][0]
    marked = [cite["quote"][a:b] for a, b in cite["spans"]]
    assert marked == ["ECLAC", "IOM"] and all(m in body["answer"] for m in marked)
    assert all(link.startswith("https://") for link in cite["links"])

    history = [
        {"role": "user", "content": "What is the UN Regional Network on Migration for LAC?"},
        {"role": "assistant", "content": "A network of UN agencies."},
    ]
    follow = client.predict(question="And who co-chairs it?", history=history, api_name="/ask")
    assert follow["standalone_question"].startswith("What is the UN Regional Network")

    with pytest.raises(Exception, match="question is empty"):
        client.predict("   ", [], api_name="/ask")


def test_example_questions_are_answered(answerer) -> None:
    for question in EXAMPLES:
        answer = answerer.answer(question)
        assert not answer.refused, (question, answer.text)
        assert answer.citations and all(c.verified for c in answer.citations), question


def test_answer_html_links_markers_to_its_own_sources(answerer) -> None:
    answer = answerer.answer(CO_CHAIRS)
    html = answer_html(answer, "ruta-a4")
    n = len(answer.citations)
    assert html.count('<li class="ruta-source"') == n
    assert all(f'id="ruta-a4-{c.n}"' in html for c in answer.citations)
    assert all(f'href="#ruta-a4-{c.n}"' in html for c in answer.citations)
    first = answer.citations[0]
    (a, b), *_ = first.spans
    assert f"<strong>{esc(first.quote[a:b])}</strong>" in html  # the answer span, in the quote
    linked = answerer.answer(FUNDER)
    html_linked = answer_html(linked, "ruta-a5")
    assert "Links in this passage: " in html_linked and linked.citations[0].links[0] in html_linked
    assert "closest" not in html and "quote verified" in html

    refused = answerer.answer(UNANSWERED)
    assert refused.refused
    html = answer_html(refused, "ruta-a2")
    assert "Closest passages [1]" in html and "closest passage" in html
    assert "not verified" not in html

    iecah = answerer.answer("What is REDLAC?").citations[0]
    assert iecah.doc_id == "iecah-coordination-study"
    assert iecah.url.startswith("https://iecah.org/")  # the document's own, from sources.toml
    html = answer_html(answerer.answer("What is REDLAC?"), "ruta-a6")
    assert f'<a href="{esc(iecah.url)}" target="_blank" rel="noopener noreferrer">the document' in (
        html
    )
    # A footnote link is never taken for the document's address.
    assert all(c.url != (c.links[0] if c.links else None) for c in answer.citations)


def test_markup_in_answers_and_documents_is_escaped() -> None:
    assert esc('<img src=x onerror="alert(1)">') == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"
    )
    assert esc("${x} `y`") == "&#36;&#123;x&#125; &#96;y&#96;"


def test_input_problems_are_said_in_plain_words() -> None:
    assert input_problem("x" * 3000, 2000) == (
        "Questions can be up to 2,000 characters; this one has 3,000."
    )
    assert input_problem("  \n ", 2000) == "Type a question first."
    assert "not text" in input_problem("What is R4V?\udc00", 2000)  # type: ignore[operator]
    assert input_problem(QUESTION, 2000) is None


def test_feedback_store_add_update_and_export(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    assert store.export("csv").splitlines() == [
        "id,ts,rating,comment,question,answer,citations,backend"
    ]
    cites = [{"n": 1, "quote": "R4V posts its data on R4V.info, «en línea»."}]
    row = store.add(1, QUESTION, "On R4V.info [1]", cites, "extractive", comment="clear")
    store.update(row, -1, "on second thought, no")
    store.add(-1, "¿Qué?", "Los documentos no lo dicen.", [], "extractive")
    with pytest.raises(ValueError, match="rating must be 1 or -1"):
        store.add(0, "q", "a")
    with pytest.raises(ValueError, match="no feedback with id 99"):
        store.update(99, 1)
    rows = [json.loads(line) for line in store.export("jsonl").splitlines()]
    assert [r["rating"] for r in rows] == [-1, -1]
    assert rows[0]["citations"] == cites and rows[0]["comment"] == "on second thought, no"
    assert rows[1]["question"] == "¿Qué?"
    table = list(csv.DictReader(io.StringIO(store.export("csv"))))
    assert table[0]["question"] == QUESTION and json.loads(table[0]["citations"]) == cites
    with pytest.raises(ValueError, match="'csv' or 'jsonl'"):
        store.export("xml")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("name", "viewport"),
    [("desktop", {"width": 1400, "height": 1000}), ("phone", {"width": 390, "height": 844})],
)
def test_browser_citations_input_feedback_and_no_outside_requests(
    base_url: str,
    real_services,
    answerer,
    name: str,
    viewport: dict[str, int],
    launch_chromium,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    first_quote = _words(answerer.answer(QUESTION).citations[0].quote)
    second = answerer.answer(FUNDER).citations[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    store = FeedbackStore(real_services.settings.data_dir / "feedback.sqlite")
    before = len(store.rows())
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport=viewport)
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base_url}/")
        expect(page).to_have_title("Ruta", timeout=30_000)
        assert "right" not in page.locator("#ruta-main").inner_text().split("Try")[0]
        box = page.locator("#ruta-question textarea")
        bots = page.locator("#ruta-chat .message-row.bot-row")
        thanks = page.locator("#ruta-thanks")

        # Bad input: nothing is added to the chat, the text stays, the reason is plain.
        page.locator("#ruta-ask").click()
        expect(page.locator("#ruta-status")).to_contain_text("Type a question first")
        long = "Where does R4V post its data? " * 100
        box.fill(long)
        box.press("Enter")
        expect(page.locator("#ruta-status")).to_contain_text(
            f"Questions can be up to 2,000 characters; this one has {len(long.strip()):,}."
        )
        expect(box).to_have_value(long)
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0)

        # Before any answer, feedback says what to do; an answer clears that line.
        page.locator("#ruta-up").click()
        expect(thanks).to_contain_text("Ask a question first")
        for i, question in enumerate((QUESTION, FUNDER)):
            box.fill(question)
            box.press("Enter")
            expect(bots.nth(i).locator("details.ruta-sources")).to_be_attached(timeout=60_000)
            expect(page.locator("#ruta-status")).to_have_text("")
            if i == 0:
                expect(thanks).to_have_text("")
                page.get_by_label("Comment (optional)").fill("Found it, thanks")
                page.locator("#ruta-up").click()
                expect(thanks).to_contain_text("rated this answer useful", timeout=30_000)
                page.locator("#ruta-down").click()  # a change of mind replaces the rating
                expect(thanks).to_contain_text("Changed: you rated this answer not useful")
        expect(thanks).to_have_text("")  # the second answer reset the feedback line
        rows = store.rows()
        assert len(rows) == before + 1, rows[before:]
        assert rows[-1]["rating"] == -1 and rows[-1]["question"] == QUESTION
        assert rows[-1]["comment"] == "Found it, thanks" and rows[-1]["citations"]

        # Bad input after answers leaves them, and their sources, alone.
        box.fill("x" * 3000)
        page.locator("#ruta-ask").click()
        expect(page.locator("#ruta-status")).to_contain_text("this one has 3,000")
        expect(bots).to_have_count(2)

        # [1] of the first answer shows the first answer's passage 1, quote highlighted.
        bots.nth(0).locator("a.ruta-cite", has_text="[1]").click()
        current = page.locator(".ruta-current")
        expect(current).to_have_count(1)
        expect(current).to_be_in_viewport()
        assert bots.nth(0).locator(".ruta-current").count() == 1
        assert _words(current.locator("mark").inner_text()) == first_quote
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-source.png"))

        # ...and [1] of the second answer its own, with the answer span in bold.
        bots.nth(1).locator("a.ruta-cite", has_text="[1]").click()
        expect(bots.nth(1).locator(".ruta-current")).to_have_count(1)
        expect(current).to_have_count(1)
        assert _words(current.locator("mark").inner_text()) == _words(second.quote)
        (a, b), *_ = second.spans
        expect(current.locator("mark strong").first).to_have_text(second.quote[a:b])
        expect(current).to_contain_text("Links in this passage")
        if name == "phone":  # answer, its sources, then feedback: one column, in that order
            chat = page.locator("#ruta-chat").bounding_box()
            up = page.locator("#ruta-up").bounding_box()
            assert chat and up and up["y"] > chat["y"] + chat["height"]
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-answer.png"), full_page=True)

        # Markup in a question is text, for the eye and for screen readers.
        box.fill(XSS)
        page.locator("#ruta-ask").click()
        user = page.locator("#ruta-chat .message-row.user-row").last
        expect(user).to_contain_text("<img src=x onerror=alert(1)>", timeout=60_000)
        expect(bots).to_have_count(3, timeout=60_000)
        expect(bots.nth(2).locator(".ruta-sources, .ruta-note").first).to_be_attached(
            timeout=60_000
        )
        assert page.locator("#ruta-chat img[src='x']").count() == 0
        label = user.locator('[aria-label^="user\'s message"]')
        expect(label).to_have_attribute("aria-label", re.compile(re.escape("<img src=x")))

        page.get_by_role("button", name="Clear conversation").click()
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0, timeout=10_000)
        browser.close()

    assert dialogs == []
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    outside = [u for u in outside if urlparse(u).hostname != "127.0.0.1"]
    assert outside == [], outside
    assert not any(urlparse(u).path.endswith("/x") for u in requests)  # the <img> never loaded
