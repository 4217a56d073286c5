"""Behavioural segments: RFM (recency, frequency, monetary value) and lifecycle stage.

Two kinds of input:

* one row per customer with behaviour columns (last purchase / last visit date or days
  since, number of orders or visits, spend, tenure, engagement such as opens or logins),
  found by :func:`detect_behaviour_columns` from names and values, or named explicitly;
* a transactions file (one row per order: customer id, date, amount), aggregated per
  customer by :func:`aggregate_transactions` (recency = days since the last order,
  frequency = orders, monetary = total amount, tenure = days since the first order).

:func:`rfm_segments` scores each of R, F and M 1-5 by quintile (5 = most recent / most
frequent / highest value; ties share a score) and names the cell from R and the mean of
F and M with the standard RFM grid (:data:`RFM_GRID`): champions, loyal, potential
loyalist, new customers, promising, need attention, about to sleep, at risk, can't lose
them, hibernating, lost. :func:`lifecycle_stage` gives inactive prospect / active
prospect / customer / lapsed customer where the data has what each needs.

Column recognition and transactions aggregation live in
:mod:`insight.segment.behaviour_input`; their names are re-exported here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError
from insight.segment.behaviour_input import (
    _ID,
    BehaviourColumns,
    TransactionColumns,
    _numeric,
    _to_dates,
    aggregate_transactions,
    detect_behaviour_columns,
    detect_transaction_columns,
    is_date_column,
    is_transactions,
)

if TYPE_CHECKING:
    import pandas as pd

#: The cell name for (R score, FM score), FM = round((F + M) / 2); rows FM 5 -> 1,
#: columns R 1 -> 5. Every one of the 25 cells has a name.
_GRID_ROWS = {
    5: ["can't lose them", "at risk", "loyal", "champions", "champions"],
    4: ["can't lose them", "at risk", "loyal", "champions", "champions"],
    3: ["at risk", "at risk", "need attention", "loyal", "loyal"],
    2: ["hibernating", "hibernating", "about to sleep", "potential loyalist", "potential loyalist"],
    1: ["lost", "hibernating", "about to sleep", "promising", "new customers"],
}
RFM_GRID: dict[tuple[int, int], str] = {
    (r, fm): names[r - 1] for fm, names in _GRID_ROWS.items() for r in range(1, 6)
}
RFM_CELLS = sorted(set(RFM_GRID.values()))

LIFECYCLE_STAGES = ["inactive prospect", "active prospect", "customer", "lapsed customer"]


# -- RFM -------------------------------------------------------------------------------


def quintile_scores(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """1-5 by quintile of rank (5 = best fifth); tied values share the lower score, so a
    value held by many customers never splits across scores. Missing values stay missing."""
    import pandas as pd

    v = values.astype(float)
    ok = v.notna()
    n = int(ok.sum())
    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    if n == 0:
        return out
    x = v[ok] if higher_is_better else -v[ok]
    rank = x.rank(method="min")  # 1 = smallest
    out[ok] = (1 + ((rank - 1) * 5 // n)).clip(1, 5).astype(int)
    return out


def rfm_cell(r: int, f: int, m: int) -> str:
    """The named RFM cell for scores 1-5 (grid on R and round((F + M) / 2))."""
    fm = max(1, min(5, math.floor((f + m) / 2 + 0.5)))
    return RFM_GRID[(int(r), fm)]


@dataclass
class BehaviourResult:
    """Per-customer RFM table plus what was used and what was left out."""

    table: pd.DataFrame
    columns: dict[str, str]
    as_of: str | None
    warnings: list[str]

    def cell_counts(self) -> pd.DataFrame:
        import pandas as pd

        t = self.table
        if "rfm_cell" not in t:
            return pd.DataFrame(columns=["rfm_cell", "n", "share"])
        c = t["rfm_cell"].value_counts()
        n = int(c.sum())
        return pd.DataFrame(
            {"rfm_cell": c.index, "n": c.values, "share": (c.values / max(n, 1)).round(3)}
        )


def rfm_segments(
    customers: pd.DataFrame,
    *,
    id_column: str = S.RESPONDENT_ID,
    columns: BehaviourColumns | None = None,
    as_of: Any = None,
    lapsed_days: float = 365.0,
    active_days: float = 90.0,
) -> BehaviourResult:
    """RFM scores, named cell and lifecycle stage for one-row-per-customer data.

    ``customers`` holds either the aggregate columns of :func:`aggregate_transactions`
    (recency_days, frequency, monetary, tenure_days) or raw behaviour columns found by
    :func:`detect_behaviour_columns` (or given in ``columns``). ``as_of`` is the date
    recency is counted to (default: the latest last-activity date in the data).
    Customers missing R, F or M get no cell (counted in the warnings); with fewer than
    five scorable customers quintiles mean nothing and it is an error.
    """
    import pandas as pd

    warnings: list[str] = []
    if id_column not in customers.columns:
        raise InputError(
            f'customer id column "{id_column}" not found',
            fix=f"choose from {', '.join(map(str, customers.columns))}",
        )
    if {"recency_days", "frequency", "monetary"} <= set(customers.columns) and columns is None:
        used = {"recency": "recency_days", "frequency": "frequency", "monetary": "monetary"}
        recency = customers["recency_days"].astype(float)
        freq = customers["frequency"].astype(float)
        money = customers["monetary"].astype(float)
        tenure = customers.get("tenure_days")
        engagement = None
        activity = None
        ref_str = str(as_of) if as_of is not None else None
    else:
        cols = columns or detect_behaviour_columns(customers, exclude=[id_column])
        used = {}
        ref = pd.Timestamp(as_of) if as_of is not None else None
        if cols.recency_date:
            last = _to_dates(customers[cols.recency_date], cols.recency_date)
            ref = ref if ref is not None else last.max()
            recency = (ref - last).dt.days.astype(float)
            used["recency"] = cols.recency_date
        elif cols.recency_days:
            recency = _numeric(customers[cols.recency_days])
            used["recency"] = cols.recency_days
        else:
            recency = None
        freq = _numeric(customers[cols.frequency]) if cols.frequency else None
        money = _numeric(customers[cols.monetary]) if cols.monetary else None
        if cols.frequency:
            used["frequency"] = cols.frequency
        if cols.monetary:
            used["monetary"] = cols.monetary
        tenure = None
        if cols.tenure:
            t = customers[cols.tenure]
            if is_date_column(t):
                start = _to_dates(t, cols.tenure)
                base = ref if ref is not None else start.max()
                tenure = (base - start).dt.days.astype(float)
            else:
                tenure = _numeric(t)
            used["tenure"] = cols.tenure
        activity = None
        if cols.activity_date:
            seen = _to_dates(customers[cols.activity_date], cols.activity_date)
            ref = ref if ref is not None else seen.max()
            activity = (ref - seen).dt.days.astype(float)
            used["last activity"] = cols.activity_date
        engagement = (
            sum(_numeric(customers[c]).fillna(0) for c in cols.engagement)
            if cols.engagement
            else None
        )
        if cols.engagement:
            used["engagement"] = ", ".join(cols.engagement)
        if cols.plan:
            used["plan"] = cols.plan
        ref_str = ref.strftime("%Y-%m-%d") if ref is not None and not pd.isna(ref) else None
        missing = [
            k
            for k, v in (("recency", recency), ("frequency", freq), ("monetary", money))
            if v is None
        ]
        if len(missing) == 3:
            raise InputError(
                "no behaviour columns found (last purchase/visit date or days since, number "
                "of orders or visits, spend)",
                fix="name them with --recency / --frequency / --monetary, or pass a "
                "transactions file (customer id, date, amount)",
            )
        if missing:
            warnings.append(
                f"no {' or '.join(missing)} column: RFM cells need all three, so only "
                f"lifecycle stage and the scores that exist are given"
            )
    out = pd.DataFrame({S.RESPONDENT_ID: customers[id_column].astype(str).to_numpy()})
    idx = customers.index
    for name, series in (
        ("recency_days", recency),
        ("frequency", freq),
        ("monetary", money),
        ("tenure", tenure),
        ("engagement", engagement),
        ("activity_days", activity),
    ):
        out[name] = (
            pd.Series(series, index=idx).to_numpy(dtype=float, na_value=math.nan)
            if series is not None
            else math.nan
        )
    measured = ["recency_days", "frequency", "monetary", "engagement", "activity_days"]
    empty = out[measured].isna().all(axis=1).to_numpy()
    if empty.any():
        warnings.append(
            f"{int(empty.sum())} of {len(out)} respondent(s) have no behaviour data at all "
            "(e.g. reviewers or interviewees) - left out"
        )
        out = out[~empty].reset_index(drop=True)
    if recency is not None and (out["recency_days"] < 0).any():
        warnings.append(
            f"{int((out['recency_days'] < 0).sum())} customer(s) have a last activity after "
            f"the as-of date {ref_str} - their recency is negative"
        )
    out["R"] = quintile_scores(out["recency_days"], higher_is_better=False)
    out["F"] = quintile_scores(out["frequency"])
    out["M"] = quintile_scores(out["monetary"])
    scorable = out[["R", "F", "M"]].notna().all(axis=1)
    n_score = int(scorable.sum())
    if recency is not None and freq is not None and money is not None and n_score < 5:
        raise InputError(
            f"only {n_score} customer(s) have recency, frequency and value: quintile scores "
            "need at least 5",
            fix="use a larger file, or check the behaviour columns found",
        )
    if n_score < len(out) and n_score:
        warnings.append(
            f"{len(out) - n_score} customer(s) lack recency, frequency or value - no RFM cell"
        )
    out["rfm_score"] = [
        f"{r}{f}{m}" if ok else None
        for r, f, m, ok in zip(out["R"], out["F"], out["M"], scorable, strict=False)
    ]
    out["rfm_cell"] = [
        rfm_cell(int(r), int(f), int(m)) if ok else None
        for r, f, m, ok in zip(out["R"], out["F"], out["M"], scorable, strict=False)
    ]
    out["lifecycle"] = lifecycle_stage(out, lapsed_days=lapsed_days, active_days=active_days)
    return BehaviourResult(out, used, ref_str, warnings)


def lifecycle_stage(
    table: pd.DataFrame, *, lapsed_days: float = 365.0, active_days: float = 90.0
) -> list[str | None]:
    """Per customer: customer (bought within ``lapsed_days``), lapsed customer (bought,
    but not within ``lapsed_days``), active prospect (never bought, last visit/activity -
    or last purchase date when there is no activity date - within ``active_days``, or
    engagement counts above 0), inactive prospect (never bought, nothing recent); None
    where the data has neither purchases nor spend.

    Purchases are read from monetary > 0 when there is a value column, else frequency > 0.
    """
    out: list[str | None] = []
    for freq, money, rec, eng, act in zip(
        table["frequency"],
        table["monetary"],
        table["recency_days"],
        table["engagement"],
        table["activity_days"] if "activity_days" in table else [math.nan] * len(table),
        strict=False,
    ):
        bought: bool | None = None
        if not math.isnan(money):
            bought = money > 0
        elif not math.isnan(freq):
            bought = freq > 0
        if bought is None:
            out.append(None)
        elif bought:
            out.append(
                "lapsed customer" if not math.isnan(rec) and rec > lapsed_days else "customer"
            )
        else:
            seen = act if not math.isnan(act) else rec
            recent = not math.isnan(seen) and seen <= active_days
            engaged = not math.isnan(eng) and eng > 0
            out.append("active prospect" if recent or engaged else "inactive prospect")
    return out


def _blanks_missing(df: pd.DataFrame) -> pd.DataFrame:
    """Blank text cells ("" or spaces) as missing values."""
    return df.apply(
        lambda c: (
            c.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
            if c.dtype == object or str(c.dtype).startswith("string")
            else c
        )
    )


def behaviour_from_file(
    df: pd.DataFrame,
    *,
    id_column: str | None = None,
    date_column: str | None = None,
    amount_column: str | None = None,
    overrides: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
    as_of: Any = None,
    lapsed_days: float = 365.0,
    active_days: float = 90.0,
) -> BehaviourResult:
    """RFM for a table: a transactions file (an id repeats) is aggregated per customer
    first; a one-row-per-customer file is read through its behaviour columns. Blank
    cells ("" or spaces, as :func:`insight.ingest.read_table` gives them) are missing."""
    df = _blanks_missing(df)
    if is_transactions(df, id_column) and not overrides:
        tcols = detect_transaction_columns(
            df, customer=id_column, date=date_column, amount=amount_column
        )
        per_customer, warnings = aggregate_transactions(df, tcols, as_of=as_of)
        res = rfm_segments(
            per_customer, as_of=as_of, lapsed_days=lapsed_days, active_days=active_days
        )
        res.as_of = res.as_of or str(max(per_customer["last_date"]) if as_of is None else as_of)
        res.columns = {
            "customer id": tcols.customer,
            "order date": tcols.date,
            "amount": tcols.amount or "(none: value = 0)",
            "aggregated": f"{len(df)} orders -> {len(per_customer)} customers",
        }
        res.table = per_customer[[S.RESPONDENT_ID, "first_date", "last_date"]].merge(
            res.table, on=S.RESPONDENT_ID
        )
        res.warnings = warnings + res.warnings
        return res
    if id_column is None:
        ids = [c for c in df.columns if _ID.search(str(c)) and not df[c].duplicated().any()]
        if not ids:
            raise InputError("no customer id column found", fix="name it with --id-column")
        id_column = str(ids[0])
    cols = detect_behaviour_columns(
        df, exclude=[id_column, S.SOURCE, S.SOURCE_TYPE], overrides=overrides, labels=labels
    )
    return rfm_segments(
        df,
        id_column=id_column,
        columns=cols,
        as_of=as_of,
        lapsed_days=lapsed_days,
        active_days=active_days,
    )


# -- a study's behaviour columns ------------------------------------------------------

#: roles that never hold behaviour (attitude items, text, platform metadata)
_NOT_BEHAVIOUR = ("likert", "open_text", "metadata", "rating", "ignore")


def study_behaviour(
    respondents: pd.DataFrame,
    columns: pd.DataFrame | None = None,
    *,
    overrides: dict[str, str] | None = None,
    as_of: Any = None,
    lapsed_days: float = 365.0,
    active_days: float = 90.0,
    min_measures: int = 2,
    strict: bool = False,
) -> BehaviourResult | None:
    """RFM cells and lifecycle stage of a study's respondents from its behaviour columns.

    ``columns`` is the study's column-role table (column, role, question): the columns
    typed ``behaviour`` at ingest are read (their question texts name what a coded
    column such as Q9 holds); without it every column but attitude items, text and
    metadata is looked at. Returns None when fewer than ``min_measures`` of recency,
    frequency and value are found (a survey with one spend question has no RFM), or
    when no respondent has behaviour data; with ``strict`` (a command asked for
    behaviour segments) each of these is an InputError saying what is missing instead.
    """
    id_column = S.RESPONDENT_ID
    labels: dict[str, str] | None = None
    df = respondents
    if columns is not None and len(columns) and S.COL_ROLE in columns:
        labels = dict(
            zip(
                columns[S.COL_NAME].astype(str),
                columns[S.COL_QUESTION].fillna("").astype(str)
                if S.COL_QUESTION in columns
                else [""] * len(columns),
                strict=False,
            )
        )
        # behaviour columns, and dates (a study typed before behaviour dates were) whose
        # name or question says last order / visit or sign-up
        typed = set(
            columns.loc[
                columns[S.COL_ROLE].isin([S.ROLE_BEHAVIOUR, S.ROLE_DATE]), S.COL_NAME
            ].astype(str)
        )
        skip = set(columns.loc[columns[S.COL_ROLE].isin(_NOT_BEHAVIOUR), S.COL_NAME].astype(str))
        named = set((overrides or {}).values())
        keep = [c for c in df.columns if c == id_column or c in typed or c in named]
        if len(keep) == 1:  # no column typed behaviour: look at every non-attitude column
            keep = [c for c in df.columns if c not in skip or c == id_column]
        df = df[keep]
    if id_column not in df.columns or df.empty:
        if strict:
            raise InputError("the study has no respondents", fix="run `insight run` first")
        return None
    blank = _blanks_missing(df)
    cols = detect_behaviour_columns(
        blank, exclude=[id_column, S.SOURCE, S.SOURCE_TYPE], overrides=overrides, labels=labels
    )
    found = sum(
        x is not None
        for x in (cols.recency_date or cols.recency_days, cols.frequency, cols.monetary)
    )
    if found < min_measures and not strict:
        return None
    try:
        return rfm_segments(
            blank,
            id_column=id_column,
            columns=cols,
            as_of=as_of,
            lapsed_days=lapsed_days,
            active_days=active_days,
        )
    except InputError:
        if strict:
            raise
        return None  # too few customers with the measures: no quintiles to give


def describe(res: BehaviourResult) -> list[str]:
    """Lines for a researcher: columns used, RFM cells and lifecycle stages with n of N."""
    t = res.table
    lines = ["behaviour columns: " + "; ".join(f"{k} = {v}" for k, v in res.columns.items())]
    if res.as_of:
        lines.append(f"recency counted to {res.as_of}")
    n = len(t)
    cells = t["rfm_cell"].dropna().value_counts()
    if len(cells):
        lines.append("RFM cells: " + ", ".join(f"{k} {v} of {n}" for k, v in cells.items()))
    life = t["lifecycle"].dropna().value_counts()
    if len(life):
        lines.append("lifecycle: " + ", ".join(f"{k} {v} of {n}" for k, v in life.items()))
    return lines


def behaviour_stage(store: Any, summary: dict[str, Any], echo: Callable[[str], None]) -> None:
    """The pipeline's behaviour stage: a study whose respondents have behaviour columns
    gets a ``behaviour_segments`` table (RFM cell, lifecycle stage per respondent)."""
    res = study_behaviour(store.read_or_empty("respondents"), store.read_or_empty("columns"))
    if res is None or res.table.empty:
        summary["behaviour"] = "none: no recency, frequency or value columns"
        return
    store.write_table("behaviour_segments", res.table)
    summary["customers"] = len(res.table)
    summary["columns"] = res.columns
    summary["rfm_cells"] = {str(k): int(v) for k, v in res.table["rfm_cell"].value_counts().items()}
    summary["lifecycle"] = {
        str(k): int(v) for k, v in res.table["lifecycle"].value_counts().items()
    }
    summary["warnings"] = list(res.warnings)
    for line in describe(res):
        echo(f"  {line}")
    for w in res.warnings:
        echo(f"  warning: {w}")


__all__ = [
    "LIFECYCLE_STAGES",
    "RFM_CELLS",
    "RFM_GRID",
    "BehaviourColumns",
    "BehaviourResult",
    "TransactionColumns",
    "aggregate_transactions",
    "behaviour_from_file",
    "behaviour_stage",
    "describe",
    "detect_behaviour_columns",
    "detect_transaction_columns",
    "is_date_column",
    "is_transactions",
    "lifecycle_stage",
    "quintile_scores",
    "rfm_cell",
    "rfm_segments",
    "study_behaviour",
]
