"""What the reader knows of the corpus and of a sentence's words: document frequencies of lemma
roots (idf weights, unknown names, cognates in other languages), a text's roots with the
stems of its prefixed words, and the acronyms its names spell."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from difflib import SequenceMatcher
from functools import lru_cache

from index.lang import packs
from index.lemmas import fold, root, terms
from index.retrieve import Prepared
from ingest.types import Chunk

# How alike a word in another language and a corpus root must be spelled to be one word.
ALIKE = 0.75

TERM_DF = "reader.term_df"  # the key of the document frequencies in Prepared.extras


class TermStats:
    """Document frequencies of lemma roots over the indexed chunks: idf weights, unknown names."""

    def __init__(self, df: Counter[str], n: int) -> None:
        self.df, self.n = df, max(1, n)
        self._by_prefix: dict[str, list[str]] | None = None
        self._by_three: dict[str, list[str]] | None = None
        self._alike: dict[str, tuple[str, ...]] = {}  # per word: asked of each question

    @classmethod
    def of(cls, prepared: Prepared) -> TermStats:
        """The statistics saved with the retriever's prepared state (see index/snapshot.py),
        or derived now and kept there."""
        saved = prepared.extras.get(TERM_DF)
        if not isinstance(saved, Counter):
            saved = _document_frequencies(prepared.chunks)
            prepared.extras[TERM_DF] = saved
        return cls(saved, len(prepared.chunks))

    def idf(self, term: str) -> float:
        return math.log(1 + self.n / (1 + self.df.get(root(term), 0)))

    def cognates(self, term: str) -> tuple[str, ...]:
        """The corpus's roots that share the first six letters of a word in another language
        ('migrantes' -> 'migrant'); none for shorter words, where that says too little."""
        key = fold(term)[:6]
        if len(key) < 6:
            return ()
        if self._by_prefix is None:
            self._by_prefix = {}
            for r in self.df:
                if len(r) >= 6:
                    self._by_prefix.setdefault(r[:6], []).append(r)
        return tuple(self._by_prefix.get(key, ()))

    def alike(self, term: str) -> tuple[str, ...]:
        """The corpus's roots spelled much like a word in another language, its first three
        letters the same ('mecanismos' -> 'mechanism', 'coordenação' -> 'coordination')."""
        key = fold(term)
        if len(key) < 6:
            return ()
        if key not in self._alike:
            if self._by_three is None:
                self._by_three = {}
                for r in self.df:
                    self._by_three.setdefault(r[:3], []).append(r)
            self._alike[key] = tuple(
                r
                for r in self._by_three.get(key[:3], ())
                if SequenceMatcher(None, key, r).ratio() >= ALIKE
            )
        return self._alike[key]

    def known(self, term: str) -> bool:
        """In the corpus; a plural name by its singular ('venezuelans'), a hyphenated one by
        its parts ('colombia-ecuador')."""
        if self.df.get(root(term), 0) > 0:
            return True
        for end in _PLURAL:
            if term.endswith(end) and self.df.get(root(term[: -len(end)]), 0) > 0:
                return True
        parts = [p for p in term.split("-") if p]
        return len(parts) > 1 and all(self.df.get(root(p), 0) > 0 for p in parts)


def _document_frequencies(chunks: Sequence[Chunk]) -> Counter[str]:
    df: Counter[str] = Counter()
    for c in chunks:
        df.update({root(t) for t in terms(f"{c.title} {c.publisher} {c.section} {c.text}")})
    return df


@lru_cache(maxsize=16384)
def root_set(text: str) -> frozenset[str]:
    """The roots of a text's terms; a prefixed term brings its stem too ('co-led' is also
    'lead', 'socio-economic' also 'economic'). Kept per text: the answer step asks it of the
    same sentences question after question."""
    out = set()
    for t in terms(text):
        out.add(root(t))
        m = _PREFIXED.match(t)
        if m:
            out.add(root(m.group(1)))
    return frozenset(out)


@lru_cache(maxsize=16384)
def spelled_acronyms(text: str) -> frozenset[str]:
    """The acronyms a text's names spell ('International Labour Organization' -> 'ilo',
    'United Nations High Commissioner for Refugees' -> 'unhcr'): a question may use either."""
    out = set()
    for m in _CAPITAL_RUN.finditer(text):
        firsts = [
            "".join(p[0] for p in w.split("-") if p)
            for w in m.group().split()
            if w.lower() not in _LINKS
        ]
        for i in range(len(firsts)):
            for j in range(i + 2, min(len(firsts), i + 8) + 1):
                out.add("".join(firsts[i:j]).lower())
    return frozenset(out)


_P = packs()
_LINKS = frozenset(_P.words("acronym.link"))
_PLURAL = _P.words("terms.plural")  # a plural's ending: "venezuelans" -> "venezuelan"
_CAPITAL_RUN = re.compile(
    rf"[A-Z][a-z][\w-]*(?:\s+(?:(?:{_P.alternation('acronym.link')})\s+)*[A-Z][a-z][\w-]*)+"
)
_PREFIXED = re.compile(rf"(?:{_P.alternation('acronym.prefix')})-(\w{{3,}})$")
