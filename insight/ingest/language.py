"""Which language each unit is written in: a small offline detector (py3langid).

Units in another language than the study's are reported per file and marked
(``lang`` on each unit) so English-only models can leave them out with a warning.
Very short units (under :data:`MIN_WORDS` words) are not judged: they take the
language of their file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

#: Units shorter than this (in words) are not judged on their own.
MIN_WORDS = 6
#: Languages the detector chooses among (the common survey languages; a closed set
#: keeps short English answers from being called Latin or Frisian).
LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs",
    "ru", "uk", "tr", "el", "hu", "ro", "ar", "he", "hi", "zh", "ja", "ko", "id", "vi",
)  # fmt: skip


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(list(LANGUAGES))
    return ident


def detect_language(text: str, min_confidence: float = 0.9) -> str | None:
    """ISO 639-1 code of ``text``, or None when it is too short or the guess is unsure."""
    if len(text.split()) < MIN_WORDS:
        return None
    lang, prob = _identifier().classify(text)
    return str(lang) if prob >= min_confidence else None


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """:func:`detect_language` for many texts (the model is loaded once)."""
    return [detect_language(t) for t in texts]


def study_language(langs: Sequence[str | None]) -> str:
    """The most common detected language (English when nothing could be judged)."""
    counts = Counter(x for x in langs if x)
    return counts.most_common(1)[0][0] if counts else "en"


def language_note(source: str, langs: Sequence[str | None], study: str) -> str | None:
    """One line for a file with units in other languages than the study's, else None."""
    other = Counter(x for x in langs if x and x != study)
    if not other:
        return None
    judged = sum(1 for x in langs if x)
    parts = ", ".join(f"{n} {lang}" for lang, n in other.most_common())
    return (
        f"{source}: {sum(other.values())} of {judged} judged units are not in the study's "
        f"language ({study}): {parts}; they are kept and marked (units.lang) and left out "
        "of the English-only sentiment, emotion and pain-point models"
    )
