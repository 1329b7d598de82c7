"""The page's own words (buttons, labels, notices, the feedback line) in the language of the last
question asked, else of the browser: the packs' ``page.*`` entries, English where a language
has no pack."""

from __future__ import annotations

import re

from index.lang import detect_language, packs

_P = packs()
DEFAULT = "en"


def said(key: str, lang: str, **fields: object) -> str:
    """The page's entry ``page.<key>`` in ``lang`` (English without a pack), its fields filled
    in; whole numbers are written with the language's thousands separator (2,000; 2.000)."""
    sep = _P.text("page.thousands", lang)
    filled = {
        k: f"{v:,}".replace(",", sep) if isinstance(v, int) and not isinstance(v, bool) else v
        for k, v in fields.items()
    }
    return _P.text(f"page.{key}", lang).format(**filled)


def page_language(lang: str) -> str:
    """A language the page can speak: ``lang`` when it has a pack, else English."""
    return lang if _P.get(lang) is not None else DEFAULT


def question_language(question: str, current: str) -> str:
    """The language the page speaks once ``question`` is asked: the question's (the one guess
    the answering core makes too), or ``current`` for a question without words."""
    if not re.search(r"[^\W\d_]", question or ""):
        return page_language(current)
    return page_language(detect_language(question))


def accepted_language(header: str) -> str:
    """The browser's most wanted language the page speaks, from an Accept-Language header
    ("es-ES,es;q=0.9,en;q=0.8" -> "es"); English when it names none."""
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                q = 0.0
        code = tag.strip().split("-")[0].lower()
        if q > 0 and _P.get(code) is not None:
            wanted.append((-q, i, code))
    return min(wanted)[2] if wanted else DEFAULT


def examples_labels() -> dict[str, str]:
    """The examples' group name for screen readers, per language (the page's JS sets it)."""
    return {code: said("examples_label", code) for code in _P.codes}
