"""Rating scales: recognise text labels ("Strongly disagree" ... "Strongly agree") and numbers.

A scale maps each answer label to a number and keeps the labels, so reports can
say "4 = Somewhat agree".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Each family is an ordered list of points; each point lists synonyms (normalised).
_FAMILIES: dict[str, list[list[str]]] = {
    "agree7": [
        ["strongly disagree", "completely disagree", "totally disagree"],
        ["disagree", "mostly disagree"],
        ["somewhat disagree", "slightly disagree", "tend to disagree"],
        ["neither agree nor disagree", "neither disagree nor agree", "neutral", "undecided"],
        ["somewhat agree", "slightly agree", "tend to agree"],
        ["agree", "mostly agree"],
        ["strongly agree", "completely agree", "totally agree"],
    ],
    "agree5": [
        ["strongly disagree", "completely disagree", "totally disagree"],
        [
            "disagree",
            "somewhat disagree",
            "slightly disagree",
            "tend to disagree",
            "mostly disagree",
        ],
        ["neither agree nor disagree", "neither disagree nor agree", "neutral", "undecided"],
        ["agree", "somewhat agree", "slightly agree", "tend to agree", "mostly agree"],
        ["strongly agree", "completely agree", "totally agree"],
    ],
    "satisfaction": [
        ["very dissatisfied", "extremely dissatisfied", "completely dissatisfied"],
        ["dissatisfied", "somewhat dissatisfied", "slightly dissatisfied"],
        ["neither satisfied nor dissatisfied", "neither dissatisfied nor satisfied", "neutral"],
        ["satisfied", "somewhat satisfied", "slightly satisfied"],
        ["very satisfied", "extremely satisfied", "completely satisfied"],
    ],
    "likelihood": [
        ["very unlikely", "extremely unlikely", "not at all likely"],
        ["unlikely", "somewhat unlikely"],
        ["neither likely nor unlikely", "neutral", "not sure"],
        ["likely", "somewhat likely"],
        ["very likely", "extremely likely"],
    ],
    "importance": [
        ["not at all important", "not important at all", "unimportant", "not important"],
        ["slightly important", "somewhat unimportant", "of little importance"],
        ["moderately important", "somewhat important", "neutral"],
        ["very important", "important"],
        ["extremely important", "critically important"],
    ],
    "frequency": [
        ["never"],
        ["rarely", "seldom"],
        ["sometimes", "occasionally"],
        ["often", "frequently", "very often", "usually"],
        ["always", "all the time"],
    ],
    "quality": [
        ["very poor", "terrible", "awful"],
        ["poor", "bad"],
        ["fair", "average", "ok", "okay"],
        ["good"],
        ["very good", "excellent"],
    ],
    "ease": [
        ["very difficult", "extremely difficult"],
        ["difficult", "somewhat difficult"],
        ["neither easy nor difficult", "neutral"],
        ["easy", "somewhat easy"],
        ["very easy", "extremely easy"],
    ],
}

_NUM_LABEL = re.compile(r"^\s*(\d{1,2})\s*(?:[-–=:.)]\s*(.*))?$")
_LABEL_NUM = re.compile(r"^([A-Za-z][A-Za-z' ]*?)\s*[-–=:(]?\s*(\d{1,2})\)?\s*$")


def normalise(label: str) -> str:
    s = label.strip().lower().replace("’", "'")
    s = re.sub(r"[^a-z0-9' ]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass
class Scale:
    """A detected rating scale: ``mapping`` from raw answer text to its number."""

    kind: str
    min: float
    max: float
    mapping: dict[str, float] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # number (as str) -> label

    def value(self, raw: str) -> float | None:
        raw = raw.strip()
        if not raw:
            return None
        if raw in self.mapping:
            return self.mapping[raw]
        n = normalise(raw)
        return self.mapping.get(n)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "min": self.min, "max": self.max, "labels": self.labels}


def _as_number(raw: str) -> tuple[float, str] | None:
    """'4', '0 - Not at all likely', 'Extremely likely 10', '4.0' -> (number, label)."""
    s = raw.strip()
    try:
        f = float(s)
        if f.is_integer():
            return f, ""
        return None
    except ValueError:
        pass
    m = _NUM_LABEL.match(s)
    if m and m.group(2) is not None and re.search(r"[A-Za-z]", m.group(2) or ""):
        return float(m.group(1)), m.group(2).strip()
    m = _LABEL_NUM.match(s)
    if m and re.search(r"[A-Za-z]", m.group(1)) and len(m.group(1)) > 2:
        return float(m.group(2)), m.group(1).strip(" -–")
    return None


def detect_scale(values: list[str], min_share: float = 0.95) -> Scale | None:
    """The rating scale these answers come from, or None.

    Text labels must (nearly) all belong to one family; numeric answers must be
    small integers (0-10) with a few distinct values.
    """
    distinct = sorted({v.strip() for v in values if v.strip()})
    if len(distinct) < 2 or len(distinct) > 12:
        return None
    # Numbers, possibly with end labels ("0 - Not at all likely").
    nums = {v: _as_number(v) for v in distinct}
    if all(n is not None for n in nums.values()):
        numbers = [n[0] for n in nums.values() if n is not None]
        lo, hi = min(numbers), max(numbers)
        if lo >= 0 and hi <= 10 and hi - lo >= 2 and len(set(numbers)) <= 11:
            mapping = {v: n[0] for v, n in nums.items() if n is not None}
            labels = {str(int(n[0])): n[1] for n in nums.values() if n is not None and n[1]}
            lo_s, hi_s = _nominal_range(lo, hi)
            return Scale("numeric", lo_s, hi_s, mapping, labels)
        return None
    norm = {v: normalise(v) for v in distinct}
    best: Scale | None = None
    best_share = 0.0
    for kind, points in _FAMILIES.items():
        lookup = {syn: i + 1 for i, syns in enumerate(points) for syn in syns}
        hits = {v: lookup[n] for v, n in norm.items() if n in lookup}
        share = sum(1 for v in values if v.strip() in hits) / max(
            1, sum(1 for v in values if v.strip())
        )
        if share >= min_share and share > best_share and len(set(hits.values())) >= 2:
            if kind == "agree7" and not _needs_seven(set(norm.values())):
                continue
            mapping = {v: float(i) for v, i in hits.items()}
            labels = {str(i): v for v, i in sorted(hits.items(), key=lambda x: x[1])}
            best = Scale(kind, 1.0, float(len(points)), mapping, labels)
            best_share = share
    return best


def _needs_seven(present: set[str]) -> bool:
    """A 7-point agree scale uses both plain and 'somewhat' agree/disagree."""
    return ("agree" in present and "somewhat agree" in present) or (
        "disagree" in present and "somewhat disagree" in present
    )


def _nominal_range(lo: float, hi: float) -> tuple[float, float]:
    """Observed range widened to the usual scale it belongs to (1-5, 1-7, 0-10, ...)."""
    usual = ((1, 5), (1, 7), (0, 10), (1, 10), (1, 6), (1, 4), (0, 5), (1, 9))
    fits = [(a, b) for a, b in usual if a <= lo and hi <= b and (b - a) - (hi - lo) <= 2]
    if not fits:
        return lo, hi
    a, b = min(fits, key=lambda ab: (ab[1] - ab[0]) - (hi - lo))
    return float(a), float(b)
