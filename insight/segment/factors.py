"""Exploratory factor analysis of the items: parallel analysis, principal axis factoring, rotation.

* Correlations are pairwise-complete Pearson correlations (missing answers drop out
  pair by pair).
* Number of factors (Horn's parallel analysis): the leading eigenvalues of the item
  correlation matrix that exceed the 95th percentile of eigenvalues from random normal
  data of the same size, counted until the first that does not.
* Extraction: iterated principal axis factoring from squared multiple correlations.
* Rotation: varimax (orthogonal) or oblimin (oblique, gamma = 0, i.e. quartimin, by the
  gradient projection algorithm of Bernaards & Jennrich 2005).
* Each factor is signed so its salient loadings (|l| >= 0.3) sum positive; an item whose
  main loading is <= -0.3 is flagged as probably reverse-keyed.
* Factor scores: Thurstone regression scores on the standardised items (missing = item mean).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SALIENT = 0.3


@dataclass
class FactorResult:
    """Rotated loadings and what is needed to score new respondents.

    Attributes:
        loadings: items x factors (F1..Fm), pattern loadings.
        n_factors: the number of factors.
        rotation: "oblimin", "varimax" or "none".
        eigenvalues: observed eigenvalues of the item correlation matrix.
        random_eigenvalues: 95th percentile eigenvalues from parallel analysis.
        phi: factor correlations (identity for orthogonal rotations).
        communalities: per item.
        flagged_reverse: items whose main loading is negative (probably reverse-keyed).
    """

    loadings: pd.DataFrame
    n_factors: int
    rotation: str
    eigenvalues: np.ndarray
    random_eigenvalues: np.ndarray
    phi: np.ndarray
    communalities: pd.Series
    flagged_reverse: list[str] = field(default_factory=list)
    means_: np.ndarray | None = None
    sds_: np.ndarray | None = None
    weights_: np.ndarray | None = None

    def scores(self, items: pd.DataFrame) -> pd.DataFrame:
        """Regression factor scores (rows = respondents); missing answers count as the mean."""
        cols = list(self.loadings.index)
        z = (items[cols].to_numpy(dtype=float) - self.means_) / self.sds_
        z = np.where(np.isfinite(z), z, 0.0)
        return pd.DataFrame(z @ self.weights_, index=items.index, columns=self.loadings.columns)


def correlation(items: pd.DataFrame) -> np.ndarray:
    """Pairwise-complete Pearson correlations; constant items get 0 off the diagonal."""
    r = items.astype(float).corr(min_periods=3).to_numpy()
    r = np.where(np.isfinite(r), r, 0.0)
    np.fill_diagonal(r, 1.0)
    return r


def parallel_analysis(
    items: pd.DataFrame, n_iter: int = 50, quantile: float = 0.95, random_state: int | None = 0
) -> tuple[int, np.ndarray, np.ndarray]:
    """Horn's parallel analysis.

    Returns:
        number of factors (at least 1), observed eigenvalues, random-data quantile eigenvalues.
    """
    r = correlation(items)
    observed = np.sort(np.linalg.eigvalsh(r))[::-1]
    n, p = items.shape
    rng = np.random.default_rng(random_state)
    sims = np.empty((n_iter, p))
    for i in range(n_iter):
        z = rng.standard_normal((n, p))
        sims[i] = np.sort(np.linalg.eigvalsh(np.corrcoef(z, rowvar=False)))[::-1]
    ref = np.quantile(sims, quantile, axis=0)
    above = observed > ref
    n_factors = int(np.argmin(above)) if not above.all() else p
    return max(1, n_factors), observed, ref


def principal_axis(
    r: np.ndarray, n_factors: int, max_iter: int = 200, tol: float = 1e-5
) -> np.ndarray:
    """Unrotated loadings by iterated principal axis factoring."""
    try:
        h2 = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        h2 = np.full(r.shape[0], 0.5)
    h2 = np.clip(h2, 0.005, 0.995)
    loadings = np.zeros((r.shape[0], n_factors))
    for _ in range(max_iter):
        reduced = r.copy()
        np.fill_diagonal(reduced, h2)
        vals, vecs = np.linalg.eigh(reduced)
        idx = np.argsort(vals)[::-1][:n_factors]
        loadings = vecs[:, idx] * np.sqrt(np.maximum(vals[idx], 0.0))
        new = np.clip((loadings**2).sum(axis=1), 0.005, 0.995)
        if np.max(np.abs(new - h2)) < tol:
            break
        h2 = new
    return loadings


def varimax(a: np.ndarray, max_iter: int = 500, tol: float = 1e-8) -> np.ndarray:
    """Kaiser-normalised varimax rotation."""
    p, m = a.shape
    if m < 2:
        return a.copy()
    h = np.sqrt((a**2).sum(axis=1, keepdims=True))
    h[h == 0] = 1.0
    x = a / h
    rot = np.eye(m)
    crit = 0.0
    for _ in range(max_iter):
        lam = x @ rot
        u, s, vt = np.linalg.svd(x.T @ (lam**3 - lam @ np.diag((lam**2).sum(axis=0)) / p))
        rot = u @ vt
        new = s.sum()
        if new - crit < tol * max(new, 1.0):
            break
        crit = new
    return (x @ rot) * h


def oblimin(
    a: np.ndarray, gamma: float = 0.0, max_iter: int = 1000, tol: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Oblique oblimin rotation (GPA). Returns pattern loadings and factor correlations."""
    p, m = a.shape
    if m < 2:
        return a.copy(), np.eye(m)
    off = np.ones((m, m)) - np.eye(m)
    centre = np.eye(p) - gamma / p * np.ones((p, p))

    def crit(lam: np.ndarray) -> tuple[float, np.ndarray]:
        l2 = lam**2
        x = centre @ l2 @ off
        return float((l2 * x).sum() / 4), lam * x

    t = np.eye(m)
    lam = a.copy()
    f, gq = crit(lam)
    g = -(lam.T @ gq @ np.linalg.inv(t)).T
    step = 1.0
    for _ in range(max_iter):
        gp = g - t @ np.diag((t * g).sum(axis=0))
        s = float(np.linalg.norm(gp))
        if s < tol:
            break
        step *= 2
        for _ in range(11):
            x = t - step * gp
            tt = x / np.sqrt((x**2).sum(axis=0))
            lam_t = a @ np.linalg.inv(tt).T
            ft, gq_t = crit(lam_t)
            if ft < f - 0.5 * s**2 * step:
                break
            step /= 2
        t, lam, f, gq = tt, lam_t, ft, gq_t
        g = -(lam.T @ gq @ np.linalg.inv(t)).T
    return lam, t.T @ t


def factor_analysis(
    items: pd.DataFrame,
    n_factors: int | str = "auto",
    rotation: str = "oblimin",
    random_state: int | None = 0,
    n_iter: int = 50,
) -> FactorResult:
    """Parallel analysis, principal axis extraction and rotation of the item correlations.

    Args:
        items: respondents x items (reverse-keyed items already flipped, NaN = missing).
        n_factors: "auto" (parallel analysis) or a number.
        rotation: "oblimin", "varimax" or "none".
        random_state: seed for the parallel-analysis random data.
        n_iter: random data sets in the parallel analysis.
    """
    if rotation not in ("oblimin", "varimax", "none"):
        raise ValueError(f"rotation must be oblimin, varimax or none, not {rotation!r}")
    items = items.astype(float)
    auto_n, observed, ref = parallel_analysis(items, n_iter=n_iter, random_state=random_state)
    m = auto_n if n_factors == "auto" else int(n_factors)
    m = max(1, min(m, items.shape[1] - 1 if items.shape[1] > 1 else 1))
    r = correlation(items)
    unrotated = principal_axis(r, m)
    if rotation == "varimax":
        lam, phi = varimax(unrotated), np.eye(m)
    elif rotation == "oblimin":
        lam, phi = oblimin(unrotated)
    else:
        lam, phi = unrotated, np.eye(m)
    # sign: salient loadings sum positive; order: by variance explained
    salient = np.where(np.abs(lam) >= SALIENT, lam, 0.0).sum(axis=0)
    signs = np.where(salient != 0, np.sign(salient), np.sign(lam.sum(axis=0)))
    signs = np.where(signs == 0, 1.0, signs)
    lam = lam * signs
    phi = phi * np.outer(signs, signs)
    order = np.argsort(-(lam**2).sum(axis=0), kind="stable")
    lam, phi = lam[:, order], phi[np.ix_(order, order)]
    names = [f"F{i + 1}" for i in range(m)]
    cols = list(items.columns)
    loadings = pd.DataFrame(lam, index=pd.Index(cols, name="item"), columns=names)
    main = np.abs(lam).argmax(axis=1)
    flagged = [c for i, c in enumerate(cols) if lam[i, main[i]] <= -SALIENT]
    structure = lam @ phi
    try:
        weights = np.linalg.solve(r, structure)
    except np.linalg.LinAlgError:
        weights = np.linalg.pinv(r) @ structure
    arr = items.to_numpy(dtype=float)
    means = np.nanmean(arr, axis=0)
    sds = np.nanstd(arr, axis=0, ddof=1)
    sds = np.where(sds > 0, sds, 1.0)
    return FactorResult(
        loadings=loadings,
        n_factors=m,
        rotation=rotation,
        eigenvalues=observed,
        random_eigenvalues=ref,
        phi=phi,
        communalities=pd.Series((lam @ phi * lam).sum(axis=1), index=cols, name="communality"),
        flagged_reverse=flagged,
        means_=means,
        sds_=sds,
        weights_=weights,
    )


def tucker_congruence(x: np.ndarray, y: np.ndarray) -> float:
    """Tucker's congruence coefficient between two loading vectors."""
    den = np.sqrt((x**2).sum() * (y**2).sum())
    return float((x * y).sum() / den) if den > 0 else float("nan")


def match_factors(loadings: pd.DataFrame, target: pd.DataFrame) -> pd.DataFrame:
    """Pair each target column (e.g. a +1/-1/0 key) with the factor of highest |congruence|.

    The pairing is one-to-one (Hungarian assignment). Returns target, factor, congruence
    (sign-corrected, so 1 is perfect recovery).
    """
    from scipy.optimize import linear_sum_assignment

    t = target.reindex(loadings.index).fillna(0.0)
    cong = np.array(
        [
            [tucker_congruence(loadings[f].to_numpy(), t[c].to_numpy()) for f in loadings.columns]
            for c in t.columns
        ]
    )
    rows, cols = linear_sum_assignment(-np.abs(np.nan_to_num(cong)))
    return pd.DataFrame(
        {
            "target": [t.columns[i] for i in rows],
            "factor": [loadings.columns[j] for j in cols],
            "congruence": [abs(cong[i, j]) for i, j in zip(rows, cols, strict=True)],
        }
    )
