"""What the page brings to the browser: system font stacks, its CSS and its one piece of JS."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr

from app.http.scope import LANG_COOKIE
from app.http.words import examples_labels

SYSTEM_SANS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial"]
SYSTEM_MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono"]
# Colours are picked for WCAG 2.1 AA (4.5:1 on the page's background) in light and dark mode:
# Gradio's subdued grey and its orange "primary" button measured 1.83:1 and 2.80:1.
CSS = """
#ruta-main { max-width: 980px; margin: 0 auto; width: 100%; }
#ruta-main, .gradio-container { --ruta-quiet: #4b5563; --ruta-error: #b91c1c; }
.dark #ruta-main, .dark .gradio-container { --ruta-quiet: #d1d5db; --ruta-error: #fca5a5; }
#ruta-intro h1 { margin: 0 0 4px 0; }
#ruta-intro p { margin: 0; }
.ruta-answer { line-height: 1.55; }
.ruta-md { display: none; }
a.ruta-cite { font-weight: 700; text-decoration: none; padding: 0 1px; cursor: pointer; }
a.ruta-cite:hover, a.ruta-cite:focus { text-decoration: underline; }
details.ruta-sources { margin-top: 10px; }
details.ruta-sources > summary { cursor: pointer; font-size: 0.9em; color: var(--ruta-quiet); }
.ruta-sources ol { padding-left: 0; list-style: none; margin: 8px 0 0 0; }
.ruta-source { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin-bottom: 8px; scroll-margin: 12px; }
.ruta-source.ruta-current { border-color: #d97706; box-shadow: 0 0 0 2px #fcd34d; }
.ruta-head { font-size: 0.95em; margin-bottom: 4px; }
.ruta-n { font-weight: 700; margin-right: 4px; }
.ruta-meta, .ruta-links { color: var(--ruta-quiet); font-size: 0.85em; }
.ruta-links { margin-top: 4px; overflow-wrap: anywhere; }
.ruta-passage { font-size: 0.9em; line-height: 1.5; margin: 4px 0 0 0; }
.ruta-passage mark { background: #fde68a; color: #111; padding: 0 2px; border-radius: 2px; }
.ruta-passage mark strong { background: #fbbf24; color: #111; }
.ruta-note { color: var(--ruta-quiet); font-size: 0.9em; }
.ruta-library { text-align: left; font-size: 0.9em; line-height: 1.4; max-width: 760px; }
.ruta-library ul { margin: 4px 0 8px 0; padding-left: 18px; }
.ruta-library li { margin-bottom: 4px; }
.ruta-library-head { margin: 0; }
#ruta-status, #ruta-status p { color: var(--ruta-error); min-height: 0; }
#ruta-thanks { min-height: 0; }
#ruta-ask, #ruta-ask:hover { background: #c2410c; border-color: #c2410c; color: #fff; }
.dark #ruta-ask, .dark #ruta-ask:hover { background: #fdba74; border-color: #fdba74;
  color: #111; }
/* Gradio dims the chat's text (opacity 0.8) and the dropdowns' (1.9:1). */
#ruta-chat .md.chatbot.prose { opacity: 1 !important; }
#ruta-docs input, #ruta-past input { color: var(--body-text-color) !important; }
footer, footer a, footer button, footer span { color: var(--ruta-quiet) !important; }
/* Gradio floats the chat's copy/clear buttons over its first lines; give them their own row. */
#ruta-chat .icon-button-wrapper.top-panel { position: static !important;
  justify-content: flex-end; margin: 4px 4px 0 auto; }
/* A phone shows the library and every example in the first screen. */
@media (max-width: 640px) {
  #ruta-intro h1 { font-size: 1.5em; }
  #ruta-intro p { font-size: 0.85em; line-height: 1.35; }
  .ruta-library { font-size: 0.8em; }
  #ruta-chat .placeholder-content { padding-top: 0 !important; }
  #ruta-chat .examples { gap: 6px !important; grid-template-columns: 1fr 1fr !important;
    margin-top: 4px !important; }
  #ruta-chat button.example { padding: 6px 8px !important; font-size: 0.8em; min-height: 0; }
}
/* Its "scroll down" arrow sat on the newest question: in the corner instead. */
#ruta-chat .scroll-down-button-container { left: auto !important; right: 12px !important;
  transform: none !important; }
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
  // "Copy" on an answer puts its Markdown (text, [n], sources) on the clipboard, not its HTML.
  const copyText = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");  // plain http behind a proxy
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#ruta-chat button");
    if (!button || !/copy/i.test(button.getAttribute("aria-label") || button.title || "")) return;
    // The buttons follow their message: the nearest answer before them is theirs.
    let markdown = null;
    for (let el = button.closest(".message-wrap > *"); el && !markdown; el = el.previousElementSibling)
      markdown = el.querySelector(".ruta-answer .ruta-md[title]");
    if (!markdown) return;
    event.preventDefault();
    event.stopPropagation();
    copyText(markdown.getAttribute("title"));
  }, true);
  // Gradio's own autoscroll (off) pinned the chat to its bottom whenever a source list opened;
  // instead the newest question goes to the top of the chat, its answer under it, when it is
  // asked and again when the answer is complete.
  let rows = 0;
  let done = 0;
  const scroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight) return p;
    }
    return null;
  };
  const follow = () => {
    const users = document.querySelectorAll("#ruta-chat .message-row.user-row");
    const answers = document.querySelectorAll("#ruta-chat .message-row .ruta-answer");
    if (users.length === rows && answers.length === done) return;
    const grew = users.length > rows || answers.length > done;
    rows = users.length;
    done = answers.length;
    if (!grew || !users.length) return;
    const last = users[users.length - 1];
    const box = scroller(last);
    if (box) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
    last.scrollIntoView({ block: "nearest" });
  };
  // Errors and the feedback line are announced to screen readers; the examples are a group of
  // buttons (a "list" of buttons has no list items).
  const announce = () => {
    const examples = document.querySelector("#ruta-chat .examples[role=list]");
    if (examples) {
      examples.setAttribute("role", "group");
      examples.setAttribute("aria-label", window.rutaExamplesName || "Example questions");
    }
    for (const id of ["ruta-status", "ruta-thanks"]) {
      const el = document.getElementById(id);
      if (el && el.getAttribute("aria-live") !== "polite") {
        el.setAttribute("role", "status");
        el.setAttribute("aria-live", "polite");
      }
    }
  };
  const relabel = () => {
    document.querySelectorAll("#ruta-chat a.ruta-cite[title]").forEach((a) => {
      if (a.getAttribute("aria-label") !== a.title) a.setAttribute("aria-label", a.title);
    });
    document.querySelectorAll("#ruta-chat [aria-label*=\\"'s message: \\"]").forEach((el) => {
      const label = el.getAttribute("aria-label");
      const head = label.slice(0, label.indexOf("'s message: ") + 12);
      const want = head + el.innerText.replace(/\\s+/g, " ").trim();
      if (label !== want) el.setAttribute("aria-label", want);
    });
  };
  new MutationObserver(() => { follow(); relabel(); announce(); }).observe(document.body, {
    subtree: true, childList: true, characterData: true, attributeFilter: ["aria-label"],
  });
}
"""
# Saves an exported conversation (the text a handler put in a hidden box) as a file.
DOWNLOAD_JS = """
(text) => {
  if (!text) return;
  const type = "FORMAT" === "md" ? "text/markdown" : "application/json";
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
  link.download = "ruta-conversation.FORMAT";
  document.body.appendChild(link);
  link.click();
  link.remove();
}
"""


def gradio_core() -> str:
    """The file name of the bundle of Gradio's front end that exports ``changeLocale`` (its
    hash changes with Gradio's version); "" when this Gradio has none."""
    assets = Path(gr.__file__).parent / "templates" / "frontend" / "assets"
    for path in sorted(assets.glob("core-*.js")):
        if "as changeLocale" in path.read_text(encoding="utf-8", errors="replace"):
            return path.name
    return ""


# Runs after each change of the page's language (the hidden #ruta-lang box): the document's
# lang, for screen readers and the browser; the examples' group name, which the page's JS
# gives the examples each time the chat shows them again; a cookie, so that a request the
# server refuses before any handler sees it (the rate limit) is said in it too; and Gradio's
# own words (its copy and clear buttons, the thumbs, the footer, the "Error" of a failed
# request), through its front end's changeLocale, from the very module the page loaded (the
# same URL, hence the same instance), wherever the page is served from.
# A message keeps Gradio's words of the moment it is drawn (its thumbs), and a question's
# answer is drawn right after the page takes the question's language: so the change must be
# at once. The module is imported once and kept (an import resolves only after the tasks
# queued before it, the answer's first messages among them), and the first time Gradio's own
# translations of every language the page speaks are loaded (Gradio fetches one on its first
# use, and sets it only then), the page's language set again once they are in.
LANG_JS = (
    """
(lang) => {
  const names = NAMES;
  const code = names[lang] ? lang : "en";
  window.rutaExamplesName = names[code];
  window.rutaLang = code;
  document.documentElement.lang = code;
  const examples = document.querySelector("#ruta-chat .examples[role=group]");
  if (examples) examples.setAttribute("aria-label", names[code]);
  document.cookie = "COOKIE=" + code + "; path=/; SameSite=Strict";
  const speak = (gradio) => {
    if (!gradio.changeLocale) return;
    if (!window.rutaGradio) {
      window.rutaGradio = gradio;
      // Gradio sets <html lang> once a language is loaded and set.
      const waiting = new Set(Object.keys(names).filter((c) => c !== code && c !== "en"));
      const done = () => { seen.disconnect(); gradio.changeLocale(window.rutaLang); };
      const seen = new MutationObserver(() => {
        waiting.delete(document.documentElement.lang);
        if (!waiting.size) done();
      });
      seen.observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
      setTimeout(done, 5000);
      waiting.forEach((c) => gradio.changeLocale(c));
    }
    gradio.changeLocale(code);
  };
  if (window.rutaGradio) return speak(window.rutaGradio);
  const core = CORE;
  const url = core && performance.getEntriesByType("resource").map((e) => e.name)
    .find((name) => name.split("?")[0].endsWith("/assets/" + core));
  if (url) import(url).then(speak).catch(() => {});
}
""".replace("NAMES", json.dumps(examples_labels(), ensure_ascii=False))
    .replace("COOKIE", LANG_COOKIE)
    .replace("CORE", json.dumps(gradio_core()))
)
