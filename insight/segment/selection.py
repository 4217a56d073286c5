"""Choosing the method and the number of segments by stated rules.

Models fitted (the ``method`` column of the fit table):

* ``lca-categorical``: latent class analysis with each Likert answer a category.
* ``lca-ordinal``: latent class analysis with each Likert answer a binomial count of steps
  up the scale (one parameter per class and item; suits many answer options or few people).
* ``gmm``: diagonal Gaussian mixture (latent profile analysis) on the rescaled columns.
* ``kmeans``: k-means on the rescaled, mean-filled columns.

Rules:

* ``method="auto"``: the LCA family when any column is categorical (Likert items, text
  columns; continuous columns join as Gaussian indicators), else ``gmm``. Every model is
  still fitted and shown in the fit table.
* ``method="lca"``: both LCA variants; their likelihoods are for the same discrete answers,
  so their BICs compare directly.
* k for mixtures: the lowest BIC among admissible solutions (every segment has members)
  over the k range, read from the ``lca-ordinal`` curve when that model competes (its
  parameter count does not grow with the number of answer options, so the count of
  segments does not shrink on 7- or 11-point scales), else from the model with the lowest
  BIC. When the lowest BIC sits at the top of the range the BIC is still falling, which is
  what continuous traits without distinct groups look like: the elbow is taken instead,
  the k with the largest second difference of the BIC curve, and a warning says so.
* The LCA variant: the lower BIC at that k.
* k for ``kmeans``: the highest mean silhouette.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LCA_CATEGORICAL = "lca-categorical"
LCA_ORDINAL = "lca-ordinal"
METHODS = (LCA_CATEGORICAL, LCA_ORDINAL, "gmm", "kmeans")
MIXTURES = (LCA_CATEGORICAL, LCA_ORDINAL, "gmm")
CHOICES = ("auto", "lca", *METHODS)


def family(method: str, has_ordinal: bool, has_categorical: bool) -> tuple[list[str], str]:
    """The models competing for ``method`` and the sentence that justifies the family."""
    lca = [LCA_CATEGORICAL] + ([LCA_ORDINAL] if has_ordinal else [])
    if method == "auto":
        if has_categorical:
            return lca, (
                "latent class analysis because the columns include categorical answers "
                "(missing answers marginalised); categorical vs ordinal variant by BIC"
            )
        return ["gmm"], "Gaussian mixture (latent profiles) because every column is continuous"
    if method == "lca":
        return lca, "latent class analysis (asked for); categorical vs ordinal variant by BIC"
    return [method], f"{method} (asked for)"


def choose(table: pd.DataFrame, candidates: list[str]) -> tuple[str, int, str, list[str]]:
    """Pick the model and k among ``candidates`` from the fit table.

    Returns:
        method, k, the rule as a sentence, warnings.
    """
    rows = table[table["method"].isin(candidates)]
    ok = rows[rows["admissible"]]
    notes: list[str] = []
    if ok.empty:
        first = rows.sort_values("k").iloc[0]
        notes.append("no solution had members in every segment; took the smallest k")
        return str(first["method"]), int(first["k"]), "smallest k (no admissible solution)", notes
    lo, hi = int(ok["k"].min()), int(ok["k"].max())
    if candidates == ["kmeans"]:
        if ok["silhouette"].isna().all():
            return "kmeans", lo, "smallest k (silhouette undefined)", notes
        best = ok.loc[ok["silhouette"].idxmax()]
        return "kmeans", int(best["k"]), f"highest silhouette over k={lo}..{hi}", notes
    # k from the most parsimonious model present (lca-ordinal if it competes)
    by = LCA_ORDINAL if LCA_ORDINAL in set(ok["method"]) else None
    if by is None:
        by = str(ok.loc[ok["bic"].idxmin(), "method"])
    curve = ok[ok["method"] == by].sort_values("k")
    k = int(curve.loc[curve["bic"].idxmin(), "k"])
    k_rule = f"k by the lowest {by} BIC over k={lo}..{hi}"
    if len(curve) >= 3 and k == int(curve["k"].max()):
        bic = curve["bic"].to_numpy(dtype=float)
        second = bic[:-2] - 2 * bic[1:-1] + bic[2:]
        k = int(curve["k"].to_numpy()[int(np.argmax(second)) + 1])
        notes.append(
            f"BIC still falling at k={hi}, the top of the range: the answers may vary "
            f"continuously rather than form distinct groups; took the elbow k={k}"
        )
        k_rule = (
            f"k at the elbow of the {by} BIC curve over k={lo}..{hi} (largest second "
            "difference), because its lowest BIC was at the top of the range"
        )
    at_k = ok[ok["k"] == k]
    method = str(at_k.loc[at_k["bic"].idxmin(), "method"]) if len(at_k) else by
    if len(candidates) > 1:
        k_rule += f"; {method} has the lower BIC at k={k}"
    return method, k, k_rule, notes
