"""Choosing the method and the number of segments by stated rules.

* **Method** (``method="auto"``): latent class analysis (``lca``) when any column is
  categorical (Likert answers, nominal columns; continuous columns join it as Gaussian
  indicators), else a diagonal Gaussian mixture / latent profile model (``gmm``).
  k-means is fitted only when asked for, or shown as a baseline in the fit table.
* **k** for the mixtures (``lca``, ``gmm``): the lowest BIC over the range among
  admissible solutions (every segment has members). When the lowest BIC sits at the top
  of the range the BIC is still falling, which is what continuous traits without distinct
  groups look like: then the elbow is taken, the k with the largest second difference of
  the BIC curve (the point after which adding a segment buys least), and a warning says so.
* **k** for ``kmeans``: the highest mean silhouette.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

METHODS = ("lca", "gmm", "kmeans")
MIXTURES = ("lca", "gmm")


def auto_method(has_categorical: bool) -> tuple[str, str]:
    """The method and the sentence that justifies it."""
    if has_categorical:
        return (
            "lca",
            "method lca (latent class analysis): the columns include categorical answers "
            "(Likert items are fitted as categories, missing answers marginalised)",
        )
    return (
        "gmm",
        "method gmm (Gaussian mixture / latent profiles, diagonal covariance): every column is continuous",
    )


def choose_k(table: pd.DataFrame, method: str) -> tuple[int, str, list[str]]:
    """Pick k for one method from its rows of the fit table.

    Returns:
        k, the rule as a sentence, warnings.
    """
    rows = table[(table["method"] == method) & table["admissible"]].sort_values("k")
    notes: list[str] = []
    if rows.empty:
        rows = table[table["method"] == method].sort_values("k")
        notes.append(f"{method}: no solution had members in every segment; took the smallest k")
        return int(rows["k"].iloc[0]), "smallest k (no admissible solution)", notes
    ks = rows["k"].to_numpy()
    lo, hi = int(ks.min()), int(ks.max())
    if method in MIXTURES:
        bic = rows["bic"].to_numpy(dtype=float)
        best = int(np.argmin(bic))
        if len(ks) >= 3 and best == len(ks) - 1:
            second = bic[:-2] - 2 * bic[1:-1] + bic[2:]
            knee = int(np.argmax(second)) + 1
            k = int(ks[knee])
            notes.append(
                f"BIC still falling at k={hi}, the top of the range: the items may vary "
                f"continuously rather than form distinct groups; took the elbow k={k}"
            )
            return (
                k,
                f"elbow of the BIC curve over k={lo}..{hi} (largest second difference), "
                "because the lowest BIC was at the top of the range",
                notes,
            )
        return int(ks[best]), f"lowest BIC over k={lo}..{hi}", notes
    sil = rows["silhouette"].to_numpy(dtype=float)
    if np.isnan(sil).all():
        return lo, "smallest k (silhouette undefined)", notes
    return int(ks[int(np.nanargmax(sil))]), f"highest silhouette over k={lo}..{hi}", notes
