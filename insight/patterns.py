"""Case-insensitive word patterns shared by the column roles, persona template and transcripts.

A header-word table reads as its alternatives only (``whole_words("age|aged", "how old")``);
the ``\\b(...)\\b`` wrapping and the ``re.I`` flag are written once here.
"""

from __future__ import annotations

import re


def whole_words(*alternatives: str) -> re.Pattern[str]:
    """``\\b(<alternatives joined>)\\b``, case-insensitive: one of the words, as a whole word.

    The parts are concatenated as written (each usually ends with ``|``), so a long
    alternation can be split over lines like an implicitly concatenated string.
    """
    return re.compile(r"\b(" + "".join(alternatives) + r")\b", re.I)


def numbered_label(*alternatives: str) -> re.Pattern[str]:
    """A whole speaker label that is one of the words with an optional number
    (``Interviewer 2``, ``P3``, ``Speaker #1``), case-insensitive."""
    return re.compile(r"^(" + "".join(alternatives) + r")\s*#?\s*\d*$", re.I)
