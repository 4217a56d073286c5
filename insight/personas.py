"""Evidence-backed personas: one per segment, every claim carrying its unit ids and quotes.

A persona is assembled deterministically (no network, no language model) from the
study's tables: segment profiles (attitudes), respondent attributes (demographics and
behaviour), unit annotations (pain points, goals, emotions), the vocabulary and the
topics. Only units spoken by customers (``speaker_role == "customer"``) are ever used
as evidence; every quote is the verbatim ``text`` of one unit. See docs/personas.md.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.pii import mask_pii
from insight.stats import bh_adjust, two_proportion_test
from insight.stats import is_number as _is_number
from insight.stats import plain as _plain

if TYPE_CHECKING:
    import numpy as np
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

PAIN_LABELS = {
    "price/value": "Price and value",
    "price": "Price and value",
    "reliability/quality": "Reliability and quality",
    "reliability": "Reliability and quality",
    "usability": "Usability",
    "service/support": "Service and support",
    "service": "Service and support",
    "time/effort": "Time and effort",
    "missing feature": "Missing features",
    "missing_feature": "Missing features",
    "delivery/logistics": "Delivery and logistics",
    "delivery": "Delivery and logistics",
    "other": "Other problems",
}
# Adjectives for persona names, keyed by the normalised pain type.
PAIN_ADJECTIVES = {
    "price": "Price-Pressured",
    "reliability": "Breakdown-Weary",
    "usability": "Complexity-Frustrated",
    "service": "Support-Starved",
    "time": "Time-Strapped",
    "missing": "Feature-Hungry",
    "delivery": "Delivery-Burdened",
    "other": "Problem-Weary",
}

_STOP = set(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "really",
        "much",
        "many",
        "also",
        "get",
        "got",
        "make",
        "made",
        "thing",
        "things",
        "one",
        "ones",
        "way",
        "lot",
        "lots",
        "agree",
        "disagree",
        "strongly",
        "somewhat",
        "neither",
        "statement",
        "following",
        "extent",
        "rate",
        "rating",
        "please",
        "how",
        "likely",
        "important",
        "importance",
        "scale",
        "question",
        "overall",
        "us",
        "them",
        "it's",
        "don't",
        "i'd",
        "i've",
        "we're",
        "we've",
    ]
)
_WORD = re.compile(r"[a-z][a-z'\-]+")
_THINK = re.compile(
    r"\b(?:i|we)\s+(?:really\s+|do\s+|honestly\s+|genuinely\s+|still\s+)?"
    r"(?:think|feel|believe|reckon|suppose|guess|find|doubt|suspect|expect)\b"
    r"|\bi'?d say\b|\bin my (?:opinion|view|experience)\b|\bi'?m (?:not )?(?:sure|convinced)\b"
    r"|\bto be honest\b|\bpersonally\b",
    re.IGNORECASE,
)
_DOES_SUBJ = re.compile(
    r"\b(?:i|we|my team|my staff|our staff|our team|our baristas?)\s+"
    r"(?:usually\s+|always\s+|often\s+|normally\s+|typically\s+|just\s+|still\s+|now\s+|"
    r"then\s+|also\s+|sometimes\s+|never\s+|even\s+|have to\s+|had to\s+|need to\s+|"
    r"tend to\s+|try to\s+|ended up\s+)?([a-z]+)",
    re.IGNORECASE,
)
# Verbs that state opinions, feelings or being rather than doing.
_NOT_ACTION = set(
    [
        "think",
        "feel",
        "believe",
        "reckon",
        "suppose",
        "guess",
        "find",
        "doubt",
        "suspect",
        "expect",
        "am",
        "was",
        "were",
        "are",
        "is",
        "be",
        "been",
        "like",
        "love",
        "hate",
        "wish",
        "want",
        "hope",
        "would",
        "could",
        "should",
        "might",
        "may",
        "must",
        "will",
        "shall",
        "can",
        "know",
        "don't",
        "didn't",
        "doesn't",
        "can't",
        "won't",
        "wouldn't",
        "couldn't",
        "isn't",
        "wasn't",
        "haven't",
        "hasn't",
        "not",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "get",
        "got",
        "mean",
        "really",
        "just",
        "also",
        "see",
        "seem",
        "seems",
        "felt",
        "liked",
        "loved",
        "hated",
        "wanted",
        "hoped",
        "knew",
        "thought",
        "believed",
        "'m",
        "'ve",
        "'d",
        "'ll",
        "need",
        "needed",
        "prefer",
        "preferred",
        "care",
        "cared",
        "saw",
        "see",
        "seen",
        "noticed",
        "realised",
        "realized",
        "heard",
    ]
)


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

    def claims(self) -> list[Claim]:
        """Every claim of the persona, in display order."""
        return [
            *self.attitudes,
            *self.demographics,
            *self.behaviour,
            *self.pain_points,
            *self.goals,
            *self.emotions,
            *self.vocabulary,
            *self.topics,
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
    embeddings: Any = None  # DataFrame indexed by unit_id, or dict unit_id -> vector
    files: pd.DataFrame = field(default_factory=_empty_df)
    _evidence: Any = field(default=None, repr=False, compare=False)  # cache for evidence_quotes

    @classmethod
    def from_store(cls, store: Store, embeddings: pd.DataFrame | None = None) -> StudyTables:
        """Read every table personas need from a study store (missing tables are empty)."""
        units = store.read_table("units")
        stability = stability_map(store.get_meta("segment_stability")) or None
        if embeddings is None:
            embeddings = _embeddings_from_store(store, units)
        return cls(
            units=units,
            respondents=store.read_or_empty("respondents"),
            columns=store.read_or_empty("columns"),
            annotations=store.read_or_empty("annotations"),
            segments=store.read_or_empty("segments"),
            segment_profiles=store.read_or_empty("segment_profiles"),
            segment_stability=stability,
            vocabulary=store.read_or_empty("vocabulary"),
            topics=store.read_or_empty("topics"),
            topic_assignments=store.read_or_empty("topic_assignments"),
            embeddings=embeddings,
            files=store.read_or_empty("files"),
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


def _two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p of the pooled two-proportion z-test (as personas always used)."""
    return two_proportion_test(k1, n1, k2, n2, min_expected=0)[1]


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


def _stems(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(str(text).lower()):
        w = w.strip("'-")
        if len(w) < 3 or w in _STOP:
            continue
        for suf in ("ing", "ed", "es", "s", "ly"):
            if w.endswith(suf) and len(w) - len(suf) >= 4:
                w = w[: -len(suf)]
                break
        out.add(w)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "x"


def _pain_key(ptype: str) -> str:
    t = str(ptype).lower()
    for key in PAIN_ADJECTIVES:
        if t.startswith(key):
            return key
    return "other"


def pain_label(ptype: str) -> str:
    """Readable name of a pain-point type."""
    t = str(ptype).strip()
    return PAIN_LABELS.get(t.lower(), t.replace("_", " ").replace("/", " and ").capitalize())


def _location(row: Any) -> str:
    parts = []
    turn = row.get(S.TURN)
    rnum = row.get(S.ROW)
    if _is_number(turn):
        parts.append(f"turn {int(turn)}")
    elif _is_number(rnum):
        parts.append(f"row {int(rnum)}")
    fld = row.get(S.FIELD)
    if fld and str(fld) not in ("turn", "nan", "None"):
        parts.append(f"field {fld}")
    if _is_number(row.get(S.CHAR_START)) and _is_number(row.get(S.CHAR_END)):
        parts.append(f"chars {int(row[S.CHAR_START])}-{int(row[S.CHAR_END])}")
    return ", ".join(parts)


# --- evidence: the customer units of the study ------------------------------------------
class _Evidence:
    """Customer units joined with annotations, topics and segments; quote factory."""

    def __init__(self, t: StudyTables) -> None:
        import numpy as np
        import pandas as pd

        units = t.units
        cust = units[units[S.SPEAKER_ROLE].astype(str) == S.ROLE_CUSTOMER].copy()
        cust = cust[cust[S.TEXT].fillna("").astype(str).str.strip() != ""]
        cust = cust.drop_duplicates(S.UNIT_ID)
        cust[S.UNIT_ID] = cust[S.UNIT_ID].astype(str)
        cust[S.RESPONDENT_ID] = cust[S.RESPONDENT_ID].astype(str)
        ann = t.annotations
        if ann is not None and len(ann):
            ann = ann.copy()
            ann[S.UNIT_ID] = ann[S.UNIT_ID].astype(str)
            ann = ann.drop_duplicates(S.UNIT_ID)
            keep = [c for c in ann.columns if c == S.UNIT_ID or c not in cust.columns]
            cust = cust.merge(ann[keep], on=S.UNIT_ID, how="left")
        ta = t.topic_assignments
        if ta is not None and len(ta):
            ta = ta.copy()
            ta[S.UNIT_ID] = ta[S.UNIT_ID].astype(str)
            ta = ta.drop_duplicates(S.UNIT_ID)
            keep = [c for c in (S.UNIT_ID, S.TOPIC, S.TOPIC_LABEL) if c in ta.columns]
            cust = cust.merge(ta[keep], on=S.UNIT_ID, how="left")
        seg = t.segments
        if seg is not None and len(seg):
            seg = seg[
                [S.RESPONDENT_ID, S.SEGMENT, *([S.PROBABILITY] if S.PROBABILITY in seg else [])]
            ]
            seg = seg.copy()
            seg[S.RESPONDENT_ID] = seg[S.RESPONDENT_ID].astype(str)
            seg = seg.drop_duplicates(S.RESPONDENT_ID)
            cust = cust.merge(seg, on=S.RESPONDENT_ID, how="left")
        else:
            cust[S.SEGMENT] = np.nan
        if S.PROBABILITY not in cust:
            cust[S.PROBABILITY] = np.nan
        for col, default in (
            (S.PAIN_POINT, 0),
            (S.GOAL, 0),
            (S.SENTIMENT, np.nan),
            (S.INTENSITY, np.nan),
            (S.PAIN_POINT_SCORE, np.nan),
        ):
            if col not in cust:
                cust[col] = default
        for col in (S.SENTIMENT_LABEL, S.EKMAN, S.PAIN_POINT_TYPE):
            if col not in cust:
                cust[col] = None
        cust[S.PAIN_POINT] = pd.to_numeric(cust[S.PAIN_POINT], errors="coerce").fillna(0)
        cust[S.GOAL] = pd.to_numeric(cust[S.GOAL], errors="coerce").fillna(0)
        cust["_words"] = cust[S.TEXT].astype(str).str.split().str.len()
        self.df = cust.set_index(S.UNIT_ID, drop=False)
        self.by_id = self.df
        self._emb = self._embedding_matrix(t.embeddings)

    def _embedding_matrix(self, emb: Any) -> dict[str, np.ndarray] | None:
        import numpy as np

        if emb is None or len(emb) == 0:
            return None
        if isinstance(emb, dict):
            vecs = {str(u): np.asarray(v, dtype=float) for u, v in emb.items()}
        elif "vector" in getattr(emb, "columns", []):
            ids = emb[S.UNIT_ID] if S.UNIT_ID in emb.columns else emb.index
            vecs = {
                str(u): np.asarray(v, dtype=float) for u, v in zip(ids, emb["vector"], strict=False)
            }
        else:
            mat = np.asarray(emb.to_numpy(), dtype=float)
            vecs = {str(u): mat[i] for i, u in enumerate(emb.index)}
        out = {}
        for u, v in vecs.items():
            if u in self.by_id.index:
                norm = float(np.linalg.norm(v))
                out[u] = v / norm if norm else v
        return out or None

    def quote(self, unit_id: str) -> Quote:
        r = self.by_id.loc[unit_id]
        q = r.get(S.QUESTION)
        text, masked = mask_pii(str(r[S.TEXT]))
        return Quote(
            unit_id=str(unit_id),
            text=text,
            masked=masked,
            respondent_id=str(r[S.RESPONDENT_ID]),
            source=str(r[S.SOURCE]),
            location=_location(r),
            question=str(q) if q is not None and str(q) not in ("", "nan", "None") else None,
        )

    def typicality(
        self, unit_ids: Sequence[str], centre_ids: Sequence[str] | None = None
    ) -> dict[str, float]:
        """Cosine similarity to the centre of ``centre_ids`` (or of ``unit_ids``)."""
        import numpy as np

        if self._emb is None:
            return {}
        base = [u for u in (centre_ids if centre_ids is not None else unit_ids) if u in self._emb]
        if not base:
            return {}
        centre = np.mean([self._emb[u] for u in base], axis=0)
        norm = float(np.linalg.norm(centre)) or 1.0
        centre = centre / norm
        return {u: float(self._emb[u] @ centre) for u in unit_ids if u in self._emb}

    def pick(
        self,
        unit_ids: Iterable[str],
        k: int = MAX_CLAIM_QUOTES,
        score: dict[str, float] | None = None,
        prefer_readable: bool = True,
        exclude: set[str] | None = None,
    ) -> list[Quote]:
        """Up to ``k`` quotes from different respondents, best score first (stable order)."""
        ids = [u for u in dict.fromkeys(unit_ids) if u in self.by_id.index]
        if exclude:
            ids = [u for u in ids if u not in exclude] or ids
        if not ids:
            return []
        words = self.by_id.loc[ids, "_words"]
        readable = {
            u: QUOTE_MIN_WORDS <= int(w) <= QUOTE_MAX_WORDS
            for u, w in zip(ids, words, strict=False)
        }
        sc = score or {}

        def key(u: str) -> tuple:
            return (
                not readable[u] if prefer_readable else False,
                -sc.get(u, 0.0),
                -min(int(words[u]), QUOTE_MAX_WORDS),
                u,
            )

        out: list[Quote] = []
        seen: set[str] = set()
        seen_text: set[str] = set()
        for u in sorted(ids, key=key):
            rid = str(self.by_id.at[u, S.RESPONDENT_ID])
            norm = " ".join(str(self.by_id.at[u, S.TEXT]).lower().split())
            if rid in seen or norm in seen_text:
                continue  # one quote per respondent, and no text twice
            seen.add(rid)
            seen_text.add(norm)
            out.append(self.quote(u))
            if len(out) >= k:
                break
        return out


def evidence_quotes(
    tables: StudyTables, unit_ids: Iterable[str], k: int = MAX_CLAIM_QUOTES
) -> list[Quote]:
    """Up to ``k`` quotes (customer units only, different respondents) for any list of unit ids."""
    if tables._evidence is None:
        tables._evidence = _Evidence(tables)
    return tables._evidence.pick([str(u) for u in unit_ids], k)


# --- the builder ---------------------------------------------------------------------------
def build_personas(tables: StudyTables | Store) -> list[Persona]:
    """One persona per segment, largest first, every claim with its unit ids and quotes.

    Args:
        tables: a :class:`StudyTables` or an open :class:`~insight.store.Store`.

    Returns:
        Personas ``P1..Pk`` ordered by segment size (largest first).
    """
    import pandas as pd

    from insight.errors import StoreError

    if not isinstance(tables, StudyTables):
        tables = StudyTables.from_store(tables)
    seg = tables.segments
    if seg is None or seg.empty or S.SEGMENT not in seg:
        raise StoreError(
            "no segments to build personas from",
            fix="run the segmentation stage first (`insight run` does it)",
        )
    seg = seg.copy()
    seg[S.RESPONDENT_ID] = seg[S.RESPONDENT_ID].astype(str)
    seg = seg[pd.notna(seg[S.SEGMENT])].drop_duplicates(S.RESPONDENT_ID)
    # Negative segment ids mark respondents excluded from segmentation (straight-liners ...).
    seg = seg[~seg[S.SEGMENT].map(lambda s: _is_number(s) and float(s) < 0)]
    ev = _Evidence(tables)
    ctx = _Context(tables, seg, ev)
    sizes = seg.groupby(S.SEGMENT).size().sort_values(ascending=False, kind="stable")
    ordered = sorted(sizes.index, key=lambda s: (-int(sizes[s]), str(s)))
    personas = [ctx.persona(f"P{i + 1}", s) for i, s in enumerate(ordered)]
    _dedupe_names(personas)
    return personas


class _Context:
    """Shared state while building the personas of one study."""

    def __init__(self, t: StudyTables, seg: pd.DataFrame, ev: _Evidence) -> None:
        import pandas as pd

        self.t = t
        self.seg = seg
        self.ev = ev
        self.total = len(seg)
        resp = t.respondents
        if resp is not None and len(resp):
            resp = resp.copy()
            resp[S.RESPONDENT_ID] = resp[S.RESPONDENT_ID].astype(str)
            self.resp = resp.drop_duplicates(S.RESPONDENT_ID).set_index(S.RESPONDENT_ID)
        else:
            self.resp = pd.DataFrame()
        cols = t.columns if t.columns is not None else pd.DataFrame()
        self.cols = cols
        self.item_text: dict[str, str] = {}
        if len(cols) and S.COL_NAME in cols:
            for _, r in cols.iterrows():
                q = r.get(S.COL_QUESTION)
                if q is not None and str(q) not in ("", "nan", "None"):
                    self.item_text.setdefault(str(r[S.COL_NAME]), str(q))
        self.item_text = _strip_shared_prefix(self.item_text)
        self.item_stems = {k: _stems(v) for k, v in self.item_text.items()}

    # -- roles and scales ------------------------------------------------------------------
    def columns_with_role(self, role: str) -> list[str]:
        if not len(self.cols) or S.COL_ROLE not in self.cols:
            return []
        names = self.cols.loc[self.cols[S.COL_ROLE] == role, S.COL_NAME].astype(str)
        return [c for c in dict.fromkeys(names) if c in self.resp.columns]

    def scale(self, item: str, values: pd.Series) -> tuple[float, float]:
        if len(self.cols) and "scale_min" in self.cols:
            r = self.cols[self.cols[S.COL_NAME].astype(str) == item]
            if len(r) and _is_number(r["scale_min"].iloc[0]) and _is_number(r["scale_max"].iloc[0]):
                return float(r["scale_min"].iloc[0]), float(r["scale_max"].iloc[0])
        return float(values.min()), float(values.max())

    # -- one persona ---------------------------------------------------------------------------
    def persona(self, pid: str, segment: Any) -> Persona:
        members = self.seg.loc[self.seg[S.SEGMENT] == segment, S.RESPONDENT_ID].tolist()
        member_set = set(members)
        df = self.ev.df
        mine = df[df[S.RESPONDENT_ID].isin(member_set)]
        rest = df[~df[S.RESPONDENT_ID].isin(member_set) & df[S.SEGMENT].notna()]
        with_text = sorted(mine[S.RESPONDENT_ID].unique())
        self.mine, self.rest = mine, rest
        self.members, self.member_set = members, member_set
        self.n_text = len(with_text)
        self.rest_text = rest[S.RESPONDENT_ID].nunique()
        self.centre = self.ev.typicality(mine.index.tolist())

        attitudes = self.attitudes(segment)
        demographics = self.categorical_claims(S.ROLE_DEMOGRAPHIC, "demographic")
        demographics += self.numeric_claims(
            [
                c
                for c in self.columns_with_role(S.ROLE_DEMOGRAPHIC)
                if self.is_numeric(c, S.ROLE_DEMOGRAPHIC)
            ],
            "demographic",
        )
        behaviour = self.behaviour()
        pains = self.pain_points()
        goals = self.goals()
        emotions = self.emotions()
        vocab = self.vocabulary(segment, pid)
        topics = self.topics()
        quotes = self.representative_quotes()
        counter = self.counter_quote(pains, quotes)
        empathy = self.empathy_map(quotes)
        size = len(members)
        share = size / self.total if self.total else 0.0
        name = _name(attitudes, pains, demographics, vocab, _stem_lift(mine, rest))
        summary = _summary(size, share, attitudes, pains, emotions)
        confidence, warnings = self.confidence(segment, size, share, attitudes, quotes)
        persona = Persona(
            id=pid,
            name=name,
            summary=summary,
            size=size,
            share=share,
            attitudes=attitudes,
            demographics=demographics,
            behaviour=behaviour,
            pain_points=pains,
            goals=goals,
            emotions=emotions,
            vocabulary=vocab,
            topics=topics,
            quotes=quotes,
            counter_quote=counter,
            empathy_map=empathy,
            confidence=confidence,
            warnings=warnings,
            segment=_plain(segment),
        )
        for c in persona.claims():
            c.id = f"{pid}.{c.kind}.{_slug(c.stats.get('key', c.label))}"
        _unique_claim_ids(persona)
        return persona

    def respondent_units(self, rids: Iterable[str]) -> list[str]:
        rids = set(rids)
        m = self.mine
        return m.index[m[S.RESPONDENT_ID].isin(rids)].tolist()

    def related_units(self, rids: Iterable[str], words: set[str]) -> tuple[list[str], str]:
        """Units of ``rids`` that share a content word with ``words``; else all their units."""
        ids = self.respondent_units(rids)
        if words:
            rel = [u for u in ids if _stems(self.ev.by_id.at[u, S.TEXT]) & words]
            if rel:
                return rel, "mentions"
        return ids, "respondents"

    def claim(
        self,
        kind: str,
        label: str,
        n: int,
        N: int,
        unit_ids: list[str],
        stats: dict[str, Any],
        score: dict[str, float] | None = None,
    ) -> Claim:
        quotes = self.ev.pick(
            unit_ids, MAX_CLAIM_QUOTES, score if score is not None else self.centre
        )
        return Claim(kind, label, int(n), int(N), list(unit_ids), quotes, _plain(stats))

    # -- attitudes -----------------------------------------------------------------------------
    def attitudes(self, segment: Any) -> list[Claim]:
        import pandas as pd

        prof = self.t.segment_profiles
        if prof is None or prof.empty:
            return []
        prof = prof[prof[S.SEGMENT].astype(str) == str(segment)].copy()
        if prof.empty:
            return []
        prof["_abs"] = prof["d"].abs()
        prof = prof[(prof["p_adj"] < ALPHA) & (prof["_abs"] >= MIN_ABS_D)]
        prof = prof.sort_values(["_abs", "item"], ascending=[False, True]).head(6)
        claims = []
        for _, r in prof.iterrows():
            item = str(r["item"])
            text = self.item_text.get(item, item)
            stats: dict[str, Any] = {
                "key": item,
                "item": item,
                "question": text,
                "mean": r["mean"],
                "rest_mean": r["rest_mean"],
                "d": r["d"],
                "p_adj": r["p_adj"],
            }
            n, N, rids = 0, 0, []
            if item in self.resp.columns:
                vals = pd.to_numeric(self.resp[item], errors="coerce")
                mine = vals.reindex(self.members).dropna()
                rest = vals.drop(index=self.members, errors="ignore").dropna()
                lo, hi = self.scale(item, vals.dropna())
                mid = (lo + hi) / 2
                higher = (mine.mean() >= rest.mean()) if len(rest) else r["d"] >= 0
                side = mine[mine > mid] if higher else mine[mine < mid]
                n, N, rids = len(side), len(mine), [str(x) for x in side.index]
                stats.update(
                    mean=mine.mean(),
                    rest_mean=rest.mean(),
                    d=abs(r["d"]) * (1 if higher else -1),
                    scale_min=lo,
                    scale_max=hi,
                    direction="higher" if higher else "lower",
                    answer_side="above the scale midpoint"
                    if higher
                    else "below the scale midpoint",
                )
            else:
                stats.update(direction="higher" if r["d"] >= 0 else "lower")
            units, how = self.related_units(rids, self.item_stems.get(item, set()))
            stats["evidence"] = how
            stats["respondent_ids"] = rids
            score = dict(self.centre)
            words = self.item_stems.get(item, set())
            for u in units:
                score[u] = score.get(u, 0.0) + len(_stems(self.ev.by_id.at[u, S.TEXT]) & words)
            claims.append(self.claim("attitude", text, n, N, units, stats, score))
        return claims

    # -- demographics / behaviour -------------------------------------------------------------------
    def categorical_claims(self, role: str, kind: str, limit: int = 6) -> list[Claim]:

        rows = []
        for col in self.columns_with_role(role):
            vals = self.resp[col]
            if self.is_numeric(col, role):
                continue  # summarised as a median by `numeric_claims`
            vals = vals.astype("string").str.strip()
            mine = vals.reindex(self.members).dropna()
            mine = mine[mine != ""]
            rest = vals.drop(index=self.members, errors="ignore").dropna()
            rest = rest[rest != ""]
            if mine.empty:
                continue
            for cat, k in mine.value_counts().items():
                k_rest = int((rest == cat).sum())
                p = _two_proportion_p(int(k), len(mine), k_rest, len(rest))
                share, rshare = k / len(mine), (k_rest / len(rest) if len(rest) else float("nan"))
                rows.append((col, str(cat), int(k), len(mine), share, rshare, p, mine))
        padj = bh_adjust([r[6] for r in rows])
        picked: list[tuple] = []
        modal: dict[str, tuple] = {}
        for r, pa in zip(rows, padj, strict=False):
            col, cat, k, nn, share, rshare, p, mine = r
            lift = share / rshare if rshare and rshare > 0 else float("inf")
            distinct = _is_number(pa) and pa < ALPHA and lift >= MIN_LIFT
            if distinct:
                picked.append((r, pa, lift, True))
            if col not in modal or k > modal[col][0][2]:
                modal[col] = (r, pa, lift, False)
        cols_done = {x[0][0] for x in picked}
        picked.sort(key=lambda x: (-x[2] if math.isfinite(x[2]) else -1e9, x[0][0], x[0][1]))
        for col, x in modal.items():
            if col not in cols_done:
                picked.append(x)
        claims = []
        for (col, cat, k, nn, share, rshare, _p, mine), pa, lift, distinct in picked[:limit]:
            question = self.item_text.get(col, col)
            rids = [str(i) for i in mine.index[mine == cat]]
            units = self.respondent_units(rids)
            label = f"{question}: {cat}"
            stats = {
                "key": f"{col}-{cat}",
                "column": col,
                "question": question,
                "category": cat,
                "share": share,
                "rest_share": rshare,
                "lift": lift if math.isfinite(lift) else None,
                "p_adj": pa,
                "distinctive": distinct,
                "respondent_ids": rids,
                "evidence": "respondents",
            }
            claims.append(self.claim(kind, label, k, nn, units, stats))
        return claims

    def is_numeric(self, col: str, role: str) -> bool:
        """Behaviour columns that are numbers, and demographics with many numeric values (age)."""
        import pandas as pd

        vals = self.resp[col]
        num = pd.to_numeric(vals, errors="coerce")
        present = vals.notna() & (vals.astype("string").str.strip() != "")
        if not present.any() or num[present].notna().mean() < 0.9:
            return False
        return role == S.ROLE_BEHAVIOUR or num.nunique() > 8

    def numeric_claims(self, cols: list[str], kind: str) -> list[Claim]:
        import pandas as pd
        from scipy.stats import mannwhitneyu

        rows = []
        for col in cols:
            vals = pd.to_numeric(self.resp[col], errors="coerce")
            if vals.notna().mean() < 0.5:
                continue
            mine = vals.reindex(self.members).dropna()
            rest = vals.drop(index=self.members, errors="ignore").dropna()
            if len(mine) < 2:
                continue
            p = float("nan")
            if len(rest) >= 2 and (mine.nunique() > 1 or rest.nunique() > 1):
                p = float(mannwhitneyu(mine, rest, alternative="two-sided").pvalue)
            rows.append((col, mine, rest, p))
        padj = bh_adjust([r[3] for r in rows])
        claims = []
        for (col, mine, rest, _p), pa in zip(rows, padj, strict=False):
            question = self.item_text.get(col, col)
            med, rmed = float(mine.median()), float(rest.median()) if len(rest) else float("nan")
            distinct = _is_number(pa) and pa < ALPHA
            rids = [str(i) for i in mine.index]
            units, how = self.related_units(rids, _stems(question))
            stats = {
                "key": col,
                "column": col,
                "question": question,
                "median": med,
                "rest_median": rmed,
                "mean": float(mine.mean()),
                "rest_mean": float(rest.mean()) if len(rest) else None,
                "p_adj": pa,
                "distinctive": distinct,
                "respondent_ids": rids,
                "evidence": how,
            }
            claims.append(self.claim(kind, question, len(mine), len(self.members), units, stats))
        claims.sort(key=lambda c: (not c.stats["distinctive"], c.label))
        return claims

    def behaviour(self) -> list[Claim]:
        cols = [
            c
            for c in self.columns_with_role(S.ROLE_BEHAVIOUR)
            if self.is_numeric(c, S.ROLE_BEHAVIOUR)
        ]
        numeric = self.numeric_claims(cols, "behaviour")
        categorical = self.categorical_claims(S.ROLE_BEHAVIOUR, "behaviour", limit=4)
        return numeric + categorical

    # -- pain points and goals ------------------------------------------------------------------
    def pain_points(self) -> list[Claim]:
        import numpy as np

        mine = self.mine[self.mine[S.PAIN_POINT] >= 1]
        rest = self.rest[self.rest[S.PAIN_POINT] >= 1]
        if mine.empty:
            return []
        types = _pain_group(mine)
        rest_types = _pain_group(rest)
        # Unspecific ("other") pain points are split by topic where a topic holds >= 3 of them.
        counts = types.value_counts()
        small = [g for g in counts.index if "::" in g and counts[g] < 3]
        types = types.where(~types.isin(small), "other")
        rest_types = rest_types.where(
            rest_types.isin(set(types)), rest_types.str.split("::").str[0]
        )
        total_mentions = len(mine)
        rows = []
        for ptype in sorted(types.unique()):
            units = mine[types == ptype]
            n = units[S.RESPONDENT_ID].nunique()
            N = max(self.n_text, 1)
            k_rest = rest[rest_types == ptype][S.RESPONDENT_ID].nunique()
            p = _two_proportion_p(n, N, k_rest, self.rest_text)
            freq = len(units) / total_mentions
            breadth = n / N
            inten = _intensity(units)
            rows.append((ptype, units, n, N, k_rest, p, freq, breadth, inten))
        padj = bh_adjust([r[5] for r in rows])
        claims = []
        for (ptype, units, n, N, k_rest, _p, freq, breadth, inten), pa in zip(
            rows, padj, strict=False
        ):
            rest_breadth = k_rest / self.rest_text if self.rest_text else float("nan")
            lift = breadth / rest_breadth if rest_breadth else float("inf")
            severity = 100.0 * freq * breadth * inten
            ids = units.index.tolist()
            top_terms = self.terms_in(ids)
            tops = []
            if S.TOPIC_LABEL in units and units[S.TOPIC_LABEL].notna().any():
                tl = units.loc[
                    units[S.TOPIC].fillna(S.UNASSIGNED_TOPIC) != S.UNASSIGNED_TOPIC, S.TOPIC_LABEL
                ]
                tops = [str(x) for x in tl.value_counts().head(3).index]
            base_type, _, topic = ptype.partition("::")
            label = pain_label(base_type)
            if topic:
                tl = units[S.TOPIC_LABEL].dropna()
                label = f"{label}: {tl.iloc[0] if len(tl) else 'topic ' + topic}"
            elif top_terms:
                label += " - " + ", ".join(f"“{t}”" for t in top_terms[:3])
            score = {
                u: float(units.at[u, S.PAIN_POINT_SCORE])
                if _is_number(units.at[u, S.PAIN_POINT_SCORE])
                else 0.0
                for u in ids
            }
            for u, s in self.centre.items():
                if u in score:
                    score[u] += s
            stats = {
                "key": ptype.replace("::", "-topic-"),
                "pain_point_type": base_type,
                "topic": topic or None,
                "mentions": len(ids),
                "frequency": freq,
                "breadth": breadth,
                "intensity": inten,
                "severity": severity,
                "rest_breadth": rest_breadth,
                "lift": lift if math.isfinite(lift) else None,
                "p_adj": pa,
                "distinctive": bool(_is_number(pa) and pa < ALPHA and lift >= MIN_LIFT),
                "terms": top_terms,
                "topics": tops,
                "mean_sentiment": float(np.nanmean(units[S.SENTIMENT]))
                if units[S.SENTIMENT].notna().any()
                else None,
            }
            claims.append(self.claim("pain_point", label, n, N, ids, stats, score))
        claims.sort(key=lambda c: (-c.stats["severity"], c.label))
        return claims

    def terms_in(self, unit_ids: list[str], k: int = 3) -> list[str]:
        """The vocabulary terms that occur most often in ``unit_ids`` (display forms)."""
        voc = self.t.vocabulary
        if voc is None or voc.empty or "unit_ids" not in voc:
            return []
        ids = set(unit_ids)
        counts: dict[str, int] = {}
        for term, uids in zip(voc["term"], voc["unit_ids"], strict=False):
            c = len(ids.intersection(as_list(uids)))
            if c >= 2:
                counts[str(term)] = max(counts.get(str(term), 0), c)
        return [t for t, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:k]]

    def goals(self) -> list[Claim]:
        mine = self.mine[self.mine[S.GOAL] >= 1]
        if mine.empty:
            return []
        N = max(self.n_text, 1)
        claims = []
        if S.TOPIC in mine and mine[S.TOPIC].notna().any():
            topic = mine[S.TOPIC].fillna(S.UNASSIGNED_TOPIC)
            groups = []
            for t in topic.unique():
                g = mine[topic == t]
                label = (
                    g[S.TOPIC_LABEL].dropna().iloc[0] if g[S.TOPIC_LABEL].notna().any() else None
                )
                if t == S.UNASSIGNED_TOPIC or label is None:
                    label = "Other goals and wishes"
                groups.append((g[S.RESPONDENT_ID].nunique(), str(label), t, g))
            groups.sort(key=lambda x: (-x[0], x[1]))
            for n, label, t, g in groups[:4]:
                stats = {"key": f"topic-{t}", "topic": t, "mentions": len(g)}
                claims.append(self.claim("goal", label, n, N, g.index.tolist(), stats))
        else:
            stats = {"key": "goals", "mentions": len(mine)}
            claims.append(
                self.claim(
                    "goal",
                    "States a goal or wish",
                    mine[S.RESPONDENT_ID].nunique(),
                    N,
                    mine.index.tolist(),
                    stats,
                )
            )
        return claims

    # -- emotions ------------------------------------------------------------------------------------
    def emotions(self) -> list[Claim]:
        mine, rest = self.mine, self.rest
        if S.EKMAN not in mine or mine[S.EKMAN].isna().all():
            return []
        m_e = mine[S.EKMAN].fillna("neutral").astype(str)
        r_e = rest[S.EKMAN].fillna("neutral").astype(str) if len(rest) else rest[S.EKMAN]
        groups = [g for g in EKMAN_GROUPS if g in set(m_e) | set(r_e)] or sorted(set(m_e))
        rows = []
        for g in groups:
            k, kr = int((m_e == g).sum()), int((r_e == g).sum())
            rows.append((g, k, kr, _two_proportion_p(k, len(m_e), kr, len(r_e))))
        padj = bh_adjust([r[3] for r in rows])
        claims = []
        for (g, k, kr, _p), pa in zip(rows, padj, strict=False):
            if k == 0:  # nothing to quote: no claim (the rest's share shows in the chart)
                continue
            share = k / len(m_e)
            rshare = kr / len(r_e) if len(r_e) else float("nan")
            lift = share / rshare if rshare else float("inf")
            ids = m_e.index[m_e == g].tolist()
            score = {}
            if S.INTENSITY in mine:
                score = {
                    u: float(mine.at[u, S.INTENSITY])
                    if _is_number(mine.at[u, S.INTENSITY])
                    else 0.0
                    for u in ids
                }
            stats = {
                "key": g,
                "emotion": g,
                "share": share,
                "rest_share": rshare,
                "lift": lift if math.isfinite(lift) else None,
                "p_adj": pa,
                "distinctive": bool(
                    g != "neutral" and _is_number(pa) and pa < ALPHA and lift >= MIN_LIFT
                ),
                "units": k,
                "units_total": len(m_e),
            }
            n = mine.loc[ids, S.RESPONDENT_ID].nunique() if ids else 0
            claims.append(
                self.claim("emotion", g.capitalize(), n, max(self.n_text, 1), ids, stats, score)
            )
        return claims

    # -- vocabulary and topics -------------------------------------------------------------------------
    def vocabulary(self, segment: Any, pid: str, limit: int = 12) -> list[Claim]:
        voc = self.t.vocabulary
        if voc is None or voc.empty or "group" not in voc:
            return []
        wanted = {
            str(segment).lower(),
            f"segment {segment}".lower(),
            f"segment={segment}".lower(),
            f"segment_{segment}".lower(),
            pid.lower(),
        }
        rows = voc[voc["group"].astype(str).str.strip().str.lower().isin(wanted)]
        if "z" in rows:
            rows = rows[rows["z"] > 0].sort_values(["z", "term"], ascending=[False, True])
        claims = []
        for _, r in rows.iterrows():
            ids = [u for u in as_list(r.get("unit_ids")) if u in self.mine.index]
            if not ids:
                continue
            n = self.mine.loc[ids, S.RESPONDENT_ID].nunique()
            term = str(r["term"])
            variants = (
                as_list(r.get("variants"))
                if not isinstance(r.get("variants"), str) or r.get("variants", "").startswith("[")
                else [v.strip() for v in str(r["variants"]).split(";") if v.strip()]
            )
            stats = {
                "key": term,
                "term": term,
                "z": r.get("z"),
                "count": r.get("count"),
                "variants": variants,
            }
            score = {
                u: (1.0 if term.lower() in str(self.ev.by_id.at[u, S.TEXT]).lower() else 0.0)
                + self.centre.get(u, 0.0)
                for u in ids
            }
            claims.append(self.claim("vocabulary", term, n, max(self.n_text, 1), ids, stats, score))
            if len(claims) >= limit:
                break
        return claims

    def topics(self, limit: int = 5) -> list[Claim]:
        mine, rest = self.mine, self.rest
        if S.TOPIC not in mine or mine[S.TOPIC].isna().all():
            return []
        mt = mine[S.TOPIC].fillna(S.UNASSIGNED_TOPIC)
        rt = rest[S.TOPIC].fillna(S.UNASSIGNED_TOPIC) if len(rest) else rest[S.TOPIC]
        labels = {}
        tt = self.t.topics
        if tt is not None and len(tt) and "label" in tt:
            labels = {str(k): str(v) for k, v in zip(tt[S.TOPIC], tt["label"], strict=False)}
        rows = []
        for t in sorted(set(mt) - {S.UNASSIGNED_TOPIC}, key=str):
            k, kr = int((mt == t).sum()), int((rt == t).sum())
            rows.append((t, k, kr, _two_proportion_p(k, len(mt), kr, len(rt))))
        padj = bh_adjust([r[3] for r in rows])
        out = []
        for (t, k, kr, _p), pa in zip(rows, padj, strict=False):
            share = k / len(mt)
            rshare = kr / len(rt) if len(rt) else float("nan")
            lift = share / rshare if rshare else float("inf")
            distinct = bool(_is_number(pa) and pa < ALPHA and lift >= MIN_LIFT)
            out.append((distinct, lift, share, t, k, rshare, pa))
        out.sort(key=lambda x: (not x[0], -x[2] if not x[0] else -min(x[1], 1e9), str(x[3])))
        chosen = [x for x in out if x[0]][:limit] or out[: min(3, limit)]
        claims = []
        for distinct, lift, share, t, k, rshare, pa in chosen:
            ids = mt.index[mt == t].tolist()
            label = labels.get(str(t))
            if label is None:
                tl = mine.loc[ids, S.TOPIC_LABEL].dropna().tolist() if S.TOPIC_LABEL in mine else []
                label = str(tl[0]) if tl else f"Topic {t}"
            stats = {
                "key": f"topic-{t}",
                "topic": t,
                "share": share,
                "rest_share": rshare,
                "lift": lift if math.isfinite(lift) else None,
                "p_adj": pa,
                "distinctive": distinct,
                "units": k,
            }
            n = mine.loc[ids, S.RESPONDENT_ID].nunique()
            claims.append(self.claim("topic", label, n, max(self.n_text, 1), ids, stats))
        return claims

    # -- quotes and the empathy map ------------------------------------------------------------------------
    def representative_quotes(self) -> list[Quote]:
        mine = self.mine
        if mine.empty:
            return []
        if self.centre:
            return self.ev.pick(mine.index.tolist(), N_QUOTES, self.centre)
        # No embeddings: the most confident members first; their most telling unit.
        prob = mine[S.PROBABILITY].fillna(0).astype(float)
        telling = (
            (mine[S.PAIN_POINT] > 0)
            | (mine[S.GOAL] > 0)
            | (mine[S.EKMAN].fillna("neutral") != "neutral")
        )
        score = (prob + 0.5 * telling.astype(float)).to_dict()
        return self.ev.pick(mine.index.tolist(), N_QUOTES, score)

    def counter_quote(self, pains: list[Claim], quotes: list[Quote]) -> Quote | None:
        """A positive unit from the segment on its top pain type (same topic or term)."""
        if not pains:
            return None
        mine = self.mine
        pos = mine[(mine[S.SENTIMENT_LABEL].astype(str) == "positive") & (mine[S.PAIN_POINT] < 1)]
        if pos.empty:
            return None
        top = pains[0]
        pain_units = mine.loc[[u for u in top.unit_ids if u in mine.index]]
        topics = set()
        if S.TOPIC in pain_units:
            topics = {t for t in pain_units[S.TOPIC].dropna() if t != S.UNASSIGNED_TOPIC}
        words: set[str] = set()
        for t in top.stats.get("terms", []):
            words |= _stems(t)
        if not words:
            words = _stems(pain_label(top.stats.get("pain_point_type", "")))
        cand = []
        for u, r in pos.iterrows():
            same_topic = S.TOPIC in pos and r.get(S.TOPIC) in topics
            shared = len(_stems(r[S.TEXT]) & words)
            if same_topic or shared:
                sent = float(r[S.SENTIMENT]) if _is_number(r[S.SENTIMENT]) else 0.0
                cand.append((u, 2.0 * bool(same_topic) + shared + sent))
        if not cand:
            return None
        picked = self.ev.pick(
            [u for u, _ in cand], 1, dict(cand), exclude={q.unit_id for q in quotes}
        )
        return picked[0] if picked else None

    def empathy_map(self, says: list[Quote]) -> dict[str, list[Quote]]:
        mine = self.mine
        used = {q.unit_id for q in says}
        texts = mine[S.TEXT].astype(str)
        thinks = [u for u, t in texts.items() if _THINK.search(t)]
        does = [u for u, t in texts.items() if _is_action(t)]
        feels: list[str] = []
        score_feel: dict[str, float] = {}
        if S.EKMAN in mine:
            emo = mine[mine[S.EKMAN].fillna("neutral").astype(str) != "neutral"]
            feels = emo.index.tolist()
            inten = emo.get(S.INTENSITY)
            for u in feels:
                v = inten[u] if inten is not None else float("nan")
                score_feel[u] = (
                    float(v)
                    if _is_number(v)
                    else abs(
                        float(emo.at[u, S.SENTIMENT]) if _is_number(emo.at[u, S.SENTIMENT]) else 0.0
                    )
                )
        more_says = self.ev.pick(mine.index.tolist(), 3, self.centre, exclude=used)
        return {
            "says": more_says if len(more_says) >= 2 else list(says[:3]),
            "thinks": self.ev.pick(thinks, 3, self.centre, exclude=used),
            "does": self.ev.pick(does, 3, self.centre, exclude=used),
            "feels": self.ev.pick(feels, 3, score_feel, exclude=used),
        }

    # -- confidence ---------------------------------------------------------------------------------------
    def confidence(
        self, segment: Any, size: int, share: float, attitudes: list[Claim], quotes: list[Quote]
    ) -> tuple[dict[str, Any], list[str]]:
        stab = None
        for k, v in stability_map(self.t.segment_stability).items():
            if str(k) == str(segment):
                stab = v
        n_units = len(self.mine)
        warnings = []
        if share < SMALL_SHARE or size < SMALL_N:
            warnings.append(f"small segment: {size} respondents ({share:.0%} of {self.total})")
        if stab is not None and stab < LOW_STABILITY:
            warnings.append(
                f"unstable segment: bootstrap Jaccard stability {stab:.2f} < {LOW_STABILITY}"
            )
        if n_units < THIN_EVIDENCE_UNITS:
            warnings.append(
                f"thin evidence: only {n_units} customer units from {self.n_text} respondents"
            )
        if self.t.segment_profiles is not None and len(self.t.segment_profiles) and not attitudes:
            warnings.append(
                "no attitude item sets this segment apart (BH-corrected p < 0.05, |d| >= 0.3)"
            )
        if len(quotes) < 3:
            warnings.append(
                f"only {len(quotes)} representative quote(s) from different respondents"
            )
        problems = len(warnings)
        level = (
            "high"
            if problems == 0
            else ("medium" if problems == 1 and n_units >= THIN_EVIDENCE_UNITS else "low")
        )
        stab_txt = f"stability {stab:.2f}" if stab is not None else "stability not measured"
        note = (
            f"{size} respondents ({share:.0%}), {stab_txt}, "
            f"{n_units} customer units from {self.n_text} respondents with text."
        )
        return {
            "level": level,
            "size": size,
            "share": share,
            "stability": stab,
            "evidence_units": n_units,
            "respondents_with_text": self.n_text,
            "note": note,
        }, warnings


def stability_map(stability: Any) -> dict[str, float]:
    """Segment -> Jaccard stability from a dict, or a DataFrame with segment and jaccard."""
    if stability is None:
        return {}
    if hasattr(stability, "jaccard") and not isinstance(stability, dict):
        stability = stability.jaccard  # a segmentation Stability object
    if hasattr(stability, "columns"):
        if S.SEGMENT not in stability.columns or "jaccard" not in stability.columns:
            return {}
        stability = dict(zip(stability[S.SEGMENT], stability["jaccard"], strict=False))
    if not isinstance(stability, dict):
        return {}
    return {str(k): float(v) for k, v in stability.items() if _is_number(v)}


def _pain_group(units: pd.DataFrame) -> pd.Series:
    """Pain type per unit; "other" becomes "other::<topic>" where the unit has a topic."""
    types = units[S.PAIN_POINT_TYPE].fillna("other").astype(str)
    if S.TOPIC not in units or units.empty:
        return types
    topic = units[S.TOPIC]
    has = topic.notna() & (topic.astype(str) != str(S.UNASSIGNED_TOPIC))
    split = (types == "other") & has
    return types.where(~split, "other::" + topic.astype(str).str.replace(r"\.0$", "", regex=True))


def _intensity(units: pd.DataFrame) -> float:
    """Mean per-unit intensity of pain units: mean of the available signals in [0, 1]."""
    vals = []
    for _, r in units.iterrows():
        parts = []
        if _is_number(r.get(S.PAIN_POINT_SCORE)):
            parts.append(min(max(float(r[S.PAIN_POINT_SCORE]), 0.0), 1.0))
        if _is_number(r.get(S.SENTIMENT)):
            parts.append(min(max(-float(r[S.SENTIMENT]), 0.0), 1.0))
        if _is_number(r.get(S.INTENSITY)):
            parts.append(min(max(float(r[S.INTENSITY]), 0.0), 1.0))
        vals.append(sum(parts) / len(parts) if parts else 1.0)
    return sum(vals) / len(vals) if vals else 0.0


def _is_action(text: str) -> bool:
    for m in _DOES_SUBJ.finditer(text):
        verb = m.group(1).lower()
        if verb not in _NOT_ACTION and len(verb) > 2:
            return True
    return False


# --- names and summaries ----------------------------------------------------------------------------------
def item_wordings(columns: pd.DataFrame) -> dict[str, str]:
    """Column -> question wording, a matrix question's shared stem removed."""
    out: dict[str, str] = {}
    if columns is None or not len(columns) or S.COL_QUESTION not in columns:
        return out
    for name, q in zip(columns[S.COL_NAME].astype(str), columns[S.COL_QUESTION], strict=False):
        if q is not None and str(q) not in ("", "nan", "None"):
            out.setdefault(name, str(q))
    return _strip_shared_prefix(out)


def _strip_shared_prefix(texts: dict[str, str]) -> dict[str, str]:
    """Drop a matrix question's shared stem ("How much do you agree ...? - Item")."""
    prefixes: dict[str, int] = {}
    for t in texts.values():
        if " - " in t:
            prefixes[t.rsplit(" - ", 1)[0]] = prefixes.get(t.rsplit(" - ", 1)[0], 0) + 1
    out = {}
    for k, t in texts.items():
        head = t.rsplit(" - ", 1)[0] if " - " in t else None
        out[k] = t.rsplit(" - ", 1)[1].strip() if head and prefixes.get(head, 0) >= 2 else t
    return out


def _stem_lift(mine: pd.DataFrame, rest: pd.DataFrame) -> dict[str, float]:
    """Stem -> share of the segment's units using it minus the share among the rest."""

    def rates(df: pd.DataFrame) -> dict[str, float]:
        counts: dict[str, int] = {}
        for text in df[S.TEXT].astype(str):
            for st in _stems(text):
                counts[st] = counts.get(st, 0) + 1
        return {k: v / max(len(df), 1) for k, v in counts.items()}

    a, b = rates(mine), rates(rest)
    return {k: v - b.get(k, 0.0) for k, v in a.items()}


_GENERIC = set(
    [
        "good",
        "decent",
        "well",
        "better",
        "best",
        "great",
        "enough",
        "every",
        "always",
        "never",
        "often",
        "happy",
        "able",
        "need",
        "want",
        "like",
        "love",
        "enjoy",
        "keep",
        "take",
        "give",
        "much",
        "many",
        "most",
        "more",
        "less",
        "even",
        "real",
        "really",
        "some",
        "any",
        "side",
        "whole",
        "right",
        "sure",
        "own",
        "everything",
        "something",
        "anything",
        "nothing",
        "someone",
        "everyone",
    ]
)


def _keyword(text: str, used: dict[str, float] | None = None) -> str | None:
    """The most telling content word of an item's wording.

    The word whose stem the segment's own evidence units use more than the rest do (``used``:
    stem -> rate difference), then the longest word; ties go to the earlier word.
    """
    words = [w.strip("'-") for w in _WORD.findall(str(text).lower())]
    words = [
        w for w in words if len(w) >= 4 and w not in _STOP and w not in _GENERIC and "'" not in w
    ]
    if not words:
        return None
    used = used or {}

    def key(w: str) -> tuple:
        stem = next(iter(_stems(w)), w)
        return (used.get(stem, 0), len(w), -words.index(w))

    return max(words, key=key)


def _name(
    attitudes: list[Claim],
    pains: list[Claim],
    demographics: list[Claim],
    vocab: list[Claim],
    stem_use: dict[str, float] | None = None,
) -> str:
    """A readable, deterministic name: pain adjective + attitude keyword + stance."""
    adj = None
    named = [p for p in pains if _pain_key(p.stats.get("pain_point_type", "other")) != "other"]
    # The pain that sets the segment apart (over-represented vs the rest) names it;
    # otherwise its most severe one.
    distinct = [p for p in named if p.stats.get("distinctive")]
    if distinct:
        named = sorted(distinct, key=lambda p: -(p.stats.get("lift") or float("inf")))
    if named:
        adj = PAIN_ADJECTIVES[_pain_key(named[0].stats.get("pain_point_type", "other"))]
    noun = None
    adj_stems = _stems(adj.replace("-", " ")) if adj else set()
    for a in attitudes[:3]:
        kw = _keyword(a.stats.get("question", a.label), stem_use)
        if kw and not (_stems(kw) & adj_stems):
            role = "Champion" if a.stats.get("direction", "higher") == "higher" else "Sceptic"
            noun = f"{kw.capitalize()} {role}"
            break
    if noun is None:
        for d in demographics:
            cat = str(d.stats.get("category", ""))
            if d.stats.get("distinctive") and re.fullmatch(r"[A-Za-z][A-Za-z &\-]{2,24}", cat):
                noun = cat.title()
                break
    if noun is None and vocab:
        noun = f"“{vocab[0].label}” Customer"
    parts = [p for p in (adj, noun) if p]
    return "The " + " ".join(parts) if parts else "The Customer"


def _summary(
    size: int, share: float, attitudes: list[Claim], pains: list[Claim], emotions: list[Claim]
) -> str:
    bits = [f"{share:.0%} of respondents ({size})"]
    if attitudes:
        a = attitudes[0]
        verb = "rate higher" if a.stats.get("direction") == "higher" else "rate lower"
        bits.append(
            f"{verb} than others “{_short(a.stats.get('question', a.label))}” "
            f"({_fmt(a.stats.get('mean'))} vs {_fmt(a.stats.get('rest_mean'))})"
        )
    if pains:
        p = pains[0]
        bits.append(
            f"top pain point: {_lower_first(p.label.split(' - ')[0])} ({p.n} of {p.N} respondents)"
        )
    emo = [e for e in emotions if e.stats.get("distinctive")]
    if emo:
        bits.append(f"express more {emo[0].stats['emotion']} than the rest")
    return "; ".join(bits) + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short(text: str, n: int = 70) -> str:
    text = str(text).strip()
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _fmt(v: Any) -> str:
    return f"{float(v):.1f}" if _is_number(v) else "?"


def _dedupe_names(personas: list[Persona]) -> None:
    seen: dict[str, int] = {}
    for p in personas:
        if p.name in seen:
            alt = None
            for a in p.attitudes[1:]:
                kw = _keyword(a.stats.get("question", a.label))
                cand = (
                    f"{p.name}, {kw.capitalize()}-{'Minded' if a.stats.get('direction') == 'higher' else 'Wary'}"
                    if kw
                    else None
                )
                if cand and cand not in seen:
                    alt = cand
                    break
            p.name = alt or f"{p.name} ({p.id})"
        seen[p.name] = 1


def _unique_claim_ids(persona: Persona) -> None:
    seen: dict[str, int] = {}
    for c in persona.claims():
        if c.id in seen:
            seen[c.id] += 1
            c.id = f"{c.id}-{seen[c.id]}"
        else:
            seen[c.id] = 1


# --- persistence -----------------------------------------------------------------------------------------
PERSONA_QUOTE_KINDS = ("quote", "counter_quote", "says", "thinks", "does", "feels")


def persona_claim_rows(personas: Sequence[Persona]) -> list[dict[str, Any]]:
    """One row per claim, plus quote-set pseudo-claims (representative, counter, empathy map)."""
    rows = []
    for p in personas:
        for c in p.claims():
            rows.append(
                {
                    "claim_id": c.id,
                    "persona_id": p.id,
                    "kind": c.kind,
                    "label": c.label,
                    "n": c.n,
                    "n_total": c.N,
                    "unit_ids": list(c.unit_ids),
                    "quote_ids": [q.unit_id for q in c.quotes],
                    "stats": json.dumps(_plain(c.stats), ensure_ascii=False),
                }
            )
        sets = {"quote": p.quotes, "counter_quote": [p.counter_quote] if p.counter_quote else []}
        for k, qs in p.empathy_map.items():
            sets[k] = qs
        for kind, qs in sets.items():
            if not qs:
                continue
            rows.append(
                {
                    "claim_id": f"{p.id}.{kind}",
                    "persona_id": p.id,
                    "kind": kind,
                    "label": kind.replace("_", " "),
                    "n": len({q.respondent_id for q in qs}),
                    "n_total": p.confidence.get("respondents_with_text", 0),
                    "unit_ids": [q.unit_id for q in qs],
                    "quote_ids": [q.unit_id for q in qs],
                    "stats": "{}",
                }
            )
    return rows


def save_personas(store: Store, personas: Sequence[Persona]) -> None:
    """Write ``personas`` (one row each, with the full JSON) and ``persona_claims`` to the store."""
    import pandas as pd

    prow = [
        {
            "persona_id": p.id,
            "segment": str(p.segment),
            "name": p.name,
            "summary": p.summary,
            "size": p.size,
            "share": float(p.share),
            "confidence": p.confidence.get("level"),
            "warnings": json.dumps(p.warnings, ensure_ascii=False),
            "json": json.dumps(p.to_dict(), ensure_ascii=False),
        }
        for p in personas
    ]
    cols = [
        "persona_id",
        "segment",
        "name",
        "summary",
        "size",
        "share",
        "confidence",
        "warnings",
        "json",
    ]
    store.write_table("personas", pd.DataFrame(prow, columns=cols))
    ccols = [
        "claim_id",
        "persona_id",
        "kind",
        "label",
        "n",
        "n_total",
        "unit_ids",
        "quote_ids",
        "stats",
    ]
    crow = persona_claim_rows(personas)
    cdf = pd.DataFrame(crow, columns=ccols)
    if cdf.empty:
        cdf = cdf.astype({"unit_ids": object, "quote_ids": object})
    store.write_table("persona_claims", cdf)


def load_personas(store: Store) -> list[dict[str, Any]]:
    """The personas saved in a store, as plain dicts (the personas.json objects)."""
    df = store.read_table("personas")
    return [json.loads(s) for s in df["json"]]


# --- evidence queries (insight evidence) -------------------------------------------------------
@dataclass
class EvidenceResult:
    """Quotes matching an evidence query: ``total`` matches, ``quotes`` up to the limit."""

    quotes: list[Quote]
    total: int
    header: list[str] = field(default_factory=list)


def find_evidence(
    store: Store,
    *,
    persona: str | None = None,
    claim: str | None = None,
    pain_point: str | None = None,
    term: str | None = None,
    topic: str | None = None,
    respondent: str | None = None,
    limit: int = 20,
) -> EvidenceResult:
    """Customer quotes in a study store matching every given filter (they combine with AND).

    Args:
        persona: persona id (``P1``); units of its respondents, its quotes first.
        claim: a claim id as shown in the report (``P1.pain_point.price-value``).
        pain_point: a pain-point claim id, or a pain type (``price/value``; a prefix works).
        term: a vocabulary term or variant, or any text (case-insensitive).
        topic: a topic id.
        respondent: a respondent id.
        limit: the most quotes to return (``total`` counts all matches).
    """
    from insight.errors import InsightError, StoreError

    units = store.read_table("units")
    cust = units[units[S.SPEAKER_ROLE].astype(str) == S.ROLE_CUSTOMER].copy()
    cust[S.UNIT_ID] = cust[S.UNIT_ID].astype(str)
    cust[S.RESPONDENT_ID] = cust[S.RESPONDENT_ID].astype(str)
    order = {u: i for i, u in enumerate(cust[S.UNIT_ID])}
    sets: list[set[str]] = []
    first: list[str] = []  # units to list first (a claim's or persona's own quotes)
    header: list[str] = []
    claims = store.read_or_empty("persona_claims")

    def claim_row(cid: str) -> Any:
        if claims.empty:
            raise StoreError(
                "the study has no personas yet", file=str(store.path), fix="run `insight run` first"
            )
        rows = claims[claims["claim_id"].astype(str).str.lower() == cid.lower()]
        return rows.iloc[0] if len(rows) else None

    if persona:
        if claims.empty:
            raise StoreError(
                "the study has no personas yet", file=str(store.path), fix="run `insight run` first"
            )
        prow = store.read_table("personas")
        hit = prow[prow["persona_id"].astype(str).str.lower() == persona.lower()]
        if hit.empty:
            raise InsightError(
                f'no persona "{persona}"',
                fix="use one of: " + ", ".join(prow["persona_id"].astype(str)),
            )
        pid, seg_value = str(hit["persona_id"].iloc[0]), str(hit["segment"].iloc[0])
        header.append(f"{pid}: {hit['name'].iloc[0]} - {hit['summary'].iloc[0]}")
        segs = store.read_table("segments")
        rids = set(segs.loc[segs[S.SEGMENT].astype(str) == seg_value, S.RESPONDENT_ID].astype(str))
        sets.append(set(cust.loc[cust[S.RESPONDENT_ID].isin(rids), S.UNIT_ID]))
        mine = claims[claims["persona_id"].astype(str) == pid]
        for kind in ("quote", "counter_quote"):
            for ids in mine.loc[mine["kind"] == kind, "quote_ids"]:
                first += as_list(ids)
        for ids in mine["quote_ids"]:
            first += as_list(ids)
    if claim:
        row = claim_row(claim)
        if row is None:
            raise InsightError(
                f'no claim "{claim}"', fix="copy a claim id from report.html or personas.json"
            )
        header.append(f"{row['claim_id']}: {row['label']} ({row['n']} of {row['n_total']})")
        sets.append(set(as_list(row["unit_ids"])))
        first = as_list(row["quote_ids"]) + as_list(row["unit_ids"])
    if pain_point:
        row = claim_row(pain_point) if not claims.empty else None
        if row is not None:
            header.append(f"{row['claim_id']}: {row['label']} ({row['n']} of {row['n_total']})")
            sets.append(set(as_list(row["unit_ids"])))
            first = as_list(row["quote_ids"]) + first
        else:
            ann = store.read_or_empty("annotations")
            if ann.empty or S.PAIN_POINT_TYPE not in ann:
                raise StoreError("the study has no pain-point annotations", file=str(store.path))
            types = ann[S.PAIN_POINT_TYPE].fillna("").astype(str).str.lower()
            hit_types = types.str.startswith(pain_point.lower()) & (
                ann[S.PAIN_POINT].fillna(0) >= 1
            )
            if not hit_types.any():
                known = sorted({t for t in types if t})
                raise InsightError(
                    f'no pain point "{pain_point}"',
                    fix="use a pain-point claim id from the report or a type: " + ", ".join(known),
                )
            sets.append(set(ann.loc[hit_types, S.UNIT_ID].astype(str)))
    if term:
        needle = term.strip().lower()
        term_ids: set[str] = set()
        voc = store.read_or_empty("vocabulary")
        if len(voc) and "term" in voc:
            for _, r in voc.iterrows():
                forms = {str(r["term"]).lower(), *(v.lower() for v in as_list(r.get("variants")))}
                if needle in forms:
                    term_ids |= set(as_list(r.get("unit_ids")))
        rx = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
        term_ids |= set(
            cust.loc[cust[S.TEXT].astype(str).map(lambda t: bool(rx.search(t))), S.UNIT_ID]
        )
        sets.append(term_ids)
    if topic is not None:
        ta = store.read_or_empty("topic_assignments")
        if ta.empty:
            raise StoreError(
                "the study has no topics", file=str(store.path), fix="run `insight run` first"
            )
        sets.append(set(ta.loc[ta[S.TOPIC].astype(str) == str(topic), S.UNIT_ID].astype(str)))
    if respondent:
        sets.append(set(cust.loc[cust[S.RESPONDENT_ID] == str(respondent), S.UNIT_ID]))
    matched = set(order)
    for s in sets:
        matched &= s
    rank = {u: i for i, u in enumerate(dict.fromkeys(first))}
    ordered = sorted(matched, key=lambda u: (rank.get(u, len(rank)), order[u]))
    tables = StudyTables(units=cust)
    ev = _Evidence(tables)
    return EvidenceResult([ev.quote(u) for u in ordered[: max(limit, 0)]], len(ordered), header)
