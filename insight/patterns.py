"""Case-insensitive word patterns shared by the column roles, persona template and transcripts.

A header-word table reads as its alternatives only (``whole_words("age|aged", "how old")``);
the ``\\b(...)\\b`` wrapping and the ``re.I`` flag are written once here. Long word
tables live in TOML files beside their module, read once by :func:`read_word_tables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


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


@dataclass(frozen=True)
class WordTables:
    """The word tables of one TOML file (see :func:`read_word_tables`)."""

    #: table -> its compiled pattern
    patterns: dict[str, re.Pattern[str]]
    #: table -> its set of names
    names: dict[str, frozenset[str]]


def read_word_tables(path: str | Path) -> WordTables:
    """Read a TOML file of word tables (e.g. ``insight/ingest/role_words.toml``).

    A table with ``pattern`` (a list of parts, joined as written, so a long alternation
    spans lines) is compiled case-insensitively unless ``ignore_case = false``, and as
    :func:`whole_words` with ``whole_words = true``; a table with ``names`` is a set of names.
    """
    import tomllib

    tables = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    patterns: dict[str, re.Pattern[str]] = {}
    names: dict[str, frozenset[str]] = {}
    for key, table in tables.items():
        if "names" in table:
            names[key] = frozenset(table["names"])
        elif table.get("whole_words"):
            patterns[key] = whole_words(*table["pattern"])
        else:
            flags = re.I if table.get("ignore_case", True) else 0
            patterns[key] = re.compile("".join(table["pattern"]), flags)
    return WordTables(patterns, names)
