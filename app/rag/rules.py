"""Named rules of the answering core, each of which the ablation (``python -m eval.ablate``)
can switch off in turn to show what it earns. In use every rule is on; switching one off is
scoped to a ``with ablated(...)`` block (a context variable, so concurrent answers are not
affected)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Every rule's name and what it does, for the ablation table and the README.
RULES: dict[str, str] = {
    "answer_first": "the sentence holding the asked-for span leads the answer",
    "parts": "each part of a two-part question brings its own best sentence",
    "runner_up": "when unsure, a nearly-as-good sentence joins the answer",
    "runner_up_same_doc": "... only from the best sentence's document",
    "tie": "two sentences the reader cannot tell apart are both quoted",
    "list_siblings": "an item of a list already quoted brings its siblings",
    "breadth": "a plural question collects names from several passages",
    "next_sentence": "a sentence that goes on about the same thing joins",
    "span_alone": "a sentence holding the one asked-for span answers alone",
    "labelled_items": "labelled list items are separate entries: the best answers alone",
    "in_years": "a question about one year is not answered by a sentence about another",
    "on_subject": "a span answers only in a sentence naming the question's subject",
    "on_thing": "a span answers only in a sentence saying a thing the question asks about",
    "vague_named": "an amount that gives no figure ('billions of dollars') answers only in a sentence naming all the question's names and saying a word it asks of them",
    "exact_count": "'exactly how many' is not answered by a count that gives no number ('millions of')",
    "on_predicate": "'who …' is answered only by a sentence saying what is asked",
    "actor_verb": "... and 'who leads / funds / carries out …' only by one saying that",
    "country_list": "'which countries' needs a sentence naming two or more",
    "reader_first": "a sure answer's passages are listed first",
    "each_document": "a question naming two documents is answered from each",
    "document_runner_up": "each document's answer takes its next best sentence when the reader is as sure of it",
    "side_runner_up": "... and so does each side of a comparison",
    "part_runner_up": "... and each part of a question in several parts",
    "claim_by_meaning": "a statement's source is compared by meaning with its names said as 'it'",
    "complement": "a question of several parts: the sentence that says what the answer's sentences leave of it joins them",
    "claim_on_subject": "a statement's source is a sentence that names the statement's subject, when one does",
    "side_rejudged": "a side kept to the sentences naming its subject is judged again by the best of them",
    "unknown_counted": "a count of a thing the documents never mention (in another language: no cognate or lexicon word says) is not there to give",
    "foreign_places": "a place a question in another language names is checked by its English name",
    "doc_not_side": "a part naming its document by a one-word name ('according to K4DD') is not about that name",
    "unnamed_sides": "a comparison whose sides are not names quotes a second passage",
    "place_no_subject": "a part naming only places asks the first part's subject there",
    "actor_object": "... and says what is led, funded or carried out, not only someone's role",
    "head_beside": "names set beside the asked-for noun ('mechanisms, particularly …') lead",
    "bracketed_run": "names with their acronyms in brackets are one run of names",
    "answer_quote": "a passage's citation quotes the best-ranked sentence holding the span",
    "members_listed": "'The Network includes: ECLAC (co-chair), FAO …' marks the list whole, not 'Network'",
    "names_counted": "'which two agencies …' is answered by a sentence naming just two",
    "count_less": "a count that leaves some out is the stated count less those left out",
    "chain": "'which agency …, and what does it …?': the later parts are asked of the name the first finds",
    "count_total": "'how many more X than Y' / 'add up the X and the Y' is worked from each one's stated count",
    "year_gap": "a count of years between two periods is worked from each side's stated year",
    "month_span": "'how many months' is worked from a stated span of months or number of years",
    "size_any_count": "'how big is …', naming nothing counted, takes a count of anything",
    "heading_any": "a summary covers the heading of the document the question names most, at any level",
    "name_part": "a later part asking who, after a first asking something else, is answered on its own",
    "heading_stem": "a summary's section is named by a word's stem too ('recommends')",
    "premise_document": "a statement about one document, a question about another: each asked of its own",
    "counted_list": "a sentence stating N things brings the list of N items after the next sentence",
    "region_sides": "places named together ('North and Central America and the Caribbean') are one side of a comparison with another place",
    "named_sides": "a comparison's sides are the names its question sets side by side ('how do A and B each …?' too), each named by what the other sides' questions do not hold",
    "heading_siblings": "a summary covers every heading the question names as much ('MPI and MMC'), not the best passage's alone",
    "side_period": "'the start of A and the end of B': each side's year is the one the period word before its name says",
    "expansion_spelled": "'what does X stand for' is answered only by a sentence spelling X out ('Name (X)')",
    "summary_fitted": "a question the fitted detector reads as asking for a summary gets the summary plan, cue or not",
    "per_document": "'what do both reports say …' is asked of each document, labelled",
}

_OFF: ContextVar[frozenset[str]] = ContextVar("ruta_rules_off", default=frozenset())


def on(name: str) -> bool:
    """Whether rule ``name`` applies (always, outside an ablation)."""
    return name not in _OFF.get()


def switched_off() -> frozenset[str]:
    """The rules switched off here (none, outside an ablation)."""
    return _OFF.get()


@contextmanager
def ablated(*names: str) -> Iterator[None]:
    """Switch the named rules off inside the block."""
    unknown = [n for n in names if n not in RULES]
    if unknown:
        raise KeyError(f"unknown rule(s) {unknown}; known: {sorted(RULES)}")
    token = _OFF.set(_OFF.get() | frozenset(names))
    try:
        yield
    finally:
        _OFF.reset(token)
