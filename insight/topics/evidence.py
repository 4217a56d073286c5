"""Evidence behind themes: members, quotes, rates, and where themes are more common.

``fit_topics`` fits a :class:`~insight.topics.model.TopicModel` on the
participants' units (interviewer turns and non-answers join no theme) and returns
per-theme evidence (all member unit ids, representative quotes, sentiment/emotion/
pain-point rates), the two-level codebook (``hierarchy``), themes per survey
question (``by_question``), and prevalence differences per segment, per Likert
answer and over time (two-proportion z or Fisher exact, Benjamini-Hochberg
corrected with :mod:`insight.stats`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError
from insight.topics.model import TopicModel

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

log = logging.getLogger(__name__)

DIFFERENCE_COLUMNS = [
    "dimension",
    "group",
    S.TOPIC,
    S.TOPIC_LABEL,
    "count",
    "n_group",
    "share_in_group",
    "share_rest",
    "z",
    "p",
    "method",
    "p_adj",
    "significant",
]

#: A question gets its own themes when at least this many units answer it.
MIN_UNITS_PER_QUESTION = 30


@dataclass
class TopicResult:
    """Everything ``fit_topics`` finds, keyed by unit ids."""

    assignments: pd.DataFrame  # unit_id, topic, topic_label, subtopic, theme_id
    topics: pd.DataFrame  # one row per theme (see docs/CONTRACTS.md)
    differences: pd.DataFrame  # prevalence per group / Likert answer / period with tests
    outlier_share_before: float
    outlier_share_after: float
    model: TopicModel
    hierarchy: pd.DataFrame | None = None  # themes and sub-themes (hierarchy.HIERARCHY_COLUMNS)
    by_question: pd.DataFrame | None = None  # themes fitted within each question
    excluded: dict[str, int] = field(default_factory=dict)  # units left out, by reason

    def called_out(self) -> list[str]:
        """One sentence per significant over-representation (BH-adjusted p < alpha).

        Only the group where a topic is more common is named, so a two-group split
        is not reported twice (once as "more" in A, once as "less" in B).
        """
        d = self.differences
        if d.empty:
            return []
        out = []
        for r in d[d["significant"] & (d["share_in_group"] > d["share_rest"])].itertuples():
            out.append(
                f'"{r.topic_label}" is more common in {r.dimension} {r.group} '
                f"({100 * r.share_in_group:.0f}% vs {100 * r.share_rest:.0f}%, "
                f"adjusted p = {r.p_adj:.3g})"
            )
        return out


def representative_rows(
    emb: np.ndarray, rows: np.ndarray, centroid: np.ndarray, respondents: Sequence[Any], n: int
) -> list[int]:
    """Most central rows, at most one per respondent, in a stable order."""
    import numpy as np

    rows = np.asarray(rows, dtype=int)
    if len(rows) == 0:
        return []
    sims = emb[rows] @ centroid
    order = rows[np.lexsort((rows, -sims))]
    chosen, seen = [], set()
    for r in order:
        who = respondents[r]
        key = who if who is not None and who == who else ("row", int(r))
        if key in seen:
            continue
        seen.add(key)
        chosen.append(int(r))
        if len(chosen) == n:
            break
    return chosen


def _top_emotions(ann: pd.DataFrame) -> str | float:
    """ "anger 0.40; sadness 0.20": shares of the top 3 non-neutral emotions (NaN if none known)."""
    import pandas as pd

    col = S.EKMAN if S.EKMAN in ann else (S.EMOTIONS if S.EMOTIONS in ann else None)
    if col is None:
        return float("nan")
    vals = ann[col].dropna().astype(str)
    if vals.empty:
        return float("nan")
    labels = vals.str.split(";").explode().str.strip()
    counts = labels[(labels != "") & (labels != "neutral")].value_counts()
    counts = counts.sort_index().sort_values(ascending=False, kind="mergesort")
    share = counts / len(vals)
    return "; ".join(f"{k} {v:.2f}" for k, v in share.head(3).items() if pd.notna(v))


def _unit_level(values: Any, units: pd.DataFrame, name: str) -> pd.Series:
    """A grouping given per unit, per respondent, or as a units column -> Series per unit row."""
    import pandas as pd

    if values is None:
        return pd.Series([None] * len(units), index=units.index, dtype=object)
    if isinstance(values, str):
        if values not in units:
            raise InputError(
                f"{name} column {values!r} is not in the units table",
                fix=f"pass a Series keyed by unit_id or respondent_id, or one of {list(units.columns)}",
            )
        return units[values]
    s = pd.Series(values)
    if s.index.isin(units[S.UNIT_ID]).any():
        return units[S.UNIT_ID].map(s)
    if S.RESPONDENT_ID in units and s.index.isin(units[S.RESPONDENT_ID]).any():
        return units[S.RESPONDENT_ID].map(s)
    if len(s) == len(units):
        return pd.Series(s.to_numpy(), index=units.index)
    raise InputError(
        f"{name} matches neither unit ids nor respondent ids",
        fix="pass a Series indexed by unit_id or respondent_id",
    )


def _periods(dates: pd.Series, period: str) -> pd.Series:
    import pandas as pd

    d = pd.to_datetime(dates, errors="coerce", utc=True).dt.tz_localize(None)
    valid = d.dropna()
    if valid.empty:
        return pd.Series([None] * len(d), index=d.index, dtype=object)
    if period == "auto":
        span = (valid.max() - valid.min()).days
        period = "W" if span <= 62 else ("M" if span <= 730 else "Q")
    p = d.dt.to_period(period)
    return p.astype(str).where(d.notna(), None)


def prevalence_differences(
    topics: Sequence[int] | np.ndarray,
    groups: Sequence[Any],
    labels: dict[int, str] | None = None,
    dimension: str = "group",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Theme prevalence in each group versus the rest, tested and BH-corrected.

    Units without a group or without a theme (-1) are left out. Each (theme, group)
    pair gets a two-proportion z-test (Fisher exact when an expected count is below
    5); the p-values of one call are adjusted together with Benjamini-Hochberg.
    """
    import math

    import numpy as np
    import pandas as pd

    from insight.stats import bh_adjust, two_proportion_test

    df = pd.DataFrame({"t": np.asarray(topics, dtype=int), "g": list(groups)})
    df = df[df["g"].notna() & (df["t"] != S.UNASSIGNED_TOPIC)]
    df["g"] = df["g"].astype(str)
    levels = sorted(df["g"].unique())
    if len(levels) < 2:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    labels = labels or {}
    rows = []
    total = len(df)
    for t in sorted(df["t"].unique()):
        in_t = df["t"] == t
        n_t = int(in_t.sum())
        for g in levels:
            in_g = df["g"] == g
            a = int((in_t & in_g).sum())
            n1 = int(in_g.sum())
            n2 = total - n1
            b = n_t - a
            z, p = two_proportion_test(a, n1, b, n2)
            method = "none" if math.isnan(p) else ("z" if math.isfinite(z) else "fisher")
            rows.append(
                {
                    "dimension": dimension,
                    "group": g,
                    S.TOPIC: int(t),
                    S.TOPIC_LABEL: labels.get(int(t), f"topic {t}"),
                    "count": a,
                    "n_group": n1,
                    "share_in_group": a / n1 if n1 else float("nan"),
                    "share_rest": b / n2 if n2 else float("nan"),
                    "z": z,
                    "p": p,
                    "method": method,
                }
            )
    out = pd.DataFrame(rows)
    out["p_adj"] = bh_adjust(out["p"].to_numpy())
    out["significant"] = out["p_adj"] < alpha
    return out[DIFFERENCE_COLUMNS]


def likert_differences(
    topics: Sequence[int] | np.ndarray,
    units: pd.DataFrame,
    likert: pd.DataFrame,
    labels: dict[int, str] | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Theme prevalence by the answer to each Likert item, one BH family for all items.

    ``likert`` is indexed by respondent_id, one numeric column per item; a unit
    takes its respondent's answer. Answers are read as given (each scale point is a
    group); the dimension is ``likert:<item>``.
    """
    import pandas as pd

    from insight.stats import bh_adjust

    if S.RESPONDENT_ID not in units or likert is None or likert.empty:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    parts = []
    resp = units[S.RESPONDENT_ID]
    for item in likert.columns:
        answers = pd.to_numeric(likert[item], errors="coerce")
        answers.index = answers.index.astype(str)
        per_unit = resp.astype(str).map(answers)
        per_unit = per_unit.map(lambda v: None if pd.isna(v) else f"{v:g}")
        d = prevalence_differences(topics, per_unit.tolist(), labels, f"likert:{item}", alpha)
        if len(d):
            parts.append(d)
    if not parts:
        return pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    out["p_adj"] = bh_adjust(out["p"].to_numpy())
    out["significant"] = out["p_adj"] < alpha
    return out


def eligible_units(units: pd.DataFrame) -> tuple[pd.Series, dict[str, int]]:
    """Which units may join a theme: participants' answers with content.

    Interviewer/moderator turns and non-answers ("n/a", "Did not answer") never
    do; they stay in the assignments as -1 "unassigned", counted by reason.
    """
    import pandas as pd

    from insight.nlp import is_non_answer

    ok = pd.Series(True, index=units.index)
    reasons: dict[str, int] = {}
    if S.SPEAKER_ROLE in units:
        role = units[S.SPEAKER_ROLE]
        other = role.notna() & (role != S.ROLE_CUSTOMER)
        if other.any():
            reasons["not a participant"] = int(other.sum())
        ok &= ~other
    non = units[S.TEXT].map(is_non_answer).astype(bool) & ok
    if non.any():
        reasons["non-answer"] = int(non.sum())
    return ok & ~non, reasons


def context_vectors(
    units: pd.DataFrame, vectors: Any, window: int = 2, weight: float = 2.0
) -> np.ndarray:
    """Each unit's vector with its neighbours' mean added (``weight``), re-normalised.

    Neighbours are the ``window`` units before and after it in the units' order
    that share its source, respondent and field (the sentences around it in the same
    transcript or the same answer): a sentence such as "so I click on it" reads
    in its passage's context, as a researcher codes a passage. ``window=0`` or
    ``weight=0`` returns the vectors unchanged (normalised). Measured on the dev
    studies (``benchmarks/real_themes.py``).
    """
    import numpy as np

    from insight.stats import normalise_rows

    x = normalise_rows(vectors)
    n = len(x)
    if n == 0 or window <= 0 or weight <= 0:
        return x
    parts = [units[c].astype(str) for c in (S.SOURCE, S.RESPONDENT_ID, S.FIELD) if c in units]
    if not parts:
        return x
    key = parts[0].to_numpy()
    for p in parts[1:]:
        key = np.char.add(np.char.add(key.astype(str), "\x1f"), p.to_numpy().astype(str))
    acc = np.zeros_like(x)
    cnt = np.zeros(n)
    rows = np.arange(n)
    for d in range(-window, window + 1):
        if d == 0:
            continue
        j = rows + d
        ok = (j >= 0) & (j < n)
        ok[ok] &= key[j[ok]] == key[rows[ok]]
        acc[ok] += x[j[ok]]
        cnt[ok] += 1
    return normalise_rows(x + weight * acc / np.maximum(cnt, 1)[:, None])


def _question_column(units: pd.DataFrame, min_respondents: int = 3) -> str | None:
    """The column that names the question a unit answers, when questions are shared.

    ``field`` (survey columns) or ``question`` (asked prompt), whichever has a value
    answered by at least ``min_respondents`` respondents; None when every question
    is unique (an AI interviewer phrasing each prompt anew).
    """
    for col in (S.FIELD, S.QUESTION):
        if col not in units or units[col].isna().all():
            continue
        who = units[S.RESPONDENT_ID] if S.RESPONDENT_ID in units else units.index.to_series()
        per_q = (
            units.assign(_who=who.to_numpy())
            .dropna(subset=[col])
            .groupby(col, observed=True)["_who"]
            .nunique()
        )
        if (per_q >= min_respondents).sum() >= 2:
            return col
    return None


def themes_by_question(
    units: pd.DataFrame,
    embeddings: np.ndarray,
    model: TopicModel,
    eligible: Sequence[bool] | None = None,
    min_units: int = MIN_UNITS_PER_QUESTION,
    n_quotes: int = 3,
) -> pd.DataFrame:
    """Themes fitted within each open question (``sklearn.clone`` of ``model``).

    One row per (question, theme): question, theme_id (``Q2.T1``), label,
    description, n_units, n_participants, share (of the question's units with a
    theme), keywords, quotes (unit ids), unit_ids. Questions with fewer than
    ``min_units`` usable answers are left out of this table (they still have the
    study-wide themes). Empty when the units have no shared questions.
    """
    import numpy as np
    import pandas as pd
    from sklearn.base import clone

    from insight.topics.labels import describe

    cols = [
        "question",
        "theme_id",
        S.TOPIC,
        "label",
        "description",
        "n_units",
        "n_participants",
        "share",
        "keywords",
        "quotes",
        "unit_ids",
    ]
    qcol = _question_column(units)
    if qcol is None:
        return pd.DataFrame(columns=cols)
    ok = np.ones(len(units), dtype=bool) if eligible is None else np.asarray(eligible, bool)
    resp = units[S.RESPONDENT_ID].tolist() if S.RESPONDENT_ID in units else [None] * len(units)
    texts = units[S.TEXT].fillna("").astype(str).tolist()
    rows = []
    questions = units[qcol].dropna().unique().tolist()
    for qi, q in enumerate(sorted(map(str, questions)), start=1):
        idx = np.flatnonzero((units[qcol].astype(str) == q).to_numpy() & ok)
        q_texts = [texts[i] for i in idx]
        from insight.topics.labels import has_theme_content

        if sum(has_theme_content(t) for t in q_texts) < min_units:
            continue
        m = clone(model).set_params(embedder=getattr(model, "embedder_", model.embedder))
        m.fit(q_texts, embeddings[idx])
        q_resp = [resp[i] for i in idx]
        people_total = len({r for r in q_resp if r is not None})
        n_with = int((m.labels_ != S.UNASSIGNED_TOPIC).sum())
        for t in range(m.n_topics_):
            members = np.flatnonzero(m.labels_ == t)
            quotes = representative_rows(m.embeddings_, members, m.centroids_[t], q_resp, n_quotes)
            people = {q_resp[i] for i in members if q_resp[i] is not None}
            rows.append(
                {
                    "question": q,
                    "theme_id": f"Q{qi}.T{t + 1}",
                    S.TOPIC: t,
                    "label": m.topic_labels_[t],
                    "description": describe(
                        m.topic_keywords_[t],
                        len(members),
                        len(people),
                        people_total,
                        q_texts[quotes[0]] if quotes else None,
                    ),
                    "n_units": len(members),
                    "n_participants": len(people),
                    "share": len(members) / n_with if n_with else float("nan"),
                    "keywords": m.topic_keywords_[t],
                    "quotes": [str(units[S.UNIT_ID].iloc[idx[i]]) for i in quotes],
                    "unit_ids": [str(units[S.UNIT_ID].iloc[idx[i]]) for i in members],
                }
            )
    return pd.DataFrame(rows, columns=cols)


def fit_topics(
    units: pd.DataFrame,
    embeddings: Any = None,
    annotations: pd.DataFrame | None = None,
    groups: Any = None,
    dates: Any = None,
    random_state: int = 0,
    model: TopicModel | None = None,
    period: str = "auto",
    alpha: float = 0.05,
    n_quotes: int = 5,
    likert: pd.DataFrame | None = None,
    per_question: bool = True,
    context_window: int = 2,
    context_weight: float = 2.0,
) -> TopicResult:
    """Themes over participants' units with all the evidence behind them.

    Args:
        units: the units table (unit_id, respondent_id, text; speaker_role, field,
            question and date optional). Units of interviewers and non-answers join
            no theme (topic -1) and are counted in ``excluded``.
        embeddings: one row per unit, in order (``insight.embed.embed_texts``);
            ``None`` embeds with the model's embedder.
        annotations: optional, keyed by unit_id, with sentiment / ekman or emotions /
            pain_point columns; missing columns give NaN statistics.
        groups: segment or any grouping: a Series keyed by unit_id or respondent_id,
            or a column name of ``units``.
        dates: a Series keyed by unit_id/respondent_id, a column name, or ``None`` to
            use the units' ``date`` column when it has values.
        random_state: seed (ignored when ``model`` is given).
        model: an unfitted ``TopicModel`` to use instead of the default one.
        period: "auto" (week, month or quarter by the span of dates) or a pandas
            period alias ("W", "M", "Q", "Y").
        alpha: false discovery rate for calling out differences.
        n_quotes: representative quotes per theme (3-5 recommended).
        likert: Likert answers indexed by respondent_id (one column per item): theme
            prevalence is compared across each item's answers.
        per_question: also fit themes within each shared question (``by_question``).
        context_window, context_weight: units are clustered on their vector plus
            the mean of up to ``context_window`` neighbours each side in the same
            transcript or answer (:func:`context_vectors`); 0 turns it off.
    """
    import numpy as np
    import pandas as pd

    from insight.topics.hierarchy import hierarchy_table
    from insight.topics.labels import describe

    for col in (S.UNIT_ID, S.TEXT):
        if col not in units:
            raise InputError(
                f'the units table has no "{col}" column', fix="pass the units table from ingest"
            )
    units = units.reset_index(drop=True)
    texts = units[S.TEXT].fillna("").astype(str).tolist()
    ok, excluded = eligible_units(units)
    fit_texts = [t if keep else "" for t, keep in zip(texts, ok.tolist(), strict=True)]
    model = model if model is not None else TopicModel(random_state=random_state)
    if embeddings is None:
        embeddings = model._embeddings(texts, None)
    resp = units[S.RESPONDENT_ID].tolist() if S.RESPONDENT_ID in units else None
    model.fit(
        fit_texts,
        context_vectors(units, embeddings, context_window, context_weight),
        groups=resp,  # the theme count follows the people, not only the units
    )
    emb = model.embeddings_
    topics = model.labels_
    labels = model.topic_labels_
    theme_ids = {t: f"T{t + 1}" for t in range(model.n_topics_)}

    assignments = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID].to_numpy(),
            S.TOPIC: topics,
            S.TOPIC_LABEL: [labels[int(t)] for t in topics],
            "subtopic": model.subtopics_,
            "theme_id": [model.subtopic_ids_.get(int(s)) for s in model.subtopics_],
        }
    )

    resp = units[S.RESPONDENT_ID].tolist() if S.RESPONDENT_ID in units else [None] * len(units)
    n_people = len({r for r, keep in zip(resp, ok.tolist(), strict=True) if keep and r is not None})
    ann = None
    if annotations is not None and len(annotations):
        ann = units[[S.UNIT_ID]].merge(annotations, on=S.UNIT_ID, how="left")
    n = len(units)
    rows = []
    for t in [*range(model.n_topics_), S.UNASSIGNED_TOPIC]:
        members = np.flatnonzero(topics == t)
        if t == S.UNASSIGNED_TOPIC and len(members) == 0:
            continue
        a = ann.iloc[members] if ann is not None else pd.DataFrame()
        if t == S.UNASSIGNED_TOPIC:
            quotes: list[int] = []
        else:
            quotes = representative_rows(emb, members, model.centroids_[t], resp, n_quotes)
        people = {resp[i] for i in members if resp[i] is not None}
        keywords = model.topic_keywords_.get(int(t), [])
        rows.append(
            {
                S.TOPIC: int(t),
                "theme_id": theme_ids.get(int(t)),
                "parent_id": None,
                "level": 1,
                "label": labels[int(t)],
                "description": describe(
                    keywords, len(members), len(people), n_people, texts[quotes[0]]
                )
                if quotes
                else "units that join no theme (no content words, non-answers, "
                "interviewer turns or too far from every theme)",
                "size": len(members),
                "n_units": len(members),
                "respondents": len(people),
                "n_participants": len(people),
                "n_subthemes": sum(
                    1
                    for s, p in model.subtopic_parent_.items()
                    if p == t and "." in model.subtopic_ids_[s]
                ),
                "share": len(members) / n if n else float("nan"),
                "mean_sentiment": float(a[S.SENTIMENT].mean())
                if S.SENTIMENT in a and a[S.SENTIMENT].notna().any()
                else float("nan"),
                "top_emotions": _top_emotions(a) if len(a) else float("nan"),
                "pain_point_rate": float(a[S.PAIN_POINT].astype(float).mean())
                if S.PAIN_POINT in a and a[S.PAIN_POINT].notna().any()
                else float("nan"),
                "keywords": keywords,
                "unit_ids": [units.at[i, S.UNIT_ID] for i in members],
                "quotes": [units.at[i, S.UNIT_ID] for i in quotes],
                "quote_texts": [texts[i] for i in quotes],
            }
        )
    topics_df = pd.DataFrame(rows)
    hierarchy = hierarchy_table(model, units[S.UNIT_ID].tolist(), resp, texts, emb)

    diffs = []
    if groups is not None:
        g = _unit_level(groups, units, "groups")
        diffs.append(prevalence_differences(topics, g.tolist(), labels, "group", alpha))
    if likert is not None:
        diffs.append(likert_differences(topics, units, likert, labels, alpha))
    if dates is None and S.DATE in units and units[S.DATE].notna().any():
        dates = S.DATE
    if dates is not None:
        p = _periods(_unit_level(dates, units, "dates"), period)
        diffs.append(prevalence_differences(topics, p.tolist(), labels, "period", alpha))
    diffs = [d for d in diffs if len(d)]
    differences = (
        pd.concat(diffs, ignore_index=True) if diffs else pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    )
    by_question = themes_by_question(units, emb, model, ok.to_numpy()) if per_question else None
    if excluded:
        log.info(
            "topics: left out of themes: %s",
            ", ".join(f"{v} {k}" for k, v in excluded.items()),
        )
    return TopicResult(
        assignments=assignments,
        topics=topics_df,
        differences=differences,
        outlier_share_before=model.outlier_share_before_,
        outlier_share_after=model.outlier_share_after_,
        model=model,
        hierarchy=hierarchy,
        by_question=by_question,
        excluded=excluded,
    )


@dataclass
class BatchAssignment:
    """Topics for a new batch of units, plus emerging topics among them."""

    assignments: pd.DataFrame  # unit_id, topic, topic_label, subtopic, theme_id
    emerging: pd.DataFrame  # emerging_id, label, size, cohesion, nearest_topic, unit_ids


def assign_batch(
    model: TopicModel,
    units: pd.DataFrame,
    embeddings: Any = None,
    context_window: int = 2,
    context_weight: float = 2.0,
) -> BatchAssignment:
    """Assign a new batch of units to a fitted model's themes and flag emerging ones.

    Pass ``embeddings`` from ``embed_texts(new_texts, store)`` so only the new
    texts are embedded; earlier units are never touched. Interviewer turns and
    non-answers get -1.
    """
    import pandas as pd

    from insight.topics.model import _normalise_rows

    units = units.reset_index(drop=True)
    texts = units[S.TEXT].fillna("").astype(str).tolist()
    ok, _ = eligible_units(units)
    raw = model._embeddings(units[S.TEXT].fillna("").astype(str).tolist(), embeddings)
    texts = [t if keep else "" for t, keep in zip(texts, ok.tolist(), strict=True)]
    emb = _normalise_rows(context_vectors(units, raw, context_window, context_weight))
    subs = model.transform_subtopics(texts, emb)
    topics = [model.subtopic_parent_[int(s)] if s >= 0 else S.UNASSIGNED_TOPIC for s in subs]
    assignments = pd.DataFrame(
        {
            S.UNIT_ID: units[S.UNIT_ID].to_numpy(),
            S.TOPIC: topics,
            S.TOPIC_LABEL: [model.topic_labels_[int(t)] for t in topics],
            "subtopic": subs,
            "theme_id": [model.subtopic_ids_.get(int(s)) for s in subs],
        }
    )
    emerging = model.emerging_topics(texts, emb)
    em = pd.DataFrame(
        [
            {
                "emerging_id": i,
                "label": e.label,
                "size": len(e.indices),
                "cohesion": e.cohesion,
                "nearest_topic": e.nearest_topic,
                "nearest_similarity": e.nearest_similarity,
                "unit_ids": [units.at[j, S.UNIT_ID] for j in e.indices],
            }
            for i, e in enumerate(emerging)
        ],
        columns=[
            "emerging_id",
            "label",
            "size",
            "cohesion",
            "nearest_topic",
            "nearest_similarity",
            "unit_ids",
        ],
    )
    return BatchAssignment(assignments=assignments, emerging=em)
