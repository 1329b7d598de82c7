"""Passages that refer back: a chunk that opens with "the Platform", "It", "The Strategy" or
"The programme" names nothing a question would, once cut from the heading or the chunk before
it. ``referent`` finds the name it refers to, for the indexed text (never the quoted text).

Where the name comes from, nearest first: the chunk's own sections, innermost first (a
sub-heading such as "The Interagency Coordination Platform ... (R4V)"), then the chunk before
it in the same document. A noun ("the Platform") must appear in the name; a pronoun ("It",
"They", "This is") takes the innermost sub-heading, or the name the chunk before opens with.
"""

from __future__ import annotations

import re

from index.lang.packs import NEVER, packs
from index.lemmas import STOP, fold
from ingest.types import Chunk

SECTION_SEP = " > "
# The opening subject: "The Platform is", "At the macro level, the Platform is", "The Regional
# Strategy is", "The Network includes", "It is". The noun phrase must run straight into its verb:
# "The IOM Regional Strategy for South America aims" names what it is about and is left alone.
_P = packs()


def _either_case(words: tuple[str, ...]) -> str:
    """Words that may open a sentence: 'the' as 'The' or 'the'."""
    return "|".join(f"[{w[0].upper()}{w[0].lower()}]{re.escape(w[1:])}" for w in words) or NEVER


_VERB = rf"(?:{_P.alternation('referent.verb')}|{_P.pattern('referent.verb_form').pattern})\b"
_OPENING = re.compile(
    rf"^(?:[A-Z][^.,;:]{{0,60}},\s+)?(?:(?:{_either_case(_P.words('referent.determiner'))})\s+"
    rf"(?P<np>(?:[\w-]+\s+){{0,2}}?[\w-]+)\s+(?={_VERB})"
    rf"|(?P<pron>{_P.alternation('referent.pronoun')})\s+(?=[a-z]))"
)
# A capitalised name: "Interagency Coordination Platform for Refugees and Migrants (R4V)".
_NAME = re.compile(
    rf"(?:[A-Z][\w'’&-]*|\d[\d-]*)(?:(?:\s+(?:{_P.alternation('referent.name_link')}))*"
    r"\s+(?:[A-Z][\w'’&-]*|\d[\d-]*|\([A-Z][\w-]*\)))*"
)
_NAME_ARTICLE = re.compile(rf"^(?:{_P.alternation('referent.name_article')})\s+")


def referent(chunk: Chunk, previous: Chunk | None = None) -> str:
    """The name the chunk's opening refers back to, when the chunk does not say it itself."""
    m = _OPENING.match(chunk.text.lstrip())
    if not m:
        return ""
    sections = [s for s in chunk.section.split(SECTION_SEP) if s][::-1]
    if m["pron"]:
        candidates = sections[:1] if _is_sub_heading(sections) else []
        if not candidates and previous is not None and previous.doc_id == chunk.doc_id:
            candidates = _names(previous.text)[:1]
        name = candidates[0] if candidates else ""
    else:
        noun = m["np"].split()[-1]  # the head: "Regional Strategy" -> "Strategy"
        name = ""
        if noun.lower() not in STOP:
            name = _containing(noun, sections) or (
                _containing(noun, _names(previous.text)[::-1])
                if previous is not None and previous.doc_id == chunk.doc_id
                else ""
            )
    name = _unnumbered(name)  # "3.2 IOM" -> "IOM"
    if not name or name.lower() in chunk.text.lower():
        return ""
    return name


def sentence_referent(sentence: str, before: str, passage_referent: str) -> str:
    """What a quoted sentence that refers back is about. Opening its passage ("The Programme
    carries out …", "It is …"): ``passage_referent``, what ``referent`` found for the passage.
    Further in, a sentence that opens with "It" or "They": the name the sentence ``before`` it
    opens with. "" otherwise, or when the sentence names it itself."""
    if not before:
        name = passage_referent if _OPENING.match(sentence.lstrip()) else ""
    elif _IT.match(sentence):
        opening = _NAME.match(before.lstrip())
        names = _names(opening[0]) if opening else []
        name = names[0].rstrip(":") if names else ""
    else:
        name = ""
    return "" if not name or name.lower() in sentence.lower() else name


_IT = re.compile(
    rf"\s*(?:{_P.alternation('referent.it')})\s+(?!(?:{_P.alternation('referent.it_not')})\b)[a-z]"
)


def section_owner(chunk: Chunk, text: str) -> str:
    """The innermost section heading under the chapter that names someone ("3.5 UNICEF", "3.8
    United Nations Office on Drugs and Crime") and that ``text`` does not say, without its
    number: whose work the passage describes. "" when none; a chapter is no owner."""
    for heading in [s for s in chunk.section.split(SECTION_SEP) if s][1:][::-1]:
        name = _unnumbered(heading)
        if fold(name) in fold(text):
            continue
        named = re.search(r"\b[A-Z][A-Z0-9-]+\b", name) or len(re.findall(r"\b[A-Z]", name)) >= 2
        if named and len(name) <= 90:
            return name
    return ""


def _unnumbered(heading: str) -> str:
    return re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", heading).strip()


def _is_sub_heading(sections: list[str]) -> bool:
    """The innermost section is a lead-in sub-heading (not numbered like "3.2 UNHCR")."""
    return bool(sections) and not re.match(r"\d", sections[0]) and SECTION_SEP not in sections[0]


def _containing(noun: str, names: list[str]) -> str:
    """The first name holding the noun as a word ("Platform" in "... Coordination Platform ...")."""
    pat = re.compile(rf"\b{re.escape(noun)}\b", re.IGNORECASE)
    return next((n for n in names if pat.search(n) and n.lower() != noun.lower()), "")


def _names(text: str) -> list[str]:
    """Capitalised names of two words or more in a text, in order, sentence-initial "The" off."""
    out = []
    for m in _NAME.finditer(text):
        name = _NAME_ARTICLE.sub("", m[0])
        if len(name.split()) >= 2 or re.fullmatch(r"[A-Z]{2,}[\w-]*", name):
            out.append(name)
    return out
