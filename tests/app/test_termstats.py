"""What the reader knows of the corpus's words: a question's terms in another language are
mapped to the documents' English words by cognates, close spellings and the packs' names."""

from __future__ import annotations

from collections import Counter

from app.rag.termstats import TermStats
from index.lemmas import root

CORPUS = (
    "coalition",
    "platform",
    "brazil",
    "turquesa",
    "menstrual",
    "migrant",
    "undp",
    "iom",
    "canada",
)


def stats() -> TermStats:
    return TermStats(Counter({root(w): 1 for w in CORPUS}), len(CORPUS))


def test_close_spellings_are_cognates_and_near_names_are_not():
    s = stats()
    assert s.close("coalición") == (root("coalition"),)
    assert s.close("plataforma") == (root("platform"),)
    assert s.close("Brasil") == (root("brazil"),)
    assert s.cognates("migrantes") == (root("migrant"),)  # the first six letters
    # a length apart by two or more, or too few letters in common: another word
    assert s.close("Turquía") == () and s.close("Turquie") == ()
    assert s.close("mensual") == ()
    assert s.cognates("red") == ()  # too short to tell


def test_counterparts_in_the_documents_words():
    s = stats()
    assert s.counterparts("PNUD", "es") == (root("undp"),)  # the pack's bridge.names
    assert s.counterparts("Canadá", "es") == (root("canada"),)
    assert s.counterparts("coalición", "es") == (root("coalition"),)
    assert s.counterparts("Turquía", "es") == ()
    # an English question's word is the documents' own or nothing
    assert s.counterparts("coalitions", "en") == (root("coalitions"),)
    assert s.counterparts("Brasil", "en") == ()
    assert s.counterparts("PNUD", "en") == ()


def test_a_hyphenated_name_has_counterparts_when_each_part_has():
    s = stats()
    assert s.counterparts("oim-pnud", "fr") == (root("iom"), root("undp"))
    assert s.counterparts("pnud-turquie", "fr") == ()
