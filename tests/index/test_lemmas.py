"""Lemma terms in four languages, and name roots that let a demonym meet its country."""

from __future__ import annotations

from index.lemmas import proper_terms, root, roots, terms


def test_inflections_meet_by_lemma():
    assert "co-lead" in terms("The platform is co-led by two agencies")
    assert "co-lead" in terms("Which agencies co-lead it?")
    assert terms("agencies")[0] == terms("agency")[0]


def test_other_languages_lemmatise_in_their_own_language():
    assert terms("las organizaciones financian", "es") == ["organizacion", "financiar"]
    assert "pais" in terms("quantos países", "pt")
    assert "migrant" in terms("les migrants", "fr")


def test_accents_are_folded():
    assert terms("Canadá", "es") == terms("Canada")


def test_demonyms_and_spellings_meet_by_root():
    assert root(terms("Canadian")[0]) == root(terms("Canada")[0])
    assert root(terms("Colombian")[0]) == root(terms("Colombia")[0])
    assert root("organisation") == root("organization")
    assert root("programme") == root("program")


def test_acronyms_stay_even_when_they_spell_a_stop_word():
    assert "un" in terms("UN agencies")  # "un" is a Spanish article, "UN" the United Nations
    assert "r4v" in terms("R4V")


def test_a_pronoun_after_the_verb_and_an_auxiliary_are_no_terms():
    # "a-t-elle" was lemmatised whole ("avoir-t-elle"), "ont" to "avoir": words the documents
    # never use, each weighing on how much of the question a passage says
    assert terms("Quelle période couvre-t-elle ?", "fr") == ["periode", "couvrir"]
    assert terms("Combien de pays le programme a-t-il ?", "fr") == terms(
        "Combien de pays le programme a ?", "fr"
    )
    assert terms("Quelles organisations ont lancé le projet ?", "fr") == [
        "organisation",
        "lancer",
        "projet",
    ]
    assert "haber" not in terms("¿Qué agencias han lanzado el plan?", "es")
    assert "onde" not in terms("Onde atua o programa?", "pt")


def test_a_name_inside_a_question_in_another_language_is_kept_as_it_is():
    # the Portuguese lemmatiser made "Colômbia" "colombio" and the Spanish one "ONU Mujeres"
    # "onu mujer": words the English documents never say (pack entry terms.name)
    assert "colombia" in terms("Qual é o salário mínimo na Colômbia?", "pt")
    assert terms("¿Dónde trabaja ONU Mujeres?", "es")[-1] == "mujeres"
    assert proper_terms("Quel rôle jouent les Nations Unies ?", "fr") == ["nations", "unies"]
    # the first word of a sentence is no name by its capital; an English name is lemmatised as
    # the English text is
    assert terms("Países del programa. Trabajan allí", "es")[0] == "pais"
    assert terms("Who leads the United Nations?", "en") == ["lead", "unite", "nation"]


def test_a_french_elided_article_leaves_the_name_it_stands_before():
    # "l'OIT" was lemmatised whole (to "ouir"), so the name never met a passage
    assert terms("la stratégie de l'OIT", "fr") == ["strategie", "oit"]
    assert terms("le rôle d’ACNUR", "fr")[-1] == "acnur"


def test_names_are_the_capitalised_words_past_the_first():
    assert proper_terms("How much did Spain's AECID give?") == ["spain", "aecid"]


def test_a_gerund_noun_meets_its_verb_by_root():
    assert root(terms("funding")[0]) == root(terms("funds")[0])
    assert root(terms("monitoring")[0]) == root(terms("monitor")[0])
    assert root(terms("particularly")[0]) == root(terms("in particular")[0])


def test_british_spelling_meets_american():
    assert roots("UNHCR prioritises labour") == roots("UNHCR prioritizes labor")
    assert roots("the centre") == roots("the center")


def test_number_words_are_digits_in_every_language():
    assert terms("five thematic areas") == ["5", "thematic", "area"]
    assert terms("as cinco áreas", "pt")[0] == terms("les cinq domaines", "fr")[0] == "5"


def test_a_dictionary_is_read_once_by_answers_that_need_it_at_once(monkeypatch):
    """Four answers needing a language no one used before (German here): one reads its
    dictionary, the others wait for it instead of reading it too."""
    import threading

    from simplemma.strategies.dictionaries import dictionary_factory

    from index.lemmas import lemma

    reads: list[str] = []
    load = dictionary_factory._load_dictionary_from_disk

    def counted(langcode: str):
        reads.append(langcode)
        return load(langcode)

    monkeypatch.setattr(dictionary_factory, "_load_dictionary_from_disk", counted)
    start = threading.Barrier(4)
    got: list[str] = []

    def ask(word: str) -> None:
        start.wait()
        got.append(lemma(word, "de"))

    workers = [
        threading.Thread(target=ask, args=(w,)) for w in ("Häuser", "Kinder", "gingen", "Städte")
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert reads.count("de") == 1
    assert "haus" in got and "gehen" in got


def test_a_server_reads_its_warm_languages_before_the_first_question(monkeypatch):
    """read_dictionaries (the server's warm-up, RUTA_WARM_LANGUAGES) leaves nothing to read for
    the first question in those languages; a language without a dictionary is refused."""
    import pytest
    from pydantic import ValidationError
    from simplemma.strategies.dictionaries import dictionary_factory

    from app.settings import Settings
    from index import lemmas

    lemmas.read_dictionaries(["pt", "fr"])
    assert {("pt", "en"), ("fr", "en")} <= lemmas._READ
    reads: list[str] = []
    load = dictionary_factory._load_dictionary_from_disk
    monkeypatch.setattr(
        dictionary_factory,
        "_load_dictionary_from_disk",
        lambda code: reads.append(code) or load(code),
    )
    assert lemmas.lemma("cidades", "pt") == "cidade" and reads == []
    with pytest.raises(ValueError, match="'de'"):
        lemmas.read_dictionaries(["de"])
    assert Settings(warm_languages=" ES, pt ").warm_language_list == ["es", "pt"]
    assert Settings(warm_languages="").warm_language_list == []
    with pytest.raises(ValidationError, match="got de"):
        Settings(warm_languages="es,de")


def test_an_elided_article_does_not_hide_a_name():
    # "l'IECAH" is the name IECAH in French, as "IECAH" is: a question about it has a subject
    assert "iecah" in proper_terms("Quels mécanismes l'étude de l'IECAH examine-t-elle ?", "fr")
    assert proper_terms("Qu'examine l'étude ?", "fr") == []


def test_a_compound_qualified_by_a_name_names_it():
    """ "Canadian-funded" names Canada (its root meets "Canada"); a compound of names stays."""
    assert proper_terms("How long is the Canadian-funded project set to last?") == ["canadian"]
    assert proper_terms("What does the EU-backed programme do?") == ["eu"]
    assert proper_terms("What does the IOM-UNDP programme do?") == ["iom-undp"]
