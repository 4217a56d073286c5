"""Likert data with known latent classes, for tests and the segmentation benchmark.

Two generators:

* ``"probit"``: each class has a mean on every item's latent scale, drawn from
  N(0, separation^2); a respondent's latent answer is that mean plus N(0, 1) noise (plus an
  optional respondent-level acquiescence shift), cut into ``n_levels`` ordered answers at
  fixed thresholds.
* ``"categorical"``: the classic latent class model; each class prefers one answer per
  item and the probability of an answer falls as exp(-separation * distance).

Then some items are reverse-keyed (answers flipped) and answers go missing completely at
random.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from insight import schema


def simulate_likert(
    n: int = 1000,
    n_items: int = 20,
    k: int = 4,
    *,
    n_levels: int = 5,
    separation: float = 1.0,
    weights: Sequence[float] | None = None,
    missing: float = 0.0,
    reverse_share: float = 0.0,
    kind: str = "probit",
    acquiescence: float = 0.0,
    random_state: int | None = 0,
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Simulate a survey with ``k`` latent classes.

    Returns:
        respondents (respondent_id, Q1..Qn), true class per row, reverse-keyed item names.
    """
    rng = np.random.default_rng(random_state)
    w = np.full(k, 1 / k) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    truth = rng.choice(k, size=n, p=w)
    names = [f"Q{j + 1}" for j in range(n_items)]
    if kind == "probit":
        means = rng.normal(0.0, separation, size=(k, n_items))
        latent = means[truth] + rng.standard_normal((n, n_items))
        if acquiescence:
            latent += rng.normal(0.0, acquiescence, size=(n, 1))
        cuts = np.linspace(-1.5, 1.5, n_levels - 1)
        answers = 1 + (latent[:, :, None] > cuts[None, None, :]).sum(axis=2)
    elif kind == "categorical":
        levels = np.arange(n_levels)
        pref = rng.integers(0, n_levels, size=(k, n_items))
        logits = -separation * np.abs(levels[None, None, :] - pref[:, :, None])
        probs = np.exp(logits)
        probs /= probs.sum(axis=2, keepdims=True)
        cum = probs[truth].cumsum(axis=2)
        u = rng.random((n, n_items, 1))
        answers = 1 + (u > cum).sum(axis=2)
        answers = np.minimum(answers, n_levels)
    else:
        raise ValueError(f"kind must be probit or categorical, not {kind!r}")
    answers = answers.astype(float)
    n_rev = round(reverse_share * n_items)
    reverse = sorted(rng.choice(n_items, size=n_rev, replace=False).tolist()) if n_rev else []
    for j in reverse:
        answers[:, j] = n_levels + 1 - answers[:, j]
    if missing:
        answers[rng.random(answers.shape) < missing] = np.nan
    df = pd.DataFrame(answers, columns=names)
    df.insert(0, schema.RESPONDENT_ID, [f"r{i:05d}" for i in range(n)])
    return df, truth, [names[j] for j in reverse]
