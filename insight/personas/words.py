"""Word helpers for personas: stop words, stems, action and opinion cues, name keywords."""

from __future__ import annotations

import functools
import re

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
