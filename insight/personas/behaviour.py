"""Behaviour beside attitudes: a persona's RFM cells, lifecycle stages and behaviour columns.

The pipeline's behaviour stage stores one RFM cell and lifecycle stage per respondent with
behaviour columns (``behaviour_segments``, :mod:`insight.segment.behaviour`). For each
persona this module states, with n of N and the member ids as evidence:

* the RFM cells and lifecycle stages over-represented among its members (with behaviour
  data) against the rest of the study (two-proportion test, Benjamini-Hochberg adjusted,
  lift >= 1.2), else its most common one, as every category claim is made;
* the median days since the last purchase / activity against the rest;
* the numeric behaviour columns (orders, spend, logins ...) as medians against the rest,
  and category columns such as a plan, as :mod:`insight.personas.claims` states them.

Behaviour date columns (last purchase date ...) are never read as categories: their
meaning reaches the persona as days since, through the RFM table.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.model import Claim

if TYPE_CHECKING:
    import pandas as pd

    from insight.personas.view import SegmentView

#: the behaviour table's columns as a persona states them (column name = label)
RFM_CELL, LIFECYCLE, DAYS_SINCE = "RFM cell", "Lifecycle stage", "Days since last activity"
#: an internal role: the RFM table's columns joined to the respondents for the claims
_TABLE_ROLE = "behaviour_table"


def behaviour_table(t: Any) -> pd.DataFrame | None:
    """The study's ``behaviour_segments`` table (of :class:`StudyTables` ``t``) indexed
    by respondent id, its columns named as a persona states them (None if none)."""
    b = getattr(t, "behaviour_segments", None)
    if b is None or not len(b) or S.RESPONDENT_ID not in b:
        return None
    b = b.copy()
    b[S.RESPONDENT_ID] = b[S.RESPONDENT_ID].astype(str)
    b = b.drop_duplicates(S.RESPONDENT_ID).set_index(S.RESPONDENT_ID)
    names = {"rfm_cell": RFM_CELL, "lifecycle": LIFECYCLE, "recency_days": DAYS_SINCE}
    return b[[c for c in names if c in b]].rename(columns=names)


def _with_table(v: SegmentView, table: pd.DataFrame) -> SegmentView:
    """``v`` whose respondents carry the RFM cell, lifecycle stage and days since (so the
    claim builders of :mod:`insight.personas.claims` state them like any column)."""
    import pandas as pd

    resp = v.resp.drop(columns=[c for c in table.columns if c in v.resp.columns])
    resp = resp.join(table, how="outer") if len(resp) else table
    cols = pd.concat(
        [v.cols, pd.DataFrame({S.COL_NAME: list(table.columns), S.COL_ROLE: _TABLE_ROLE})],
        ignore_index=True,
    )
    item_text = {**v.item_text, **{c: c for c in table.columns}}
    study = dataclasses.replace(v.study, resp=resp, cols=cols, item_text=item_text)
    return dataclasses.replace(v, study=study)


def table_claims(v: SegmentView, table: pd.DataFrame) -> list[Claim]:
    """The RFM cells and lifecycle stages distinctive of the persona (else its most common
    one), n of the N members with one, and median days since the last activity against
    the rest; the member ids are each claim's evidence."""
    from insight.personas.claims import categorical_claims, numeric_claims

    w = _with_table(v, table)
    claims: list[Claim] = []
    for col, limit in ((RFM_CELL, 4), (LIFECYCLE, 2)):
        if col in table:
            one = w.cols[(w.cols[S.COL_ROLE] != _TABLE_ROLE) | (w.cols[S.COL_NAME] == col)]
            view = dataclasses.replace(w, study=dataclasses.replace(w.study, cols=one))
            claims += categorical_claims(view, _TABLE_ROLE, "behaviour", limit=limit)
    if DAYS_SINCE in table:
        claims += numeric_claims(w, [DAYS_SINCE], "behaviour")
    return claims


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
    from insight.personas.claims import behaviour_column_claims

    claims: list[Claim] = []
    table = behaviour_table(v.t)
    if table is not None:
        claims += table_claims(v, table)
    return claims + behaviour_column_claims(_without_dates(v))


__all__ = ["behaviour_claims", "behaviour_table", "table_claims"]
