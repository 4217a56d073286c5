"""Bootstrap stability of a segmentation (Hennig's clusterwise Jaccard plus overall ARI).

Each resample draws n respondents with replacement and refits the chosen method at the
chosen k (same settings, its own seed). The overall agreement is the adjusted Rand index
between the reference segments and the resample's model applied to everyone. A segment's
stability is the mean over resamples of its best Jaccard overlap with a resample segment,
among the respondents drawn (Hennig 2007: below 0.6 a segment dissolves, 0.6-0.75 is a
pattern, above 0.85 a highly stable segment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from insight import schema

if TYPE_CHECKING:
    from insight.segment.models import Segmenter

MIN_JACCARD = 0.75
MIN_SHARE = 0.05


@dataclass
class Stability:
    """Bootstrap stability report.

    Attributes:
        ari_mean: mean adjusted Rand index between the solution and the resamples' solutions.
        ari_sd: its standard deviation.
        jaccard: segment, size, share, jaccard (mean best Jaccard over resamples).
        warnings: segments below the stability or size bars.
        n_bootstrap: resamples run.
        ari: the ARI of each resample.
    """

    ari_mean: float
    ari_sd: float
    jaccard: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    n_bootstrap: int = 0
    ari: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _best_jaccard(ref: np.ndarray, boot: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros(k)
    for s in range(k):
        a = ref == s
        if not a.any():
            continue
        best = 0.0
        for c in np.unique(boot):
            b = boot == c
            union = np.count_nonzero(a | b)
            best = max(best, np.count_nonzero(a & b) / union if union else 0.0)
        out[s] = best
    return out


def bootstrap_stability(
    segmenter: Segmenter,
    X: pd.DataFrame,
    n_bootstrap: int = 50,
    random_state: int | None = 0,
    min_jaccard: float = MIN_JACCARD,
    min_share: float = MIN_SHARE,
    progress: bool = False,
) -> Stability:
    """Resample respondents, refit at the chosen method and k, compare with the fitted segments.

    Args:
        segmenter: a fitted ``Segmenter``.
        X: the data it was fitted on (same rows, same order).
        n_bootstrap: resamples (0 = only the size check).
        random_state: seed for the resampling.
        min_jaccard: warn below this per-segment stability.
        min_share: warn below this segment share.
        progress: show a progress bar.
    """
    from sklearn.metrics import adjusted_rand_score

    ref = segmenter.labels_
    k = segmenter.k_
    n = len(ref)
    sizes = np.bincount(ref, minlength=k)
    rng = np.random.default_rng(random_state)
    aris, jac = [], []
    rounds = range(n_bootstrap)
    if progress and n_bootstrap:
        from tqdm import tqdm

        rounds = tqdm(rounds, desc="bootstrap", unit="resample", disable=None)
    for _ in rounds:
        idx = rng.integers(0, n, n)
        if k > 1 and len(np.unique(ref[idx])) < 2:
            continue
        params = segmenter.get_params()
        params.update(
            method=segmenter.method_,
            k=k,
            random_state=int(rng.integers(2**31 - 1)),
            compare_methods=False,
        )
        boot = type(segmenter)(**params)
        boot.fit(X.iloc[idx])
        labels = boot.predict(X)
        aris.append(adjusted_rand_score(ref, labels) if k > 1 else 1.0)
        drawn = np.unique(idx)
        jac.append(_best_jaccard(ref[drawn], labels[drawn], k))
    ari = np.array(aris)
    jmean = np.mean(jac, axis=0) if jac else np.full(k, np.nan)
    table = pd.DataFrame(
        {
            schema.SEGMENT: np.arange(k),
            "size": sizes,
            "share": sizes / n,
            "jaccard": jmean,
        }
    )
    notes = []
    for row in table.itertuples():
        if np.isfinite(row.jaccard) and row.jaccard < min_jaccard:
            notes.append(
                f"segment {row.segment} is unstable: Jaccard {row.jaccard:.2f} < {min_jaccard} "
                f"over {len(jac)} resamples"
            )
        if row.share < min_share:
            notes.append(
                f"segment {row.segment} is small: {row.share:.1%} of respondents (< {min_share:.0%})"
            )
    return Stability(
        ari_mean=float(ari.mean()) if ari.size else float("nan"),
        ari_sd=float(ari.std(ddof=1)) if ari.size > 1 else float("nan"),
        jaccard=table,
        warnings=notes,
        n_bootstrap=len(aris),
        ari=ari,
    )
