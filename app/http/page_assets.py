"""What the page brings to the browser: system font stacks, its CSS and its one piece of JS."""

from __future__ import annotations

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
