"""Claim builders: plain functions over a frozen view of one segment against the rest.

Each builder reads a :class:`SegmentView` (the study's customer units split into the
segment's ``mine`` and the other segments' ``rest``) and returns claims with their counts,
unit ids and quotes; nothing is mutated between builders.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.extract.pain_labels import states_problem
from insight.extract.pain_themes import unit_intensity
from insight.personas.model import (
    ALPHA,
    EKMAN_GROUPS,
    MAX_CLAIM_QUOTES,
    MIN_ABS_D,
    MIN_LIFT,
    Claim,
    as_list,
)
from insight.personas.view import SegmentView, StudyView
from insight.personas.words import _stems, order_vocabulary
from insight.stats import bh_adjust, two_proportion_test
from insight.stats import is_number as _is_number
from insight.stats import plain as _plain

if TYPE_CHECKING:
    import pandas as pd

    from insight.extract.goals import StatedGoal


def _two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p of the pooled two-proportion z-test (as personas always used)."""
    return two_proportion_test(k1, n1, k2, n2, min_expected=0)[1]


def columns_with_role(v: SegmentView | StudyView, role: str) -> list[str]:
    if not len(v.cols) or S.COL_ROLE not in v.cols:
        return []
    names = v.cols.loc[v.cols[S.COL_ROLE] == role, S.COL_NAME].astype(str)
    return [c for c in dict.fromkeys(names) if c in v.resp.columns]


def scale(v: SegmentView | StudyView, item: str, values: pd.Series) -> tuple[float, float]:
    if len(v.cols) and "scale_min" in v.cols:
        r = v.cols[v.cols[S.COL_NAME].astype(str) == item]
        if len(r) and _is_number(r["scale_min"].iloc[0]) and _is_number(r["scale_max"].iloc[0]):
            return float(r["scale_min"].iloc[0]), float(r["scale_max"].iloc[0])
    return float(values.min()), float(values.max())


def respondent_units(v: SegmentView, rids: Iterable[str]) -> list[str]:
    rids = set(rids)
    m = v.mine
    return m.index[m[S.RESPONDENT_ID].isin(rids)].tolist()


def related_units(v: SegmentView, rids: Iterable[str], words: set[str]) -> tuple[list[str], str]:
    """Units of ``rids`` that share a content word with ``words``; else all their units."""
    ids = respondent_units(v, rids)
    if words:
        rel = [u for u in ids if _stems(v.ev.by_id.at[u, S.TEXT]) & words]
        if rel:
            return rel, "mentions"
    return ids, "respondents"


def make_claim(
    v: SegmentView,
    kind: str,
    label: str,
    n: int,
    N: int,
    unit_ids: list[str],
    stats: dict[str, Any],
    score: Mapping[str, float] | None = None,
) -> Claim:
    quotes = v.ev.pick(unit_ids, MAX_CLAIM_QUOTES, score if score is not None else v.centre)
    return Claim(kind, label, int(n), int(N), list(unit_ids), quotes, _plain(stats))


def attitude_claims(v: SegmentView) -> list[Claim]:
    import pandas as pd

    from insight.segment.profiles import item_direction, item_instrument

    prof = v.t.segment_profiles
    if prof is None or prof.empty:
        return []
    prof = prof[prof[S.SEGMENT].astype(str) == str(v.segment)].copy()
    if prof.empty:
        return []
    prof["_abs"] = prof["d"].abs()
    prof = prof[(prof["p_adj"] < ALPHA) & (prof["_abs"] >= MIN_ABS_D)]
    prof = prof.sort_values(["_abs", "item"], ascending=[False, True]).head(6)
    claims = []
    # only questions of the study are attitudes (never a feature such as an embedding dim)
    known = set(v.item_text) | set(v.resp.columns)
    prof = prof[prof["item"].astype(str).isin(known)]
    for _, r in prof.iterrows():
        item = str(r["item"])
        text = v.item_text.get(item, item)
        stats: dict[str, Any] = {
            "key": item,
            "item": item,
            "question": text,
            "mean": r["mean"],
            "rest_mean": r["rest_mean"],
            "d": r["d"],
            "p_adj": r["p_adj"],
        }
        n, N, rids = 0, 0, []
        counted: tuple[bool, float] | None = None  # (the segment scores higher, midpoint)
        if item in v.resp.columns:
            vals = pd.to_numeric(v.resp[item], errors="coerce")
            mine = vals.reindex(v.members).dropna()
            rest = vals.drop(index=v.members, errors="ignore").dropna()
            lo, hi = scale(v, item, vals.dropna())
            mid = (lo + hi) / 2
            higher = (mine.mean() >= rest.mean()) if len(rest) else r["d"] >= 0
            side = mine[mine > mid] if higher else mine[mine < mid]
            n, N, rids = len(side), len(mine), [str(x) for x in side.index]
            counted = (bool(higher), mid)
            stats.update(
                mean=mine.mean(),
                rest_mean=rest.mean(),
                d=abs(r["d"]) * (1 if higher else -1),
                scale_min=lo,
                scale_max=hi,
                direction="higher" if higher else "lower",
            )
        else:
            stats.update(direction="higher" if r["d"] >= 0 else "lower")
        # +1 / -1: the segment's side is the agreeing / disagreeing end; None: not known
        way = item_direction(v.cols, item)
        side = 1 if stats["direction"] == "higher" else -1
        stats["agreement"] = None if way is None else way * side
        if counted is not None:
            stats["answer_side"] = _answer_side(counted[0], stats["agreement"], counted[1])
        if instrument := item_instrument(v.cols, item):  # "known instrument: SUS item 2"
            stats["instrument"] = instrument
        units, how = related_units(v, rids, v.item_stems.get(item, set()))
        stats["evidence"] = how
        stats["respondent_ids"] = rids
        score = dict(v.centre)
        words = v.item_stems.get(item, set())
        for u in units:
            score[u] = score.get(u, 0.0) + len(_stems(v.ev.by_id.at[u, S.TEXT]) & words)
        claims.append(make_claim(v, "attitude", text, n, N, units, stats, score))
    return claims


def _answer_side(higher: bool, agreement: int | None, mid: float) -> str:
    """Which answers the n of an attitude claim counts, in the scale's own terms.

    On a scale whose agreeing end is known (PSSUQ: 1 = strongly agree, so "above the
    midpoint" disagrees) the side is named by what it means, with the numbers.
    """
    where = f"{'above' if higher else 'below'} the scale midpoint ({mid:g})"
    if agreement is None:
        return where
    return f"on the {'agreeing' if agreement > 0 else 'disagreeing'} side, {where}"


def categorical_claims(v: SegmentView, role: str, kind: str, limit: int = 6) -> list[Claim]:

    rows = []
    for col in columns_with_role(v, role):
        vals = v.resp[col]
        if is_numeric(v, col, role):
            continue  # summarised as a median by `numeric_claims`
        vals = vals.astype("string").str.strip()
        mine = vals.reindex(v.members).dropna()
        mine = mine[mine != ""]
        rest = vals.drop(index=v.members, errors="ignore").dropna()
        rest = rest[rest != ""]
        if mine.empty:
            continue
        for cat, k in mine.value_counts().items():
            k_rest = int((rest == cat).sum())
            p = _two_proportion_p(int(k), len(mine), k_rest, len(rest))
            share, rshare = k / len(mine), (k_rest / len(rest) if len(rest) else float("nan"))
            rows.append((col, str(cat), int(k), len(mine), share, rshare, p, mine))
    padj = bh_adjust([r[6] for r in rows])
    picked: list[tuple] = []
    modal: dict[str, tuple] = {}
    for r, pa in zip(rows, padj, strict=False):
        col, cat, k, nn, share, rshare, p, mine = r
        lift = share / rshare if rshare and rshare > 0 else float("inf")
        distinct = _is_number(pa) and pa < ALPHA and lift >= MIN_LIFT
        if distinct:
            picked.append((r, pa, lift, True))
        if col not in modal or k > modal[col][0][2]:
            modal[col] = (r, pa, lift, False)
    cols_done = {x[0][0] for x in picked}
    picked.sort(key=lambda x: (-x[2] if math.isfinite(x[2]) else -1e9, x[0][0], x[0][1]))
    for col, x in modal.items():
        if col not in cols_done:
            picked.append(x)
    claims = []
    for (col, cat, k, nn, share, rshare, _p, mine), pa, lift, distinct in picked[:limit]:
        question = v.item_text.get(col, col)
        rids = [str(i) for i in mine.index[mine == cat]]
        units = respondent_units(v, rids)
        label = f"{question}: {cat}"
        stats = {
            "key": f"{col}-{cat}",
            "column": col,
            "question": question,
            "category": cat,
            "share": share,
            "rest_share": rshare,
            "lift": lift if math.isfinite(lift) else None,
            "p_adj": pa,
            "distinctive": distinct,
            "respondent_ids": rids,
            "evidence": "respondents",
        }
        claims.append(make_claim(v, kind, label, k, nn, units, stats))
    return claims


def is_numeric(v: SegmentView | StudyView, col: str, role: str) -> bool:
    """Behaviour columns that are numbers, and demographics with many numeric values (age)."""
    import pandas as pd

    vals = v.resp[col]
    num = pd.to_numeric(vals, errors="coerce")
    present = vals.notna() & (vals.astype("string").str.strip() != "")
    if not present.any() or num[present].notna().mean() < 0.9:
        return False
    return role == S.ROLE_BEHAVIOUR or num.nunique() > 8


def numeric_claims(v: SegmentView, cols: list[str], kind: str) -> list[Claim]:
    import pandas as pd
    from scipy.stats import mannwhitneyu

    rows = []
    for col in cols:
        vals = pd.to_numeric(v.resp[col], errors="coerce")
        if vals.notna().mean() < 0.5:
            continue
        mine = vals.reindex(v.members).dropna()
        rest = vals.drop(index=v.members, errors="ignore").dropna()
        if len(mine) < 2:
            continue
        p = float("nan")
        if len(rest) >= 2 and (mine.nunique() > 1 or rest.nunique() > 1):
            p = float(mannwhitneyu(mine, rest, alternative="two-sided").pvalue)
        rows.append((col, mine, rest, p))
    padj = bh_adjust([r[3] for r in rows])
    claims = []
    for (col, mine, rest, _p), pa in zip(rows, padj, strict=False):
        question = v.item_text.get(col, col)
        med, rmed = float(mine.median()), float(rest.median()) if len(rest) else float("nan")
        distinct = _is_number(pa) and pa < ALPHA
        rids = [str(i) for i in mine.index]
        units, how = related_units(v, rids, _stems(question))
        stats = {
            "key": col,
            "column": col,
            "question": question,
            "median": med,
            "rest_median": rmed,
            "mean": float(mine.mean()),
            "rest_mean": float(rest.mean()) if len(rest) else None,
            "p_adj": pa,
            "distinctive": distinct,
            "respondent_ids": rids,
            "evidence": how,
        }
        claims.append(make_claim(v, kind, question, len(mine), len(v.members), units, stats))
    claims.sort(key=lambda c: (not c.stats["distinctive"], c.label))
    return claims


def behaviour_column_claims(v: SegmentView) -> list[Claim]:
    """The behaviour columns of ``v`` as claims: numeric ones as medians against the rest,
    the others (a plan, a tier) as categories (see :mod:`insight.personas.behaviour`)."""
    cols = [c for c in columns_with_role(v, S.ROLE_BEHAVIOUR) if is_numeric(v, c, S.ROLE_BEHAVIOUR)]
    numeric = numeric_claims(v, cols, "behaviour")
    categorical = categorical_claims(v, S.ROLE_BEHAVIOUR, "behaviour", limit=4)
    return numeric + categorical


def pain_point_claims(v: SegmentView) -> list[Claim]:
    """The segment's pain themes (the study's own, see :mod:`insight.extract.pain_themes`).

    n = segment members with text who voice the theme, of N members with text; severity =
    share x intensity (x 100); distinctive when over-represented against the rest (BH).
    """
    import numpy as np

    theme_of = v.study.pain_theme_of
    if not theme_of:
        return []
    mine = v.mine[v.mine.index.isin(theme_of.keys())]
    rest = v.rest[v.rest.index.isin(theme_of.keys())]
    if mine.empty:
        return []
    themes = mine.index.map(theme_of)
    rest_themes = rest.index.map(theme_of) if len(rest) else rest.index
    N = max(v.n_text, 1)
    rows = []
    for theme in sorted(set(themes)):
        units = mine[themes == theme]
        n = units[S.RESPONDENT_ID].nunique()
        k_rest = rest[rest_themes == theme][S.RESPONDENT_ID].nunique() if len(rest) else 0
        p = _two_proportion_p(n, N, k_rest, v.rest_text)
        rows.append((theme, units, n, k_rest, p, n / N, _intensity(units)))
    padj = bh_adjust([r[4] for r in rows])
    info = v.study.pain_theme_info
    claims = []
    for (theme, units, n, k_rest, _p, breadth, inten), pa in zip(rows, padj, strict=False):
        rest_breadth = k_rest / v.rest_text if v.rest_text else float("nan")
        lift = breadth / rest_breadth if rest_breadth else float("inf")
        ids = units.index.tolist()
        meta = info.get(theme, {})
        label = str(meta.get("label", "Other problems"))
        tops = []
        if S.TOPIC_LABEL in units and units[S.TOPIC_LABEL].notna().any():
            tl = units.loc[
                units[S.TOPIC].fillna(S.UNASSIGNED_TOPIC) != S.UNASSIGNED_TOPIC, S.TOPIC_LABEL
            ]
            tops = [str(x) for x in tl.value_counts().head(3).index]
        score = pain_quote_scores(units, label, set(meta.get("label_units") or []), v.centre)
        stats = {
            "key": label,
            "pain_theme": int(theme),
            "pain_point_type": meta.get("tag"),
            "mentions": len(ids),
            "frequency": len(ids) / len(mine),
            "breadth": breadth,
            "intensity": inten,
            "severity": 100.0 * breadth * inten,
            "rest_breadth": rest_breadth,
            "lift": lift if math.isfinite(lift) else None,
            "p_adj": pa,
            "distinctive": bool(_is_number(pa) and pa < ALPHA and lift >= MIN_LIFT),
            "terms": list(meta.get("terms", [])),
            "noun_terms": list(meta.get("noun_terms", [])),
            "topics": tops,
            "mean_sentiment": float(np.nanmean(units[S.SENTIMENT]))
            if units[S.SENTIMENT].notna().any()
            else None,
        }
        claims.append(make_claim(v, "pain_point", label, n, N, ids, stats, score))
    claims.sort(key=lambda c: (-c.stats["severity"], c.label))
    return claims


def pain_quote_scores(
    units: pd.DataFrame, label: str, stating: set[str], centre: Mapping[str, float]
) -> dict[str, float]:
    """Quote order of a pain theme: units that state its label's problem first (see
    ``label_units`` of :mod:`insight.extract.pain_themes`), then units that use the label's
    words, then units that say a problem at all ("not clear", "can't find"); within those
    the pain probability, and typicality breaks near-ties."""
    # the thing the label is about ("data frequency"), not its problem words ("unclear")
    words = _stems(label) - _PROBLEM_WORDS or _stems(label)
    score = {}
    for u in units.index:
        text = str(units.at[u, S.TEXT])
        p = units.at[u, S.PAIN_POINT_SCORE]
        score[u] = (
            4.0 * (u in stating)
            + 2.0 * len(_stems(text) & words) / max(len(words), 1)
            + 1.5 * states_problem(text)
            + (float(p) if _is_number(p) else 0.0)
            + 0.1 * centre.get(u, 0.0)
        )
    return score


#: the words a pain label states its problem with (see insight.extract.pain_labels)
_PROBLEM_WORDS = _stems(
    "is are unclear missing hard find use does not work slow problems issues errors too"
    " with trouble difficulties bugs"
)


def terms_in(v: SegmentView, unit_ids: list[str], k: int = 3) -> list[str]:
    """The vocabulary terms that occur most often in ``unit_ids`` (display forms)."""
    voc = v.t.vocabulary
    if voc is None or voc.empty or "unit_ids" not in voc:
        return []
    ids = set(unit_ids)
    counts: dict[str, int] = {}
    for term, uids in zip(voc["term"], voc["unit_ids"], strict=False):
        c = len(ids.intersection(as_list(uids)))
        if c >= 2:
            counts[str(term)] = max(counts.get(str(term), 0), c)
    return [t for t, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:k]]


def goal_claims(v: SegmentView, limit: int = 4) -> list[Claim]:
    """The segment's goals, each labelled as a goal in its members' words ("Get the data
    for all Ireland", "See where the data comes from"; see
    :func:`insight.extract.goals.stated_goal`). Only units that state a goal count (a step
    of the task, a question or "nothing would be useful" does not). The label is the
    statement whose words most other members' statements share (a wish or request counts
    one more than a plain "I want / I need"); its claim holds the statements that share two of its words
    (words in most statements, the study's subject, do not count) or whose unit embedding
    is within cosine :data:`SAME_GOAL` of its unit; the rest make the next goal. n =
    members whose own statement is in the claim; the ``limit`` largest goals are kept."""
    from insight.extract.goals import stated_goal

    mine = v.mine[v.mine[S.GOAL] >= 1]
    found = {u: stated_goal(str(v.ev.by_id.at[u, S.TEXT])) for u in mine.index}
    said = {u: goal for u, goal in found.items() if goal is not None}
    left = list(said)
    if not left:
        return []
    words = {u: _stems(said[u].text) - _GOAL_VERBS for u in left}
    spread = Counter(w for u in left for w in words[u])
    common = {w for w, k in spread.items() if k > max(2, 0.3 * len(left))}
    words = {u: ws - common for u, ws in words.items()}
    N = max(v.n_text, 1)
    claims: list[Claim] = []
    while left and len(claims) < 3 * limit:
        best, score = _goal_label(mine.loc[left], said, words, v.centre)
        near = v.ev.typicality(left, [best])  # cosine to the label's statement
        ids = [
            u
            for u in left
            if u == best or _same_goal(words[u], words[best]) or near.get(u, 0.0) >= SAME_GOAL
        ]
        n = mine.loc[ids, S.RESPONDENT_ID].nunique()
        stats = {"key": f"goal-{best}", "mentions": len(ids), "statement_unit": best}
        claims.append(make_claim(v, "goal", said[best].text, n, N, ids, stats, score))
        left = [u for u in left if u not in set(ids)]
    claims.sort(key=lambda c: (-c.n, c.label))
    return claims[:limit]


#: sentence-embedding cosine at which two goal statements say the same goal
SAME_GOAL = 0.6


def _same_goal(a: set[str], b: set[str]) -> bool:
    """Two goal statements name the same goal: they share two words (one when either has
    no more than one)."""
    return len(a & b) >= max(1, min(2, len(a), len(b)))


#: verbs every goal statement may start with: they do not make two goals the same
_GOAL_VERBS = _stems("have get see add include show make use want need able be")


def _goal_label(
    g: pd.DataFrame,
    said: Mapping[str, StatedGoal],
    words: Mapping[str, set[str]],
    centre: Mapping[str, float],
) -> tuple[str, dict[str, float]]:
    """The unit whose statement labels the group ``g`` (the one whose ``words`` most other
    respondents' statements share, a wish counting one more; then a wish, the shorter) and
    the quote order (that unit, then wishes, statements sharing its words, typicality)."""
    text = {u: goal.text if (goal := said.get(u)) else "" for u in g.index}
    wish = {u: bool((goal := said.get(u)) and goal.wish) for u in g.index}

    def shared(u: str) -> int:
        me = str(g.at[u, S.RESPONDENT_ID])
        others = {str(g.at[o, S.RESPONDENT_ID]) for o in g.index if _same_goal(words[o], words[u])}
        return len(others - {me})

    # the most shared statement; a wish counts as one more respondent sharing it
    best = min(
        g.index, key=lambda u: (-shared(u) - wish[u], not wish[u], len(text[u].split()), text[u])
    )
    score = {
        u: 3.0 * (u == best)
        + 1.0 * wish[u]
        + len(words[u] & words[best])
        + 0.1 * centre.get(u, 0.0)
        for u in g.index
    }
    return str(best), score


def emotion_claims(v: SegmentView) -> list[Claim]:
    mine, rest = v.mine, v.rest
    if S.EKMAN not in mine or mine[S.EKMAN].isna().all():
        return []
    m_e = mine[S.EKMAN].fillna("neutral").astype(str)
    r_e = rest[S.EKMAN].fillna("neutral").astype(str) if len(rest) else rest[S.EKMAN]
    groups = [g for g in EKMAN_GROUPS if g in set(m_e) | set(r_e)] or sorted(set(m_e))
    rows = []
    for g in groups:
        k, kr = int((m_e == g).sum()), int((r_e == g).sum())
        rows.append((g, k, kr, _two_proportion_p(k, len(m_e), kr, len(r_e))))
    padj = bh_adjust([r[3] for r in rows])
    claims = []
    for (g, k, kr, _p), pa in zip(rows, padj, strict=False):
        if k == 0:  # nothing to quote: no claim (the rest's share shows in the chart)
            continue
        share = k / len(m_e)
        rshare = kr / len(r_e) if len(r_e) else float("nan")
        lift = share / rshare if rshare else float("inf")
        ids = m_e.index[m_e == g].tolist()
        score = {}
        if S.INTENSITY in mine:
            score = {
                u: float(mine.at[u, S.INTENSITY]) if _is_number(mine.at[u, S.INTENSITY]) else 0.0
                for u in ids
            }
        stats = {
            "key": g,
            "emotion": g,
            "share": share,
            "rest_share": rshare,
            "lift": lift if math.isfinite(lift) else None,
            "p_adj": pa,
            "distinctive": bool(
                g != "neutral" and _is_number(pa) and pa < ALPHA and lift >= MIN_LIFT
            ),
            "units": k,
            "units_total": len(m_e),
        }
        n = mine.loc[ids, S.RESPONDENT_ID].nunique() if ids else 0
        claims.append(
            make_claim(v, "emotion", g.capitalize(), n, max(v.n_text, 1), ids, stats, score)
        )
    return claims


def vocabulary_claims(v: SegmentView, limit: int = 12) -> list[Claim]:
    voc = v.t.vocabulary
    if voc is None or voc.empty or "group" not in voc:
        return []
    wanted = {
        str(v.segment).lower(),
        f"segment {v.segment}".lower(),
        f"segment={v.segment}".lower(),
        f"segment_{v.segment}".lower(),
        v.pid.lower(),
    }
    rows = voc[voc["group"].astype(str).str.strip().str.lower().isin(wanted)]
    if "z" in rows:
        rows = rows[rows["z"] > 0].sort_values(["z", "term"], ascending=[False, True])
    # the participants' own nouns and phrases first, bare verbs and discourse words last
    rows = order_vocabulary(rows, v.mine[S.TEXT].astype(str).to_dict())
    claims = []
    for _, r in rows.iterrows():
        ids = [u for u in as_list(r.get("unit_ids")) if u in v.mine.index]
        if not ids:
            continue
        n = v.mine.loc[ids, S.RESPONDENT_ID].nunique()
        term = str(r["term"])
        variants = (
            as_list(r.get("variants"))
            if not isinstance(r.get("variants"), str) or r.get("variants", "").startswith("[")
            else [x.strip() for x in str(r["variants"]).split(";") if x.strip()]
        )
        stats = {
            "key": term,
            "term": term,
            "z": r.get("z"),
            "count": r.get("count"),
            "variants": variants,
        }
        score = {
            u: (1.0 if term.lower() in str(v.ev.by_id.at[u, S.TEXT]).lower() else 0.0)
            + v.centre.get(u, 0.0)
            for u in ids
        }
        claims.append(make_claim(v, "vocabulary", term, n, max(v.n_text, 1), ids, stats, score))
        if len(claims) >= limit:
            break
    return claims


def _stored_topic_differences(v: SegmentView) -> dict[int, dict[str, Any]] | None:
    """topic -> the stored ``topic_differences`` row of this segment (dimension "group"),
    or None when the study has no such table (then the claims compute the test)."""
    diff = v.t.topic_differences
    if diff is None or not len(diff) or "group" not in diff:
        return None
    if "dimension" in diff:
        diff = diff[diff["dimension"].astype(str) == "group"]
    try:
        key = str(int(float(v.segment)))
    except (TypeError, ValueError):
        key = str(v.segment)
    rows = diff[diff["group"].astype(str) == key]
    if rows.empty:
        return None
    return {int(r[S.TOPIC]): r for r in rows.to_dict("records")}


def topic_claims(v: SegmentView, limit: int = 5) -> list[Claim]:
    """The themes the segment talks about more than the rest (the stored prevalence test of
    the topics stage when the study has one)."""
    mine, rest = v.mine, v.rest
    if S.TOPIC not in mine or mine[S.TOPIC].isna().all():
        return []
    mt = mine[S.TOPIC].fillna(S.UNASSIGNED_TOPIC)
    rt = rest[S.TOPIC].fillna(S.UNASSIGNED_TOPIC) if len(rest) else rest[S.TOPIC]
    labels = {}
    tt = v.t.topics
    if tt is not None and len(tt) and "label" in tt:
        labels = {str(k): str(x) for k, x in zip(tt[S.TOPIC], tt["label"], strict=False)}
    out = []
    stored = _stored_topic_differences(v)
    if stored is not None:
        # the topics stage's own test of each theme in this segment vs the rest
        for t in sorted(set(mt) - {S.UNASSIGNED_TOPIC}, key=str):
            r = stored.get(int(t))
            k = int((mt == t).sum())
            if r is None:
                continue
            share, rshare, pa = float(r["share_in_group"]), float(r["share_rest"]), r["p_adj"]
            lift = share / rshare if rshare else float("inf")
            distinct = bool(_is_number(pa) and pa < ALPHA and lift >= MIN_LIFT)
            out.append((distinct, lift, share, t, k, rshare, pa))
    else:
        rows = []
        for t in sorted(set(mt) - {S.UNASSIGNED_TOPIC}, key=str):
            k, kr = int((mt == t).sum()), int((rt == t).sum())
            rows.append((t, k, kr, _two_proportion_p(k, len(mt), kr, len(rt))))
        padj = bh_adjust([r[3] for r in rows])
        for (t, k, kr, _p), pa in zip(rows, padj, strict=False):
            share = k / len(mt)
            rshare = kr / len(rt) if len(rt) else float("nan")
            lift = share / rshare if rshare else float("inf")
            distinct = bool(_is_number(pa) and pa < ALPHA and lift >= MIN_LIFT)
            out.append((distinct, lift, share, t, k, rshare, pa))
    out.sort(key=lambda x: (not x[0], -x[2] if not x[0] else -min(x[1], 1e9), str(x[3])))
    chosen = [x for x in out if x[0]][:limit] or out[: min(3, limit)]
    claims = []
    for distinct, lift, share, t, k, rshare, pa in chosen:
        ids = mt.index[mt == t].tolist()
        label = labels.get(str(t))
        if label is None:
            tl = mine.loc[ids, S.TOPIC_LABEL].dropna().tolist() if S.TOPIC_LABEL in mine else []
            label = str(tl[0]) if tl else f"Topic {t}"
        stats = {
            "key": f"topic-{t}",
            "topic": t,
            "share": share,
            "rest_share": rshare,
            "lift": lift if math.isfinite(lift) else None,
            "p_adj": pa,
            "distinctive": distinct,
            "units": k,
        }
        n = mine.loc[ids, S.RESPONDENT_ID].nunique()
        claims.append(make_claim(v, "topic", label, n, max(v.n_text, 1), ids, stats))
    return claims


def _intensity(units: pd.DataFrame) -> float:
    """Mean per-unit intensity of pain units (see :func:`unit_intensity`)."""
    vals = [unit_intensity(r) for r in units.to_dict("records")]
    return sum(vals) / len(vals) if vals else 0.0
