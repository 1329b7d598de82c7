"""Sentence scores: every sentence of the retrieved passages gets a probability of answering the
question, from a logistic model over generic features (lemma coverage, multilingual similarity,
an answer of the asked-for kind, the passage's rank ...: app/rag/features.py). Its weights are fitted by
``python -m eval.fit_reader`` on one question set and checked on the other; no feature names a
question, a phrase or an entity. What the answer then says is app/rag/choose.py's part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

import numpy as np

from app.rag.cues import ANAPHOR, PURPOSE_ASKED
from app.rag.features import FEATURES, Asked, Sentence, cover, vector
from app.rag.model import DEFAULT_TUNING, Tuning
from app.rag.question import Question, needs_context
from app.rag.rules import on
from app.rag.spans import Span, counts_like, marked_spans, new_spans
from app.rag.termstats import TermStats, root_set, spelled_acronyms
from app.rag.text import split_sentences
from index.embed import Embedder
from index.lang import packs
from index.lang.lexicon import in_english
from index.lemmas import root, terms
from index.parts import doc_names, names_document, unarticled
from index.types import Hit
from index.vectors import PersistedEmbedder
from ingest.types import Chunk

TYPED = frozenset({"amount", "number", "date", "place", "actor"})
STRONG = frozenset({"amount", "number", "date", "place"})

# The features are named functions (app/rag/features.py, FEATURES in the model's order); the
# weights, the no-answer model and the thresholds are data: app/rag/reader_model.json, written
# by `python -m eval.fit_reader --write` (see app/rag/model.py).


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


def score_units(
    q: Question,
    hits: Sequence[Hit],
    stats: TermStats,
    embedder: Embedder | None,
    t: Tuning = DEFAULT_TUNING,
) -> list[Unit]:
    weights_v = np.array(t.weights, dtype=np.float64)
    # An ablated feature is replaced by its mean on the data the weights were fitted on.
    off = [i for i, n in enumerate(FEATURES) if n in t.off]
    means = np.array(t.means, dtype=np.float64)
    names = {root(n) for n in q.names}
    # A question in Spanish, Portuguese or French meets the English text by cognates where
    # there are some ("recomendaciones" -> "recommendation", "migrantes" -> "migrant") and by
    # its language pack's lexicon ("enfoque" -> "approach").
    bridge = (
        {}
        if q.lang == "en"
        else {
            root(t): set(c)
            for t in q.terms
            if (c := english_of(t, q.lang, stats)) and not stats.known(t)
        }
    )

    def bridged(got: AbstractSet[str]) -> AbstractSet[str]:
        return got | {t for t, cs in bridge.items() if cs & got} if bridge else got

    sents: list[tuple[int, int, str, AbstractSet[str], AbstractSet[str], AbstractSet[str]]] = []
    for i, hit in enumerate(hits):
        c = hit.chunk
        head_text = f"{c.title} {c.publisher} {c.section}"
        header = bridged(root_set(head_text) | _acronyms(head_text, names))
        previous: AbstractSet[str] = set()
        for j, sent in enumerate(split_sentences(hit.chunk.text)):
            have = bridged(root_set(sent))
            # "It aims to..." is about what the sentence before named: lend it those terms.
            context = header | (previous if ANAPHOR.match(sent) else set())
            sents.append((i, j, sent, have, context, header))
            previous = have | (previous if ANAPHOR.match(sent) else set())
    if not sents:
        return []
    dense = _dense_scores(dense_query(q, [h.chunk for h in hits]), [s[2] for s in sents], embedder)
    q_roots = [root(t) for t in q.terms]
    # The statement before a question is context: its words count for half.
    context_only = q.context_roots
    weights = {
        t: min([stats.idf(c) for c in bridge.get(t, ())] or [stats.idf(t)])
        * (0.5 if t in context_only else 1.0)
        for t in q_roots
    }
    typed = q.kind in TYPED
    asked = Asked(
        weights,
        tuple(q_roots),
        frozenset(names),
        typed=typed,
        strong=q.kind in STRONG,
        plural=q.plural,
        purpose=bool(PURPOSE_ASKED.search(q.focus or q.text)),
        max_dense=float(dense.max()),
        top_score=max(h.score for h in hits) or 1.0,
    )
    lexical = [cover(asked, s[3]) for s in sents]
    asked = replace(asked, max_lexical=max(lexical))
    predicate = q.predicate_roots  # what is asked: "co-chair", "fund"
    passage: dict[int, AbstractSet[str]] = {}
    for i, _, _, have, context, _ in sents:
        passage[i] = passage.get(i, set()) | have | context
    # What a count counts, in the corpus's words: "UN entities" is said "19 agencies", so a
    # word the documents never use, or a name qualifying the noun, cannot be checked.
    known_counted = tuple(t for t in q.counted if t == "%" or (stats.known(t) and t not in q.names))
    if q.lang != "en":  # "Quantos migrantes …": counted by their English cognates, if any
        # … or by the count class the packs put them in ("países" counts countries)
        known_counted = tuple(
            c
            for t in q.counted
            for c in english_of(t, q.lang, stats) or ((t,) if counts_like(t) else ())
        )
    # Unchecked, a count of another thing the question names is still no answer; a question
    # that counts nothing by name ("How big is R4V?") takes a count of anything.
    uncounted = (
        ()
        if known_counted or q.lang != "en" or (not q.counted and on("size_any_count"))
        else tuple(x for x in q.terms if x not in q.counted and x not in q.names)
    )
    name_roots = {root(n) for n in q.names}
    out = []
    for (i, j, sent, have, context, header), d, lex in zip(sents, dense, lexical, strict=True):
        spans = (
            tuple(new_spans(sent, q.span_kind, q.terms, known_counted, uncounted)) if typed else ()
        )
        marks, beside = (
            marked_spans(sent, list(spans), set(q_roots), predicate, name_roots)
            if spans
            else ((), False)
        )
        s = Sentence(
            asked,
            sent,
            i,
            j,
            have,
            context,
            header,
            passage[i],
            # A name counts as the acronym it spells, for the question's names only.
            _acronyms(sent, names),
            float(d),
            hits[i].score,
            spans,
            beside,
        )
        f = vector(s)
        if off:
            fv = np.array(f)
            fv[off] = means[off]
            f = tuple(float(v) for v in fv)
        p = 1.0 / (1.0 + math.exp(-float(np.dot(weights_v, f))))
        out.append(Unit(i, j, sent, s.is_item, lex, float(d), f, p, spans, marks))
    return out


def english_of(term: str, lang: str, stats: TermStats) -> tuple[str, ...]:
    """The documents' roots a word of a question in another language says: its cognates
    ("migrantes" -> "migrant") and its pack's lexicon ("piliers" -> "pillar")."""
    said = sorted(c for c in in_english(term, lang) if stats.known(c))
    return tuple(dict.fromkeys([*stats.cognates(term), *said]))


def dense_query(q: Question, chunks: Sequence[Chunk]) -> str:
    """What score_units embeds to compare ``q`` with the sentences of ``chunks``: the question
    that asks, unless it leans on what came before ("And who pays for it?"), unnamed."""
    asking = q.focus if q.focus and needs_context(q.focus, q.lang) == "no" else q.text
    asking = unnamed(asking, chunks)
    return names_as_it(asking, chunks) if q.claim and on("claim_by_meaning") else asking


def names_as_it(statement: str, chunks: Sequence[Chunk]) -> str:
    """A statement with the names of its subject and document said as "it" ("K4DD holds R4V up
    as a model" -> "It holds it up as a model"): the names (acronyms) that the passages' section
    headings hold, or that name a document. Its source is searched among those passages, where
    every sentence is about them; what is left is what it claims, and the sentence that claims
    the same in other words ("the Platform … could be replicated") must not be outscored by
    every sentence that repeats the names. Other names ("UNHCR co-leads R4V") are the claim."""
    held = {n for ns in doc_names(chunks).values() for n in ns if " " not in n}
    for c in chunks:
        held |= {w.lower() for w in _ACRONYM.findall(c.section)} | spelled_acronyms(c.section)
    it = packs().text("document.it", "en")
    out = statement
    for w in dict.fromkeys(_ACRONYM.findall(statement)):
        if w.lower() in held:
            out = re.sub(rf"(?<![\w-]){re.escape(w)}(?![\w-])", it, out)
    out = out[:1].upper() + out[1:]
    return out if len(terms(out)) >= 2 else statement


_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\b")  # "R4V", "UNHCR", "K4DD"


def unnamed(question: str, chunks: Sequence[Chunk]) -> str:
    """The question with the documents it names said as "it" ("What does the IECAH study
    propose?" -> "What does it propose?"): retrieval has already gone to that document, and
    within it a sentence that names the study ("This study, presented on …") would otherwise
    match every question about the study."""
    names = {w for ws in doc_names(chunks).values() for w in ws}
    nouns = sorted({w.rsplit(" ", 1)[1] for w in names if unarticled(w)})
    if not nouns:
        return question
    pat = re.compile(
        rf"\b(?:{packs().alternation('document.determiner')})\s+((?:[\w-]+\s+){{0,3}}?)"
        rf"({'|'.join(nouns)})\b",
        re.I,
    )

    def named(m: re.Match[str]) -> str:
        named = names_document(terms(m.group(1)), m.group(2).lower(), names)
        return packs().text("document.it", "en") if named else m.group()

    out = pat.sub(named, question)
    return out if len(terms(out)) >= 2 else question


def _acronyms(text: str, names: set[str]) -> AbstractSet[str]:
    """The question's names that the text spells out ('International Labour Organization')."""
    return spelled_acronyms(text) & names if names else set()


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
