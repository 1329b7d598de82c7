"""The answer plans on hand-made passages: which plan a question gets, the sides of a
comparison, the points of a summary, parts answered one by one with the real reader."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.rag.choose import read
from app.rag.conversation import own_subject
from app.rag.model import DEFAULT_TUNING
from app.rag.plans.shape import Plan, comparison_sides, plan_of
from app.rag.plans.steps import answer_steps, side_names
from app.rag.plans.summary import points_of, spread, summarise
from app.rag.plans.unnamed import second_side, unnamed_sides
from app.rag.plans.words import PATTERNS, table, words
from app.rag.question import analyse
from app.rag.termstats import TermStats
from index.lemmas import root
from index.retrieve import Prepared
from index.types import Hit
from ingest.types import Chunk


def chunk(n: int, text: str, section: str = "", doc: str = "doc-a") -> Chunk:
    return Chunk(
        f"{doc}#{n:04d}", doc, "A made-up review", text, n * 1000, n * 1000 + len(text), section
    )


PASSAGES = [
    chunk(0, "The Blue Fund is financed by Norway with $12 million for border health posts."),
    chunk(1, "The Green Corridor Initiative is led by FAO and WFP in five countries."),
    chunk(2, "Ruritania supports the Green Corridor Initiative with technical staff."),
]


@pytest.fixture(scope="module")
def stats() -> TermStats:
    return TermStats.of(Prepared.of(PASSAGES, 10))


@pytest.fixture(scope="module")
def reader_embedder(real_services):
    return real_services.sentence_embedder


def ask_over(passages: list[Chunk], stats: TermStats, embedder):
    """Reads every question against the same hand-made passages, with the real reader."""

    def ask(query: str, name: str = "", docs: tuple[str, ...] = ()):
        # given documents, only their passages (as the Answerer searches a part in them)
        mine = [c for c in passages if not docs or c.doc_id in docs]
        hits = [Hit(c, 1.0 / (i + 1), i + 1) for i, c in enumerate(mine)]
        if name:  # the passages that name it first, as the Answerer looks further for them
            hits.sort(key=lambda h: name.lower() not in h.chunk.text.lower())
        return hits, read(analyse(query, "en"), hits, stats, embedder)

    return ask


@pytest.mark.parametrize("lang", sorted(table()))
@pytest.mark.parametrize("name", PATTERNS)
def test_every_cue_finds_its_examples_and_not_its_counter_examples(lang, name):
    pattern = getattr(words(lang), name)
    raw = table()[lang]
    for text in raw[f"{name}_match"]:
        assert pattern.search(text), (lang, name, text)
    for text in raw[f"{name}_no_match"]:
        assert not pattern.search(text), (lang, name, text)


@pytest.mark.parametrize(
    ("question", "plan"),
    [
        ("What does K4DD stand for?", "single"),
        ("Which agencies co-lead the R4V platform?", "list"),
        ("What is the Quito Process and who leads R4V?", "parts"),
        (
            "Which agency works with INTERPOL on the project, and what crimes does it target?",
            "chain",
        ),
        # 'name_part': a later part asks who, the first something else
        ("What levels does the study propose, and who should get a bigger say?", "parts"),
        ("Compare what the review says about USAID and Canada's funding", "comparison"),
        ("Summarise the IECAH study's recommendations", "summary"),
        ("Resume las recomendaciones del estudio del IECAH", "summary"),
        ("What is the total funding from USAID plus the IDB's match?", "derived"),
    ],
)
def test_a_question_gets_the_plan_of_its_shape(question, plan):
    assert plan_of(analyse(question)).name == plan


def test_a_comparison_has_one_question_per_side():
    sides = comparison_sides("Compare what the review says about USAID and Canada's funding", "en")
    assert sides == (
        "what the review says about USAID funding",
        "what the review says about Canada's funding",
    )
    assert comparison_sides("Compara lo que dice la revisión sobre USAID y Canadá", "es") == (
        "lo que dice la revisión sobre USAID",
        "lo que dice la revisión sobre Canadá",
    )


@pytest.mark.parametrize(
    ("question", "sides"),
    [
        # the cue spans the sides
        (
            "How do IOM's and ILO's regional strategies differ?",
            ("How do IOM's regional strategies differ", "How do ILO's regional strategies differ"),
        ),
        (
            "In what ways do the IOM and ILO strategies differ?",
            (
                "In what ways do the IOM strategies differ",
                "In what ways do the ILO strategies differ",
            ),
        ),
        # the cue stands between the sides: each is asked what is asked before it
        (
            "How does UNICEF's work differ from UNHCR's?",
            ("How does UNICEF's work", "How does UNHCR's work"),
        ),
        (
            "How does the UN Regional Network compare with R4V?",
            ("How does the UN Regional Network", "How does the R4V"),
        ),
    ],
)
def test_the_sides_of_a_comparison_whatever_the_cue_spans(question, sides):
    assert plan_of(analyse(question)).name == "comparison"
    assert comparison_sides(question, "en") == sides


def test_places_named_together_are_one_side_against_another_place():
    """'region_sides': "North America, Central America and the Caribbean" is one region, the
    side against "South America", not three sides of their own."""
    sides = comparison_sides(
        "What distinguishes IOM's South America strategy from its strategy for North America, "
        "Central America and the Caribbean?",
        "en",
    )
    assert len(sides) == 2
    assert "South America" in sides[0] and "Caribbean" not in sides[0]
    assert "North America, Central America and the Caribbean" in sides[1]
    assert "South America" not in sides[1]
    # ... "IOM's South America" beside "IOM's" is named by its place
    assert side_names(sides)[0] == "South America"
    # two places and nothing joined: the sides as before
    assert comparison_sides("Compare Colombia and Peru", "en") == ("Colombia", "Peru")


def test_sides_named_before_each_are_each_asked_on_their_own():
    """'named_sides': "How do A and B each …?" has named sides, each asked on its own."""
    plan = plan_of(analyse("How do UN Women and UNODC each deal with gender?"))
    assert plan == Plan(
        "comparison",
        ("How do UN Women each deal with gender", "How do UNODC each deal with gender"),
    )
    # without names, the reader's answer and a second passage
    assert plan_of(analyse("How do the bank's survey and its portal each help migrants?")) == Plan(
        "comparison"
    )


@pytest.mark.parametrize(
    ("sides", "names"),
    [
        # the name a side holds and the others do not, not the document all of them name
        (
            ("Who do UNHCR work with, per K4DD", "Who do UNICEF work with, per K4DD"),
            ["UNHCR", "UNICEF"],
        ),
        # names side by side are one name
        (
            ("How do UN Women deal with gender", "How do UNODC deal with gender"),
            ["UN Women", "UNODC"],
        ),
        # no name of its own: its last name
        (("What does IOM fund", "What does IOM fund"), ["IOM", "IOM"]),
    ],
)
def test_a_side_is_named_by_the_name_the_other_sides_lack(sides, names):
    assert side_names(sides) == names


def test_a_follow_up_that_names_its_own_subject_stands_alone():
    assert own_subject(analyse("And who leads R4V?"))
    assert not own_subject(analyse("And who pays for it?"))
    assert not own_subject(analyse("And Canada?"))  # no predicate of its own
    assert not own_subject(analyse("And on information management systems?"))  # no name


def test_each_part_is_answered_on_its_own_and_an_unanswered_one_says_so(stats, reader_embedder):
    a = answer_steps(
        "Who finances the Blue Fund and what is the Quito Process?",
        ("Who finances the Blue Fund", "what is the Quito Process"),
        ask_over(PASSAGES, stats, reader_embedder),
        "en",
        "",
    )
    assert a is not None and not a.refused
    first, second = a.text.split("\n")
    assert "Norway" in first and first.endswith("[1]")
    assert second == "What is the Quito Process? The documents do not say."
    assert [c.chunk_id for c in a.citations] == ["doc-a#0000"]


def test_a_part_that_names_a_document_is_answered_from_it_about_the_first_parts_subject(
    stats, reader_embedder
):
    passages = [
        *PASSAGES,
        chunk(0, "The study proposes merging the Blue Fund into a regional fund.", doc="doc-b"),
        chunk(1, "The study proposes a new regional office.", doc="doc-b"),
    ]
    a = answer_steps(
        "Who finances the Blue Fund, and what does the study want done with it?",
        ("Who finances the Blue Fund", "what does the study want done with it"),
        ask_over(passages, stats, reader_embedder),
        "en",
        "",
        docs=(("doc-a",), ("doc-b",)),
    )
    assert a is not None and not a.refused
    first, second = a.text.split("\n")
    assert "Norway" in first
    # asked of doc-b about the Blue Fund: the proposal that names it, not the other one
    assert "merging the Blue Fund" in second
    assert {c.chunk_id for c in a.citations} == {"doc-a#0000", "doc-b#0000"}


PROJECTS = [
    chunk(
        0,
        "The Harbour Police and the Blue Agency work together.",
        "Project Alba",
    ),
    chunk(1, "Project Alba targets migrant smuggling and human trafficking.", "Project Alba"),
    chunk(2, "The Green Network targets hunger and meets twice a year.", "Green Network"),
]


def test_a_chained_part_is_asked_of_the_name_the_first_part_found(reader_embedder):
    """'chain': "what crimes does it target" is asked of Project Alba, where the first part's
    answer stands, not of the Green Network, which also 'targets' something."""
    assert (
        plan_of(analyse("Who negotiated the Compact, and how does it describe its scope?")).name
        != "chain"
    )
    ask = ask_over(PROJECTS, TermStats.of(Prepared.of(PROJECTS, 10)), reader_embedder)
    steps = ("Which agency works with the Harbour Police", "what crimes does it target")
    a = answer_steps("x", steps, ask, "en", "", chained=True)
    assert a is not None and not a.refused
    first, second = a.text.split("\n")
    assert "Blue Agency" in first and "migrant smuggling" in second
    assert [c.chunk_id for c in a.citations] == ["doc-a#0000", "doc-a#0001"]


def test_every_part_unanswered_is_a_refusal(stats, reader_embedder):
    ask = ask_over(PASSAGES, stats, reader_embedder)
    assert answer_steps("x", ("What is the Quito Process", "who is Zorblax"), ask, "en", "") is None


def test_each_side_of_a_comparison_is_answered_from_a_passage_that_names_it(stats, reader_embedder):
    a = answer_steps(
        "Compare FAO and Ruritania",
        (
            "what does the review say about the Green Corridor and FAO",
            "what does the review say about the Green Corridor and Ruritania",
        ),
        ask_over(PASSAGES, stats, reader_embedder),
        "en",
        "",
        labelled=True,
    )
    assert a is not None
    fao, ruritania, both = a.text.split("\n")
    assert fao.startswith("FAO: ") and "led by FAO" in fao
    assert ruritania.startswith("Ruritania: ") and "technical staff" in ruritania
    assert both == "Both: no passage speaks of both."  # never a silent gap
    assert {c.chunk_id for c in a.citations} == {"doc-a#0001", "doc-a#0002"}


ALLIES = [
    chunk(0, "Norway funds the Blue Fund with $12 million for border health posts."),
    chunk(1, "Sweden trains the staff of border health posts in three countries."),
    chunk(2, "Norway and Sweden agreed in 2023 to report on the posts together."),
]


def test_a_comparison_ends_with_what_the_documents_say_about_both_sides(reader_embedder):
    a = answer_steps(
        "Compare Norway and Sweden",
        ("what does the review say about Norway", "what does the review say about Sweden"),
        ask_over(ALLIES, TermStats.of(Prepared.of(ALLIES, 10)), reader_embedder),
        "en",
        "",
        labelled=True,
    )
    assert a is not None
    lines = a.text.split("\n")
    assert lines[0].startswith("Norway: ") and lines[1].startswith("Sweden: ")
    assert lines[-1].startswith("Both: ") and "report on the posts together" in lines[-1]
    assert lines[-1].endswith(f"[{len(a.citations)}]")
    assert a.citations[-1].chunk_id == "doc-a#0002"


SECTION = [
    chunk(0, "Background text that is no recommendation.", "Background", "doc-b"),
    chunk(
        1,
        "It is proposed to create a working group. It is recommended to pool funds. "
        "This means one budget line. A single database should be built.",
        "Recommendations",
        "doc-b",
    ),
    chunk(
        2,
        "Local groups should join the board. States should own the response.\nRelated publications",
        "Recommendations",
        "doc-b",
    ),
]


def test_a_summary_point_keeps_the_sentence_that_goes_on_about_it():
    points = [p.text for p in points_of(SECTION[1:], "en")]
    assert points == [
        "It is proposed to create a working group.",  # "It is proposed": no reference back
        "It is recommended to pool funds. This means one budget line.",
        "A single database should be built.",
        "Local groups should join the board.",
        "States should own the response.",  # "Related publications": a heading, left out
    ]


def test_a_limited_summary_hears_every_passage_in_source_order():
    points = points_of(SECTION[1:], "en")
    shown = spread(points, 3)
    assert [p.chunk.chunk_id for p in shown] == ["doc-b#0001", "doc-b#0001", "doc-b#0002"]
    assert shown == [points[0], points[1], points[3]]


def test_a_summary_covers_the_section_asked_about_each_point_cited_once(reader_embedder):
    stats = TermStats.of(Prepared.of(SECTION, 10))
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(SECTION[::-1])]
    q = analyse("Summarise the recommendations")
    # what the summary composes, not whether the no-answer model (fitted on the real
    # documents) would refuse these made-up passages
    reading = read(q, hits, stats, reader_embedder, replace(DEFAULT_TUNING, refuse_at=1.0))
    roots = {root(t) for t in q.terms}
    a = summarise(q.text, roots, reading, hits, SECTION, "en", "", limit=4)
    assert a is not None and not a.refused
    lines = a.text.split("\n")
    assert lines[0] == "Recommendations: 4 of 5 points; ask for more."
    assert len(lines) == 5 and "Background" not in a.text
    assert [c.n for c in a.citations] == [1, 2, 3, 4] and all(c.verified for c in a.citations)


BANKS = [
    chunk(0, "The review maps donors in the region.", "1. Introduction", "doc-e"),
    chunk(
        1, "The Green Bank lends to border towns.", "4. Development Banks > 4.1 Green Bank", "doc-e"
    ),
    chunk(
        2,
        "The Blue Bank runs a data portal. The Blue Bank funds surveys.",
        "4. Development Banks > 4.2 Blue Bank",
        "doc-e",
    ),
    chunk(3, "The Red Agency funds shelters.", "5. Agencies > 5.1 Red Agency", "doc-e"),
]


CENTRES = [
    chunk(0, "The review maps donors in the region.", "1. Introduction", "doc-f"),
    chunk(
        1,
        "The Policy Lab Initiative (PLI) designs policy. Ministers attend its convenings.",
        "6. Research and policy > 6.1 Policy Lab Initiative",
        "doc-f",
    ),
    chunk(
        2,
        "The Mixed Routes Centre (MRC) collects data on journeys. Donors read its reports.",
        "6. Research and policy > 6.2 Mixed Routes Centre",
        "doc-f",
    ),
    chunk(3, "The Red Agency funds shelters.", "5. Agencies > 5.1 Red Agency", "doc-f"),
]


@pytest.mark.parametrize(
    ("passages", "question", "heading"),
    [
        (BANKS, "Summarise what the development banks do", "4. Development Banks"),
        (BANKS, "Summarise what the Blue Bank does", "4. Development Banks > 4.2 Blue Bank"),
        # a heading is named by the acronym its words spell ("PLI")
        (
            CENTRES,
            "Summarise what the PLI does",
            "6. Research and policy > 6.1 Policy Lab Initiative",
        ),
        # 'heading_siblings': two headings named as much are both covered, under what they share
        (
            CENTRES,
            "Summarise what the PLI and the MRC do",
            "6. Research and policy > 6.1 Policy Lab Initiative / 6.2 Mixed Routes Centre",
        ),
    ],
)
def test_a_summary_covers_the_heading_the_question_names_most(
    reader_embedder, passages, question, heading
):
    """'heading_any': the heading at any level whose own words (or their acronym) the question
    holds most, though the passage the reader ranks first stands elsewhere (the Red Agency's)."""
    stats = TermStats.of(Prepared.of(passages, 10))
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(passages[::-1])]
    q = analyse(question)
    reading = read(q, hits, stats, reader_embedder)
    a = summarise(q.text, {root(t) for t in q.terms}, reading, hits, passages, "en", "")
    assert a is not None and a.text.split("\n")[0] == f"{heading}:"
    assert "Red Agency" not in a.text and "donors" not in a.text


def test_a_summary_naming_no_heading_covers_the_whole_document_under_its_title(reader_embedder):
    stats = TermStats.of(Prepared.of(CENTRES, 10))
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(CENTRES)]
    q = analyse("Summarise what it says about donors, journeys and shelters")
    reading = read(q, hits, stats, reader_embedder)
    a = summarise(q.text, {root(t) for t in q.terms}, reading, hits, CENTRES, "en", "")
    assert a is not None and a.text.split("\n")[0] == "A made-up review:"
    assert "Red Agency" in a.text and "Policy Lab" in a.text and "Mixed Routes" in a.text


FUNDS = [
    chunk(
        0,
        "Norway is providing $12 million to the Blue Fund for border health posts. "
        "Sweden will add $8 million to the Blue Fund in 2025.",
        doc="doc-c",
    ),
    chunk(
        1, "Norway is providing $12 million to the Blue Fund for border health posts.", doc="doc-d"
    ),
]


def read_over(passages: list[Chunk], question: str, embedder):
    """The question, its hits (every passage, in order) and the real reader's reading of them."""
    stats = TermStats.of(Prepared.of(passages, 10))
    hits = [Hit(c, 1.0, i + 1) for i, c in enumerate(passages)]
    q = analyse(question)
    return q, hits, read(q, hits, stats, embedder)


def worked_out(passages: list[Chunk], question: str, embedder):
    """The derived plan's answer over ``passages``: the question gets that plan and an answer."""
    from app.rag.plans.derived import derive

    q, hits, reading = read_over(passages, question, embedder)
    assert plan_of(q).name == "derived"
    a = derive(q.text, reading, hits, "")
    assert a is not None
    return a


def test_a_derived_figure_shows_its_working_and_both_citations(reader_embedder):
    question = "How much money goes to the Blue Fund from Norway and Sweden combined?"
    a = worked_out(FUNDS, question, reader_embedder)
    working = a.text.split("\n")[0]
    # the same $12 million said twice (two passages) is never added to itself
    assert working == "$12 million + $8 million = $20 million [1][2]"
    assert [c.quote.split()[0] for c in a.citations] == ["Norway", "Sweden"]


def test_no_derived_figure_from_one_stated_figure(reader_embedder):
    from app.rag.plans.derived import derive

    stats = TermStats.of(Prepared.of(FUNDS[1:], 10))
    hits = [Hit(FUNDS[1], 1.0, 1)]
    q = analyse("How much money goes to the Blue Fund from Norway and Sweden combined?")
    assert derive(q.text, read(q, hits, stats, reader_embedder), hits, "") is None


STRATEGIES = [
    chunk(
        0, "Blue Strategy for Ruritania, 2022-2025: it sets four pillars of work.", "Blue Agency"
    ),
    chunk(
        1, "Green Strategy on Labour Mobility 2023-2030: it rests on five areas.", "Green Agency"
    ),
    chunk(2, "The Red Plan sets three priorities for border towns.", "Red Office"),
]


@pytest.mark.parametrize(
    ("question", "working", "first"),
    [
        (
            "How many years after the Blue Agency's strategy ends does the Green Agency's end?",
            "2030 [1] − 2025 [2] = 5 years",
            "Green",
        ),
        (
            "The Blue Agency's strategy ends in 2024. How many years beyond that does the "
            "Green Agency's strategy run?",
            "2030 [1] − 2024 (as asked) = 6 years",
            "Green",
        ),
        (
            "How many years after the Blue Agency's strategy starts does the Green Agency's start?",
            "2023 [1] − 2022 [2] = 1 years",
            "Green",
        ),
        # 'side_period': each side's year is the one the period word before its name says
        (
            "How many years are there between the start of the Blue Agency's strategy and the "
            "end of the Green Agency's?",
            "2030 [1] − 2022 [2] = 8 years",
            "Green",
        ),
    ],
)
def test_a_count_of_years_is_worked_from_each_sides_stated_year(
    reader_embedder, question, working, first
):
    a = worked_out(STRATEGIES, question, reader_embedder)
    assert a.text.split("\n")[0] == working
    assert a.citations[0].quote.split()[0] == first


def test_no_count_of_years_when_a_side_states_none(reader_embedder):
    from app.rag.plans.derived import year_gap

    question = "How many years after the Red Office's plan ends does the Green Agency's end?"
    q, hits, reading = read_over(STRATEGIES, question, reader_embedder)
    assert year_gap(q.text, reading, hits, "") is None


COUNCIL = [
    chunk(
        0,
        "The Council includes 9 members: Ruritania (chair), Norway, Chile, Peru (chair), Fiji, "
        "Oman, Laos, Mali and Chad.",
        "Council",
    ),
    chunk(1, "The Blue Fund is financed by Norway with $12 million for border health posts."),
]


@pytest.mark.parametrize(
    "question",
    [
        "How many members of the Council are not chairs?",
        "Leaving out the two chairs, how many other members does the Council have?",
    ],
)
def test_a_count_that_leaves_some_out_is_the_stated_count_less_those(reader_embedder, question):
    a = worked_out(COUNCIL, question, reader_embedder)
    assert a.text.split("\n")[0] == "9 − 2 chairs = 7 [1]"
    assert a.citations[0].quote.startswith("The Council includes 9 members")


def test_no_count_less_what_the_sentence_does_not_mark(reader_embedder):
    from app.rag.plans.derived import count_less

    question = "How many members of the Council are not observers?"
    q, hits, reading = read_over(COUNCIL, question, reader_embedder)
    assert count_less(q.text, reading, hits, "") is None


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "The survey ran during the months of February to July 2024.",
            ("February to July 2024", 6),
        ),
        ("It ran from November 2023 to March 2024.", ("November 2023 to March 2024", 5)),
        ("Project Alba is a two-and-a-half-year initiative.", ("two-and-a-half-year", 30)),
        ("The plan covers a 3-year period.", ("3-year", 36)),
        ("The plan was presented in July 2024.", None),
    ],
)
def test_a_stated_duration_in_months(text, said):
    from app.rag.plans.derived import _in_months

    assert _in_months(text) == said


DURATIONS = [
    chunk(0, "The fieldwork by the Blue Institute took place from March to August 2023.", "Study"),
    chunk(1, "The Blue Institute has 40 staff in three offices.", "Institute"),
]


def test_how_many_months_is_worked_from_a_stated_span(reader_embedder):
    """'month_span': both ends of "March to August" count; the working cites the sentence."""
    question = "For how many months did the Blue Institute do its fieldwork?"
    a = worked_out(DURATIONS, question, reader_embedder)
    assert a.text.split("\n")[0] == "March to August 2023 [1] = six months"
    assert a.citations[0].quote.startswith("The fieldwork by the Blue Institute")


OFFICES = [
    chunk(0, "In the region, the Blue Agency works in 12 offices covering 30 countries.", "Blue"),
    chunk(
        1,
        "The Green Plan sets three objectives: to train, to hire and to protect. To this end, "
        "the Plan is built around five priority axes.",
        "Green",
    ),
]


@pytest.mark.parametrize(
    ("question", "working"),
    [
        (
            "How many more countries does the Blue Agency cover than it has offices?",
            "30 countries [1] − 12 offices [1] = 18",
        ),
        (
            "Add up the objectives and the priority axes of the Green Plan: what is the total?",
            "three objectives [1] + five priority axes [2] = 8",
        ),
    ],
)
def test_counts_of_two_things_are_worked_from_each_ones_stated_count(
    reader_embedder, question, working
):
    """'count_total': each thing asked about takes its count from a sentence that counts it
    (a plural noun after the number: '12 offices', not '12 offices covering')."""
    a = worked_out(OFFICES, question, reader_embedder)
    assert a.text.split("\n")[0] == working


def test_no_count_total_from_one_thing_counted(reader_embedder):
    from app.rag.plans.derived import count_total

    question = "How many countries in total does the Blue Agency cover?"
    q, hits, reading = read_over(OFFICES, question, reader_embedder)
    assert count_total(q.text, reading, hits, "") is None


TOOLS = [
    chunk(0, "The bank's Harbour Portal, a migration tool, offers data on flows.", "Bank"),
    chunk(1, "The bank's Perception Lab, a migration tool, offers surveys of attitudes.", "Bank"),
    chunk(2, "Norway funds the Blue Fund with $12 million for border health posts.", "Norway"),
]


def test_a_comparison_of_unnamed_sides_quotes_a_second_passage(reader_embedder):
    question = "How do the bank's two migration tools differ in what they offer?"
    q = analyse(question, "en")
    assert plan_of(q) == Plan("comparison")  # no names to split it by
    hits, reading = ask_over(TOOLS, TermStats.of(Prepared.of(TOOLS, 10)), reader_embedder)(question)
    first = {hits[u.hit].chunk.chunk_id for u in reading.units}
    assert len(first) == 1  # the reader alone quotes one tool
    a = unnamed_sides(question, reading, hits, "")
    assert a is not None
    assert {c.chunk_id for c in a.citations} == {"doc-a#0000", "doc-a#0001"}  # both tools


def test_no_second_side_from_a_passage_that_does_not_answer(reader_embedder):
    question = "How do the bank's two migration tools differ in what they offer?"
    only = [TOOLS[0], TOOLS[2]]
    hits, reading = ask_over(only, TermStats.of(Prepared.of(only, 10)), reader_embedder)(question)
    assert second_side(reading) is None  # the Blue Fund is no side of it
    assert unnamed_sides(question, reading, hits, "") is None  # the reader's own answer


def test_a_part_that_names_only_places_asks_the_first_parts_subject_there():
    """'place_no_subject': "…, and which of them are in Latin America and the Caribbean?"
    asks about the first part's programme, in a region: one reading answers both, where a
    part answered on its own would search the region alone."""
    q = analyse(
        "How many countries does the Blue Programme reach, and which of them are in Latin "
        "America and the Caribbean?"
    )
    assert plan_of(q).name != "parts"
    assert (
        plan_of(analyse("What does the Blue Programme do, and which LAC countries take part?")).name
        != "parts"
    )
    assert plan_of(analyse("What is the Blue Programme and who leads Ruritania?")).name == "parts"
    # a country that is the subject ("how much does Canada provide") is no place said of one
    both = "How much does the Blue Fund provide and how much does Canada provide?"
    assert plan_of(analyse(both)).name == "parts"


def test_a_number_word_is_read_in_each_of_its_forms():
    assert words("pt").count("dois") == words("pt").count("duas") == 2
    assert words("es").count("una") == words("fr").count("une") == 1
    assert words("en").count("12") == 12 and words("en").count("dozen") is None
