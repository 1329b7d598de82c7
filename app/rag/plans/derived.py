"""The derived-figure plan: a figure worked out from two stated ones, shown with its working
and both citations ("$25 million + $25 million = $50 million [1][2]"); never a sum of the same
amount named twice (two sentences that say the same thing). A count of years between two
stated years ("How many years after A ends does B end?") takes each side's year from the
best sentence that names it, or from the question itself ("A ends in 2024. How many years
beyond that …?"): "2030 [1] − 2025 [2] = 5 years"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.rag.choose import Reading
from app.rag.citations import make_citation
from app.rag.counted import numbers_and_after
from app.rag.plans.words import PlanWords, words
from app.rag.question import Question
from app.rag.reader import Unit
from app.rag.rules import on
from app.rag.spans import YEAR
from app.rag.termstats import root_set, spelled_acronyms
from app.rag.types import Answer
from index.lang import packs
from index.lemmas import STOP, fold, root, terms
from index.types import Hit

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SAME_CLAIM = 0.8  # two sentences sharing this share of their roots say the same thing


@dataclass(frozen=True)
class Figure:
    """A stated figure: its value, its words around the digits ('$', 'million') and where."""

    value: float
    text: str  # as stated: "$25 million"
    prefix: str
    suffix: str
    unit: Unit


def figures(unit: Unit) -> list[Figure]:
    """The figures of the asked-for kind a sentence states (the reader's answer spans)."""
    out = []
    for s, e in unit.spans:
        text = unit.text[s:e]
        m = _NUMBER.search(text)
        if not m:
            continue
        value = float(m.group().replace(",", ""))
        out.append(Figure(value, text, text[: m.start()], text[m.end() :], unit))
    return out


def same_claim(a: Unit, b: Unit) -> bool:
    x, y = root_set(a.text), root_set(b.text)
    return bool(x and y) and len(x & y) / min(len(x), len(y)) > SAME_CLAIM


def pick(reading: Reading, floor: float) -> tuple[Figure, Figure] | None:
    """The two best sentences that each state one figure of the same kind (same currency and
    scale), not the same claim twice."""
    first: Figure | None = None
    for u in reading.ranked:
        if u.p < floor:
            break
        figs = figures(u)
        if len(figs) != 1:
            continue
        f = figs[0]
        if first is None:
            first = f
        elif (
            (f.prefix, f.suffix) == (first.prefix, first.suffix)
            and (u.hit, u.pos) != (first.unit.hit, first.unit.pos)
            and not same_claim(u, first.unit)
        ):
            return first, f
    return None


def _worked(
    question: str,
    working: str,
    units: Sequence[Unit],
    reading: Reading,
    hits: Sequence[Hit],
    notice: str,
) -> Answer:
    """A worked figure's answer: the working, then each sentence it comes from, cited in turn."""
    cites = tuple(
        replace(make_citation(n, hits[u.hit], u.text, 1.0), spans=u.marks)
        for n, u in enumerate(units, start=1)
    )
    quoted = " ".join(f"{u.text} [{n}]" for n, u in enumerate(units, start=1))
    lang = reading.question.lang
    return Answer(
        question, f"{working}\n{quoted}", cites, False, "extractive", tuple(hits), notice, lang
    )


def _say(value: float, like: Figure) -> str:
    digits = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return f"{like.prefix}{digits}{like.suffix}"


# A year, or a period of years ("2023-2030"): its first and last year.
_PERIOD = re.compile(rf"\b({YEAR})(?:\s?[-–/]\s?({YEAR}))?\b")


@dataclass(frozen=True)
class Year:
    """A stated year: the period it comes from ("2023-2030"), and the sentence that states it
    (None: the question does)."""

    value: int
    period: str
    unit: Unit | None


def stated_year(text: str, start: bool) -> Year | None:
    """The first year or period a text states: its first year when ``start``, else its last."""
    m = _PERIOD.search(text)
    if not m:
        return None
    value = m.group(1) if start or not m.group(2) else m.group(2)
    return Year(int(value), m.group(), None)


def _names(u: Unit, hits: Sequence[Hit], name: str) -> bool:
    """The sentence, or the section it stands in, names ``name`` (a question's name), or spells
    it out."""
    text = f"{hits[u.hit].chunk.section} {u.text}"
    return root(name) in root_set(text) or name in spelled_acronyms(text)


def _sides(q: Question, focus: str, premised: bool) -> list[str]:
    """The names the asked part of the question holds; when the statement before it gives a
    year, not the names of that statement ("A ends in 2024. How many years beyond that does
    B run?": the side is B)."""
    asked = root_set(focus)
    before = root_set(q.text[: q.text.rfind(focus)]) if premised and focus != q.text else set()
    return [n for n in q.names if root(n) in asked and root(n) not in before]


def _side_start(text: str, name: str, w: PlanWords, start: bool) -> bool:
    """Whether a side's year is its period's first: the period word nearest before the side's
    name says ("the start of A … and the end of B": A's first year, B's last); ``start`` (the
    whole question's) when none stands before it."""
    if not on("side_period"):
        return start
    folded = fold(text)
    at = re.search(rf"(?<!\w){re.escape(name)}", folded)
    if at is None:
        return start
    before = folded[: at.start()]
    starts = [m.end() for m in w.period_start.finditer(before)]
    ends = [m.end() for m in w.period_end.finditer(before)]
    if not starts and not ends:
        return start
    return max(starts, default=-1) > max(ends, default=-1)


def year_sides(q: Question, reading: Reading, hits: Sequence[Hit]) -> list[Year] | None:
    """The two years a count of years is worked from: the question's own, then each named
    side's from the best sentence that names it and states a year (in another language,
    where a name may be translated, the best sentences that state one). None when a side
    states no year: the documents do not give what the count needs."""
    w = words(q.lang)
    text = q.focus or q.text
    start = bool(w.period_start.search(text))
    found = [Year(int(y), y, None) for y in re.findall(rf"\b{YEAR}\b", q.text)]
    if len(found) >= 2:  # both years asked: no document needed, none to cite
        return None
    floor = reading.tuning.strict_min
    for name in _sides(q, text, bool(found)):
        if len(found) == 2:
            break
        first = _side_start(text, name, w, start)
        year = next(
            (
                replace(y, unit=u)
                for u in reading.ranked
                if (y := stated_year(u.text, first)) and _names(u, hits, name)
            ),
            None,
        )
        if year is None and q.lang == "en":
            return None
        # (a word two sides' names share, "agency", finds the side already found)
        if year is not None and year.unit not in [f.unit for f in found]:
            found.append(year)
    for u in reading.ranked if q.lang != "en" else ():
        if len(found) == 2 or u.p < floor:
            break
        y = stated_year(u.text, start)
        if y is not None and all(f.value != y.value for f in found):
            found.append(replace(y, unit=u))
    if len(found) < 2 or found[0].value == found[1].value:
        return None
    return found


def year_gap(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    """'How many years after A ends does B end?': the later year less the earlier, each cited
    where it is stated; None when the question counts no years or a side states none."""
    q = reading.question
    w = words(q.lang)
    text = q.focus or q.text
    if not (w.difference.search(text) and w.years.search(text)) or not on("year_gap"):
        return None
    sides = year_sides(q, reading, hits)
    if sides is None:
        return None
    late, early = sorted(sides, key=lambda y: -y.value)
    cited = [y for y in (late, early) if y.unit is not None]
    marks = {id(y): f"[{n}]" for n, y in enumerate(cited, start=1)}

    def said(y: Year) -> str:
        return f"{y.value} {marks[id(y)]}" if y.unit is not None else f"{y.value} ({w.as_asked})"

    working = f"{said(late)} − {said(early)} = {late.value - early.value} {w.years_word}"
    return _worked(question, working, [y.unit for y in cited if y.unit], reading, hits, notice)


def _left_out(q: Question, best: Unit) -> tuple[int, str] | None:
    """How many the question leaves out, and what: as many as it says ("leaving out the two
    co-chairs"), else as many times as the best sentence marks them ("ECLAC (co-chair), …, IOM
    (co-chair)"); None when it names nothing the sentence holds."""
    w = words(q.lang)
    text = q.focus or q.text
    m = w.excluding.search(text)
    if m is None:
        return None
    after = terms(text[m.end() :], q.lang)
    said = [t for t in after if t not in STOP]
    if not said:
        return None
    how_many = w.count(said[0])
    thing = said[1] if how_many is not None and len(said) > 1 else said[0]
    # as the question writes it ("co-chairs")
    shown = re.search(rf"\b{re.escape(thing)}[\w-]*", text[m.end() :], re.I)
    thing = shown.group() if shown else thing
    if how_many is not None:
        return how_many, thing
    marked = [t for t in terms(best.text, q.lang) if root(t) == root(said[0])]
    return (len(marked), thing) if marked else None


def count_less(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    """'How many members … are not co-chairs?': the best sentence's one stated count less those
    the question leaves out, '19 − 2 co-chairs = 17 [1]'; None when the sentence states no
    single count or does not hold what is left out."""
    q = reading.question
    if reading.refused or reading.near_miss or not reading.units or not on("count_less"):
        return None
    if not words(q.lang).excluding.search(q.focus or q.text):
        return None
    best = reading.units[0]
    figs = figures(best)
    out = _left_out(q, best)
    if len(figs) != 1 or out is None:
        return None
    (total,), (n, thing) = [f.value for f in figs], out
    if not 0 < n < total:
        return None
    working = f"{figs[0].text} − {n} {thing} = {_say(total - n, figs[0])} [1]"
    return _worked(question, working, [best], reading, hits, notice)


@dataclass(frozen=True)
class Counted:
    """A stated count of something the question names: '26 offices', its noun's root."""

    value: int
    text: str  # as stated, the count to the noun: "seven priority axes"
    noun: str
    unit: Unit


def counted(unit: Unit, asked: Sequence[str]) -> list[Counted]:
    """The counts a sentence states of things the question names (``asked``: its terms' roots
    in order): the first of the three words after the count whose root the question holds, and
    those after it that follow it in the question too ("seven priority axes"); years are no
    counts."""
    pairs = set(zip(asked, asked[1:], strict=False))
    w = words("en")  # the documents are English
    out = []
    for m, after in numbers_and_after(unit.text):
        figure = m.group().rstrip(",.")
        if m.start() and unit.text[m.start() - 1] in "$€£.,/-":
            continue  # an amount ("$25"), a period's end ("2023-24"), a decimal
        if not unit.text[m.end() : m.end() + 1].isspace():
            continue  # a name that opens with a digit ("4Mi"), a count with no noun
        n = w.count(figure.replace(",", ""))
        if n is None or re.fullmatch(YEAR, figure):
            continue
        said = [next((root(t) for t in terms(word)), "") for word in after]
        # what is counted is a plural noun ("26 offices covering …": not "covering")
        first = next((i for i, r in enumerate(said) if r in asked and _plural(after[i])), None)
        if first is None:
            continue
        last = first  # "seven priority axes": the asked words that follow on
        while last + 1 < len(said) and (said[last], said[last + 1]) in pairs:
            last += 1
        text = f"{figure} {' '.join(after[: last + 1])}"
        out.append(Counted(n, text, said[last], unit))
    return out


def _plural(word: str) -> bool:
    """An English plural: it ends in -s and its lemma is another word ('offices', 'axes')."""
    w = word.lower()
    return w.endswith("s") and next(iter(terms(w)), w) != w


def count_sides(reading: Reading) -> list[Counted] | None:
    """Each thing the question counts, with the best sentence that states a count of it, in
    the order the question names them; None when fewer than two things are counted."""
    q = reading.question
    text = q.focus or q.text
    asked = [root(t) for t in terms(text, q.lang) if t not in STOP]
    floor = reading.tuning.add_min * reading.best
    # the good sentences' passages: a list's opening ("… around seven priority axes:") reads
    # low beside its items
    passages = {u.hit for u in reading.ranked if u.p >= floor}
    found: dict[str, Counted] = {}
    for u in reading.ranked:
        if u.hit not in passages:
            continue
        for c in counted(u, asked):
            found.setdefault(c.noun, c)
    if len(found) < 2:
        return None
    return sorted(found.values(), key=lambda c: asked.index(c.noun))


def count_total(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    """'How many more countries does UNDP cover than it has offices?', 'Add up the objectives
    and the priority axes': each thing's stated count, from the best sentence that counts it,
    summed or the smaller taken from the larger ("41 countries [1] − 26 offices [1] = 15");
    None when the passages count fewer than two of the things asked."""
    q = reading.question
    if reading.refused or reading.near_miss or not on("count_total"):
        return None
    sides = count_sides(reading)
    if sides is None:
        return None
    units: list[Unit] = []
    for c in sides:
        if all((u.hit, u.pos) != (c.unit.hit, c.unit.pos) for u in units):
            units.append(c.unit)
    mark = {(u.hit, u.pos): f"[{n}]" for n, u in enumerate(units, start=1)}
    said = [f"{c.text} {mark[(c.unit.hit, c.unit.pos)]}" for c in sides]
    if words(q.lang).difference.search(q.focus or q.text):
        big, small = sorted(sides[:2], key=lambda c: -c.value)
        working = (
            f"{said[sides.index(big)]} − {said[sides.index(small)]} = {big.value - small.value}"
        )
    else:
        working = f"{' + '.join(said)} = {sum(c.value for c in sides)}"
    return _worked(question, working, units, reading, hits, notice)


_P = packs()
_MONTHS = _P.words("spans.month")
# "February to July 2024", "from March 2023 until May 2024": a span of months
_SPAN = re.compile(
    rf"\b({_P.alternation('spans.month')})(?:\s+({YEAR}))?\s+(?:{_P.alternation('spans.month_to')})\s+"
    rf"({_P.alternation('spans.month')})(?:\s+({YEAR}))?\b",
    re.I,
)
# "a two-and-a-half-year project", "for 3 years": a stated number of years
_YEARS = re.compile(
    rf"\b(\d+|[a-z]+)((?:{_P.source('spans.half')})?)[- ]years?\b",
    re.I,
)


def _month(name: str) -> int:
    """A month's place in the year, 0-11 (each pack lists its twelve months in order)."""
    return [m.lower() for m in _MONTHS].index(name.lower()) % 12


def _in_months(text: str) -> tuple[str, int] | None:
    """A sentence's stated duration, in months, and the words that state it: a span of months
    counted with both ends ("February to July 2024": 6), or a number of years ("two-and-a-half-
    year": 30); None when it states neither."""
    m = _SPAN.search(text)
    if m:
        first, y1, last, y2 = m.groups()
        end = int(y2 or y1 or 0)
        start = int(y1 or end)
        n = (end - start) * 12 + _month(last) - _month(first) + 1
        return (m.group(), n) if n > 0 else None
    m = _YEARS.search(text)
    if m:
        years = words("en").count(m.group(1))  # the documents are English
        if years:
            return m.group(), years * 12 + (6 if m.group(2) else 0)
    return None


def month_span(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    """'How many months did the study take?' (derive asks it of a question with the plan words'
    ``months``): the duration a good sentence states, in months, with its working ("February to
    July 2024 [1] = six months"); None when no good sentence states one (the reader answers
    then)."""
    w = words(reading.question.lang)
    if not on("month_span"):
        return None
    for u in reading.ranked:
        if u.p < reading.tuning.strict_min:
            break
        said = _in_months(u.text)
        if said is None:
            continue
        stated, n = said
        count = w.numbers[n].split("|")[0] if n < len(w.numbers) else str(n)
        working = f"{stated} [1] = {count} {w.months_word}"
        at = u.text.index(stated)  # the stated duration is the quote's mark, not the reader's
        marked = replace(u, marks=((at, at + len(stated)),))
        return _worked(question, working, [marked], reading, hits, notice)
    return None


def derive(question: str, reading: Reading, hits: Sequence[Hit], notice: str) -> Answer | None:
    """The worked figure and the two sentences it comes from, or None when the passages do not
    state two figures to work it from (the reader answers then)."""
    q = reading.question
    if words(q.lang).months.search(q.focus or q.text):
        return month_span(question, reading, hits, notice)
    years = year_gap(question, reading, hits, notice)
    if years is not None:
        return years
    less = count_less(question, reading, hits, notice)
    if less is not None:
        return less
    total = count_total(question, reading, hits, notice)
    if total is not None:
        return total
    if reading.refused or reading.near_miss:
        return None
    pair = pick(reading, reading.tuning.add_min * reading.best)
    if pair is None:
        return None
    a, b = sorted(pair, key=lambda f: (f.unit.hit, f.unit.pos))  # as the passages say them
    if words(q.lang).difference.search(q.focus or q.text):
        a, b = (a, b) if a.value >= b.value else (b, a)
        working = f"{a.text} − {b.text} = {_say(a.value - b.value, a)} [1][2]"
    else:
        working = f"{a.text} + {b.text} = {_say(a.value + b.value, a)} [1][2]"
    return _worked(question, working, [a.unit, b.unit], reading, hits, notice)
