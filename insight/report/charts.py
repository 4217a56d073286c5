"""The report's charts: Plotly figures (plain JSON, drawn by plotly.js embedded once in the page).

Each chart is a :class:`Chart`: a Plotly figure (``data`` + ``layout`` dicts, built here
without importing the plotly Python package), a one-line takeaway written from the same
numbers, a link to the section holding the evidence, and, per clickable mark, the quotes
behind it (indices into one shared :class:`QuotePool`). The page's script draws every
figure, shows "n of N" and a quote on hover, lists the quotes of a mark when it is
clicked, and offers PNG and SVG downloads.

Why Plotly: measured with ``benchmarks/report_open_time.py --compare-libs`` against
Vega-Lite 6 (vega + vega-lite + vega-embed from npm), same seven charts, headless
Chromium, one offline page each: Plotly 4.8 MB, first paint 260 ms; Vega-Lite 0.9 MB,
224 ms. Both fit the budget (< 10 MB, < 3 s); Plotly draws the theme hierarchy as a
sunburst (Vega-Lite has no partition mark), exports PNG and SVG from its own toolbar,
and ships inside the ``plotly`` wheel that BERTopic already depends on, so no JavaScript
is vendored into this repository.

Every string that came from the data goes through :func:`ptext` (HTML-escaped: Plotly
renders a subset of HTML in labels and hover text).

Colours: Okabe-Ito for categories (personas), ColorBrewer PuOr for the diverging
agree/disagree scale and cividis for shares -- all readable with colour-blindness.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S

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
FONT = '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


# --- helpers -------------------------------------------------------------------------------
def ptext(text: Any) -> str:
    """Data text made safe for Plotly labels and hover text (which render some HTML)."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def pct(v: float | None) -> str:
    return "?" if v is None else f"{100 * v:.0f}%"


def fmt_p(p: Any) -> str:
    v = num(p)
    if v is None:
        return "= ?"
    return "< 0.001" if v < 0.001 else f"= {v:.2g}" if v < 0.1 else f"= {v:.2f}"


def short(text: Any, n: int = 48) -> str:
    t = re.sub(r"\s+", " ", str(text)).strip()
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


def wrap(text: str, width: int = 56, max_chars: int = 150) -> str:
    """A quote snippet for hover text: escaped, cut to ``max_chars``, broken into lines."""
    t = short(text, max_chars)
    lines, line = [], ""
    for w in t.split(" "):
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(ptext(x) for x in lines)


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


# --- 1. persona sizes and stability -----------------------------------------------------------
def sizes_chart(
    personas: Sequence[dict[str, Any]],
    pool: QuotePool,
    n_resp: int,
    segmentation: dict[str, Any] | None = None,
) -> Chart | None:
    if not personas:
        return None
    total = sum(int(p.get("size") or 0) for p in personas) or 1
    ys, xs, texts, hovers, colours, patterns, keys = [], [], [], [], [], [], []
    marks: dict[str, dict[str, Any]] = {}
    unstable = []
    for i, p in enumerate(personas):
        stab = num((p.get("confidence") or {}).get("stability"))
        size = int(p.get("size") or 0)
        q = pool.add_all(p.get("quotes"), 5)
        ys.append(f"{p['id']} · {ptext(short(p.get('name', ''), 34))}")
        xs.append(size)
        stab_txt = "stability not measured" if stab is None else f"stability {stab:.2f}"
        texts.append(f"{size} ({100 * size / total:.0f}%) · {stab_txt}")
        low = stab is not None and stab < LOW_STABILITY
        if low:
            unstable.append(f"{p['id']} ({stab:.2f})")
        patterns.append("/" if low else "")
        colours.append(persona_colour(i))
        keys.append(p["id"])
        hovers.append(
            f"<b>{p['id']} {ptext(p.get('name', ''))}</b><br>{size} of {total} segmented respondents"
            f"<br>bootstrap Jaccard {stab_txt}"
            + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
        )
        marks[p["id"]] = {
            "label": f"{p['id']} {p.get('name', '')}: quotes typical of the persona",
            "n": f"{size} of {total} respondents",
            "href": f"#{p['id']}",
            "q": q,
        }
    big = max(personas, key=lambda p: int(p.get("size") or 0))
    take = (
        f"{big['id']} “{big.get('name', '')}” is the largest persona "
        f"({int(big.get('size') or 0)} of {total} segmented respondents, "
        f"{100 * int(big.get('size') or 0) / total:.0f}%). "
    )
    stabs = [num((p.get("confidence") or {}).get("stability")) for p in personas]
    if unstable:
        take += f"Unstable under resampling (Jaccard < {LOW_STABILITY}): {', '.join(unstable)}; read those with caution."
    elif all(s is not None for s in stabs):
        take += f"All {len(personas)} personas are stable under bootstrap resampling (Jaccard ≥ {LOW_STABILITY})."
    else:
        take += "Per-persona stability was not measured."
    st = (segmentation or {}).get("stability") if isinstance(segmentation, dict) else None
    if isinstance(st, dict) and num(st.get("ari_mean")) is not None:
        take += (
            f" The whole split reproduces with adjusted Rand {num(st['ari_mean']):.2f}"
            + (f" ± {num(st.get('ari_sd')):.2f}" if num(st.get("ari_sd")) is not None else "")
            + (
                f" over {st.get('n_bootstrap')} bootstrap resamples."
                if st.get("n_bootstrap")
                else "."
            )
        )
    height = max(160, 44 * len(personas) + 60)
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "y": ys[::-1],
            "x": xs[::-1],
            "text": texts[::-1],
            "textposition": "auto",
            "customdata": keys[::-1],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "hovertext": hovers[::-1],
            "marker": {
                "color": colours[::-1],
                "pattern": {"shape": patterns[::-1], "fgcolor": "#ffffff", "solidity": 0.3},
            },
        }
    ]
    layout = base_layout(
        height,
        xaxis={"title": {"text": "respondents"}, "rangemode": "tozero", "gridcolor": "#edf2f7"},
        yaxis={"automargin": True},
        showlegend=False,
    )
    return Chart(
        "chart-sizes",
        "Persona sizes and stability",
        take,
        data,
        layout,
        "#overview",
        "the persona cards",
        marks,
        note=f"Bars: respondents per persona ({n_resp} respondents in the study). Hatched = bootstrap Jaccard stability below {LOW_STABILITY}.",
        height=height,
    )


# --- 2. attitude items as diverging stacked bars ---------------------------------------------------
def _scale(columns: Any, item: str, values: Any) -> tuple[int, int, list[str]] | None:
    lo = hi = None
    labels: list[str] = []
    if columns is not None and len(columns) and S.COL_NAME in columns:
        row = columns[columns[S.COL_NAME].astype(str) == item]
        if len(row):
            r = row.iloc[0]
            lo, hi = num(r.get("scale_min")), num(r.get("scale_max"))
            lab = r.get("labels")
            if isinstance(lab, str) and lab.strip() and lab.strip() not in ("nan", "None"):
                labels = [x.strip() for x in re.split(r"[;|]", lab) if x.strip()]
            elif isinstance(lab, list | tuple):
                labels = [str(x) for x in lab]
    v = values.dropna()
    if lo is None or hi is None:
        if v.empty:
            return None
        lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1 or hi - lo > 10 or lo != int(lo) or hi != int(hi):
        return None
    levels = int(hi - lo) + 1
    if len(labels) != levels:
        labels = []
    return int(lo), int(hi), labels


def attitudes_chart(
    tables: Any, personas: Sequence[dict[str, Any]], item_text: dict[str, str], pool: QuotePool
) -> Chart | None:
    import pandas as pd

    prof = tables.segment_profiles
    resp = tables.respondents
    if prof is None or prof.empty or resp is None or resp.empty or "item" not in prof:
        return None
    seg_of = _segment_of(tables, personas)
    if not seg_of:
        return None
    resp = resp.copy()
    resp[S.RESPONDENT_ID] = resp[S.RESPONDENT_ID].astype(str)
    resp = resp.drop_duplicates(S.RESPONDENT_ID).set_index(S.RESPONDENT_ID)
    {str(p.get("segment")): p for p in personas}
    claims = {
        (p["id"], str(c.get("stats", {}).get("item"))): c
        for p in personas
        for c in p.get("attitudes", [])
    }
    # items ordered by their largest significant difference
    prof = prof.copy()
    prof["_abs"] = pd.to_numeric(prof.get("d"), errors="coerce").abs()
    prof["_sig"] = pd.to_numeric(prof.get("p_adj"), errors="coerce") < ALPHA
    order = (
        prof.assign(_key=prof["_abs"].where(prof["_sig"], prof["_abs"] / 100))
        .groupby(prof["item"].astype(str))["_key"]
        .max()
        .sort_values(ascending=False)
    )
    items = [it for it in order.index if it in resp.columns][:MAX_ITEMS]
    n_items_all = int(sum(1 for it in order.index if it in resp.columns))
    if not items:
        return None
    rows_y: list[list[str]] = [[], []]
    level_x: dict[int, list[float]] = {}
    level_hover: dict[int, list[str]] = {}
    level_keys: dict[int, list[str]] = {}
    marks: dict[str, dict[str, Any]] = {}
    scales: list[tuple[int, int, list[str]]] = []
    best: tuple[float, str] | None = None
    max_levels = 0
    row_plan = []
    for it in items:
        vals = pd.to_numeric(resp[it], errors="coerce")
        sc = _scale(tables.columns, it, vals)
        if sc is None:
            continue
        scales.append(sc)
        max_levels = max(max_levels, sc[1] - sc[0] + 1)
        row_plan.append((it, vals, sc))
    if not row_plan:
        return None
    # all items share one colour ramp: the first scale decides the level names
    _lo0, _hi0, labels0 = scales[0]
    n_lv = max_levels
    ramp = _ramp(n_lv)
    for lv in range(n_lv):
        level_x[lv], level_hover[lv], level_keys[lv] = [], [], []
    sig_rows: list[tuple[str, str, float, float | None]] = []
    for it, vals, (lo, hi, _labels) in row_plan:
        levels = hi - lo + 1
        mid = (lo + hi) / 2
        text = item_text.get(it, it)
        label = wrap(short(text, 84), 30, 84)
        for p in personas:
            members = [r for r, pid in seg_of.items() if pid == p["id"]]
            v = vals.reindex(members).dropna().round()
            n = len(v)
            pr = prof[
                (prof["item"].astype(str) == it)
                & (prof[S.SEGMENT].astype(str) == str(p.get("segment")))
            ]
            d = num(pr["d"].iloc[0]) if len(pr) and "d" in pr else None
            pa = num(pr["p_adj"].iloc[0]) if len(pr) and "p_adj" in pr else None
            sig = pa is not None and pa < ALPHA
            rows_y[0].append(label)
            rows_y[1].append(p["id"])
            if sig and d is not None:
                sig_rows.append((label, p["id"], d, pa))
            key = f"{it}|{p['id']}"
            claim = claims.get((p["id"], it))
            q = pool.add_all(claim.get("quotes"), 5) if claim else []
            agree = int((v > mid).sum())
            stat = (
                ""
                if d is None
                else f"<br>d = {d:+.2f} vs the rest, p(BH) {fmt_p(pa)}{' ★' if sig else ''}"
            )
            snippet = f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else ""
            for lv in range(n_lv):
                value = lo + lv
                k = int((v == value).sum()) if lv < levels else 0
                share = k / n if n else 0.0
                # the middle answer of an odd scale straddles zero: half each side
                if levels % 2 == 1 and value == mid:
                    x = share / 2
                else:
                    x = share if value > mid else -share
                level_x[lv].append(round(x, 4))
                name = _level_name(lv, levels, _labels)
                level_hover[lv].append(
                    f"<b>{p['id']} · {ptext(short(text, 70))}</b><br>{ptext(name)}: {k} of {n} ({pct(share)})"
                    f"<br>agree side: {agree} of {n}{stat}{snippet}"
                )
                level_keys[lv].append(key)
            marks[key] = {
                "label": f"{p['id']} on “{short(text, 90)}”",
                "n": f"{agree} of {n} on the agree side",
                "href": f"#{claim['id']}" if claim and claim.get("id") else "#profiles",
                "q": q,
            }
            if sig and d is not None and (best is None or abs(d) > best[0]):
                rest = vals.drop(index=members, errors="ignore").dropna().round()
                r_agree = (rest > mid).mean() if len(rest) else None
                best = (
                    abs(d),
                    f"Clearest difference: {p['id']} {'agree more' if d > 0 else 'agree less'} "
                    f"with “{short(text, 80)}” ({pct(agree / n if n else None)} on the agree side vs "
                    f"{pct(num(r_agree))} of everyone else; d = {d:+.2f}, p(BH) {fmt_p(pa)}).",
                )
    data: list[dict[str, Any]] = []
    for lv in range(n_lv):
        name = _level_name(lv, n_lv, labels0 if len(labels0) == n_lv else [])
        xs = level_x[lv]
        # an odd scale's middle answer is drawn twice (half left, half right of zero)
        mid_lv = n_lv % 2 == 1 and lv == n_lv // 2
        trace = {
            "type": "bar",
            "orientation": "h",
            "name": name,
            "y": rows_y,
            "x": xs,
            "customdata": level_keys[lv],
            "hovertext": level_hover[lv],
            "hovertemplate": "%{hovertext}<extra></extra>",
            "marker": {"color": ramp[lv], "line": {"width": 0}},
            "legendgroup": f"lv{lv}",
            "legendrank": lv,
        }
        if mid_lv:
            left = dict(trace, x=[-x for x in xs], showlegend=False)
            data.insert(0, left)
        data.append(trace)
    # order: negative side from the middle outwards first so the stacks meet at zero
    neg = [t for t in data if all((x or 0) <= 0 for x in t["x"])]
    pos = [t for t in data if t not in neg]
    neg.sort(key=lambda t: -_lv_index(t, n_lv))
    data = neg + pos
    if sig_rows:
        # corrected significance, marked at the end of each row that differs
        data.append(
            {
                "type": "scatter",
                "mode": "text",
                "name": "★ differs from the rest (BH p < 0.05), Cohen's d",
                "x": [1.03] * len(sig_rows),
                "y": [[r[0] for r in sig_rows], [r[1] for r in sig_rows]],
                "text": [f"★ d {r[2]:+.1f}" for r in sig_rows],
                "textposition": "middle right",
                "textfont": {"size": 11, "color": "#1a202c"},
                "hovertext": [f"{r[1]}: d = {r[2]:+.2f}, p(BH) {fmt_p(r[3])}" for r in sig_rows],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "cliponaxis": False,
                "legendrank": 100,
            }
        )
    height = max(260, 22 * len(rows_y[0]) + 14 * len(row_plan) + 110)
    layout = base_layout(
        height,
        barmode="relative",
        bargap=0.25,
        xaxis={
            "range": [-1, 1.28],
            "tickvals": [-1, -0.5, 0, 0.5, 1],
            "ticktext": ["100%", "50%", "0", "50%", "100%"],
            "title": {"text": "← disagree · share of the persona's respondents · agree →"},
            "zeroline": True,
            "zerolinecolor": "#5a6577",
            "gridcolor": "#edf2f7",
        },
        yaxis={
            "autorange": "reversed",
            "automargin": True,
            "type": "multicategory",
            "dividercolor": "#cbd5e0",
        },
        legend={
            "orientation": "h",
            "y": -60 / height,
            "yanchor": "top",
            "x": 0,
            "traceorder": "normal",
        },
        margin={"l": 10, "r": 20, "t": 36, "b": 90},
    )
    take = (
        best[1]
        if best
        else "No attitude item differs significantly between personas after Benjamini–Hochberg correction."
    )
    note = (
        "★ = the persona differs from all others on this item (Benjamini–Hochberg p < 0.05). "
        + (
            f"The {len(row_plan)} items with the largest differences of {n_items_all}; all are in the attitude table below."
            if n_items_all > len(row_plan)
            else ""
        )
    )
    return Chart(
        "chart-attitudes",
        "How each persona answered the attitude items",
        take,
        data,
        layout,
        "#profiles",
        "the attitude table and each persona's “What sets them apart”",
        marks,
        note=note,
        height=height,
    )


def _lv_index(trace: dict[str, Any], n_lv: int) -> int:
    g = str(trace.get("legendgroup", "lv0"))
    return int(g[2:]) if g[2:].isdigit() else 0


def _ramp(n: int) -> list[str]:
    """n colours from the diverging PuOr ramp (orange = disagree, grey = middle, purple = agree)."""
    if n == 5:
        return list(DIVERGING)
    full = [
        "#b35806",
        "#e08214",
        "#fdb863",
        "#fee0b6",
        "#d9d9d9",
        "#d8daeb",
        "#b2abd2",
        "#8073ac",
        "#542788",
    ]
    if n <= 1:
        return [full[4]]
    half = n // 2
    left = full[:4][-half:] if half <= 4 else full[:4]
    right = full[5:][:half] if half <= 4 else full[5:]
    mid = [full[4]] if n % 2 else []
    out = left + mid + right
    while len(out) < n:
        out.append(full[-1])
    return out[:n]


def _level_name(lv: int, levels: int, labels: list[str]) -> str:
    if labels and lv < len(labels):
        return f"{lv + 1} {labels[lv]}"
    if levels == 5:
        return ["1 strongly disagree", "2 disagree", "3 neutral", "4 agree", "5 strongly agree"][lv]
    return f"answer {lv + 1} of {levels}"


# --- 3. themes by persona, and the theme hierarchy ---------------------------------------------------
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


def themes_chart(tables: Any, personas: Sequence[dict[str, Any]], pool: QuotePool) -> Chart | None:
    m = _unit_topics(tables)
    seg_of = _segment_of(tables, personas)
    if m is None or m.empty or not seg_of or len(personas) < 1:
        return None
    labels = _topic_labels(tables.topics)
    m = m.assign(persona=m[S.RESPONDENT_ID].map(seg_of)).dropna(subset=["persona"])
    if m.empty:
        return None
    counts = m.groupby([S.TOPIC, "persona"]).size()
    per_persona = m.groupby("persona").size()
    per_topic = m.groupby(S.TOPIC).size().sort_values(ascending=False)
    topics = list(per_topic.index[:MAX_THEMES])
    pids = [p["id"] for p in personas if p["id"] in per_persona.index]
    total = len(m)
    cells = []
    for t in topics:
        for pid in pids:
            k = int(counts.get((t, pid), 0))
            n1 = int(per_persona[pid])
            k2 = int(per_topic[t]) - k
            n2 = total - n1
            cells.append((t, pid, k, n1, k2, n2, _two_prop_p(k, n1, k2, n2)))
    padj = _bh([c[-1] for c in cells])
    z, text, hover, keys = [], [], [], []
    marks: dict[str, dict[str, Any]] = {}
    best: tuple[float, str] | None = None
    by_cell = {(c[0], c[1]): (c, pa) for c, pa in zip(cells, padj, strict=True)}
    units_by = m.groupby([S.TOPIC, "persona"])[S.UNIT_ID].apply(list)
    for t in topics:
        zr, tr, hr, kr = [], [], [], []
        for pid in pids:
            (_tt, _, k, n1, k2, n2, _p), pa = by_cell[(t, pid)]
            share = k / n1 if n1 else 0.0
            rest = k2 / n2 if n2 else 0.0
            sig = pa < ALPHA
            mark = ("▲" if share > rest else "▼") if sig else ""
            key = f"{t}|{pid}"
            ids = units_by.get((t, pid), [])
            q = _quotes_for_units(tables, pool, ids, 3)
            zr.append(round(share, 4))
            tr.append(f"{100 * share:.0f}%{mark}")
            kr.append(key)
            hr.append(
                f"<b>{pid} · {ptext(short(labels.get(t, t), 60))}</b><br>{k} of {n1} statements ({pct(share)})"
                f" vs {pct(rest)} of other personas' · p(BH) {fmt_p(pa)}"
                + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
            )
            marks[key] = {
                "label": f"{pid} on “{labels.get(t, t)}”",
                "n": f"{k} of {n1} statements",
                "href": f"#topic-{t}",
                "q": q,
            }
            if sig and share > rest and (best is None or share - rest > best[0]):
                best = (
                    share - rest,
                    f"{pid} talk about “{short(labels.get(t, t), 60)}” far more than the others: "
                    f"{pct(share)} of their statements vs {pct(rest)} (p(BH) {fmt_p(pa)}).",
                )
        z.append(zr)
        text.append(tr)
        hover.append(hr)
        keys.append(kr)
    ylab = [ptext(short(labels.get(t, f"topic {t}"), 40)) for t in topics]
    xlab = [f"{pid}" for pid in pids]
    height = max(220, 26 * len(topics) + 90)
    data = [
        {
            "type": "heatmap",
            "x": xlab,
            "y": ylab,
            "z": z,
            "text": text,
            "texttemplate": "%{text}",
            "customdata": keys,
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "colorscale": SEQUENTIAL,
            "zmin": 0,
            "xgap": 2,
            "ygap": 2,
            "colorbar": {
                "title": {"text": "share of<br>statements"},
                "tickformat": ".0%",
                "thickness": 12,
            },
        }
    ]
    layout = base_layout(
        height,
        xaxis={"side": "top", "tickfont": {"size": 13}},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    take = (
        best[1]
        if best
        else (
            f"No theme is significantly more common in one persona; the largest theme is "
            f"“{short(labels.get(topics[0], topics[0]), 60)}” ({int(per_topic[topics[0]])} of {total} statements)."
        )
    )
    return Chart(
        "chart-themes",
        "Which themes each persona talks about",
        take,
        data,
        layout,
        "#topics",
        "the topic table",
        marks,
        note="Share of each persona's statements in each theme. ▲/▼ = more/less common than among the other personas (two-proportion test, Benjamini–Hochberg p < 0.05)."
        + (
            f" The {len(topics)} largest of {len(per_topic)} themes."
            if len(per_topic) > len(topics)
            else ""
        ),
        height=height,
    )


def _wheel_colours(ids: Sequence[str], parents: Sequence[str]) -> list[str]:
    """One Okabe-Ito colour per theme, shared by its sub-themes; the 'other' slice grey."""
    colour: dict[str, str] = {}
    k = 0
    for tid, par in zip(ids, parents, strict=True):
        if not par:
            colour[tid] = "#d9d9d9" if tid == "other-themes" else OKABE_ITO[k % 7]
            k += tid != "other-themes"
    return [colour.get(t) or colour.get(p, "#d9d9d9") for t, p in zip(ids, parents, strict=True)]


def hierarchy_chart(tables: Any, pool: QuotePool) -> Chart | None:
    """Themes -> sub-themes as a sunburst, from the ``topic_hierarchy`` table (or a topic
    table that carries ``parent_id``); ``None`` for flat topics."""
    top = getattr(tables, "topic_hierarchy", None)
    if top is None or not len(top) or "parent_id" not in top:
        top = getattr(tables, "topics", None)
    if top is None or not len(top) or "parent_id" not in top:
        return None
    key = "theme_id" if "theme_id" in top else S.TOPIC
    if key not in top:
        return None
    lab_col = next((c for c in ("label", S.TOPIC_LABEL) if c in top), None)
    size_col = next((c for c in ("n_units", "size") if c in top), None)
    ids, parents, labels, values, hover, keys = [], [], [], [], [], []
    marks: dict[str, dict[str, Any]] = {}
    known = {str(_norm_id(v)) for v in top[key]}
    rows = []
    for _, r in top.iterrows():
        tid = str(_norm_id(r[key]))
        if tid == str(S.UNASSIGNED_TOPIC):
            continue
        par = r.get("parent_id")
        par_s = (
            ""
            if par is None or (num(par) is None and not isinstance(par, str))
            else str(_norm_id(par))
        )
        if par_s in ("", "nan", "None", str(S.UNASSIGNED_TOPIC)) or par_s not in known:
            par_s = ""
        size = num(r.get(size_col)) if size_col else None
        if size is None and "unit_ids" in top:
            from insight.personas import as_list

            size = float(len(as_list(r.get("unit_ids"))))
        lab = redact_text(str(r.get(lab_col))) if lab_col else tid
        rows.append((tid, par_s, lab, size or 0.0, r))
    if not any(p for _, p, *_ in rows):
        return None  # flat topics: the heat map shows them
    # a glanceable wheel: the largest themes with their sub-themes, the rest as one slice
    tops = sorted((r for r in rows if not r[1]), key=lambda r: -r[3])
    n_top, n_sub = len(tops), len(rows) - len(tops)
    total = sum(r[3] for r in tops) or 1.0
    take = (
        f"{n_top} themes split into {n_sub} sub-themes; the largest theme, “{short(tops[0][2], 60)}”, "
        f"holds {100 * tops[0][3] / total:.0f}% of the themed statements."
    )
    if len(tops) > MAX_WHEEL_THEMES:
        keep = {r[0] for r in tops[:MAX_WHEEL_THEMES]}
        rest = tops[MAX_WHEEL_THEMES:]
        rows = [r for r in rows if r[0] in keep or r[1] in keep]
        n_rest = sum(r[3] for r in rest)
        rows.append(("other-themes", "", f"{len(rest)} smaller themes", n_rest, {}))
        dropped = len(rest)
    else:
        dropped = 0
    children: dict[str, float] = {}
    for _tid, par, _l, size, _r in rows:
        if par:
            children[par] = children.get(par, 0.0) + size
    total_ok = all(size >= children.get(tid, 0.0) - 1e-9 for tid, _p, _l, size, _r in rows)
    from insight.personas import as_list

    themed = sum(size for _t, par, _l, size, _r in rows if not par) or 1.0
    for tid, par, lab, size, r in rows:
        ids.append(tid)
        parents.append(par)
        labels.append(ptext(short(lab, 28)))
        values.append(size)
        qids = as_list(r.get("quotes")) or as_list(r.get("unit_ids"))
        q = _quotes_for_units(tables, pool, qids, 3)
        npart = num(r.get("n_participants")) or num(r.get("respondents"))
        desc = r.get("description")
        desc = redact_text(desc) if isinstance(desc, str) else None
        hover.append(
            f"<b>{ptext(lab)}</b><br>{size:.0f} of {themed:.0f} themed statements"
            + (f" from {npart:.0f} participants" if npart is not None else "")
            + (f"<br>{wrap(str(desc), 60, 160)}" if isinstance(desc, str) and desc.strip() else "")
            + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
        )
        keys.append(tid)
        marks[tid] = {"label": f"“{lab}”", "n": f"{size:.0f} statements", "href": "#topics", "q": q}
    data = [
        {
            "type": "sunburst",
            "ids": ids,
            "parents": parents,
            "labels": labels,
            "values": values,
            "branchvalues": "total" if total_ok else "remainder",
            "customdata": keys,
            "hovertext": hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "insidetextorientation": "radial",
            "marker": {"colors": _wheel_colours(ids, parents), "line": {"color": "#ffffff"}},
        }
    ]
    layout = base_layout(
        520, margin={"l": 10, "r": 10, "t": 10, "b": 10}, sunburstcolorway=OKABE_ITO
    )
    return Chart(
        "chart-hierarchy",
        "Themes and their sub-themes",
        take,
        data,
        layout,
        "#topics",
        "the topic table",
        marks,
        note="Inner ring: themes; outer ring: sub-themes; angle = number of statements. Click a theme to zoom in and list its quotes."
        + (
            f" The {MAX_WHEEL_THEMES} largest themes are shown; {dropped} smaller ones share one slice."
            if dropped
            else ""
        ),
        height=520,
    )


# --- 4. pain points: how many people x how intense ------------------------------------------------
def pains_chart(personas: Sequence[dict[str, Any]], pool: QuotePool) -> Chart | None:
    pts = [(i, p, c) for i, p in enumerate(personas) for c in p.get("pain_points", [])]
    pts = [x for x in pts if num(x[2].get("stats", {}).get("intensity")) is not None]
    if not pts:
        return None
    ranked = sorted(pts, key=lambda x: -(num(x[2]["stats"].get("severity")) or 0))
    # label the five most severe and the three raised by most people
    widest = sorted(pts, key=lambda x: -int(x[2].get("n") or 0))[:3]
    to_label = list(dict.fromkeys([id(x[2]) for x in ranked[:5]] + [id(x[2]) for x in widest]))
    labelled = {k: j for j, k in enumerate(to_label)}
    data = []
    marks: dict[str, dict[str, Any]] = {}
    for i, p in enumerate(personas):
        mine = [x for x in pts if x[1] is p]
        if not mine:
            continue
        xs, ys, texts, hovers, keys, sizes, tpos = [], [], [], [], [], [], []
        for _, _, c in mine:
            s = c.get("stats", {})
            words = s.get("terms") or []
            said = (
                ", ".join(f"“{w}”" for w in words[:2]) if words else short(c.get("label", ""), 30)
            )
            q = pool.add_all(c.get("quotes"), 5)
            key = str(c.get("id") or f"{p['id']}-{s.get('key')}")
            xs.append(int(c.get("n") or 0))
            ys.append(round(num(s.get("intensity")) or 0.0, 3))
            texts.append(ptext(short(said, 36)) if id(c) in labelled else "")
            # alternate labels above and below so neighbours do not print over each other
            tpos.append("bottom center" if labelled.get(id(c), 0) % 2 else "top center")
            sizes.append(8 + 4 * math.sqrt(max(int(s.get("mentions") or 1), 1)))
            keys.append(key)
            hovers.append(
                f"<b>{p['id']} · {ptext(short(c.get('label', ''), 70))}</b><br>{c.get('n')} of {c.get('N')} respondents raise it"
                f" · {s.get('mentions', '?')} statements<br>intensity {num(s.get('intensity')) or 0:.2f} · severity {num(s.get('severity')) or 0:.1f}"
                + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
            )
            marks[key] = {
                "label": f"{p['id']}: {c.get('label', '')}",
                "n": f"{c.get('n')} of {c.get('N')} respondents",
                "href": f"#{c['id']}" if c.get("id") else "#pains",
                "q": q,
            }
        data.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "name": f"{p['id']} {ptext(short(p.get('name', ''), 28))}",
                "x": xs,
                "y": ys,
                "text": texts,
                "textposition": tpos,
                "textfont": {"size": 11, "color": "#1a202c"},
                "customdata": keys,
                "hovertext": hovers,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {
                    "size": sizes,
                    "color": persona_colour(i),
                    "symbol": [
                        "circle",
                        "square",
                        "diamond",
                        "triangle-up",
                        "cross",
                        "x",
                        "star",
                        "hexagon",
                    ][i % 8],
                    "line": {"width": 1, "color": "#ffffff"},
                    "opacity": 0.85,
                },
            }
        )
    import statistics

    ints = [num(x[2]["stats"].get("intensity")) or 0.0 for x in pts]
    lo_y, hi_y = min(ints), max(ints)
    mx = statistics.median([int(x[2].get("n") or 0) for x in pts])
    my = statistics.median([num(x[2]["stats"].get("intensity")) or 0 for x in pts])
    top = ranked[0]
    take = (
        f"Most severe: {top[1]['id']}'s {_pain_name(top[2])}, raised by "
        f"{top[2].get('n')} of {top[2].get('N')} respondents at intensity "
        f"{num(top[2]['stats'].get('intensity')) or 0:.2f}."
    )
    wide_intense = [
        x
        for x in pts
        if int(x[2].get("n") or 0) > mx and (num(x[2]["stats"].get("intensity")) or 0) > my
    ]
    if wide_intense:
        take += f" {len(wide_intense)} pain point{'s' if len(wide_intense) != 1 else ''} sit in the widespread-and-intense corner (top right)."
    layout = base_layout(
        460,
        xaxis={
            "title": {"text": "how many people raise it (respondents)"},
            "rangemode": "tozero",
            "gridcolor": "#edf2f7",
            "automargin": True,
            "range": [0, 1.08 * max(int(x[2].get("n") or 0) for x in pts) + 0.5],
        },
        yaxis={
            "title": {"text": "how intensely (mean emotional intensity, 0-1)"},
            "gridcolor": "#edf2f7",
            "automargin": True,
            "range": [max(0.0, lo_y - 0.08), min(1.0, hi_y + 0.08)] if hi_y > lo_y else [0, 1],
        },
        shapes=[
            {
                "type": "line",
                "x0": mx,
                "x1": mx,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"dash": "dot", "color": "#a0aec0"},
            },
            {
                "type": "line",
                "y0": my,
                "y1": my,
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "line": {"dash": "dot", "color": "#a0aec0"},
            },
        ],
        margin={"l": 10, "r": 20, "t": 36, "b": 40},
        legend={"orientation": "h", "y": -0.18, "x": 0},
    )
    return Chart(
        "chart-pains",
        "Pain points: how many people, how intensely",
        take,
        data,
        layout,
        "#pains",
        "the ranked pain points",
        marks,
        note="Each mark is one pain point of one persona, labelled with the participants' own words (the five most severe and the three most widespread). Marker area = number of statements. Dotted lines = medians.",
        height=460,
    )


def _pain_name(claim: dict[str, Any]) -> str:
    """ "Time and effort (“AI”, “time”)" from a pain claim's label and its participants' words."""
    label = str(claim.get("label", "")).split(" - ")[0].strip()
    words = (claim.get("stats") or {}).get("terms") or []
    said = ", ".join(f"“{w}”" for w in words[:3])
    return f"{label.lower() if label[:1].isupper() and label[1:2].islower() else label}" + (
        f" ({said})" if said else ""
    )


# --- 5. emotions per persona -------------------------------------------------------------------------
def emotions_chart(
    personas: Sequence[dict[str, Any]], pool: QuotePool, groups: Sequence[str]
) -> Chart | None:
    have = [p for p in personas if p.get("emotions")]
    if not have:
        return None
    emos = [
        g
        for g in groups
        if g != "neutral"
        and any(c.get("stats", {}).get("emotion") == g for p in have for c in p["emotions"])
    ]
    if not emos:
        return None
    data: list[dict[str, Any]] = []
    marks: dict[str, dict[str, Any]] = {}
    best: tuple[float, str] | None = None
    for i, p in enumerate(personas):
        rows = {c.get("stats", {}).get("emotion"): c for c in p.get("emotions", [])}
        if not rows:
            continue
        xs, texts, hovers, keys = [], [], [], []
        for g in emos:
            c = rows.get(g)
            s = (c or {}).get("stats", {})
            share = num(s.get("share")) or 0.0
            rest = num(s.get("rest_share"))
            distinct = bool(s.get("distinctive"))
            q = pool.add_all(c.get("quotes"), 5) if c else []
            key = str(c.get("id")) if c and c.get("id") else f"{p['id']}-{g}"
            xs.append(round(share, 4))
            texts.append(f"{pct(share)}{' ★' if distinct else ''}")
            keys.append(key)
            hovers.append(
                f"<b>{p['id']} · {g}</b><br>{s.get('units', '?')} of {s.get('units_total', '?')} statements ({pct(share)})"
                f" vs {pct(rest)} for the rest"
                + (" ★ distinctive" if distinct else "")
                + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
            )
            if c:
                marks[key] = {
                    "label": f"{p['id']}: {g}",
                    "n": f"{c.get('n')} of {c.get('N')} respondents",
                    "href": f"#{c['id']}" if c.get("id") else f"#{p['id']}",
                    "q": q,
                }
            if distinct and rest is not None and (best is None or share - rest > best[0]):
                best = (
                    share - rest,
                    f"{p['id']} express more {g} than the other personas: {pct(share)} of their statements vs {pct(rest)}.",
                )
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{p['id']} {ptext(short(p.get('name', ''), 28))}",
                "y": emos,
                "x": xs,
                "text": texts,
                "textposition": "outside",
                "cliponaxis": False,
                "customdata": keys,
                "hovertext": hovers,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {"color": persona_colour(i)},
            }
        )
    if best is None:
        shares: list[list[float]] = [list(d["x"]) for d in data]
        means = {g: sum(row[j] for row in shares) / len(shares) for j, g in enumerate(emos)}
        g = max(means, key=lambda k: means[k])
        take = f"No persona stands out emotionally; {g} is the most common emotion besides neutral (about {pct(means[g])} of statements)."
    else:
        take = best[1]
    height = max(260, len(emos) * (12 * len(data) + 16) + 80)
    layout = base_layout(
        height,
        barmode="group",
        bargap=0.2,
        xaxis={
            "tickformat": ".0%",
            "title": {"text": "share of the persona's statements"},
            "gridcolor": "#edf2f7",
            "rangemode": "tozero",
        },
        yaxis={"autorange": "reversed", "automargin": True},
        legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        margin={"l": 10, "r": 20, "t": 50, "b": 40},
    )
    return Chart(
        "chart-emotions",
        "Emotions per persona",
        take,
        data,
        layout,
        "#" + have[0]["id"],
        "each persona's “Emotions vs the rest”",
        marks,
        note="Share of each persona's statements whose dominant emotion is this one (neutral left out). ★ = differs from the rest (Benjamini–Hochberg p < 0.05, lift ≥ 1.2).",
        height=height,
    )


# --- 6. distinctive vocabulary per persona ------------------------------------------------------------
def _term_users(text_by_resp: Any, term: str, variants: Sequence[str]) -> set[str]:
    forms = sorted(
        {t.lower() for t in [term, *variants] if t and str(t).strip()}, key=len, reverse=True
    )
    if not forms:
        return set()
    pat = r"(?<!\w)(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)"
    hit = text_by_resp.str.contains(pat, regex=True, na=False)
    return set(text_by_resp.index[hit])


def vocabulary_chart(
    tables: Any, personas: Sequence[dict[str, Any]], pool: QuotePool
) -> Chart | None:
    have = [(i, p) for i, p in enumerate(personas) if p.get("vocabulary")]
    if not have:
        return None
    u = _customer_units(tables)
    seg_of = _segment_of(tables, personas)
    if u is None or not len(u) or not seg_of:
        return None
    u = u[u[S.RESPONDENT_ID].isin(seg_of)]
    text_by_resp = u.groupby(S.RESPONDENT_ID)[S.TEXT].apply(lambda s: " ".join(map(str, s)).lower())
    resp_of = {
        pid: {r for r in text_by_resp.index if seg_of.get(r) == pid}
        for pid in {p["id"] for p in personas}
    }
    all_r = set(text_by_resp.index)
    n = len(have)
    cols = 2 if n > 1 else 1
    nrows = math.ceil(n / cols)
    data: list[dict[str, Any]] = []
    marks: dict[str, dict[str, Any]] = {}
    layout_axes: dict[str, Any] = {}
    annotations = []
    best: tuple[float, str] | None = None
    gap_x, gap_y = 0.16, 0.10
    top_x = 0.05
    w = (1 - gap_x * (cols - 1)) / cols
    h = (1 - gap_y * (nrows - 1)) / nrows
    for k, (i, p) in enumerate(have):
        terms = p["vocabulary"][:MAX_TERMS]
        mine_r = resp_of.get(p["id"], set())
        rest_r = all_r - mine_r
        ax = "" if k == 0 else str(k + 1)
        col, row = k % cols, k // cols
        x0 = col * (w + gap_x)
        y1 = 1 - row * (h + gap_y)
        ys, mine_x, rest_x, hovers, keys = [], [], [], [], []
        for c in terms:
            s = c.get("stats", {})
            users = _term_users(text_by_resp, str(c.get("label", "")), s.get("variants") or [])
            a = len(users & mine_r) / len(mine_r) if mine_r else 0.0
            b = len(users & rest_r) / len(rest_r) if rest_r else 0.0
            q = pool.add_all(c.get("quotes"), 5)
            key = str(c.get("id") or f"{p['id']}-{c.get('label')}")
            ys.append(ptext(short(c.get("label", ""), 24)))
            mine_x.append(round(a, 4))
            rest_x.append(round(b, 4))
            keys.append(key)
            hovers.append(
                f"<b>“{ptext(c.get('label', ''))}”</b><br>{len(users & mine_r)} of {len(mine_r)} {p['id']} respondents ({pct(a)})"
                f" vs {len(users & rest_r)} of {len(rest_r)} others ({pct(b)})"
                + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
            )
            marks[key] = {
                "label": f"{p['id']} say “{c.get('label', '')}”",
                "n": f"{c.get('n')} of {c.get('N')} respondents",
                "href": f"#{c['id']}" if c.get("id") else f"#{p['id']}",
                "q": q,
            }
            gap = a - b
            if best is None or gap > best[0]:
                best = (
                    gap,
                    f"{p['id']}'s most telling word is “{c.get('label', '')}”: used by {pct(a)} of them vs {pct(b)} of everyone else.",
                )
        colour = persona_colour(i)
        xa, ya = f"x{ax}", f"y{ax}"
        # dumbbell: a grey line from "others" to "this persona"
        lx, ly = [], []
        for yy, a, b in zip(ys, mine_x, rest_x, strict=True):
            lx += [b, a, None]
            ly += [yy, yy, None]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": lx,
                "y": ly,
                "xaxis": xa,
                "yaxis": ya,
                "line": {"color": "#cbd5e0", "width": 3},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "everyone else",
                "x": rest_x,
                "y": ys,
                "xaxis": xa,
                "yaxis": ya,
                "marker": {"color": "#ffffff", "size": 9, "line": {"color": "#5a6577", "width": 2}},
                "customdata": keys,
                "hovertext": hovers,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "showlegend": k == 0,
                "legendgroup": "rest",
            }
        )
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{p['id']}",
                "x": mine_x,
                "y": ys,
                "xaxis": xa,
                "yaxis": ya,
                "marker": {"color": colour, "size": 11},
                "customdata": keys,
                "hovertext": hovers,
                "hovertemplate": "%{hovertext}<extra></extra>",
                "showlegend": False,
            }
        )
        layout_axes[f"xaxis{ax}"] = {
            "domain": [x0, x0 + w],
            "anchor": ya,
            "tickformat": ".0%",
            "rangemode": "tozero",
            "gridcolor": "#edf2f7",
        }
        top_x = max([top_x, *mine_x, *rest_x])
        layout_axes[f"yaxis{ax}"] = {
            "domain": [max(y1 - h, 0), y1],
            "anchor": xa,
            "autorange": "reversed",
            "automargin": True,
        }
        annotations.append(
            {
                "text": f"<b>{p['id']}</b> {ptext(short(p.get('name', ''), 34))}",
                "x": x0,
                "y": y1,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": colour, "size": 12},
            }
        )
    for name, axis in layout_axes.items():
        if name.startswith("xaxis"):
            axis["range"] = [0, min(1.0, 1.08 * top_x)]
    height = nrows * (24 * MAX_TERMS + 70) + 40
    layout = base_layout(
        height,
        annotations=annotations,
        margin={"l": 10, "r": 20, "t": 40, "b": 30},
        showlegend=False,
        **layout_axes,
    )
    take = best[1] if best else "No distinctive terms."
    return Chart(
        "chart-vocabulary",
        "The words each persona uses",
        take,
        data,
        layout,
        "#" + have[0][1]["id"],
        "each persona's “Their words”",
        marks,
        note="Coloured dot: share of the persona's respondents who use the term (or a variant); hollow dot: share of everyone else. Terms are the persona's most distinctive (vocabulary z-score). Click a term for its quotes.",
        height=height,
    )


# --- 7. change between batches / over time -----------------------------------------------------------
def _periods(m: Any) -> tuple[Any, str] | None:
    """A period label per row (date -> week/month/quarter, else batch), and what it is."""
    import pandas as pd

    # dates win when at least 30 statements carry one (e.g. the reviews of a mixed study)
    if S.DATE in m and int(m[S.DATE].notna().sum()) >= MIN_DATED:
        d = pd.to_datetime(m[S.DATE], errors="coerce", utc=True).dt.tz_localize(None)
        valid = d.dropna()
        if len(valid) and valid.nunique() > 1:
            span = (valid.max() - valid.min()).days
            freq, what = (
                ("W", "week")
                if span <= 62
                else (("M", "month") if span <= 730 else ("Q", "quarter"))
            )
            per = d.dt.to_period(freq).astype(str).where(d.notna(), None)
            if per.dropna().nunique() >= 2:
                return per, what
    if S.BATCH_ID in m and m[S.BATCH_ID].dropna().astype(str).nunique() >= 2:
        return m[S.BATCH_ID].astype(str).where(m[S.BATCH_ID].notna(), None), "batch"
    return None


def _period_heatmap(
    ylab: list[str],
    periods: list[str],
    z: list[list[float]],
    hovers: list[list[str]],
    keys: list[list[str]],
    what: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (themes or pain types) x periods, coloured by share of the period's statements."""
    show_text = len(periods) <= 12
    trace: dict[str, Any] = {
        "type": "heatmap",
        "x": [ptext(p) for p in periods],
        "y": ylab,
        "z": z,
        "customdata": keys,
        "hovertext": hovers,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "colorscale": SEQUENTIAL,
        "zmin": 0,
        "xgap": 1,
        "ygap": 2,
        "colorbar": {
            "title": {"text": "share of<br>statements"},
            "tickformat": ".0%",
            "thickness": 12,
        },
    }
    if show_text:
        trace["text"] = [[f"{100 * v:.0f}%" for v in row] for row in z]
        trace["texttemplate"] = "%{text}"
    height = max(200, 28 * len(ylab) + 110)
    layout = base_layout(
        height,
        xaxis={"type": "category", "title": {"text": what}, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 36, "b": 40},
    )
    return [trace], layout


def _biggest_peak(
    topics: Sequence[str], periods: Sequence[str], counts: Any, n_per: Any
) -> tuple[str, str, float, float, float] | None:
    """The (topic, period) whose share stands out most from the topic's other periods,
    when significant after Benjamini-Hochberg over every (topic, period) pair."""
    total = int(sum(int(n_per[p]) for p in periods))
    cells = []
    for t in topics:
        k_all = int(sum(int(counts.get((t, p), 0)) for p in periods))
        for p in periods:
            k1, n1 = int(counts.get((t, p), 0)), int(n_per[p])
            k2, n2 = k_all - k1, total - n1
            if n2 <= 0:
                continue
            cells.append((t, p, k1 / n1, k2 / n2, _two_prop_p(k1, n1, k2, n2)))
    if not cells:
        return None
    padj = _bh([c[-1] for c in cells])
    sig = [(c, pa) for c, pa in zip(cells, padj, strict=True) if pa < ALPHA and c[2] > c[3]]
    if not sig:
        return None
    (t, p, s1, s0, _p), pa = max(sig, key=lambda x: x[0][2] - x[0][3])
    return t, p, s1, s0, pa


def change_chart(tables: Any, pool: QuotePool) -> Chart | None:
    m = _unit_topics(tables)
    if m is None or m.empty:
        return None
    got = _periods(m)
    if got is None:
        return None
    per, what = got
    n_all = len(m)
    m = m.assign(period=per).dropna(subset=["period"])
    n_per = m.groupby("period").size()
    periods = [p for p in sorted(n_per.index) if n_per[p] >= 10]
    if len(periods) < 2:
        return None
    m = m[m["period"].isin(periods)]
    labels = _topic_labels(tables.topics)
    last = periods[-1]
    per_topic = m.groupby(S.TOPIC).size().sort_values(ascending=False)
    counts = m.groupby([S.TOPIC, "period"]).size()
    n_last = int(n_per[last])
    n_before = int(sum(n_per[p] for p in periods[:-1]))
    tests = []
    for t in per_topic.index:
        k1 = int(counts.get((t, last), 0))
        k2 = int(per_topic[t]) - k1
        tests.append((t, k1, k2, _two_prop_p(k1, n_last, k2, n_before)))
    padj = _bh([x[-1] for x in tests])
    emerging = []
    for (t, k1, k2, _p), pa in zip(tests, padj, strict=True):
        s1, s0 = k1 / n_last, k2 / n_before if n_before else 0.0
        # emerging: at a new high, and well above the earlier average (not a dip recovered)
        high = max(int(counts.get((t, p), 0)) / int(n_per[p]) for p in periods[:-1])
        if pa < ALPHA and s1 > s0 and s1 > high and (s0 == 0 or s1 / s0 >= EMERGING_LIFT):
            emerging.append((t, s1, s0, pa))
    shown = list(dict.fromkeys([e[0] for e in emerging] + list(per_topic.index[:8])))[:10]
    em = {e[0]: e for e in emerging}
    marks: dict[str, dict[str, Any]] = {}
    ylab: list[str] = []
    z: list[list[float]] = []
    zh: list[list[str]] = []
    zk: list[list[str]] = []
    units_by = m.groupby([S.TOPIC, "period"])[S.UNIT_ID].apply(list)
    for t in shown:
        ys, hovers, keys = [], [], []
        for p in periods:
            k = int(counts.get((t, p), 0))
            share = k / int(n_per[p])
            key = f"{t}|{p}"
            q = _quotes_for_units(tables, pool, units_by.get((t, p), []), 3)
            ys.append(round(share, 4))
            keys.append(key)
            hovers.append(
                f"<b>{ptext(short(labels.get(t, t), 60))}</b> · {ptext(p)}<br>{k} of {int(n_per[p])} statements ({pct(share)})"
                + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
            )
            marks[key] = {
                "label": f"“{labels.get(t, t)}” in {p}",
                "n": f"{k} of {int(n_per[p])} statements",
                "href": f"#topic-{t}",
                "q": q,
            }
        is_em = t in em
        ylab.append(("▲ emerging: " if is_em else "") + ptext(short(labels.get(t, t), 36)))
        z.append(ys)
        zh.append(hovers)
        zk.append(keys)
    data, layout = _period_heatmap(ylab, periods, z, zh, zk, what)
    if emerging:
        t, s1, s0, pa = max(emerging, key=lambda e: e[1] - e[2])
        take = (
            f"Emerging in {last}: “{short(labels.get(t, t), 60)}” — {pct(s1)} of statements vs {pct(s0)} "
            f"in earlier {what}s (p(BH) {fmt_p(pa)})."
            + (
                f" {len(emerging) - 1} more theme{'s' if len(emerging) != 2 else ''} also rose."
                if len(emerging) > 1
                else ""
            )
        )
    else:
        take = f"No theme rose significantly in the latest {what} ({last}) compared with the {len(periods) - 1} before it."
        peak = _biggest_peak(per_topic.index, periods, counts, n_per)
        if peak is not None:
            t, p, s1, s0, pa = peak
            take += (
                f" The biggest swing: “{short(labels.get(t, t), 60)}” peaked at {pct(s1)} of "
                f"statements in {p} vs {pct(s0)} in other {what}s (p(BH) {fmt_p(pa)})."
            )
    return Chart(
        "chart-change",
        f"How themes change by {what}",
        take,
        data,
        layout,
        "#topics",
        "the topic table",
        marks,
        note=f"Share of each {what}'s statements in each theme ({int(n_per.sum())} of {n_all} themed statements carry a {what}; {what}s with at least 10 statements). ▲ emerging = in the latest {what} more common than in any earlier {what} and than their average (Benjamini–Hochberg p < 0.05, at least ×{EMERGING_LIFT}).",
        height=layout["height"],
    )


def pain_change_chart(tables: Any, pool: QuotePool) -> Chart | None:
    """Share of statements that are pain points, per pain type, per period or batch."""
    u = _customer_units(tables)
    ann = tables.annotations
    if u is None or not len(u) or ann is None or not len(ann) or S.PAIN_POINT not in ann:
        return None
    a = ann[[c for c in (S.UNIT_ID, S.PAIN_POINT, S.PAIN_POINT_TYPE) if c in ann]].copy()
    a[S.UNIT_ID] = a[S.UNIT_ID].astype(str)
    m = u.merge(a, on=S.UNIT_ID)
    got = _periods(m)
    if got is None:
        return None
    per, what = got
    n_all = len(m)
    m = m.assign(period=per).dropna(subset=["period"])
    n_per = m.groupby("period").size()
    periods = [p for p in sorted(n_per.index) if n_per[p] >= 10]
    if len(periods) < 2:
        return None
    m = m[m["period"].isin(periods)]
    from insight.personas import pain_label

    pains = m[m[S.PAIN_POINT].fillna(0).astype(float) > 0]
    if pains.empty:
        return None
    typ = (
        pains[S.PAIN_POINT_TYPE].fillna("other").astype(str) if S.PAIN_POINT_TYPE in pains else None
    )
    pains = pains.assign(ptype=typ if typ is not None else "pain point")
    top = pains["ptype"].value_counts().index[:6]
    counts = pains.groupby(["ptype", "period"]).size()
    units_by = pains.groupby(["ptype", "period"])[S.UNIT_ID].apply(list)
    marks: dict[str, dict[str, Any]] = {}
    ylab: list[str] = []
    z: list[list[float]] = []
    zh: list[list[str]] = []
    zk: list[list[str]] = []
    rises = []
    for t in top:
        ys, hovers, keys = [], [], []
        for p in periods:
            k = int(counts.get((t, p), 0))
            share = k / int(n_per[p])
            key = f"pain-{t}|{p}"
            q = _quotes_for_units(tables, pool, units_by.get((t, p), []), 3)
            ys.append(round(share, 4))
            keys.append(key)
            hovers.append(
                f"<b>{ptext(pain_label(t))}</b> · {ptext(p)}<br>{k} of {int(n_per[p])} statements ({pct(share)})"
                + (f"<br><i>“{wrap(pool.first_text(q))}”</i>" if q else "")
            )
            marks[key] = {
                "label": f"{pain_label(t)} in {p}",
                "n": f"{k} of {int(n_per[p])} statements",
                "href": "#pains",
                "q": q,
            }
        rises.append((ys[-1] - sum(ys[:-1]) / max(len(ys) - 1, 1), t, ys[-1]))
        ylab.append(ptext(pain_label(t)))
        z.append(ys)
        zh.append(hovers)
        zk.append(keys)
    data, layout = _period_heatmap(ylab, periods, z, zh, zk, what)
    d, t, last_share = max(rises)
    take = (
        f"{pain_label(t)} changed most in {periods[-1]}: {pct(last_share)} of statements, "
        f"{'up' if d >= 0 else 'down'} {abs(100 * d):.0f} points on the earlier average."
    )
    return Chart(
        "chart-pain-change",
        f"Pain points by {what}",
        take,
        data,
        layout,
        "#pains",
        "the ranked pain points",
        marks,
        note=f"Share of each {what}'s statements that raise each kind of pain point (the six most common; {int(n_per.sum())} of {n_all} statements carry a {what}).",
        height=layout["height"],
    )


# --- all charts -----------------------------------------------------------------------------------
def build_charts(
    tables: Any,
    personas: Sequence[dict[str, Any]],
    item_text: dict[str, str],
    n_resp: int,
    run_info: dict[str, Any] | None = None,
) -> tuple[dict[str, Chart], QuotePool]:
    """Every chart the data supports, keyed by name; a chart that fails is left out, not the report."""
    import logging

    from insight.personas import EKMAN_GROUPS

    pool = QuotePool()
    makers = {
        "sizes": lambda: sizes_chart(personas, pool, n_resp, (run_info or {}).get("segmentation")),
        "attitudes": lambda: attitudes_chart(tables, personas, item_text, pool),
        "themes": lambda: themes_chart(tables, personas, pool),
        "hierarchy": lambda: hierarchy_chart(tables, pool),
        "pains": lambda: pains_chart(personas, pool),
        "emotions": lambda: emotions_chart(personas, pool, EKMAN_GROUPS),
        "vocabulary": lambda: vocabulary_chart(tables, personas, pool),
        "change": lambda: change_chart(tables, pool),
        "pain_change": lambda: pain_change_chart(tables, pool),
    }
    charts: dict[str, Chart] = {}
    for name, make in makers.items():
        try:
            c = make()
        except Exception as e:
            logging.getLogger(__name__).warning("report chart %s left out: %s", name, e)
            c = None
        if c is not None:
            charts[name] = c
    return charts, pool


def plotly_js() -> str:
    """plotly.min.js from the installed ``plotly`` package (embedded once, never fetched)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        from insight.errors import InsightError

        raise InsightError(
            "the report's charts need the plotly package (its plotly.min.js is embedded in report.html)",
            fix="pip install plotly",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    js = path.read_text(encoding="utf-8")
    # an inline <script> must not contain its own end tag
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
