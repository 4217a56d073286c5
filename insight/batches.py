"""Batches added to a study: rows a re-export already brought, and what changed since
the last batch (``insight add``)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from insight import schema as S


def _raw_id(respondent: Any, source: Any) -> str:
    """The respondent id as the export wrote it: readers prefix ids that are only
    unique within a file (row numbers, numeric ids, transcript speakers) with the
    file's stem, which changes when a cumulative export is saved under a new name."""
    rid, stem = str(respondent), Path(str(source)).stem
    return rid[len(stem) + 1 :] if rid.startswith(stem + ":") else rid


def _norm(v: Any) -> str:
    """One text per value whatever the frame's dtype (1, 1.0 and "1.0" alike)."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return repr(float(v))
    try:
        return repr(float(str(v)))
    except ValueError:
        return str(v)


def _hash(parts: Any) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:20]


def record_keys(records: Any) -> Any:
    """(source type, respondent, field, turn, text hash) per record: the identity of a
    row across exports of the same data (row numbers, file names and file hashes
    change when an export grows; the respondent's answer to a question does not)."""
    import pandas as pd

    if records is None or not len(records):
        return pd.Series([], dtype=object)
    turn = records[S.TURN].astype(object).where(records[S.TURN].notna(), None)
    # a transcript's file is its identity (two interviews share prompts and turn
    # numbers); a survey or review export is identified by the ids it holds
    raw = [
        str(r) if t == S.SOURCE_TRANSCRIPT else _raw_id(r, src)
        for r, src, t in zip(
            records[S.RESPONDENT_ID], records[S.SOURCE], records[S.SOURCE_TYPE], strict=False
        )
    ]
    parts = zip(records[S.SOURCE_TYPE], raw, records[S.FIELD], turn, records[S.TEXT], strict=False)
    return pd.Series([_hash(p) for p in parts], index=records.index)


def respondent_keys(respondents: Any, columns: list[str]) -> Any:
    """(source type, respondent, answers to ``columns``) per respondent row."""
    import pandas as pd

    if respondents is None or not len(respondents):
        return pd.Series([], dtype=object)
    cols = [c for c in columns if c in respondents.columns]
    values = respondents[cols].astype(object).where(respondents[cols].notna(), None)
    raw = [
        str(r) if t == S.SOURCE_TRANSCRIPT else _raw_id(r, src)
        for r, src, t in zip(
            respondents[S.RESPONDENT_ID],
            respondents[S.SOURCE],
            respondents[S.SOURCE_TYPE],
            strict=False,
        )
    ]
    return pd.Series(
        [
            _hash([t, r, *map(_norm, v)])
            for t, r, v in zip(
                respondents[S.SOURCE_TYPE], raw, values.itertuples(index=False), strict=False
            )
        ],
        index=respondents.index,
    )


def drop_known_records(store: Any, result: Any) -> int:
    """Remove from an ingested batch what a cumulative re-export brings again: records
    (and their units) already in the study, and respondents already in it with the
    same answers. Returns how many rows that was and notes it in the file accounting
    (``already_present``)."""
    if len(result.files):
        result.files["already_present"] = 0
    gone_records = result.records.iloc[0:0]
    if len(result.records) and store.has_table("records"):
        known = set(record_keys(store.read_table("records")))
        dup = record_keys(result.records).isin(known)
        gone_records = result.records[dup]
        result.records = result.records[~dup].reset_index(drop=True)
        keep = set(result.records[S.RECORD_ID])
        result.units = result.units[result.units[S.RECORD_ID].isin(keep)].reset_index(drop=True)
    gone_resp = result.respondents.iloc[0:0]
    if len(result.respondents) and store.has_table("respondents"):
        old = store.read_table("respondents")
        base = set(S.RESPONDENT_BASE_COLUMNS)
        answers = [c for c in result.respondents.columns if c not in base and c in old.columns]
        new_keys = respondent_keys(result.respondents, answers)
        dup = new_keys.isin(set(respondent_keys(old, answers)))
        # a respondent with a new record (a new answer) is not a repeat
        dup &= ~result.respondents[S.RESPONDENT_ID].isin(set(result.records[S.RESPONDENT_ID]))
        gone_resp = result.respondents[dup]
        result.respondents = result.respondents[~dup].reset_index(drop=True)
    if gone_records.empty and gone_resp.empty:
        return 0
    per: dict[str, int] = {}
    for src in set(gone_records[S.SOURCE]) | set(gone_resp[S.SOURCE]):
        recs = gone_records[gone_records[S.SOURCE] == src]
        rows = int(recs[S.ROW].nunique()) if recs[S.ROW].notna().any() else len(recs)
        per[str(src)] = max(rows, int((gone_resp[S.SOURCE] == src).sum()))
    files = result.files
    files["already_present"] = [per.get(str(s), 0) for s in files[S.SOURCE]]
    if "units" in files:
        units_per = result.units.groupby(S.SOURCE).size()
        files["units"] = [int(units_per.get(s, 0)) for s in files[S.SOURCE]]
    if "respondents" in files:
        resp_per = result.respondents.groupby(S.SOURCE).size()
        files["respondents"] = [int(resp_per.get(s, 0)) for s in files[S.SOURCE]]
    result.files = files
    return int(sum(per.values()))


# --- what changed since the last batch (insight add) ---------------------------------


def batch_record(done: dict[str, Any], result: Any) -> dict[str, Any]:
    ingest = done.get("ingest", {})
    return {
        "batch_id": str(result.files["batch_id"].iloc[0]) if len(result.files) else None,
        "files": [str(s) for s in result.files[S.SOURCE]],
        "units": int(ingest.get("units", len(result.units))),
        "respondents": int(ingest.get("respondents", 0)),
        "added": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def changes_since(
    previous: dict[str, Any], run: dict[str, Any], store: Any, done: dict[str, Any]
) -> dict[str, Any]:
    """New participants, new (emerging) themes and persona shifts since the last batch."""
    before = previous.get("counts", {}) or {}
    after = run["counts"]
    old_personas = {p["id"]: p for p in previous.get("persona_sizes", [])}
    new_sizes = persona_sizes(store)
    run["persona_sizes"] = new_sizes
    shifts = []
    for p in new_sizes:
        o = old_personas.get(p["id"])
        if o is None:
            shifts.append({"id": p["id"], "name": p["name"], "before": None, "after": p["size"]})
        elif o["size"] != p["size"] or o["name"] != p["name"]:
            shifts.append(
                {
                    "id": p["id"],
                    "name": p["name"],
                    "name_before": o["name"],
                    "before": o["size"],
                    "after": p["size"],
                    "share_before": o.get("share"),
                    "share_after": p.get("share"),
                }
            )
    emerging = list(done.get("topics", {}).get("emerging", []))
    new_resp = int(after["respondents"]) - int(before.get("respondents", 0))
    new_units = int(after["units"]) - int(before.get("units", 0))
    lines = [
        f"since the last batch: {new_resp:+d} participants ({after['respondents']} in all), "
        f"{new_units:+d} units ({after['units']} in all)"
    ]
    assigned = done.get("segment", {}).get("assigned", 0)
    if assigned:
        lines.append(f"{assigned} new participant(s) placed in the existing segments (no refit)")
    lines.append(
        "new themes (fit no existing topic): " + "; ".join(repr(e) for e in emerging)
        if emerging
        else "new themes: none (every new unit fits an existing topic or none is large enough)"
    )
    for s in shifts:
        if s["before"] is None:
            lines.append(f"persona {s['id']} {s['name']!r}: new ({s['after']} participants)")
        else:
            renamed = f" (was {s['name_before']!r})" if s["name_before"] != s["name"] else ""
            lines.append(
                f"persona {s['id']} {s['name']!r}{renamed}: {s['before']} -> {s['after']} participants"
            )
    if not shifts:
        lines.append("personas: no change in size or name")
    lines.append("report.html, personas.*, the CSVs and run.json now cover every batch")
    return {
        "new_participants": new_resp,
        "new_units": new_units,
        "emerging_themes": emerging,
        "persona_shifts": shifts,
        "summary": lines,
    }


def persona_sizes(store: Any) -> list[dict[str, Any]]:
    p = store.read_or_empty("personas")
    if p.empty:
        return []
    return [
        {"id": r.persona_id, "name": r.name, "size": int(r.size), "share": float(r.share)}
        for r in p.itertuples()
    ]
