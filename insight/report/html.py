"""report.html: one self-contained page (inline CSS and JS, plotly.js embedded once, no URLs).

All user text goes through Jinja2 autoescaping; the JSON embedded for the quote search
and the charts has every ``<``, ``>`` and ``&`` written as a ``\\u`` escape, so no
``</script>`` or ``<!--`` can end the script block. Chart labels and hover text are
HTML-escaped before they reach Plotly (see :mod:`insight.report.charts`).

:func:`rerender_report` rebuilds report.html from a study folder's store without
re-running the pipeline.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.personas import (
    EKMAN_GROUPS,
    Persona,
    StudyTables,
    as_list,
    evidence_quotes,
    item_wordings,
)
from insight.report.exports import (
    claim_detail,
    persona_of_segment,
    profile_rows,
    redact_shown,
    redacted_personas,
)

EMOTION_COLOURS = {
    "anger": "#c0392b",
    "disgust": "#7d6608",
    "fear": "#6c3483",
    "joy": "#d4a017",
    "sadness": "#2e6da4",
    "surprise": "#16a085",
    "neutral": "#95a5a6",
}

#: The persona fields that hold lists of claims (each with its quotes).
CLAIM_SECTIONS = (
    "attitudes",
    "demographics",
    "behaviour",
    "pain_points",
    "goals",
    "emotions",
    "vocabulary",
    "topics",
)


def safe_json(obj: Any) -> str:
    """JSON that is safe inside <script type="application/json">."""
    text = json.dumps(obj, ensure_ascii=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _esc(text: Any) -> str:
    from markupsafe import escape

    return str(escape(str(text)))


def fmt_p(p: Any) -> str:
    """'< 0.001' or '= 0.012'."""
    v = _num(p)
    if v is None:
        return "= ?"
    return "< 0.001" if v < 0.001 else f"= {v:.2g}" if v < 0.1 else f"= {v:.2f}"


def _num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


# --- charts (inline SVG) -----------------------------------------------------------------
def emotion_chart(claims: Sequence[dict[str, Any]]) -> str:
    """Horizontal bars: the persona's share of units per Ekman emotion, a tick for the rest."""
    rows = {c["stats"].get("emotion"): c for c in claims}
    groups = [g for g in EKMAN_GROUPS if g in rows]
    if not groups:
        return ""
    top = max(
        max(_num(rows[g]["stats"].get("share")) or 0, _num(rows[g]["stats"].get("rest_share")) or 0)
        for g in groups
    )
    top = max(top, 0.05)
    w, lab, bar_w, rh = 380, 70, 250, 22
    h = rh * len(groups) + 26
    out = [
        f'<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        f'aria-label="Emotions: share of this persona\'s units per emotion versus the rest">'
    ]
    for i, g in enumerate(groups):
        s = rows[g]["stats"]
        share, rest = _num(s.get("share")) or 0.0, _num(s.get("rest_share"))
        y = i * rh + 4
        bw = bar_w * share / top
        colour = EMOTION_COLOURS.get(g, "#888")
        weight = "700" if s.get("distinctive") else "400"
        out.append(
            f'<text x="{lab - 6}" y="{y + 13}" text-anchor="end" font-weight="{weight}">{_esc(g)}</text>'
        )
        out.append(
            f'<rect x="{lab}" y="{y + 2}" width="{bw:.1f}" height="14" rx="2" fill="{colour}"><title>{_esc(g)}: {share:.0%} of units (rest {"?" if rest is None else f"{rest:.0%}"})</title></rect>'
        )
        if rest is not None:
            rx = lab + bar_w * rest / top
            out.append(
                f'<line x1="{rx:.1f}" x2="{rx:.1f}" y1="{y}" y2="{y + 18}" stroke="#222" stroke-width="2"/>'
            )
        out.append(f'<text x="{lab + bw + 4:.1f}" y="{y + 13}" class="val">{share:.0%}</text>')
    y = rh * len(groups) + 16
    out.append(
        f'<text x="{lab}" y="{y}" class="note">bar = this persona · | = all other personas · bold = differs</text>'
    )
    out.append("</svg>")
    return "".join(out)


def bar(value: float | None, top: float, colour: str = "#2c7a7b", width: int = 120) -> str:
    v = _num(value) or 0.0
    bw = 0 if top <= 0 else width * min(v / top, 1.0)
    return (
        f'<svg class="bar" viewBox="0 0 {width} 10" width="{width}" height="10" aria-hidden="true">'
        f'<rect width="{width}" height="10" rx="2" fill="#edf2f7"/>'
        f'<rect width="{bw:.1f}" height="10" rx="2" fill="{colour}"/></svg>'
    )


def _heat_colour(d: float | None) -> tuple[str, str]:
    """Diverging colour for Cohen's d: blue below the rest, orange above."""
    if d is None:
        return "#f7fafc", "#222"
    t = min(abs(d) / 1.5, 1.0)
    base = (192, 86, 33) if d > 0 else (43, 108, 176)
    r, g, b = (round(255 + (c - 255) * t) for c in base)
    return f"rgb({r},{g},{b})", ("#fff" if t > 0.55 else "#1a202c")


def heatmap(
    tables: StudyTables, personas: Sequence[Persona], item_text: dict[str, str]
) -> dict[str, Any] | None:
    prof = tables.segment_profiles
    if prof is None or prof.empty:
        return None
    bys = persona_of_segment(personas)
    items = list(dict.fromkeys(prof["item"].astype(str)))
    cols = [p for p in personas]
    rows = []
    for it in items:
        cells: list[dict[str, Any]] = []
        for p in cols:
            r = prof[
                (prof["item"].astype(str) == it) & (prof[S.SEGMENT].astype(str) == str(p.segment))
            ]
            if r.empty:
                cells.append({"text": "", "bg": "#f7fafc", "fg": "#222", "title": ""})
                continue
            mean, d, pa = _num(r["mean"].iloc[0]), _num(r["d"].iloc[0]), _num(r["p_adj"].iloc[0])
            bg, fg = _heat_colour(d)
            sig = pa is not None and pa < 0.05
            cells.append(
                {
                    "text": "" if mean is None else f"{mean:.1f}",
                    "bg": bg,
                    "fg": fg,
                    "sig": sig,
                    "title": f"{p.name}: mean {'' if mean is None else f'{mean:.2f}'}, d = {'' if d is None else f'{d:+.2f}'}, p(BH) {fmt_p(pa)}",
                }
            )
        rows.append({"item": it, "text": item_text.get(it, it), "cells": cells})
    del bys
    return {"personas": cols, "rows": rows}


# --- page data -----------------------------------------------------------------------------
def _accounting(tables: StudyTables, run_info: dict[str, Any]) -> list[dict[str, Any]]:
    wanted = [
        ("source", "file"),
        ("source_type", "type"),
        ("rows_read", "read"),
        ("rows_with_units", "with units"),
        ("skipped_empty", "empty"),
        ("skipped_non_answer", "non-answer"),
        ("skipped_duplicate", "duplicate"),
        ("skipped_unparseable", "unparseable"),
        ("skipped_observer_note", "observer note"),
        ("respondents", "respondents"),
        ("units", "units"),
        ("participant_units", "participant units"),
        ("interviewer_units", "interviewer units"),
        ("language", "language"),
    ]
    recs = run_info.get("inputs") or run_info.get("files")
    if not (isinstance(recs, list) and recs and isinstance(recs[0], dict)):
        f = tables.files
        recs = f.to_dict(orient="records") if f is not None and len(f) else []
    out = []
    for r in recs:
        out.append({label: r.get(key, "") for key, label in wanted if any(key in x for x in recs)})
    return out


def _topics(tables: StudyTables, personas: Sequence[Persona]) -> list[dict[str, Any]]:

    top = tables.topics
    if top is None or top.empty:
        return []
    ta = tables.topic_assignments
    prevalence: dict[str, dict[str, float]] = {}
    overall: dict[str, float] = {}
    if ta is not None and len(ta) and tables.segments is not None and len(tables.segments):
        u = tables.units[[S.UNIT_ID, S.RESPONDENT_ID, S.SPEAKER_ROLE]].copy()
        u = u[u[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER]
        u[S.UNIT_ID] = u[S.UNIT_ID].astype(str)
        u[S.RESPONDENT_ID] = u[S.RESPONDENT_ID].astype(str)
        t = ta[[S.UNIT_ID, S.TOPIC]].copy()
        t[S.UNIT_ID] = t[S.UNIT_ID].astype(str)
        seg = tables.segments[[S.RESPONDENT_ID, S.SEGMENT]].copy()
        seg[S.RESPONDENT_ID] = seg[S.RESPONDENT_ID].astype(str)
        m = u.merge(t, on=S.UNIT_ID).merge(seg, on=S.RESPONDENT_ID)
        overall = (m[S.TOPIC].astype(str).value_counts() / max(len(m), 1)).to_dict()
        for p in personas:
            mine = m[m[S.SEGMENT].astype(str) == str(p.segment)]
            counts = mine[S.TOPIC].astype(str).value_counts()
            prevalence[p.id] = {k: v / max(len(mine), 1) for k, v in counts.items()}
    rows = []
    for _, r in top.iterrows():
        tid = r[S.TOPIC]
        if _num(tid) is not None and int(float(tid)) == S.UNASSIGNED_TOPIC:
            continue
        qids = as_list(r.get("quotes")) or as_list(r.get("unit_ids"))
        shares = [prevalence.get(p.id, {}).get(str(tid), 0.0) for p in personas]
        base = overall.get(str(tid), 0.0)
        # colour by lift over the topic's share among all segmented statements (log2 scale)
        lifts = [
            math.log2(s / base) if s > 0 and base > 0 else (-1.5 if base > 0 else None)
            for s in shares
        ]
        rows.append(
            {
                "id": str(tid),
                "label": str(r.get("label", r.get(S.TOPIC_LABEL, f"Topic {tid}"))),
                "size": r.get("size"),
                "respondents": r.get("respondents"),
                "share": _num(r.get("share")),
                "sentiment": _num(r.get("mean_sentiment")),
                "pain": _num(r.get("pain_point_rate")),
                "emotions": r.get("top_emotions")
                if isinstance(r.get("top_emotions"), str)
                else ", ".join(as_list(r.get("top_emotions"))),
                "n_units": len(as_list(r.get("unit_ids"))),
                "quotes": [q.__dict__ for q in evidence_quotes(tables, qids, 4)],
                "prevalence": [
                    {"share": s, "bg": _heat_colour(lf)[0], "fg": _heat_colour(lf)[1]}
                    for s, lf in zip(shares, lifts, strict=True)
                ],
            }
        )
    rows.sort(key=lambda x: -(_num(x["size"]) or 0))
    return rows


def _search_index(pdicts: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}

    def add(q: dict[str, Any] | None, where: str) -> None:
        if not q:
            return
        e = seen.setdefault(q["unit_id"], {**q, "where": []})
        if where not in e["where"]:
            e["where"].append(where)

    for p in pdicts:
        for q in p["quotes"]:
            add(q, f"{p['id']} quotes")
        add(p["counter_quote"], f"{p['id']} counter-quote")
        for part, qs in p["empathy_map"].items():
            for q in qs:
                add(q, f"{p['id']} {part}")
        for key in CLAIM_SECTIONS:
            for c in p[key]:
                for q in c["quotes"]:
                    add(q, c["id"])
    return list(seen.values())


def render_report(
    personas: Sequence[Persona],
    tables: StudyTables,
    run_info: dict[str, Any],
    store_hint: str = "study.duckdb",
) -> str:
    """The report page as one HTML string."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("insight.report", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    from markupsafe import Markup

    item_text = item_wordings(tables.columns)
    # personal data masked in everything shown (off under `insight run --no-redact`)
    pdicts = redacted_personas(personas)
    for d in pdicts:
        for key in CLAIM_SECTIONS:
            for c in d[key]:
                c["detail"] = claim_detail(c)
        d["profile_rows"] = profile_rows(d)
        d["emotion_svg"] = Markup(emotion_chart(d["emotions"]))
        d["distinct_emotions"] = [c for c in d["emotions"] if c["stats"].get("distinctive")]
        d["other_emotions"] = [c for c in d["emotions"] if not c["stats"].get("distinctive")]
    all_pains = [(d, c) for d in pdicts for c in d["pain_points"]]
    all_pains.sort(key=lambda x: -(x[1]["stats"].get("severity") or 0))
    top_sev = max([c["stats"].get("severity") or 0 for _, c in all_pains] or [1])
    pains = [
        {
            "persona": d,
            "claim": c,
            "bar": Markup(bar(c["stats"].get("severity"), top_sev, "#c05621")),
        }
        for d, c in all_pains[:20]
    ]
    for d in pdicts:
        top_p = max([c["stats"].get("severity") or 0 for c in d["pain_points"]] or [1])
        for c in d["pain_points"]:
            c["bar"] = Markup(bar(c["stats"].get("severity"), top_p, "#c05621", 80))
    units = tables.units
    n_customer = int((units[S.SPEAKER_ROLE] == S.ROLE_CUSTOMER).sum()) if len(units) else 0
    overview = {
        "respondents": int(tables.respondents[S.RESPONDENT_ID].nunique())
        if len(tables.respondents)
        else int(units[S.RESPONDENT_ID].nunique()),
        "segmented": sum(p.size for p in personas),
        "personas": len(personas),
        "customer_units": n_customer,
        "interviewer_units": int((units[S.SPEAKER_ROLE] == S.ROLE_INTERVIEWER).sum())
        if len(units)
        else 0,
        "sources": int(units[S.SOURCE].nunique()) if len(units) else 0,
    }
    counts = run_info.get("counts")
    timings = run_info.get("timings_s") or run_info.get("timings") or {}
    from insight.report.charts import build_charts, plotly_js

    charts, pool = build_charts(tables, pdicts, item_text, overview["respondents"], run_info)
    page = env.get_template("report.html.j2").render(
        title=run_info.get("title") or "Personas and evidence",
        personas=pdicts,
        overview=overview,
        heat=heatmap(tables, personas, item_text),
        pains=pains,
        topics=redact_shown(_topics(tables, personas)),
        accounting=_accounting(tables, run_info),
        run=run_info,
        counts=counts if isinstance(counts, dict) else {},
        timings=timings if isinstance(timings, dict) else {},
        store_hint=store_hint,
        data_json=Markup(
            safe_json(
                {
                    "quotes": _search_index(pdicts),
                    # built from the redacted personas; quotes and labels read from the
                    # tables are redacted in insight.report.charts
                    "charts": [c.to_json() for c in charts.values()],
                    "pool": pool.quotes,
                }
            )
        ),
        charts=charts,
        plotly_js=Markup(plotly_js()),
    )
    return page


def write_report(
    personas: Sequence[Persona],
    tables: StudyTables,
    path: Path,
    run_info: dict[str, Any],
    store_hint: str,
) -> Path:
    path.write_text(render_report(personas, tables, run_info, store_hint), encoding="utf-8")
    return path


def rerender_report(study_dir: str | Path, out: str | Path | None = None) -> Path:
    """Rebuild report.html from a finished study folder (its study.duckdb), no pipeline re-run.

    Args:
        study_dir: the ``--out`` folder of ``insight run`` (holding study.duckdb).
        out: where to write the page (default: ``study_dir/report.html``).

    Returns:
        The path written.
    """
    from insight.errors import InsightError
    from insight.personas import build_personas
    from insight.store import Store

    folder = Path(study_dir)
    db = folder / "study.duckdb" if folder.is_dir() else folder
    if not db.is_file():
        raise InsightError(
            f"no study store at {db}",
            fix="pass the --out folder of `insight run` (it holds study.duckdb)",
        )
    with Store(db, read_only=True) as store:
        tables = StudyTables.from_store(store)
        run_info = dict(store.get_meta("run", {}) or {})
        run_info.setdefault("segmentation", store.get_meta("segmentation", None))
        cur = tables.segment_stability
        empty = cur is None or (isinstance(cur, dict) and not cur)
        if empty and store.has_table("segment_stability"):
            tables.segment_stability = store.read_table("segment_stability")
    run_file = db.parent / "run.json"
    if not run_info and run_file.is_file():
        run_info = json.loads(run_file.read_text(encoding="utf-8"))
    personas = build_personas(tables)
    target = Path(out) if out else db.parent / "report.html"
    hint = str(run_info.get("store_hint") or db.parent)
    return write_report(personas, tables, target, dict(run_info), hint)
