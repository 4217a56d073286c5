"""Records (whole answers, turns, reviews) into sentence-level evidence units.

Every unit's ``text`` is exactly ``record_text[char_start:char_end]``; ids are
deterministic hashes of where the unit comes from, so the same input always
gives the same ids.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterable

ABBREVIATIONS = {
    "e.g",
    "i.e",
    "etc",
    "vs",
    "mr",
    "mrs",
    "ms",
    "dr",
    "st",
    "no",
    "approx",
    "inc",
    "ltd",
    "co",
    "jr",
    "sr",
    "a.m",
    "p.m",
    "u.s",
    "u.k",
    "min",
    "max",
    "fig",
    "dept",
}

# A sentence end: terminal punctuation (with closing quotes/brackets) then whitespace.
_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_HAS_WORD = re.compile(r"\w")
MAX_UNIT_CHARS = 600


def split_sentences(text: str, split_lines: bool = True) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text`` (whitespace trimmed).

    Splits at line breaks and at ``. ! ? …`` followed by whitespace, except after
    common abbreviations and single initials. Pieces without any letter or digit
    are merged into the previous sentence.
    """
    spans: list[tuple[int, int]] = []
    # Subtitle cues wrap lines for display: there a single newline is just a space.
    line_re = r"[^\n]+" if split_lines else r"(?:[^\n]|\n(?!\s*\n))+"
    for line in re.finditer(line_re, text):
        start = line.start()
        cut_points = []
        body = line.group()
        for m in _END.finditer(body):
            # only the word just before the stop matters (a bounded window keeps
            # a multi-megabyte line linear)
            before = _WORD_BEFORE.search(body[max(0, m.start() - 64) : m.start()])
            word = before.group(1).lower() if before else ""
            if m.group().startswith(".") and (word in ABBREVIATIONS or len(word) == 1):
                continue
            cut_points.append(line.start() + m.end())
        bounds = [start, *cut_points, line.end()]
        for a, b in itertools.pairwise(bounds):
            spans.extend(_long_split(text, *trim_span(text, a, b)))
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if a >= b:
            continue
        if merged and not _HAS_WORD.search(text[a:b]) and text[merged[-1][1] : a].count("\n") == 0:
            merged[-1] = (merged[-1][0], b)
        elif _HAS_WORD.search(text[a:b]):
            merged.append((a, b))
    return merged


def trim_span(text: str, a: int, b: int) -> tuple[int, int]:
    """``(a, b)`` moved inwards past white space at both ends of ``text[a:b]``."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _long_split(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Very long run-on sentences are cut at ; or , near the middle so units stay readable."""
    if b - a <= MAX_UNIT_CHARS:
        return [(a, b)]
    piece = text[a:b]
    mid = len(piece) // 2
    cuts = [m.end() for m in re.finditer(r"[;,]\s", piece)]
    if not cuts:
        return [(a, b)]
    cut = min(cuts, key=lambda c: abs(c - mid))
    left = trim_span(text, a, a + cut)
    right = trim_span(text, a + cut, b)
    return _long_split(text, *left) + _long_split(text, *right)


def stable_id(prefix: str, *parts: object) -> str:
    """A short deterministic id from the parts (sha1, 16 hex chars)."""
    h = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}{h[:16]}"


def record_units(
    record_id: str, text: str, split_lines: bool = True
) -> Iterable[tuple[str, int, int, str]]:
    """(unit_id, char_start, char_end, text) for every sentence of one record."""
    for a, b in split_sentences(text, split_lines):
        yield stable_id("u_", record_id, a, b), a, b, text[a:b]
