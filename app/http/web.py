"""The Gradio page "Ruta": a streaming chat whose answers carry their own sources, and feedback."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import gradio as gr
from fastapi import FastAPI
from fastapi.responses import FileResponse

from app.feedback import FeedbackStore
from app.rag.answer import Answerer, clean_question
from app.rag.serialize import answer_dict
from app.rag.types import Answer, Citation, Message
from app.settings import Settings
from index.errors import BadQuestion
from index.types import Hit
from ingest.errors import RutaError

# Each is answered (not refused) by the bundled corpus: tests/web/test_page.py checks it.
EXAMPLES = [
    "Where does R4V post its monitoring data?",
    "Which agencies co-chair the UN Regional Network on Migration for LAC?",
    "¿Cuánto dinero aporta USAID al Fondo de Donaciones del BID?",
    "Who funds Project Turquesa?",
]
INTRO = (
    "# Ruta\nAnswers from documents on migration in Latin America and the Caribbean. "
    "Every sentence cites its source: click a number such as [1] to read the passage it quotes."
)
SYSTEM_SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial"]
SYSTEM_MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono"]
CSS = """
#ruta-main { max-width: 980px; margin: 0 auto; width: 100%; }
.ruta-answer { line-height: 1.55; }
a.ruta-cite { font-weight: 700; text-decoration: none; padding: 0 1px; cursor: pointer; }
a.ruta-cite:hover, a.ruta-cite:focus { text-decoration: underline; }
details.ruta-sources { margin-top: 10px; }
details.ruta-sources > summary { cursor: pointer; font-size: 0.9em;
  color: var(--body-text-color-subdued); }
.ruta-sources ol { padding-left: 0; list-style: none; margin: 8px 0 0 0; }
.ruta-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin-bottom: 8px; scroll-margin: 12px; }
.ruta-source.ruta-current { border-color: #d97706; box-shadow: 0 0 0 2px #fcd34d; }
.ruta-head { font-size: 0.95em; margin-bottom: 4px; }
.ruta-n { font-weight: 700; margin-right: 4px; }
.ruta-meta, .ruta-links { color: var(--body-text-color-subdued); font-size: 0.85em; }
.ruta-links { margin-top: 4px; overflow-wrap: anywhere; }
.ruta-passage { font-size: 0.9em; line-height: 1.5; margin: 4px 0 0 0; }
.ruta-passage mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 2px; }
.ruta-passage mark strong { background: #fbbf24; }
.ruta-note { color: var(--body-text-color-subdued); font-size: 0.9em; }
#ruta-status, #ruta-status p { color: #b91c1c; min-height: 0; }
#ruta-thanks { min-height: 0; }
/* Gradio floats the chat's copy/clear buttons over its first lines; give them their own row. */
#ruta-chat .icon-button-wrapper.top-panel { position: static !important;
  justify-content: flex-end; margin: 4px 4px 0 auto; }
#ruta-feedback { flex-wrap: nowrap; }
#ruta-feedback-label { margin-bottom: -8px; }
"""
# Runs once in the browser. Clicking [n] opens that answer's own source list, marks passage n
# and scrolls it into view (the ids are unique per answer, so an earlier answer's [1] never
# shows a later answer's passage). Gradio labels each message with its raw content (entities,
# markup); screen readers get the text as shown instead.
JS = """
() => {
  document.addEventListener("click", (event) => {
    const cite = event.target.closest && event.target.closest("a.ruta-cite");
    if (!cite) return;
    event.preventDefault();
    event.stopPropagation();
    const source = document.getElementById(cite.getAttribute("href").slice(1));
    if (!source) return;
    const list = source.closest("details");
    if (list) list.open = true;
    document.querySelectorAll(".ruta-current").forEach((el) => el.classList.remove("ruta-current"));
    source.classList.add("ruta-current");
    source.scrollIntoView({ block: "start" });
  }, true);
  // Gradio's own autoscroll (off) pinned the chat to its bottom whenever a source list opened;
  // instead a new message is scrolled into view once, when it appears.
  let rows = 0;
  const follow = () => {
    const all = document.querySelectorAll("#ruta-chat .message-row");
    if (all.length > rows) all[all.length - 1].scrollIntoView({ block: "nearest" });
    rows = all.length;
  };
  const relabel = () => {
    document.querySelectorAll("#ruta-chat [aria-label*=\\"'s message: \\"]").forEach((el) => {
      const label = el.getAttribute("aria-label");
      const head = label.slice(0, label.indexOf("'s message: ") + 12);
      const want = head + el.innerText.replace(/\\s+/g, " ").trim();
      if (label !== want) el.setAttribute("aria-label", want);
    });
  };
  new MutationObserver(() => { follow(); relabel(); }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributeFilter: ["aria-label"],
  });
}
"""
Turns = list[dict[str, str]]
Chat = list[dict[str, Any]]
_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")


def esc(text: str) -> str:
    """HTML-escape, also the characters Gradio's HTML templates and LaTeX would read as syntax."""
    out = html.escape(text, quote=True)
    for ch, entity in (("$", "&#36;"), ("{", "&#123;"), ("}", "&#125;"), ("`", "&#96;")):
        out = out.replace(ch, entity)
    return out


def find_quote(passage: str, quote: str) -> tuple[int, int] | None:
    """Where the quoted sentence lies in the passage (tolerating changed whitespace)."""
    if not quote.strip():
        return None
    i = passage.find(quote)
    if i >= 0:
        return i, i + len(quote)
    m = re.search(r"\s+".join(re.escape(w) for w in quote.split()), passage)
    return m.span() if m else None


def _text(text: str) -> str:
    # One line of HTML: a blank line would end the HTML block in the chat's Markdown.
    return esc(text).replace("\r", "").replace("\n", "<br>")


def quote_html(quote: str, shown: str, spans: Sequence[tuple[int, int]]) -> str:
    """``shown`` (the quote as it stands in the passage) with the answer spans in bold."""
    out, at = [], 0
    for s, e in sorted(spans):
        found = find_quote(shown[at:], quote[s:e])
        if found is None:
            continue
        a, b = found[0] + at, found[1] + at
        out += [_text(shown[at:a]), f"<strong>{_text(shown[a:b])}</strong>"]
        at = b
    return "".join(out) + _text(shown[at:])


def passage_html(c: Citation, hits: Sequence[Hit]) -> str:
    """The passage, its quoted sentence marked and the answer span inside it in bold."""
    passage = next((h.chunk.text for h in hits if h.chunk.chunk_id == c.chunk_id), "")
    span = find_quote(passage, c.quote)
    if span is None:
        marked = f"<mark>{quote_html(c.quote, c.quote, c.spans)}</mark>" if c.quote else ""
        return marked + (f"<br><br>{_text(passage)}" if passage else "")
    a, b = span
    quote = quote_html(c.quote, passage[a:b], c.spans)
    return f"{_text(passage[:a])}<mark>{quote}</mark>{_text(passage[b:])}"


def _link(url: str, text: str) -> str:
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{text}</a>'


def _web(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def source_html(c: Citation, hits: Sequence[Hit], key: str, refused: bool) -> str:
    """Source ``[n]`` of one answer: the document (title, section, page, its own URL), the
    passage, and the links its footnotes cite."""
    meta = [esc(c.section)] if c.section else []
    if c.page:
        meta.append(f"p. {c.page}")
    if _web(c.url):
        meta.append(_link(c.url, "the document"))
    if refused:
        meta.append("closest passage")
    else:
        meta.append("quote verified" if c.verified else "quote not verified")
    links = [_link(u, esc(u)) for u in c.links if _web(u)]
    links_html = (
        f'<div class="ruta-links">Links in this passage: {", ".join(links)}</div>' if links else ""
    )
    return (
        f'<li class="ruta-source" id="{key}-{c.n}">'
        f'<div class="ruta-head"><span class="ruta-n">[{c.n}]</span>'
        f"<strong>{esc(c.title)}</strong></div>"
        f'<div class="ruta-meta">{" · ".join(meta)}</div>'
        f'<p class="ruta-passage">{passage_html(c, hits)}</p>{links_html}</li>'
    )


def sources_html(answer: Answer, key: str) -> str:
    """The numbered sources of one answer, folded under it; ``key`` makes their ids unique."""
    if not answer.citations:
        return '<p class="ruta-note">No sources: the documents did not match this question.</p>'
    n = len(answer.citations)
    if answer.refused:
        label = "Closest passage" if n == 1 else f"Closest passages [1]–[{n}]"
    else:
        label = "Source [1]" if n == 1 else f"Sources [1]–[{n}]"
    items = "".join(source_html(c, answer.hits, key, answer.refused) for c in answer.citations)
    return (
        f'<details class="ruta-sources" id="{key}"><summary>{label}</summary>'
        f"<ol>{items}</ol></details>"
    )


def linked_text(text: str, numbers: set[int], key: str) -> str:
    """Escaped answer text whose [n] markers link to this answer's source n."""

    def link(n: str) -> str:
        if int(n) not in numbers:
            return n
        return f'<a class="ruta-cite" href="#{key}-{n}" title="Show source {n}">{n}</a>'

    out, at = [], 0
    for m in _MARKER.finditer(text):
        nums = [x.strip() for x in m.group(1).split(",")]
        out.append(_text(text[at : m.start()]))
        if len(nums) == 1 and int(nums[0]) in numbers:
            n = nums[0]
            out.append(f'<a class="ruta-cite" href="#{key}-{n}" title="Show source {n}">[{n}]</a>')
        else:
            out.append("[" + ", ".join(link(n) for n in nums) + "]")
        at = m.end()
    return "".join(out) + _text(text[at:])


def answer_html(answer: Answer, key: str) -> str:
    """One chat message: the answer with clickable [n], its notice, then its own sources."""
    text = linked_text(answer.text.strip(), {c.n for c in answer.citations}, key)
    notice = f'<p class="ruta-note">{_text(answer.notice)}</p>' if answer.notice else ""
    return f'<div class="ruta-answer">{text}</div>{notice}{sources_html(answer, key)}'


def input_problem(question: str, max_chars: int) -> str | None:
    """What is wrong with a question before it is asked, in plain words (None: nothing)."""
    try:
        clean_question(question, max_chars)
    except BadQuestion:
        n = len(question.strip())
        if n == 0:
            return "Type a question first."
        if n > max_chars:
            return f"Questions can be up to {max_chars:,} characters; this one has {n:,}."
        return "This question has no readable text; type it again in words."
    return None


def _asker(answerer: Callable[[], Answerer]) -> Callable[..., Iterator[tuple[Any, ...]]]:
    """The chat handler: checks the question, streams the answer, then shows it with its sources.
    Outputs: question box, chat, turns, last answer, status line, comment, feedback line."""
    keep = gr.skip()

    def chat_turn(question: str, chat: Chat, turns: Turns) -> Iterator[tuple[Any, ...]]:
        chat = list(chat or [])
        try:
            problem = input_problem(question, answerer().config.max_question_chars)
        except RutaError as exc:  # no index yet: say what to run, keep the question
            problem = str(exc)
        if problem:  # keep what was typed, the chat and its sources; say what is wrong
            yield keep, keep, keep, keep, problem, keep, keep
            return
        key = f"ruta-a{len(chat) + 1}"  # unique per message of this chat
        chat += [
            {"role": "user", "content": _text(question)},
            {"role": "assistant", "content": "…"},
        ]
        yield "", chat, turns, None, "", "", ""
        text, final = "", None
        try:
            history = [Message(t["role"], t["content"]) for t in turns]  # type: ignore[arg-type]
            for piece in answerer().stream(question, history):
                if isinstance(piece, Answer):
                    final = piece
                else:
                    text += piece
                    chat[-1] = {"role": "assistant", "content": _text(text.strip()) or "…"}
                    yield keep, chat, keep, keep, keep, keep, keep
        except RutaError as exc:
            chat[-1] = {"role": "assistant", "content": f"⚠️ {_text(str(exc))}"}
            yield keep, chat, keep, keep, keep, keep, keep
            return
        assert final is not None
        chat[-1] = {"role": "assistant", "content": answer_html(final, key)}
        turns = [
            *turns,
            {"role": "user", "content": question},
            {"role": "assistant", "content": final.text},
        ]
        yield keep, chat, turns, answer_dict(final), keep, keep, keep

    return chat_turn


def _rater(
    feedback: FeedbackStore,
) -> Callable[[int, str, dict[str, Any] | None], tuple[Any, str, Any]]:
    """The feedback handler: rates the last answer; rating it again replaces the first rating."""

    def rate(rating: int, comment: str, last: dict[str, Any] | None) -> tuple[Any, str, Any]:
        if not last:
            return gr.skip(), "Ask a question first; feedback is about the last answer.", None
        said = "useful" if rating > 0 else "not useful"
        if last.get("feedback_id"):
            feedback.update(last["feedback_id"], rating, comment or "")
            return gr.skip(), f"Changed: you rated this answer {said}.", last
        row = feedback.add(
            rating,
            last["question"],
            last["answer"],
            last["citations"],
            last["backend"],
            comment or "",
        )
        return (
            gr.skip(),
            f"Thank you: you rated this answer {said}. Click the other button to change it.",
            {**last, "feedback_id": row},
        )

    return rate


def _clear() -> tuple[Any, ...]:
    return [], [], None, "", "", ""


def _api_ask(answerer: Callable[[], Answerer]) -> Callable[..., dict[str, Any]]:
    def ask(question: str, history: list[dict[str, str]] | None = None) -> dict[str, Any]:
        """Answer a question, with earlier turns as [{"role": "user"|"assistant", "content"}];
        returns the same JSON as POST /api/ask: answer, citations (quote, spans, url, links...),
        refused."""
        turns = []
        for i, t in enumerate(history or []):
            if not isinstance(t, dict) or t.get("role") not in ("user", "assistant"):
                raise gr.Error(f"history[{i}] must be {{'role': 'user'|'assistant', 'content'}}")
            turns.append(Message(t["role"], str(t.get("content", ""))))  # type: ignore[arg-type]
        try:
            return answer_dict(answerer().answer(question, turns))
        except RutaError as exc:
            raise gr.Error(str(exc)) from exc

    return ask


def build_ui(answerer: Callable[[], Answerer], feedback: FeedbackStore) -> gr.Blocks:
    """The page. ``answerer`` is called per question, so a re-ingested index is picked up."""
    # The page's handlers are private: the API is gr.api's "ask" (the name of a private handler
    # would take it, as "ask" did before, so they are named otherwise).
    chat_turn, rate = _asker(answerer), _rater(feedback)
    with gr.Blocks(title="Ruta", analytics_enabled=False) as page:
        with gr.Column(elem_id="ruta-main"):
            gr.Markdown(INTRO)
            turns = gr.State([])
            last = gr.State(None)
            # No label: a floating "Conversation" label covered the first line of a scrolled chat.
            chatbot = gr.Chatbot(
                show_label=False,
                height="62vh",
                autoscroll=False,
                feedback_options=None,
                buttons=["copy", "copy_all"],
                elem_id="ruta-chat",
            )
            with gr.Row():
                question = gr.Textbox(
                    label="Question",
                    placeholder="Ask about migration in Latin America and the Caribbean…",
                    show_label=False,
                    max_lines=6,
                    scale=5,
                    elem_id="ruta-question",
                )
                send = gr.Button("Ask", variant="primary", scale=1, elem_id="ruta-ask")
            status = gr.Markdown("", elem_id="ruta-status")
            gr.Markdown("**Was the last answer useful?**", elem_id="ruta-feedback-label")
            with gr.Row(elem_id="ruta-feedback"):
                up = gr.Button("Useful", elem_id="ruta-up", size="sm", min_width=80)
                down = gr.Button("Not useful", elem_id="ruta-down", size="sm", min_width=80)
            comment = gr.Textbox(label="Comment (optional)", lines=1, elem_id="ruta-comment")
            thanks = gr.Markdown("", elem_id="ruta-thanks")
            gr.Examples(EXAMPLES, inputs=question, label="Try")
            clear_btn = gr.Button("Clear conversation", variant="secondary")

        outputs = [question, chatbot, turns, last, status, comment, thanks]
        for event in (send.click, question.submit):
            event(chat_turn, [question, chatbot, turns], outputs, api_visibility="private")
        for button, rating in ((up, 1), (down, -1)):
            button.click(
                partial(rate, rating), [comment, last], [comment, thanks, last],
                api_visibility="private",
            )  # fmt: skip
        cleared = [chatbot, turns, last, status, comment, thanks]
        clear_btn.click(_clear, None, cleared, api_visibility="private")
        chatbot.clear(_clear, None, cleared, api_visibility="private")  # its own trash icon
        gr.api(_api_ask(answerer), api_name="ask")
    return page


def gradio_loader() -> Path:
    """Gradio's web component loader (`gradio.js`) from the installed package: it imports the
    hashed bundle under ./assets/, which the mounted page serves already."""
    return Path(gr.__file__).parent / "templates" / "frontend" / "gradio.js"


def mount_ui(
    app: FastAPI, answerer: Callable[[], Answerer], feedback: FeedbackStore, settings: Settings
) -> None:
    """Mount the page at "/" of the API app, with system fonts and no outside requests."""

    # <gradio-app> needs gradio.js, which Gradio's docs load from a CDN. Served here, at a stable
    # address, an intranet page embeds Ruta as a web component with no outside request.
    @app.get("/gradio.js", include_in_schema=False)
    async def web_component() -> FileResponse:
        return FileResponse(gradio_loader(), media_type="text/javascript")

    theme = gr.themes.Default(font=SYSTEM_SANS + ["sans-serif"], font_mono=SYSTEM_MONO)
    gr.mount_gradio_app(
        app,
        build_ui(answerer, feedback),
        path="/",
        root_path=settings.root_path or None,
        footer_links=["api"],
        run_history=False,
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        theme=theme,
        css=CSS,
        js=JS,
    )
