"""Segmentation policy of a study: what to segment on, whom, and how the rest join.

* **Surveys** (Likert items present): the attitude battery is the agreement items (when
  there are three or more) or the Likert items sharing the most common scale. Items that
  only one branch of the survey answered (skip logic: answered by less than
  ``BRANCH_COVERAGE`` of the best-covered item's respondents) are left out of the basis,
  so the segments cover everyone who saw the core questions; what was left out is named.
* **Interviews and open answers** (no Likert items): participants are grouped on what
  they talk about and struggle with: the share of their statements in each of the study's
  fine-grained themes, of their pain statements and of their goal statements (Hellinger
  profile, k-means, k by BIC). Embedding dimensions and model outputs are features only,
  never profiles: the ``segment_profiles`` of text mode are empty, so nothing internal is
  ever shown as an attitude. A segment needs at least ``min_segment_size(n)`` participants
  (3, or 5%); with fewer than ``ARCHETYPE_BELOW`` participants the groups are archetypes
  (``segment_source = "archetype"``), which personas flag with a low-confidence note.
* Interviewees without answers join the segment their text is closest to; reviewers are
  never segment members. :func:`coverage` counts who got a segment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError
from insight.stats import normalise_rows

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from insight.segment.api import SegmentationResult

BRANCH_COVERAGE = 0.8  # an item answered by < 80% of the best-covered item's respondents
ARCHETYPE_BELOW = 15  # fewer participants: archetypes, not segments
MIN_SEGMENT_SHARE = 0.05
MIN_SEGMENT_N = 3
PROFILE_COLUMNS = ["segment", "item", "n", "mean", "rest_mean", "d", "p", "p_adj"]


@dataclass(frozen=True)
class ItemChoice:
    """The attitude items segmented on, and the branch items left out (skip logic)."""

    items: list[str]
    left_out: list[str] = field(default_factory=list)
    coverage: dict[str, float] = field(default_factory=dict)  # item -> share answered


@dataclass(frozen=True)
class StudySegmentation:
    """What the segment stage writes: assignments (every assignable respondent), the
    profiles shown as attitudes, the fit table, stability, model and a meta record."""

    result: SegmentationResult | None
    mode: str  # "attitudes" | "text" | "archetypes"
    items: list[str]
    assignments: pd.DataFrame
    profiles: pd.DataFrame
    fit_table: pd.DataFrame
    stability: pd.DataFrame  # segment, size, share, jaccard
    model: Any
    chosen: dict[str, Any]
    coverage: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    def meta(self) -> dict[str, Any]:
        """The ``segmentation`` meta record of the store (and run.json)."""
        st = self.result.stability if self.result is not None else None
        return {
            "mode": self.mode,
            "items": list(self.items),
            "left_out_items": list(self.left_out),
            "chosen": self.chosen,
            "coverage": self.coverage,
            "notes": list(self.notes),
            "stability": {
                "ari_mean": float(st.ari_mean) if st is not None else None,
                "ari_sd": float(st.ari_sd) if st is not None else None,
                "n_bootstrap": int(st.n_bootstrap) if st is not None else 0,
                "warnings": list(st.warnings) if st is not None else [],
            },
        }


def min_segment_size(n: int) -> int:
    """The fewest participants a persona may stand on: 3, or 5% of ``n``."""
    return max(MIN_SEGMENT_N, math.ceil(MIN_SEGMENT_SHARE * n))


# --- surveys: which items ------------------------------------------------------------------
def segment_items(
    columns: pd.DataFrame | None, respondents: pd.DataFrame, items: Sequence[str] | None = None
) -> ItemChoice:
    """The attitude battery to segment on (see the module docstring for the rules)."""
    if items:
        missing = [i for i in items if i not in respondents.columns]
        if missing:
            raise InputError(
                f"attitude item(s) not found: {', '.join(missing)}",
                fix="use column names shown by `insight inspect`",
            )
        return ItemChoice(list(items))
    if columns is None or not len(columns):
        return ItemChoice([])
    likert = columns[columns[S.COL_ROLE] == S.ROLE_LIKERT]
    likert = likert[likert[S.COL_NAME].isin(respondents.columns)].drop_duplicates(S.COL_NAME)
    if likert.empty:
        return ItemChoice([])
    base = respondents
    if S.SOURCE_TYPE in respondents:
        survey = respondents[respondents[S.SOURCE_TYPE] == S.SOURCE_SURVEY]
        base = survey if len(survey) else respondents
    names = likert[S.COL_NAME].astype(str).tolist()
    cover = {c: float(base[c].notna().mean()) if len(base) else 0.0 for c in names}
    best = max(cover.values()) if cover else 0.0
    core = likert[[cover[c] >= BRANCH_COVERAGE * best and cover[c] > 0 for c in names]]
    chosen = _battery(core)
    candidates = _battery(likert)
    left_out = [c for c in candidates if c not in chosen]
    return ItemChoice(chosen, left_out, {c: round(cover[c], 4) for c in names})


def _left_out_note(choice: ItemChoice, respondents: pd.DataFrame) -> str:
    """``left out 19 item(s) ... answered: 10 respondent(s), vs 17 for the items used``:
    the partial items (a skip-logic branch, or another round of the study) by count."""
    base = respondents
    if S.SOURCE_TYPE in respondents:
        survey = respondents[respondents[S.SOURCE_TYPE] == S.SOURCE_SURVEY]
        base = survey if len(survey) else respondents

    def answered(cols: Sequence[str]) -> int:
        cols = [c for c in cols if c in base]
        return int(base[cols].notna().any(axis=1).sum()) if cols else 0

    return (
        f"left out {len(choice.left_out)} item(s) that only one branch of the survey (or "
        f"another round) answered: {answered(choice.left_out)} respondent(s), vs "
        f"{answered(choice.items)} for the items used: {_name_items(choice.left_out, show=8)}"
    )


def _battery(likert: pd.DataFrame) -> list[str]:
    """Agreement items when there are at least three (satisfaction and likelihood to
    recommend are outcomes, not attitudes); otherwise the items of the most common scale."""
    if likert.empty:
        return []
    kinds = likert["labels"].fillna("").astype(str) if "labels" in likert else None
    if kinds is not None:
        agree = likert[kinds.str.contains("agree", case=False).to_numpy()]
        if len(agree) >= 3:
            return agree[S.COL_NAME].astype(str).tolist()
    ranges = likert["scale_min"].astype(str) + "-" + likert["scale_max"].astype(str)
    common = ranges.value_counts().index[0]
    return likert[ranges == common][S.COL_NAME].astype(str).tolist()


def duration_column(respondents: pd.DataFrame) -> str | None:
    """The survey platform's completion-time column, for flagging speeders."""
    for c in respondents.columns:
        if re.match(r"^duration", str(c), re.I) and respondents[c].dtype.kind in "fi":
            return str(c)
    return None


# --- interviews: what people talk about -------------------------------------------------------
def participant_profiles(
    customer: pd.DataFrame,
    vectors: np.ndarray,
    annotations: pd.DataFrame | None = None,
    *,
    random_state: int = 0,
) -> pd.DataFrame:
    """Per participant: share of their statements in each fine theme, of their pain
    statements and of their goal statements (square-rooted: the Hellinger geometry).

    Themes are k-means clusters of the unit embeddings of statements with at least three
    content words (about one theme per 3 statements' square root, 6 to 30).
    """
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans

    from insight.nlp import content_tokens, is_non_answer

    vec = normalise_rows(np.asarray(vectors, dtype=np.float64))
    texts = customer[S.TEXT].astype(str).tolist()
    keep = np.array([not is_non_answer(t) and len(content_tokens(t)) >= 3 for t in texts])
    if keep.sum() < 6:
        keep = np.ones(len(texts), dtype=bool)
    rid = customer[S.RESPONDENT_ID].astype(str).to_numpy()[keep]
    x = vec[keep]
    k = int(min(30, max(6, round(math.sqrt(len(x) / 3)))))
    k = min(k, len(x))
    theme = KMeans(n_clusters=k, n_init=4, random_state=random_state).fit_predict(x)
    pain = np.zeros(len(x))
    goal = np.zeros(len(x))
    if annotations is not None and len(annotations):
        ann = annotations.drop_duplicates(S.UNIT_ID).set_index(S.UNIT_ID)
        ids = customer[S.UNIT_ID].astype(str).to_numpy()[keep]
        for col, arr in ((S.PAIN_POINT, pain), (S.GOAL, goal)):
            if col in ann:
                vals = pd.to_numeric(ann[col], errors="coerce").reindex(ids).fillna(0)
                arr[:] = (vals.to_numpy() >= 1).astype(float)
    df = pd.DataFrame({"rid": rid, "theme": theme, "pain": pain, "goal": goal})
    said = pd.crosstab(df["rid"], df["theme"]).reindex(columns=range(k), fill_value=0)
    feats = [said.div(said.sum(axis=1), axis=0).add_prefix("theme_")]
    for col in ("pain", "goal"):
        sub = df[df[col] > 0]
        tab = pd.crosstab(sub["rid"], sub["theme"]).reindex(
            index=said.index, columns=range(k), fill_value=0
        )
        share = tab.div(tab.sum(axis=1).replace(0, 1), axis=0)
        feats.append((0.7 * share).add_prefix(f"{col}_theme_"))
    out = np.sqrt(pd.concat(feats, axis=1).fillna(0.0))
    out.index.name = S.RESPONDENT_ID
    return out


def _trivial(ids: Sequence[str], source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pandas as pd

    assignments = pd.DataFrame(
        {S.RESPONDENT_ID: list(ids), S.SEGMENT: 0, S.PROBABILITY: 1.0, "segment_source": source}
    )
    stab = pd.DataFrame(
        {S.SEGMENT: [0], "size": [len(ids)], "share": [1.0], "jaccard": [float("nan")]}
    )
    return assignments, stab


def segment_participants(
    features: pd.DataFrame,
    *,
    k: int | str = "auto",
    random_state: int = 0,
    n_bootstrap: int = 30,
    progress: bool = False,
) -> tuple[SegmentationResult | None, int, list[str]]:
    """k-means groups of participants, none smaller than :func:`min_segment_size`.

    Returns (result or None for a single group, k, notes).
    """
    from insight.segment.text import segment_text

    n = len(features)
    floor = min_segment_size(n)
    notes: list[str] = []
    k_max = max(1, min(8, n // floor))
    if n < ARCHETYPE_BELOW:
        k_max = max(1, min(k_max, n // 5))
    if k != "auto":
        k_max = max(1, min(int(k), k_max))
    if k_max < 2 or features.shape[1] == 0:
        return None, 1, [f"{n} participants: one group (a persona needs at least {floor})"]

    def kmeans(k_try: int | str) -> SegmentationResult:
        return segment_text(
            features,
            method="kmeans",
            k=k_try,
            k_range=(2, k_max),
            random_state=random_state,
            n_bootstrap=n_bootstrap,
            progress=progress,
        )

    res = kmeans("auto" if k == "auto" else k_max)
    kk = int(res.chosen["k"])
    while kk >= 2:
        sizes = res.assignments[S.SEGMENT].value_counts()
        if sizes.min() >= floor:
            return res, kk, notes
        notes.append(f"k={kk} left a group under {floor} participants; trying k={kk - 1}")
        kk -= 1
        if kk < 2:
            break
        res = kmeans(kk)
    return None, 1, [*notes, f"no split leaves every group with at least {floor} participants"]


# --- everyone else -------------------------------------------------------------------------
def assign_text_only_respondents(
    assignments: pd.DataFrame,
    customer: pd.DataFrame,
    vectors: Any,
    respondents: pd.DataFrame,
    also: set[str] | frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Interviewees (no attitude answers), and the respondents in ``also`` (survey
    respondents who answered none of the items segmented on, e.g. a branch that skipped
    them), join the segment whose members' text they are most similar to (cosine to
    segment centroids). Reviewers are not assigned: an anonymous review is evidence for
    topics and vocabulary, not a segment member."""
    import numpy as np
    import pandas as pd

    if customer.empty or assignments.empty:
        return assignments
    vec = np.asarray(vectors, dtype=np.float32)
    by_resp = customer[S.RESPONDENT_ID].to_numpy()
    seg_of = dict(zip(assignments[S.RESPONDENT_ID], assignments[S.SEGMENT], strict=False))
    segs = sorted(set(seg_of.values()))
    centroids = []
    for s in segs:
        mask = np.array([seg_of.get(r) == s for r in by_resp])
        centroids.append(vec[mask].mean(axis=0) if mask.any() else np.zeros(vec.shape[1]))
    cent = normalise_rows(np.vstack(centroids))
    interviewees = set(
        respondents.loc[respondents[S.SOURCE_TYPE] == S.SOURCE_TRANSCRIPT, S.RESPONDENT_ID]
    ) | set(also)
    rows = []
    for rid in dict.fromkeys(by_resp):
        if rid in seg_of or rid not in interviewees:
            continue
        v = vec[by_resp == rid].mean(axis=0)
        v = v / (np.linalg.norm(v) or 1.0)
        sims = cent @ v
        p = np.exp(sims * 20)
        p = p / p.sum()
        j = int(np.argmax(sims))
        rows.append(
            {
                S.RESPONDENT_ID: rid,
                S.SEGMENT: segs[j],
                S.PROBABILITY: float(p[j]),
                "segment_source": "text-similarity",
            }
        )
    if not rows:
        return assignments
    return pd.concat([assignments, pd.DataFrame(rows)], ignore_index=True)


def unit_groups(customer: pd.DataFrame, assignments: pd.DataFrame) -> pd.Series:
    """unit_id -> segment label ("0", "1" ...; None for units of unsegmented respondents)."""
    import pandas as pd

    # Segment ids as labels: units of unsegmented respondents (reviews) are None, which
    # must not turn the ids into floats ("0.0") downstream.
    seg_of = {
        r: str(int(s))
        for r, s in zip(assignments[S.RESPONDENT_ID], assignments[S.SEGMENT], strict=False)
        if s is not None and not (isinstance(s, float) and math.isnan(s)) and int(s) >= 0
    }
    return pd.Series(
        [seg_of.get(r) for r in customer[S.RESPONDENT_ID]],
        index=customer[S.UNIT_ID].values,
        name=S.SEGMENT,
        dtype=object,
    )


def coverage(assignments: pd.DataFrame, respondents: pd.DataFrame) -> dict[str, Any]:
    """Who got a segment: survey respondents and interviewees (reviewers never do)."""
    eligible = respondents
    if S.SOURCE_TYPE in respondents:
        eligible = respondents[
            respondents[S.SOURCE_TYPE].isin([S.SOURCE_SURVEY, S.SOURCE_TRANSCRIPT])
        ]
    ids = set(eligible[S.RESPONDENT_ID].astype(str))
    seg = assignments[assignments[S.SEGMENT].notna()]
    seg = seg[[not (isinstance(s, int | float) and s < 0) for s in seg[S.SEGMENT]]]
    got = set(seg[S.RESPONDENT_ID].astype(str)) & ids
    total = len(ids)
    return {
        "respondents": total,
        "assigned": len(got),
        "share": round(len(got) / total, 4) if total else 0.0,
        "unassigned": total - len(got),
    }


def coverage_line(cov: dict[str, Any], items: Sequence[str] = ()) -> str:
    """``coverage: 118 of 125 respondents in a segment (94%), on 12 attitude item(s): …``
    (the items segmented on, when there are any)."""
    line = (
        f"coverage: {cov['assigned']} of {cov['respondents']} respondents in a segment "
        f"({cov['share']:.0%})"
    )
    if items:
        line += f", on {len(items)} attitude item(s): {_name_items(items)}"
    return line


def _name_items(items: Sequence[str], show: int = 6, width: int = 40) -> str:
    """``Q1; Q2; 3. I could effectively complete the t… … (19 in all)``: the first items,
    long question texts cut, and how many there are in all."""
    names = [
        str(i) if len(str(i)) <= width else str(i)[: width - 1].rstrip() + "\u2026" for i in items
    ]
    more = f" \u2026 ({len(names)} in all)" if len(names) > show else ""
    return "; ".join(names[:show]) + more


# --- the policy ----------------------------------------------------------------------------
def segment_study(
    customer: pd.DataFrame,
    respondents: pd.DataFrame,
    columns: pd.DataFrame | None,
    vectors: Any,
    annotations: pd.DataFrame | None = None,
    *,
    items: Sequence[str] | None = None,
    method: str = "auto",
    k: int | str = "auto",
    random_state: int = 0,
    n_bootstrap: int = 30,
    progress: bool = False,
) -> StudySegmentation:
    """Segment a study: survey attitudes when it has Likert items, else what people say."""
    import pandas as pd

    from insight.segment import segment_respondents

    choice = segment_items(columns, respondents, items)
    notes: list[str] = []
    if choice.left_out:
        notes.append(_left_out_note(choice, respondents))
    if choice.items:
        reverse = []
        if columns is not None and len(columns) and "reverse" in columns:
            flagged = columns[columns["reverse"].fillna(False).astype(bool)][S.COL_NAME]
            reverse = [c for c in flagged if c in choice.items]
        with_items = respondents[respondents[choice.items].notna().any(axis=1)]
        res = segment_respondents(
            with_items,
            choice.items,
            method=method,
            k=k,
            random_state=random_state,
            reverse=reverse,
            n_bootstrap=n_bootstrap,
            duration=duration_column(respondents),
            progress=progress,
        )
        assignments = res.assignments.copy()
        assignments["segment_source"] = "attitudes"
        if len(res.excluded):
            why = res.excluded.groupby("reason")[S.RESPONDENT_ID].agg(list)
            notes += [
                f"{len(ids)} respondent(s) left out of the attitude fit as {reason}: "
                f"{', '.join(map(str, ids[:10]))}{' …' if len(ids) > 10 else ''}"
                for reason, ids in why.items()
            ]
        mode, profiles, fit, stab, model, chosen = (
            "attitudes",
            res.profiles,
            res.fit_table,
            res.stability.jaccard,
            res.model,
            res.chosen,
        )
        result: SegmentationResult | None = res
    else:
        feats = participant_profiles(customer, vectors, annotations, random_state=random_state)
        n = len(feats)
        result, kk, more = segment_participants(
            feats, k=k, random_state=random_state, n_bootstrap=n_bootstrap, progress=progress
        )
        notes += more
        archetypes = n < ARCHETYPE_BELOW
        source = "archetype" if archetypes else "text"
        mode = "archetypes" if archetypes else "text"
        if archetypes:
            notes.append(
                f"{n} participants (< {ARCHETYPE_BELOW}): {kk} archetype(s), not measured segments"
            )
        if result is None:
            assignments, stab = _trivial(feats.index.astype(str).tolist(), source)
            fit = pd.DataFrame({"method": ["none"], "k": [1], "chosen": [True]})
            model = None
            chosen = {"method": "none", "k": 1, "rule": notes[-1] if notes else "one group"}
        else:
            assignments = result.assignments.copy()
            assignments["segment_source"] = source
            fit, stab, model, chosen = (
                result.fit_table,
                result.stability.jaccard,
                result.model,
                result.chosen,
            )
        # internal features (theme shares of embedding clusters) are never attitudes
        profiles = pd.DataFrame(columns=PROFILE_COLUMNS).astype(
            {"segment": "int64", "item": "str", "n": "int64"}
        )
    no_items: set[str] = set()
    if choice.items:
        # survey respondents who skipped every segmented item join by what they wrote
        survey = respondents
        if S.SOURCE_TYPE in respondents:
            survey = respondents[respondents[S.SOURCE_TYPE] == S.SOURCE_SURVEY]
        skipped = survey[survey[choice.items].isna().all(axis=1)]
        no_items = set(skipped[S.RESPONDENT_ID].astype(str))
    assignments = assign_text_only_respondents(
        assignments, customer, vectors, respondents, also=frozenset(no_items)
    )
    cov = coverage(assignments, respondents)
    return StudySegmentation(
        result=result,
        mode=mode,
        items=list(choice.items),
        assignments=assignments,
        profiles=profiles,
        fit_table=fit,
        stability=stab,
        model=model,
        chosen=chosen,
        coverage=cov,
        notes=notes,
        left_out=list(choice.left_out),
    )
