"""Question analysis in four languages: the kind of answer asked for, names, parts, follow-ups."""

from __future__ import annotations

import pytest

from app.rag.question import analyse, names_counted


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("How much funding did the European Union give to the programme?", "amount"),
        ("¿Cuánto dinero recibió el programa?", "amount"),
        ("How many countries take part in the network?", "number"),
        ("Combien de pays participent au réseau ?", "number"),
        ("Quantos países participam da rede?", "number"),
        ("How big is the platform?", "number"),
        ("When was the regional strategy adopted?", "date"),
        ("¿Cuándo se aprobó la estrategia?", "date"),
        ("Em que ano a estratégia foi aprovada?", "date"),
        ("Quand la stratégie a-t-elle été adoptée ?", "date"),
        ("Where does the platform publish its data?", "place"),
        ("In which countries does the programme run?", "place"),
        ("¿En qué países trabaja la red?", "place"),
        ("Who chairs the working group?", "actor"),
        ("Which agencies lead the response?", "actor"),
        ("¿Quién financia el proyecto?", "actor"),
        ("Quem financia o projeto?", "actor"),
        ("What are the pillars of the strategy?", "list"),
    ],
)
def test_kind_of_answer_asked_for(text, kind):
    assert analyse(text).kind == kind


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Quand la stratégie de l'UNESCO se termine-t-elle ?", "fr"),
        ("Combien d'organisations font partie de la plateforme ?", "fr"),
        ("Quantos migrantes atravessaram a fronteira em 2023?", "pt"),
        ("Cuántos países cubre el programa", "es"),
        ("What's the grant facility for?", "en"),
        # too short for function words: a language's letters or forms decide (the packs'
        # detect.letters, detect.forms), and the answer is said in that language
        ("Coordenação regional?", "pt"),
        ("Niños migrantes", "es"),
        ("Qu'offre l'OIM ?", "fr"),
        ("L'OIM ?", "fr"),
    ],
)
def test_language_of_the_question(text, lang):
    assert analyse(text).lang == lang


def test_language_and_names():
    q = analyse("¿Quién financia el Proyecto Turquesa de INTERPOL?")
    assert q.lang == "es"
    assert "interpol" in q.names and "turquesa" in q.names


def test_a_gerund_after_when_is_no_date_question():
    assert analyse("When coordinating sectors, which standards apply?").kind != "date"


def test_two_part_questions_are_split():
    q = analyse("What did the study find, and what does it recommend?")
    assert len(q.parts) == 2
    assert analyse("Is it a series? What do the other reports cover?").parts[1].startswith("What")
    assert analyse("Which agencies lead the response?").parts == (
        "Which agencies lead the response?",
    )


def test_strict_kinds_need_a_span_of_their_shape():
    assert analyse("How many offices does the agency have?").strict
    assert analyse("Which countries does the initiative cover?").strict
    assert not analyse("Where does the platform publish its data?").strict
    assert not analyse("What is the Global Compact?").strict


@pytest.mark.parametrize(
    ("text", "things"),
    [
        ("Who chaired the advisory board of the new plan?", ("board", "plan")),
        ("When was the secretariat of the UN Network set up?", ("secretariat",)),
        ("What is the duration of the programme?", ("programme",)),  # the kind's own word
        ("Which agencies fund the Network?", ()),  # the head noun is what is asked for
        ("What is the total money going into the fund?", ("fund",)),  # no participle
    ],
)
def test_the_things_a_question_asks_about(text, things):
    assert analyse(text).things == things


def test_verbs_that_ask_the_same_of_an_actor():
    assert {"fund", "financ"} <= analyse("Who pays for the programme?").predicate_roots
    assert "lead" in analyse("Who runs the platform?").predicate_roots
    assert "fund" not in analyse("Who designed the survey?").predicate_roots


def test_who_asking_for_whom_is_not_strict():
    assert analyse("Who chairs the working group?").strict
    assert not analyse("Who is the new programme focused on?").strict
    assert not analyse("Who does the programme target?").strict


@pytest.mark.parametrize(
    ("text", "span_kind"),
    [
        ("When does the strategy start?", "moment"),
        ("¿Cuándo empieza la estrategia?", "moment"),
        # the dates a period runs between, not its length ("2022-2025", not "four-year")
        ("What period does the strategy cover?", "moment"),
        ("Quelle période couvre la stratégie ?", "moment"),
        ("How long does the project run?", "date"),
        ("In which city was the study presented?", "city"),
        ("Em que cidade foi apresentado o estudo?", "city"),
        ("Which countries does the programme cover?", "country"),
    ],
)
def test_the_shape_of_the_answer_span(text, span_kind):
    assert analyse(text).span_kind == span_kind


def test_what_a_count_counts():
    assert analyse("How many UN bodies make up the network?").counted == ("un", "body")
    assert analyse("How many offices does the agency have?").counted[0] == "office"
    assert analyse("What is the unemployment rate among migrants?").counted == ("%",)


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("And who co-chairs it?", "yes"),
        ("Does it also cover remittances?", "yes"),
        ("Which countries does it cover?", "yes"),
        ("Where does R4V post its monitoring data?", "no"),
        ("What does EUROFRONT aim to strengthen?", "no"),
        ("Which actors in the review involve faith-based organisations in their work?", "maybe"),
        ("¿Y quién lo preside?", "yes"),
        # "¿Y …?" opens with "Y" after the inverted question mark: a follow-up without a
        # pronoun, its subject dropped ("se apoya": it is based)
        ("¿Y en qué normas se apoya?", "yes"),
    ],
)
def test_follow_ups_lean_on_the_conversation_only_when_they_need_it(text, need):
    assert analyse(text).needs_context == need


def test_an_acronym_opening_the_question_is_a_name():
    assert "unhcr" in analyse("UNHCR co-leads R4V. Was it involved in the study?").names
    assert "is" not in analyse("IS the plan funded?").names  # two capitals are no acronym


def test_it_after_a_statement_is_the_statements_subject():
    q = analyse("UNHCR co-leads R4V according to the review. Was it also involved in the study?")
    assert q.focus == "Was UNHCR also involved in the study?"
    assert analyse("The study criticises X. What did it find?").focus == "What did it find?"


def test_nouns_joined_to_a_plural_one_ask_for_several():
    assert analyse("Which research or training programmes run in Peru?").plural
    assert not analyse("Which government pays for it?").plural
    assert not analyse("Which country or region hosts most migrants?").plural
    # several nouns before the plural one and the auxiliary
    assert analyse("Which four pilot border crossings does the programme work at?").plural
    assert not analyse("Which pilot border crossing does the programme start at?").plural


@pytest.mark.parametrize(
    ("question", "plural"),
    [
        ("¿Cuáles son los países de la iniciativa?", True),
        ("¿Cuál es el país de la iniciativa?", False),
        ("Quais são os países da iniciativa?", True),
        ("Qual é o país da iniciativa?", False),
        ("Quels sont les pays de l'initiative ?", True),
        ("Quel est le pays de l'initiative ?", False),
    ],
)
def test_a_question_word_that_inflects_says_whether_several_are_asked(question, plural):
    """'¿Cuáles son …?' asks for several though no noun follows the question word
    (pack entry question.plural_wh): a country named in passing is then no answer."""
    assert analyse(question).plural is plural


@pytest.mark.parametrize(
    ("question", "lang", "count"),
    [
        ("Which two agencies co-lead the platform?", "en", 2),
        ("Which 3 programmes does it fund?", "en", 3),
        ("¿Qué dos organizaciones lo dirigen?", "es", 2),
        # past a copula and an article, the feminine form of the number too
        ("Quais são as duas organizações que o dirigem?", "pt", 2),
        ("Quelles sont les deux organisations associées ?", "fr", 2),
        ("Which agencies co-lead the platform?", "en", 0),
        ("Which two-year programme is it?", "en", 0),
        ("Which one agency leads it?", "en", 0),
        ("What two levels of coordination does it propose, and whose role?", "en", 0),
    ],
)
def test_a_question_may_say_how_many_names_it_asks_for(question, lang, count):
    assert names_counted(question, lang) == count


def test_the_words_asking_for_a_summary_are_no_thing_asked_about():
    """ "rundown" is not in the documents, but it asks for a summary (plan words): it is no
    unknown thing that would make the question unanswerable."""
    assert "rundown" not in analyse("Give me a rundown of the UN migration network").things
    assert "team" in analyse("Who led the research team for the study?").things
