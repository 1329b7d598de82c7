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
from app.http import conversations as conv
from app.http.asking import doc_filters, follow_ups, input_problem
from app.http.library import documents, library_html
from app.http.render import answer_html, esc
from app.http.web import EXAMPLES
from app.rag.serialize import answer_dict

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
    assert params == ["question", "history", "filters", "suggest"]

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
    # [n] is named for screen readers by its document and section (the page's JS makes the
    # title its aria-label: the chat's sanitizer drops aria-label).
    assert (
        f'title="{esc(f"Source 1: {answer.citations[0].title}, {answer.citations[0].section}")}"'
        in (html)
    )
    assert "ruta-md" not in html  # no Markdown given, none carried
    carried = answer_html(answer, "ruta-a4", "A [1]\n\nSources: <x>")
    assert '<span class="ruta-md" title="A [1]&#10;&#10;Sources: &lt;x&gt;"></span>' in carried
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
    assert "Closest passage" in html and "closest passage" in html
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


def test_conversations_export_as_markdown_and_json(answerer) -> None:
    saved = conv.empty()
    record = conv.new_record()
    for i, question in enumerate((FUNDER, UNANSWERED)):
        shown = answer_dict(answerer.answer(question))
        record["answers"][str(2 * i + 1)] = shown
        record["turns"] += [{"role": "user", "content": question}]
    saved = conv.stored(saved, record)
    record = conv.current(saved)
    assert record and record["title"] == FUNDER and saved["current"] == record["id"]

    funded = record["answers"]["1"]
    md = conv.answer_markdown(funded)
    cite = funded["citations"][0]
    assert md.startswith(funded["answer"].strip()) and "[1]" in md and "<" not in md.split("\n")[0]
    assert f"- [1] {cite['title']}, {cite['section']}" in md and "\nSources:\n" in md
    assert f"  > {_words(cite['quote'])}" in md
    iecah = conv.answer_markdown(answer_dict(answerer.answer("What is REDLAC?")))
    assert "<https://iecah.org/" in iecah  # the document's URL
    whole = conv.conversation_markdown(record)
    assert whole.startswith(f"# {FUNDER}\n") and f"## {UNANSWERED}" in whole
    assert "Closest passages:" in whole and md in whole
    body = json.loads(conv.conversation_json(record))
    assert body["id"] == record["id"] and [t["question"] for t in body["turns"]] == [
        FUNDER,
        UNANSWERED,
    ]
    assert body["turns"][0]["citations"] == json.loads(json.dumps(funded["citations"]))


def test_follow_ups_are_the_answers_suggestions(answerer) -> None:
    from types import SimpleNamespace

    # An Answer without suggestions (or with none) offers nothing under it.
    assert follow_ups(answerer.answer(QUESTION)) == []
    assert follow_ups(SimpleNamespace(suggestions=())) == []
    asked = SimpleNamespace(suggestions=("Who funds Project Turquesa?", " ", "What is REDLAC?"))
    assert follow_ups(asked) == [
        {"label": "Who funds Project Turquesa?", "value": "Who funds Project Turquesa?"},
        {"label": "What is REDLAC?", "value": "What is REDLAC?"},
    ]


def test_saved_conversations_reopen_delete_and_stay_bounded() -> None:
    assert conv.valid("junk") == conv.empty() and conv.valid({"items": [1, {}]})["items"] == []
    saved = conv.empty()
    ids = []
    for i in range(conv.KEEP + 2):
        record = {**conv.new_record(), "turns": [{"role": "user", "content": f"Q{i} " + "x" * 70}]}
        saved = conv.stored(saved, record)
        ids.append(record["id"])
    assert len(saved["items"]) == conv.KEEP and saved["current"] == ids[-1]
    assert [i for _, i in conv.choices(saved)] == ids[::-1][: conv.KEEP]  # newest first
    assert conv.choices(saved)[0][0].startswith(f"Q{conv.KEEP + 1} xxx") and "…" in (
        conv.current(saved) or {}
    ).get("title", "")
    saved = conv.removed(saved, ids[-1])
    assert saved["current"] is None and ids[-1] not in [i for _, i in conv.choices(saved)]
    kept = conv.removed({**saved, "current": ids[-2]}, ids[-3])
    assert kept["current"] == ids[-2] and len(kept["items"]) == conv.KEEP - 2


def test_library_and_document_filter(real_services) -> None:
    corpus = Path(__file__).resolve().parents[2] / "corpus"

    docs = documents(real_services.retriever().chunks, corpus)
    assert [d["doc_id"] for d in docs] == ["k4dd-donor-activity", "iecah-coordination-study"]
    k4dd, iecah = docs
    assert k4dd["date"] == "2023" and k4dd["kind"] == "review" and k4dd["publisher"]
    assert iecah["date"] == "2024-07-16" and iecah["url"].startswith("https://iecah.org/")
    html = library_html(docs)
    assert "Ruta answers from 2 documents" in html and esc(k4dd["title"]) in html
    assert f'<a href="{esc(iecah["url"])}"' in html and "2024-07-16 · study" in html
    assert "ruta ingest" in library_html([])

    known = [d["doc_id"] for d in docs]
    assert doc_filters([], known) is None and doc_filters(known, known) is None
    assert doc_filters(["iecah-coordination-study"], known) == {
        "doc_id": "iecah-coordination-study"
    }
    assert doc_filters(["a", "b"], ["a", "b", "c"]) == {"doc_id": ["a", "b"]}


def test_feedback_store_add_update_and_export(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "fb" / "feedback.sqlite")
    assert store.export("csv").splitlines() == [
        "id,ts,rating,comment,question,answer,citations,backend,conversation_id"
    ]
    cites = [{"n": 1, "quote": "R4V posts its data on R4V.info, «en línea»."}]
    row = store.add(
        1, QUESTION, "On R4V.info [1]", cites, "extractive", "clear", conversation_id="c1"
    )
    store.update(row, -1, "on second thought, no")
    store.add(-1, "¿Qué?", "Los documentos no lo dicen.", [], "extractive")
    with pytest.raises(ValueError, match="rating must be 1 or -1"):
        store.add(0, "q", "a")
    with pytest.raises(ValueError, match="no feedback with id 99"):
        store.update(99, 1)
    with pytest.raises(ValueError, match="up to 2,000 characters; this one has 2,001"):
        store.add(1, "q", "a", comment="x" * 2001)
    with pytest.raises(ValueError, match="this one has 2,001"):
        store.update(row, 1, "x" * 2001)
    rows = [json.loads(line) for line in store.export("jsonl").splitlines()]
    assert [r["rating"] for r in rows] == [-1, -1]
    assert [r["conversation_id"] for r in rows] == ["c1", ""]
    assert rows[0]["citations"] == cites and rows[0]["comment"] == "on second thought, no"
    assert rows[1]["question"] == "¿Qué?"
    table = list(csv.DictReader(io.StringIO(store.export("csv"))))
    assert table[0]["question"] == QUESTION and json.loads(table[0]["citations"]) == cites
    with pytest.raises(ValueError, match="'csv' or 'jsonl'"):
        store.export("xml")


def test_feedback_store_adds_conversation_ids_to_an_older_database(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "feedback.sqlite"
    with sqlite3.connect(path) as old:  # the schema before conversation ids
        old.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, ts TEXT NOT NULL, "
            "rating INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL,"
            " answer TEXT NOT NULL, citations TEXT NOT NULL DEFAULT '[]', "
            "backend TEXT NOT NULL DEFAULT '')"
        )
        old.execute("INSERT INTO feedback (ts, rating, question, answer) VALUES ('t', 1, 'q', 'a')")
    old.close()
    store = FeedbackStore(path)
    store.add(-1, "q2", "a2", conversation_id="c9")
    assert [(r["question"], r["conversation_id"]) for r in store.rows()] == [
        ("q", ""),
        ("q2", "c9"),
    ]


VIEWPORTS = pytest.mark.parametrize(
    ("name", "viewport"),
    [("desktop", {"width": 1400, "height": 1000}), ("phone", {"width": 390, "height": 844})],
)


def _serious(page) -> list[tuple[str, str, list]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    # Gradio dims a component for a moment while an event updates it (the page's words are
    # rewritten in the question's language after each answer): a violation counts only when
    # it is still there a moment later, once the page has settled.
    for _ in range(3):
        found = Axe().run(page).response["violations"]
        serious = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in found
            if v["impact"] in ("serious", "critical")
        ]
        if not serious:
            break
        page.wait_for_timeout(1000)
    return serious


def _ask(page, question: str) -> None:
    """Types a question, sends it and waits until its answer (with its sources) is shown."""
    answers = page.locator("#ruta-chat .ruta-answer")
    before = answers.count()
    box = page.locator("#ruta-question textarea")
    box.fill(question)
    box.press("Enter")
    from playwright.sync_api import expect

    expect(answers).to_have_count(before + 1, timeout=60_000)


def _in_view(page, locator) -> bool:
    """The top of ``locator`` lies inside the window and inside the chat's visible part."""
    box, chat = locator.bounding_box(), page.locator("#ruta-chat").bounding_box()
    height = page.viewport_size["height"]
    return bool(
        box
        and chat
        and 0 <= box["y"] < height
        and chat["y"] <= box["y"] < chat["y"] + chat["height"]
    )


@pytest.mark.browser
@VIEWPORTS
def test_browser_citations_input_and_no_outside_requests(
    base_url: str, answerer, name: str, viewport: dict[str, int], launch_chromium
) -> None:
    from playwright.sync_api import expect, sync_playwright

    first_quote = _words(answerer.answer(QUESTION).citations[0].quote)
    second = answerer.answer(FUNDER).citations[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport=viewport)
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base_url}/")
        expect(page).to_have_title("Ruta", timeout=30_000)
        box = page.locator("#ruta-question textarea")
        bots = page.locator("#ruta-chat .message-row.bot-row")
        status = page.locator("#ruta-status")

        # Bad input: nothing is added to the chat, the text stays, the reason is plain and
        # announced (a live region).
        page.locator("#ruta-ask").click()
        expect(status).to_contain_text("Type a question first")
        expect(status).to_have_attribute("aria-live", "polite")
        long = "Where does R4V post its data? " * 100
        box.fill(long)
        box.press("Enter")
        expect(status).to_contain_text(
            f"Questions can be up to 2,000 characters; this one has {len(long.strip()):,}."
        )
        expect(box).to_have_value(long)
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0)
        # No rating buttons before there is an answer to rate.
        expect(page.get_by_role("button", name="Like", exact=True)).to_have_count(0)

        for question in (QUESTION, FUNDER):
            _ask(page, question)
            expect(status).to_have_text("")
        expect(page.get_by_role("button", name="Like", exact=True)).to_have_count(2)

        # Bad input after answers leaves them, and their sources, alone.
        box.fill("x" * 3000)
        page.locator("#ruta-ask").click()
        expect(status).to_contain_text("this one has 3,000")
        expect(bots).to_have_count(2)

        # [1] of the first answer shows the first answer's passage 1, quote highlighted; its
        # accessible name says which document and section.
        cite = bots.nth(0).locator("a.ruta-cite", has_text="[1]")
        expect(cite).to_have_attribute("aria-label", re.compile(r"^Source 1: Rapid mapping"))
        cite.click()
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
        assert _serious(page) == []  # with sources open
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

        # Dark mode, the same conversation (back from the browser's storage), sources open.
        page.goto(f"{base_url}/?__theme=dark")
        expect(page.locator("#ruta-chat .ruta-answer")).to_have_count(3, timeout=30_000)
        bots.nth(1).locator("a.ruta-cite", has_text="[1]").click()
        expect(bots.nth(1).locator(".ruta-current")).to_have_count(1)
        assert page.evaluate("document.body.classList.contains('dark')")
        assert _serious(page) == []
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-dark.png"))

        page.locator("#ruta-new").click()
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0, timeout=10_000)
        expect(page.locator("#ruta-chat .ruta-library")).to_be_visible()
        browser.close()

    assert dialogs == []
    outside = [u for u in requests if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    outside = [u for u in outside if urlparse(u).hostname != "127.0.0.1"]
    assert outside == [], outside
    assert not any(urlparse(u).path.endswith("/x") for u in requests)  # the <img> never loaded


@pytest.mark.browser
@VIEWPORTS
def test_browser_workbench_start_conversations_feedback_filter(
    base_url: str,
    real_services,
    answerer,
    name: str,
    viewport: dict[str, int],
    launch_chromium,
) -> None:
    from playwright.sync_api import expect, sync_playwright

    store = FeedbackStore(real_services.settings.data_dir / "feedback.sqlite")
    before = len(store.rows())
    height = viewport["height"]
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(
            viewport=viewport, permissions=["clipboard-read", "clipboard-write"]
        )
        page = context.new_page()
        page.goto(f"{base_url}/")
        chat = page.locator("#ruta-chat")
        library = chat.locator(".ruta-library")
        examples = chat.locator("button.example")

        # The start page: the documents and the examples, inside the chat, in the first screen.
        expect(library.locator("li")).to_have_count(2, timeout=30_000)
        expect(library).to_contain_text("IECAH, for DG-ECHO")
        expect(library).to_contain_text("2024-07-16 · study")
        expect(library.locator('a[href^="https://iecah.org/"]')).to_have_count(1)
        expect(examples).to_have_count(len(EXAMPLES))
        for el in (library, *(examples.nth(i) for i in range(len(EXAMPLES)))):
            box = el.bounding_box()
            assert box and box["y"] + box["height"] <= height, (name, box)
        assert _serious(page) == []  # the start page
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-start.png"))

        # Each example is asked when clicked, and answered (not refused).
        for i, question in enumerate(EXAMPLES):
            if i:
                page.locator("#ruta-new").click()
                expect(examples).to_have_count(len(EXAMPLES))
            if i == 0:  # from the keyboard
                examples.nth(i).focus()
                page.keyboard.press("Enter")
            else:
                examples.nth(i).click()
            user = chat.locator(".message-row.user-row")
            expect(user).to_have_count(1, timeout=60_000)
            expect(user).to_contain_text(question)
            answer = chat.locator(".ruta-answer")
            expect(answer).to_have_count(1, timeout=60_000)
            # in the question's language: an example in Spanish gets "Fuente [1]"
            expect(chat.locator("details.ruta-sources summary")).to_have_text(
                re.compile(r"^(?:Sources?|Fuentes?|Fontes?) \[1\]")
            )
        assert _serious(page) == []  # after an answer

        # The newest answer is in view after every question, four in one conversation.
        for question in (QUESTION, CO_CHAIRS, "What is REDLAC?"):
            _ask(page, question)
            assert _in_view(page, chat.locator(".message-row.bot-row").last), question
        answers = chat.locator(".ruta-answer")
        expect(answers).to_have_count(4)
        page.screenshot(path=str(ARTIFACTS / f"page-{name}-four.png"))

        # One rating per answer, stored with the conversation id; a second click replaces it.
        # "Liked" once clicked; an answer drawn while the page spoke Spanish (after the Spanish
        # example) has Gradio's Spanish thumbs.
        likes = chat.get_by_role("button", name=re.compile("^(Liked?|Me gusta)$"))
        dislikes = chat.get_by_role("button", name=re.compile("^(Disliked?|No me gusta)$"))
        expect(likes).to_have_count(4)
        thanks = page.locator("#ruta-thanks")
        expect(thanks).to_have_attribute("aria-live", "polite")
        for i in range(4):
            (likes if i % 2 == 0 else dislikes).nth(i).click()
            said = "useful" if i % 2 == 0 else "not useful"
            expect(thanks).to_have_text(f"Thank you: you rated answer {i + 1} {said}. "
                                        "You may add a comment below.")  # fmt: skip
        dislikes.nth(0).click()
        expect(thanks).to_contain_text("rated answer 1 not useful")
        comment = page.locator("#ruta-comment textarea")
        comment.fill("x" * 2001)
        page.locator("#ruta-send-comment").click()
        expect(thanks).to_have_text("Comments can be up to 2,000 characters; this one has 2,001.")
        expect(comment).to_have_value("x" * 2001)
        comment.fill("Too long an answer")
        page.locator("#ruta-send-comment").click()
        expect(thanks).to_have_text("Thank you: your comment on answer 1 is stored.")
        rows = store.rows()[before:]
        assert [r["question"] for r in rows] == [FUNDER, QUESTION, CO_CHAIRS, "What is REDLAC?"]
        assert [r["rating"] for r in rows] == [-1, -1, 1, -1]
        assert rows[0]["comment"] == "Too long an answer" and all(r["citations"] for r in rows)
        conversation = rows[0]["conversation_id"]
        assert conversation and {r["conversation_id"] for r in rows} == {conversation}

        # Copying one answer gives its Markdown, never HTML.
        chat.get_by_role("button", name="Copy message").nth(3).click()  # answer 2's button
        copied = page.evaluate("navigator.clipboard.readText()")
        assert _words(copied).startswith(_words(answers.nth(1).inner_text())[:60]), copied
        assert copied.split("\n")[0].endswith("]") and "[1]" in copied, copied
        assert "\nSources:\n" in copied and "<div" not in copied and "&lt;" not in copied

        # Export: Markdown (questions, answers, sources) and JSON (this conversation's id).
        with page.expect_download() as md:
            page.locator("#ruta-export-md").click()
        text = Path(md.value.path()).read_text(encoding="utf-8")
        assert md.value.suggested_filename == "ruta-conversation.md"
        assert text.startswith(f"# {FUNDER}") and f"## {CO_CHAIRS}" in text and "[1]" in text
        assert text.count("\nSources:\n") == 4 and "<https://iecah.org/" in text
        with page.expect_download() as js:
            page.locator("#ruta-export-json").click()
        body = json.loads(Path(js.value.path()).read_text(encoding="utf-8"))
        assert body["id"] == conversation and len(body["turns"]) == 4

        # The conversation is back after a reload, with the past ones listed; one reopens,
        # one is deleted.
        page.reload()
        expect(answers).to_have_count(4, timeout=30_000)
        past = page.locator("#ruta-past")
        past.locator("input").click()
        options = page.get_by_role("option")
        expect(options).to_have_count(len(EXAMPLES))
        options.filter(has_text=EXAMPLES[0]).click()
        expect(answers).to_have_count(1)
        expect(chat.locator(".message-row.user-row")).to_contain_text(EXAMPLES[0])
        page.locator("#ruta-delete").click()
        expect(thanks).to_have_text("Conversation deleted.")
        expect(answers).to_have_count(0)
        past.locator("input").click()
        expect(options).to_have_count(len(EXAMPLES) - 1)
        page.keyboard.press("Escape")

        # The document filter limits the citations to the chosen document.
        page.locator("#ruta-new").click()
        page.locator("#ruta-docs input").click()
        page.get_by_role("option", name=re.compile("^Review of regional coordination")).click()
        page.keyboard.press("Escape")
        _ask(page, QUESTION)  # answered from the K4DD review when unfiltered
        titles = chat.locator(".ruta-source .ruta-head strong").all_text_contents()
        assert titles and all(t.startswith("Review of regional coordination") for t in titles)
        context.close()
        browser.close()


@pytest.mark.browser
def test_browser_page_words_follow_the_questions_language(base_url: str, launch_chromium) -> None:
    """The page's own words (buttons, placeholder, notices, the feedback line, <html lang>)
    and Gradio's (its footer, the thumbs) are the browser's language before any question, then
    the last question's; a question refused by the server is refused in its own language."""
    from playwright.sync_api import expect, sync_playwright

    spanish = next(q for q in EXAMPLES if q.startswith("¿"))
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        # Before any question: the browser's Accept-Language (French here).
        context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{base_url}/")
        expect(page.locator("#ruta-ask")).to_have_text("Demander", timeout=30_000)
        expect(page.locator("#ruta-chat .ruta-library")).to_contain_text(
            "Ruta répond à partir de 2 documents"
        )
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        context.close()

        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{base_url}/")
        ask, status = page.locator("#ruta-ask"), page.locator("#ruta-status")
        expect(ask).to_have_text("Ask", timeout=30_000)
        expect(page.locator("footer")).to_contain_text("Use via API")
        # An over-long Spanish question on an English page: refused by the server in Spanish,
        # and kept in the box.
        box = page.locator("#ruta-question textarea")
        long = "¿Dónde publica R4V sus datos de seguimiento? " * 50
        box.fill(long)
        box.press("Enter")
        expect(status).to_have_text(
            f"Las preguntas pueden tener hasta 2.000 caracteres; esta tiene "
            f"{len(long.strip()):,}.".replace(",", ".")
        )
        expect(box).to_have_value(long)
        expect(ask).to_have_text("Preguntar")
        expect(page.locator("#ruta-chat .message-row")).to_have_count(0)
        _ask(page, spanish)
        expect(ask).to_have_text("Preguntar")
        expect(page.locator("#ruta-new")).to_have_text("Nueva conversación")
        expect(page.locator("#ruta-delete")).to_have_text("Borrar")
        expect(page.locator("#ruta-question textarea")).to_have_attribute(
            "placeholder", "Pregunte sobre la migración en América Latina y el Caribe…"
        )
        expect(page.locator("#ruta-intro")).to_contain_text("Cada frase cita su fuente")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        # A notice: an empty question is refused in Spanish.
        ask.click()
        expect(status).to_have_text("Escriba primero una pregunta.")
        # Gradio's own words: its footer, and the thumbs of the Spanish answer.
        expect(page.locator("footer")).to_contain_text("Usar vía API")
        # The feedback line.
        page.locator("#ruta-chat").get_by_role("button", name="Me gusta", exact=True).click()
        expect(page.locator("#ruta-thanks")).to_have_text(
            "Gracias: valoró la respuesta 1 como útil. Puede añadir un comentario debajo."
        )
        expect(page.locator("#ruta-send-comment")).to_have_text("Enviar comentario")
        assert _serious(page) == []  # the Spanish page
        # A reload keeps the language of the conversation's last question.
        page.reload()
        expect(page.locator("#ruta-chat .ruta-answer")).to_have_count(1, timeout=30_000)
        expect(ask).to_have_text("Preguntar", timeout=30_000)
        # An English question: English again.
        _ask(page, QUESTION)
        expect(ask).to_have_text("Ask")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("footer")).to_contain_text("Use via API")
        context.close()
        browser.close()


@pytest.mark.browser
def test_browser_thumbs_are_in_their_answers_language(base_url: str, launch_chromium) -> None:
    """Gradio's thumbs under an answer are in that answer's language, from the first question
    in a language on (they were one question behind: a message keeps Gradio's words of the
    moment it is drawn, and the page took the question's language only after its answer)."""
    from playwright.sync_api import expect, sync_playwright

    spanish = next(q for q in EXAMPLES if q.startswith("¿"))
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{base_url}/")
        expect(page.locator("#ruta-chat .ruta-library li").first).to_be_visible(timeout=30_000)
        chat = page.locator("#ruta-chat")

        def thumbs(name: str):
            return chat.get_by_role("button", name=name, exact=True)

        _ask(page, spanish)  # an English page: its first Spanish answer
        expect(thumbs("Me gusta")).to_have_count(1)
        expect(thumbs("No me gusta")).to_have_count(1)
        expect(thumbs("Like")).to_have_count(0)
        _ask(page, QUESTION)  # then an English one: its own thumbs in English
        expect(thumbs("Like")).to_have_count(1)
        expect(thumbs("Dislike")).to_have_count(1)
        expect(thumbs("Me gusta")).to_have_count(1)  # the Spanish answer's stay Spanish
        context.close()
        browser.close()
