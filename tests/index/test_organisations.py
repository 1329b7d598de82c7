"""Organisations named in another language, read by the English names the documents use
(the packs' ``organisations`` tables)."""

from __future__ import annotations

import pytest

from index.lang.organisations import english_names


@pytest.mark.parametrize(
    ("text", "lang", "english"),
    [
        ("¿Qué hace la OIM con el ACNUR?", "es", "¿Qué hace la IOM con el UNHCR?"),
        ("Quais princípios o PNUD diz promover?", "pt", "Quais princípios o UNDP diz promover?"),
        # the longer name first; after an elided article
        ("Que font ONU Femmes et l'OIT ?", "fr", "Que font UN Women et l'ILO ?"),
        ("¿Cuánto aporta el Banco Mundial?", "es", "¿Cuánto aporta el World Bank?"),
    ],
)
def test_an_organisation_named_in_another_language_is_read_by_its_english_name(text, lang, english):
    assert english_names(text, lang) == english


def test_only_the_name_as_written_and_english_needs_no_reading():
    # the UN itself qualifies ("una agencia de la ONU"): it names no one
    assert english_names("¿Qué agencia de la ONU?", "es") == "¿Qué agencia de la ONU?"
    # an acronym is case-sensitive ("ue" is no EU) and a whole word ("BIDEN" holds no BID)
    assert english_names("¿Qué dice la oim sobre BIDEN?", "es") == "¿Qué dice la oim sobre BIDEN?"
    assert english_names("What does the OIM do?", "en") == "What does the OIM do?"
