"""Theme labels and descriptions from the participants' own content words.

Candidates are the n-grams members actually wrote, after anonymisation marks,
transcriber notes and filler ("uh", "you know", "like" as filler) are removed
(:func:`insight.nlp.strip_non_content`); a phrase must start and end on a content
word and contain no filler or chatter word ("thanks", "sure", "great"), so a
label is never "uh, like, um" or "yeah, okay, thank". Candidates are ranked by
class-based TF-IDF and, with an encoder, re-ranked by similarity to the theme
centroid with maximal marginal relevance (KeyBERT-style).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from insight import schema as S

if TYPE_CHECKING:
    import numpy as np

    from insight.embed import TextEncoder

_TOKEN = r"(?u)\b\w[\w'-]*\b"
_WORD = re.compile(r"[^\W\d_]")

#: Conversational words that carry no theme on their own: a unit made only of
#: these ("Sounds great, thanks!") joins no theme and no label uses them.
CHATTER_WORDS = frozenset(
    [
        "thank",
        "thanks",
        "hi",
        "hello",
        "hey",
        "bye",
        "goodbye",
        "sure",
        "great",
        "cool",
        "nice",
        "perfect",
        "awesome",
        "sounds",
        "sound",
        "good",
        "fine",
        "absolutely",
        "definitely",
        "exactly",
        "true",
        "totally",
        "cheers",
        "welcome",
        "glad",
        "yes",
        "yeah",
        "question",
        "questions",
        "ready",
        "start",
        "begin",
        "mhm",
        "correct",
        "wow",
        "interesting",
        "fun",
        "please",
        "course",
        "pleasure",
        "appreciate",
        "sorry",
        "pardon",
        "know",
        "guess",
        "suppose",
        "honestly",
        "incredibly",
        "usually",
        "probably",
        "basically",
        "stuff",
        "thing",
        "things",
        "kinda",
        "itll",
        "thatll",
        "theres",
    ]
)


#: Interjections spelt out at any length ("mmmm", "hmmmm", "uhhh", "ahhh").
_INTERJECTION = re.compile(r"^(?:h*m+h*|u+h+m*|u+m+|a+h+|e+r+m*|o+h+|h+u+h+)$")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from insight.nlp import FILLER_WORDS, STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | STOP_WORDS | FILLER_WORDS


def theme_words(text: object) -> list[str]:
    """Content words of a text that can carry a theme (no filler, stop or chatter words)."""
    from insight.nlp import content_tokens

    return [
        t
        for t in content_tokens(text)
        if t not in CHATTER_WORDS
        and t.replace("'", "") not in CHATTER_WORDS
        and _WORD.search(t)
        and not _INTERJECTION.match(t)
    ]


def has_theme_content(text: object) -> bool:
    """True when a text has at least one content word that is not filler or chatter.

    "uh yeah okay", "Thank you so much!", "[name]" and "???" have none: they stay
    -1 "unassigned" instead of forming a theme of their own.
    """
    return bool(theme_words(text))


def is_filler_label(label: str) -> bool:
    """True when a label has a filler word in it or no content word at all."""
    from insight.nlp import is_filler

    words = [w for w in re.split(r"[\s,;/]+", label.lower()) if w]
    if not words:
        return True
    if any(is_filler(w) or _INTERJECTION.match(w) for w in words):
        return True
    return not has_theme_content(label)


@lru_cache(maxsize=1 << 18)
def _stripped(text: str) -> str:
    """:func:`insight.nlp.strip_non_content`, memoised: each fit labels the same texts
    for its themes, their sub-themes and each question's themes."""
    from insight.nlp import strip_non_content

    return strip_non_content(text)


@lru_cache(maxsize=1 << 20)
def _content_edge(tok: str) -> bool:
    """A content word ("export", "don't" is not; "user's" is)."""
    stop = _stop_words()
    bare = tok.replace("'", "")
    return tok not in stop and bare not in stop and bool(theme_words(tok))


@lru_cache(maxsize=1 << 20)
def _phrase_ok(phrase: str) -> bool:
    """A candidate phrase: content words at its edges, no filler, chatter or bare number."""
    from insight.nlp import is_filler

    toks = phrase.split()
    if not (_content_edge(toks[0]) and _content_edge(toks[-1])):
        return False
    if any(is_filler(t) or t in CHATTER_WORDS or _INTERJECTION.match(t) for t in toks):
        return False
    return all(len(t) > 1 and _WORD.search(t) for t in toks)


#: A binary document x phrase matrix (CSC) and its phrases, or (None, []) without any.
Candidates = tuple[Any, list[str]]


def candidate_phrases(texts: Sequence[str], max_ngram: int = 3) -> Candidates:
    """Binary document x phrase matrix over 1..max_ngram-grams of the texts' own words.

    Texts are read without filler and anonymisation marks. A phrase may contain
    stop words inside ("ease of use") but not at its edges, never a filler or
    chatter word, and no token may be a bare number or a single character.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(
        ngram_range=(1, max_ngram), token_pattern=_TOKEN, lowercase=True, binary=True
    )
    try:
        matrix = vec.fit_transform([_stripped(str(t)) for t in texts])
    except ValueError:  # empty vocabulary
        return None, []
    vocab = vec.get_feature_names_out()
    cols = [i for i, p in enumerate(vocab) if _phrase_ok(str(p))]
    if not cols:
        return None, []
    return matrix[:, cols].tocsc(), [str(vocab[i]) for i in cols]


def candidates_of_rows(candidates: Candidates, rows: Any) -> Candidates:
    """:func:`candidate_phrases` of a subset of the texts, cut from those of all of them:
    the same matrix and phrases as fitting the subset anew (phrases in alphabetical
    order, only those the subset uses), without re-reading the texts."""
    import numpy as np

    matrix, vocab = candidates
    if matrix is None:
        return None, []
    sub = matrix[np.asarray(rows, dtype=int)]
    cols = np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel() > 0)
    if not len(cols):
        return None, []
    return sub[:, cols].tocsc(), [vocab[i] for i in cols]


#: Unit-length vectors of candidate phrases by encoder: a fit labels its themes, their
#: sub-themes and each question's themes from overlapping candidates, encoded once.
_PHRASE_VECTORS: WeakKeyDictionary[Any, dict[str, np.ndarray]] = WeakKeyDictionary()
_MAX_PHRASE_VECTORS = 200_000


def _phrase_vectors(encoder: TextEncoder, phrases: list[str]) -> np.ndarray:
    """``encoder``'s unit-length vectors of ``phrases``, each phrase encoded once per encoder
    (a phrase's vector does not depend on the other phrases in its batch)."""
    import numpy as np

    from insight.stats import normalise_rows

    try:
        memo = _PHRASE_VECTORS.setdefault(encoder, {})
    except TypeError:  # an encoder that cannot be weakly referenced or hashed
        memo = {}
    todo = [p for p in dict.fromkeys(phrases) if p not in memo]
    if todo:
        if len(memo) + len(todo) > _MAX_PHRASE_VECTORS:
            memo.clear()
        memo.update(zip(todo, normalise_rows(encoder.encode(todo, progress=False)), strict=True))
    return np.stack([memo[p] for p in phrases])


def _mmr(centroid: np.ndarray, cand_vecs: np.ndarray, n: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indices of n candidates, relevant yet diverse."""
    import numpy as np

    rel = cand_vecs @ centroid
    chosen: list[int] = [int(np.argmax(rel))]
    while len(chosen) < min(n, len(rel)):
        sim_chosen = (cand_vecs @ cand_vecs[chosen].T).max(axis=1)
        score = (1 - diversity) * rel - diversity * sim_chosen
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


def label_topics(
    texts: Sequence[str],
    topics: np.ndarray,
    centroids: dict[int, np.ndarray] | None = None,
    encoder: TextEncoder | None = None,
    n_phrases: int = 3,
    n_candidates: int = 30,
    diversity: float = 0.4,
    phrase_ok: Callable[[str], bool] | None = None,
    candidates: Candidates | None = None,
) -> dict[int, list[str]]:
    """Key phrases per topic (topic -1 is skipped).

    Candidates are ranked by class-based TF-IDF (share of the topic's texts using
    the phrase x log(1 + N / texts using it anywhere)). With an encoder, the top
    ``n_candidates`` are re-ranked by similarity to the topic centroid with MMR for
    diversity. A phrase whose words are a subset (or superset) of a chosen one's is
    skipped, and a topic's first phrase differs from the first phrase of every
    larger topic when it has another candidate, so no two themes read the same.
    ``phrase_ok`` (optional) keeps only the candidates it accepts (pain themes keep noun
    and verb phrases, see :mod:`insight.extract.pain_themes`). No phrase holds a word that
    redaction masks in the texts (:func:`insight.pii.personal_words`). ``candidates``:
    :func:`candidate_phrases` of ``texts`` when the caller has them already.
    """
    import numpy as np

    from insight.pii import personal_words

    topics = np.asarray(topics)
    matrix, vocab = candidates if candidates is not None else candidate_phrases(texts)
    # a label never carries a participant's name or address, whatever the output masks
    private = personal_words(texts)
    if matrix is not None and (phrase_ok is not None or private):
        cols = [
            i
            for i, p in enumerate(vocab)
            if (phrase_ok is None or phrase_ok(p)) and not set(p.split()) & private
        ]
        matrix, vocab = (matrix[:, cols], [vocab[i] for i in cols]) if cols else (None, [])
    topic_ids = sorted(int(t) for t in set(topics.tolist()) if t != S.UNASSIGNED_TOPIC)
    if matrix is None or not vocab:
        return {t: [] for t in topic_ids}
    n_docs = matrix.shape[0]
    df_all = np.asarray(matrix.sum(axis=0)).ravel()
    idf = np.log1p(n_docs / np.maximum(df_all, 1))
    vocab_arr = np.array(vocab)
    ntok = np.array([len(p.split()) for p in vocab])
    shortlists: dict[int, list[int]] = {}
    for t in topic_ids:
        rows = np.flatnonzero(topics == t)
        df_t = np.asarray(matrix[rows].sum(axis=0)).ravel()
        score = df_t / len(rows) * idf
        # phrases used by one member only are idiosyncratic unless the topic is tiny;
        # a phrase in more than a fifth of all texts is the study's subject ("ai" in
        # interviews about AI), not what sets one theme apart
        ok = df_t >= (2 if len(rows) >= 4 else 1)
        if len(topic_ids) >= 5 and (ok & (df_all <= 0.2 * n_docs)).any():
            ok &= df_all <= 0.2 * n_docs
        idx = np.flatnonzero(ok)
        # ties: longer phrase first, then alphabetical, for stable labels
        order = np.lexsort((vocab_arr[idx], -ntok[idx], -score[idx]))
        shortlists[t] = [int(i) for i in idx[order][:n_candidates]]

    cand_vecs: dict[int, np.ndarray] = {}
    if encoder is not None and centroids is not None:
        needed = sorted({i for lst in shortlists.values() for i in lst})
        if needed:
            vecs = _phrase_vectors(encoder, [vocab[i] for i in needed])
            cand_vecs = dict(zip(needed, vecs, strict=True))

    ids, counts = np.unique(topics, return_counts=True)
    sizes = {int(t): int(c) for t, c in zip(ids, counts, strict=True) if t in shortlists}
    used_first: set[str] = set()
    labels: dict[int, list[str]] = {}
    for t in sorted(topic_ids, key=lambda t: (-sizes[t], t)):
        short = shortlists[t]
        if not short:
            labels[t] = []
            continue
        if cand_vecs and centroids is not None and t in centroids:
            picked = _mmr(
                centroids[t], np.stack([cand_vecs[i] for i in short]), len(short), diversity
            )
            ranked = [vocab[short[j]] for j in picked]
        else:
            ranked = [vocab[i] for i in short]
        fresh = [p for p in ranked if p not in used_first]
        if fresh and fresh[0] != ranked[0]:
            ranked = [fresh[0]] + [p for p in ranked if p != fresh[0]]
        chosen: list[str] = []
        for p in ranked:
            words = set(p.split())
            if any(words <= set(c.split()) or set(c.split()) <= words for c in chosen):
                continue  # "delivery late" adds nothing to "delivery was late"
            chosen.append(p)
            if len(chosen) == n_phrases:
                break
        used_first.add(chosen[0])
        labels[t] = chosen
    return {t: labels[t] for t in topic_ids}


def describe(
    keywords: Sequence[str],
    n_units: int,
    n_participants: int,
    n_total_participants: int,
    quote: str | None = None,
    max_quote_chars: int = 140,
) -> str:
    """One line for a theme: who talks about it, what words they use, one short quote."""
    who = (
        f"{n_participants} of {n_total_participants} participants"
        if n_total_participants
        else f"{n_units} units"
    )
    words = ", ".join(keywords[:4]) if keywords else "no recurring words"
    line = f"{who} ({n_units} units) talk about {words}"
    if quote:
        q = " ".join(quote.split())
        if len(q) > max_quote_chars:
            q = q[: max_quote_chars - 1].rsplit(" ", 1)[0] + "…"
        line += f", e.g. “{q}”"
    return line
