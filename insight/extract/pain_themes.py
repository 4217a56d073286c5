"""Pain themes of a study: its detected pain units grouped by what they say.

The pain-point head marks units that voice a problem; the fixed consumer taxonomy
(price, reliability, usability ...) fits product reviews but not every study ("the cost
of an error when using AI is too high" is not a price complaint). Here the pain units of
one study are clustered on their sentence embeddings (TF-IDF of their content words when
there are none) into that study's own pain themes:

* a theme's terms are phrases its units share (c-TF-IDF over the n-grams they wrote,
  as topic labels are, see :func:`label_clusters`), then nouns: never filler, stop words
  or a lone verb or adjective; its label is a short problem statement built from its
  members' own problem phrases ("Settings are confusing", "Time window length is
  unclear"), else its leading noun phrase (see :mod:`insight.extract.pain_labels`);
* severity = share x intensity: the share of participants (with text) who voice it, times
  the mean intensity of its units (pain score, negative sentiment, emotion intensity);
* the taxonomy type that most of its units carry is kept as an optional ``tag``;
* non-answers ("Did not answer", "n/a"), units without two content words and statements
  that deny a problem ("I don't believe I encountered any errors") are never pains; themes smaller than ``min_units`` units join the nearest theme or "Other problems".

Deterministic for a given ``random_state``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.extract.pain_labels import (
    NOUNS,
    OTHER_THEME,
    _stem,
    denies_problem,
    theme_labels,
    theme_problems,
)
from insight.nlp import NEGATIONS, content_tokens, is_non_answer, valence_lexicon
from insight.stats import is_number, normalise_rows

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

OTHER_LABEL = "Other problems"
MIN_CONTENT_WORDS = 2


@dataclass(frozen=True)
class PainThemes:
    """Pain themes of a study.

    Attributes:
        assignments: unit_id, respondent_id, pain_theme (int, -1 = other), pain_theme_label.
        themes: pain_theme, label, terms (list), noun_terms (the terms that are noun
            phrases, for persona names), units, participants, share, intensity,
            severity, tag (the dominant taxonomy type or None), label_units (the unit ids
            that state the label's problem: its quotes come first); most severe first.
    """

    assignments: pd.DataFrame
    themes: pd.DataFrame

    def label_of(self) -> dict[str, str]:
        """unit_id -> theme label."""
        return dict(
            zip(self.assignments[S.UNIT_ID], self.assignments["pain_theme_label"], strict=False)
        )


def is_pain_unit(text: Any) -> bool:
    """A unit that can be evidence of a pain: not a non-answer, two or more content words,
    not a statement that there was no problem ("I don't believe I encountered any errors")."""
    return (
        not is_non_answer(text)
        and len(content_tokens(text)) >= MIN_CONTENT_WORDS
        and not denies_problem(text)
    )


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


#: parts of speech a label phrase may not end on
OPEN_ENDS = frozenset({"ADV", "ADJ", "ADP", "DET", "PRON", "AUX", "PART", "CCONJ", "SCONJ"})
PRAISE = 2.5  # summed VADER valence of a phrase that praises ("loves" 2.7, "great" 3.1)


def _word_tags(texts: Sequence[str]) -> dict[str, str]:
    """Lower-case word -> its most frequent part of speech in ``texts`` (empty without spaCy)."""
    from insight.errors import ModelError
    from insight.nlp import load_spacy, pipe

    try:
        nlp = load_spacy(disable=("ner", "parser"))
    except ModelError:
        return {}
    tags: dict[str, Counter[str]] = {}
    for doc in pipe(nlp, texts):
        for tok in doc:
            tags.setdefault(tok.lower_, Counter())[tok.pos_] += 1
    return {w: c.most_common(1)[0][0] for w, c in tags.items()}


def label_clusters(
    texts: Sequence[str],
    labels: Sequence[int],
    max_terms: int = 3,
    tags: Mapping[str, str] | None = None,
) -> dict[int, list[str]]:
    """Theme -> its label phrases, in the participants' own words.

    Candidates and ranking are the topic labeller's
    (:func:`insight.topics.labels.label_topics`: n-grams the units wrote, no filler, stop
    or chatter word at an edge, class-based TF-IDF = share of the theme's units using the
    phrase x how rare it is in the other pain units, in two or more of its units). A pain
    label reads as a problem, so its first term is a phrase of two or more words with a
    noun in it ("spend less time", "time consuming", "ai slop") when the theme shares one,
    and the other terms are nouns: a lone verb or adjective ("feel", "require", "black")
    never labels a theme. Words in more than a fifth of all pain units and most themes
    (the study's subject, "ai") do not count as the noun of a phrase.
    """
    import numpy as np

    from insight.topics.labels import candidate_phrases, label_topics

    tags = _word_tags(texts) if tags is None else tags
    doc_freq: Counter[str] = Counter()
    spread: dict[str, set[int]] = {}
    for text, c in zip(texts, labels, strict=False):
        for w in set(content_tokens(text)):
            doc_freq[w] += 1
            spread.setdefault(w, set()).add(int(c))
    n_themes = len(set(labels))
    # the study's subject ("ai"): in a fifth of all pain units and most themes
    subject = {
        w
        for w, k in doc_freq.items()
        if k > len(texts) / 5 and len(spread[w]) > max(n_themes / 2, 2)
    }
    # alone, a word of nearly every theme ("work", "people") sets none apart ("time
    # consuming" still may)
    everywhere = {w for w in spread if n_themes >= 5 and len(spread[w]) >= 0.8 * n_themes}

    def is_noun(word: str) -> bool:
        # without spaCy every word counts as a noun (labels then equal the topic labeller's)
        return (tags.get(word, "NOUN") if tags else "NOUN") in NOUNS and word not in subject

    lexicon = valence_lexicon()

    def praise(words: list[str]) -> bool:
        # "office loves" is no problem ("not great" is)
        total = sum(lexicon.get(w, 0.0) for w in words)
        return total >= PRAISE and not set(words) & NEGATIONS

    def phrase(p: str) -> bool:
        words = p.split()
        if len(words) < 2 or praise(words) or not any(is_noun(w) for w in words):
            return False
        # a phrase that stops mid-way ("cost of genuine", "demo sadly") reads as no problem
        return tags.get(words[-1]) not in OPEN_ENDS and tags.get(words[0]) != "ADV"

    def noun(p: str) -> bool:
        return " " not in p and p not in everywhere and is_noun(p) and not praise([p])

    topics = np.asarray(labels)
    cands = candidate_phrases(texts)  # one read of the texts serves both label passes
    phrases = label_topics(texts, topics, n_phrases=max_terms, phrase_ok=phrase, candidates=cands)
    nouns = label_topics(texts, topics, n_phrases=max_terms + 2, phrase_ok=noun, candidates=cands)
    out: dict[int, list[str]] = {}
    for c in sorted(set(topics.tolist())):
        picked = list(phrases.get(c, [])[:1])
        for term in nouns.get(c, []):
            covered = {w for p in picked for w in p.split()}
            if term not in covered and not any(_stem(term) == _stem(w) for w in covered):
                picked.append(term)
            if len(picked) >= max_terms:
                break
        out[c] = picked
    return out


def is_noun_phrase(term: str, tags: Mapping[str, str]) -> bool:
    """A term that reads after "troubled by": nouns, with adjectives, "of" or "the" inside
    ("milk temperature", "price of parts"); every term is one without part-of-speech tags."""
    if not tags:
        return True
    pos = [tags.get(w, "X") for w in term.split()]
    words = term.split()
    inner = NOUNS | {"ADJ", "DET"}
    return (
        pos[-1] in NOUNS
        and pos[0] in NOUNS | {"ADJ"}
        and all(t in inner or w == "of" for t, w in zip(pos, words, strict=True))
    )


def group_pain_points(
    units: pd.DataFrame,
    vectors: Mapping[str, Any] | None = None,
    *,
    participants: int | None = None,
    min_units: int = 3,
    random_state: int = 0,
) -> PainThemes:
    """Cluster the pain units of ``units`` into named pain themes.

    Args:
        units: customer units with unit_id, respondent_id, text and the annotation columns
            pain_point (0/1), pain_point_type, pain_point_score, sentiment, intensity.
        vectors: unit_id -> sentence embedding (optional; TF-IDF of content words without).
        participants: the N for shares (default: respondents with a unit in ``units``).
        min_units: a theme needs this many units; smaller ones join the nearest theme.
        random_state: seed of the k-means.
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
                "noun_terms",
                "units",
                "participants",
                "share",
                "intensity",
                "severity",
                "tag",
                "label_units",
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
    tags = _word_tags(texts)
    ranked = label_clusters(texts, lab, max_terms=6, tags=tags)
    terms = {c: t[:3] for c, t in ranked.items()}
    noun_phrases = {c: [t for t in ts if is_noun_phrase(t, tags)] for c, ts in ranked.items()}
    # the problem its units name most ("parts too expensive") leads the terms, then the
    # phrase or noun they share most that it does not already say
    subjects = {c: " ".join(t) for c, t in terms.items() if t}
    problems = theme_problems(texts, lab, subjects=subjects)
    for c, problem in problems.items():
        said = {_stem(w) for w in problem.phrase.split()}
        rest = [t for t in terms.get(c, []) if not {_stem(w) for w in t.split()} <= said]
        terms[c] = [problem.phrase, *rest[:1]]
    # the label is a problem statement ("Settings are confusing"), see pain_labels
    named, stating = theme_labels(texts, lab, problems, noun_phrases, terms, tags)
    labels = {c: named.get(c, OTHER_LABEL) for c in set(lab)}
    label_units = {c: [ids[i] for i in stating.get(c, ())] for c in set(lab)}
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
                "noun_terms": [t for t in terms.get(int(c), []) if is_noun_phrase(t, tags)],
                "units": len(g),
                "participants": people,
                "share": share,
                "intensity": inten,
                "severity": share * inten,
                "tag": tag,
                "label_units": label_units.get(int(c), []),
            }
        )
    themes = pd.DataFrame(rows).sort_values(["severity", "pain_theme"], ascending=[False, True])
    assignments = pain[[S.UNIT_ID, S.RESPONDENT_ID, "pain_theme", "pain_theme_label"]]
    return PainThemes(assignments.reset_index(drop=True), themes.reset_index(drop=True))
