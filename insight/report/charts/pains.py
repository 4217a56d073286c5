"""Pain points (how many people x how intense) and emotions per persona."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from insight.report.charts.common import (
    PAIN_RANKING,
    Chart,
    QuotePool,
    add_claim_mark,
    base_layout,
    persona_colour,
    quote_line,
)
from insight.report.charts.text import num, pct, ptext, short


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
            key, hover = add_claim_mark(
                marks,
                pool,
                c,
                f"{p['id']}-{s.get('key')}",
                hover=(
                    f"<b>{p['id']} · {ptext(short(c.get('label', ''), 70))}</b><br>{c.get('n')} of {c.get('N')} respondents raise it"
                    f" · {s.get('mentions', '?')} statements<br>intensity {num(s.get('intensity')) or 0:.2f} · severity {num(s.get('severity')) or 0:.1f}"
                ),
                label=f"{p['id']}: {c.get('label', '')}",
                href="#pains",
            )
            xs.append(int(c.get("n") or 0))
            ys.append(round(num(s.get("intensity")) or 0.0, 3))
            texts.append(ptext(short(said, 36)) if id(c) in labelled else "")
            # alternate labels above and below so neighbours do not print over each other
            tpos.append("bottom center" if labelled.get(id(c), 0) % 2 else "top center")
            sizes.append(8 + 4 * math.sqrt(max(int(s.get("mentions") or 1), 1)))
            keys.append(key)
            hovers.append(hover)
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
        *PAIN_RANKING,
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
                + quote_line(pool, q)
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
