"""Answer spans: the part of a sentence that holds what was asked (an amount, a number, a date,
a place, a name), found by shape, and kept only when the question does not already hold it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet

from app.rag.rules import on
from index.lang import packs
from index.lemmas import root, terms

Span = tuple[int, int]

_P = packs()
_NUMBER_WORDS = NUMBER_WORDS = _P.alternation("spans.number_words")
_SCALE = _P.alternation("spans.scale")
_AMOUNT = re.compile(
    rf"(?:US\$|USD|EUR|GBP|CAD|€|£|\$)\s?\d[\d,.]*(?:\s?(?:{_SCALE}))?"
    rf"|\b\d[\d,.]*\s?(?:{_SCALE})?\s?(?:USD|EUR)\b"
    # … or in words: "billions of dollars", "5 million euros"
    rf"|\b(?:\d[\d,.]*|{_NUMBER_WORDS})(?:\s(?:{_NUMBER_WORDS}|{_SCALE}))*(?: of)?"
    rf"\s(?:{_P.alternation('spans.currency')})\b",
    re.I,
)
YEAR = r"(?:19|20)\d\d"  # a year, as a pattern
_MONTH = _P.alternation("spans.month")
_UNIT = _P.alternation("spans.duration_unit")
_DATE = re.compile(
    rf"\b(?:(?:\d{{1,2}} )?(?:{_MONTH})(?: \d{{1,2}},?)?(?: {YEAR})?|{YEAR}(?:\s?[-–/]\s?(?:{YEAR}|\d\d))?"
    rf"|(?:{_NUMBER_WORDS}|\d+)(?:{_P.source('spans.half')})?[- ](?:{_UNIT})"
    rf"|{_P.source('spans.term')})\b",
    re.I,
)
_DURATION = re.compile(_UNIT, re.I)
_NUMBER = re.compile(
    rf"(?<![\w.-])(?!{YEAR}\b)\d[\d,.]*(?:\s?(?:%|{_SCALE}))?(?![\w-])"
    rf"|\b(?:{_NUMBER_WORDS})\b",
    re.I,
)
# Countries of the Americas and the usual others, and regions: places by name. A question
# that asks for countries is answered by countries, not by "Latin America and the Caribbean".
COUNTRIES = frozenset(_P.words("places.countries"))
REGIONS = frozenset(_P.words("places.regions"))
_REGION_WORDS = REGIONS | frozenset(_P.words("places.region_words"))


def is_place(term: str) -> bool:
    """A country, a region or a word of a region's name ('argentina', 'caribbean', 'latin')."""
    return term in COUNTRIES or term in _REGION_WORDS


def located(text: str) -> bool:
    """A place named after a preposition of place: "… are in Latin America", "held in Peru"."""
    return any(is_place(w.lower()) for w in _LOCATED.findall(text))


# A run of capitalised words (with "of", "and", "for", "the", "de", "la" inside), or an acronym.
_NAME = re.compile(
    r"(?:[A-Z][\w’'&-]*[A-Z0-9][\w-]*|(?:[A-Z][\w’'-]+)"
    rf"(?:\s+(?:(?:{_P.alternation('spans.name_link')})\s+)*[A-Z][\w’'-]+)*)"
)
_SENTENCE_START_COMMON = frozenset(_P.words("spans.sentence_start"))


_DETERMINER = re.compile(rf"\b(?:{_P.alternation('spans.determiner')})\s+$", re.I)
_CITY_BEFORE = re.compile(rf"\b(?:{_P.alternation('spans.city_preposition')})\s+$", re.I)
_LOCATED = re.compile(
    rf"\b(?:{_P.alternation('spans.city_preposition')})\s+"
    rf"(?:(?:{_P.alternation('spans.article')})\s+)?([A-Z]\w+)"
)
_AND = _P.alternation("parts.conjunction")
_ARTICLE = _P.alternation("spans.article")
_JOINED = re.compile(rf"\s+(?:{_AND})\s+(?:(?:{_ARTICLE})\s+)?")
_AGENT_BEFORE = re.compile(
    rf"\b(?:{_P.alternation('spans.agent_preposition')})\s+(?:(?:{_ARTICLE})\s+)?$"
)
_GROUP_GAP = re.compile(rf"[\s,;]*(?:{_P.alternation('spans.joiner')})?[\s,;]*")
# A role in brackets between two names of a list: "ECLAC (co-chair), FAO, ILO, IOM (co-chair)".
_ROLE = re.compile(
    rf"\s*\([a-z][\w\s-]{{0,20}}\)[\s,;]*(?:{_P.alternation('spans.joiner')})?[\s,;]*"
)
# A name's acronym in brackets and the next name of the run: "… the Caribbean (REDLAC), the
# Regional Interagency … (R4V) and the Thematic Coalition …".
_BRACKETED = re.compile(
    rf"\s*\(\s*|\s*\)(?:[\s,;]*(?:{_P.alternation('spans.joiner')})?[\s,;]+"
    rf"(?:(?:{_ARTICLE})\s+)?)?"
)


def _opens_sentence(text: str, start: int) -> bool:
    return not text[:start].strip() or text[:start].rstrip().endswith((".", ":", "-", "!", "?"))


def _common_word(word: str) -> bool:
    """'Current', 'Each', 'Overall' open a sentence; they are not names."""
    import simplemma

    w = word.lower()
    return not word.isupper() and w not in COUNTRIES and simplemma.is_known(w, lang="en")


def _spans(pattern: re.Pattern[str], text: str) -> list[Span]:
    return [m.span() for m in pattern.finditer(text) if m.group().strip()]


def find_spans(text: str, kind: str) -> list[Span]:
    """Character spans in ``text`` of the asked-for kind; empty for kinds without a shape."""
    if kind.startswith("expansion:"):  # "Knowledge for Development and Diplomacy (K4DD)"
        acronym = re.escape(kind.split(":", 1)[1])
        return [m.span(1) for m in re.finditer(rf"({_NAME.pattern})\s*\({acronym}\)", text)]
    match kind:
        case "amount":
            return _spans(_AMOUNT, text)
        case "number":  # not the day of a date ("July 16, 2024")
            dates = _spans(_DATE, text)
            return [
                (a, b) for a, b in _spans(_NUMBER, text) if not any(s <= a < e for s, e in dates)
            ]
        case "date":
            return _spans(_DATE, text)
        case "moment":  # a year, a month, a date: not "two years" or "medium-term"
            return [s for s in _spans(_DATE, text) if not _DURATION.search(text[s[0] : s[1]])]
        case "city":  # "held in Quito": a short name after "in" or "at"
            return [
                s
                for s in _names(text)
                if _is_city(text[s[0] : s[1]]) and _CITY_BEFORE.search(text[: s[0]])
            ]
        case "place":
            return [s for s in _parts(text) if _is_place(text[s[0] : s[1]], COUNTRIES | REGIONS)]
        case "country":
            return [s for s in _parts(text) if _is_place(text[s[0] : s[1]], COUNTRIES)]
        case "actor":
            return [s for s in _names(text) if _is_actor(text, s)]
        case "list":
            return _names(text)
    return []


def _names(text: str) -> list[Span]:
    out = []
    for m in _NAME.finditer(text):
        word = m.group()
        start, end = m.span()
        first = word.split()[0]
        if first == word and _common_word(first) and _DETERMINER.search(text[:start]):
            continue  # "a Mapping of the mechanisms": a capitalised common word, no name
        if first in _SENTENCE_START_COMMON or (
            first == word and _opens_sentence(text, start) and _common_word(first)
        ):
            rest = word[len(first) :].lstrip()
            if not rest:
                continue
            start = end - len(rest)
        out.append((start, end))
    return out


def _parts(text: str) -> list[Span]:
    """Names split where 'and', 'y', 'e' or 'et' joins two ('Peru and the Caribbean')."""
    out = []
    for start, end in _names(text):
        pos = start
        for m in _JOINED.finditer(text[start:end]):
            out.append((pos, start + m.start()))
            pos = start + m.end()
        out.append((pos, end))
    return out


def _is_region(name: str) -> bool:
    got = name.lower().split()
    return any(w in REGIONS for w in got) and all(w in _REGION_WORDS for w in got)


def _is_actor(text: str, span: Span) -> bool:
    """A name that can do something: a country (or a region's words) only as the agent
    ("funded by Canada", not "operates in Colombia" or "in Latin America and the Caribbean")."""
    name = text[span[0] : span[1]]
    if _DATE.fullmatch(name):  # "presented on July 16": a month is no one
        return False
    if all(is_place(w.lower()) for w in name.split()):
        return bool(_AGENT_BEFORE.search(text[: span[0]]))
    return True


def _is_city(name: str) -> bool:
    """A short name that is no country or region and holds no acronym: 'Quito', not
    'Regional Interagency Coordination Platform', 'Latin America' or 'UNHCR'."""
    got = name.split()
    if len(got) > 3 or _is_place(name, COUNTRIES | REGIONS):
        return False
    return not _is_region(name) and not any(re.fullmatch(r"[A-Z0-9-]{2,}", w) for w in got)


def _is_place(name: str, places: set[str]) -> bool:
    return any(w.lower() in places for w in name.split())


def new_spans(
    text: str,
    kind: str,
    question_terms: Iterable[str],
    counted: Sequence[str] = (),
    uncounted: Sequence[str] = (),
) -> list[Span]:
    """Spans of ``kind`` whose words are not all in the question (by lemma root). A count must
    count what was asked ('How many organisations' -> '200 organizations'), a rate be a %;
    and not count what was not ('how many staff … across its offices' -> not '26 offices')."""
    q = {root(t) for t in question_terms}
    initials = _initials(list(question_terms))
    out = []
    for s, e in find_spans(text, kind):
        if kind == "number" and counted and not _counts(text, s, e, counted):
            continue
        if kind == "number" and uncounted and _counts(text, s, e, uncounted):
            continue
        got = {root(t) for t in terms(text[s:e])}
        if not kind.startswith("expansion:") and _alias_of_question(text, e, q):
            continue  # "Interagency Coordination Platform … (R4V)" when R4V is asked about
        if text[s:e].isupper() and text[s:e].lower() in initials:
            continue  # "MMC" when the Mixed Migration Centre is asked about
        if got and not got <= q:
            out.append((s, e))
        elif not got and kind in (
            "number",
            "amount",
            "date",
            "moment",
        ):  # "half", "two": shape only
            out.append((s, e))
    return out


def _initials(words: list[str]) -> set[str]:
    """The initials of every run of two to six consecutive words: an acronym they spell."""
    firsts = [w[:1] for w in words]
    return {"".join(firsts[i:j]) for i in range(len(firsts)) for j in range(i + 2, i + 7)} - {""}


def _alias_of_question(text: str, end: int, question_roots: set[str]) -> bool:
    """The name is spelled out for an acronym the question uses: 'Name (ACRONYM)'."""
    m = re.match(r"\s*\(([A-Z][\w-]*)\)", text[end:])
    return bool(m) and root(m.group(1).lower()) in question_roots


def _counts(text: str, start: int, end: int, counted: Sequence[str]) -> bool:
    if counted == ("%",):
        return "%" in text[start : end + 9]
    after = terms(" ".join(text[end:].split()[:4]))
    want = {_COUNT_CLASS.get(root(t), root(t)) for t in counted}
    return any(_COUNT_CLASS.get(root(t), root(t)) in want for t in after)


# Nouns that count the same things: "how many UN entities" is answered by "19 agencies".
# Each language's nouns of a class ("países" with "country"), read as that language reads them.
_COUNT_CLASS = {
    root(t): cls
    for p in _P.packs
    for cls, ws in p["spans.count_class"].table.items()
    for w in ws
    for t in terms(w, p.code)
}


def counts_like(term: str) -> bool:
    """Whether ``term`` counts what other nouns of its class count ("entity" as "agency")."""
    return root(term) in _COUNT_CLASS


def span_groups(text: str, spans: list[Span]) -> list[Span]:
    """Adjacent spans joined ('UNHCR and IOM', 'INTERPOL and the UNODC'), in order."""
    out: list[Span] = []
    for s, e in sorted(spans):
        if out and _adjacent(text[out[-1][1] : s]):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    # a run that ends on a bracketed acronym ends with its bracket: "… Migrants (R4V)"
    return [
        (s, e + 1)
        if text[s:e].count("(") > text[s:e].count(")") and text[e : e + 1] == ")"
        else (s, e)
        for s, e in out
    ]


def _adjacent(gap: str) -> bool:
    """What lies between two names of one run: a comma, 'and', 'and the'."""
    return bool(
        _GROUP_GAP.fullmatch(gap)
        or _JOINED.fullmatch(gap)
        or (on("bracketed_run") and _BRACKETED.fullmatch(gap))
        or (on("members_listed") and _ROLE.fullmatch(gap))
    )


def one_run(text: str, spans: Sequence[Span]) -> bool:
    """The spans are one run of names: 'UNHCR and IOM', 'INTERPOL and the UNODC'."""
    got = sorted(spans)
    return all(_adjacent(text[a[1] : b[0]]) for a, b in zip(got, got[1:], strict=False))


def marked_spans(
    text: str,
    spans: list[Span],
    question_roots: set[str],
    predicate_roots: set[str],
    name_roots: AbstractSet[str] = frozenset(),
) -> tuple[tuple[Span, ...], bool]:
    """The spans to mark: new names (mostly not the question's own words) with a word of the
    question's predicate beside them in the same clause ('ECLAC (co-chair)', 'co-led by UNHCR
    and IOM', 'funded by the Swiss Agency …'), joined where adjacent; else the first group.
    The flag says whether a predicate word was found beside one (a strong sign of an answer)."""
    fresh = [(s, e) for s, e in sorted(spans) if _mostly_new(text[s:e], question_roots)]
    # A name that shares none of the question's names before one that shares some: in another
    # language half a name may be the question's own subject, translated ("Proyecto Turquesa").
    fresh = [(s, e) for s, e in fresh if _all_new(text[s:e], name_roots)] or fresh
    fresh = fresh or sorted(spans)
    # "The Network includes …": the passage's own subject, said by a common word, is no answer
    fresh = [x for x in fresh if not _opening_common(text, x)] or fresh

    def said(words: str) -> bool:
        return bool(predicate_roots & {root(t) for t in terms(words)})

    near = []
    for s, e in fresh:
        before = re.split(r"[,;:]", text[max(0, s - 60) : s])[-1]
        after = re.split(r"[,;:]", text[e : e + 60])[0]
        if said(f"{before} {after}"):
            near.append((s, e))
    # A predicate before a run of names says it of the whole run ("programme in Panama, Costa
    # Rica and Honduras"); one after a name, of that name ("FAO, ILO, IOM (co-chair)").
    for s, e in span_groups(text, fresh):
        if said(re.split(r"[,;:]", text[max(0, s - 60) : s])[-1]):
            near += [x for x in fresh if s <= x[0] and x[1] <= e]
    if near:
        return tuple(span_groups(text, sorted(set(near)))), True
    return tuple(span_groups(text, fresh)[:1]), False


def _opening_common(text: str, span: Span) -> bool:
    """One capitalised common word after the article that opens the sentence ("The
    Network", "The Platform")."""
    s, e = span
    word = text[s:e]
    opening = text[:s].strip()
    return (
        on("members_listed")
        and " " not in word
        and bool(_DETERMINER.search(f"{opening} "))
        and " " not in opening
        and _common_word(word)
    )


def _all_new(name: str, roots: AbstractSet[str]) -> bool:
    return not any(root(t) in roots for t in terms(name))


def _mostly_new(name: str, question_roots: set[str]) -> bool:
    got = [root(t) for t in terms(name)]
    return not got or sum(t in question_roots for t in got) <= len(got) / 2
