"""Segment profiles: each segment against the rest, item by item, with effect sizes.

* mean / rest_mean: on the answers as given (not reverse-keyed), so they read with the
  question text.
* d: Cohen's d with the pooled standard deviation, (mean - rest_mean) / s_pooled.
* p: Welch's t-test (default) or the Mann-Whitney U test, two-sided.
* p_adj: Benjamini-Hochberg over the whole table (every segment x item test is one family).
Missing answers drop out item by item.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from insight import schema
from insight.stats import bh_adjust as benjamini_hochberg
from insight.stats import cohens_d


def profile_segments(
    values: pd.DataFrame, labels: np.ndarray | pd.Series, test: str = "welch"
) -> pd.DataFrame:
    """Per segment and numeric column: n, mean, rest_mean, d, p, p_adj.

    Args:
        values: respondents x columns (numeric; other columns are skipped).
        labels: segment of each row of ``values``.
        test: "welch" or "mannwhitney".
    """
    from scipy import stats

    if test not in ("welch", "mannwhitney"):
        raise ValueError(f"test must be welch or mannwhitney, not {test!r}")
    labels = np.asarray(labels)
    rows = []
    numeric = [c for c in values.columns if pd.api.types.is_numeric_dtype(values[c])]
    for seg in np.unique(labels):
        inside = labels == seg
        for col in numeric:
            v = values[col].to_numpy(dtype=float)
            a = v[inside & np.isfinite(v)]
            b = v[~inside & np.isfinite(v)]
            p = float("nan")
            if len(a) >= 2 and len(b) >= 2 and (np.ptp(a) > 0 or np.ptp(b) > 0 or a[0] != b[0]):
                with warnings.catch_warnings():
                    # constant groups trip scipy's precision warning; the p-value is still right
                    warnings.simplefilter("ignore", RuntimeWarning)
                    if test == "welch":
                        p = float(stats.ttest_ind(a, b, equal_var=False).pvalue)
                    else:
                        p = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
            rows.append(
                {
                    schema.SEGMENT: int(seg),
                    "item": str(col),
                    "n": len(a),
                    "mean": float(a.mean()) if len(a) else float("nan"),
                    "rest_mean": float(b.mean()) if len(b) else float("nan"),
                    "d": cohens_d(a, b),
                    "p": p,
                }
            )
    out = pd.DataFrame(rows, columns=[schema.SEGMENT, "item", "n", "mean", "rest_mean", "d", "p"])
    out["p_adj"] = benjamini_hochberg(out["p"].to_numpy())
    return out


def top_items(profiles: pd.DataFrame, n: int = 5, alpha: float = 0.05) -> pd.DataFrame:
    """The most distinctive items per segment: largest |d| among p_adj < alpha.

    Returns segment, rank, item, mean, rest_mean, d, p_adj, direction ("higher"/"lower").
    """
    sig = profiles[(profiles["p_adj"] < alpha) & np.isfinite(profiles["d"])].copy()
    sig["abs_d"] = sig["d"].abs()
    sig = sig.sort_values([schema.SEGMENT, "abs_d", "item"], ascending=[True, False, True])
    top = sig.groupby(schema.SEGMENT, sort=True).head(n).copy()
    top["rank"] = top.groupby(schema.SEGMENT).cumcount() + 1
    top["direction"] = np.where(top["d"] > 0, "higher", "lower")
    cols = [schema.SEGMENT, "rank", "item", "mean", "rest_mean", "d", "p_adj", "direction"]
    return top[cols].reset_index(drop=True)


def item_direction(columns: pd.DataFrame | None, item: str) -> int | None:
    """Which way an item's numbers run, from the study's ``columns`` table: +1 when higher
    answers mean more agreement (or the better end), -1 when lower ones do (labels such as
    "1 = Very good", or ``reverse: true`` set in the schema), None when nothing says (bare
    numbers): then a segment "scores higher", it does not "agree more"."""
    import json

    from insight.ingest.scales import label_direction

    if columns is None or not len(columns) or schema.COL_NAME not in columns:
        return None
    rows = columns[columns[schema.COL_NAME].astype(str) == str(item)]
    if rows.empty:
        return None
    r = rows.iloc[0]
    labels = r.get("labels")
    try:
        parsed = json.loads(labels) if isinstance(labels, str) and labels.strip() else labels
    except ValueError:
        parsed = None
    direction = label_direction(parsed if isinstance(parsed, dict) else None)
    rev = r.get("reverse")
    reverse = (
        bool(rev) if rev is not None and not (isinstance(rev, float) and rev != rev) else False
    )
    if reverse:
        return -(direction or 1)
    return direction


def item_instrument(columns: pd.DataFrame | None, item: str) -> str | None:
    """The published item a column was read as ("known instrument: PSSUQ v2 item 12", from
    the study's ``columns`` table), or None for a question of the study's own."""
    if columns is None or not len(columns) or "why" not in columns:
        return None
    rows = columns[columns[schema.COL_NAME].astype(str) == str(item)]
    why = str(rows.iloc[0]["why"]) if len(rows) else ""
    return why if why.startswith("known instrument: ") else None
