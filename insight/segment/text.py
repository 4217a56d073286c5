"""Text-only mode: segment respondents on a feature matrix built from what they said.

The caller builds the features (one row per respondent, indexed by respondent_id), for
example the mean sentence embedding plus the emotion and pain-point profile from
`respondent_emotions`. Rules:

* rows with no finite feature are excluded (reason "no features"); other missing values
  are marginalised by the Gaussian mixture and mean-filled for k-means;
* constant columns are dropped;
* every column is standardised; when there are more than ``max_dims`` columns they are
  reduced to ``max_dims`` principal components ("auto": min(10, max(2, n // 20)));
* ``method="auto"`` is the diagonal Gaussian mixture, k the lowest BIC (see ``selection``);
* profiles compare segments on the original feature columns.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insight import schema
from insight.errors import InputError, SchemaError
from insight.segment.api import SegmentationResult, fit_segments
from insight.segment.models import Segmenter
from insight.segment.preprocess import PreparedItems


def segment_text(
    features: pd.DataFrame,
    *,
    method: str = "auto",
    k: int | str = "auto",
    random_state: int | None = 0,
    n_bootstrap: int = 50,
    k_range: tuple[int, int] = (2, 8),
    max_dims: int | str = "auto",
    n_init: int = 5,
    progress: bool = False,
) -> SegmentationResult:
    """Segment respondents on numeric text features (no Likert items).

    Args:
        features: one row per respondent, indexed by respondent_id (or with a
            ``respondent_id`` column), numeric columns only.
        method: "gmm", "kmeans" or "auto" (= gmm).
        k: number of segments or "auto".
        random_state: seed; the same seed gives the same segments.
        n_bootstrap: resamples for the stability report.
        k_range: (min, max) k tried when ``k="auto"``.
        max_dims: principal components kept, "auto" or an int.
        n_init: EM starts per k.
        progress: show a bootstrap progress bar.
    """
    df = features.copy()
    if schema.RESPONDENT_ID in df.columns:
        df = df.set_index(schema.RESPONDENT_ID)
    df.index.name = schema.RESPONDENT_ID
    if df.index.duplicated().any():
        raise InputError(
            f'respondent "{df.index[df.index.duplicated()][0]}" has more than one feature row',
            fix="aggregate the features to one row per respondent first",
        )
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise SchemaError(
            "text features must be numeric",
            column=str(bad[0]),
            fix="drop or encode the column before segmenting",
        )
    if method.startswith("lca"):
        raise SchemaError(
            "lca needs categorical answers; text features are continuous",
            fix="use method gmm or kmeans",
        )
    df.columns = [str(c) for c in df.columns]
    df = df.astype(float)
    missing = df.isna().mean().rename("missing_share")
    missing.index.name = "item"
    empty = ~np.isfinite(df.to_numpy()).any(axis=1)
    excluded = pd.DataFrame(
        {schema.RESPONDENT_ID: df.index[empty].to_numpy(), "reason": "no features"}
    )
    df = df.loc[~empty]
    notes = []
    if empty.any():
        notes.append(f"excluded {int(empty.sum())} respondents without features")
    const = [c for c in df.columns if df[c].nunique(dropna=True) <= 1]
    if const:
        notes.append(f"dropped {len(const)} constant feature columns")
        df = df.drop(columns=const)
    if df.shape[1] == 0 or len(df) < 4:
        raise InputError(
            f"nothing to segment: {len(df)} respondents x {df.shape[1]} varying features",
            fix="pass more respondents or features",
        )
    prep = PreparedItems(
        data=df,
        items=[],
        extra_columns=list(df.columns),
        excluded=excluded,
        missing=missing,
        scale={},
        reverse=[],
        counts={"rows": len(features), "kept": len(df), "excluded": int(empty.sum())},
        warnings=notes,
    )
    dims = min(10, max(2, len(df) // 20)) if max_dims == "auto" else int(max_dims)
    model = Segmenter(
        method=method,
        k=k,
        k_range=k_range,
        random_state=random_state,
        n_init=n_init,
        categorical=[],
        max_dims=dims,
    )
    return fit_segments(model, prep, n_bootstrap=n_bootstrap, progress=progress)
