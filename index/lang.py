"""A tiny offline language guess: en, es, pt, fr from function words and accents; questions
in other scripts by their script (ar, he, ru, el, hi, ja, ko, zh), so they are not taken for
English."""

from __future__ import annotations

import re

_WORDS = {
    "es": set(
        "el la los las de del que qué y en un una por para con cómo cuál cuáles cuánto cuánta "
        "cuántos cuántas cuándo quién quiénes dónde es son se su sus al lo como más sobre según "
        "también entre este esta estos estas hay fue está están ha han".split()
    ),
    "pt": set(
        "o a os as de do da dos das que e em um uma por para com como qual quais quanto quanta "
        "quantos quantas quando quem onde é são se seu sua seus suas ao aos mais sobre segundo "
        "também entre não pelo pela pelos pelas no na nos nas isso esta este foi está há".split()
    ),
    "fr": set(
        "le la les de du des que et en un une par pour avec comment quel quelle quels quelles "
        "qui où est sont se son sa ses au aux plus sur selon aussi entre ne pas quand combien "
        "dans cette ces leur leurs il elle ils elles ont font été était être".split()
    ),
    "en": set(
        "the of and to in a is are what which who how does do for on with by from that this "
        "has have was were its their about".split()
    ),
}
# French elision ("l'UNESCO", "d'organisations", "qu'est-ce") and its "-t-il" question form.
_FRENCH = re.compile(r"\b(?:[ldnsj]|qu)['’]\w|-t-(?:il|elle|on)\b", re.I)


# Checked in order: kana before the CJK ideographs Japanese shares with Chinese.
_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def detect_language(text: str) -> str:
    """The most likely of en/es/pt/fr, or the code of a non-Latin script that dominates the
    text; English when nothing points elsewhere."""
    latin = len(_LATIN.findall(text))
    for code, script in _SCRIPTS:
        if len(script.findall(text)) > latin:
            return code
    words = re.findall(r"[^\W\d_]+", text.lower())
    if not words:
        return "en"
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _WORDS.items()}
    if "¿" in text or "¡" in text or re.search(r"[ñ]", text.lower()):
        scores["es"] += 2
    if re.search(r"[ãõç]", text.lower()):
        scores["pt"] += 2
    if re.search(r"[èêàùëïœ]", text.lower()):
        scores["fr"] += 1
    if _FRENCH.search(text):
        scores["fr"] += 2
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"
