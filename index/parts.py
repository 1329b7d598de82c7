"""Questions that span places: the parts of a two-part question and the documents it names, so
that retrieval can keep each part's best passage, and each named document's, in the top k.

A question has parts when it holds two sentences ("The review calls R4V the largest example.
What does the study propose for it?"), two clauses joined by "and" + a question word ("what
did it develop, and what role did it play"), or two names joined by "and" under "both",
"compare", "differ", "each", "which of the two" ("compare the IOM and ILO strategies"). Parts
with fewer than two content terms ("..., and on what?") are dropped. The reader splits the
question it reads by the same rule (``split_question``), keeping parts of one term or more. A
text of more than three sentences or clauses, or of more than 400 characters, has no parts (it
is searched whole: each part costs a search and an embedding).

A document is named by the first word of its id or of its publisher ("the K4DD review", "the
IECAH study"), by "the <kind>" where its kind is its own ("the study"), or by a word of its own
title before a word for a document ("the coordination review"). "Which of the two" and a
determiner of both before a word for a document ("both reports", "the two docs", "each
document") name every document when there are two.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from index.lang.packs import alternation, packs
from index.lemmas import STOP, fold, terms
from index.types import Hit
from ingest.types import Chunk

_P = packs()
# Where a question splits, the one rule for retrieval and the reader alike: after a sentence
# ("The review calls R4V the largest example. What does …", "…? which orgs …"), and before a
# conjunction that opens another question ("what did it develop, and what role did it play").
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=[¿¡]?[A-Z])|(?<=\?)\s+(?=\S)")
_AND = _P.alternation("parts.conjunction")
# Each language's conjunction before its own clause openers: Portuguese "e" before English "do"
# is no clause ("América Latina e do Caribe").
_CLAUSE = re.compile(
    r"[;,]?\s+(?:"
    + "|".join(
        rf"(?:{alternation(p['parts.conjunction'].words)})\s+"
        rf"(?=(?:{alternation(p['parts.clause_opener'].words)})\b)"
        for p in _P.packs
        if p["parts.conjunction"].words and p["parts.clause_opener"].words
    )
    + ")",
    re.IGNORECASE,
)
_CUE = _P.pattern("parts.compare")
_NAME = r"[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*"
_PAIR = re.compile(rf"\b({_NAME})\s+(?:{_AND})\s+({_NAME})")
_BOTH = re.compile(
    rf",?\s*\b(?:{_P.alternation('parts.both_first')})\s+(.{{3,80}}?)\s+"
    rf"(?:{_P.alternation('parts.both_second')})\s+(.{{3,80}}?)(?=[?.!]*$)",
    re.IGNORECASE,
)
# "which of the two", and a determiner that takes in every document before a word for one
# ("both reports", "the two docs", "each document", "either study").
_ALL_DOCS = re.compile(
    rf"\b(?:{_P.alternation('parts.all_documents')}|(?:{_P.alternation('parts.every_document')})"
    rf"\s+(?:[\w-]+\s+)?(?:{_P.alternation('document.nouns')}|{_P.alternation('document.general')}))\b",
    re.IGNORECASE,
)
_MIN_TERMS = 2
_MAX_PARTS = 3
_MAX_PARTS_CHARS = 400  # the longest question of the four evaluation sets has 192


@dataclass(frozen=True)
class QueryPlan:
    """What a question asks for: its parts (empty when it has one), the documents it names,
    and ``scoped``: the question without the phrases that only say where to look ("in the
    review", "according to the IECAH study"), or "" when it has none."""

    parts: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    scoped: str = ""


def publisher_word(chunk: Chunk) -> str:
    """The first word of a chunk's publisher ("K4DD", "IECAH")."""
    return re.split(r"[\s,(]", chunk.publisher.strip(), maxsplit=1)[0]


def doc_names(chunks: Iterable[Chunk]) -> dict[str, set[str]]:
    """Words that name each document: its id's and its publisher's first word, its kind
    when no other document has that kind ("k4dd", "review"; "iecah", "study"), and "the
    <word> <review, study, report …>" for each word of its title no other title has ("the
    coordination review", "the donor mapping")."""
    names: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    titles: dict[str, str] = {}
    for c in chunks:
        if c.doc_id in names:
            continue
        words = {fold(c.doc_id.split("-")[0])}
        publisher = publisher_word(c)
        if publisher:
            words.add(fold(publisher))
        names[c.doc_id] = {w for w in words if len(w) >= 3}
        kinds[c.doc_id] = fold(c.kind)
        titles[c.doc_id] = c.title
    # A word shared by many documents (a publisher of dozens, an id prefix) names none of
    # them: a question using it would pin, and search alone, each of those documents.
    shared = Counter(w for ws in names.values() for w in ws)
    for ws in names.values():
        ws -= {w for w in ws if shared[w] > _MAX_NAMED}
    for doc_id, kind in kinds.items():
        if kind and list(kinds.values()).count(kind) == 1 and kind not in ("document", "linked"):
            names[doc_id].update(f"{a} {kind}" for a in _ARTICLES)
    # "the coordination review", "the donor mapping": a word of one document's title alone,
    # before a word for a document.
    title_words = {d: set(terms(t)) for d, t in titles.items()}
    for doc_id, own in title_words.items():
        others = set().union(*(w for d, w in title_words.items() if d != doc_id))
        for w in own - others - names[doc_id]:
            if len(w) >= 4 and not w.isdigit():
                names[doc_id].update(f"{a} {w} {noun}" for a in _ARTICLES for noun in _DOC_NOUNS)
    return names


_DOC_NOUNS = _P.words("document.nouns")
# The article of a phrase that names a document: "the study", "the coordination review".
_ARTICLES = _P.words("document.article")
_DESCRIBED = re.compile(
    rf"\b(?:{_P.alternation('document.article')}) ((?:[\w-]+ ){{1,3}}?)({'|'.join(_DOC_NOUNS)})\b"
)


def one_word_names(names: dict[str, set[str]]) -> frozenset[str]:
    """The documents' names of one word ("k4dd", "iecah"), folded, of names as doc_names
    gives them."""
    return frozenset(w for ws in names.values() for w in ws if " " not in w)


def unarticled(name: str) -> str:
    """A document's name without its article ("the study" -> "study"); "" for a name that
    has none ("k4dd")."""
    return next((name[len(a) + 1 :] for a in _ARTICLES if name.startswith(f"{a} ")), "")


_MAX_NAMED = 3  # documents one name may name


def names_document(mods: Sequence[str], noun: str, names: Collection[str]) -> bool:
    """Whether "the <mods> <noun>" names a document, given names as doc_names gives them:
    "the study" (its kind), "the IECAH study" (a name before it), "the regional coordination
    review" (a word of its own title before it)."""
    if not mods:
        return any(f"{a} {noun}" in names for a in _ARTICLES)
    return any(t in names or any(f"{a} {t} {noun}" in names for a in _ARTICLES) for t in mods)


def plan(question: str, names: dict[str, set[str]]) -> QueryPlan:
    """The parts of the question and the documents it names (see the module docstring)."""
    if not terms(question):
        return QueryPlan()
    # Each part is a search of its own, its embedding included (a 600-character sentence
    # costs e5 a second of CPU): only a question of question size has parts.
    parts = _parts(question) if len(question) <= _MAX_PARTS_CHARS else []
    # Each part without the phrase that says where to look, as the whole question: "who leads
    # it according to the donor mapping" asks who leads it, not about the mapping.
    parts = [scoped(p, names) or p for p in parts]
    return QueryPlan(tuple(parts), tuple(named_docs(question, names)), scoped(question, names))


# "took part in the study", "involved in the study": the document is what is asked about.
_SCOPE = (
    "".join(f"(?<!{re.escape(w)} )" for w in _P.words("parts.scope_not_after"))
    + rf"\b(?:{_P.alternation('parts.scope_preposition')})\s+"
    + rf"(?:{_P.alternation('parts.scope_determiner')})\s+"
)


def scoped(question: str, names: dict[str, set[str]]) -> str:
    """The question without "in the review"-like phrases: they name where to look, and in a
    passage's vector they only match the passages that talk about the document itself."""
    pat = _scope_pattern(names)
    if pat is None:
        return ""
    out = " ".join(pat.sub(" ", question).split())
    out = re.sub(r"[,\s]+([?.!])", r"\1", re.sub(r"\s+,", ",", out))
    return out if out != question and len(terms(out)) >= _MIN_TERMS else ""


def split_question(question: str) -> list[str]:
    """The pieces a question asks (see the module docstring): its sentences and the clauses
    that open another question; else both sides of "both A and B" or of a comparison of two
    names ("compare the IOM and ILO strategies"); one piece for a simple question."""
    pieces = [p for s in _SENTENCE.split(question.strip()) for p in _CLAUSE.split(s)]
    if len(pieces) > _MAX_PARTS:  # a pasted text, not a question of parts: searched whole
        return []  # (each part is a search of its own: 20 sentences were 20 searches)
    if len(pieces) < 2 and both_parts(question):
        pieces = both_parts(question)
    elif len(pieces) < 2 and _CUE.search(question) and (m := _PAIR.search(question)):
        pieces = [question.replace(m[0], m[1]), question.replace(m[0], m[2])]
    return pieces


def _parts(question: str) -> list[str]:
    """Retrieval's parts: each piece that says enough to search, a pronoun given the first
    piece's subject."""
    pieces = [p.strip(" ,") for p in split_question(question)]
    subject = subject_of(pieces[0]) if len(pieces) >= 2 else ""
    if subject:  # "what role did it play" -> "what role did it play (IOM)"
        pieces = pieces[:1] + [f"{p} ({subject})" if _PRONOUN.search(p) else p for p in pieces[1:]]
    pieces = [p for p in pieces if len(terms(p)) >= _MIN_TERMS]
    return pieces if len(pieces) >= 2 else []


def asked_parts(text: str) -> tuple[str, ...]:
    """The reader's parts: 'What is it, and what does the study propose?' -> two; a simple
    question -> itself."""
    parts = [p.strip(" ,;?¿") for p in split_question(text)]
    parts = [p for p in parts if len(terms(p)) >= 1]
    return tuple(parts) if len(parts) > 1 else (text.strip(),)


def both_parts(question: str) -> list[str]:
    """ "… both in A and in B?" -> the question about A and the question about B; [] if none."""
    m = _BOTH.search(question)
    return [question.replace(m[0], f" {m[1]}"), question.replace(m[0], f" {m[2]}")] if m else []


_PRONOUN = re.compile(rf"\b(?:{_P.alternation('parts.pronoun')})\b", re.I)


def pronoun_to(text: str, name: str) -> str:
    """``text`` with its first pronoun said as ``name`` ("what role did it play" -> "what role
    did IOM play"); "" when it has none."""
    out = _PRONOUN.sub(name, text, count=1)
    return out if out != text else ""


def subject_of(text: str) -> str:
    """The first name in a part: an acronym, or a capitalised word that is no function word."""
    return next(names_of(text), "")


def names_of(text: str) -> Iterator[str]:
    """The names of a text, in order: its acronyms and capitalised words that are no function
    words."""
    for w in re.findall(r"[\w-]+", text):
        if re.fullmatch(r"[A-Z][A-Z0-9-]+", w) or (w[:1].isupper() and w.lower() not in STOP):
            yield w


_SCOPE_CACHE: list[tuple[dict[str, set[str]], re.Pattern[str] | None]] = []


def _scope_pattern(names: dict[str, set[str]]) -> re.Pattern[str] | None:
    """The pattern of "in the <name> <kind>" phrases, built once per names (a retriever's)."""
    if _SCOPE_CACHE and _SCOPE_CACHE[0][0] is names:
        return _SCOPE_CACHE[0][1]
    words = sorted({w for ws in names.values() for w in ws if " " not in w}, key=len)
    # longest first: "survey review" before "survey", which would leave "review" behind
    kinds = sorted(
        {k for ws in names.values() for w in ws if (k := unarticled(w))}, key=len, reverse=True
    )
    pat = None
    if kinds:
        # a name ("the K4DD review") or the first word of a compound ("the donor-mapping review")
        name = f"(?:(?:{'|'.join(map(re.escape, words))})\\s+|\\w+-)?" if words else r"(?:\w+-)?"
        kind = rf"(?:{'|'.join(map(re.escape, kinds))})\b,?"
        pat = re.compile(_SCOPE + name + kind, re.IGNORECASE)
    _SCOPE_CACHE[:] = [(names, pat)]
    return pat


def says_every_doc(question: str) -> bool:
    """Whether a question asks every document ("both reports", "each of the two documents")."""
    return _ALL_DOCS.search(question) is not None


def named_docs(question: str, names: dict[str, set[str]], every: bool = True) -> list[str]:
    """The documents a question (or a part of one) names, by id; ``every``: "both reports"
    names every document (without it only a document's own name counts)."""
    if every and _ALL_DOCS.search(question) and len(names) == 2:
        return list(names)
    q = fold(question)
    words = set(re.findall(r"[\w-]+", q))
    # "the regional coordination review": each word before the noun may be the one that names
    # it, each word of a compound too ("the donor-mapping review")
    described = [
        (terms(m.group(1)) + terms(m.group(1).replace("-", " ")), m.group(2))
        for m in _DESCRIBED.finditer(q)
    ]
    found = []
    for doc_id, ws in names.items():
        if any((w in q) if " " in w else (w in words) for w in ws) or any(
            names_document(mods, noun, ws) for mods, noun in described
        ):
            found.append(doc_id)
    return found


def merge_parts(
    hits: list[Hit],
    parts: list[list[Hit]],
    docs: Sequence[str],
    in_doc: Callable[[str], list[Hit]],
) -> list[Hit]:
    """The question's ranking with each part's best passage, then each named document's best,
    moved ahead of the rest (in that order, without repeats); scores keep their order."""
    pinned: list[Hit] = []
    seen: set[str] = set()

    def pin(h: Hit | None) -> None:
        if h is not None and h.chunk.chunk_id not in seen:
            pinned.append(h)
            seen.add(h.chunk.chunk_id)

    for ranking in parts:
        pin(ranking[0] if ranking else None)
    for doc_id in docs:
        best = next((h for h in hits if h.chunk.doc_id == doc_id), None)
        if best is None:  # not among the candidates: search that document alone
            best = next(iter(in_doc(doc_id)), None)
        pin(best)
    rest = [h for h in hits if h.chunk.chunk_id not in seen]
    top = max((h.score for h in hits), default=0.0)  # pinned stay ahead in score order too
    out = [
        Hit(h.chunk, max(h.score, top), i + 1, h.dense_score, h.bm25_score)
        for i, h in enumerate(pinned)
    ]
    return out + [
        Hit(h.chunk, h.score, len(out) + i + 1, h.dense_score, h.bm25_score)
        for i, h in enumerate(rest)
    ]


_PREAMBLE = re.compile(r"^(?P<pre>.*?[.!])\s+(?P<ask>[^.!?]*\?)\s*$", re.S)
# A statement set off by a mark of the packs' ("The review holds R4V up as a model; does the
# study agree?"): one that does not itself open as a question ("What does A say; and B?").
_STATEMENT_END = _P.pattern("parts.statement_end")
_OPENS_ASKING = re.compile(rf"(?:^|,)\W*(?:{_P.alternation('parts.clause_opener')})\b", re.I)


def focus_of(text: str) -> tuple[str, str]:
    """A question after a statement ('The review calls R4V the largest example. What does the
    study propose for it?') asks the last sentence; the statement is its context. A statement
    its mark sets off ('K4DD sees R4V as a model; does IECAH agree?') is one too."""
    m = _PREAMBLE.match(text.strip())
    if m and "?" not in m.group("pre"):
        ask, pre = m.group("ask").strip(), m.group("pre").strip()
    else:
        ask, pre = _after_statement(text)
        if not pre:
            return text, ""
    # "UNHCR co-leads R4V … . Was it also involved …?": "it" is the statement's subject.
    subject = _LEADING_NAME.match(pre)
    if subject:
        ask = _SUBJECT_IT.sub(lambda p: p.group(1) + subject.group(1), ask, count=1)
    return ask, pre


def _after_statement(text: str) -> tuple[str, str]:
    """The question after the last statement mark, and the statement before it; ("", "") when
    the part before asks itself or no question follows."""
    marks = list(_STATEMENT_END.finditer(text))
    if not marks:
        return "", ""
    pre, ask = text[: marks[-1].end()].strip(), text[marks[-1].end() :].strip()
    if "?" in pre or not ask.endswith("?") or _OPENS_ASKING.search(pre):
        return "", ""
    return ask, pre


# A statement that opens with a name ("UNHCR …"), and a question whose subject
# is a pronoun ("Was it …", "Does it …", "¿Participó también …" has none and is left alone).
_LEADING_NAME = re.compile(r"((?:[A-Z][\w'’-]*\s+){0,3}?[A-Z][A-Z0-9-]+)\b(?=\s+[a-z])")
_SUBJECT_IT = re.compile(
    rf"^(\W*(?:{_P.alternation('question.subject_auxiliary')})\s+)(?:{_P.alternation('question.subject_it')})\b",
    re.I,
)
