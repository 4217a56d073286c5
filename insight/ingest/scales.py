"""Rating scales: recognise text labels ("Strongly disagree" ... "Strongly agree") and numbers.

A scale maps each answer label to a number and keeps the labels, so reports can
say "4 = Somewhat agree".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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
        ["never", "not at all"],
        ["rarely", "seldom", "almost never", "hardly ever"],
        ["sometimes", "occasionally", "about half the time", "now and then"],
        ["often", "frequently", "very often", "usually", "most of the time", "regularly"],
        ["always", "all the time", "almost always", "every time"],
    ],
    "quality": [
        ["very poor", "terrible", "awful", "very bad"],
        ["poor", "bad"],
        ["fair", "average", "ok", "okay", "acceptable", "neither good nor poor"],
        ["good"],
        ["very good"],
        ["excellent", "outstanding", "exceptional"],
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
    #: the scale's neutral point (None for unipolar scales)
    midpoint: float | None = None
    #: answer codes that are no point of the scale ("6" = "Don't know" on the NHS FFT):
    #: code -> what it means; read as missing
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def direction(self) -> int | None:
        """+1 when higher numbers mean more agreement / the better end, -1 when lower numbers
        do ("1 = Very good ... 5 = Very poor"), None when the labels do not say (numbers
        only)."""
        return label_direction(self.labels)

    def is_missing(self, raw: str) -> bool:
        """An answer code that is no scale point ("Don't know" coded 6)."""
        s = raw.strip()
        return s in self.missing or (_int_text(s) in self.missing)

    def value(self, raw: str) -> float | None:
        raw = raw.strip()
        if not raw or self.is_missing(raw):
            return None
        if raw in self.mapping:
            return self.mapping[raw]
        n = normalise(raw)
        return self.mapping.get(n)

    def to_dict(self) -> dict[str, object]:
        d: dict[str, object] = {
            "kind": self.kind,
            "min": self.min,
            "max": self.max,
            "labels": self.labels,
        }
        if self.midpoint is not None:
            d["midpoint"] = self.midpoint
        if self.missing:
            d["missing"] = dict(self.missing)
        return d


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


# --- generic ordinal scales: intensity adverb x any adjective ---------------------------

#: Intensity adverbs, weakest to strongest (a bare adjective sits at 2.5).
_INTENSITY = {
    "not at all": 0.0,
    "not": 0.0,
    "in no way": 0.0,
    "a little": 1.0,
    "a little bit": 1.0,
    "a bit": 1.0,
    "slightly": 1.0,
    "mildly": 1.0,
    "somewhat": 2.0,
    "fairly": 2.0,
    "moderately": 2.3,
    "rather": 2.0,
    "reasonably": 2.0,
    "mostly": 3.0,
    "quite": 3.0,
    "very": 3.0,
    "highly": 3.5,
    "strongly": 4.0,
    "extremely": 4.0,
    "completely": 4.0,
    "totally": 4.0,
    "absolutely": 4.0,
    "entirely": 4.0,
    "very much": 4.0,
    "critically": 4.0,
}
_PLAIN = 2.5
_ADVERB_RE = re.compile(
    r"^(" + "|".join(sorted(map(re.escape, _INTENSITY), key=len, reverse=True)) + r")\s+(.+)$"
)
_NEG_PREFIXES = ("un", "dis", "in", "im", "ir", "il", "non-", "non")
#: Antonyms that do not share a stem.
_ANTONYM = {
    "difficult": "easy",
    "hard": "easy",
    "bad": "good",
    "poor": "good",
    "useless": "useful",
    "negative": "positive",
    "unhappy": "happy",
    "worse": "better",
    "low": "high",
    "distrust": "trust",
}
_MID_RE = re.compile(r"^(neither\s+.+\s+nor\s+.+|neutral|undecided|no opinion|in between|mixed)$")


def _parse_ordinal(label: str) -> tuple[str, float, int] | None:
    """(adjective, intensity, polarity) of "extremely uncomfortable" -> ("comfortable", 4, -1).

    Midpoints ("neither ... nor ...", "neutral") give ("", 0, 0).
    """
    n = normalise(label)
    if _MID_RE.match(n):
        return "", 0.0, 0
    m = _ADVERB_RE.match(n)
    intensity, adj = (_INTENSITY[m.group(1)], m.group(2)) if m else (_PLAIN, n)
    if len(adj.split()) > 2 or not re.fullmatch(r"[a-z][a-z' -]*", adj):
        return None
    return adj, intensity, 1


def _generic_scale(distinct: list[str], values: list[str], min_share: float) -> Scale | None:
    """Ordered answers of any wording: intensity adverbs applied to one adjective.

    Bipolar when the adjective's opposite occurs ("comfortable"/"uncomfortable",
    "likely"/"unlikely", "easy"/"difficult"): negative side < midpoint < positive side.
    Unipolar otherwise ("not at all concerned" < "slightly concerned" < ... < "extremely
    concerned"). Numbers are the ranks of the distinct answers, 1 = least.
    """
    parsed = {v: _parse_ordinal(v) for v in distinct}
    ok = {v: p for v, p in parsed.items() if p is not None}
    adjectives = Counter(p[0] for p in ok.values() if p[0])
    if not adjectives:
        return None
    # positive base of each adjective: "uncomfortable" -> "comfortable" when both occur
    adjs = set(adjectives)

    def base(adj: str) -> tuple[str, int]:
        if adj in _ANTONYM and _ANTONYM[adj] in adjs | set(_ANTONYM.values()):
            return _ANTONYM[adj], -1
        for pre in _NEG_PREFIXES:
            if adj.startswith(pre) and adj[len(pre) :] in adjs:
                return adj[len(pre) :], -1
        if adj.startswith("not ") and adj[4:] in adjs:
            return adj[4:], -1
        return adj, 1

    scored: dict[str, float] = {}
    bases: Counter[str] = Counter()
    for v, (adj, inten, _pol) in ok.items():
        if not adj:
            scored[v] = 0.0
            continue
        b, pol = base(adj)
        bases[b] += 1
        scored[v] = pol * inten if pol < 0 else inten
    if not bases:
        return None
    main, _ = bases.most_common(1)[0]
    bipolar = any(base(p[0])[1] < 0 for p in ok.values() if p[0]) or any(
        not p[0] for p in ok.values()
    )
    keep = {}
    for v, (adj, inten, _pol) in ok.items():
        if not adj:
            keep[v] = 0.0
        elif base(adj)[0] == main:
            b, pol = base(adj)
            keep[v] = (pol * max(inten, 0.5)) if bipolar else inten
            if bipolar and inten == 0.0:  # "not at all likely" on a bipolar scale: the far end
                keep[v] = -4.5
    if len(set(keep.values())) < 3 and not (len(set(keep.values())) == 2 and len(keep) >= 2):
        return None
    n_values = sum(1 for v in values if v.strip())
    share = sum(1 for v in values if v.strip() in keep) / max(1, n_values)
    if share < min_share or len(set(keep.values())) < 3:
        return None
    ranks = {x: i + 1 for i, x in enumerate(sorted(set(keep.values())))}
    mapping = {v: float(ranks[x]) for v, x in keep.items()}
    mapping.update({normalise(v): f for v, f in list(mapping.items())})
    labels = {str(int(ranks[x])): v for v, x in sorted(keep.items(), key=lambda kv: kv[1])}
    kind = f"{main} ({'bipolar' if bipolar else 'unipolar'})"
    sc = Scale(kind, 1.0, float(len(ranks)), mapping, labels)
    mids = [ranks[0.0]] if 0.0 in ranks and bipolar else []
    sc.midpoint = float(mids[0]) if mids else ((1.0 + len(ranks)) / 2 if bipolar else None)
    return sc


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
            sc = Scale("numeric", lo_s, hi_s, mapping, labels)
            sc.midpoint = (lo_s + hi_s) / 2
            return sc
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
            if kind not in ("frequency", "quality", "importance"):
                best.midpoint = (1.0 + len(points)) / 2
            best_share = share
    if best is None:
        best = _generic_scale(distinct, values, min_share)
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


def _int_text(s: str) -> str:
    """ "6.0" -> "6" (codes are compared as written integers); anything else unchanged."""
    try:
        f = float(s)
    except ValueError:
        return s
    return str(int(f)) if f.is_integer() else s


# --- which end of a scale is agreement -------------------------------------------------

#: the better / agreeing end of each family (its last point) and of common anchor words
_POSITIVE_WORDS = frozenset(
    [
        "agree",
        "satisfied",
        "likely",
        "important",
        "often",
        "always",
        "good",
        "excellent",
        "easy",
        "useful",
        "positive",
        "happy",
        "comfortable",
        "confident",
        "helpful",
        "clear",
        "true",
        "yes",
    ]
)
_NEGATIVE_WORDS = frozenset(
    [
        "disagree",
        "dissatisfied",
        "unlikely",
        "unimportant",
        "never",
        "rarely",
        "poor",
        "bad",
        "terrible",
        "awful",
        "difficult",
        "hard",
        "useless",
        "negative",
        "unhappy",
        "uncomfortable",
        "unhelpful",
        "unclear",
        "false",
        "no",
    ]
)


def label_polarity(label: str) -> int:
    """+1 for an agreeing / better-end answer label, -1 for a disagreeing / worse-end one,
    0 for the middle or an unknown label ("Strongly agree" +1, "Very poor" -1, "Neutral" 0)."""
    n = normalise(label)
    if not n or _MID_RE.match(n):
        return 0
    for points in _FAMILIES.values():
        for i, syns in enumerate(points):
            if n in syns:
                centre = (len(points) - 1) / 2
                return (i > centre) - (i < centre)
    words = n.split()
    neg = bool({"not", "no", "never"} & set(words[:-1]))
    last = words[-1]
    if last in _NEGATIVE_WORDS or (last in _POSITIVE_WORDS and neg):
        return -1
    if last in _POSITIVE_WORDS:
        return 1
    return 0


def label_direction(labels: dict[str, str] | None) -> int | None:
    """+1 when the scale's higher numbers carry the agreeing / better labels, -1 when the
    lower numbers do, None when its labels do not say (a numbers-only scale)."""
    scored = []
    for k, lab in (labels or {}).items():
        try:
            num = float(k)
        except (TypeError, ValueError):
            continue
        pol = label_polarity(str(lab))
        if pol:
            scored.append((num, pol))
    if not scored:
        return None
    lo, hi = min(scored), max(scored)
    if lo[0] == hi[0]:  # one labelled point: the low end (0 or 1) or the high end
        return -lo[1] if lo[0] <= 1 else lo[1]
    return 1 if hi[1] > lo[1] else (-1 if hi[1] < lo[1] else None)


# --- known instruments ------------------------------------------------------------------


@dataclass(frozen=True)
class Instrument:
    """A published question whose answer codes are documented: points and non-points."""

    name: str
    pattern: re.Pattern[str]
    labels: dict[str, str]
    missing: dict[str, str]


#: The NHS Friends and Family Test: 1 Very good ... 5 Very poor, 6 Don't know (NHS England
#: FFT guidance); exports also carry 7 for an answer that was not given.
INSTRUMENTS = (
    Instrument(
        "NHS Friends and Family Test",
        re.compile(r"\bFFT\b|friends (?:and|&) family", re.I),
        {
            "1": "Very good",
            "2": "Good",
            "3": "Neither good nor poor",
            "4": "Poor",
            "5": "Very poor",
        },
        {"6": "Don't know", "7": "Not answered"},
    ),
)


def instrument_scale(name: str, question: str, scale: Scale | None) -> tuple[Scale, str] | None:
    """The documented scale of a known instrument's rating column, with a guess line, or
    None. Only numeric columns whose codes all belong to the instrument are matched."""
    if scale is None or scale.kind != "numeric":
        return None
    for ins in INSTRUMENTS:
        if not (ins.pattern.search(name) or ins.pattern.search(question or "")):
            continue
        codes = {_int_text(str(v)) for v in scale.mapping.values()}
        known = set(ins.labels) | set(ins.missing)
        if not codes or not codes <= known or not codes & set(ins.labels):
            continue
        points = [float(k) for k in ins.labels]
        mapping = {raw: v for raw, v in scale.mapping.items() if _int_text(str(v)) in ins.labels}
        for k, lab in ins.labels.items():
            mapping.setdefault(k, float(k))
            mapping.setdefault(normalise(lab), float(k))
        sc = Scale(
            "numeric",
            min(points),
            max(points),
            mapping,
            dict(ins.labels),
            missing=dict(ins.missing),
        )
        sc.midpoint = (sc.min + sc.max) / 2
        used = sorted(codes & set(ins.missing), key=float)
        note = (
            f'"{name}" read as the {ins.name} ('
            + ", ".join(f"{k} = {v}" for k, v in ins.labels.items())
            + ")"
            + (
                "; " + ", ".join(f"{k} = {ins.missing[k]}" for k in used) + " counted as missing"
                if used
                else ""
            )
            + "; override with 'scale:' for this column in the schema file"
        )
        return sc, note
    return None


def unknown_direction_note(source: str, columns: list[str], lo: float, hi: float) -> str:
    """The guess line for rating items given as bare numbers: which end agrees is unknown."""
    names = [c if len(c) <= 32 else c[:31].rstrip() + "…" for c in columns[:4]]
    shown = ", ".join(names) + (f" … ({len(columns)} items)" if len(columns) > 4 else "")
    return (
        f"{source}: {shown} are numbers {lo:g}-{hi:g} without labels, so which end means "
        "agreement is not known: personas say who scores higher or lower, not who agrees; "
        f"if {lo:g} is the agreeing / better end (as on the PSSUQ), set 'reverse: true' for "
        "these columns in the schema file, or give 'scale: labels:' for both ends"
    )


def settle_scales(columns: Iterable[Any], source: str) -> list[str]:
    """After a file's roles are read: known instruments get their documented scale (codes
    that are no scale point become missing; a published questionnaire such as the PSSUQ
    or SUS, recognised by :mod:`insight.ingest.instruments`, gets its range, anchors and
    reverse-keyed items), and rating items given as bare numbers get
    one guess line saying that which end agrees is unknown. ``columns``: the file's
    column infos (name, question, role, scale, reverse, overridden). Returns guess lines."""
    from insight.ingest.instruments import apply, recognise_all

    columns = list(columns)
    notes: list[str] = []
    bare: list[Any] = []
    known: set[str] = set()
    for battery in recognise_all(columns, source):
        notes.append(apply(battery, columns, source))
        known |= set(battery.items)
    for c in columns:
        if c.role not in ("likert", "rating") or c.scale is None or c.overridden:
            continue
        if c.name in known:
            continue
        found = instrument_scale(c.name, c.question, c.scale)
        if found is not None:
            c.scale, note = found
            c.reason = "known instrument: NHS FFT item 1"  # its readings: instruments.py
            notes.append(f"{source}: {note}")
        elif c.role == "likert" and c.scale.direction is None and not c.reverse:
            bare.append(c)
    if bare:
        lo = min(c.scale.min for c in bare)
        hi = max(c.scale.max for c in bare)
        notes.append(unknown_direction_note(source, [c.name for c in bare], lo, hi))
    return notes


def is_missing_code(scale: Scale | None, raw: str) -> bool:
    """``raw`` is a code of ``scale`` that is no scale point (read as missing)."""
    return scale is not None and scale.is_missing(raw)
