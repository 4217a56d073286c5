"""Preparing Likert items for segmentation: checks, exclusions, missing shares, reverse keying.

Rules (stated once, used everywhere):

* **Scale**: an item's (min, max) comes from ``scale``; otherwise every item shares the
  smallest and largest value observed over all items (Likert batteries share one scale,
  and an item nobody answered at the extreme must not shrink its range).
* **Out of scale** values (e.g. 6 = "don't know" on a 1-5 item) become missing, with a warning.
* **Reverse keying**: ``x -> min + max - x``, used for factor analysis and factor scores;
  the mixture models are invariant to it.
* **Straight-liners**: at least ``STRAIGHTLINE_MIN_ITEMS`` items in the battery, the
  respondent answered at least half of them, and every answer is the same raw value.
* **Speeders**: duration below ``SPEEDER_RATIO`` x the median duration.
* **Incomplete**: more than ``max_missing`` of the items unanswered.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insight import schema
from insight.errors import InputError, SchemaError

STRAIGHTLINE_MIN_ITEMS = 5
SPEEDER_RATIO = 0.5
REASON_STRAIGHTLINER = "straight-liner"
REASON_SPEEDER = "speeder"
REASON_INCOMPLETE = "incomplete"


@dataclass
class PreparedItems:
    """The respondents kept for segmentation and why the others were left out.

    Attributes:
        data: kept respondents, indexed by respondent_id, items then extra columns, raw
            answers (out-of-scale values set to missing, nothing reversed).
        items: the Likert item columns.
        extra_columns: behaviour / demographic columns added to the items.
        excluded: respondent_id, reason (reasons joined by ";").
        missing: share of missing answers per item and extra column (before exclusion).
        scale: item -> (min, max).
        reverse: reverse-keyed items.
        counts: rows, kept and one count per exclusion reason.
        warnings: human-readable notes.
    """

    data: pd.DataFrame
    items: list[str]
    extra_columns: list[str]
    excluded: pd.DataFrame
    missing: pd.Series
    scale: dict[str, tuple[float, float]]
    reverse: list[str]
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    def reversed_items(self) -> pd.DataFrame:
        """The kept items with reverse-keyed ones flipped (min + max - x)."""
        return apply_reverse(self.data[self.items], self.reverse, self.scale)


def apply_reverse(
    df: pd.DataFrame, reverse: Sequence[str], scale: Mapping[str, tuple[float, float]]
) -> pd.DataFrame:
    """Flip reverse-keyed columns: ``min + max - x``. Returns a new frame."""
    out = df.copy()
    for col in reverse:
        if col in out.columns:
            lo, hi = scale[col]
            out[col] = lo + hi - out[col]
    return out


def _check_columns(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        shown = ", ".join(f'"{c}"' for c in missing[:5])
        raise SchemaError(
            f"{what} not in the table: {shown}",
            column=missing[0],
            fix="check the names (case matters); available columns: "
            + ", ".join(map(str, list(df.columns)[:30])),
        )


def _numeric_items(df: pd.DataFrame, items: Sequence[str]) -> pd.DataFrame:
    out = {}
    for col in items:
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna() & (df[col].astype(str).str.strip() != "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f'expected a numeric Likert answer, got "{df[col].iloc[row]}"',
                row=row,
                column=col,
                fix="map the labels to numbers at ingest (Likert scales) or leave the column out of --items",
            )
        out[col] = values.astype(float)
    return pd.DataFrame(out, index=df.index)


def infer_scale(
    values: pd.DataFrame, scale: Mapping[str, Sequence[float]] | None
) -> dict[str, tuple[float, float]]:
    """item -> (min, max): from ``scale`` where given, else the range over all items."""
    given = {k: (float(v[0]), float(v[1])) for k, v in (scale or {}).items()}
    for col, (lo, hi) in given.items():
        if not lo < hi:
            raise SchemaError(
                f"scale minimum {lo} is not below maximum {hi}",
                column=col,
                fix="pass scale as {item: (min, max)}",
            )
    rest = [c for c in values.columns if c not in given]
    if rest:
        arr = values[rest].to_numpy(dtype=float)
        if np.isnan(arr).all():
            raise InputError(
                "every answer to the items is missing",
                column=rest[0],
                fix="check the --items names and the file",
            )
        lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
        if lo == hi:
            hi = lo + 1.0
        for col in rest:
            given[col] = (lo, hi)
    return {c: given[c] for c in values.columns}


def prepare_items(
    respondents: pd.DataFrame,
    items: Sequence[str],
    *,
    reverse: Sequence[str] = (),
    scale: Mapping[str, Sequence[float]] | None = None,
    exclude_straightliners: bool = True,
    exclude_speeders: bool = True,
    duration: str | None = None,
    extra_columns: Sequence[str] = (),
    max_missing: float = 0.5,
    id_column: str = schema.RESPONDENT_ID,
) -> PreparedItems:
    """Validate the items, report missing shares, flag and drop straight-liners, speeders, incomplete rows.

    Args:
        respondents: one row per respondent with an ``id_column`` and the item columns.
        items: Likert item columns (numeric, NaN = missing). May be empty when
            ``extra_columns`` are given (segmenting on behaviour only).
        reverse: reverse-keyed items.
        scale: item -> (min, max); see the module rules for the default.
        exclude_straightliners: drop straight-liners (they are always flagged).
        exclude_speeders: drop speeders (needs ``duration``).
        duration: column with the completion time (any unit).
        extra_columns: behaviour / demographic columns to segment on as well.
        max_missing: drop respondents missing more than this share of the items.
        id_column: the respondent id column.
    """
    items = list(dict.fromkeys(items))
    extra = [c for c in dict.fromkeys(extra_columns) if c not in items]
    if not items and not extra:
        raise SchemaError(
            "no columns to segment on",
            fix="name the Likert items with --items (or behaviour columns with --extra)",
        )
    if id_column not in respondents.columns:
        raise SchemaError(
            f'no "{id_column}" column',
            column=id_column,
            fix="name the respondent id column with --id-column",
        )
    _check_columns(respondents, items, "item columns")
    _check_columns(respondents, extra, "extra columns")
    unknown_rev = [c for c in reverse if c not in items]
    if unknown_rev:
        raise SchemaError(
            f'reverse-keyed item "{unknown_rev[0]}" is not one of the items',
            column=unknown_rev[0],
            fix="list only item columns in --reverse",
        )
    ids = respondents[id_column]
    if ids.isna().any():
        raise InputError(
            "a respondent has no id",
            row=int(np.flatnonzero(ids.isna().to_numpy())[0]),
            column=id_column,
            fix="fill the id column or choose another with --id-column",
        )
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise InputError(
            f'respondent id "{dup}" appears more than once',
            column=id_column,
            fix="give each respondent one row (aggregate first) or choose another --id-column",
        )
    notes: list[str] = []
    values = _numeric_items(respondents, items) if items else pd.DataFrame(index=respondents.index)
    sc = infer_scale(values, scale) if items else {}
    for col in items:
        lo, hi = sc[col]
        out = (values[col] < lo) | (values[col] > hi)
        if out.any():
            notes.append(
                f"{col}: {int(out.sum())} answers outside the scale {lo:g}-{hi:g} treated as missing"
            )
            values.loc[out, col] = np.nan
    data = pd.concat([values, respondents[extra]], axis=1)
    data.index = pd.Index(ids.to_numpy(), name=schema.RESPONDENT_ID)
    missing = data.isna().mean().rename("missing_share")
    missing.index.name = "item"

    reasons: dict[str, list[str]] = {}
    n = len(data)
    if items:
        arr = data[items].to_numpy(dtype=float)
        answered = (~np.isnan(arr)).sum(axis=1)
        incomplete = answered < (1 - max_missing) * len(items)
        incomplete |= answered == 0
        for rid in data.index[incomplete]:
            reasons.setdefault(rid, []).append(REASON_INCOMPLETE)
        if len(items) >= STRAIGHTLINE_MIN_ITEMS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                spread = np.nanmax(arr, axis=1) - np.nanmin(arr, axis=1)
            straight = (answered >= len(items) / 2) & (spread == 0)
            if exclude_straightliners:
                for rid in data.index[straight]:
                    reasons.setdefault(rid, []).append(REASON_STRAIGHTLINER)
            elif straight.any():
                notes.append(f"{int(straight.sum())} straight-liners kept (exclusion turned off)")
    if duration is not None:
        _check_columns(respondents, [duration], "duration column")
        dur = pd.to_numeric(respondents[duration], errors="coerce").to_numpy(dtype=float)
        med = np.nanmedian(dur) if np.isfinite(dur).any() else np.nan
        speeder = np.isfinite(dur) & (dur < SPEEDER_RATIO * med)
        if exclude_speeders:
            for rid in data.index[speeder]:
                reasons.setdefault(rid, []).append(REASON_SPEEDER)
        elif speeder.any():
            notes.append(f"{int(speeder.sum())} speeders kept (exclusion turned off)")
    excluded = pd.DataFrame(
        {
            schema.RESPONDENT_ID: list(reasons),
            "reason": [";".join(r) for r in reasons.values()],
        }
    )
    kept = data.loc[~data.index.isin(list(reasons))]
    counts = {"rows": n, "kept": len(kept), "excluded": len(reasons)}
    for reason in (REASON_INCOMPLETE, REASON_STRAIGHTLINER, REASON_SPEEDER):
        counts[reason] = sum(reason in r for r in reasons.values())
    if reasons:
        notes.append(
            f"excluded {len(reasons)} of {n} respondents: "
            + ", ".join(
                f"{counts[r]} {r}"
                for r in (REASON_INCOMPLETE, REASON_STRAIGHTLINER, REASON_SPEEDER)
                if counts[r]
            )
        )
    return PreparedItems(
        data=kept,
        items=items,
        extra_columns=extra,
        excluded=excluded,
        missing=missing,
        scale=sc,
        reverse=list(reverse),
        counts=counts,
        warnings=notes,
    )
