"""Word patterns the question analysis and the reader look for: what kind of answer a question
asks for (in four languages), sentences that refer back, and what something is for."""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal[
    "amount", "number", "date", "place", "actor", "list", "definition", "reason", "yesno", "other"
]

# Checked in order: the first kind whose pattern matches the question's opening wins, so
# "how many" is a number before "how" is a reason, "which countries" a place before an actor.
KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = (
    (
        "amount",
        re.compile(
            r"\b(how much (money|funding|fund|did|does|do|is|was|has|will)|how much\b|"
            r"(total|overall) (funding|budget|amount|cost|contribution)|budget|"
            r"cu[aá]nto (dinero|financiamiento|presupuesto|cuesta|aport)|cu[aá]nto\b|"
            r"quanto (dinheiro|financiamento|or[çc]amento)|quanto\b|combien d'argent|"
            r"quel (est le )?budget|montant|presupuesto|or[çc]amento|monto)",
            re.I,
        ),
    ),
    (
        "number",
        re.compile(
            r"\b(how many|what number of|number of|(what|which) (is the )?(\w+ )?(rate|percentage|"
            r"share|proportion)|cu[aá]nt[oa]s|quant[oa]s|combien( de)?)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"\b(when(?! \w+ing\b)|what year|(the )?duration|which year|since when|"
            r"what (time ?frame|period|dates?)|"
            r"which period|how long|until when|cu[aá]ndo|qu[eé] (per[ií]odo|a[ñn]o|fecha)|"
            r"desde cu[aá]ndo|quando|em que ano|que per[ií]odo|quand|en quelle ann[ée]e|"
            r"quelle p[ée]riode|depuis quand)\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"\b(where|in which (\w+ )?(countries|country|places|cities|city|regions)|which (\w+ )?("
            r"countries|country|cities|city|border crossings|crossings)|what (countries|cities|city)|"
            r"d[oó]nde|en qu[eé] (pa[ií]s(es)?|pasos|ciudad(es)?|lugares)|qu[eé] (pa[ií]ses|ciudad)|"
            r"onde|em que (pa[ií]s(es)?|cidades?)|quais pa[ií]ses|o[uù] |quels pays|"
            r"dans quel(le)?s? (pays|villes?))",
            re.I,
        ),
    ),
    (
        "actor",
        re.compile(
            r"\b(who|whom|whose|stand for|acronym|abbreviation|full name|"
            r"qu[eé] significa(n)? (la sigla|las siglas)|which (\w+ )?(agenc(y|ies)|organi[sz]ations?|donors?|actors?|"
            r"partners?|institutions?|bod(y|ies)|entit(y|ies)|members?|governments?|ngos?|"
            r"mechanisms?|programmes?|programs?|initiatives?|platforms?|networks?|funds?)|"
            r"qui[eé]n(es)?|qu[eé] (organizaciones|agencias|donantes|actores|entidades|"
            r"mecanismos|programas)|quem|quais (organiza[çc][õo]es|ag[êe]ncias)|qui\b|"
            r"quelles? (organisations?|agences?))",
            re.I,
        ),
    ),
    (
        "list",
        re.compile(
            r"\b(what are the|which are the|list|name the|what kinds?|what types?|which kinds?|"
            r"(pillars|areas|priorities|objectives|axes|goals|components|services|groups|"
            r"lines|themes|focus areas)\b|cu[aá]les son|qu[eé] (tipos|servicios)|quais s[ãa]o|"
            r"quels sont|quelles sont)",
            re.I,
        ),
    ),
    (
        "definition",
        re.compile(
            r"^(what is|what's|what are|what does .* stand for|what was|define|qu[eé] es|"
            r"qu[eé] significa|o que [eé]|qu'est-ce que|que signifie)\b",
            re.I,
        ),
    ),
    (
        "reason",
        re.compile(r"\b(why|how|por qu[eé]|c[oó]mo|porque|como|pourquoi|comment)\b", re.I),
    ),
    (
        "yesno",
        re.compile(
            r"^(is|are|does|do|did|has|have|can|could|was|were|will|should|would|"
            r"¿?(es|son|hay|tiene|existe|puede)|[eé]|h[aá]|est-ce|y a-t-il)\b",
            re.I,
        ),
    ),
)

ANAPHOR = re.compile(
    r"^(It|Its|This|These|They|Their|Such|The (Strategy|Programme|Program|Network|Initiative|"
    r"Platform|Centre|Center|project|Project|study|Study|Facility|Plan|Observatory|Laboratory))\b"
)


# A question about what something is for, and a sentence that says what something is for.
PURPOSE_ASKED = re.compile(
    r"\b(purpose|aims?|objectives?|goals?|mission|mandate|supposed to|meant to|set up to|"
    r"trying to|(what|how) (does|do|did) .{0,80}\b(do|work)\b|para qu[eé]|objetivos?|finalidad|"
    r"prop[oó]sito|misi[oó]n|finalidade|but|objectifs?)\b",
    re.I,
)
PURPOSE_SAID = re.compile(
    r"\b(aims?|aimed|seeks?|intends?|designed|established|created|set up|in order|so as|"
    r"purpose|objectives?|goals?|mission|mandate) (to|is|of|are)\b|\bto (ensure|support|"
    r"promote|provide|improve|strengthen|help|facilitate|develop|reduce|address|identify)\b",
    re.I,
)


# Verbs that ask the same of an actor: "Who runs R4V?" is answered by "co-led by UNHCR and
# IOM", "Who pays for it?" by "funded by the European Union".
ACTOR_VERBS = (
    "lead run head chair manage oversee steer",
    "fund finance pay sponsor donate bankroll",
    "carry conduct undertake realize realization implement",
)
