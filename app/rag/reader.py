"""The answer-first reader: scores every sentence of the retrieved passages as an answer to the
question, picks the fewest that answer it, marks the span that does, and says when the
documents discuss the subject without holding what was asked (a near miss).

Sentence scores are a logistic model over generic features (lemma coverage, multilingual
similarity, an answer of the asked-for kind, the passage's rank ...). Its weights are fitted
by ``python -m eval.fit_reader`` on one question set and checked on the other; no feature
names a question, a phrase or an entity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.rag.question import Question
from app.rag.spans import Span, marked_spans, new_spans
from app.rag.text import split_sentences
from index.embed import Embedder
from index.lemmas import fold, root, terms
from index.retrieve import Prepared
from index.types import Hit
from index.vectors import PersistedEmbedder
from ingest.types import Chunk

MAX_ITEMS = 10
_ANAPHOR = re.compile(
    r"^(It|Its|This|These|They|Their|Such|The (Strategy|Programme|Program|Network|Initiative|"
    r"Platform|Centre|Center|project|Project|study|Study|Facility|Plan|Observatory|Laboratory))\b"
)
TYPED = frozenset({"amount", "number", "date", "place", "actor"})
STRONG = frozenset({"amount", "number", "date", "place"})

FEATURES = (
    "bias",
    "lexical",
    "context",
    "dense",
    "dense_gap",
    "span_new",
    "span_missing",
    "rank_prior",
    "first",
    "log_words",
    "names",
    "novelty",
    "lead_in",
    "lexical_gap",
    "body",
    "heading",
    "item",
    "passage",
    "hit_score",
    "bigrams",
    "span_strong",
    "names_here",
    "rare",
    "beside",
)
# Fitted by `python -m eval.fit_reader` (logistic regression, labels: the sentence holds a gold
# evidence span); see the README's "Answers" section for the folds.
WEIGHTS = np.array(
    [-24.14, 2.92, 2.53, 21.31, 12.75, 1.24, -1.80, 2.37, -0.68, -0.28, 0.37, 3.33, -4.80, 2.38]
    + [2.04, -1.35, 3.01, -0.23, 1.74, -0.61, -0.13, -1.52, 0.19, 1.32],
    dtype=np.float64,
)


@dataclass(frozen=True)
class Tuning:
    """The reader's thresholds, chosen by `python -m eval.fit_reader --grid` (see the README)."""

    answer_min: float = 0.02  # the best sentence must reach this, or the answer is refused
    strict_min: float = 0.05  # a sentence holding the asked-for span must reach this
    add_min: float = 0.2  # a further sentence must reach this ...
    add_ratio: float = 0.6  # ... and this share of the best sentence's probability
    sure: float = 0.95  # above this the best sentence answers alone (unless a part is open)
    part_min: float = 0.2  # the best sentence for a question's second part must reach this
    breadth_min: float = 0.3  # "which initiatives…": another passage's name on the subject
    next_min: float = 0.35  # a sentence that goes on about the same thing joins at this
    max_factoid: int = 2
    max_list: int = 4


@dataclass(frozen=True)
class Unit:
    """A sentence or list item of a retrieved passage, scored as an answer."""

    hit: int  # index into the hits
    pos: int  # position within the passage
    text: str
    is_item: bool
    lexical: float
    dense: float
    features: tuple[float, ...]
    p: float  # probability that the sentence answers the question
    spans: tuple[Span, ...]  # spans of the asked-for kind that the question does not hold
    marks: tuple[Span, ...] = ()  # the spans to show as the answer (see spans.marked_spans)

    @property
    def span(self) -> Span | None:
        return self.marks[0] if self.marks else None


@dataclass(frozen=True)
class Reading:
    """What the reader made of the passages."""

    question: Question
    units: tuple[Unit, ...]  # the answer's sentences, in passage order
    ranked: tuple[Unit, ...]  # every sentence, best first
    best: float
    coverage: float  # lexical coverage of the question by the best sentence
    unknown_names: tuple[str, ...]
    missing: str  # a strict kind asked for that no good sentence holds ("" when none)
    dense: float  # best multilingual similarity

    tuning: Tuning = Tuning()

    @property
    def refused(self) -> bool:
        return not self.units or bool(self.unknown_names) or self.best < self.tuning.answer_min

    @property
    def near_miss(self) -> bool:
        """The subject is there, the asked-for amount, number or date is not."""
        return bool(self.missing) and not self.refused


TERM_DF = "reader.term_df"  # the key of the document frequencies in Prepared.extras


class TermStats:
    """Document frequencies of lemma roots over the indexed chunks: idf weights, unknown names."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        self.n = max(1, len(chunks))
        df: Counter[str] = Counter()
        for c in chunks:
            df.update({root(t) for t in terms(f"{c.title} {c.publisher} {c.section} {c.text}")})
        self.df = df

    @classmethod
    def of(cls, prepared: Prepared) -> TermStats:
        """The statistics saved with the retriever's prepared state (see index/snapshot.py),
        or derived now and kept there."""
        saved = prepared.extras.get(TERM_DF)
        if isinstance(saved, Counter):
            stats = cls.__new__(cls)
            stats.n, stats.df = max(1, len(prepared.chunks)), saved
            return stats
        stats = cls(prepared.chunks)
        prepared.extras[TERM_DF] = stats.df
        return stats

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(root(term), 0)))

    def known(self, term: str) -> bool:
        return self.df.get(root(term), 0) > 0


def read(
    q: Question,
    hits: Sequence[Hit],
    stats: TermStats,
    embedder: Embedder | None,
    t: Tuning = Tuning(),
) -> Reading:
    """Score the sentences of ``hits`` against ``q`` and compose the answer's units."""
    units = score_units(q, hits, stats, embedder)
    # Only in English: a name in another language may be the translation of one the English
    # documents use ("PNUD" for UNDP), and the multilingual scores carry those questions.
    unknown = tuple(n for n in q.names if not stats.known(n)) if q.lang == "en" else ()
    if not units:
        return Reading(q, (), (), 0.0, 0.0, unknown, "", 0.0, t)
    ranked = sorted(units, key=lambda u: (-u.p, u.hit, u.pos))
    missing = ""
    if q.strict:
        answering = _answering(q, ranked, t)
        if not answering:
            missing = q.kind
        elif answering[0] is not ranked[0]:
            # The sentence that holds what was asked leads the answer (answer-first).
            ranked = [answering[0]] + [u for u in ranked if u is not answering[0]]
    best = ranked[0]
    # In the order composed: the best sentence leads, what it brought along follows it.
    chosen = compose(q, ranked, units, hits, stats, embedder, t)
    dense = max(u.dense for u in units)
    return Reading(
        q, tuple(chosen), tuple(ranked), best.p, best.lexical, unknown, missing, dense, t
    )


def score_units(
    q: Question, hits: Sequence[Hit], stats: TermStats, embedder: Embedder | None
) -> list[Unit]:
    sents: list[tuple[int, int, str, set[str], set[str], set[str]]] = []
    for i, hit in enumerate(hits):
        c = hit.chunk
        header = _roots(f"{c.title} {c.publisher} {c.section}")
        previous: set[str] = set()
        for j, sent in enumerate(split_sentences(hit.chunk.text)):
            have = _roots(sent)
            # "It aims to..." is about what the sentence before named: lend it those terms.
            context = header | (previous if _ANAPHOR.match(sent) else set())
            sents.append((i, j, sent, have, context, header))
            previous = have | (previous if _ANAPHOR.match(sent) else set())
    if not sents:
        return []
    dense = _dense_scores(q.focus or q.text, [s[2] for s in sents], embedder)
    q_roots = [root(t) for t in q.terms]
    # The statement before a question is context: its words count for half.
    context_only = {root(t) for t in q.context_terms} - {
        root(t) for t in q.terms if t not in q.context_terms
    }
    weights = {t: stats.idf(t) * (0.5 if t in context_only else 1.0) for t in q_roots}
    total = sum(weights.values()) or 1.0
    names = {root(n) for n in q.names}
    q_bigrams = set(zip(q_roots, q_roots[1:], strict=False))
    predicate = {root(t) for t in q.predicate}  # what is asked: "co-chair", "fund"
    rare_w = max(weights.values(), default=1.0) or 1.0
    lexical = [sum(w for t, w in weights.items() if t in s[3]) / total for s in sents]
    max_dense, max_lex = float(dense.max()), max(lexical)
    typed = q.kind in TYPED
    passage: dict[int, set[str]] = {}
    for i, _, _, have, context, _ in sents:
        passage[i] = passage.get(i, set()) | have | context
    p_cov = {
        i: sum(w for t, w in weights.items() if t in got) / total for i, got in passage.items()
    }
    top_score = max(h.score for h in hits) or 1.0
    out = []
    for (i, j, sent, have, context, header), d, lex in zip(sents, dense, lexical, strict=True):
        ctx = sum(w for t, w in weights.items() if t in context and t not in have) / total
        # The words that name the document or section say which passage, not what answers.
        body_w = {t: w for t, w in weights.items() if t not in header}
        body = sum(w for t, w in body_w.items() if t in have) / (sum(body_w.values()) or 1.0)
        item = sent.startswith("- ")
        heading = not item and not re.search(r"[.!?:;]\W*$", sent) and len(sent.split()) < 20
        # A count in another language counts a word the English passage words otherwise.
        counted = q.counted if q.lang == "en" else ()
        spans = tuple(new_spans(sent, q.span_kind, q.terms, counted)) if typed else ()
        novelty = len(have - set(q_roots)) / max(1, len(have))
        marks, beside = (
            marked_spans(sent, list(spans), set(q_roots), predicate) if spans else ((), False)
        )
        f = (
            1.0,
            lex,
            ctx,
            float(d),
            float(d) - max_dense,
            float(typed and bool(spans)),
            float(typed and not spans),
            1.0 / (1 + i),
            float(j == 0),
            math.log(1 + len(sent.split())),
            len(names & (have | context)) / len(names) if names else 0.0,
            novelty,
            float(q.plural and sent.rstrip().endswith(":")),
            lex - max_lex,
            body,
            float(heading),
            float(item and q.plural),
            p_cov[i],
            hits[i].score / top_score,
            _bigrams(sent, q_bigrams),
            float(bool(spans) and q.kind in STRONG),
            len(names & have) / len(names) if names else 0.0,
            max((w for t, w in weights.items() if t in have), default=0.0) / rare_w,
            float(beside),
        )
        p = 1.0 / (1.0 + math.exp(-float(np.dot(WEIGHTS, f))))
        out.append(Unit(i, j, sent, item, lex, float(d), f, p, spans, marks))
    return out


def compose(
    q: Question,
    ranked: list[Unit],
    units: list[Unit],
    hits: Sequence[Hit],
    stats: TermStats,
    embedder: Embedder | None,
    t: Tuning = Tuning(),
) -> list[Unit]:
    """The best sentence first; another only for a part of the question not yet answered, a
    list's items, or, when the best is not sure, one nearly as good that is not a repeat."""
    best = ranked[0]
    chosen = _expand(best, units, q, t)
    for part in q.parts[1:]:
        sub = score_units(_part(q, part), hits, stats, embedder)
        if not sub:
            continue
        top = max(sub, key=lambda u: u.p)
        mine = next((u for u in units if (u.hit, u.pos) == (top.hit, top.pos)), None)
        if mine is not None and mine not in chosen and top.p >= t.part_min:
            chosen.extend(x for x in _expand(mine, units, q, t) if x not in chosen)
    limit = t.max_list if q.plural else t.max_factoid
    limit += len(q.parts) - 1
    covered = _covered(chosen)
    for u in ranked[1:]:
        if len([c for c in chosen if not c.is_item]) >= limit:
            break
        if u in chosen or u.p < max(t.add_min, t.add_ratio * best.p) or _same(u, chosen):
            continue
        q_new = {root(x) for x in q.terms} & (_roots(u.text) - covered)
        # Unsure of the best, add the runner-up; but a plural question asking for names gets
        # only sentences that name something new on its subject (below).
        unsure = best.p < t.sure and not (q.strict and q.plural)
        if unsure or (q_new and not (q.strict and q.plural)):
            chosen.extend(x for x in _expand(u, units, q, t) if x not in chosen)
            covered = _covered(chosen)
    if q.plural and q.kind in TYPED:
        _add_breadth(q, ranked, units, chosen, limit, t)
    return chosen


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


def _answering(q: Question, ranked: list[Unit], t: Tuning) -> list[Unit]:
    """The good sentences that hold a span of the asked-for kind, best first. In English 'good'
    is a probability and the question's names; a question in another language scores lower
    against English sentences and its names may be translated ('BID' for IDB): there, one of
    the best three."""
    # "Which countries …?" asks for a list of them: one country named in passing is no answer.
    least = 2 if q.span_kind == "country" and q.plural else 1
    if q.lang != "en":
        return [u for u in ranked[:3] if len(u.spans) >= least]
    return [
        u
        for u in ranked
        if len(u.spans) >= least
        and u.p >= t.strict_min
        and _on_subject(u, q)
        and _on_predicate(u, q)
    ]


def _on_predicate(u: Unit, q: Question) -> bool:
    """For 'who/which …' questions, the sentence says something of what is asked about its
    subject (a word of the predicate: 'lead', 'fund', 'co-chair'), or names beside it."""
    if q.kind != "actor":
        return True
    predicate = {root(t) for t in q.predicate}
    return (
        not predicate
        or u.features[FEATURES.index("beside")] > 0
        or bool(predicate & _roots(u.text))
    )


def _on_subject(u: Unit, q: Question) -> bool:
    """The sentence (with its heading and the sentence it refers back to) names at least half
    of what the question names: a count about something else does not answer."""
    return not q.names or u.features[FEATURES.index("names")] >= 0.5


def _part(q: Question, part: str) -> Question:
    from app.rag.question import analyse

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


def _bigrams(text: str, q_bigrams: set[tuple[str, str]]) -> float:
    """Share of the question's adjacent term pairs that the sentence also has side by side."""
    if not q_bigrams:
        return 0.0
    r = [root(t) for t in terms(text)]
    return len(q_bigrams & set(zip(r, r[1:], strict=False))) / len(q_bigrams)


def _covered(chosen: list[Unit]) -> set[str]:
    out: set[str] = set()
    for c in chosen:
        out |= _roots(c.text)
    return out


def _new_names(u: Unit, chosen: list[Unit]) -> bool:
    have = {fold(c.text[s:e]) for c in chosen for s, e in c.spans}
    return any(fold(u.text[s:e]) not in have for s, e in u.spans)


def _roots(text: str) -> set[str]:
    return {root(t) for t in terms(text)}


def prime_sentence_vectors(
    chunks: Sequence[Chunk], embedder: PersistedEmbedder, progress: bool = False
) -> int:
    """Embed and store every sentence an answer may score, so that no question waits for it;
    returns how many were new (an unchanged corpus costs one lookup per sentence)."""
    from tqdm import tqdm

    todo = embedder.missing(s for c in chunks for s in split_sentences(c.text))
    bar = tqdm(total=len(todo), unit="sentence", desc="sentences", disable=not progress or not todo)
    for i in range(0, len(todo), 64):
        embedder.passages(todo[i : i + 64])
        bar.update(len(todo[i : i + 64]))
    bar.close()
    return len(todo)


def _dense_scores(question: str, texts: list[str], embedder: Embedder | None) -> np.ndarray:
    if embedder is None:
        return np.zeros(len(texts), dtype=np.float32)
    qv = embedder.queries([question])[0]
    return embedder.passages(texts) @ qv


def _expand(unit: Unit, units: list[Unit], q: Question, t: Tuning) -> list[Unit]:
    """A lead-in sentence brings its list; a list item brings its lead-in and siblings; a
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
        if not q.plural or _labelled(items):
            return [unit]
        lead = [same[start - 1]] if start > 0 else []
        return lead + items
    nxt = same[unit.pos + 1] if unit.pos + 1 < len(same) else None
    if nxt is not None and nxt.is_item:  # a lead-in ("… include:")
        return [unit] + _items_from(same, unit.pos + 1)
    after = same[unit.pos + 2] if unit.pos + 2 < len(same) else None
    if _ANNOUNCES.search(unit.text) and nxt is not None and after is not None and after.is_item:
        # "… the following four priorities. Each priority is broken down …" then the list
        return [unit, nxt] + _items_from(same, unit.pos + 2)
    if (
        nxt is not None
        and not nxt.is_item
        and nxt.p >= t.next_min
        and (_ANAPHOR.match(nxt.text) or q.plural)
    ):
        return [unit, nxt]
    return [unit]


_ANNOUNCES = re.compile(r"\b(following|siguientes|seguintes|suivant(e)?s)\b|:$", re.I)
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
    a = _roots(u.text)
    for c in chosen:
        b = _roots(c.text)
        if a and b and len(a & b) / min(len(a), len(b)) > 0.8:
            return True
    return False
