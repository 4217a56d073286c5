"""Personas in the study store, and the `insight evidence` query over it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.evidence import _Evidence
from insight.personas.model import Persona, Quote, StudyTables, as_list
from insight.stats import plain as _plain

if TYPE_CHECKING:
    from insight.store import Store

# --- persistence -----------------------------------------------------------------------------------------
PERSONA_QUOTE_KINDS = ("quote", "counter_quote", "says", "thinks", "does", "feels")


def persona_claim_rows(personas: Sequence[Persona]) -> list[dict[str, Any]]:
    """One row per claim, plus quote-set pseudo-claims (representative, counter, empathy map)."""
    rows = []
    for p in personas:
        for c in p.claims():
            rows.append(
                {
                    "claim_id": c.id,
                    "persona_id": p.id,
                    "kind": c.kind,
                    "label": c.label,
                    "n": c.n,
                    "n_total": c.N,
                    "unit_ids": list(c.unit_ids),
                    "quote_ids": [q.unit_id for q in c.quotes],
                    "stats": json.dumps(_plain(c.stats), ensure_ascii=False),
                }
            )
        sets = {"quote": p.quotes, "counter_quote": [p.counter_quote] if p.counter_quote else []}
        for k, qs in p.empathy_map.items():
            sets[k] = qs
        for kind, qs in sets.items():
            if not qs:
                continue
            rows.append(
                {
                    "claim_id": f"{p.id}.{kind}",
                    "persona_id": p.id,
                    "kind": kind,
                    "label": kind.replace("_", " "),
                    "n": len({q.respondent_id for q in qs}),
                    "n_total": p.confidence.get("respondents_with_text", 0),
                    "unit_ids": [q.unit_id for q in qs],
                    "quote_ids": [q.unit_id for q in qs],
                    "stats": "{}",
                }
            )
    return rows


def save_personas(store: Store, personas: Sequence[Persona]) -> None:
    """Write ``personas`` (one row each, with the full JSON) and ``persona_claims`` to the store."""
    import pandas as pd

    prow = [
        {
            "persona_id": p.id,
            "segment": str(p.segment),
            "name": p.name,
            "summary": p.summary,
            "size": p.size,
            "share": float(p.share),
            "confidence": p.confidence.get("level"),
            "warnings": json.dumps(p.warnings, ensure_ascii=False),
            "json": json.dumps(p.to_dict(), ensure_ascii=False),
        }
        for p in personas
    ]
    cols = [
        "persona_id",
        "segment",
        "name",
        "summary",
        "size",
        "share",
        "confidence",
        "warnings",
        "json",
    ]
    store.write_table("personas", pd.DataFrame(prow, columns=cols))
    ccols = [
        "claim_id",
        "persona_id",
        "kind",
        "label",
        "n",
        "n_total",
        "unit_ids",
        "quote_ids",
        "stats",
    ]
    crow = persona_claim_rows(personas)
    cdf = pd.DataFrame(crow, columns=ccols)
    if cdf.empty:
        cdf = cdf.astype({"unit_ids": object, "quote_ids": object})
    store.write_table("persona_claims", cdf)


def load_personas(store: Store) -> list[dict[str, Any]]:
    """The personas saved in a store, as plain dicts (the personas.json objects)."""
    df = store.read_table("personas")
    return [json.loads(s) for s in df["json"]]


# --- evidence queries (insight evidence) -------------------------------------------------------
@dataclass
class EvidenceResult:
    """Quotes matching an evidence query: ``total`` matches, ``quotes`` up to the limit."""

    quotes: list[Quote]
    total: int
    header: list[str] = field(default_factory=list)


def find_evidence(
    store: Store,
    *,
    persona: str | None = None,
    claim: str | None = None,
    pain_point: str | None = None,
    term: str | None = None,
    topic: str | None = None,
    respondent: str | None = None,
    limit: int = 20,
) -> EvidenceResult:
    """Customer quotes in a study store matching every given filter (they combine with AND).

    Args:
        persona: persona id (``P1``); units of its respondents, its quotes first.
        claim: a claim id as shown in the report (``P1.pain_point.price-value``).
        pain_point: a pain-point claim id, or a pain type (``price/value``; a prefix works).
        term: a vocabulary term or variant, or any text (case-insensitive).
        topic: a topic id.
        respondent: a respondent id.
        limit: the most quotes to return (``total`` counts all matches).
    """
    from insight.errors import InsightError, StoreError

    units = store.read_table("units")
    cust = units[units[S.SPEAKER_ROLE].astype(str) == S.ROLE_CUSTOMER].copy()
    cust[S.UNIT_ID] = cust[S.UNIT_ID].astype(str)
    cust[S.RESPONDENT_ID] = cust[S.RESPONDENT_ID].astype(str)
    order = {u: i for i, u in enumerate(cust[S.UNIT_ID])}
    sets: list[set[str]] = []
    first: list[str] = []  # units to list first (a claim's or persona's own quotes)
    header: list[str] = []
    claims = store.read_or_empty("persona_claims")

    def claim_row(cid: str) -> Any:
        if claims.empty:
            raise StoreError(
                "the study has no personas yet", file=str(store.path), fix="run `insight run` first"
            )
        rows = claims[claims["claim_id"].astype(str).str.lower() == cid.lower()]
        return rows.iloc[0] if len(rows) else None

    if persona:
        if claims.empty:
            raise StoreError(
                "the study has no personas yet", file=str(store.path), fix="run `insight run` first"
            )
        prow = store.read_table("personas")
        hit = prow[prow["persona_id"].astype(str).str.lower() == persona.lower()]
        if hit.empty:
            raise InsightError(
                f'no persona "{persona}"',
                fix="use one of: " + ", ".join(prow["persona_id"].astype(str)),
            )
        pid, seg_value = str(hit["persona_id"].iloc[0]), str(hit["segment"].iloc[0])
        header.append(f"{pid}: {hit['name'].iloc[0]} - {hit['summary'].iloc[0]}")
        segs = store.read_table("segments")
        rids = set(segs.loc[segs[S.SEGMENT].astype(str) == seg_value, S.RESPONDENT_ID].astype(str))
        sets.append(set(cust.loc[cust[S.RESPONDENT_ID].isin(rids), S.UNIT_ID]))
        mine = claims[claims["persona_id"].astype(str) == pid]
        for kind in ("quote", "counter_quote"):
            for ids in mine.loc[mine["kind"] == kind, "quote_ids"]:
                first += as_list(ids)
        for ids in mine["quote_ids"]:
            first += as_list(ids)
    if claim:
        row = claim_row(claim)
        if row is None:
            raise InsightError(
                f'no claim "{claim}"', fix="copy a claim id from report.html or personas.json"
            )
        header.append(f"{row['claim_id']}: {row['label']} ({row['n']} of {row['n_total']})")
        sets.append(set(as_list(row["unit_ids"])))
        first = as_list(row["quote_ids"]) + as_list(row["unit_ids"])
    if pain_point:
        row = claim_row(pain_point) if not claims.empty else None
        if row is not None:
            header.append(f"{row['claim_id']}: {row['label']} ({row['n']} of {row['n_total']})")
            sets.append(set(as_list(row["unit_ids"])))
            first = as_list(row["quote_ids"]) + first
        else:
            ann = store.read_or_empty("annotations")
            if ann.empty or S.PAIN_POINT_TYPE not in ann:
                raise StoreError("the study has no pain-point annotations", file=str(store.path))
            types = ann[S.PAIN_POINT_TYPE].fillna("").astype(str).str.lower()
            hit_types = types.str.startswith(pain_point.lower()) & (
                ann[S.PAIN_POINT].fillna(0) >= 1
            )
            if not hit_types.any():
                known = sorted({t for t in types if t})
                raise InsightError(
                    f'no pain point "{pain_point}"',
                    fix="use a pain-point claim id from the report or a type: " + ", ".join(known),
                )
            sets.append(set(ann.loc[hit_types, S.UNIT_ID].astype(str)))
    if term:
        needle = term.strip().lower()
        term_ids: set[str] = set()
        voc = store.read_or_empty("vocabulary")
        if len(voc) and "term" in voc:
            for _, r in voc.iterrows():
                forms = {str(r["term"]).lower(), *(v.lower() for v in as_list(r.get("variants")))}
                if needle in forms:
                    term_ids |= set(as_list(r.get("unit_ids")))
        rx = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", re.IGNORECASE)
        term_ids |= set(
            cust.loc[cust[S.TEXT].astype(str).map(lambda t: bool(rx.search(t))), S.UNIT_ID]
        )
        sets.append(term_ids)
    if topic is not None:
        ta = store.read_or_empty("topic_assignments")
        if ta.empty:
            raise StoreError(
                "the study has no topics", file=str(store.path), fix="run `insight run` first"
            )
        sets.append(set(ta.loc[ta[S.TOPIC].astype(str) == str(topic), S.UNIT_ID].astype(str)))
    if respondent:
        sets.append(set(cust.loc[cust[S.RESPONDENT_ID] == str(respondent), S.UNIT_ID]))
    matched = set(order)
    for s in sets:
        matched &= s
    rank = {u: i for i, u in enumerate(dict.fromkeys(first))}
    ordered = sorted(matched, key=lambda u: (rank.get(u, len(rank)), order[u]))
    tables = StudyTables(units=cust)
    ev = _Evidence(tables)
    return EvidenceResult([ev.quote(u) for u in ordered[: max(limit, 0)]], len(ordered), header)
