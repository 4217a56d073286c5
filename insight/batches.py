"""Batches added to a study: rows a re-export already brought, and what changed since
the last batch (``insight add``)."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from insight import schema as S


def record_keys(records: Any) -> Any:
    """(source type, respondent, field, turn, text hash) per record: the identity of a
    row across exports of the same data (row numbers and file hashes change when an
    export grows; the respondent's answer to a question does not)."""
    import pandas as pd

    if records is None or not len(records):
        return pd.Series([], dtype=object)
    turn = records[S.TURN].astype(object).where(records[S.TURN].notna(), None)
    parts = zip(
        records[S.SOURCE_TYPE],
        records[S.RESPONDENT_ID],
        records[S.FIELD],
        turn,
        records[S.TEXT],
        strict=False,
    )
    return pd.Series(
        [hashlib.sha1("\x1f".join(map(str, p)).encode("utf-8")).hexdigest()[:20] for p in parts],
        index=records.index,
    )


def drop_known_records(store: Any, result: Any) -> int:
    """Remove from an ingested batch the records (and their units) already in the study;
    returns how many rows that was and notes it in the file accounting
    (``already_present``)."""
    if not len(result.records) or not store.has_table("records"):
        return 0
    known = set(record_keys(store.read_table("records")))
    keys = record_keys(result.records)
    dup = keys.isin(known)
    if not dup.any():
        if len(result.files):
            result.files["already_present"] = 0
        return 0
    gone = result.records[dup]
    rows_per_source = gone.groupby(S.SOURCE)[S.ROW].nunique(dropna=False)
    turns_per_source = gone.groupby(S.SOURCE).size()
    result.records = result.records[~dup].reset_index(drop=True)
    keep_ids = set(result.records[S.RECORD_ID])
    result.units = result.units[result.units[S.RECORD_ID].isin(keep_ids)].reset_index(drop=True)
    if len(result.respondents):
        # respondents whose every record was already there bring nothing new
        fresh = set(result.records[S.RESPONDENT_ID])
        old = store.keys("respondents", S.RESPONDENT_ID)
        r = result.respondents
        result.respondents = r[~r[S.RESPONDENT_ID].isin(old - fresh)].reset_index(drop=True)
    files = result.files
    per = {
        src: int(rows_per_source.get(src, 0)) if rows_per_source.get(src, 0) else int(n)
        for src, n in turns_per_source.items()
    }
    files["already_present"] = [per.get(s, 0) for s in files[S.SOURCE]]
    units_per = result.units.groupby(S.SOURCE).size()
    if "units" in files:
        files["units"] = [int(units_per.get(s, 0)) for s in files[S.SOURCE]]
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
