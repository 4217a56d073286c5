"""Personas in the study store, and the `insight evidence` query over it."""

from __future__ import annotations

import json
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


# --- evidence queries (insight evidence): one parameterised SQL query over the store ----------
#: a word character as Python's ``\w`` reads it (letters, digits, underscore), for DuckDB's RE2
_WORD = r"\pL\pN_"


@dataclass
class EvidenceResult:
    """Quotes matching an evidence query: ``total`` matches, ``quotes`` up to the limit."""

    quotes: list[Quote]
    total: int
    header: list[str] = field(default_factory=list)


def whole_word_pattern(term: str) -> str:
    """An RE2 pattern (DuckDB ``regexp_matches``) finding ``term`` as a whole word or phrase.

    RE2 has no look-arounds, so the word edges are matched as start/end or a non-word
    character; ASCII punctuation in ``term`` is escaped (``50%``, ``a.b`` match literally).
    """
    literal = "".join(
        "\\" + ch if ch.isascii() and not ch.isalnum() and ch != "_" and not ch.isspace() else ch
        for ch in term
    )
    return f"(^|[^{_WORD}]){literal}($|[^{_WORD}])"


def _first_row(store: Store, table: str, column: str, value: str) -> dict[str, Any] | None:
    """The first stored row of ``table`` whose ``column`` equals ``value`` ignoring case."""
    rows = store.query(
        f"SELECT * FROM {table} WHERE lower(CAST({column} AS VARCHAR)) = lower(?) "
        "ORDER BY rowid LIMIT 1",
        [value],
    )
    return rows.iloc[0].to_dict() if len(rows) else None


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

    One SQL query over the store's ``units`` (each filter a bound parameter, never text
    pasted into the SQL); quotes come in store order, a persona's or claim's own quotes
    first.

    Args:
        persona: persona id (``P1``); units of its respondents, its quotes first.
        claim: a claim id as shown in the report (``P1.pain_point.price-value``).
        pain_point: a pain-point claim id, or a pain type (``price/value``; a prefix works).
        term: a vocabulary term or variant, or any text (case-insensitive, whole words).
        topic: a topic id.
        respondent: a respondent id.
        limit: the most quotes to return (``total`` counts all matches).
    """
    from insight.errors import InsightError, StoreError

    store.require_table("units")
    where = [f"u.{S.SPEAKER_ROLE} = ?", f"trim(coalesce(u.{S.TEXT}, '')) <> ''"]
    params: list[Any] = [S.ROLE_CUSTOMER]
    first: list[str] = []  # units to list first (a claim's or persona's own quotes)
    header: list[str] = []
    has_claims = store.count_rows("persona_claims") > 0

    def no_personas() -> StoreError:
        return StoreError(
            "the study has no personas yet", file=str(store.path), fix="run `insight run` first"
        )

    def among(sql: str, *values: Any) -> None:
        """Keep the units whose id is among the ids ``sql`` selects."""
        where.append(f"u.{S.UNIT_ID} IN ({sql})")
        params.extend(values)

    def claim_row(cid: str) -> dict[str, Any] | None:
        if not has_claims:
            raise no_personas()
        row = _first_row(store, "persona_claims", "claim_id", cid)
        if row is not None:
            header.append(f"{row['claim_id']}: {row['label']} ({row['n']} of {row['n_total']})")
            among("SELECT unnest(CAST(? AS VARCHAR[]))", row["unit_ids"])
        return row

    if persona:
        if not has_claims:
            raise no_personas()
        store.require_table("personas")
        hit = _first_row(store, "personas", "persona_id", persona)
        if hit is None:
            known = store.query("SELECT persona_id FROM personas ORDER BY rowid")["persona_id"]
            raise InsightError(
                f'no persona "{persona}"', fix="use one of: " + ", ".join(map(str, known))
            )
        pid = str(hit["persona_id"])
        header.append(f"{pid}: {hit['name']} - {hit['summary']}")
        store.require_table("segments")
        where.append(
            f"u.{S.RESPONDENT_ID} IN (SELECT {S.RESPONDENT_ID} FROM segments "
            f"WHERE CAST({S.SEGMENT} AS VARCHAR) = ?)"
        )
        params.append(str(hit["segment"]))
        mine = store.query(
            "SELECT kind, CAST(quote_ids AS VARCHAR[]) AS quote_ids FROM persona_claims "
            "WHERE persona_id = ? ORDER BY rowid",
            [pid],
        )
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
        first = as_list(row["quote_ids"]) + as_list(row["unit_ids"])
    if pain_point:
        row = claim_row(pain_point) if has_claims else None
        if row is not None:
            first = as_list(row["quote_ids"]) + first
        else:
            if S.PAIN_POINT_TYPE not in store.columns("annotations") or not store.count_rows(
                "annotations"
            ):
                raise StoreError("the study has no pain-point annotations", file=str(store.path))
            pains = (
                f"SELECT {S.UNIT_ID} FROM annotations WHERE starts_with("
                f"lower(coalesce({S.PAIN_POINT_TYPE}, '')), lower(?)) "
                f"AND coalesce({S.PAIN_POINT}, 0) >= 1"
            )
            if not len(store.query(pains + " LIMIT 1", [pain_point])):
                types = store.query(
                    f"SELECT DISTINCT lower({S.PAIN_POINT_TYPE}) AS t FROM annotations "
                    f"WHERE coalesce({S.PAIN_POINT_TYPE}, '') <> ''"
                )["t"]
                raise InsightError(
                    f'no pain point "{pain_point}"',
                    fix="use a pain-point claim id from the report or a type: "
                    + ", ".join(sorted(types)),
                )
            among(pains, pain_point)
    if term:
        needle = term.strip().lower()
        said = f"regexp_matches(u.{S.TEXT}, ?, 'i')"
        said_params: list[Any] = [whole_word_pattern(needle)]
        vcols = store.columns("vocabulary")
        if "term" in vcols and "unit_ids" in vcols:
            # the term's own units: its vocabulary entry (by the term or any variant)
            variant = (
                " OR list_contains(list_transform(CAST(variants AS VARCHAR[]), "
                "lambda v: lower(v)), ?)"
                if "variants" in vcols
                else ""
            )
            said = (
                f"u.{S.UNIT_ID} IN (SELECT unnest(CAST(unit_ids AS VARCHAR[])) FROM vocabulary "
                f"WHERE lower(CAST(term AS VARCHAR)) = ?{variant}) OR " + said
            )
            said_params = [needle, *([needle] if variant else []), *said_params]
        where.append(f"({said})")
        params.extend(said_params)
    if topic is not None:
        if not store.count_rows("topic_assignments"):
            raise StoreError(
                "the study has no topics", file=str(store.path), fix="run `insight run` first"
            )
        among(
            f"SELECT {S.UNIT_ID} FROM topic_assignments WHERE CAST({S.TOPIC} AS VARCHAR) = ?",
            str(topic),
        )
    if respondent:
        where.append(f"u.{S.RESPONDENT_ID} = ?")
        params.append(str(respondent))
    page = store.query(
        "WITH first_(unit_id, rank_) AS (SELECT unnest(l), generate_subscripts(l, 1) "
        "FROM (SELECT CAST(? AS VARCHAR[]) AS l)) "
        "SELECT u.*, count(*) OVER () AS total_ FROM units u "
        f"LEFT JOIN first_ f ON f.unit_id = u.{S.UNIT_ID} "
        f"WHERE {' AND '.join(where)} ORDER BY f.rank_ NULLS LAST, u.rowid LIMIT ?",
        [list(dict.fromkeys(first)), *params, max(limit, 1)],
        table="units",
    )
    total = int(page["total_"].iloc[0]) if len(page) else 0
    page = page.drop(columns="total_").head(max(limit, 0))
    ev = _Evidence(StudyTables(units=page))
    return EvidenceResult([ev.quote(u) for u in page[S.UNIT_ID]], total, header)
