"""The page behind the rate limit, in Chromium on a real server with a small limit: a question
is one request (one token), and a question over the limit is refused in the chat, in its
language, with the page left usable and the question kept."""

from __future__ import annotations

import re

import httpx
import pytest

QUESTION = "Where does R4V post its monitoring data?"
SPANISH = "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?"


def _open(page, url: str) -> None:
    """The page, once its load event (the library, the page's words) is done."""
    from playwright.sync_api import expect

    page.goto(f"{url}/")
    expect(page.locator("#ruta-chat .ruta-library li").first).to_be_visible(timeout=60_000)


def _ask(page, question: str) -> None:
    """Types a question, sends it and waits until its answer is shown."""
    from playwright.sync_api import expect

    answers = page.locator("#ruta-chat .ruta-answer")
    before = answers.count()
    box = page.locator("#ruta-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(answers).to_have_count(before + 1, timeout=60_000)


def _no_gradio_error(page) -> None:
    """No error of Gradio's own on the page: neither its toast nor its overlay on outputs."""
    from playwright.sync_api import expect

    expect(page.locator(".toast-body.error")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"^\s*Error\s*$"))).to_have_count(0)


@pytest.mark.browser
def test_a_page_question_is_one_request_through_the_rate_limit(serve_real, launch_chromium) -> None:
    """With 2 requests a minute: the load is one, the first question the other (its page
    words come in its own reply), so it is answered; the next is over the limit."""
    from playwright.sync_api import expect, sync_playwright

    with serve_real(rate_limit_per_minute=2) as url, sync_playwright() as pw:
        assert httpx.get(f"{url}/healthz", timeout=120).status_code == 200  # the index loaded
        browser = launch_chromium(pw)
        page = browser.new_page(locale="en-US")
        _open(page, url)
        spent: list[str] = []
        page.on("request", lambda r: spent.append(r.url) if r.method == "POST" else None)
        _ask(page, QUESTION)
        assert len(spent) == 1, spent  # the question and the page's words: one request
        status = page.locator("#ruta-status")
        expect(status).to_have_text("")
        _no_gradio_error(page)
        page.locator("#ruta-question textarea").fill(QUESTION)
        page.locator("#ruta-ask").click()
        expect(status).to_have_text(
            re.compile(r"^\s*You have asked a lot in a short time; ask again in \d+ s\.\s*$")
        )
        browser.close()


@pytest.mark.browser
def test_a_question_over_the_rate_limit_is_refused_in_the_chat(serve_real, launch_chromium) -> None:
    """Over the limit, a Spanish question on an English page: a notice in Spanish in the
    chat's status line (no error of Gradio's over the page), the question kept in its box,
    nothing added to the chat; the page still works (a new conversation, the feedback)."""
    from playwright.sync_api import expect, sync_playwright

    with serve_real(rate_limit_per_minute=1) as url, sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(locale="en-US")
        _open(page, url)  # the one request of the minute
        box = page.locator("#ruta-question textarea")
        box.fill(SPANISH)
        box.press("Enter")
        status = page.locator("#ruta-status")
        expect(status).to_have_text(
            re.compile(r"^\s*Ha preguntado mucho en poco tiempo; vuelva a preguntar en \d+ s\.\s*$")
        )
        seconds = int(re.search(r"\d+", status.inner_text()).group())
        assert 1 <= seconds <= 60
        _no_gradio_error(page)
        expect(box).to_have_value(SPANISH)
        expect(box).to_be_editable()
        expect(page.locator("#ruta-ask")).to_have_text("Preguntar")  # in the asker's language
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0)
        expect(page.locator("#ruta-chat .ruta-library")).to_contain_text("documentos")
        page.locator("#ruta-new").click()
        expect(status).to_have_text("")
        expect(box).to_have_value(SPANISH)
        browser.close()
