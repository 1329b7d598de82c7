"""Cleaning the two real seed documents and plain text that needs no repair."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from ingest.clean import Cleaned, clean_text

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
SEEDS = {
    "000": "k4dd-donor-activity-migration-lac.txt",
    "001": "iecah-regional-coordination-mixed-movements.txt",
}
ILO_URL = (
    "https://www.ilo.org/wcmsp5/groups/public/---americas/---ro-lima/documents/"
    "publication/wcms_901558.pdf"
)


@cache
def cleaned(prefix: str) -> Cleaned:
    return clean_text((CORPUS / SEEDS[prefix]).read_text(encoding="utf-8"))


def squash(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())


def urls(prefix: str) -> dict[str, str]:
    return dict(cleaned(prefix).footnotes)


def test_question_set_evidence_survives_cleaning() -> None:
    checked = 0
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        item = json.loads(line) if line.strip() else {}
        if not item.get("evidence"):
            continue
        texts = [squash(cleaned(doc[:3]).text) for doc in item["doc"].split("+")]
        for evidence in item["evidence"]:
            assert any(squash(evidence) in t for t in texts), (item["id"], evidence)
            checked += 1
    assert checked > 0


def test_sentence_cut_by_a_footnote_block_reads_whole() -> None:
    text = cleaned("000").text
    assert (
        "throughout the implementation, review, and follow-up of the Global Compact "
        "for Safe, Orderly, and Regular Migration" in text
    )
    assert "fostering job creation and interacting" in text
    assert "access to territory and food security), and the future" in text


def test_prose_footnote_leaves_the_body() -> None:
    text = cleaned("000").text
    body, _, notes = text.partition("\n\nNotes\n\n")
    assert "Humanitarian-Development Nexus is the concept" not in body
    assert "[1] The Humanitarian-Development Nexus is the concept" in notes
    assert "development.\n\n2. Interagency Coordination Mechanisms" not in text


def test_footnote_urls_are_repaired() -> None:
    found = urls("000")
    assert found["2"] == "https://www.r4v.info/en"
    assert found["12"] == ILO_URL
    assert found["13"].startswith("https://www.ilo.org/wcmsp5/groups/public/")  # was "wecmsp5"
    assert found["21"].startswith("https://www.usaid.gov/news-information/press-releases/nov-06")
    assert found["21"].endswith("address-challenges-migration-latin-america-and-caribbean")
    assert "Regional%20Review%20LAC%20" in found["5"]
    assert "in%20host%20communities" in found["15"]
    assert "Network%20on%20Migration%20Work%20Plan%202023-2024.pdf" in found["4"]
    assert found["8"].endswith("Inclusive%20Cities%2C%20Communities%20of%20Solidarity")
    assert found["7"].startswith("https://eea.iom.int/latin-america-and-caribbean#:~:text=South")
    assert list(found) == [str(n) for n in range(2, 24)]


def test_markers_are_removed_without_harming_words() -> None:
    text = cleaned("000").text
    assert "humanitarian-development nexus, with" in text
    assert "(UNNM-LAC) has been established" in text
    assert "Refugees and Migrants (R4V)\n\nThe" in text  # marker gone, heading lifted
    assert "Work Plan 2023-2024\n" in text
    assert "Sustainable Development: The joint" in text
    assert "In 2023, UNICEF provided" in text
    assert "(between Argentina and Bolivia).." in text
    assert "psychosocial ffirst aid’ for" in text
    # a superscript read as "l’" (README of the seeds): gone, as the word reads elsewhere
    assert "Project Turquesa: With organized" in text and "Turquesal" not in text
    assert not re.search(r"[?®°]", text)


def test_refs_point_at_the_footnote_urls_of_their_page() -> None:
    doc = cleaned("000")
    refs = dict(doc.refs)

    def url_at(before: str, after: str) -> str:
        return refs.get(doc.text.index(before + after) + len(before), "")

    # a lifted heading's marker moved to the start of its paragraph
    assert url_at("Migrants (R4V)\n\n", "The Interagency") == "https://www.r4v.info/en"
    assert url_at("Work Plan 2023-2024\n\n", "The").endswith("Work%20Plan%202023-2024.pdf")
    assert url_at("Communities of Solidarity", ": ").endswith("of%20Solidarity")
    assert "better-world" in url_at("Migrants in Latin America and the Caribbean", ": ")
    assert url_at("Monitoring", ": ").startswith("https://data.unhcr.org/")
    assert len(doc.refs) >= 18


def test_sections_are_found_and_normalised() -> None:
    doc = cleaned("000")
    titles = [s.title for s in doc.sections]
    assert "3.2 International Organisation for Migration" in titles
    assert "4. Development Banks" in titles
    assert (
        "3.1 United Nations Regional Network on Migration for Latin America and the Caribbean (UNNM-LAC)"
        in titles
    )
    assert "6.1 Migration Policy Initiative: Latin America and Caribbean Initiative" in titles
    for s in doc.sections:
        assert doc.text[s.start :].startswith(s.title)
        if re.match(r"\d+\.", s.title):
            assert s.level == (2 if re.match(r"\d+\.\d", s.title) else 1)
    assert not any(re.match(r"\d+ https?://", t) for t in titles)


R4V = "The Interagency Coordination Platform for Refugees and Migrants (R4V)"


def test_glued_lead_in_heading_is_lifted_and_its_duplicate_dropped() -> None:
    doc = cleaned("000")
    assert f"{R4V} {R4V}" not in doc.text
    assert f"{R4V}\n\n{R4V} is made up by over 200" in doc.text
    sub = next(s for s in doc.sections if s.title == R4V)
    parent = next(s for s in doc.sections if s.title == "2. Interagency Coordination Mechanisms")
    assert sub.level == parent.level + 1 and not sub.inline
    # glued to its paragraph without a repeat, but closed by a footnote marker
    acp = "African, Caribbean, and Pacific (ACP) Observatory for Migration"
    assert f"{acp}\n\nPast regional cooperation" in doc.text
    assert any(s.title == acp and s.level == 3 for s in doc.sections)
    # a title-like paragraph of its own heads the next one
    assert any(s.title.endswith("Caribbean Work Plan 2023-2024") for s in doc.sections)


def test_colon_lead_ins_stay_inline_as_sub_headings() -> None:
    doc = cleaned("000")
    inline = {s.title: s for s in doc.sections if s.inline}
    assert "EUROFRONT" in inline and "Project Turquesa" in inline
    # a colon followed by lower case is part of the name, not its end
    assert (
        "Migration from Venezuela: opportunities for Latin America and the Caribbean "
        "Regional socio-economic integration strategy" in inline
    )
    assert doc.text[inline["EUROFRONT"].start :].startswith("EUROFRONT: IOM, in partnership")
    # sentences that hold a colon are not headings
    assert not any(t.startswith("The Network includes") for t in inline)
    assert not any(t.startswith("Regional coordination networks") for t in inline)


def test_lone_bullet_before_a_paragraph_is_a_heading() -> None:
    doc = cleaned("001")
    assert [s.title for s in doc.sections] == ["Summary of recommendations"]
    assert "- Summary of recommendations" not in doc.text


def test_lead_in_headings_keep_every_footnote_link() -> None:
    doc = cleaned("000")
    by_url = {u: off for off, u in doc.refs}
    r4v = doc.text.index(f"{R4V} is made up by")
    assert by_url["https://www.r4v.info/en"] == r4v  # the heading's marker moved to its paragraph


def test_bullets_become_list_items() -> None:
    lines = cleaned("000").text.splitlines()
    assert "- Fair Recruitment" in lines
    assert "- Financial inclusion" in lines
    assert "- Facilitating safe, regular and orderly forms of migration;" in lines
    assert not any(ln.startswith(("e ", "¢ ", "o ", "• ")) for ln in lines)
    assert not any(re.match(r"\d+\S? https?://", ln) for ln in lines)


def test_web_page_text_is_tidied_not_rewritten() -> None:
    doc = cleaned("001")
    lines = doc.text.splitlines()
    assert "Menu" not in lines and "+" not in lines
    assert "Summary of recommendations" in lines  # a lone bullet before a paragraph: a heading
    assert doc.footnotes == () and doc.refs == ()
    assert "*Also available in Spanish" in lines


def test_clean_markdown_and_prose_pass_through() -> None:
    text = (
        "# Title\n\nA normal paragraph. Is it clean? Yes!\n\n- one\n- two\n\n| a | b |\n| 1 | 2 |"
    )
    doc = clean_text(text)
    assert doc.text == text
    assert doc.footnotes == () and doc.refs == ()
    assert [(s.start, s.level, s.title) for s in doc.sections] == [(0, 1, "Title")]


def test_hard_wrapped_paragraphs_are_unwrapped() -> None:
    doc = clean_text(
        "First line of a\nparagraph with evidence-\nbased ideas.\n\n1. First step\n2. Second step\n"
    )
    assert doc.text == (
        "First line of a paragraph with evidence-based ideas.\n\n1. First step\n2. Second step"
    )
    assert doc.sections == ()


def test_numbered_lines_are_footnotes_only_where_they_look_like_them() -> None:
    doc = clean_text("Text. 12 People came.\n\n12 People attended the event in\nthe town.")
    assert doc.text == "Text. 12 People came.\n\n12 People attended the event in the town."
    doc = clean_text("Body text ends here\n\n1 https://example.org/a-\nb.pdf\n 2 https://x.org")
    assert doc.text == "Body text ends here"
    assert doc.footnotes == (("1", "https://example.org/a-b.pdf"), ("2", "https://x.org"))


def test_code_quotes_and_real_punctuation_survive() -> None:
    text = "> quoted one\n> quoted two\n\n```\ncode  x\n\n  y\n```\n\nWhy? Growth was 25%."
    assert clean_text(text).text == text
