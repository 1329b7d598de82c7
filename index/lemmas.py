"""Content terms by lemma in English, Spanish, Portuguese and French (simplemma), shared by BM25,
sentence scoring, coverage and the unknown-name check.

A term is the word's lemma in the text's language ("agencies" -> "agency", "co-led" -> "co-lead",
"organizaciones" -> "organización"), lower-cased and without accents, so that "Canadá" and
"Canada" meet. ``root`` goes one step further for names: a demonym or a derived form counts as
the name ("Canadian" <-> "Canada", "Colombian" <-> "Colombia").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LEMMA_LANGUAGES = ("en", "es", "pt", "fr")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")

# Function words, question words and the words every question about "the documents" uses.
STOP_EN = set(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just me
    more most much many my no nor not now of off on once only or other our out over own same she
    should so some such than that the their them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours according review report documents document say says said tell give list describe
    mention mentioned named name kind type one two both either""".split()
)
STOP_ES = set(
    """a al algo algún alguna algunas alguno algunos ante antes aquel aquella aquellas aquellos aquí
    así aún cada como cómo con contra cual cuál cuales cuáles cuando cuándo cuánto cuánta cuántos
    cuántas de del desde donde dónde durante e el él ella ellas ellos en entre era eran es esa esas
    ese eso esos esta está están estas este esto estos fue fueron ha han hay la las le les lo los
    más me mi mis mucho muy ni no nos o otra otras otro otros para pero poco por porque qué que
    quien quién quienes quiénes se según ser si sí sin sobre son su sus también tan tanto te tiene
    tienen todo todos tu un una unas uno unos y ya documento documentos dice dicen informe
    estudio""".split()
)
STOP_PT = set(
    """a à ao aos as às até com como da das de do dos e é ela elas ele eles em entre era essa essas
    esse esses esta está estão estas este estes eu foi foram há isso isto já la lhe mais mas me
    muito na nas não nem no nos o os ou para pela pelas pelo pelos por porque qual quais quando
    quanto quanta quantos quantas que quê quem se segundo sem ser seu seus sua suas são também
    tem têm um uma umas uns documento documentos diz dizem relatório estudo""".split()
)
STOP_FR = set(
    """à au aux avec ce ces cet cette combien comme comment dans de des du elle elles en est et
    été être il ils je la le les leur leurs lui ma mais me même mes moi mon ne ni nos notre nous
    ou où par pas pour qu que quel quelle quelles quels qui quoi sa sans se selon ses son sont sur
    ta te tes toi ton tu un une vos votre vous y document documents dit disent rapport
    étude""".split()
)
STOP = STOP_EN | STOP_ES | STOP_PT | STOP_FR

# Demonyms and derived forms of names, longest first: Colombian/Colombia -> colomb.
_ROOT_SUFFIXES = ("ing", "ly", "ian", "ean", "ese", "ia", "an", "a", "o", "e")
_ROOT_MIN = 4


def fold(word: str) -> str:
    """Lower case without accents: 'Canadá' -> 'canada'."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Number words from three to twenty in the four languages, as digits: "cinco áreas" meets
# "five thematic areas" (one and two are also articles or stop words).
_NUMBERS = {
    w: str(n)
    for n, ws in enumerate(
        [
            "three tres três trois",
            "four cuatro quatro quatre",
            "five cinco cinq",
            "six seis",
            "seven siete sete sept",
            "eight ocho oito huit",
            "nine nueve nove",
            "ten diez dez dix",
            "eleven once onze",
            "twelve doce doze douze",
            "thirteen trece treze treize",
            "fourteen catorce quatorze",
            "fifteen quince quinze",
            "sixteen dieciséis dezesseis",
            "seventeen diecisiete dezessete dix-sept",
            "eighteen dieciocho dezoito dix-huit",
            "nineteen diecinueve dezenove dix-neuf",
            "twenty veinte vinte vingt",
        ],
        start=3,
    )
    for w in ws.split()
}


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
    import simplemma

    langs: str | tuple[str, ...] = lang if lang == "en" else (lang, "en")
    try:
        out = simplemma.lemmatize(word.lower(), lang=langs)
    except ValueError:  # a language simplemma does not know: the word itself
        out = word.lower()
    return fold(out)


@lru_cache(maxsize=131072)
def root(term: str) -> str:
    """A name's root, so that a demonym meets its country ('canadian' and 'canada' -> 'canad'),
    and British meets American spelling ('organisation' -> 'organization', 'programme')."""
    term = term.replace("isation", "ization")
    if len(term) >= 6:  # British spelling: prioritise, analyse, labour, centre
        term = _BRITISH.sub(lambda m: _AMERICAN[m.group()], term)
    for suffix in _ROOT_SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= _ROOT_MIN:
            term = term[: -len(suffix)]
            break
    if len(term) >= 5 and term[-1] == term[-2] and term[-1] not in "aeiou":
        term = term[:-1]  # programm -> program
    return term


_AMERICAN = {"ise": "ize", "yse": "yze", "our": "or", "tre": "ter"}
_BRITISH = re.compile(r"(?:ise|yse|our|tre)$")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str, lang: str = "en") -> list[str]:
    """Content terms by lemma, in order; stop words dropped; acronyms and numbers kept."""
    return list(_terms(text, lang))


# The answer step reads the same passages' sentences question after question (each ~80
# words to lemmatise): kept, they cost a lookup. Bounded: a few MB of typical sentences.
@lru_cache(maxsize=16384)
def _terms(text: str, lang: str) -> tuple[str, ...]:
    out = []
    for w in _WORD.findall(text):
        lw = w.lower()
        if lw.endswith(("'s", "’s")):  # possessive; endswith, not re.sub: this runs per word
            w, lw = w[:-2], lw[:-2]
        if (lw in STOP and not (len(w) > 1 and w.isupper())) or (len(lw) < 2 and not lw.isdigit()):
            continue
        t = lemma(w.replace("’", "'"), lang)
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
    ws = _WORD.findall(question)
    first = ws[:1] if ws and _ACRONYM.fullmatch(ws[0]) else []
    return [t for w in first + ws[1:] if w[:1].isupper() for t in terms(w, lang)]


_ACRONYM = re.compile(r"[A-Z][A-Z0-9-]+[A-Z0-9]")
