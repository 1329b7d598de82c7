"""Rules of app/rag/rules.py that the ablation keeps (they help several sets), each with a test
that fails when the rule is switched off (`pytest --ablate RULE`)."""

from __future__ import annotations

import pytest

from app.services import make_answerer


@pytest.fixture(scope="module")
def answerer(real_services):
    return make_answerer(real_services.settings, real_services)


def test_which_countries_needs_a_sentence_naming_several(answerer):
    """'country_list': one country named in passing is no list of countries; the documents
    name the initiative but not its countries, so the answer says so."""
    a = answerer.answer(
        "In which six countries is the Inclusive Cities, Communities of Solidarity initiative "
        "carried out?"
    )
    assert a.refused, a.text


def test_a_plural_question_collects_names_from_several_passages(answerer):
    """'breadth': 'which programmes …' is answered from every passage naming one."""
    a = answerer.answer(
        "Which programmes in the review address human trafficking and the smuggling of migrants?"
    )
    assert not a.refused
    assert len({c.chunk_id for c in a.citations}) >= 2, a.text


def test_who_leads_is_answered_by_a_sentence_saying_who_leads(answerer):
    """'actor_verb': the sentence naming the platform's 200 organisations says nothing of who
    leads it; the one saying it is "co-led by UNHCR and IOM" answers."""
    a = answerer.answer(
        "Which organisations lead the R4V platform made up of over 200 organizations?"
    )
    assert not a.refused
    assert "co-led by UNHCR and IOM" in a.citations[0].quote, a.text


@pytest.mark.parametrize(
    "question",
    [
        "Which organisation chairs REDLAC?",
        "Which agency heads the Mixed Migration Centre?",
        "¿Qué organización preside REDLAC?",  # the verbs of each language's pack
        "Quelle organisation préside REDLAC ?",
    ],
)
def test_which_agency_leads_is_refused_when_no_sentence_says_who_leads(answerer, question):
    """'actor_verb': "which agency leads …?" asks a name as "who leads …?" does; a sentence
    that names agencies near the subject (or says it "has led to" something) is no answer."""
    a = answerer.answer(question)
    assert a.refused, a.text


def test_who_heads_an_office_is_not_answered_by_a_role_in_something_else(answerer):
    """'actor_object': the network's list says "IOM (co-chair)" and names UN Women among its
    members, but what is headed is an office, and no sentence says who heads that."""
    a = answerer.answer("Who is in charge of running the regional office of UN Women in LAC?")
    assert a.refused, a.text
    b = answerer.answer("Which agencies co-chair the regional migration network of the UN?")
    assert not b.refused and "ECLAC (co-chair)" in b.citations[0].quote, b.text


def test_names_beside_the_asked_for_noun_lead(answerer):
    """'head_beside': the sponsors' sentence says the study "examines … coordination
    mechanisms"; the mechanisms themselves stand beside the noun ("coordination mechanisms,
    particularly the …", "… especially R4V and IBC-HM"), and that sentence leads, in English
    as in French (where "mécanismes" is the documents' "mechanisms")."""
    a = answerer.answer("Which coordination mechanisms does the IECAH report review?")
    assert "especially R4V and IBC-HM" in a.citations[0].quote, a.text
    b = answerer.answer(
        "Quels mécanismes de coordination l'étude de l'IECAH passe-t-elle en revue ?"
    )
    assert "particularly the Regional Risk Group" in b.citations[0].quote, b.text


def test_names_with_acronyms_in_brackets_are_one_run(answerer):
    """'bracketed_run': "the Caribbean (REDLAC), the Regional … (R4V) and the Thematic
    Coalition … (IBC-HM)" is one run of names: the lead gives all three, brackets closed."""
    a = answerer.answer(
        "Quels mécanismes de coordination l'étude de l'IECAH passe-t-elle en revue ?"
    )
    assert "(REDLAC)" in a.framing[0] and "(IBC-HM)" in a.framing[0], a.framing


def test_a_lists_citation_quotes_the_item_that_answers(answerer):
    """'answer_quote': the four EUROFRONT crossings are one passage, quoted whole in their
    order; its citation, and so the lead, quote the crossing asked about, not the first."""
    a = answerer.answer("¿Qué dos países comparten el cruce de Aguas Blancas-Bermejo?")
    assert "Aguas Blancas" in a.citations[0].quote, a.citations
    assert "Argentina and Bolivia" in a.framing[0], a.framing


def test_a_lead_names_the_members_listed_not_the_lists_subject(answerer):
    """'members_listed': "The Network includes 19 agencies …: ECLAC (co-chair), FAO, ILO, IOM
    (co-chair), …" is led by the members, read past their roles, not by "Network"."""
    a = answerer.answer(
        "¿Qué agencias de la ONU integran la Red Regional de las Naciones Unidas sobre Migración?"
    )
    lead = a.framing[0]
    assert "Network" not in lead and "FAO" in lead and "UNODC" in lead, a.framing


def test_a_funding_verb_in_another_language_meets_the_english_one(answerer):
    """The packs' actor verbs: "financia" is "funded", so the sentence saying who funds the
    project answers, its span the lead."""
    a = answerer.answer("¿Quién financia el Proyecto Turquesa contra el tráfico de migrantes?")
    assert not a.refused and "Government of Canada" in a.framing[0], a.text


def test_support_in_another_language_meets_the_english_one(answerer):
    """The packs' actor verbs, group 'support': "soutenu" is "with the support of", so the
    lead names those the study thanks for support, not its sponsors."""
    a = answerer.answer("Qui a soutenu l'étude de l'IECAH, à part ceux qui l'ont lancée ?")
    assert "UNDCO" in a.framing[0] and "DG-ECHO" not in a.framing[0], a.framing


def test_a_thing_called_by_a_word_the_documents_never_use_is_no_near_miss(answerer):
    """The documents never say "sponsors", but they say "funded by" and "with the support of":
    a question about the study's sponsors is about something they speak of, not a near miss
    to refuse."""
    a = answerer.answer("Besides its sponsors, which organisations supported the IECAH study?")
    assert not a.refused, a.text
    assert "with the support of the LAC MRD Coalition" in a.citations[0].quote, a.text


def test_which_two_is_answered_by_a_sentence_naming_just_two(answerer):
    """'names_counted': "team up" is no word the documents use of Project Turquesa, but the
    question says how many it asks for, and one sentence names just two, side by side."""
    a = answerer.answer("Which two organisations team up under Project Turquesa?")
    assert not a.refused, a.text
    assert "INTERPOL and the UNODC" in a.citations[0].quote, a.text
    # in another language too, where the best sentence alone is otherwise read for the span
    a = answerer.answer("Quais são as duas organizações que atuam juntas no Projeto Turquesa?")
    assert "INTERPOL and the UNODC" in a.citations[0].quote, a.text
    assert "INTERPOL and the UNODC [1]" in a.framing[0], a.text


@pytest.mark.parametrize(
    "question",
    [
        "What are the pilot border crossings of the EUROFRONT programme?",
        "Quels sont les points de passage frontaliers pilotes du programme EUROFRONT ?",
    ],
)
def test_a_sentence_counting_a_list_brings_the_list_from_the_next_passage(answerer, question):
    """'counted_list': "… at four pilot border crossings …" ends one passage; the next opens
    with "The borders … are:" and four items: the answer names the four."""
    a = answerer.answer(question)
    assert not a.refused
    for border in ("Rumichaca", "Desaguadero", "Triple Frontier", "Aguas Blancas"):
        assert border in a.text, a.text
    assert len({c.chunk_id for c in a.citations}) == 2


def test_a_name_qualifying_a_compound_is_the_subject(answerer):
    """'on_subject' reads "Canadian-funded" as naming Canada (index/lemmas.proper_terms): the
    sentence on the Government of Canada's project answers; before, the compound was a name
    no sentence held and the question was refused."""
    a = answerer.answer(
        "How long is the Canadian-funded project against migrant smuggling set to last?"
    )
    assert not a.refused and "two-and-a-half-year" in a.text, a.text


@pytest.mark.parametrize(
    "question",
    ["¿Cuántos hospitales apoya la plataforma R4V?", "Quantas escolas a plataforma R4V apoia?"],
)
def test_a_count_asked_in_another_language_is_of_what_it_names(answerer, question):
    """'unknown_counted': no number of the R4V passages counts hospitals or schools ("over
    200 organizations", "17 countries"); the count is not there to give."""
    a = answerer.answer(question)
    assert a.refused, a.text


def test_a_date_answers_only_in_a_sentence_on_the_thing_asked_about(answerer):
    """'on_thing': the study's presentation date ("presented on July 16, 2024") is in a sentence
    on the study, not on the conference it proposes; no sentence dates the conference."""
    a = answerer.answer("When would the proposed conference on mixed migration in LAC happen?")
    assert a.refused, a.text
    # a date in a sentence on the thing asked about still answers
    a = answerer.answer("When was the IECAH study presented?")
    assert not a.refused and "July 16, 2024" in a.text, a.text


@pytest.mark.parametrize(
    "question",
    [
        "Who drafted the IECAH study on coordination mechanisms?",
        "¿Quién escribió la revisión de K4DD?",
    ],
)
def test_who_wrote_is_refused_when_no_sentence_says_who_wrote(answerer, question):
    """'actor_verb' with the packs' 'write' group: the documents name who funded, presented
    and carried out the study, never its authors."""
    a = answerer.answer(question)
    assert a.refused, a.text


def test_a_part_naming_its_document_by_one_word_is_not_about_that_word(answerer):
    """'doc_not_side': "according to K4DD" says where to look; the first part is answered from
    the review's passages on the platform, not refused for naming K4DD nowhere."""
    a = answerer.answer(
        "Which agencies co-lead the Venezuela response platform according to K4DD, and what "
        "does the IECAH study propose for its structure?"
    )
    assert "discuss K4DD" not in a.text, a.text
    assert "reconfiguration of R4V" in a.text, a.text
    assert {c.doc_id for c in a.citations} == {"iecah-coordination-study", "k4dd-donor-activity"}


@pytest.mark.parametrize(
    "question",
    [
        "What is the exact number of refugees and migrants that R4V partners helped in 2023?",
        "¿Cuántos refugiados exactamente ayudaron los socios de R4V en 2023?",
    ],
)
def test_an_exact_count_is_not_answered_by_millions(answerer, question):
    """'exact_count': "all R4V partners combined helped millions of refugees" gives no number;
    an exact count of them is not there to give (the packs' `question.exact`)."""
    a = answerer.answer(question)
    assert a.refused, a.text
    # without "exactly" the sentence answers, as before
    a = answerer.answer("How many refugees and migrants did R4V partners help in 2023?")
    assert not a.refused and "millions" in a.text, a.text
