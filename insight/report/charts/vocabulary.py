"""Distinctive vocabulary per persona."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from insight import schema as S
from insight.report.charts.common import (
    MAX_TERMS,
    Chart,
    QuotePool,
    _customer_units,
    _segment_of,
    add_claim_mark,
    base_layout,
    persona_colour,
)
from insight.report.charts.text import pct, ptext, short


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
            key, hover = add_claim_mark(
                marks,
                pool,
                c,
                f"{p['id']}-{c.get('label')}",
                hover=(
                    f"<b>“{ptext(c.get('label', ''))}”</b><br>{len(users & mine_r)} of {len(mine_r)} {p['id']} respondents ({pct(a)})"
                    f" vs {len(users & rest_r)} of {len(rest_r)} others ({pct(b)})"
                ),
                label=f"{p['id']} say “{c.get('label', '')}”",
                href=f"#{p['id']}",
            )
            ys.append(ptext(short(c.get("label", ""), 24)))
            mine_x.append(round(a, 4))
            rest_x.append(round(b, 4))
            keys.append(key)
            hovers.append(hover)
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
