"""Word helpers for personas: stop words, stems, action and opinion cues, name keywords."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from insight.vocabulary.lexicon import DISCOURSE

if TYPE_CHECKING:
    import pandas as pd

_STOP = set(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "really",
        "much",
        "many",
        "also",
        "get",
        "got",
        "make",
        "made",
        "thing",
        "things",
        "one",
        "ones",
        "way",
        "lot",
        "lots",
        "agree",
        "disagree",
        "strongly",
        "somewhat",
        "neither",
        "statement",
        "following",
        "extent",
        "rate",
        "rating",
        "please",
        "how",
        "likely",
        "important",
        "importance",
        "scale",
        "question",
        "overall",
        "us",
        "them",
        "it's",
        "don't",
        "i'd",
        "i've",
        "we're",
        "we've",
    ]
)
_WORD = re.compile(r"[a-z][a-z'\-]+")
_THINK = re.compile(
    r"\b(?:i|we)\s+(?:really\s+|do\s+|honestly\s+|genuinely\s+|still\s+)?"
    r"(?:think|feel|believe|reckon|suppose|guess|find|doubt|suspect|expect)\b"
    r"|\bi'?d say\b|\bin my (?:opinion|view|experience)\b|\bi'?m (?:not )?(?:sure|convinced)\b"
    r"|\bto be honest\b|\bpersonally\b",
    re.IGNORECASE,
)
_DOES_SUBJ = re.compile(
    r"\b(?:i|we|my team|my staff|our staff|our team)\s+"
    r"(?:usually\s+|always\s+|often\s+|normally\s+|typically\s+|just\s+|still\s+|now\s+|"
    r"then\s+|also\s+|sometimes\s+|never\s+|even\s+|have to\s+|had to\s+|need to\s+|"
    r"tend to\s+|try to\s+|ended up\s+)?([a-z]+)",
    re.IGNORECASE,
)
# Verbs that state opinions, feelings or being rather than doing.
_NOT_ACTION = set(
    [
        "think",
        "feel",
        "believe",
        "reckon",
        "suppose",
        "guess",
        "find",
        "doubt",
        "suspect",
        "expect",
        "am",
        "was",
        "were",
        "are",
        "is",
        "be",
        "been",
        "like",
        "love",
        "hate",
        "wish",
        "want",
        "hope",
        "would",
        "could",
        "should",
        "might",
        "may",
        "must",
        "will",
        "shall",
        "can",
        "know",
        "don't",
        "didn't",
        "doesn't",
        "can't",
        "won't",
        "wouldn't",
        "couldn't",
        "isn't",
        "wasn't",
        "haven't",
        "hasn't",
        "not",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "get",
        "got",
        "mean",
        "really",
        "just",
        "also",
        "see",
        "seem",
        "seems",
        "felt",
        "liked",
        "loved",
        "hated",
        "wanted",
        "hoped",
        "knew",
        "thought",
        "believed",
        "'m",
        "'ve",
        "'d",
        "'ll",
        "need",
        "needed",
        "prefer",
        "preferred",
        "care",
        "cared",
        "saw",
        "see",
        "seen",
        "noticed",
        "realised",
        "realized",
        "heard",
    ]
)


def _stems(text: str) -> set[str]:
    out = set()
    for w in _WORD.findall(str(text).lower()):
        w = w.strip("'-")
        if len(w) < 3 or w in _STOP:
            continue
        for suf in ("ing", "ed", "es", "s", "ly"):
            if w.endswith(suf) and len(w) - len(suf) >= 4:
                w = w[: -len(suf)]
                break
        out.add(w)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")[:40] or "x"


def _is_action(text: str) -> bool:
    for m in _DOES_SUBJ.finditer(text):
        verb = m.group(1).lower()
        if verb not in _NOT_ACTION and len(verb) > 2:
            return True
    return False


# Words that describe a survey column rather than what it asks ("FFT categorical answer").
_SURVEY_META = {
    "answer",
    "answers",
    "categorical",
    "category",
    "rating",
    "ratings",
    "score",
    "scores",
    "response",
    "responses",
    "item",
    "items",
    "question",
    "questions",
    "scale",
    "fft",
    "nps",
    "csat",
    "comment",
    "comments",
    "sentiment",
    "text",
    "field",
    "column",
}
_GENERIC = _SURVEY_META | set(
    [
        "good",
        "decent",
        "well",
        "better",
        "best",
        "great",
        "enough",
        "every",
        "always",
        "never",
        "often",
        "happy",
        "able",
        "need",
        "want",
        "like",
        "love",
        "enjoy",
        "keep",
        "take",
        "give",
        "much",
        "many",
        "most",
        "more",
        "less",
        "even",
        "real",
        "really",
        "some",
        "any",
        "side",
        "whole",
        "right",
        "sure",
        "own",
        "everything",
        "something",
        "anything",
        "nothing",
        "someone",
        "everyone",
    ]
)


_NOT_A_NOUN = ("ed", "ly")


@functools.lru_cache(maxsize=512)
def _nouns(text: str) -> frozenset[str]:
    """Lower-case nouns of an item's wording by spaCy's tagger (empty without the model)."""
    from insight.errors import ModelError
    from insight.nlp import load_spacy

    try:
        nlp = load_spacy(disable=("ner", "parser"))
    except ModelError:
        return frozenset()
    return frozenset(t.lower_ for t in nlp(text) if t.pos_ in ("NOUN", "PROPN"))


def _keyword(text: str, used: dict[str, float] | None = None) -> str | None:
    """The most telling content word of an item's wording.

    The word whose stem the segment's own evidence units use more than the rest do (``used``:
    stem -> rate difference), then the longest word; ties go to the earlier word.
    """
    words = [w.strip("'-") for w in _WORD.findall(str(text).lower())]
    words = [
        w for w in words if len(w) >= 4 and w not in _STOP and w not in _GENERIC and "'" not in w
    ]
    if not words:
        return None
    used = used or {}
    nouns = _nouns(str(text))

    def key(w: str) -> tuple:
        stem = next(iter(_stems(w)), w)
        # a noun names a focus better than a participle or adverb ("information", not
        # "needed" in "It was easy to find the information I needed.")
        return (w in nouns, not w.endswith(_NOT_A_NOUN), used.get(stem, 0), len(w), -words.index(w))

    return max(words, key=key)


# --- a persona's vocabulary: the participants' own distinctive terms first ---------------------------

#: Parts of speech of a word that names something (a noun or name) or qualifies it.
_NAMING = frozenset({"NOUN", "PROPN"})
_DESCRIBING = frozenset({"ADJ", "NUM"})
_DOMAIN_TOKEN = re.compile(r"^(?=.*[A-Za-z])(?:[A-Z][A-Z0-9.\-]+|.*\d.*)$")  # PM2.5, O3, FAIR
_NOUN_KINDS = frozenset({"noun_phrase", "adj_noun"})

#: tiers of :func:`term_tier`
TIER_NAMING, TIER_DESCRIBING, TIER_COMMON, TIER_DISCOURSE = 0, 1, 2, 3


@functools.lru_cache(maxsize=4096)
def _pos_in(word: str, contexts: tuple[str, ...]) -> str:
    """The part of speech ``word`` has most often where participants wrote it ("" unknown)."""
    from collections import Counter

    from insight.errors import ModelError
    from insight.nlp import load_spacy, pipe

    try:
        nlp = load_spacy(disable=("ner", "parser"))
    except ModelError:
        return ""
    seen: Counter[str] = Counter()
    low = word.lower()
    for doc in pipe(nlp, [c for c in contexts if low in c.lower()]):
        seen.update(t.pos_ for t in doc if t.lower_ == low)
    if not seen:
        seen.update(t.pos_ for t in nlp(word))
    return seen.most_common(1)[0][0] if seen else ""


def term_tier(
    term: str,
    kind: str = "word",
    z_background: float | None = None,
    contexts: tuple[str, ...] = (),
) -> int | None:
    """Where a vocabulary term goes in a persona's list (lower first), None: never shown.

    * 0: what participants name: nouns, noun phrases ("time window", "data provenance"),
      domain tokens ("PM2.5", "O3") and phrases with a noun that say something
      ("check data availability");
    * 1: other content words that describe (adjectives: "clear", "wrong");
    * 2: bare verbs and adverbs, and words no more frequent here than in general English
      (``z_background`` <= 0: "ones", "experience");
    * 3: discourse words ("got", "going", "look", "suppose", "remember");
    * None: filler or stop words only ("uh", "you know", "yeah").
    """
    from insight.nlp import FILLER_PHRASES, STOP_WORDS, content_tokens, is_filler

    words = [w.lower() for w in re.findall(r"[\w.'’\-]+", str(term)) if w.strip(".-'’")]
    if not words or all(is_filler(w) or w in STOP_WORDS for w in words):
        return None
    if " ".join(words) in FILLER_PHRASES:
        return None
    content = [w for w in content_tokens(term) if w not in DISCOURSE]
    if not content and not _DOMAIN_TOKEN.match(str(term).strip()):
        return TIER_DISCOURSE
    common = z_background is not None and z_background <= 0
    if len(words) > 1:
        if kind in _NOUN_KINDS:
            return TIER_NAMING
        head = _pos_in(words[-1], contexts)
        has_noun = any(_pos_in(w, contexts) in _NAMING for w in content)
        if has_noun and head in _NAMING | _DESCRIBING:
            return TIER_NAMING
        return TIER_DESCRIBING if has_noun or not common else TIER_COMMON
    if _DOMAIN_TOKEN.match(str(term).strip()):
        return TIER_NAMING
    word = words[0]
    if word in DISCOURSE or word in _STOP:
        return TIER_DISCOURSE
    pos = _pos_in(word, contexts)
    if common:
        return TIER_COMMON
    if pos in _NAMING:
        return TIER_NAMING
    if pos in _DESCRIBING:
        return TIER_DESCRIBING
    return TIER_COMMON


def rank_terms(
    terms: list[tuple[str, str, float | None, float, tuple[str, ...]]],
) -> list[int]:
    """Order of a persona's distinctive terms: by :func:`term_tier`, then by distinctiveness.

    Args:
        terms: (term, kind, z_background, z, contexts) per term; ``contexts`` are a few
            texts where participants used it (to read its part of speech there).

    Returns:
        indices of ``terms`` to show, best first; filler-only terms are left out.
    """
    keyed = []
    for i, (term, kind, zb, z, ctx) in enumerate(terms):
        tier = term_tier(term, kind, zb, ctx)
        if tier is not None:
            keyed.append((tier, -float(z), str(term).lower(), i))
    return [k[-1] for k in sorted(keyed)]


def order_vocabulary(
    rows: pd.DataFrame, texts: Mapping[str, str], n_contexts: int = 5
) -> pd.DataFrame:
    """A persona's rows of the vocabulary table (term, kind, z, z_background, unit_ids) in
    the order :func:`rank_terms` gives, filler-only terms left out; ``texts``: unit id ->
    text of the persona's units (where each term's part of speech is read)."""
    from insight.personas.model import as_list

    if rows is None or rows.empty or "term" not in rows:
        return rows
    terms = []
    for r in rows.to_dict("records"):
        ids = [u for u in as_list(r.get("unit_ids")) if u in texts][:n_contexts]
        zb = r.get("z_background")
        terms.append(
            (
                str(r["term"]),
                str(r.get("kind") or "word"),
                float(zb) if _is_num(zb) else None,
                float(r["z"]) if _is_num(r.get("z")) else 0.0,
                tuple(str(texts[u]) for u in ids),
            )
        )
    return rows.iloc[rank_terms(terms)]


def _is_num(x: object) -> bool:
    from insight.stats import is_number

    return is_number(x)
