"""Persona sizes (with stability) and attitude items as diverging stacked bars."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from insight import schema as S
from insight.report.charts.common import (
    ALPHA,
    DIVERGING,
    LOW_STABILITY,
    MAX_ITEMS,
    Chart,
    QuotePool,
    _segment_of,
    add_mark,
    base_layout,
    persona_colour,
    quote_line,
)
from insight.report.charts.text import fmt_p, num, pct, ptext, short, wrap


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
            add_mark(
                marks,
                pool,
                p["id"],
                q,
                hover=f"<b>{p['id']} {ptext(p.get('name', ''))}</b><br>{size} of {total} segmented respondents"
                f"<br>bootstrap Jaccard {stab_txt}",
                label=f"{p['id']} {p.get('name', '')}: quotes typical of the persona",
                n=f"{size} of {total} respondents",
                href=f"#{p['id']}",
            )
        )
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
    from insight.segment.profiles import item_direction

    # which end agrees, per item (its labels or `reverse:` say; bare numbers do not): an
    # item whose low numbers are the agreeing / better end is drawn flipped, so the right
    # side is always the agreeing / more favourable one
    ways = {it: item_direction(tables.columns, it) for it, _v, _s in row_plan}
    words = {it: _side_words(tables.columns, it, ways[it]) for it in ways}
    lo_word, hi_word = _axis_words(list(words.values()))
    # all items share one colour ramp: the first scale decides the level names
    _lo0, _hi0, labels0 = scales[0]
    first = row_plan[0][0]
    flip0 = ways[first] == -1
    both_ways = len({ways[it] == -1 for it in ways}) > 1
    n_lv = max_levels
    ramp = _ramp(n_lv)
    for lv in range(n_lv):
        level_x[lv], level_hover[lv], level_keys[lv] = [], [], []
    sig_rows: list[tuple[str, str, float, float | None]] = []
    for it, vals, (lo, hi, _labels) in row_plan:
        levels = hi - lo + 1
        mid = (lo + hi) / 2
        text = item_text.get(it, it)
        way = ways[it]
        flip = way == -1
        row_hi = words[it][1]
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
            agree = int(((v < mid) if flip else (v > mid)).sum())
            stat = (
                ""
                if d is None
                else f"<br>d = {d:+.2f} vs the rest, p(BH) {fmt_p(pa)}{' ★' if sig else ''}"
            )
            snippet = quote_line(pool, q)
            for lv in range(n_lv):
                value = hi - lv if flip else lo + lv
                k = int((v == value).sum()) if lv < levels else 0
                share = k / n if n else 0.0
                # the middle answer of an odd scale straddles zero: half each side
                if levels % 2 == 1 and value == mid:
                    x = share / 2
                else:
                    x = share if (value > mid) != flip else -share
                level_x[lv].append(round(x, 4))
                name = _level_name(
                    value - lo, levels, _labels, agree_words=way == 1 and row_hi == "agree"
                )
                level_hover[lv].append(
                    f"<b>{p['id']} · {ptext(short(text, 70))}</b><br>{ptext(name)}: {k} of {n} ({pct(share)})"
                    f"<br>{row_hi} side: {agree} of {n}{stat}{snippet}"
                )
                level_keys[lv].append(key)
            marks[key] = {
                "label": f"{p['id']} on “{short(text, 90)}”",
                "n": f"{agree} of {n} on the {row_hi} side",
                "href": f"#{claim['id']}" if claim and claim.get("id") else "#profiles",
                "q": q,
            }
            if sig and d is not None and (best is None or abs(d) > best[0]):
                rest = vals.drop(index=members, errors="ignore").dropna().round()
                r_agree = ((rest < mid) if flip else (rest > mid)).mean() if len(rest) else None
                best = (
                    abs(d),
                    f"Clearest difference: {p['id']} {_stance(d, way, words[it][1] == 'agree')} "
                    f"“{short(text, 80)}” ({pct(agree / n if n else None)} on the {row_hi} side vs "
                    f"{pct(num(r_agree))} of everyone else; d = {d:+.2f}, p(BH) {fmt_p(pa)}).",
                )
    data: list[dict[str, Any]] = []
    for lv in range(n_lv):
        if both_ways:  # rows drawn both ways: the legend names positions, not labels
            name = f"answer {lv + 1} of {n_lv} from the {lo_word} end"
        else:
            name = _level_name(
                n_lv - 1 - lv if flip0 else lv,
                n_lv,
                labels0 if len(labels0) == n_lv else [],
                agree_words=ways[first] == 1 and words[first][1] == "agree",
            )
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
            "title": {"text": f"← {lo_word} · share of the persona's respondents · {hi_word} →"},
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


def _stance(d: float, way: int | None, agreement: bool = True) -> str:
    """ "agree more with" / "agree less with" on an agreement scale, "answer more / less
    favourably on" on another scale whose better end is known (FFT: 1 = Very good), else
    "score higher on" / "score lower on" (bare numbers: PSSUQ's 1 = strongly agree)."""
    if way is None:
        return "score higher on" if d > 0 else "score lower on"
    more = (d > 0) == (way > 0)
    if agreement:
        return "agree more with" if more else "agree less with"
    return "answer more favourably on" if more else "answer less favourably on"


def _side_words(columns: Any, item: str, way: int | None) -> tuple[str, str]:
    """The words for an item's two ends as drawn (agreeing / better end on the right):
    disagree/agree on an agreement scale, less/more favourable on another labelled scale,
    lower/higher for bare numbers."""
    if way is None:
        return ("lower", "higher")
    labels = ""
    if columns is not None and len(columns) and S.COL_NAME in columns:
        row = columns[columns[S.COL_NAME].astype(str) == str(item)]
        labels = str(row.iloc[0].get("labels") or "") if len(row) else ""
    if "agree" in labels.lower():
        return ("disagree", "agree")
    return ("less favourable", "more favourable")


def _axis_words(words: list[tuple[str, str]]) -> tuple[str, str]:
    """One pair for the shared axis: the items' own words when they all agree on them."""
    if len(set(words)) == 1:
        return words[0]
    if ("lower", "higher") in words:
        return ("lower / less favourable", "higher / more favourable")
    return ("less favourable", "more favourable")


def _level_name(lv: int, levels: int, labels: list[str], agree_words: bool = True) -> str:
    if labels and lv < len(labels):
        return f"{lv + 1} {labels[lv]}"
    if levels == 5 and agree_words:
        return ["1 strongly disagree", "2 disagree", "3 neutral", "4 agree", "5 strongly agree"][lv]
    return f"answer {lv + 1} of {levels}"
