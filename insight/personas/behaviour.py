"""Behaviour beside attitudes: a persona's RFM cells, lifecycle stages and behaviour columns.

The pipeline's behaviour stage stores one RFM cell and lifecycle stage per respondent with
behaviour columns (``behaviour_segments``, :mod:`insight.segment.behaviour`). For each
persona this module states, with n of N and the member ids as evidence:

* the share of its members (with behaviour data) in each RFM cell and lifecycle stage,
  against the rest of the study (two-proportion test, Benjamini-Hochberg adjusted);
* the median days since the last purchase / activity against the rest;
* the numeric behaviour columns (orders, spend, logins ...) as medians against the rest,
  and category columns such as a plan, as :mod:`insight.personas.claims` states them.

Behaviour date columns (last purchase date ...) are never read as categories: their
meaning reaches the persona as days since, through the RFM table.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.model import ALPHA, MIN_LIFT, Claim
from insight.stats import bh_adjust, two_proportion_test

if TYPE_CHECKING:
    import pandas as pd

    from insight.personas.view import SegmentView

#: how many RFM cells / lifecycle stages a persona shows besides the distinctive ones
TOP_SHARES = 3


def behaviour_table(v: SegmentView) -> pd.DataFrame | None:
    """The study's ``behaviour_segments`` table indexed by respondent id (None if none)."""
    t = getattr(v.t, "behaviour_segments", None)
    if t is None or not len(t) or S.RESPONDENT_ID not in t:
        return None
    t = t.copy()
    t[S.RESPONDENT_ID] = t[S.RESPONDENT_ID].astype(str)
    return t.drop_duplicates(S.RESPONDENT_ID).set_index(S.RESPONDENT_ID)


def share_claims(v: SegmentView, table: pd.DataFrame, column: str, what: str) -> list[Claim]:
    """One claim per value of ``column`` (rfm_cell, lifecycle) held by the persona's members:
    n members of the N with a value; the distinctive ones and the largest few."""
    from insight.personas.claims import make_claim, respondent_units

    vals = table[column].dropna().astype(str)
    mine = vals[vals.index.isin(v.member_set)]
    rest = vals[~vals.index.isin(v.member_set)]
    if mine.empty:
        return []
    rows = []
    for value, k in mine.value_counts().items():
        k_rest = int((rest == value).sum())
        p = two_proportion_test(int(k), len(mine), k_rest, len(rest), min_expected=0)[1]
        rows.append((str(value), int(k), k_rest, p))
    padj = bh_adjust([r[3] for r in rows])
    claims = []
    for rank, ((value, k, k_rest, _p), pa) in enumerate(zip(rows, padj, strict=True)):
        share = k / len(mine)
        rshare = k_rest / len(rest) if len(rest) else math.nan
        lift = share / rshare if rshare and rshare > 0 else math.inf
        distinct = bool(isinstance(pa, float) and pa < ALPHA and lift >= MIN_LIFT)
        if not distinct and rank >= TOP_SHARES:
            continue
        rids = sorted(mine.index[mine == value])
        stats = {
            "key": f"{column}-{value}",
            "column": column,
            "category": value,
            "share": share,
            "rest_share": rshare,
            "lift": lift if math.isfinite(lift) else None,
            "p_adj": pa,
            "distinctive": distinct,
            "respondent_ids": rids,
            "evidence": "respondents",
        }
        units = respondent_units(v, rids)
        claims.append(make_claim(v, "behaviour", f"{what}: {value}", k, len(mine), units, stats))
    return claims


def recency_claim(v: SegmentView, table: pd.DataFrame) -> list[Claim]:
    """Median days since the last purchase / activity of the members, against the rest."""
    import pandas as pd
    from scipy.stats import mannwhitneyu

    from insight.personas.claims import make_claim, respondent_units

    if "recency_days" not in table:
        return []
    days = pd.to_numeric(table["recency_days"], errors="coerce").dropna()
    mine = days[days.index.isin(v.member_set)]
    rest = days[~days.index.isin(v.member_set)]
    if len(mine) < 2:
        return []
    p = math.nan
    if len(rest) >= 2 and (mine.nunique() > 1 or rest.nunique() > 1):
        p = float(mannwhitneyu(mine, rest, alternative="two-sided").pvalue)
    rids = sorted(mine.index)
    stats = {
        "key": "recency_days",
        "column": "recency_days",
        "median": float(mine.median()),
        "rest_median": float(rest.median()) if len(rest) else None,
        "p_adj": p,
        "distinctive": bool(p < ALPHA) if not math.isnan(p) else False,
        "respondent_ids": rids,
        "evidence": "respondents",
    }
    label = f"Days since last purchase or activity (median {mine.median():g})"
    return [
        make_claim(
            v, "behaviour", label, len(mine), len(v.members), respondent_units(v, rids), stats
        )
    ]


def _without_dates(v: SegmentView) -> SegmentView:
    """``v`` with behaviour date columns left out of its column roles."""
    from insight.segment.behaviour import is_date_column

    cols = v.cols
    if not len(cols) or S.COL_ROLE not in cols:
        return v
    dates = [
        c
        for c in cols.loc[cols[S.COL_ROLE] == S.ROLE_BEHAVIOUR, S.COL_NAME].astype(str)
        if c in v.resp.columns and is_date_column(v.resp[c].dropna())
    ]
    if not dates:
        return v
    study = dataclasses.replace(v.study, cols=cols[~cols[S.COL_NAME].astype(str).isin(dates)])
    return dataclasses.replace(v, study=study)


def behaviour_claims(v: SegmentView) -> list[Claim]:
    """Every behaviour claim of one persona: RFM cells, lifecycle stages, recency, then the
    behaviour columns (medians, categories), each with n of N and its member ids."""
    from insight.personas.claims import (
        categorical_claims,
        columns_with_role,
        is_numeric,
        numeric_claims,
    )

    claims: list[Claim] = []
    table = behaviour_table(v)
    if table is not None:
        claims += share_claims(v, table, "rfm_cell", "RFM cell")
        claims += share_claims(v, table, "lifecycle", "Lifecycle stage")
        claims += recency_claim(v, table)
    w = _without_dates(v)
    cols = [c for c in columns_with_role(w, S.ROLE_BEHAVIOUR) if is_numeric(w, c, S.ROLE_BEHAVIOUR)]
    claims += numeric_claims(w, cols, "behaviour")
    claims += categorical_claims(w, S.ROLE_BEHAVIOUR, "behaviour", limit=4)
    return claims


def cell_summary(claims: list[Claim]) -> dict[str, Any]:
    """RFM cell -> n of the persona's members (from its claims), for a card or a test."""
    return {c.stats["category"]: c.n for c in claims if c.stats.get("column") == "rfm_cell"}


__all__ = ["behaviour_claims", "behaviour_table", "cell_summary", "recency_claim", "share_claims"]
