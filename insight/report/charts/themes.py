"""Themes by persona (heat map) and the theme hierarchy (sunburst)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from insight import schema as S
from insight.report.charts.common import (
    ALPHA,
    MAX_THEMES,
    MAX_WHEEL_THEMES,
    OKABE_ITO,
    SEQUENTIAL,
    TOPIC_TABLE,
    Chart,
    QuotePool,
    _bh,
    _norm_id,
    _quotes_for_units,
    _segment_of,
    _topic_labels,
    _two_prop_p,
    _unit_topics,
    add_mark,
    base_layout,
    quote_line,
    redact_text,
    warm_redaction,
)
from insight.report.charts.text import fmt_p, num, pct, ptext, short, wrap


# --- 3. themes by persona, and the theme hierarchy ---------------------------------------------------
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
                add_mark(
                    marks,
                    pool,
                    key,
                    q,
                    hover=(
                        f"<b>{pid} · {ptext(short(labels.get(t, t), 60))}</b><br>{k} of {n1} statements ({pct(share)})"
                        f" vs {pct(rest)} of other personas' · p(BH) {fmt_p(pa)}"
                    ),
                    label=f"{pid} on “{labels.get(t, t)}”",
                    n=f"{k} of {n1} statements",
                    href=f"#topic-{t}",
                )
            )
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
        *TOPIC_TABLE,
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
    labels_and_notes = [*(top[lab_col].astype(str) if lab_col else [])]
    warm_redaction([*labels_and_notes, *top.get("description", [])])
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
            + quote_line(pool, q)
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
        *TOPIC_TABLE,
        marks,
        note="Inner ring: themes; outer ring: sub-themes; angle = number of statements. Click a theme to zoom in and list its quotes."
        + (
            f" The {MAX_WHEEL_THEMES} largest themes are shown; {dropped} smaller ones share one slice."
            if dropped
            else ""
        ),
        height=520,
    )
