"""Countries and regions named in another language, read by their English (CLDR) names."""

from __future__ import annotations

import pytest

from index.lang.places import places_named


@pytest.mark.parametrize(
    ("text", "lang", "english"),
    [
        ("¿Cuántos refugiados acoge Turquía?", "es", ("Türkiye",)),
        ("Quel poste frontière entre le Pérou et la Bolivie ?", "fr", ("Peru", "Bolivia")),
        ("Qual passagem entre a Colômbia e o Equador?", "pt", ("Colombia", "Ecuador")),
        ("¿Qué hace la OIM en Costa Rica y en Costa Rica?", "es", ("Costa Rica",)),
    ],
)
def test_a_place_in_another_language_is_named_in_english(text, lang, english):
    assert places_named(text, lang) == english


def test_only_a_capitalised_word_is_a_place_and_english_needs_no_reading():
    assert places_named("el chile de la receta", "es") == ()
    assert places_named("How many refugees does Turkey host?", "en") == ()


def test_the_warm_up_reads_a_languages_places_once():
    """read_places (the server's warm-up, RUTA_WARM_LANGUAGES) leaves nothing to read for
    the first question in that language."""
    from index.lang import places

    places.read_places(["pt"])
    before = places._territories.cache_info().hits
    assert places_named("Quantos refugiados acolhe a Turquia?", "pt") == ("Türkiye",)
    assert places._territories.cache_info().hits == before + 1
