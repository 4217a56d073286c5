"""`Segmenter`: a scikit-learn style estimator that picks a method and k, then assigns segments.

Columns are read as one of three kinds:

* **ordinal**: Likert items (numeric, at most ``max_categories`` distinct whole values, or
  named in ``categorical``). LCA fits them as categories; k-means and the
  Gaussian mixture see them rescaled to 0-1 by their scale.
* **nominal**: text columns (demographics). LCA fits them as categories; the others see
  one-hot 0/1 columns.
* **continuous**: other numbers (behaviour, text features, factor scores), standardised and
  multiplied by the median spread of the 0-1 Likert columns (if any) so one such column
  weighs about as much as one item.

Missing answers: LCA and the Gaussian mixture leave them out of the likelihood; k-means
(and its initial partitions) fill them with the column mean of the fitting data.
Segments are numbered 0, 1, ... from the largest to the smallest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClusterMixin

from insight.errors import SchemaError
from insight.segment import selection
from insight.segment.mixture import (
    MixtureData,
    MixtureParams,
    entropy,
    fit_em,
    posterior,
    relative_entropy,
)

ORDINAL, NOMINAL, CONTINUOUS = "ordinal", "nominal", "continuous"


class _KMeansModel:
    """k-means with soft memberships from a spherical Gaussian of pooled within-segment variance."""

    def __init__(self, centers: np.ndarray, weights: np.ndarray, var: float) -> None:
        self.centers = centers
        self.weights = weights
        self.var = max(var, 1e-12)

    def proba(self, x: np.ndarray) -> np.ndarray:
        d2 = ((x[:, None, :] - self.centers[None, :, :]) ** 2).sum(axis=2)
        # equal weights so the most probable segment is always the nearest centre
        logit = -d2 / (2 * self.var)
        logit -= logit.max(axis=1, keepdims=True)
        p = np.exp(logit)
        return p / p.sum(axis=1, keepdims=True)


class Segmenter(ClusterMixin, BaseEstimator):
    """Segment respondents with latent class analysis, a Gaussian mixture or k-means.

    Args:
        method: "auto", "lca" (both variants), "lca-categorical", "lca-ordinal", "gmm" or
            "kmeans" (see ``insight.segment.selection``).
        k: number of segments, or "auto" to choose over ``k_range``.
        k_range: (smallest, largest) k tried when ``k="auto"``.
        random_state: seed; the same seed gives the same segments.
        n_init: EM starts (each from a different k-means partition); k-means uses 2x this.
        scale: column -> (min, max) of Likert items.
        reverse: reverse-keyed items (flipped before factor analysis / scoring).
        categorical: columns to treat as Likert categories; None infers them (a numeric
            column with at most ``max_categories`` distinct whole values, and a scale no
            wider than that); an empty list makes every numeric column continuous.
        max_categories: see ``categorical``.
        use_factors: cluster on factor scores of the Likert items instead of the items.
        n_factors: factors for ``use_factors`` ("auto" = parallel analysis).
        max_dims: reduce continuous columns to this many principal components (text mode).
        max_iter: EM iterations per start.
        compare_methods: fill the fit table with every method (and silhouettes) for
            comparison; the bootstrap refits turn it off (only the chosen family is fitted).

    A scikit-learn estimator: ``get_params``/``set_params``/``sklearn.clone`` work and
    ``fit`` never changes a parameter (what it learns ends in ``_``).

    Attributes (after fit):
        method_, k_, rule_, fit_table_, labels_, proba_, kinds_, factors_, warnings_.
    """

    def __init__(
        self,
        method: str = "auto",
        k: int | str = "auto",
        *,
        k_range: tuple[int, int] = (2, 8),
        random_state: int | None = 0,
        n_init: int = 5,
        scale: Mapping[str, Sequence[float]] | None = None,
        reverse: Sequence[str] = (),
        categorical: Sequence[str] | None = None,
        max_categories: int = 11,
        use_factors: bool = False,
        n_factors: int | str = "auto",
        max_dims: int | None = None,
        max_iter: int = 500,
        compare_methods: bool = True,
    ) -> None:
        self.method = method
        self.k = k
        self.k_range = k_range
        self.random_state = random_state
        self.n_init = n_init
        self.scale = scale
        self.reverse = reverse
        self.categorical = categorical
        self.max_categories = max_categories
        self.use_factors = use_factors
        self.n_factors = n_factors
        self.max_dims = max_dims
        self.max_iter = max_iter
        self.compare_methods = compare_methods

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # -- columns ----------------------------------------------------------------
    def _learn_columns(self, x: pd.DataFrame) -> None:
        self.feature_names_in_ = [str(c) for c in x.columns]
        self.n_features_in_ = len(self.feature_names_in_)
        scale = {k: (float(v[0]), float(v[1])) for k, v in (self.scale or {}).items()}
        self.kinds_: dict[str, str] = {}
        self.categories_: dict[str, np.ndarray] = {}
        self.scale_: dict[str, tuple[float, float]] = {}
        for col in x.columns:
            s = x[col]
            if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
                self.kinds_[col] = NOMINAL
                self.categories_[col] = np.array(sorted(s.dropna().astype(str).unique()))
                continue
            v = s.astype(float).dropna().to_numpy()
            whole = v.size > 0 and np.allclose(v, np.round(v))
            uniq = np.unique(v)
            lo, hi = scale.get(col, (float(uniq.min()), float(uniq.max())) if v.size else (0, 1))
            few = whole and len(uniq) <= self.max_categories
            few = few and (col not in scale or hi - lo + 1 <= self.max_categories)
            if col in set(self.categorical or ()) or (self.categorical is None and few):
                self.kinds_[col] = ORDINAL
                self.scale_[col] = (lo, hi if hi > lo else lo + 1)
                if lo == round(lo) and hi == round(hi) and hi - lo <= 100:
                    cats = np.arange(lo, hi + 1)
                else:
                    cats = uniq
                self.categories_[col] = cats
            else:
                self.kinds_[col] = CONTINUOUS
        self.ordinal_ = [c for c in x.columns if self.kinds_[c] == ORDINAL]
        self.nominal_ = [c for c in x.columns if self.kinds_[c] == NOMINAL]
        self.continuous_ = [c for c in x.columns if self.kinds_[c] == CONTINUOUS]

    def _codes(self, x: pd.DataFrame, cols: list[str]) -> np.ndarray:
        """Integer category codes, -1 for missing or unseen (nearest category for in-between)."""
        out = np.full((len(x), len(cols)), -1, dtype=int)
        for j, col in enumerate(cols):
            cats = self.categories_[col]
            if self.kinds_[col] == NOMINAL:
                lookup = {c: i for i, c in enumerate(cats)}
                vals = x[col]
                out[:, j] = [lookup.get(str(v), -1) if pd.notna(v) else -1 for v in vals]
            else:
                v = x[col].astype(float).to_numpy()
                ok = np.isfinite(v) & (v >= cats[0] - 0.5) & (v <= cats[-1] + 0.5)
                near = np.abs(v[:, None] - cats[None, :]).argmin(axis=1) if len(cats) else v
                out[ok, j] = near[ok]
        return out

    def _continuous_block(self, x: pd.DataFrame, fit: bool) -> np.ndarray:
        """Standardised continuous columns (and factor scores), NaN kept."""
        parts = []
        if self.continuous_:
            parts.append(x[self.continuous_].astype(float).to_numpy())
        if self.factors_ is not None:
            items = x[self.ordinal_].astype(float)
            for col in self.reverse:
                if col in items.columns:
                    lo, hi = self.scale_[col]
                    items[col] = lo + hi - items[col]
            parts.append(self.factors_.scores(items).to_numpy())
        if not parts:
            return np.zeros((len(x), 0))
        arr = np.hstack(parts)
        if fit:
            self.cont_mean_ = np.nanmean(arr, axis=0)
            sd = np.nanstd(arr, axis=0)
            self.cont_sd_ = np.where(sd > 0, sd, 1.0)
        return (arr - self.cont_mean_) / self.cont_sd_

    def _design(self, x: pd.DataFrame, fit: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(dense design for k-means / Gaussian mixture with NaN, imputed dense design)."""
        parts = []
        ordinal = [] if self.factors_ is not None else self.ordinal_
        for col in ordinal:
            lo, hi = self.scale_[col]
            parts.append(((x[col].astype(float).to_numpy() - lo) / (hi - lo))[:, None])
        if fit:
            spread = [float(np.nanstd(p)) for p in parts]
            self.weight_ = float(np.median(spread)) if spread and np.median(spread) > 0 else 1.0
        for col in self.nominal_:
            codes = self._codes(x, [col])[:, 0]
            oh = np.zeros((len(x), len(self.categories_[col])))
            oh[np.flatnonzero(codes >= 0), codes[codes >= 0]] = 1.0
            oh[codes < 0] = np.nan
            parts.append(oh)
        cont = self._continuous_block(x, fit)
        if cont.shape[1]:
            parts.append(cont * self.weight_)
        dense = np.hstack(parts) if parts else np.zeros((len(x), 0))
        if fit:
            fill = np.nanmean(dense, axis=0)
            self.fill_ = np.where(np.isfinite(fill), fill, 0.0)
        imputed = np.where(np.isfinite(dense), dense, self.fill_[None, :])
        if fit:
            self.pca_ = None
            if self.max_dims is not None and imputed.shape[1] > self.max_dims:
                from sklearn.decomposition import PCA

                self.pca_ = PCA(n_components=self.max_dims, random_state=0).fit(imputed)
        if self.pca_ is not None:
            imputed = self.pca_.transform(imputed)
            dense = imputed
        return dense, imputed

    def _mixture_data(self, x: pd.DataFrame, method: str, dense: np.ndarray) -> MixtureData:
        if method == "gmm":
            return MixtureData.build(np.zeros((len(x), 0), dtype=int), [], dense)
        ordinal = [] if self.factors_ is not None else self.ordinal_
        binomial = ordinal if method == selection.LCA_ORDINAL else []
        cat_cols = [c for c in ordinal if c not in binomial] + self.nominal_
        codes = self._codes(x, cat_cols)
        n_cats = [len(self.categories_[c]) for c in cat_cols]
        gauss = self._continuous_block(x, fit=False)
        steps = self._codes(x, binomial)
        trials = [len(self.categories_[c]) - 1 for c in binomial]
        return MixtureData.build(codes, n_cats, gauss, steps, trials)

    # -- fitting ----------------------------------------------------------------
    def _k_values(self, n: int) -> list[int]:
        if self.k != "auto":
            k = int(self.k)
            if k < 1 or k > n:
                raise SchemaError(
                    f"k={k} segments is impossible with {n} respondents",
                    fix="choose k between 1 and the number of respondents",
                )
            return [k]
        lo, hi = int(self.k_range[0]), int(self.k_range[1])
        hi = min(hi, max(lo, n // 10))
        return list(range(lo, hi + 1))

    def _fit_one(
        self, method: str, k: int, data: MixtureData | None, imputed: np.ndarray, seed: int
    ) -> tuple[Any, np.ndarray, float]:
        """Fit one method at one k: (model, responsibilities, log-likelihood or nan)."""
        from sklearn.cluster import KMeans

        if method == "kmeans" or k == 1:
            km = KMeans(n_clusters=k, n_init=2 * self.n_init, random_state=seed).fit(imputed)
            n, p = imputed.shape
            weights = np.bincount(km.labels_, minlength=k) / n
            model = _KMeansModel(km.cluster_centers_, weights, km.inertia_ / max(n * p, 1))
            if method == "kmeans":
                resp = model.proba(imputed)
                return model, resp, float("nan")
        inits = [
            KMeans(n_clusters=k, n_init=1, random_state=seed + i).fit(imputed).labels_
            for i in range(self.n_init)
        ]
        assert data is not None
        params, ll, resp = fit_em(data, inits, k, max_iter=self.max_iter)
        return params, resp, ll

    def _predict_internal(
        self, method: str, model: Any, data: MixtureData | None, imputed: np.ndarray
    ) -> np.ndarray:
        if isinstance(model, _KMeansModel):
            return model.proba(imputed)
        assert data is not None
        return posterior(model, data)[0]

    def fit(self, X: pd.DataFrame, y: Any = None) -> Segmenter:
        """Fit every candidate (method, k), choose by the stated rules, keep the chosen model."""
        from threadpoolctl import threadpool_limits

        # the matrices are small: threads only add overhead (and noise on a shared machine)
        with threadpool_limits(limits=1):
            return self._fit(X)

    def _fit(self, X: pd.DataFrame) -> Segmenter:
        from sklearn.metrics import silhouette_score

        x = self._check_frame(X, fit=True)
        self._learn_columns(x)
        self.factors_ = None
        if self.use_factors:
            from insight.segment.factors import factor_analysis

            if len(self.ordinal_) < 3:
                raise SchemaError(
                    "clustering on factor scores needs at least 3 Likert items",
                    fix="add items or turn off use_factors",
                )
            items = x[self.ordinal_].astype(float)
            for col in self.reverse:
                if col in items.columns:
                    lo, hi = self.scale_[col]
                    items[col] = lo + hi - items[col]
            self.factors_ = factor_analysis(
                items, n_factors=self.n_factors, random_state=self.random_state
            )
        dense, imputed = self._design(x, fit=True)
        has_ord = bool(self.ordinal_) and self.factors_ is None
        has_cat = bool(self.nominal_) or has_ord
        if self.method not in selection.CHOICES:
            raise SchemaError(f"unknown method {self.method!r}", fix="use lca, gmm, kmeans or auto")
        if self.method.startswith("lca") and not has_cat:
            raise SchemaError(
                "lca needs categorical columns (Likert items or text columns)",
                fix="use --method gmm for continuous columns",
            )
        if self.method == selection.LCA_ORDINAL and not has_ord:
            raise SchemaError("lca-ordinal needs Likert items", fix="use --method lca-categorical")
        candidates, method_rule = selection.family(self.method, has_ord, has_cat)
        if self.method == "auto" and self.compare_methods:
            # every model goes in the fit table for comparison
            methods = [
                m
                for m in selection.METHODS
                if (m != selection.LCA_CATEGORICAL or has_cat)
                and (m != selection.LCA_ORDINAL or has_ord)
            ]
        else:
            methods = candidates
        seed = 0 if self.random_state is None else int(self.random_state)
        n = len(x)
        rng = np.random.default_rng(seed)
        sil_idx = rng.choice(n, size=min(n, 2000), replace=False)
        rows, models = [], {}
        datas = {m: self._mixture_data(x, m, dense) for m in methods if m != "kmeans"}
        for method in methods:
            for k in self._k_values(n):
                model, resp, ll = self._fit_one(method, k, datas.get(method), imputed, seed)
                labels = resp.argmax(axis=1)
                sizes = np.bincount(labels, minlength=k)
                row: dict[str, Any] = {"method": method, "k": k}
                if method in selection.MIXTURES and isinstance(model, MixtureParams):
                    n_par = model.n_parameters(datas[method].offsets)
                    bic = -2 * ll + n_par * np.log(n)
                    row.update(loglik=ll, n_params=n_par, bic=bic, icl=bic + 2 * entropy(resp))
                else:
                    row.update(loglik=np.nan, n_params=np.nan, bic=np.nan, icl=np.nan)
                row["entropy"] = relative_entropy(resp) if k > 1 else 1.0
                lab_s = labels[sil_idx]
                # bootstrap refits need no silhouette (the costly part of the table)
                ok = 1 < len(np.unique(lab_s)) < len(lab_s) and self.compare_methods
                row["silhouette"] = (
                    float(silhouette_score(imputed[sil_idx], lab_s)) if ok else np.nan
                )
                row["min_share"] = float(sizes.min() / n)
                row["admissible"] = bool((sizes > 0).all())
                rows.append(row)
                models[(method, k)] = (model, resp)
        table = pd.DataFrame(rows)
        chosen_method, k, k_rule, notes = selection.choose(table, candidates)
        if self.k != "auto":
            k_rule = f"{chosen_method}; k={k} (asked for)"
        table["chosen"] = (table["method"] == chosen_method) & (table["k"] == k)
        self.fit_table_ = table
        self.method_ = chosen_method
        self.k_ = k
        self.rule_ = f"{method_rule}: {k_rule}"
        self.warnings_ = notes
        model, resp = models[(chosen_method, k)]
        labels = resp.argmax(axis=1)
        sizes = np.bincount(labels, minlength=k)
        first = np.array([np.flatnonzero(labels == c)[0] if sizes[c] else n for c in range(k)])
        self.order_ = np.lexsort((first, -sizes))
        self.model_ = model
        self.proba_ = resp[:, self.order_]
        self.labels_ = self.proba_.argmax(axis=1)
        self.index_ = x.index
        return self

    # -- prediction -------------------------------------------------------------
    def _check_frame(self, X: pd.DataFrame, fit: bool = False) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(X)
        X = X.rename(columns=str)
        if fit:
            if len(X) < 2:
                raise SchemaError("need at least 2 respondents to segment")
            return X
        missing = [c for c in self.feature_names_in_ if c not in X.columns]
        if missing:
            raise SchemaError(
                f'the new respondents lack the column "{missing[0]}" the segments were fitted on',
                column=missing[0],
                fix="give the new wave the same item columns (missing answers may be empty)",
            )
        return X[self.feature_names_in_]

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Membership probabilities (n, k_) for new respondents, without refitting."""
        x = self._check_frame(X)
        dense, imputed = self._design(x)
        data = None if self.method_ == "kmeans" else self._mixture_data(x, self.method_, dense)
        return self._predict_internal(self.method_, self.model_, data, imputed)[:, self.order_]

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Segment (0 = largest at fit time) for new respondents."""
        return self.predict_proba(X).argmax(axis=1)

    def fit_predict(self, X: pd.DataFrame, y: Any = None) -> np.ndarray:
        return self.fit(X).labels_

    @property
    def params_(self) -> MixtureParams | None:
        """The fitted mixture parameters (None for k-means), in segment order."""
        if isinstance(self.model_, MixtureParams):
            return self.model_.permute(self.order_)
        return None
