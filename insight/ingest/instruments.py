"""Published usability questionnaires: recognised by item wording and value range.

A known instrument fixes what bare numbers cannot say: the scale's range (1-7 even when
no participant answered 7), which end agrees, which items are negatively worded, and
how the instrument is scored. Sources (item wording, anchors, scoring):

* PSSUQ v2 (19 items) and v3 (16 items): Lewis, J. R. (1995), "IBM computer usability
  satisfaction questionnaires", IJHCI 7(1); Lewis (2002), "Psychometric evaluation of
  the PSSUQ using data from five years of usability studies", IJHCI 14(3-4); Sauro &
  Lewis (2016), *Quantifying the User Experience*, 2nd ed., ch. 8. Seven points,
  1 = Strongly agree ... 7 = Strongly disagree, plus N/A; every item is positively
  worded, so a LOWER score is better; scores are item means (overall and SysUse,
  InfoQual, IntQual subscales).
* SUS: Brooke, J. (1996), "SUS: a 'quick and dirty' usability scale". Ten items,
  1 = Strongly disagree ... 5 = Strongly agree; odd items positive, even items
  negative; score = 2.5 x (sum(odd - 1) + sum(5 - even)), 0-100.
* UMUX: Finstad, K. (2010), "The Usability Metric for User Experience", Interacting
  with Computers 22(5). Four items, 1 = Strongly disagree ... 7 = Strongly agree; items
  1 and 3 positive, 2 and 4 negative; score = (sum(odd - 1) + sum(7 - even)) / 24 x 100.
* UMUX-Lite: Lewis, Utesch & Maher (2013), CHI '13: UMUX items 1 and 3; score =
  (sum(x - 1)) / 12 x 100.
* SEQ: Sauro & Dumas (2009), "Comparison of three one-question, post-task usability
  questionnaires", CHI '09. One item, 1 = Very difficult ... 7 = Very easy.
* NPS: Reichheld, F. (2003), "The one number you need to grow", HBR. 0 = Not at all
  likely ... 10 = Extremely likely; 9-10 promoters, 0-6 detractors, NPS = % promoters -
  % detractors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from insight.ingest.instrument_items import PSSUQ_V2, PSSUQ_V3, Item, pssuq_items
from insight.ingest.instrument_items import item as _i
from insight.ingest.scales import Scale, normalise


@dataclass(frozen=True)
class Battery:
    """A published questionnaire: its items, answer range, end labels and scoring."""

    name: str
    full: str
    lo: int
    hi: int
    labels: dict[str, str]
    items: tuple[Item, ...]
    #: how the instrument is scored (one line for the guess note)
    scoring: str
    #: names a file or column carries for it ("pssuq_scores.csv", "SUS_1")
    alias: re.Pattern[str]
    #: a single-item instrument's question ("How likely ... recommend")
    pattern: re.Pattern[str] | None = None
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def lower_is_better(self) -> bool:
        return all(i.better < 0 for i in self.items)


def _one_item(question: str, better: str, worse: str) -> tuple[Item, ...]:
    """The items of a single-question instrument: item 1, a higher answer is better."""
    return (_i(1, question, 1, better, worse),)


_AGREE_LOW = {"1": "Strongly agree", "7": "Strongly disagree"}
_AGREE_HIGH5 = {"1": "Strongly disagree", "5": "Strongly agree"}
_AGREE_HIGH7 = {"1": "Strongly disagree", "7": "Strongly agree"}

_PSSUQ_ALIAS = re.compile(r"pssuq|csuq|post.?study.?system", re.I)
_PSSUQ_SCORING = "scored as item means (overall; SysUse, InfoQual and IntQual subscales)"

_UMUX = (
    _i(
        1,
        "This system's capabilities meet my requirements.",
        1,
        "Finds the capabilities meet their needs",
        "Finds the capabilities fall short",
    ),
    _i(
        2,
        "Using this system is a frustrating experience.",
        -1,
        "Finds the system unfrustrating",
        "Finds the system frustrating",
    ),
    _i(
        3,
        "This system is easy to use.",
        1,
        "Rates the system easy to use",
        "Finds the system hard to use",
    ),
    _i(
        4,
        "I have to spend too much time correcting things with this system.",
        -1,
        "Spends little time correcting things",
        "Spends too long correcting things",
    ),
)

BATTERIES: tuple[Battery, ...] = (
    Battery(
        "PSSUQ v3",
        "Post-Study System Usability Questionnaire (PSSUQ) version 3, 16 items (Lewis 2002)",
        1,
        7,
        _AGREE_LOW,
        pssuq_items(PSSUQ_V3),
        _PSSUQ_SCORING,
        _PSSUQ_ALIAS,
    ),
    Battery(
        "PSSUQ v2",
        "Post-Study System Usability Questionnaire (PSSUQ) version 2, 19 items (Lewis 1995)",
        1,
        7,
        _AGREE_LOW,
        pssuq_items(PSSUQ_V2),
        _PSSUQ_SCORING,
        _PSSUQ_ALIAS,
    ),
    Battery(
        "SUS",
        "System Usability Scale (SUS), 10 items (Brooke 1996)",
        1,
        5,
        _AGREE_HIGH5,
        (
            _i(
                1,
                "I think that I would like to use this system frequently.",
                1,
                "Would use the system often",
                "Would rarely use the system",
            ),
            _i(
                2,
                "I found the system unnecessarily complex.",
                -1,
                "Finds the system simple",
                "Finds the system unnecessarily complex",
            ),
            _i(
                3,
                "I thought the system was easy to use.",
                1,
                "Rates the system easy to use",
                "Finds the system hard to use",
            ),
            _i(
                4,
                "I think that I would need the support of a technical person to be able "
                "to use this system.",
                -1,
                "Needs no technical support",
                "Needs technical support",
            ),
            _i(
                5,
                "I found the various functions in this system were well integrated.",
                1,
                "Finds the functions well integrated",
                "Finds the functions poorly integrated",
            ),
            _i(
                6,
                "I thought there was too much inconsistency in this system.",
                -1,
                "Finds the system consistent",
                "Finds the system inconsistent",
            ),
            _i(
                7,
                "I would imagine that most people would learn to use this system very quickly.",
                1,
                "Expects others to learn it quickly",
                "Expects others to learn it slowly",
            ),
            _i(
                8,
                "I found the system very cumbersome to use.",
                -1,
                "Finds the system smooth to use",
                "Finds the system cumbersome",
            ),
            _i(
                9,
                "I felt very confident using the system.",
                1,
                "Feels confident using the system",
                "Feels unsure using the system",
            ),
            _i(
                10,
                "I needed to learn a lot of things before I could get going with this system.",
                -1,
                "Gets going without much learning",
                "Needed to learn a lot first",
            ),
        ),
        "SUS score = 2.5 x (sum of (odd item - 1) + sum of (5 - even item)), 0-100, "
        "higher is better",
        re.compile(r"\bsus\b|system.?usability.?scale|(?<![a-z])sus[_ .-]?\d", re.I),
    ),
    Battery(
        "UMUX",
        "Usability Metric for User Experience (UMUX), 4 items (Finstad 2010)",
        1,
        7,
        _AGREE_HIGH7,
        _UMUX,
        "UMUX score = (sum of (odd item - 1) + sum of (7 - even item)) / 24 x 100, "
        "higher is better",
        re.compile(r"\bumux\b|(?<![a-z])umux[_ .-]?\d", re.I),
    ),
    Battery(
        "UMUX-Lite",
        "UMUX-Lite, 2 items (Lewis, Utesch & Maher 2013)",
        1,
        7,
        _AGREE_HIGH7,
        (_UMUX[0], replace(_UMUX[2], number=2)),  # UMUX items 1 and 3
        "UMUX-Lite score = (item 1 - 1 + item 2 - 1) / 12 x 100, higher is better",
        re.compile(r"umux.?lite", re.I),
    ),
    Battery(
        "SEQ",
        "Single Ease Question (SEQ), 1 item (Sauro & Dumas 2009)",
        1,
        7,
        {"1": "Very difficult", "7": "Very easy"},
        _one_item(
            "Overall, how difficult or easy was the task to complete?",
            "Rates the task easy",
            "Rates the task difficult",
        ),
        "one item, higher is easier",
        re.compile(r"\bseq\b|single.?ease", re.I),
        re.compile(r"(difficult|easy).{0,25}(difficult|easy).{0,40}\btask|\bseq\b", re.I),
    ),
    Battery(
        "NPS",
        "Net Promoter Score question (NPS), 0-10 (Reichheld 2003)",
        0,
        10,
        {"0": "Not at all likely", "10": "Extremely likely"},
        _one_item(
            "How likely is it that you would recommend this to a friend or colleague?",
            "Would recommend it",
            "Would not recommend it",
        ),
        "9-10 promoters, 0-6 detractors; NPS = % promoters - % detractors",
        re.compile(r"\bnps\b|net.?promoter", re.I),
        re.compile(r"\brecommend", re.I),
    ),
)

#: the NHS Friends and Family Test's rating (its codes, 6 = don't know, are read by
#: ``scales.INSTRUMENTS``); listed here for what its two ends mean in a persona's name
FFT = Battery(
    "NHS FFT",
    "NHS Friends and Family Test (NHS England FFT guidance)",
    1,
    5,
    {"1": "Very good", "5": "Very poor"},
    (
        _i(
            1,
            "Overall, how was your experience of our service?",
            -1,
            "Rates the service good",
            "Rates the service poor",
        ),
    ),
    "1-5, lower is better",
    re.compile(r"(?!)"),  # recognised by scales.instrument_scale, never here
)

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "it",
        "is",
        "was",
        "to",
        "of",
        "this",
        "that",
        "with",
        "my",
        "me",
        "i'm",
        "am",
        "be",
        "could",
        "would",
        "have",
        "has",
        "in",
        "on",
        "for",
        "and",
        "or",
        "by",
        "as",
        "so",
        "very",
        "system",
        "product",
        "website",
        "app",
        "service",
        "tool",
    ]
)
_NUMBERING = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d{1,2}\s*[.):-]\s*", re.I)


def _content(text: str) -> frozenset[str]:
    t = _NUMBERING.sub("", str(text or ""))
    t = re.sub(r"\[[^\]]*\]", " ", t)  # "[This system]", piped product names
    words = normalise(t.replace("-", " ")).split()
    return frozenset(w.rstrip("s") if len(w) > 4 else w for w in words if w not in _STOP)


def similarity(a: str, b: str) -> float:
    """Dice overlap of the content words of two wordings (0-1)."""
    x, y = _content(a), _content(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


#: a wording is an instrument's item when its content words overlap this much (Dice)
MIN_SIMILARITY = 0.75
_POSITION = re.compile(r"^(?:q|item|question|[a-z]{2,6}[_ .-]?)?\s*(\d{1,2})$", re.I)


@dataclass(frozen=True)
class Match:
    """Columns read as one instrument: column name -> its item."""

    battery: Battery
    items: dict[str, Item]
    how: str  # "wording" or "position"


def _in_range(scale: Scale | None, b: Battery) -> bool:
    if scale is None or scale.kind != "numeric":
        return False
    codes = [float(v) for v in scale.mapping.values()]
    return bool(codes) and all(b.lo <= v <= b.hi for v in codes)


def _by_wording(cols: list[Any], b: Battery) -> dict[str, Item]:
    out: dict[str, Item] = {}
    used: set[int] = set()
    for c in cols:
        text = c.question or c.name
        if len(b.items) == 1 and b.pattern is not None:
            if b.pattern.search(text) and 0 not in used:
                out[c.name] = b.items[0]
                used.add(0)
            continue
        scored = [(similarity(text, it.text), k) for k, it in enumerate(b.items) if k not in used]
        if scored:
            s, k = max(scored)
            if s >= MIN_SIMILARITY:
                out[c.name] = b.items[k]
                used.add(k)
    return out


def _by_position(cols: list[Any], b: Battery, source: str) -> dict[str, Item]:
    """Columns numbered 1..n (Q1..Q19) of a file or battery named for the instrument."""
    if len(cols) != len(b.items) or len(b.items) < 2:
        return {}
    if not (b.alias.search(source) or all(b.alias.search(c.name) for c in cols)):
        return {}
    nums = [_POSITION.match(c.name.strip()) for c in cols]
    if not all(nums):
        return {}
    order = [int(m.group(1)) for m in nums if m]
    if sorted(order) != list(range(1, len(b.items) + 1)):
        return {}
    return {c.name: b.items[k - 1] for c, k in zip(cols, order, strict=True)}


def recognise(columns: Iterable[Any], source: str) -> Match | None:
    """The instrument the rating columns of one file belong to, or None.

    By wording: at least 3 items (or all of a shorter instrument) match the published
    wording; by position: a file or columns named for the instrument ("pssuq_scores.csv",
    "SUS_1".."SUS_10") whose n columns are numbered 1..n where the instrument has n
    items. Every matched column's answers must lie in the instrument's range. Of several
    instruments the one with the most items matched wins, then the one with fewest
    items left unmatched (PSSUQ v3 over v2 when only the 16 v3 items are there).
    """
    cols = [c for c in columns if c.role in ("likert", "rating") and not c.overridden]
    best: tuple[tuple[int, int], Match] | None = None
    for b in BATTERIES:
        fits = [c for c in cols if _in_range(c.scale, b)]
        how = "wording"
        items = _by_wording(fits, b)
        if len(items) < min(3, len(b.items)):
            items, how = _by_position(fits, b, source), "position"
        if not items or len(items) < min(3, len(b.items)):
            continue
        key = (len(items), -(len(b.items) - len(items)))
        if best is None or key > best[0]:
            best = (key, Match(b, items, how))
    return best[1] if best else None


def recognise_all(columns: Iterable[Any], source: str) -> list[Match]:
    """Every instrument among a file's columns (an NPS question beside a SEQ item), each
    column read as one instrument at most: :func:`recognise`, best first."""
    left = list(columns)
    found: list[Match] = []
    while (m := recognise(left, source)) is not None:
        found.append(m)
        left = [c for c in left if c.name not in m.items]
    return found


def apply(match: Match, columns: Iterable[Any], source: str) -> str:
    """Give each matched column its instrument's scale, keying and wording; the guess line."""
    b = match.battery
    for c in columns:
        item = match.items.get(c.name)
        if item is None or c.scale is None:
            continue
        mapping = {raw: v for raw, v in c.scale.mapping.items() if b.lo <= v <= b.hi}
        for k in range(b.lo, b.hi + 1):
            mapping.setdefault(str(k), float(k))
        sc = Scale("numeric", float(b.lo), float(b.hi), mapping, dict(b.labels))
        sc.midpoint = (b.lo + b.hi) / 2
        sc.missing = dict(b.missing)
        c.scale = sc
        # a negatively worded item of an agree-high instrument (SUS 2, 4, ...): agreeing
        # is the worse end, so the item is reverse-keyed
        scale_up = sc.direction or 1
        c.reverse = item.better != scale_up
        c.reason = f"known instrument: {b.name} item {item.number}"
        if not c.question or _content(c.question) == _content(c.name):
            c.question = item.text
    shown = ", ".join(f"{k} = {v}" for k, v in b.labels.items())
    way = "lower is better" if b.lower_is_better else "higher is better"
    rev = sorted(it.number for it in match.items.values() if it.better < 0)
    keyed = (
        f"; items {', '.join(map(str, rev))} are negatively worded (reverse-keyed)"
        if rev and not b.lower_is_better
        else ""
    )
    return (
        f"{source}: {len(match.items)} column{'s' if len(match.items) > 1 else ''} read as "
        f"the {b.full} by {'their' if len(match.items) > 1 else 'its'} "
        f"{match.how} ({shown}; {way}{keyed}; {b.scoring}); override with 'scale:' for "
        f"{'these columns' if len(match.items) > 1 else 'this column'} in the schema file"
    )


def find_item(reason: str | None) -> Item | None:
    """The item a column was read as, from its ``why`` ("known instrument: SUS item 2")."""
    m = re.match(r"known instrument: (.+) item (\d+)$", str(reason or ""))
    if not m:
        return None
    for b in (*BATTERIES, FFT):
        if b.name == m.group(1) and 1 <= int(m.group(2)) <= len(b.items):
            return b.items[int(m.group(2)) - 1]
    return None


def battery_named(reason: str | None) -> Battery | None:
    """The instrument of a column's ``why`` line, or None."""
    m = re.match(r"known instrument: (.+) item \d+$", str(reason or ""))
    return next((b for b in (*BATTERIES, FFT) if m and b.name == m.group(1)), None)


__all__ = [
    "BATTERIES",
    "Battery",
    "Item",
    "Match",
    "apply",
    "find_item",
    "recognise",
    "recognise_all",
]
