"""`segment_respondents`: the whole attitudinal segmentation in one call, and its result.

`insight segment FILE` reads its file through :mod:`insight.files` (the one reader of the
single-file commands); its readers stay importable from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from insight import schema
from insight.files import detect_likert_items as detect_likert_items
from insight.files import find_id_column as find_id_column
from insight.files import numeric_columns
from insight.files import read_respondents as read_respondents
from insight.segment.factors import FactorResult, factor_analysis
from insight.segment.models import Segmenter
from insight.segment.preprocess import PreparedItems, prepare_items
from insight.segment.profiles import profile_segments, top_items
from insight.segment.stability import Stability, bootstrap_stability

if TYPE_CHECKING:
    from insight.store import Store

MODEL_KEY = "segmenter"


@dataclass
class SegmentationResult:
    """Everything a segmentation produced.

    Attributes:
        assignments: respondent_id, segment (0 = largest), probability (of that segment).
        excluded: respondent_id, reason.
        fit_table: one row per (method, k) tried: loglik, n_params, bic, icl, entropy,
            silhouette, min_share, admissible, chosen.
        chosen: {"method", "k", "rule"}.
        stability: bootstrap ARI and per-segment Jaccard, with warnings.
        profiles: segment, item, n, mean, rest_mean, d, p, p_adj.
        factors: factor analysis of the items (None without at least 3 items).
        missing: share of missing answers per column.
        model: the fitted ``Segmenter`` (``predict`` / ``predict_proba`` new respondents).
        counts: rows, kept, excluded, and per exclusion reason.
        warnings: every warning, in order.
    """

    assignments: pd.DataFrame
    excluded: pd.DataFrame
    fit_table: pd.DataFrame
    chosen: dict[str, Any]
    stability: Stability
    profiles: pd.DataFrame
    factors: FactorResult | None
    missing: pd.Series
    model: Segmenter
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def from_fit(
        cls, model: Segmenter, x: pd.DataFrame, stability: Stability, **fields: Any
    ) -> SegmentationResult:
        """The result of ``model`` fitted on ``x``: its assignments, fit table, choice and
        segment profiles; ``fields`` are the rest (excluded, factors, missing, counts,
        warnings)."""
        return cls(
            assignments=assignments_frame(model, model.proba_, x.index),
            fit_table=model.fit_table_,
            chosen={"method": model.method_, "k": model.k_, "rule": model.rule_},
            stability=stability,
            profiles=profile_segments(x, model.labels_),
            model=model,
            **fields,
        )

    def top_items(self, n: int = 5, alpha: float = 0.05) -> pd.DataFrame:
        """The most distinctive items of each segment (largest |d| with p_adj < alpha)."""
        return top_items(self.profiles, n=n, alpha=alpha)

    def summary(self) -> str:
        """A few lines for a log or a terminal."""
        shares = self.assignments[schema.SEGMENT].value_counts(normalize=True).sort_index()
        lines = [
            f"{self.chosen['method']} with k={self.chosen['k']} ({self.chosen['rule']})",
            f"respondents: {self.counts.get('rows', len(self.assignments))} read, "
            f"{len(self.assignments)} segmented, {len(self.excluded)} excluded",
            "segments: " + ", ".join(f"{s}: {v:.0%}" for s, v in shares.items()),
            f"stability: ARI {self.stability.ari_mean:.2f} +/- {self.stability.ari_sd:.2f} "
            f"over {self.stability.n_bootstrap} resamples",
        ]
        return "\n".join(lines)


def save_segmenter(model: Segmenter, target: Store | str | Path, key: str = MODEL_KEY) -> None:
    """The one way a fitted :class:`Segmenter` is saved: into a study store (blob
    ``key``; what ``insight run`` does) or a file (``insight segment --model-out``)."""
    from insight.store import save_model

    save_model(model, target, key)


def load_segmenter(source: Store | str | Path, key: str = MODEL_KEY) -> Segmenter:
    """The fitted :class:`Segmenter` written by :func:`save_segmenter`.

    Raises:
        StoreError: the study has none, or the file is not a saved Segmenter (with the fix).
    """
    from insight.store import load_model

    return load_model(  # type: ignore[no-any-return]
        source,
        key,
        kind=Segmenter,
        fitted="labels_",
        what="segment model",
        fix="write one with `insight segment FILE --model-out model.pkl` or `insight run`",
    )


def assignments_frame(model: Segmenter, proba: np.ndarray, index: pd.Index) -> pd.DataFrame:
    """respondent_id, segment, probability from membership probabilities."""
    labels = proba.argmax(axis=1)
    return pd.DataFrame(
        {
            schema.RESPONDENT_ID: np.asarray(index),
            schema.SEGMENT: labels.astype(int),
            schema.PROBABILITY: proba[np.arange(len(labels)), labels],
        }
    )


def segment_respondents(
    respondents: pd.DataFrame,
    items: Sequence[str],
    *,
    method: str = "auto",
    k: int | str = "auto",
    random_state: int | None = 0,
    reverse: Sequence[str] = (),
    scale: Mapping[str, Sequence[float]] | None = None,
    n_bootstrap: int = 50,
    exclude_straightliners: bool = True,
    duration: str | None = None,
    extra_columns: Sequence[str] = (),
    k_range: tuple[int, int] = (2, 8),
    use_factors: bool = False,
    n_factors: int | str = "auto",
    rotation: str = "oblimin",
    n_init: int = 5,
    id_column: str = schema.RESPONDENT_ID,
    progress: bool = False,
) -> SegmentationResult:
    """Segment respondents on Likert items (and optional behaviour/demographic columns).

    Args:
        respondents: one row per respondent: ``id_column`` plus the columns named below.
        items: Likert item columns (numeric, NaN = missing); may be empty when
            ``extra_columns`` are given.
        method: "lca", "gmm", "kmeans" or "auto" (lca for Likert items).
        k: number of segments or "auto" (lowest BIC over ``k_range``; see ``selection``).
        random_state: seed; the same seed gives the same segments.
        reverse: reverse-keyed items.
        scale: item -> (min, max); default the range observed over all items.
        n_bootstrap: resamples for the stability report (0 skips it).
        exclude_straightliners: drop respondents who gave one answer to every item.
        duration: completion-time column; speeders (< half the median) are dropped.
        extra_columns: behaviour/demographic columns segmented on with the items.
        k_range: (min, max) k tried when ``k="auto"``.
        use_factors: cluster on factor scores instead of the items.
        n_factors: factors ("auto" = parallel analysis).
        rotation: "oblimin" or "varimax".
        n_init: EM starts per (method, k).
        id_column: the respondent id column.
        progress: show a bootstrap progress bar.
    """
    prep = prepare_items(
        respondents,
        items,
        reverse=reverse,
        scale=scale,
        exclude_straightliners=exclude_straightliners,
        duration=duration,
        extra_columns=extra_columns,
        id_column=id_column,
    )
    x = prep.data
    if len(x) < 4:
        from insight.errors import InputError

        raise InputError(
            f"only {len(x)} respondents left to segment after exclusions",
            fix="check the exclusion counts (straight-liners, speeders, incomplete) or add respondents",
        )
    model = Segmenter(
        method=method,
        k=k,
        scale=prep.scale,  # the item ranges and reverse keys prepare_items settled
        reverse=prep.reverse,
        k_range=k_range,
        random_state=random_state,
        n_init=n_init,
        use_factors=use_factors,
        n_factors=n_factors,
    )
    return fit_segments(model, prep, n_bootstrap=n_bootstrap, rotation=rotation, progress=progress)


def fit_segments(
    model: Segmenter,
    prep: PreparedItems,
    *,
    n_bootstrap: int = 50,
    rotation: str = "oblimin",
    progress: bool = False,
) -> SegmentationResult:
    """Fit ``model`` on the prepared respondents and report: bootstrap stability (the
    model's seed), exclusions, missing shares, factors of three or more items, warnings.

    The one fitting path of :func:`segment_respondents` and
    :func:`~insight.segment.text.segment_text`.
    """
    x = prep.data
    model.fit(x)
    stability = bootstrap_stability(
        model, x, n_bootstrap=n_bootstrap, random_state=model.random_state, progress=progress
    )
    notes = list(prep.warnings) + list(model.warnings_)
    factors = model.factors_
    if factors is None and len(prep.items) >= 3:
        factors = factor_analysis(
            prep.reversed_items(),
            n_factors=model.n_factors,
            rotation=rotation,
            random_state=model.random_state,
        )
    if factors is not None and factors.flagged_reverse:
        notes.append(
            "items loading negatively on their factor (probably reverse-keyed; pass them in reverse): "
            + ", ".join(factors.flagged_reverse)
        )
    notes += stability.warnings
    return SegmentationResult.from_fit(
        model,
        x,
        stability,
        excluded=prep.excluded,
        factors=factors,
        missing=prep.missing,
        counts=prep.counts,
        warnings=notes,
    )


def segment_file(
    path: str, items: Sequence[str], *, id_column: str | None = None, **kwargs: Any
) -> tuple[SegmentationResult, str]:
    """`segment_respondents` on a file; returns the result and the id column used.

    With no ``items`` and no ``extra_columns`` the numerically coded Likert columns
    found by role inference are used (see :func:`detect_likert_items`).
    """
    extra = list(kwargs.get("extra_columns", ()))
    duration = kwargs.get("duration")
    numeric = [*items, *extra, *([duration] if duration else [])]
    df, used = read_respondents(path, id_column=id_column, numeric=numeric)
    if not items and not extra:
        items = detect_likert_items(df, exclude=[c for c in [duration] if c], source=str(path))
        numeric_columns(df, items)
    return segment_respondents(df, list(items), **kwargs), used


def predict_file(
    path: str, model: Any, *, id_column: str | None = None
) -> tuple[pd.DataFrame, str]:
    """Assign the respondents in a new file (a new wave) to a fitted model's segments.

    No refit: ``model`` is the fitted :class:`~insight.segment.models.Segmenter`
    (``insight segment --model-out``). Returns ``respondent_id, segment,
    probability`` and the id column used; respondents with no answer to any item
    get no row.
    """
    items = list(model.feature_names_in_)
    df, used = read_respondents(path, id_column=id_column, numeric=items)
    return predict_respondents(model, df), used


def predict_respondents(
    model: Any, respondents: pd.DataFrame, items: Sequence[str] | None = None
) -> pd.DataFrame:
    """``respondent_id, segment, probability`` for the respondents who answered any of
    the model's items (no refit); the others get no row.

    ``items``: the columns to predict on (default: every item the model was fitted on;
    the model checks them, so a missing one is one line naming it).
    """
    items = list(items) if items is not None else list(model.feature_names_in_)
    answered = respondents[[c for c in items if c in respondents.columns]].notna().any(axis=1)
    wave = respondents[answered]
    if items != list(model.feature_names_in_):
        x = wave.set_index(schema.RESPONDENT_ID)[items]
    else:
        x = wave.set_index(schema.RESPONDENT_ID)
    proba = model.predict_proba(x) if len(wave) else np.zeros((0, 1))
    labels = proba.argmax(axis=1)
    return pd.DataFrame(
        {
            schema.RESPONDENT_ID: wave[schema.RESPONDENT_ID].to_numpy(),
            schema.SEGMENT: labels.astype(int),
            schema.PROBABILITY: proba[np.arange(len(labels)), labels],
        }
    )
