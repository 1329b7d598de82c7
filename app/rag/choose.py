"""The answer-first choice: from the scored sentences, the fewest that answer, the best first;
and whether the documents discuss the subject without holding what was asked (a near miss)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.rag import join, noanswer
from app.rag.asked import HEAD_RANKS, beside, head_roots, says_object
from app.rag.cues import ANAPHOR
from app.rag.instructions import silenced
from app.rag.plans.words import words
from app.rag.question import Question, analyse, names_counted
from app.rag.reader import (
    DEFAULT_TUNING,
    FEATURES,
    TYPED,
    Tuning,
    Unit,
    dense_query,
    english_of,
    score_units,
)
from app.rag.rules import on
from app.rag.spans import YEAR, counts_like, find_spans, one_run
from app.rag.termstats import TermStats, root_set, spelled_acronyms
from index.embed import Embedder, embed_ahead
from index.lang import packs
from index.lang.places import places_named
from index.lemmas import fold, root, terms
from index.types import Hit

MAX_ITEMS = 10
# The least answer probability of a named document's best sentence for it to join an answer
# that quotes only the other document (a question naming both; see compose).
DOC_MIN = 0.05


@dataclass(frozen=True)
class Reading:
    """What the reader made of the passages."""

    question: Question
    units: tuple[Unit, ...]  # the answer's sentences, best first, each with what it brought
    ranked: tuple[Unit, ...]  # every sentence, best first
    best: float
    coverage: float  # lexical coverage of the question by the best sentence
    unknown_names: tuple[str, ...]
    missing: str  # a strict kind asked for that no good sentence holds ("" when none)
    dense: float  # best multilingual similarity
    p_none: float = 0.0  # the probability that the documents do not answer (app/rag/noanswer)

    tuning: Tuning = DEFAULT_TUNING
    evidence: noanswer.Evidence | None = None  # what the no-answer model saw

    @property
    def refused(self) -> bool:
        return not self.units or self.p_none >= self.tuning.refuse_at

    @property
    def near_miss(self) -> bool:
        """Refused, and the subject is there: the asked-for amount, number or date is not."""
        return bool(self.missing) and bool(self.units) and self.refused


def read(
    q: Question,
    hits: Sequence[Hit],
    stats: TermStats,
    embedder: Embedder | None,
    t: Tuning = DEFAULT_TUNING,
) -> Reading:
    """Score the sentences of ``hits`` against ``q`` and compose the answer's units."""
    if embedder is not None:
        embed_ahead([(embedder, dense_queries(q, hits))])
    units = score_units(q, hits, stats, embedder, t)
    # Instruction-like text that does not answer the question is never an answer sentence.
    mute = silenced(q, hits, units)
    units = [replace(u, p=0.0) if (u.hit, u.pos) in mute else u for u in units]
    unknown = _unknown_names(q, stats)
    if not units:
        return Reading(q, (), (), 0.0, 0.0, unknown, "", 0.0, 1.0, t)
    ranked = sorted(units, key=lambda u: (_heading(u), -u.p, u.hit, u.pos))
    missing = ""
    if q.strict:
        answering = _answering(q, ranked, t, stats, hits)
        if not answering or _counts_unknown(q, stats):
            missing = q.kind
        elif answering[0] is not ranked[0] and on("answer_first"):
            # The sentence that holds what was asked leads the answer (answer-first).
            ranked = [answering[0]] + [u for u in ranked if u is not answering[0]]
    elif _unspelled(q, ranked, hits):
        missing = q.kind
    best = ranked[0]
    # In the order composed: the best sentence leads, what it brought along follows it.
    chosen = [
        u for u in compose(q, ranked, units, hits, stats, embedder, t) if (u.hit, u.pos) not in mute
    ]
    dense = max(u.dense for u in units)
    evidence = noanswer.Evidence(
        tuple(u.p for u in ranked),
        best.lexical,
        dense,
        bool(missing),
        len(unknown),
        q.strict,
        q.lang != "en",
    )
    p_none = noanswer.probability(evidence, t)
    return Reading(
        q,
        tuple(chosen),
        tuple(ranked),
        best.p,
        best.lexical,
        unknown,
        missing,
        dense,
        p_none,
        t,
        evidence,
    )


def rejudged(reading: Reading, ranked: Sequence[Unit]) -> Reading:
    """The reading with ``ranked`` as its order (a plan put the best sentence naming its subject
    first) and its no-answer probability judged again from that order's best sentence."""
    if reading.evidence is None or not ranked:
        return replace(reading, ranked=tuple(ranked))
    evidence = replace(
        reading.evidence, probs=tuple(u.p for u in ranked), coverage=ranked[0].lexical
    )
    return replace(
        reading,
        ranked=tuple(ranked),
        best=ranked[0].p,
        coverage=ranked[0].lexical,
        p_none=noanswer.probability(evidence, reading.tuning),
        evidence=evidence,
    )


def dense_queries(q: Question, hits: Sequence[Hit]) -> list[str]:
    """What reading ``hits`` embeds: the question's text (score_units), and each further part's
    (first_units); none without a passage to read."""
    if not hits:
        return []
    chunks = [h.chunk for h in hits]
    parts = [_part(q, p) for p in q.parts[1:]] if on("parts") else []
    return [dense_query(x, chunks) for x in (q, *parts)]


def compose(
    q: Question,
    ranked: list[Unit],
    units: list[Unit],
    hits: Sequence[Hit],
    stats: TermStats,
    embedder: Embedder | None,
    t: Tuning = DEFAULT_TUNING,
) -> list[Unit]:
    """The best sentence first; another only for a part of the question not yet answered, a
    list's items, or one the join model (or, without one, the joining rules) adds."""
    chosen = first_units(q, ranked, units, hits, stats, embedder, t)
    best = ranked[0]
    limit = t.max_list if q.plural else t.max_factoid
    limit += len(q.parts) - 1
    for rank, u in enumerate(ranked[1:], start=1):
        if len([c for c in chosen if not c.is_item]) >= limit:
            break
        if u in chosen or _same(u, chosen):
            continue
        if not t.join and u.p < max(t.add_min, t.add_ratio * best.p):
            continue
        add = (
            join.joins(candidate(q, u, rank, chosen, hits, best), t)
            if t.join
            else _joins_by_rule(q, u, chosen, hits, best, t)
        )
        if add:
            chosen.extend(x for x in _expand(u, units, q, t) if x not in chosen)
    if q.plural and q.kind in TYPED and on("breadth"):
        _add_breadth(q, ranked, units, chosen, limit, t)
    if on("complement"):
        _add_complement(q, ranked, units, chosen, hits, stats, limit, t)
    # A question that names two documents ("what does the review say …, and the study?") is
    # answered from each: the best sentence of a named document the answer lacks joins it.
    for doc in q.docs if on("each_document") else ():
        if any(hits[c.hit].chunk.doc_id == doc for c in chosen):
            continue
        u = next(
            (
                u
                for u in ranked
                if hits[u.hit].chunk.doc_id == doc and not _heading(u) and _on_subject(u, q)
            ),
            None,
        )
        if u is not None and u.p >= DOC_MIN:
            chosen.extend(x for x in _expand(u, units, q, t) if x not in chosen)
    if q.plural and on("counted_list"):
        chosen.extend(x for x in _counted_list(chosen[0], units, hits) if x not in chosen)
    return chosen


# A sentence joins a question of several parts for what the answer's sentences leave of it
# (rule ``complement``) from this answer probability, among the best ranks, when it says this
# share of the question's (idf-weighted) words that are no names (0.3 measured too, and every
# question rather than those of several parts: README, twenty-second session).
COMPLEMENT_MIN_P = 0.1
COMPLEMENT_GAIN = 0.2
COMPLEMENT_RANKS = 8


def _add_complement(
    q: Question,
    ranked: list[Unit],
    units: list[Unit],
    chosen: list[Unit],
    hits: Sequence[Hit],
    stats: TermStats,
    limit: int,
    t: Tuning,
) -> None:
    """A question of several parts whose answer leaves some of its words unsaid ("The network
    co-chaired by ECLAC and IOM supports which agreement, and how does that agreement describe
    its scope?": the network's members answer the first part): the sentence of the same
    document that says most of what is left, the question's names aside (its passage's
    heading says those), when it says at least ``COMPLEMENT_GAIN`` of the question's weight.
    English only: another language's words meet the text through cognates, not roots."""
    if q.lang != "en" or len(q.parts) < 2:
        return
    if len([c for c in chosen if not c.is_item]) >= limit:
        return
    aside = q.context_roots | {root(n) for n in q.names}  # the statement's words, the names
    weights = {r: stats.idf(r) for r in (root(x) for x in q.terms) if r not in aside}
    total = sum(weights.values())
    if total <= 0:
        return
    have: set[str] = set()
    for c in chosen:
        ch = hits[c.hit].chunk
        have |= root_set(f"{c.text} {ch.title} {ch.publisher} {ch.section}")
    left = {r: w for r, w in weights.items() if r not in have}
    doc = hits[chosen[0].hit].chunk.doc_id
    best, gain = None, 0.0
    for u in ranked[:COMPLEMENT_RANKS]:
        if u in chosen or _same(u, chosen) or _heading(u) or u.p < COMPLEMENT_MIN_P:
            continue
        if hits[u.hit].chunk.doc_id != doc:
            continue
        g = sum(left.get(r, 0.0) for r in root_set(u.text)) / total
        if g > gain:
            best, gain = u, g
    if best is not None and gain >= COMPLEMENT_GAIN:
        chosen.extend(x for x in _expand(best, units, q, t) if x not in chosen)


def _counted_list(lead: Unit, units: list[Unit], hits: Sequence[Hit]) -> list[Unit]:
    """The list a sentence counts, when it opens the next passage: "… at four pilot border
    crossings …" ends one passage and "The borders … are:" with four items opens the next.
    [] when the lead is not its passage's last sentence, or the counts differ."""
    mine = [u for u in units if u.hit == lead.hit]
    here = hits[lead.hit].chunk
    if lead.is_item or lead.pos != max(u.pos for u in mine):
        return []
    after = next(
        (
            i
            for i, h in enumerate(hits)
            if h.chunk.doc_id == here.doc_id and 0 <= h.chunk.start - here.end <= 4
        ),
        None,
    )
    if after is None:
        return []
    theirs = sorted((u for u in units if u.hit == after), key=lambda u: u.pos)
    if len(theirs) < 3 or theirs[0].is_item:
        return []
    items = _items_from(theirs, 1)
    if len(items) >= 2 and len(items) in _stated_counts(lead.text):
        return [theirs[0], *items]
    return []


def _stated_counts(text: str) -> set[int]:
    """The counts a sentence states, in figures or (the documents' language) in words."""
    count = words("en").count
    return {n for w in re.findall(r"\w+", text) if (n := count(w)) is not None}


def first_units(
    q: Question,
    ranked: list[Unit],
    units: list[Unit],
    hits: Sequence[Hit],
    stats: TermStats,
    embedder: Embedder | None,
    t: Tuning = DEFAULT_TUNING,
) -> list[Unit]:
    """The best sentence with what it brings along, and the best for each further part of the
    question: what an answer holds before anything joins it."""
    chosen = _expand(ranked[0], units, q, t)
    for part in q.parts[1:] if on("parts") else ():
        pq = _part(q, part)
        sub = score_units(pq, hits, stats, embedder, t)
        # "…, and when was it done?": the part's answer holds a date (an amount, a name …).
        typed = [u for u in sub if u.spans and u.p >= t.strict_min] if pq.strict else []
        if not sub:
            continue
        top = max(typed or sub, key=lambda u: u.p)
        mine = next((u for u in units if (u.hit, u.pos) == (top.hit, top.pos)), None)
        if mine is not None and mine not in chosen and (top.p >= t.part_min or typed):
            chosen.extend(x for x in _expand(mine, units, q, t) if x not in chosen)
    return chosen


def candidate(
    q: Question, u: Unit, rank: int, chosen: list[Unit], hits: Sequence[Hit], best: Unit
) -> join.Candidate:
    """``u`` as the join model sees it, beside what the answer holds so far."""
    return join.Candidate(
        p=u.p,
        best=best.p,
        rank=rank,
        same_passage=any(c.hit == u.hit for c in chosen),
        same_doc=hits[u.hit].chunk.doc_id == hits[best.hit].chunk.doc_id,
        adjacent=any(c.hit == u.hit and abs(c.pos - u.pos) == 1 for c in chosen),
        item=u.is_item,
        sibling=u.is_item and any(c.is_item and c.hit == u.hit for c in chosen),
        typed=bool(u.spans),
        new_names=bool(u.spans) and _new_names(u, chosen),
        plural=q.plural,
        strict=q.strict,
    )


def _joins_by_rule(
    q: Question, u: Unit, chosen: list[Unit], hits: Sequence[Hit], best: Unit, t: Tuning
) -> bool:
    """The joining rules a model file without a join model keeps."""
    # Unsure of the best, add the runner-up; but a plural question asking for names gets
    # only sentences that name something new on its subject (see _add_breadth).
    close = u.p >= best.p - t.tie and on("tie")
    unsure = (best.p < t.sure or close) and not (q.strict and q.plural) and on("runner_up")
    # ... and the runner-up is from the same document (another document's is another
    # subject, unless a part of the question asks for it: parts are added above)
    same_doc = hits[u.hit].chunk.doc_id == hits[best.hit].chunk.doc_id
    unsure = unsure and (same_doc or not on("runner_up_same_doc"))
    # An item of a list already quoted: the list is one answer ("How is UNICEF supporting
    # …?" -> its items that score).
    sibling = u.is_item and any(c.is_item and c.hit == u.hit for c in chosen)
    sibling = sibling and on("list_siblings")
    return unsure or sibling


def _add_breadth(
    q: Question, ranked: list[Unit], units: list[Unit], chosen: list[Unit], limit: int, t: Tuning
) -> None:
    """A plural question ('which initiatives … include Ecuador?') is answered by names found in
    several passages: add the best sentence of each other passage that names something new on
    the question's subject."""
    seen = {c.hit for c in chosen}
    for u in ranked:
        if len([c for c in chosen if not c.is_item]) >= limit:
            break
        if u.hit in seen or u.p < t.breadth_min:
            continue
        seen.add(u.hit)
        if u.spans and _on_subject(u, q) and _new_names(u, chosen) and not _same(u, chosen):
            chosen.extend(x for x in _expand(u, units, q, t) if x not in chosen)


def _heading(u: Unit) -> bool:
    """A heading alone ("Executive summary") says where, not what: it answers nothing."""
    return u.features[FEATURES.index("heading")] > 0


def _answering(
    q: Question, ranked: list[Unit], t: Tuning, stats: TermStats, hits: Sequence[Hit]
) -> list[Unit]:
    """The good sentences that hold a span of the asked-for kind, best first. In English 'good'
    is a probability and the question's names; a question in another language scores lower
    against English sentences and its names may be translated ('BID' for IDB), so they cannot
    say the sentence is on its subject: there, the best sentence, at the same least probability.
    (On the ten readable sets every answered question in another language had its span in the best
    sentence; a lower one holding a span was about another subject: 'Ecuador and Jamaica' for
    the countries of an initiative the documents name none of.)"""
    # "Which countries …?" asks for a list of them: one country named in passing is no answer.
    least = 2 if q.span_kind == "country" and q.plural and on("country_list") else 1
    # "Which two agencies jointly lead …?": a sentence naming just two answers it, however it
    # says the rest ("co-led by UNHCR and IOM", "INTERPOL and the UNODC")
    counted = names_counted(q.text, q.lang) if q.kind == "actor" and on("names_counted") else 0
    just = [
        u
        for u in ranked
        if counted and u.p >= t.strict_min and len(u.spans) == counted and one_run(u.text, u.spans)
    ]
    named = {id(u) for u in just}
    # "Which coordination mechanisms …?": names set beside the asked-for noun ("coordination
    # mechanisms, particularly the REDLAC …") are of that kind.
    heads = head_roots(q, stats) if on("head_beside") else set()
    apposed = {id(u) for u in ranked[:HEAD_RANKS] if u.p >= t.strict_min and beside(u, heads)}
    exact = _asks_exact(q)
    if q.lang != "en":
        lead = [u for u in ranked if id(u) in apposed][:1] or ranked[:1]
        return just or [
            u
            for u in lead
            if len(u.spans) >= least
            and not (exact and _vague_only(u))
            and _figure_or_named(u, q, stats, hits[u.hit])
            and _in_years(u, q)
            and u.p >= t.strict_min
            and _says_actor_verb(u, q)
        ]
    predicate = q.predicate_roots
    # "When / where is the conference …?": the date or place of the thing asked about (a
    # question of several parts asks it of each part's own things)
    timed = q.kind in ("date", "place") and len(q.parts) == 1 and on("on_thing")
    things = {root(x) for x in q.things if stats.known(x)} if timed else set()
    found = [
        u
        for u in ranked
        if len(u.spans) >= least
        and _in_years(u, q)
        and u.p >= t.strict_min
        and not (exact and _vague_only(u))
        and _figure_or_named(u, q, stats, hits[u.hit])
        and (id(u) in named or (_on_subject(u, q) and _on_predicate(u, q, predicate, hits)))
        and _on_thing(u, things, hits)
    ]
    # The sentence that names as many as asked before one that names fewer ('INTERPOL-led').
    return sorted(found, key=lambda u: (id(u) not in named, id(u) not in apposed))


def _unspelled(q: Question, ranked: Sequence[Unit], hits: Sequence[Hit]) -> bool:
    """'What does MRD stand for?' where nothing the passages say spells the acronym out: no
    sentence gives it after its name ("Knowledge for Development and Diplomacy (K4DD)") and
    no name in their text, headings or titles has its initials ("Mixed Migration Centre" for
    MMC). A sentence that only uses it ("the LAC MRD Coalition") does not say what it stands
    for."""
    kind = q.span_kind
    if not kind.startswith("expansion:") or not on("expansion_spelled"):
        return False
    if any(find_spans(u.text, kind) for u in ranked):
        return False
    initials = kind.split(":", 1)[1].replace("-", "").lower()
    return not any(
        initials in spelled_acronyms(f"{h.chunk.title}\n{h.chunk.section}\n{h.chunk.text}")
        for h in hits
    )


def _unknown_names(q: Question, stats: TermStats) -> tuple[str, ...]:
    """The names the question uses that the documents never do. In another language a name
    may be the translation of one the English documents use ("PNUD" for UNDP): only its
    countries and regions are checked, by their English names, every word of one ('Costa
    Rica')."""
    if q.lang == "en":
        return tuple(n for n in q.names if not stats.known(n))
    if not on("foreign_places"):
        return ()
    places = places_named(q.text, q.lang)
    return tuple(p for p in places if not all(stats.known(t) for t in terms(p)))


def _counts_unknown(q: Question, stats: TermStats) -> bool:
    """'How many staff …' where the documents never say 'staff' (nor a word that counts the
    same things, spans.count_class): no count of them is there to give. In another language, a
    counted word that no cognate or lexicon word of the documents says either ("¿Cuántos
    hospitales …?")."""
    if not on("unknown_counted"):
        return False
    return any(
        t != "%"
        and t not in q.names
        and not (stats.known(t) if q.lang == "en" else english_of(t, q.lang, stats))
        and not counts_like(t)
        for t in q.counted
    )


def _in_years(u: Unit, q: Question) -> bool:
    """A question about a year ('… in 2022?') is not answered by a sentence about others only
    ('… in 2023'); a sentence that names no year may still be about it."""
    asked = set(_YEAR.findall(q.focus or q.text))
    said = set(_YEAR.findall(u.text))
    return not asked or not said or bool(asked & said) or q.kind == "date" or not on("in_years")


_YEAR = re.compile(rf"\b{YEAR}\b")
_NOT_ACTOR = packs().pattern("actor_said_not")
_EXACT = re.compile(rf"\b(?:{packs().alternation('question.exact')})\b", re.I)
_VAGUE = re.compile(rf"(?:{packs().alternation('spans.vague_number')})", re.I)


def _asks_exact(q: Question) -> bool:
    """'Exactly how many …?', 'the exact number of …': a count with a number."""
    return q.kind == "number" and on("exact_count") and bool(_EXACT.search(q.focus or q.text))


def _vague_only(u: Unit) -> bool:
    """Every count the sentence gives is no number ("millions of refugees"): no answer to an
    exact count."""
    return all(_VAGUE.fullmatch(u.text[s:e]) for s, e in u.spans)


def _figure_or_named(u: Unit, q: Question, stats: TermStats, hit: Hit) -> bool:
    """An amount that gives no figure ("billions of dollars") is what its sentence says of its
    own subject: it answers only where the sentence (with its title and section) names every
    name of the question that the documents use, and says a word the question asks of them
    ("How much do crime groups earn …?"): not what Canada put into Project Turquesa, nor the
    project's budget."""
    if q.kind != "amount" or not on("vague_named"):
        return True
    if any(c.isdigit() for a, b in u.spans for c in u.text[a:b]):  # a figure: "$25 million"
        return True
    need = {root(fold(n)) for n in q.names if stats.known(fold(n))}
    text = f"{hit.chunk.title} {hit.chunk.section} {u.text}"
    named = need <= root_set(text) | {root(a) for a in spelled_acronyms(text)}
    asked = {root(t) for t in q.terms} - {root(n) for n in q.names}
    return named and bool(asked & root_set(u.text))


def _on_predicate(u: Unit, q: Question, predicate: set[str], hits: Sequence[Hit]) -> bool:
    """For 'who/which …' questions, the sentence says something of what is asked about its
    subject (a word of the predicate: 'lead', 'fund', 'co-chair'), or names beside it."""
    if q.kind != "actor" or not on("on_predicate"):
        return True
    if q.actor_verbs and on("actor_verb"):  # "Who heads …?": only a sentence saying who heads
        return _says_actor_verb(u, q) and says_object(u, q, hits[u.hit])
    return (
        not predicate
        or u.features[FEATURES.index("beside")] > 0
        or bool(predicate & root_set(u.text))
    )


def _says_actor_verb(u: Unit, q: Question) -> bool:
    """For "who leads / heads / chairs …" (in any language), the sentence says so: "co-led by
    UNHCR and IOM", "INTERPOL-led" (the verb of a hyphenated word says it too); "has led to …"
    leads nothing."""
    if q.kind != "actor" or not q.actor_verbs or not on("actor_verb"):
        return True
    said = _NOT_ACTOR.sub(" ", u.text)
    return bool(q.actor_verbs & (root_set(said) | root_set(said.replace("-", " "))))


def _on_thing(u: Unit, things: set[str], hits: Sequence[Hit]) -> bool:
    """The sentence's passage says one of the things the question asks about, when it asks
    about one the documents know ('When is the conference …?': a date in a passage on the
    study that no conference is named in is no answer)."""
    return not things or bool(things & root_set(hits[u.hit].chunk.text))


def _on_subject(u: Unit, q: Question) -> bool:
    """The sentence (with its heading and the sentence it refers back to) names at least half
    of what the question names: a count about something else does not answer."""
    return not q.names or u.features[FEATURES.index("names")] >= 0.5 or not on("on_subject")


def _part(q: Question, part: str) -> Question:
    sub = analyse(part, q.lang)
    # A part leans on the whole question for its subject: "…, and what does it recommend?"
    return Question(
        part,
        q.lang,
        sub.kind,
        tuple(dict.fromkeys(sub.terms + q.names)),
        q.names,
        (part,),
        "no",
        part,
    )


def _new_names(u: Unit, chosen: list[Unit]) -> bool:
    have = {fold(c.text[s:e]) for c in chosen for s, e in c.spans}
    return any(fold(u.text[s:e]) not in have for s, e in u.spans)


def _expand(unit: Unit, units: list[Unit], q: Question, t: Tuning) -> list[Unit]:
    """A list item brings its lead-in and siblings; a sentence announcing a list brings it; a
    sentence whose next one goes on about the same thing brings it when that one scores too."""
    same = [u for u in units if u.hit == unit.hit]
    if unit.is_item:
        start = unit.pos
        while start > 0 and same[start - 1].is_item:
            start -= 1
        items = _items_from(same, start)
        # Items that each open with their own label ("- International Labour Organisation (ILO):
        # Structured around …") are separate entries: the best one answers alone. Other items
        # are one list, and a plural question gets all of it, with its lead-in.
        if not q.plural or (_labelled(items) and on("labelled_items")):
            return [unit]
        lead = [same[start - 1]] if start > 0 else []
        return lead + items
    if q.strict and not q.plural and unit.spans and on("span_alone"):
        return [unit]  # "… 2022-2025: … four pillars:" already holds the date asked for
    nxt = same[unit.pos + 1] if unit.pos + 1 < len(same) else None
    after = same[unit.pos + 2] if unit.pos + 2 < len(same) else None
    if _ANNOUNCES.search(unit.text) and nxt is not None and after is not None and after.is_item:
        # "… the following four priorities. Each priority is broken down …" then the list
        return [unit, nxt] + _items_from(same, unit.pos + 2)
    if (
        nxt is not None
        and on("next_sentence")
        and not nxt.is_item
        and nxt.p >= t.next_min
        and (ANAPHOR.match(nxt.text) or q.plural)
    ):
        after_next = same[nxt.pos + 1] if nxt.pos + 1 < len(same) else None
        if after_next is not None and after_next.is_item:  # it leads in to a list: say it
            return [unit, nxt] + _items_from(same, nxt.pos + 1)
        return [unit, nxt]
    return [unit]


_ANNOUNCES = re.compile(rf"\b(?:{packs().alternation('choose.announces')})\b|:$", re.I)


_LABEL = re.compile(r"^- [^:;]{3,90}:\s")


def _labelled(items: list[Unit]) -> bool:
    return len(items) > 1 and all(_LABEL.match(u.text) for u in items)


def _items_from(same: list[Unit], start: int) -> list[Unit]:
    out = []
    for u in same[start:]:
        if not u.is_item or len(out) >= MAX_ITEMS:
            break
        out.append(u)
    return out


def _same(u: Unit, chosen: list[Unit]) -> bool:
    """Near-duplicate sentences (the same claim in two passages) are said once."""
    a = root_set(u.text)
    for c in chosen:
        b = root_set(c.text)
        if a and b and len(a & b) / min(len(a), len(b)) > 0.8:
            return True
    return False
