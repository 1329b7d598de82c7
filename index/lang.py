"""A tiny offline language guess (en, es, pt, fr) from function words and accents."""

from __future__ import annotations

import re

_WORDS = {
    "es": set(
        "el la los las de del que qué y en un una por para con cómo cuál cuáles cuánto quién "
        "dónde es son se su sus al lo como más sobre según también entre".split()
    ),
    "pt": set(
        "o a os as de do da dos das que e em um uma por para com como qual quais quanto quem "
        "onde é são se seu sua ao mais sobre segundo também entre não".split()
    ),
    "fr": set(
        "le la les de du des que et en un une par pour avec comment quel quelle quels qui "
        "où est sont se son sa au plus sur selon aussi entre ne pas".split()
    ),
    "en": set(
        "the of and to in a is are what which who how does do for on with by from that this "
        "has have was were its their about".split()
    ),
}


def detect_language(text: str) -> str:
    """The most likely of en/es/pt/fr; English when nothing points elsewhere."""
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
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] > scores["en"] else "en"
