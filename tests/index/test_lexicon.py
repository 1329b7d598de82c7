"""The packs' lexicon: a word of a question in Spanish, Portuguese or French -> the roots of the
documents' English words it says (index/lang/lexicon.py)."""

import pytest

from index.lang import packs
from index.lang.lexicon import english_roots, in_english
from index.lemmas import root, terms


@pytest.mark.parametrize(
    ("word", "lang", "english"),
    [
        ("financia", "es", "funding"),  # a verb's form, by its lemma ("financiar")
        ("bureaux", "fr", "offices"),  # a plural with no cognate
        ("abordagem", "pt", "approach"),
        ("recorrido", "es", "journey"),
    ],
)
def test_a_word_of_another_language_says_the_documents_english_word(word, lang, english):
    said = {r for t in terms(word, lang) for r in in_english(t, lang)}
    assert root(terms(english)[0]) in said


def test_english_has_no_lexicon_and_every_other_language_has_one():
    assert not english_roots("en")
    for code in packs().codes:
        if code != "en":
            assert len(english_roots(code)) > 500, code


def test_the_lexicon_lists_only_single_words_other_than_the_english_one():
    for code in packs().codes:
        for english, forms in packs().entry(code, "lexicon").table.items():
            assert forms and all(" " not in f and f != english for f in forms), (code, english)
