"""Shared pieces of the report charts: palette, limits, statistics, the quote pool, the
:class:`Chart` record, the base layout and the table look-ups every chart family uses."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from insight import schema as S
from insight.report.charts.text import num, wrap

#: Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
]
#: ColorBrewer PuOr (5 classes, colour-blind safe): disagree (orange) -> agree (purple).
DIVERGING = ["#e66101", "#fdb863", "#d9d9d9", "#b2abd2", "#5e3c99"]
#: cividis: a sequential scale designed for colour-vision deficiency.
SEQUENTIAL = "Cividis"
ALPHA = 0.05
LOW_STABILITY = 0.75
EMERGING_LIFT = 1.5
MIN_DATED = 30
MAX_THEMES = 20
MAX_WHEEL_THEMES = 12
MAX_ITEMS = 12
MAX_TERMS = 6
#: where a chart's evidence is listed: (href, link text)
TOPIC_TABLE = ("#topics", "the topic table")
PAIN_RANKING = ("#pains", "the ranked pain points")
FONT = '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


# --- helpers -------------------------------------------------------------------------------
def persona_colour(i: int) -> str:
    return OKABE_ITO[i % len(OKABE_ITO)]


def _bh(pvals: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values, in input order."""
    import numpy as np

    p = np.asarray(list(pvals), dtype=float)
    n = len(p)
    if n == 0:
        return []
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(adj, 1.0)
    return [float(x) for x in out]


def _two_prop_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p of a two-proportion test (Fisher exact when counts are small)."""
    from scipy.stats import fisher_exact, norm

    if n1 <= 0 or n2 <= 0:
        return 1.0
    if min(k1, n1 - k1, k2, n2 - k2) < 5:
        return float(fisher_exact([[k1, n1 - k1], [k2, n2 - k2]])[1])
    p = (k1 + k2) / (n1 + n2)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / se
    return float(2 * norm.sf(abs(z)))


def redact_text(text: str) -> str:
    """Personal data masked (``insight.pii.redact``; a no-op under ``--no-redact``)."""
    try:
        from insight.pii import redact
    except ImportError:  # pragma: no cover - older insight.pii
        return text
    return str(redact(text))


def warm_redaction(texts: Iterable[Any]) -> None:
    """Mask the strings of ``texts`` in one batched spaCy pass, so that the
    :func:`redact_text` calls that follow are look-ups (one NER call per string is slow)."""
    try:
        from insight.pii import redact_many
    except ImportError:  # pragma: no cover - older insight.pii
        return
    redact_many([t for t in texts if isinstance(t, str)])


@dataclass
class QuotePool:
    """Every quote the charts show, stored once; charts refer to them by index.

    Quotes taken from the personas (already redacted by the report) are stored as they
    are; quotes read from the tables are redacted here, once per unit.
    """

    quotes: list[dict[str, Any]] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)

    def add(self, q: dict[str, Any] | None, redacted: bool = True) -> int | None:
        if not q or not q.get("unit_id"):
            return None
        uid = str(q["unit_id"])
        if uid not in self._index:
            text = str(q.get("text", ""))
            self._index[uid] = len(self.quotes)
            self.quotes.append(
                {
                    "unit_id": uid,
                    "text": text if redacted else redact_text(text),
                    "respondent_id": str(q.get("respondent_id", "")),
                    "source": str(q.get("source", "")),
                    "location": str(q.get("location") or ""),
                }
            )
        return self._index[uid]

    def add_all(
        self, qs: Sequence[dict[str, Any]] | None, k: int = 5, redacted: bool = True
    ) -> list[int]:
        out = []
        for q in list(qs or [])[:k]:
            i = self.add(q, redacted)
            if i is not None and i not in out:
                out.append(i)
        return out

    def first_text(self, idx: Sequence[int]) -> str:
        return self.quotes[idx[0]]["text"] if idx else ""


def quote_line(pool: QuotePool, q: Sequence[int]) -> str:
    """The hover line quoting the first of the pooled quotes ``q`` ("" when there is none)."""
    return f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else ""


def add_mark(
    marks: dict[str, dict[str, Any]],
    pool: QuotePool,
    key: str,
    q: list[int],
    *,
    hover: str,
    label: str,
    n: str,
    href: str,
) -> str:
    """Register the clickable mark ``key`` (its label, "n of N", evidence link and pooled
    quotes ``q``) and return its hover text: ``hover`` and the first quote."""
    marks[key] = {"label": label, "n": n, "href": href, "q": q}
    return hover + quote_line(pool, q)


def add_claim_mark(
    marks: dict[str, dict[str, Any]],
    pool: QuotePool,
    claim: dict[str, Any],
    fallback_key: str,
    *,
    hover: str,
    label: str,
    href: str,
) -> tuple[str, str]:
    """:func:`add_mark` for one persona claim: its first five quotes, "n of N respondents"
    and a link to the claim; ``fallback_key``/``href`` serve a claim without an id.

    Returns:
        (the mark key, its hover text).
    """
    cid = claim.get("id")
    key = str(cid or fallback_key)
    text = add_mark(
        marks,
        pool,
        key,
        pool.add_all(claim.get("quotes"), 5),
        hover=hover,
        label=label,
        n=f"{claim.get('n')} of {claim.get('N')} respondents",
        href=f"#{cid}" if cid else href,
    )
    return key, text


@dataclass
class Chart:
    """One chart of the report."""

    id: str
    title: str
    takeaway: str
    data: list[dict[str, Any]]
    layout: dict[str, Any]
    evidence_href: str
    evidence_label: str
    #: mark key -> {"label", "n", "href", "q": [pool indices]}; clicking a mark lists them
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)
    note: str = ""
    height: int = 380

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "data": self.data,
            "layout": self.layout,
            "marks": self.marks,
        }


def base_layout(height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 10, "r": 20, "t": 36, "b": 40},
        "font": {"family": FONT, "size": 12, "color": "#1a202c"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"bgcolor": "#ffffff", "bordercolor": "#5a6577", "align": "left"},
        "legend": {"orientation": "h", "y": -0.12, "x": 0},
    }
    layout.update(extra)
    return layout


def _customer_units(tables: Any) -> Any:
    u = tables.units
    if u is None or not len(u):
        return u
    if S.SPEAKER_ROLE in u:
        u = u[u[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
    u = u.copy()
    u[S.UNIT_ID] = u[S.UNIT_ID].astype(str)
    u[S.RESPONDENT_ID] = u[S.RESPONDENT_ID].astype(str)
    return u


def _segment_of(tables: Any, personas: Sequence[dict[str, Any]]) -> dict[str, str]:
    """respondent_id -> persona id."""
    seg = tables.segments
    if seg is None or not len(seg) or S.SEGMENT not in seg:
        return {}
    pid = {str(p.get("segment")): p["id"] for p in personas}
    out = {}
    for r, s in zip(seg[S.RESPONDENT_ID].astype(str), seg[S.SEGMENT].astype(str), strict=False):
        if s in pid:
            out[r] = pid[s]
    return out


def _quotes_for_units(
    tables: Any, pool: QuotePool, unit_ids: Sequence[str], k: int = 4
) -> list[int]:
    from insight.personas import evidence_quotes

    if not unit_ids:
        return []
    try:
        qs = evidence_quotes(tables, [str(u) for u in unit_ids], k)
    except Exception:
        return []
    dicts: list[dict[str, Any]] = [
        dict(vars(q)) if hasattr(q, "__dict__") else dict(q)  # type: ignore[call-overload]
        for q in qs
    ]
    return pool.add_all(dicts, k, False)


def _topic_labels(topics: Any) -> dict[str, str]:
    if topics is None or not len(topics):
        return {}
    # keyed like topic_assignments.topic (the integer theme); theme_id ("T3") only without it
    key = S.TOPIC if S.TOPIC in topics else "theme_id"
    if key not in topics:
        return {}
    lab_col = next((c for c in ("label", S.TOPIC_LABEL) if c in topics), None)
    out = {}
    for _, r in topics.iterrows():
        k = str(_norm_id(r[key]))
        lab = r.get(lab_col) if lab_col else None
        out[k] = redact_text(str(lab)) if lab is not None and str(lab) != "nan" else f"topic {k}"
    return out


def _norm_id(v: Any) -> Any:
    f = num(v)
    return int(f) if f is not None and f == int(f) else v


def _unit_topics(tables: Any) -> Any:
    """Customer units with their topic (unassigned dropped): unit_id, respondent_id, topic, date, batch."""
    ta = tables.topic_assignments
    u = _customer_units(tables)
    if ta is None or not len(ta) or u is None or not len(u) or S.TOPIC not in ta:
        return None
    t = ta[[S.UNIT_ID, S.TOPIC]].copy()
    t[S.UNIT_ID] = t[S.UNIT_ID].astype(str)
    t[S.TOPIC] = t[S.TOPIC].map(lambda v: str(_norm_id(v)))
    t = t[t[S.TOPIC] != str(S.UNASSIGNED_TOPIC)]
    cols = [c for c in (S.UNIT_ID, S.RESPONDENT_ID, S.DATE, S.BATCH_ID, S.SOURCE) if c in u]
    return u[cols].merge(t, on=S.UNIT_ID)
