"""Pain themes of a study: its detected pain units grouped by what they say.

The pain-point head marks units that voice a problem; the fixed consumer taxonomy
(price, reliability, usability ...) fits product reviews but not every study ("the cost
of an error when using AI is too high" is not a price complaint). Here the pain units of
one study are clustered on their sentence embeddings (TF-IDF of their content words when
there are none) into that study's own pain themes:

* a theme is labelled with the content words its units use most and the other pain
  units least (c-TF-IDF, filler and stop words never count);
* severity = share x intensity: the share of participants (with text) who voice it, times
  the mean intensity of its units (pain score, negative sentiment, emotion intensity);
* the taxonomy type that most of its units carry is kept as an optional ``tag``;
* non-answers ("Did not answer", "n/a") and units without two content words are never
  pains; themes smaller than ``min_units`` units join the nearest theme or "Other problems".

Deterministic for a given ``random_state``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.nlp import content_tokens, is_non_answer
from insight.stats import is_number, normalise_rows

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

OTHER_THEME = -1
OTHER_LABEL = "Other problems"
MIN_CONTENT_WORDS = 2
UBIQUITOUS = 1 / 3  # a term in more than this share of all pain units (and most themes)


@dataclass(frozen=True)
class PainThemes:
    """Pain themes of a study.

    Attributes:
        assignments: unit_id, respondent_id, pain_theme (int, -1 = other), pain_theme_label.
        themes: pain_theme, label, terms (list), units, participants, share, intensity,
            severity, tag (the dominant taxonomy type or None); most severe first.
    """

    assignments: pd.DataFrame
    themes: pd.DataFrame

    def label_of(self) -> dict[str, str]:
        """unit_id -> theme label."""
        return dict(
            zip(self.assignments[S.UNIT_ID], self.assignments["pain_theme_label"], strict=False)
        )


def is_pain_unit(text: Any) -> bool:
    """A unit that can be evidence of a pain: not a non-answer, two or more content words."""
    return not is_non_answer(text) and len(content_tokens(text)) >= MIN_CONTENT_WORDS


def unit_intensity(row: Mapping[str, Any]) -> float:
    """Intensity of one pain unit in [0, 1]: mean of pain score, negative sentiment, intensity."""
    parts = []
    if is_number(row.get(S.PAIN_POINT_SCORE)):
        parts.append(min(max(float(row[S.PAIN_POINT_SCORE]), 0.0), 1.0))
    if is_number(row.get(S.SENTIMENT)):
        parts.append(min(max(-float(row[S.SENTIMENT]), 0.0), 1.0))
    if is_number(row.get(S.INTENSITY)):
        parts.append(min(max(float(row[S.INTENSITY]), 0.0), 1.0))
    return sum(parts) / len(parts) if parts else 1.0


def _n_clusters(n: int) -> int:
    """About one theme per 4-6 pain units at small n, at most 15 themes."""
    if n < 6:
        return 1
    return int(min(15, max(2, round(math.sqrt(n / 2.5)))))


def _features(texts: list[str], ids: list[str], vectors: Mapping[str, Any] | None) -> np.ndarray:
    import numpy as np

    if vectors is not None and ids and all(u in vectors for u in ids):
        return normalise_rows(np.vstack([np.asarray(vectors[u], dtype=float) for u in ids]))
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer=content_tokens, min_df=1, sublinear_tf=True)
    try:
        x = vec.fit_transform(texts).toarray()
    except ValueError:  # no content word at all
        return np.ones((len(texts), 1))
    return normalise_rows(x)


def _terms(tokens: list[str]) -> list[str]:
    """Unigrams and adjacent bigrams of content tokens (singular-ish)."""
    toks = [
        t[:-1] if len(t) > 4 and t.endswith("s") and not t.endswith("ss") else t for t in tokens
    ]
    return list(dict.fromkeys(toks + [f"{a} {b}" for a, b in pairwise(toks)]))


def _stem(word: str) -> str:
    for suf in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


def label_clusters(
    tokens: list[list[str]],
    labels: list[int],
    max_terms: int = 3,
    prefer: set[str] | frozenset[str] = frozenset(),
) -> dict[int, list[str]]:
    """Theme -> its most distinctive terms.

    A term scores ``sqrt(p) * log(p / q)``: p its share of the theme's units, q its share of
    all units; words in more than a third of all pain units (the study's subject, "ai" in a
    study about AI) never label a theme. A term must occur in at least two units of the theme (or in the only one) and
    be over-represented; terms sharing a word stem with a picked term are skipped. Terms
    in ``prefer`` (the study's own vocabulary) score a quarter more.
    """
    clusters = sorted(set(labels))
    df_units: dict[int, Counter[str]] = {c: Counter() for c in clusters}
    size: Counter[int] = Counter(labels)
    overall: Counter[str] = Counter()
    for toks, c in zip(tokens, labels, strict=False):
        terms = _terms(toks)
        df_units[c].update(terms)
        overall.update(terms)
    n_all = max(len(labels), 1)
    spread: Counter[str] = Counter()
    for c in clusters:
        spread.update(df_units[c].keys())
    # the study's subject ("ai" in a study about AI): in more than a third of all pain
    # units and in most themes
    ubiquitous = {
        t
        for t, k in overall.items()
        if (k + 1) / (n_all + 1) > UBIQUITOUS and spread[t] > max(len(clusters) / 2, 2)
    }
    # a word pair made only of ubiquitous words ("use ai") says no more than they do
    common_pairs = {
        t for t in overall if " " in t and set(t.split()) <= {u for u in ubiquitous if " " not in u}
    }
    out: dict[int, list[str]] = {}
    for c in clusters:
        need = 2 if size[c] >= 2 else 1
        scored = []
        for term, k in df_units[c].items():
            if k < need:
                continue
            p = k / size[c]
            q = (overall[term] + 1) / (n_all + 1)
            if len(clusters) > 1 and (p <= q or term in ubiquitous or term in common_pairs):
                continue  # not over-represented, or the study's subject ("ai" in an AI study)
            bonus = (1.15 if " " in term else 1.0) * (1.25 if term in prefer else 1.0)
            scored.append((math.sqrt(p) * math.log(max(p / q, 1.0001)) * bonus, k, term))
        scored.sort(key=lambda x: (-x[0], -x[1], x[2]))
        picked: list[str] = []
        stems: set[str] = set()
        for _s, _k, term in scored:
            st = {_stem(w) for w in term.split()}
            if st & stems:
                continue
            picked.append(term)
            stems |= st
            if len(picked) >= max_terms:
                break
        out[c] = picked
    return out


def group_pain_points(
    units: pd.DataFrame,
    vectors: Mapping[str, Any] | None = None,
    *,
    participants: int | None = None,
    min_units: int = 3,
    random_state: int = 0,
    vocabulary: Sequence[str] = (),
) -> PainThemes:
    """Cluster the pain units of ``units`` into named pain themes.

    Args:
        units: customer units with unit_id, respondent_id, text and the annotation columns
            pain_point (0/1), pain_point_type, pain_point_score, sentiment, intensity.
        vectors: unit_id -> sentence embedding (optional; TF-IDF of content words without).
        participants: the N for shares (default: respondents with a unit in ``units``).
        min_units: a theme needs this many units; smaller ones join the nearest theme.
        random_state: seed of the k-means.
        vocabulary: the study's distinctive terms, preferred in labels.
    """
    import numpy as np
    import pandas as pd

    empty = PainThemes(
        pd.DataFrame(columns=[S.UNIT_ID, S.RESPONDENT_ID, "pain_theme", "pain_theme_label"]),
        pd.DataFrame(
            columns=[
                "pain_theme",
                "label",
                "terms",
                "units",
                "participants",
                "share",
                "intensity",
                "severity",
                "tag",
            ]
        ),
    )
    if units is None or units.empty or S.PAIN_POINT not in units:
        return empty
    n_people = participants or int(units[S.RESPONDENT_ID].nunique())
    flag = pd.to_numeric(units[S.PAIN_POINT], errors="coerce").fillna(0) >= 1
    pain = units[flag & units[S.TEXT].map(is_pain_unit)].drop_duplicates(S.UNIT_ID)
    if pain.empty:
        return empty
    ids = pain[S.UNIT_ID].astype(str).tolist()
    texts = pain[S.TEXT].astype(str).tolist()
    x = _features(texts, ids, vectors)
    k = min(_n_clusters(len(ids)), len(ids))
    if k > 1:
        from sklearn.cluster import KMeans

        km = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(x)
        lab = km.labels_.astype(int)
        centres = normalise_rows(km.cluster_centers_)
        # small themes join the nearest large one when close, else "other"
        counts = Counter(lab.tolist())
        big = [c for c in range(k) if counts[c] >= min_units]
        for i in range(len(lab)):
            if counts[lab[i]] >= min_units:
                continue
            if big:
                sims = centres[big] @ x[i]
                j = int(np.argmax(sims))
                lab[i] = big[j] if sims[j] >= 0.35 else OTHER_THEME
            else:
                lab[i] = OTHER_THEME
    else:
        lab = np.zeros(len(ids), dtype=int)
    # renumber by size (0 = largest), "other" stays -1
    order = [c for c, _n in Counter(int(v) for v in lab if v != OTHER_THEME).most_common()]
    remap = {c: i for i, c in enumerate(order)}
    remap[OTHER_THEME] = OTHER_THEME
    lab = [remap[int(v)] for v in lab]
    tokens = [content_tokens(t) for t in texts]
    terms = label_clusters(tokens, lab, prefer={str(t).lower() for t in vocabulary})
    labels = {
        c: (
            OTHER_LABEL
            if c == OTHER_THEME or not terms.get(c)
            else ", ".join(terms[c]).capitalize()
        )
        for c in set(lab)
    }
    pain = pain.assign(
        pain_theme=lab,
        pain_theme_label=[labels[c] for c in lab],
        _intensity=[unit_intensity(r) for r in pain.to_dict("records")],
    )
    pain[S.UNIT_ID] = pain[S.UNIT_ID].astype(str)
    rows = []
    for c, g in pain.groupby("pain_theme", sort=True):
        people = int(g[S.RESPONDENT_ID].nunique())
        share = people / n_people if n_people else 0.0
        inten = float(g["_intensity"].mean())
        types = g[S.PAIN_POINT_TYPE].dropna().astype(str) if S.PAIN_POINT_TYPE in g else []
        tag = None
        if len(types):
            top, cnt = Counter(types).most_common(1)[0]
            tag = top if cnt / len(g) >= 0.5 else None
        rows.append(
            {
                "pain_theme": int(c),
                "label": labels[int(c)],
                "terms": list(terms.get(int(c), [])),
                "units": len(g),
                "participants": people,
                "share": share,
                "intensity": inten,
                "severity": share * inten,
                "tag": tag,
            }
        )
    themes = pd.DataFrame(rows).sort_values(["severity", "pain_theme"], ascending=[False, True])
    assignments = pain[[S.UNIT_ID, S.RESPONDENT_ID, "pain_theme", "pain_theme_label"]]
    return PainThemes(assignments.reset_index(drop=True), themes.reset_index(drop=True))
