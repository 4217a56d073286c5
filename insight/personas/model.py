"""Persona data classes, thresholds and the study tables they are built from."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.stats import is_number as _is_number
from insight.stats import plain as _plain

if TYPE_CHECKING:
    import pandas as pd

    from insight.store import Store

# --- thresholds (documented in docs/personas.md) -------------------------------------
ALPHA = 0.05  # BH-corrected significance level for "distinctive"
MIN_LIFT = 1.2  # over-representation needed for categories, topics, emotions
MIN_ABS_D = 0.3  # attitude items need at least a small-to-medium effect
QUOTE_MIN_WORDS = 5
QUOTE_MAX_WORDS = 45
N_QUOTES = 5
SMALL_SHARE = 0.05  # segments below 5% of respondents get a warning
SMALL_N = 10
LOW_STABILITY = 0.75
THIN_EVIDENCE_UNITS = 20
MAX_CLAIM_QUOTES = 5

EKMAN_GROUPS = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]


# --- data classes ----------------------------------------------------------------------
@dataclass
class Quote:
    """One verbatim customer unit shown as evidence."""

    unit_id: str
    text: str
    respondent_id: str
    source: str
    location: str
    question: str | None = None
    masked: bool = False  # personal data (email, phone, card) replaced in ``text``


@dataclass
class Claim:
    """A statement about a persona with the counts and unit ids behind it."""

    kind: str
    label: str
    n: int
    N: int
    unit_ids: list[str]
    quotes: list[Quote]
    stats: dict[str, Any] = field(default_factory=dict)
    id: str = ""


@dataclass
class Persona:
    """One persona (one segment) with its evidence-backed claims."""

    id: str
    name: str
    summary: str
    size: int
    share: float
    attitudes: list[Claim]
    demographics: list[Claim]
    behaviour: list[Claim]
    pain_points: list[Claim]
    goals: list[Claim]
    emotions: list[Claim]
    vocabulary: list[Claim]
    topics: list[Claim]
    quotes: list[Quote]
    counter_quote: Quote | None
    empathy_map: dict[str, list[Quote]]
    confidence: dict[str, Any]
    warnings: list[str]
    segment: Any = None
    #: persona template fields (role, age band, location, channels, scenario, goals,
    #: challenges): claims of kind "profile"; a field without evidence has no unit ids
    profile: list[Claim] = field(default_factory=list)

    def claims(self) -> list[Claim]:
        """Every claim of the persona with evidence, in display order."""
        return [
            *self.attitudes,
            *self.demographics,
            *self.behaviour,
            *self.pain_points,
            *self.goals,
            *self.emotions,
            *self.vocabulary,
            *self.topics,
            *(c for c in self.profile if c.unit_ids),
        ]

    def to_dict(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _empty_df() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


@dataclass
class StudyTables:
    """The tables personas are built from (see docs/CONTRACTS.md for their columns).

    ``embeddings`` is optional: a DataFrame indexed by unit_id with one float column per
    dimension (or a ``vector`` column of arrays); used to pick typical quotes near a
    segment's centre. ``segment_stability`` maps segment -> Jaccard stability.
    """

    units: pd.DataFrame
    respondents: pd.DataFrame = field(default_factory=_empty_df)
    columns: pd.DataFrame = field(default_factory=_empty_df)
    annotations: pd.DataFrame = field(default_factory=_empty_df)
    segments: pd.DataFrame = field(default_factory=_empty_df)
    segment_profiles: pd.DataFrame = field(default_factory=_empty_df)
    segment_stability: Any = None  # dict segment -> Jaccard, or DataFrame(segment, jaccard)
    vocabulary: pd.DataFrame = field(default_factory=_empty_df)
    topics: pd.DataFrame = field(default_factory=_empty_df)
    topic_assignments: pd.DataFrame = field(default_factory=_empty_df)
    topic_differences: pd.DataFrame = field(default_factory=_empty_df)
    topic_hierarchy: pd.DataFrame = field(default_factory=_empty_df)  # themes -> sub-themes
    embeddings: Any = None  # DataFrame indexed by unit_id, or dict unit_id -> vector
    files: pd.DataFrame = field(default_factory=_empty_df)
    behaviour_segments: pd.DataFrame = field(default_factory=_empty_df)  # RFM cell, lifecycle
    _evidence: Any = field(default=None, repr=False, compare=False)  # cache for evidence_quotes

    @classmethod
    def from_store(cls, store: Store, embeddings: pd.DataFrame | None = None) -> StudyTables:
        """Read every table personas need from a study store (missing tables are empty)."""
        units = store.read_table("units")
        # The segmentation stage writes the ``segment_stability`` table (segment, jaccard).
        stability = stability_map(store.read_or_empty("segment_stability")) or None
        if embeddings is None:
            embeddings = _embeddings_from_store(store, units)
        # every other table field is the store table of the same name
        tables = {name: store.read_or_empty(name) for name in _STORE_TABLE_FIELDS}
        return cls(units=units, segment_stability=stability, embeddings=embeddings, **tables)


#: StudyTables fields read as the store table of the same name (the rest are derived).
_STORE_TABLE_FIELDS = (
    "respondents",
    "columns",
    "annotations",
    "segments",
    "segment_profiles",
    "vocabulary",
    "topics",
    "topic_assignments",
    "topic_differences",
    "topic_hierarchy",
    "files",
    "behaviour_segments",
)


def _embeddings_from_store(store: Store, units: pd.DataFrame) -> pd.DataFrame | None:
    """Unit embeddings from the cache table, when the embed stage exposes its text hash."""
    if not store.has_table("embeddings"):
        return None
    try:
        from insight import embed  # written by the embed stage
    except ImportError:
        return None
    hasher = getattr(embed, "text_hash", None)
    if hasher is None:
        return None
    import numpy as np
    import pandas as pd

    emb = store.read_table("embeddings")
    if emb.empty:
        return None
    model = emb["model"].iloc[0]
    emb = emb[emb["model"] == model]
    by_hash = dict(zip(emb["text_hash"], emb["vector"], strict=False))
    ids, rows = [], []
    for uid, text in zip(units[S.UNIT_ID], units[S.TEXT], strict=False):
        vec = by_hash.get(hasher(str(text)))
        if vec is not None:
            ids.append(uid)
            rows.append(np.asarray(vec, dtype=float))
    if not rows:
        return None
    return pd.DataFrame(np.vstack(rows), index=pd.Index(ids, name=S.UNIT_ID))


def as_list(value: Any) -> list[str]:
    """A list of ids from a list, array, JSON string or ';'-joined string."""
    import numpy as np

    if value is None:
        return []
    if isinstance(value, np.ndarray | list | tuple):
        return [str(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return []
    text = str(value).strip()
    if not text:
        return []
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError:
            pass
    return [t.strip() for t in re.split(r"[;|]", text) if t.strip()]


def stability_map(stability: Any) -> dict[str, float]:
    """Segment -> Jaccard stability from a dict, or a DataFrame with segment and jaccard."""
    if stability is None:
        return {}
    if not hasattr(stability, "columns") and hasattr(stability, "jaccard"):
        stability = stability.jaccard  # a segmentation Stability object (its table)
    if hasattr(stability, "columns"):
        if S.SEGMENT not in stability.columns or "jaccard" not in stability.columns:
            return {}
        stability = dict(zip(stability[S.SEGMENT], stability["jaccard"], strict=False))
    if not isinstance(stability, dict):
        return {}
    return {str(k): float(v) for k, v in stability.items() if _is_number(v)}
