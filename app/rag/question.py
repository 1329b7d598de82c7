"""Question analysis (English, Spanish, Portuguese, French): what kind of answer is asked for,
the subject, the parts of a two-part question, and whether it leans on the conversation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from app.rag.cues import ACTOR_VERBS, KINDS, Kind
from app.rag.plans.words import words
from app.rag.rules import on
from index.analysis import Analysis, analyse_query
from index.lang import packs
from index.lang.packs import first_group
from index.lemmas import proper_terms, root, terms

_P = packs()


def _words(name: str) -> str:
    """A pack entry's words, every language's, as a regex alternation."""
    return _P.alternation(name)


# Kinds whose answer is a span that must be in a sentence: without one there is no answer.
STRICT: frozenset[str] = frozenset({"amount", "number", "date", "actor", "place"})
_EXPANSION = re.compile(rf"\b(?:{_words('question.expansion')})\b", re.I)
# "Who" asking for whom something is done ("Who is the project focused on?", "Who does it
# target?"): the answer may be a group of people rather than a name.
_WHO_OBJECT = _P.pattern("question.who_object")
_WHO = re.compile(rf"\W*(?:{_words('question.strict_who')})\b", re.I)
_CITY = _words("question.city")
_COUNTRY = _words("question.country")
_CITY_WORDS = re.compile(rf"\b({_CITY})\b", re.I)
_COUNTRY_WORDS = re.compile(rf"\b({_COUNTRY})\b", re.I)
_PLACE_NAMES = re.compile(rf"\b({_COUNTRY}|{_CITY})\b", re.I)
# A point in time is asked for ("when", "what year"), not a span of it ("how long", "the
# period", "until when", "run for").
_MOMENT = re.compile(rf"\b(?:{_words('question.moment')})\b", re.I)
_COUNTED = re.compile(rf"\b(?:{_words('question.counted')})\s+((?:[\w-]+\s+){{0,2}}[\w-]+)", re.I)
_RATE = re.compile(rf"\b(?:{_words('question.rate')})\b", re.I)

_PRONOUN = re.compile(rf"\b(?:{_words('question.pronoun')})\b", re.I)
_SUBJECT_PRONOUN = _P.pattern("question.subject_pronoun")
_ELLIPSIS = re.compile(rf"^\W*(?:{_words('question.ellipsis')})\b", re.I)


@dataclass(frozen=True)
class Question:
    """A question as the reader sees it."""

    text: str
    lang: str
    kind: Kind
    terms: tuple[str, ...]  # content lemmas, in order
    names: tuple[str, ...]  # capitalised words past the first: the subject's names
    parts: tuple[str, ...]  # the question's parts; one part for a simple question
    needs_context: Literal["yes", "no", "maybe"]  # leans on the conversation (see below)
    focus: str = ""  # the sentence that asks, when a statement comes first (see focus_of)
    context_terms: tuple[str, ...] = ()  # the terms of that statement
    docs: tuple[str, ...] = ()  # the documents it names ("the review … the study"), by id
    part_docs: tuple[tuple[str, ...], ...] = ()  # the documents each part names
    context: str = ""  # the statement before the sentence that asks
    asked_docs: tuple[str, ...] = ()  # the documents that sentence names, when the
    told_docs: tuple[str, ...] = ()  # statement names others (see index/analysis.py)
    every_doc: bool = False  # it asks each document ("What do both reports say?")
    # a statement whose source is sought ("K4DD holds R4V up as a model"), not a question
    claim: bool = False

    @property
    def predicate(self) -> tuple[str, ...]:
        """What is asked about the subject: the terms past its names and the question's head
        noun ('Which agencies co-lead the R4V platform?' -> co-lead, platform)."""
        head = set(terms(head_noun(self.text), self.lang))
        return tuple(t for t in self.terms if t not in self.names and t not in head)

    @cached_property
    def _verb_groups(self) -> tuple[frozenset[str], ...]:
        """The actor-verb groups the predicate holds a verb of (computed once: the reader asks
        for each sentence)."""
        roots = {root(t) for t in self.predicate}
        return tuple(group for group in _ACTOR_VERBS if roots & group)

    @property
    def actor_verbs(self) -> frozenset[str]:
        """The verbs that ask what an actor does, when the predicate holds one ('Which agencies
        jointly lead the platform that coordinates …?' -> lead, run, head, chair …): what a
        sentence must say to answer 'who', more than the predicate's other words."""
        return frozenset(r for group in self._verb_groups if group & _SAID for r in group)

    @property
    def context_roots(self) -> frozenset[str]:
        """The roots only the statement before the question says (its context, whose words
        count for half in the reader's word overlap): those the question proper repeats are
        its own."""
        return frozenset({root(t) for t in self.context_terms}) - {
            root(t) for t in self.terms if t not in self.context_terms
        }

    @property
    def predicate_roots(self) -> set[str]:
        """The predicate's roots, with the verbs that ask the same of an actor ('run' is also
        'lead', 'head', 'chair' …; 'pay' also 'fund', 'finance' …)."""
        return {root(t) for t in self.predicate}.union(*self._verb_groups)

    @property
    def things(self) -> tuple[str, ...]:
        """The common nouns the question asks about, as terms: the heads of its noun phrases
        ('Who led the research team for …?' -> 'team'), past its names, its head noun and the
        words that say what kind of answer it wants ('the duration of …')."""
        text = self.focus or self.text
        cue = next((p.search(text) for k, p in KINDS if k == self.kind), None)
        skip = set(terms(cue.group() if cue else "", self.lang))
        # nor the words that ask for a summary ("Give me a rundown of …")
        summary = words(self.lang).summary.search(text)
        skip |= set(terms(summary.group() if summary else "", self.lang))
        skip |= set(terms(head_noun(text), self.lang)) | set(self.names)
        heads = (t for m in _NOUN_PHRASE.finditer(text) for t in terms(first_group(m), self.lang))
        return tuple(dict.fromkeys(t for t in heads if t not in skip))

    @property
    def strict(self) -> bool:
        """The answer is a span of a shape (an amount, a count, a date, a name, a country):
        a passage on the subject without one does not answer."""
        if self.kind == "place":
            return bool(_PLACE_NAMES.search(self.text))
        if self.kind == "actor":
            if _WHO_OBJECT.search(self.focus or self.text):
                return self.plural  # "Who is it focused on?": a group of people, not a name
            # "Which agency leads …?" asks a name as "who leads …?" does
            asks_leader = bool(self.actor_verbs) and on("actor_verb")
            return bool(_WHO.match(self.text)) or self.plural or asks_leader
        return self.kind in STRICT

    @property
    def span_kind(self) -> str:
        """The shape of the answer span: 'country' when countries are asked for by name, 'city'
        for a city, 'moment' when a point in time is ('When does it start?': a year or a
        date, not 'a two-year project'), 'expansion:ACRONYM' when what an acronym stands
        for is."""
        if self.kind == "place" and _COUNTRY_WORDS.search(self.text):
            return "country"
        if self.kind == "place" and _CITY_WORDS.search(self.text):
            return "city"
        if self.kind == "date" and _MOMENT.search(self.focus or self.text):
            return "moment"
        if _EXPANSION.search(self.text):
            acronym = re.search(r"\b[A-Z][A-Z0-9-]*[A-Z0-9]\b", self.text)
            if acronym:
                return f"expansion:{acronym.group()}"
        return self.kind

    @property
    def counted(self) -> tuple[str, ...]:
        """What 'how many' counts, as terms ('How many UN agencies…' -> ('un', 'agency'));
        a rate asks for a percentage: ('%',)."""
        if _RATE.search(self.text):
            return ("%",)
        m = _COUNTED.search(self.text)
        if not m:
            return ()
        return tuple(terms(self.counted_text, self.lang))

    @property
    def counted_text(self) -> str:
        """The words 'how many' counts, as the question says them ("refugiados")."""
        m = _COUNTED.search(self.text)
        if not m:
            return ""
        words = m.group(1).split()
        # up to the counted noun: "how many UN bodies make up …" counts bodies, not "make"
        end = next((i + 1 for i, w in enumerate(words) if _is_plural(w.lower())), len(words))
        return " ".join(words[:end])

    @property
    def plural(self) -> bool:
        """A list is asked for: 'which agencies', 'what are the pillars', 'en qué países'."""
        return self.kind == "list" or _plural_noun(self.text)


_ACTOR_VERBS = [frozenset(root(t) for lang, w in g for t in terms(w, lang)) for g in ACTOR_VERBS]
_SAID = {root(t) for t in terms(" ".join(_P.words("actor_said")))}
# A noun phrase's head: a lower-case word after a determiner and up to three others, before a
# preposition, a verb of the question or its end ("the research team for …"); not a
# participle ("the total funding going into …").
_NOUN_PHRASE = _P.pattern("question.noun_phrase")

_WH = re.compile(rf"\b({_words('question.wh')})\s+([\w\s-]+)", re.I)
_MODIFIER = re.compile(
    rf"^(\d+|{_words('question.modifier')}|\w+({_words('question.modifier_suffix')}))$", re.I
)


_AUXILIARIES = frozenset(_P.words("question.auxiliary"))
_JOINERS = frozenset(_P.words("question.plural_joiner"))
_PLURAL = _P.words("question.plural")
_PLURAL_WH = frozenset(_P.words("question.plural_wh"))


def head_noun(text: str) -> str:
    """The noun the question word asks about: 'which agencies …' -> 'agencies'; '' if none."""
    m = _WH.search(text)
    if not m:
        return ""
    for word in m.group(2).split()[:3]:
        if _MODIFIER.match(word):
            continue
        return "" if word.lower() in _AUXILIARIES else word
    return ""


def asked_words(text: str) -> str:
    """The first words after the question word, where the thing it asks for is named:
    "which coordination mechanisms does …" -> "coordination mechanisms does"; "" if none."""
    m = _WH.search(text)
    return " ".join(m.group(2).split()[:3]) if m else ""


def names_counted(text: str, lang: str) -> int:
    """How many things the question word asks for when it says so: "which two agencies …",
    "quelles sont les deux organisations …" -> 2; 0 when it states no count ("which agencies",
    "which agency")."""
    from app.rag.plans.words import words

    m = _WH.search(text)
    got = m.group(2).lower().split()[:4] if m else []
    # The count word may follow a copula and an article: "Quais são as duas organizações …";
    # what it counts must be names ("which two bodies"), not "what two levels".
    for word, noun in zip(got, got[1:], strict=False):
        count = words(lang).count(word) or 0
        if count >= 2 and _is_plural(noun) and kind_of(f"{m.group(1)} {noun}") == "actor":
            return count
    return 0


def _plural_noun(text: str) -> bool:
    """The noun after 'which'/'what' (past numbers and adjectives) is plural: 'which six
    countries', 'what reporting products', 'which coordination mechanisms does …'; not 'which
    government pays'."""
    m = _WH.search(text)
    if not m:
        return False
    if m.group(1).lower() in _PLURAL_WH:  # "¿Cuáles son …?", "Quels sont …?"
        return True
    words = m.group(2).split()
    for i, word in enumerate(words[:3]):
        if _MODIFIER.match(word):
            continue
        w = word.lower()
        if w in _AUXILIARIES:  # "what does …": no noun after the question word
            return False
        if _is_plural(w):
            return True
        # nouns before a plural noun and an auxiliary: "which coordination mechanisms does",
        # "which four pilot border crossings does"
        rest = [x.lower() for x in words[i + 1 : i + 4]]
        aux = next((j for j, x in enumerate(rest) if x in _AUXILIARIES), 0)
        if aux and _is_plural(rest[aux - 1]):
            return True
        return _joined_plural([x.lower() for x in words[i + 1 : i + 5]])
    return False


def _joined_plural(words: list[str]) -> bool:
    """Nouns joined to a plural one: "which data collection or monitoring efforts"."""
    for j, word in enumerate(words):
        if word in _JOINERS:
            after = [w for w in words[j + 1 :] if not _MODIFIER.match(w)]
            return bool(after) and _is_plural(after[0])
        if word in _AUXILIARIES:
            return False
    return False


def _is_plural(word: str) -> bool:
    return word.endswith(_PLURAL)


def opens_with_who(text: str) -> bool:
    """The question opens with "who" (quién, quem, qui), not "which …"."""
    return bool(_WHO.match(text))


def kind_of(text: str) -> Kind:
    """The kind of answer asked for, from the question's wording."""
    head = text.strip().lstrip("¿¡").strip()
    for kind, pattern in KINDS:
        if pattern.search(head):
            return kind
    return "other"


def needs_context(text: str, lang: str) -> Literal["yes", "no", "maybe"]:
    """Whether a question leans on the conversation: 'yes' for an ellipsis ('And who co-chairs
    it?') or a pronoun subject with no name of its own; 'maybe' when a pronoun may point back
    or inside the question itself (search both ways then); 'no' for a self-contained one."""
    if _ELLIPSIS.search(text):
        return "yes"
    if not _PRONOUN.search(text):
        return "no"
    subject = bool(_SUBJECT_PRONOUN.search(text))
    if proper_terms(text, lang):
        return "maybe" if subject else "no"
    return "yes" if subject or len(terms(text, lang)) <= 3 else "maybe"


def analyse(question: str | Analysis, lang: str | None = None) -> Question:
    """The reader's view of a question: from its one analysis (index/analysis.py), made here
    when given the text."""
    a = question if isinstance(question, Analysis) else analyse_query(question, lang=lang)
    text, lang, ask, context = a.text, a.lang, a.focus, a.context
    return Question(
        text=text,
        lang=lang,
        kind=kind_of(ask),
        terms=tuple(dict.fromkeys(terms(text, lang))),
        names=tuple(dict.fromkeys(proper_terms(text, lang))),
        parts=a.asked_parts,
        needs_context=needs_context(text, lang),
        focus=ask,
        context_terms=tuple(dict.fromkeys(terms(context, lang))),
        docs=a.plan.docs,
        part_docs=a.part_docs,
        context=context,
        asked_docs=a.asked_docs,
        told_docs=a.told_docs,
        every_doc=a.every_doc,
    )
