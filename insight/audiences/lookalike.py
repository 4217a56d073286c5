"""Look-alikes: new respondents or contacts scored against a study's personas.

:func:`score_respondents` assigns each new respondent to the persona whose segment the
study's saved segment model (``blobs.segmenter``, fitted by ``insight run``) gives the
highest posterior probability, with that probability and one column per persona. The new
file is read by the same ingest as ``insight run`` (header rows, answer labels mapped to
the scale numbers), so the model sees the same coding it was fitted on; the model flips
reverse-keyed items and rescales items itself. No refit.

``like="P2"`` ranks everyone by their probability of belonging to P2 (e.g. the best
customers' persona) and flags the most similar: the ``top`` highest, or by default all
whose probability is at least ``threshold``.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError, StoreError

if TYPE_CHECKING:
    import pandas as pd

    from insight.store import Store


@dataclass
class ScoreResult:
    table: pd.DataFrame
    items: list[str]
    personas: dict[str, str]  # persona_id -> name
    read: int
    scored: int
    without_answers: int
    like: str | None = None
    flagged: int = 0
    warnings: list[str] = field(default_factory=list)


def _seg_key(value: Any) -> str:
    try:
        f = float(value)
        return str(int(f)) if f == int(f) else str(value)
    except (TypeError, ValueError):
        return str(value)


def load_segment_model(store: Store) -> tuple[Any, list[str], dict[str, tuple[str, str]]]:
    """The fitted segmenter, its items and segment -> (persona_id, name) of a study."""
    blob = store.get_blob("segmenter")
    meta = store.get_meta("segmentation", {}) or {}
    if blob is None:
        raise StoreError(
            "the study has no saved segment model",
            file=str(store.path),
            fix="run `insight run` on a survey with attitude (Likert) items first",
        )
    if meta.get("mode") != "attitudes" or not meta.get("items"):
        raise InputError(
            f"this study's segments were found from {meta.get('mode', 'unknown')} data, not "
            "from attitude items, so a new file cannot be scored with the same preprocessing",
            file=str(store.path),
            fix="score against a study segmented on Likert items (`insight run` on a survey)",
        )
    model = pickle.loads(blob)
    items = [str(i) for i in getattr(model, "feature_names_in_", meta["items"])]
    personas = store.read_or_empty("personas")
    by_seg: dict[str, tuple[str, str]] = {}
    if len(personas):
        for pid, seg, name in zip(
            personas["persona_id"], personas["segment"], personas["name"], strict=False
        ):
            by_seg[_seg_key(seg)] = (str(pid), str(name))
    return model, items, by_seg


def read_new_respondents(path: str | Path, schema: str | Path | None = None) -> pd.DataFrame:
    """A new survey file read as ``insight run`` reads one (one row per respondent)."""
    from insight.ingest import check_input, ingest_paths

    result = ingest_paths([str(path)], schema=schema, kind="survey")
    check_input(result)
    if result.problems:
        raise InputError("; ".join(result.problems[:3]), file=str(path))
    return result.respondents


def score_respondents(
    store: Store,
    respondents: pd.DataFrame,
    *,
    like: str | None = None,
    top: int | None = None,
    threshold: float = 0.5,
    source: str = "",
) -> ScoreResult:
    """Persona probabilities for ``respondents`` (one row each, item columns numeric)."""
    import numpy as np
    import pandas as pd

    model, items, by_seg = load_segment_model(store)
    missing = [i for i in items if i not in respondents.columns]
    if missing:
        raise InputError(
            f"the new file lacks {len(missing)} of the {len(items)} attitude items the "
            f"segments were fitted on: {', '.join(missing[:10])}",
            file=source or None,
            fix="export the new wave with the same questions (same column codes)",
        )
    answers = respondents[items].apply(pd.to_numeric, errors="coerce")
    answered = answers.notna().any(axis=1).to_numpy()
    scored = respondents[answered]
    warnings: list[str] = []
    if not answered.any():
        raise InputError(
            "no respondent in the new file answered any of the attitude items",
            file=source or None,
            fix="check that the file is the same survey (answers, not only ids)",
        )
    partial = int((answers[answered].isna().any(axis=1)).sum())
    if partial:
        warnings.append(
            f"{partial} respondent(s) skipped some items; their missing answers are "
            "handled by the model as in the fit"
        )
    x = answers[answered].set_axis(scored[S.RESPONDENT_ID].astype(str).to_numpy())
    proba = np.asarray(model.predict_proba(x))
    segs = [_seg_key(s) for s in range(proba.shape[1])]
    pid = [by_seg.get(s, (f"S{s}", f"segment {s}"))[0] for s in segs]
    names = {
        by_seg.get(s, (f"S{s}", f"segment {s}"))[0]: by_seg.get(s, ("", f"segment {s}"))[1]
        for s in segs
    }
    best = proba.argmax(axis=1)
    out = pd.DataFrame(
        {
            S.RESPONDENT_ID: x.index,
            "persona_id": [pid[j] for j in best],
            "persona": [names[pid[j]] for j in best],
            S.SEGMENT: [int(segs[j]) if segs[j].isdigit() else segs[j] for j in best],
            S.PROBABILITY: proba[np.arange(len(best)), best].round(4),
        }
    )
    for j, p in enumerate(pid):
        out[f"p_{p}"] = proba[:, j].round(4)
    res = ScoreResult(
        table=out,
        items=items,
        personas=names,
        read=len(respondents),
        scored=len(out),
        without_answers=int((~answered).sum()),
        warnings=warnings,
    )
    if like:
        key = like.strip().upper()
        match = [p for p in pid if p.upper() == key]
        if not match:
            raise InputError(
                f'no persona "{like}" in the study',
                file=str(store.path),
                fix=f"choose one of {', '.join(pid)}",
            )
        col = f"p_{match[0]}"
        out = out.sort_values(col, ascending=False, kind="stable").reset_index(drop=True)
        out[f"rank_{match[0]}"] = np.arange(1, len(out) + 1)
        flag = (out.index < top) if top is not None else (out[col] >= threshold).to_numpy()
        out["lookalike"] = flag
        res.table = out
        res.like = match[0]
        res.flagged = int(np.sum(flag))
    return res


def score_file(
    store: Store,
    path: str | Path,
    *,
    like: str | None = None,
    top: int | None = None,
    threshold: float = 0.5,
    schema: str | Path | None = None,
) -> ScoreResult:
    """:func:`score_respondents` on a new survey file."""
    respondents = read_new_respondents(path, schema=schema)
    return score_respondents(
        store, respondents, like=like, top=top, threshold=threshold, source=str(path)
    )


__all__ = [
    "ScoreResult",
    "load_segment_model",
    "read_new_respondents",
    "score_file",
    "score_respondents",
]
