"""Content terms by lemma in English, Spanish, Portuguese and French (simplemma), shared by BM25,
sentence scoring, coverage and the unknown-name check.

A term is the word's lemma in the text's language ("agencies" -> "agency", "co-led" -> "co-lead",
"organizaciones" -> "organización"), lower-cased and without accents, so that "Canadá" and
"Canada" meet. ``root`` goes one step further for names: a demonym or a derived form counts as
the name ("Canadian" <-> "Canada", "Colombian" <-> "Colombia").
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from index.lang.packs import alternation, packs

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")

_P = packs()
# Function words, question words and the words every question about "the documents" uses, in
# every language (the packs' "stop").
STOP = frozenset(_P.words("stop"))
_POSSESSIVE = _P.words("terms.possessive")  # "UNHCR's" -> "UNHCR"
# A language's elided articles: "l'OIT" is read as "OIT" in French.
_ELIDED = {
    p.code: re.compile(rf"^(?:{alternation(p['terms.elision'].words)})(?=\w)", re.I)
    for p in _P.packs
    if p["terms.elision"].words
}
# A pronoun a verb carries after a hyphen: "a-t-elle" is read as "a" in French.
_CLITIC = {
    p.code: re.compile(rf"(?<=\w)(?:{alternation(p['terms.clitic'].words)})$", re.I)
    for p in _P.packs
    if p["terms.clitic"].words
}

# A word that reads as a name inside a sentence of another language ("Colômbia", "Mujeres"):
# kept as it is, where that language's lemmatiser would make a word of it ("colombio").
_NAME = {
    p.code: p["terms.name"].compiled
    for p in _P.packs
    if not p["terms.name"].empty and p["terms.name"].compiled is not None
}
# What ends a sentence (or sets off a question) before a word: the word after it opens one.
_OPENS = frozenset(".?!¿¡:;")


# Demonyms and derived forms of names, longest first: Colombian/Colombia -> colomb.
_ROOT_SUFFIXES = _P.words("root.suffixes")
_ROOT_MIN = 4
# A doubled last letter that is no vowel is one ("programm" -> "program"; "free" stays).
_VOWELS = frozenset(_P.words("root.vowels"))


def fold(word: str) -> str:
    """Lower case without accents: 'Canadá' -> 'canada'."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Number words from three to twenty, as digits: "cinco áreas" meets "five thematic areas" (one
# and two are also articles or stop words).
_NUMBERS = {w: str(n) for w, n in _P.table("numbers").items()}


@lru_cache(maxsize=131072)
def lemma(word: str, lang: str = "en") -> str:
    """The folded lemma of one word; hyphenated words lemmatise each part ('co-led' -> 'co-lead');
    acronyms and numbers are kept as they are, number words become digits ('five' -> '5')."""
    if any(ch.isdigit() for ch in word) or (len(word) > 1 and word.isupper()):
        return fold(word)
    if word.lower() in _NUMBERS:
        return _NUMBERS[word.lower()]
    if "-" in word:
        return "-".join(lemma(p, lang) for p in word.split("-") if p)
    langs: str | tuple[str, ...] = lang if lang == "en" else (lang, "en")
    try:
        out = _lemmatize(word.lower(), langs)
    except ValueError:  # a language simplemma does not know: the word itself
        out = word.lower()
    return fold(out)


_READ: set[str | tuple[str, ...]] = set()  # languages whose dictionaries simplemma holds
_READING = threading.Lock()


def _lemmatize(word: str, langs: str | tuple[str, ...]) -> str:
    """simplemma's lemma. Its first word in a language reads that language's dictionary (~1 s
    of CPU for Spanish), and its cache does not hold back the answers that ask meanwhile: each
    read it again (three at once in a loaded server). One reads it; the others wait for it."""
    import simplemma

    if langs in _READ:
        return str(simplemma.lemmatize(word, lang=langs))
    with _READING:
        try:
            return str(simplemma.lemmatize(word, lang=langs))
        finally:
            _READ.add(langs)


def read_dictionaries(langs: Iterable[str]) -> None:
    """Read simplemma's dictionaries for questions in ``langs`` now (a server's warm-up): the
    first question in Spanish then does not wait ~1.2 s of CPU for them, nor do the answers
    queued behind it. Each costs memory (Spanish ~100 MB, Portuguese ~70 MB)."""
    for lang in langs:
        if lang not in _P.codes:
            raise ValueError(f"no lemma dictionary for {lang!r}; one of {_P.codes}")
        _lemmatize("a", lang if lang == "en" else (lang, "en"))  # the tuple lemma() passes


@lru_cache(maxsize=131072)
def root(term: str) -> str:
    """A name's root, so that a demonym meets its country ('canadian' and 'canada' -> 'canad'),
    and British meets American spelling ('organisation' -> 'organization', 'programme')."""
    for old, new in _INSIDE.items():
        term = term.replace(old, new)
    if len(term) >= 6 and _ENDINGS:  # British spelling: prioritise, analyse, labour, centre
        term = _BRITISH.sub(lambda m: _ENDINGS[m.group()], term)
    for suffix in _ROOT_SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= _ROOT_MIN:
            term = term[: -len(suffix)]
            break
    if len(term) >= 5 and term[-1] == term[-2] and term[-1] not in _VOWELS:
        term = term[:-1]  # programm -> program
    return term


# British spelling meets American ("organisation" -> "organization", "centre" -> "center").
_INSIDE = _P.table("spelling.inside")
_ENDINGS = _P.table("spelling.endings")
_BRITISH = re.compile(rf"(?:{alternation(list(_ENDINGS))})$")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str, lang: str = "en") -> list[str]:
    """Content terms by lemma, in order; stop words dropped; acronyms and numbers kept."""
    return list(_terms(text, lang))


# The answer step reads the same passages' sentences question after question (each ~80
# words to lemmatise): kept, they cost a lookup. Bounded: a few MB of typical sentences.
@lru_cache(maxsize=16384)
def _terms(text: str, lang: str, name: bool = False) -> tuple[str, ...]:
    """``name``: ``text`` is a name's words (each capitalised one kept, as inside a sentence)."""
    out = []
    caps = _NAME.get(lang)
    end = 0
    for m in _WORD.finditer(text):
        w = m.group()
        # a capital inside a sentence, not at its start, marks a name (pack entry terms.name)
        named = bool(caps and caps.match(w)) and (
            name or (m.start() > 0 and not _OPENS.intersection(text[end : m.start()]))
        )
        end = m.end()
        lw = w.lower()
        if lw.endswith(_POSSESSIVE):  # endswith, not re.sub: this runs per word
            cut = next(len(p) for p in _POSSESSIVE if lw.endswith(p))
            w, lw = w[:-cut], lw[:-cut]
        if lang in _ELIDED:
            w = _ELIDED[lang].sub("", w, count=1)
            lw = w.lower()
        if lang in _CLITIC:
            w = _CLITIC[lang].sub("", w, count=1)
            lw = w.lower()
        if (lw in STOP and not (len(w) > 1 and w.isupper())) or (len(lw) < 2 and not lw.isdigit()):
            continue
        w = w.replace("’", "'")
        t = fold(w.lower()) if named and "-" not in w else lemma(w, lang)
        if t in STOP and not w.isupper():
            continue
        out.append(t)
    return tuple(out)


def roots(text: str, lang: str = "en") -> list[str]:
    """Terms reduced to their roots: for matching names and derived forms."""
    return [root(t) for t in terms(text, lang)]


def proper_terms(question: str, lang: str = "en") -> list[str]:
    """Capitalised words past the first (names, places, acronyms), as terms; the first word
    too when it is an acronym ("UNHCR co-leads R4V …")."""
    elided = _ELIDED.get(lang)  # "l'OIT" is a name as "OIT" is
    ws = [elided.sub("", w, count=1) if elided else w for w in _WORD.findall(question)]
    first = ws[:1] if ws and _ACRONYM.fullmatch(ws[0]) else []
    return [t for w in first + ws[1:] if w[:1].isupper() for t in _terms(_named(w), lang, True)]


def _named(word: str) -> str:
    """The name in a compound that qualifies by it: "Canadian-funded" -> "Canadian",
    "EU-backed" -> "EU" (the rest of the compound in lower case); "IOM-UNDP" stays whole."""
    head, _, rest = word.partition("-")
    return head if rest and rest.islower() and not head.islower() else word


_ACRONYM = re.compile(r"[A-Z][A-Z0-9-]+[A-Z0-9]")
