"""Flat exports of a study: personas.json / personas.md and the CSV / Parquet tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas import Persona, StudyTables
from insight.pii import ID_KEYS, OWN_TEXT_KEYS, redact_frame, redact_many, redact_obj
from insight.safe_io import write_csv_safe

if TYPE_CHECKING:
    import pandas as pd

PERSONAS_SCHEMA = "insight.personas/1"


def personas_document(
    personas: Sequence[Persona], run_info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The personas.json document (documented in docs/personas_schema.md)."""
    run_info = run_info or {}
    return {
        "schema": PERSONAS_SCHEMA,
        "insight_version": run_info.get("insight_version"),
        "created": run_info.get("created"),
        "seed": run_info.get("seed"),
        "respondents_segmented": sum(p.size for p in personas),
        # personal data masked (unless redaction is off: ``insight run --no-redact``)
        "personas": redacted_personas(personas),
    }


def redacted_personas(personas: Sequence[Persona]) -> list[dict[str, Any]]:
    """Each persona as a dict with personal data masked (:func:`insight.pii.redact_obj`),
    its strings first masked together in one spaCy pass (one call per string is ~10x slower)."""
    return redact_shown([p.to_dict() for p in personas])  # type: ignore[no-any-return]


def redact_shown(obj: Any) -> Any:
    """:func:`insight.pii.redact_obj` of a JSON-like structure, its strings masked
    together in one batched spaCy pass first."""
    redact_many(list(dict.fromkeys(_shown_strings(obj))))
    return redact_obj(obj)


def _shown_strings(obj: Any, key: str | None = None) -> list[str]:
    """The strings of a JSON-like structure :func:`insight.pii.redact_obj` masks (not
    those under an identifier key or the tool's own sentences)."""
    if isinstance(obj, str):
        return [] if key in ID_KEYS or key in OWN_TEXT_KEYS else [obj]
    if isinstance(obj, dict):
        return [s for k, v in obj.items() for s in _shown_strings(v, str(k))]
    if isinstance(obj, list | tuple):
        return [s for v in obj for s in _shown_strings(v, key)]
    return []


def write_personas_json(
    personas: Sequence[Persona], path: Path, run_info: dict[str, Any] | None = None
) -> Path:
    doc = personas_document(personas, run_info)
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def _md_escape(text: str) -> str:
    """Keep user text literal in Markdown (no accidental emphasis, links or HTML)."""
    out = str(text).replace("\\", "\\\\")
    for ch in "*_`[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


def _md_quote(q: dict[str, Any]) -> str:
    return (
        f"> {_md_escape(q['text'])}\n>\n"
        f"> — respondent {_md_escape(q['respondent_id'])}, {_md_escape(q['source'])}, "
        f"{_md_escape(q['location'])} (unit `{q['unit_id']}`)\n"
    )


def _p(v: Any) -> str:
    if not isinstance(v, int | float):
        return "= ?"
    return "< 0.001" if v < 0.001 else f"= {v:.2g}" if v < 0.1 else f"= {v:.2f}"


def claim_detail(c: dict[str, Any]) -> str:
    """A one-line reading of a claim's statistics (shared by the HTML and Markdown reports)."""
    s = c.get("stats", {})
    kind = c["kind"]

    def f(v: Any, spec: str = ".1f") -> str:
        return format(v, spec) if isinstance(v, int | float) else "?"

    def pct(v: Any) -> str:
        return f"{v:.0%}" if isinstance(v, int | float) else "?"

    if kind == "attitude":
        return (
            f"mean {f(s.get('mean'))} vs {f(s.get('rest_mean'))} for the rest · "
            f"d = {f(s.get('d'), '+.2f')} · p(BH) {_p(s.get('p_adj'))} · "
            f"{c['n']} of {c['N']} answered {s.get('answer_side', 'on this side')}"
        )
    if kind in ("demographic", "behaviour") and "category" in s:
        tag = "over-represented" if s.get("distinctive") else "most common"
        return f"{pct(s.get('share'))} vs {pct(s.get('rest_share'))} of the rest · {tag}"
    if kind in ("demographic", "behaviour"):
        tag = " · differs from the rest" if s.get("distinctive") else ""
        return (
            f"median {f(s.get('median'), 'g')} vs {f(s.get('rest_median'), 'g')} for the rest{tag}"
        )
    if kind == "pain_point":
        return (
            f"severity {f(s.get('severity'))} · {s.get('mentions')} mentions · "
            f"{pct(s.get('breadth'))} of respondents vs {pct(s.get('rest_breadth'))} of the rest"
        )
    if kind == "emotion":
        return f"{pct(s.get('share'))} of units vs {pct(s.get('rest_share'))} for the rest"
    if kind == "topic":
        return f"{pct(s.get('share'))} of units vs {pct(s.get('rest_share'))} for the rest"
    if kind == "vocabulary":
        return f"z = {f(s.get('z'), '.2f')} · used by {c['n']} respondents"
    if kind == "goal":
        return f"{s.get('mentions')} mentions"
    return ""


def profile_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The persona template fields of a (redacted) persona dict, ready to show: title, value,
    n of N, where the value comes from, the claims or quotes behind it, or why there is none
    (shared by the HTML card and the Markdown export)."""
    rows = []
    for c in d.get("profile", []):
        s = c.get("stats", {})
        none = s.get("no_evidence")
        shown = set(s.get("shown", []))
        others = [x for x in s.get("values", []) if x["value"] not in shown]
        rows.append(
            {
                "id": c["id"],
                "field": s.get("field"),
                "title": s.get("title", s.get("field")),
                "value": c["label"],
                "n": c["n"],
                "N": c["N"],
                "members": s.get("members"),
                "none": bool(none),
                "reason": none or "",
                "source": s.get("source", ""),
                # the other answers and how many gave each ("also: Manager 10, Other 4")
                "also": ", ".join(f"{x['value']} {x['n']}" for x in others[:4]),
                # goals / challenges: the persona's own claims, each with its n of N
                "items": s.get("items", []),
                "claim_id": s.get("claim_id"),
                "quotes": c.get("quotes", []),
                "unit_ids": c.get("unit_ids", []),
            }
        )
    return rows


def _md_profile(d: dict[str, Any]) -> list[str]:
    """The persona's template fields as a Markdown table (no-evidence rows say why)."""
    rows = profile_rows(d)
    if not rows:
        return []
    out = ["### Profile", "", "| Field | Value | n of N | Evidence |", "|---|---|---|---|"]
    for r in rows:
        if r["none"]:
            out.append(f"| {r['title']} | *{r['value']}* ({_md_escape(r['reason'])}) | - | - |")
            continue
        value = _md_escape(r["value"])
        if r["items"]:
            value = "; ".join(
                f"{_md_escape(i['label'])} ({i['n']} of {i['N']})" for i in r["items"]
            )
            evidence = ", ".join(f"claim `{i['claim_id']}`" for i in r["items"])
        elif r["field"] == "scenario":
            q = r["quotes"][0] if r["quotes"] else {}
            value = f"“{value}”"
            evidence = (
                f"unit `{q.get('unit_id', '')}`, {_md_escape(q.get('source', ''))} "
                f"{_md_escape(q.get('location', ''))}; {_md_escape(r['source'])}"
            )
        else:
            if r["also"]:
                value += f" (also: {_md_escape(r['also'])})"
            evidence = _md_escape(r["source"])
            if r["quotes"]:
                evidence += "; " + ", ".join(
                    f"“{_md_escape(q['text'])}” (`{q['unit_id']}`)" for q in r["quotes"][:2]
                )
        evidence += f" - claim `{r['id']}`" if r["unit_ids"] else ""
        out.append(f"| {r['title']} | {value} | {r['n']} of {r['N']} | {evidence} |")
    return [*out, ""]


def write_personas_md(
    personas: Sequence[Persona], path: Path, run_info: dict[str, Any] | None = None
) -> Path:
    """A readable Markdown version of the personas, every claim followed by its quotes."""
    lines = ["# Personas", ""]
    if run_info and run_info.get("created"):
        lines += [
            f"Generated by insight {run_info.get('insight_version', '')} on {run_info['created']}.",
            "",
        ]
    sections = [
        ("attitudes", "Distinctive attitudes"),
        ("demographics", "Who they are"),
        ("behaviour", "Behaviour"),
        ("pain_points", "Pain points"),
        ("goals", "Goals and wishes"),
        ("emotions", "Emotions"),
        ("vocabulary", "Their words"),
        ("topics", "Topics they raise more"),
    ]
    for d in redacted_personas(personas):
        lines += [f"## {d['id']}: {_md_escape(d['name'])}", "", _md_escape(d["summary"]), ""]
        lines += [
            f"*Confidence: {d['confidence'].get('level')}* - {_md_escape(d['confidence'].get('note', ''))}",
            "",
        ]
        for w in d["warnings"]:
            lines.append(f"- warning: {_md_escape(w)}")
        if d["warnings"]:
            lines.append("")
        lines += _md_profile(d)
        lines += ["### Representative quotes", ""]
        for q in d["quotes"]:
            lines += [_md_quote(q)]
        if d["counter_quote"]:
            lines += [
                "Counter-quote (a different view from inside the segment):",
                "",
                _md_quote(d["counter_quote"]),
            ]
        for key, title in sections:
            claims = d[key]
            if key == "emotions":
                claims = [c for c in claims if c["stats"].get("distinctive")]
            if not claims:
                continue
            lines += [f"### {title}", ""]
            for c in claims:
                lines.append(
                    f"- **{_md_escape(c['label'])}** ({c['n']} of {c['N']}): {_md_escape(claim_detail(c))} "
                    f"- claim `{c['id']}`, {len(c['unit_ids'])} units"
                )
                for q in c["quotes"][:2]:
                    lines.append(
                        f"  - “{_md_escape(q['text'])}” ({_md_escape(q['source'])}, {_md_escape(q['location'])}, unit `{q['unit_id']}`)"
                    )
            lines.append("")
        lines += ["### Empathy map", ""]
        for part in ("says", "thinks", "does", "feels"):
            qs = d["empathy_map"].get(part, [])
            lines.append(
                f"- **{part.capitalize()}**: "
                + (
                    " / ".join(f"“{_md_escape(q['text'])}” (`{q['unit_id']}`)" for q in qs)
                    or "no evidence"
                )
            )
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _join(v: Any) -> str:
    """A list cell (typed by the store) joined with ``;``; "" for a missing one (left join)."""
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return ";".join(str(x) for x in v)


def persona_of_segment(personas: Sequence[Persona]) -> dict[str, Persona]:
    return {str(p.segment): p for p in personas}


def units_table(tables: StudyTables, personas: Sequence[Persona]) -> pd.DataFrame:
    """All units (interviewer turns included, marked by speaker_role) with every stage's columns."""
    df = tables.units.copy()  # ids come typed (str) from the store
    for extra in (tables.annotations, tables.topic_assignments):
        df = _join_on_unit(df, extra)
    seg = tables.segments
    if seg is not None and len(seg):
        seg = seg[
            [S.RESPONDENT_ID, S.SEGMENT, *([S.PROBABILITY] if S.PROBABILITY in seg else [])]
        ].copy()
        seg = seg.rename(columns={S.PROBABILITY: "segment_probability"})
        df = df.merge(seg, on=S.RESPONDENT_ID, how="left")
        bys = persona_of_segment(personas)
        df["persona_id"] = df[S.SEGMENT].map(lambda s: bys[str(s)].id if str(s) in bys else None)
    return df


def pain_points_table(personas: Sequence[Persona]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for p in personas:
        for rank, c in enumerate(p.pain_points, 1):
            s = c.stats
            rows.append(
                {
                    "persona_id": p.id,
                    "persona": p.name,
                    "rank": rank,
                    "claim_id": c.id,
                    "pain_point_type": s.get("pain_point_type"),
                    "label": c.label,
                    "n": c.n,
                    "N": c.N,
                    "mentions": s.get("mentions"),
                    "breadth": s.get("breadth"),
                    "frequency": s.get("frequency"),
                    "intensity": s.get("intensity"),
                    "severity": s.get("severity"),
                    "rest_breadth": s.get("rest_breadth"),
                    "lift": s.get("lift"),
                    "p_adj": s.get("p_adj"),
                    "distinctive": s.get("distinctive"),
                    "terms": ";".join(s.get("terms", [])),
                    "example": c.quotes[0].text if c.quotes else "",
                    "unit_ids": ";".join(c.unit_ids),
                }
            )
    return pd.DataFrame(rows)


def segments_table(tables: StudyTables, personas: Sequence[Persona]) -> pd.DataFrame:
    seg = tables.segments.copy()
    bys = persona_of_segment(personas)
    seg["persona_id"] = seg[S.SEGMENT].map(lambda s: bys[str(s)].id if str(s) in bys else None)
    seg["persona"] = seg[S.SEGMENT].map(lambda s: bys[str(s)].name if str(s) in bys else None)
    return seg


def _flatten_lists(df: pd.DataFrame) -> pd.DataFrame:
    import numpy as np

    out = df.copy()
    for col in out.columns:
        if out[col].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any():
            out[col] = out[col].map(_join)
    return out


def write_tables(tables: StudyTables, personas: Sequence[Persona], out: Path) -> dict[str, Path]:
    """units.parquet, pain_points.csv, vocabulary.csv, topics.csv, segments.csv.

    ``units.parquet`` keeps the verbatim text (it is the analysis table); in the CSVs every
    text column meant for reading has personal data masked (:func:`insight.pii.redact_frame`)
    and every cell a spreadsheet would run is neutralised (:func:`insight.report.safe.write_csv_safe`).
    """
    import pandas as pd

    paths: dict[str, Path] = {}
    units = units_table(tables, personas)
    paths["units"] = out / "units.parquet"
    units.to_parquet(paths["units"], index=False)

    paths["pain_points"] = out / "pain_points.csv"
    _write_readable(pain_points_table(personas), paths["pain_points"])

    voc = tables.vocabulary if tables.vocabulary is not None else pd.DataFrame()
    if len(voc) and "group" in voc:
        voc = voc.copy()
        by_seg = persona_of_segment(personas)
        voc["persona_id"] = voc["group"].map(
            lambda g: by_seg[str(g)].id if str(g) in by_seg else None
        )
    paths["vocabulary"] = out / "vocabulary.csv"
    _write_readable(voc, paths["vocabulary"])

    top = tables.topics if tables.topics is not None else pd.DataFrame()
    paths["topics"] = out / "topics.csv"
    _write_readable(top, paths["topics"])

    paths["segments"] = out / "segments.csv"
    _write_readable(segments_table(tables, personas), paths["segments"])
    return paths


def _write_readable(df: pd.DataFrame, path: Path) -> Path:
    """A CSV for people: PII masked in the text columns (each quote of a list on its own,
    before the list is joined), list cells joined with ``;``, formula cells neutralised."""
    return write_csv_safe(_flatten_lists(redact_frame(df)), path)


def _join_on_unit(df: pd.DataFrame, extra: pd.DataFrame | None) -> pd.DataFrame:
    """Left-join the columns of ``extra`` that ``df`` lacks, by unit_id."""
    if extra is None or not len(extra):
        return df
    keep = [c for c in extra.columns if c == S.UNIT_ID or c not in df.columns]
    return df.merge(extra[keep], on=S.UNIT_ID, how="left")
