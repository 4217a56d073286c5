"""Variant grouping: surface forms of one concept ("too pricey", "overpriced") merged by
lemma, spelling and embedding similarity, each keeping its count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from insight.nlp import (
    contradicts,
)

if TYPE_CHECKING:
    import numpy as np
from insight.vocabulary.candidates import _dedupe_overlaps, _Occ, _Term


def _default_embedder() -> Any:
    from insight.embed import default_embedder

    return default_embedder()


class _MemoEncoder:
    """Wraps an embedder so each distinct text is encoded once per run (terms are
    embedded for variant grouping and again for the glossary)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.vectors: dict[str, Any] = {}

    def encode(self, texts: Sequence[str], **_: Any) -> np.ndarray:
        import numpy as np

        todo = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if todo:
            for t, v in zip(todo, np.asarray(self.inner.encode(todo)), strict=True):
                self.vectors[t] = v
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self.vectors[t] for t in texts])


def _memo(embedder: Any) -> Any:
    if embedder is False or embedder is None or isinstance(embedder, _MemoEncoder):
        return embedder
    return _MemoEncoder(embedder)


def _encode(embedder: Any, texts: list[str]) -> np.ndarray:
    import numpy as np

    vecs = np.asarray(embedder.encode(texts), dtype=np.float32)
    norms = np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs / np.where(norms == 0, 1.0, norms)


def _words(key: str) -> list[str]:
    return key.split()


#: Words that do not change what a phrase is about ("too pricey" ~ "pricey").
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "my",
        "your",
        "his",
        "her",
        "its",
        "our",
        "their",
        "it",
        "they",
        "i",
        "you",
        "we",
        "he",
        "she",
        "me",
        "us",
        "them",
        "be",
        "is",
        "am",
        "are",
        "was",
        "were",
        "been",
        "being",
        "have",
        "has",
        "had",
        "do",
        "does",
        "did",
        "to",
        "of",
        "for",
        "in",
        "on",
        "at",
        "with",
        "by",
        "from",
        "and",
        "or",
        "but",
        "so",
        "too",
        "very",
        "really",
        "quite",
        "pretty",
        "way",
        "much",
        "just",
        "bit",
        "some",
        "any",
        "all",
        "also",
        "even",
        "such",
        "there",
        "here",
        "will",
        "would",
        "can",
        "could",
        "should",
        "may",
        "might",
        "must",
        "'s",
        "'m",
        "'re",
        "'ve",
        "'d",
        "'ll",
        "overly",
        "extremely",
        "super",
        "totally",
    ]
)


def _content(words: Iterable[str]) -> set[str]:
    return {w for w in words if w not in FUNCTION_WORDS and w not in {"not", "n't"}}


def _may_merge(a: str, b: str) -> bool | None:
    """Lexical rule for two keys: True = same concept, False = never, None = ask embeddings."""
    wa, wb = _words(a), _words(b)
    if contradicts(wa, wb):
        return False
    ca, cb = _content(wa), _content(wb)
    if ca and ca == cb:
        return True  # differ only in function words: "too pricey" / "pricey"
    if ca & cb:
        return False  # share a word but differ in another: "battery life" / "battery"
    return None


def _spelling_variant(a: str, b: str) -> bool:
    """Two spellings of one word: "ambiance" / "ambience", "colour" / "color"."""
    from difflib import SequenceMatcher

    if a == b or min(len(a), len(b)) < 6 or abs(len(a) - len(b)) > 1 or a[:3] != b[:3]:
        return False
    if a.startswith(b) or b.startswith(a):
        return False  # derivation or plural ("friend" / "friendly"): the lemma decides
    return SequenceMatcher(None, a, b).ratio() >= 0.85


def _forms(term: _Term) -> set[str]:
    """A phrase's frequent written forms (a one-word form with two lemmas is two words:
    "left" as leave and as left; a form written once may be a tagging slip)."""
    return {f for f, n in term.surfaces.items() if " " in f and (n >= 2 or len(term.surfaces) == 1)}


def _pos_of(term: _Term) -> str:
    return term.pos.most_common(1)[0][0] if term.pos else ""


def _group_variants(
    terms: list[_Term],
    embedder: Any,
    similarity: float,
    noun_similarity: float,
    word_similarity: float = 0.85,
) -> list[list[_Term]]:
    """Deterministic two-stage grouping of terms (given in order of count) into concepts.

    1. Lexical: a term joins a group whose content words equal its own ("too
       pricey" / "pricey") or whose leader it respells ("ambiance" / "ambience").
    2. Meaning: groups, largest first, join the concept holding a close pair
       (cosine >= ``similarity`` for descriptive phrases, ``noun_similarity``
       for noun phrases, ``word_similarity`` for two single words of the same
       part of speech) when all cross pairs are, on average, not far apart
       (>= ``similarity - 0.1``). Nouns never merge with descriptions, and no
       pair may contradict (antonyms, opposite polarity, negation, a shared
       word with a different modifier).
    """
    import numpy as np

    if not terms:
        return []
    content = [frozenset(_content(_words(t.key))) for t in terms]
    single = [" " not in t.key for t in terms]
    pos = [_pos_of(t) for t in terms]

    # 1. lexical groups
    lex: list[list[int]] = []
    by_content: dict[frozenset[str], list[int]] = defaultdict(list)
    by_prefix: dict[str, list[int]] = defaultdict(list)
    by_surface: dict[str, int] = {}
    for i, term in enumerate(terms):
        cands = list(by_content.get(content[i], [])) if content[i] else []
        if single[i]:
            cands += [
                g
                for g in by_prefix[term.key[:3]]
                if _spelling_variant(term.key, terms[lex[g][0]].key)
            ]
        # the same written form is the same words, whatever lemma the parse gave it in
        # context ("data sets" as "data set" and as "datum set")
        same = sorted({by_surface[f] for f in _forms(term) if f in by_surface})
        target = (
            same[0]
            if same
            else next(
                (
                    g
                    for g in sorted(set(cands))
                    if all(_may_merge(term.key, terms[j].key) is not False for j in lex[g])
                ),
                None,
            )
        )
        if target is None:
            target = len(lex)
            lex.append([i])
            if single[i]:
                by_prefix[term.key[:3]].append(target)
        else:
            lex[target].append(i)
        if content[i]:
            by_content[content[i]].append(target)
        for f in _forms(term):
            by_surface.setdefault(f, target)
    if embedder is False:
        return [[terms[j] for j in g] for g in lex]

    # 2. merge lexical groups by meaning
    vecs = _encode(embedder, [t.display for t in terms])

    def pair_threshold(a: int, b: int) -> float:
        if terms[a].nounish != terms[b].nounish:
            return 2.0  # a thing and a description ("speed" / "slow down") stay apart
        if single[a] and single[b]:
            if pos[a] != pos[b]:
                return 2.0  # "friends" / "friendly", "use" / "useful": related, not variants
            # embeddings put co-hyponyms and antonyms close ("husband" / "wife",
            # "east" / "west"), so two single words merge only as near-synonyms
            return word_similarity
        return noun_similarity if terms[a].nounish else similarity

    floor = min(similarity, noun_similarity, word_similarity)
    lex.sort(key=lambda g: (-sum(len(terms[j].occs) for j in g), g[0]))
    concepts: list[list[int]] = []
    concept_of = np.full(len(terms), -1)
    for g in lex:
        placed = np.nonzero(concept_of >= 0)[0]
        best, best_sim = -1, -1.0
        if len(placed):
            sims = vecs[g] @ vecs[placed].T  # (len(g), placed)
            near = {int(concept_of[placed[k]]) for k in np.nonzero((sims >= floor).any(axis=0))[0]}
            for c in sorted(near):
                members = concepts[c]
                cross = vecs[g] @ vecs[members].T
                ok = [
                    float(cross[a, b])
                    for a in range(len(g))
                    for b in range(len(members))
                    if cross[a, b] >= pair_threshold(g[a], members[b])
                ]
                if not ok or float(cross.mean()) < similarity - 0.1:
                    continue
                if any(_may_merge(terms[a].key, terms[b].key) is False for a in g for b in members):
                    continue
                if max(ok) > best_sim:
                    best, best_sim = c, max(ok)
        if best < 0:
            best = len(concepts)
            concepts.append([])
        concepts[best].extend(g)
        concept_of[g] = best
    return [[terms[j] for j in sorted(c)] for c in concepts]


@dataclass
class _Concept:
    terms: list[_Term]
    occs: list[_Occ]
    units: set[int]
    respondents: set[str]

    @property
    def leader(self) -> _Term:
        return self.terms[0]


def _concepts(
    terms: dict[str, _Term],
    resp: list[str],
    min_count: int,
    max_candidates: int,
    embedder: Any,
    similarity: float,
    noun_similarity: float,
) -> list[_Concept]:
    """Frequent-enough terms grouped into concepts (variants merged)."""
    min_resp = 2 if len(set(resp)) >= 2 else 1
    pool = [
        t
        for t in terms.values()
        if len(t.occs) >= min_count and len({resp[o.unit] for o in t.occs}) >= min_resp
    ]
    pool.sort(key=lambda t: (-len(t.occs), t.key))
    pool = pool[:max_candidates]
    concepts: list[_Concept] = []
    for members in _group_variants(pool, embedder, similarity, noun_similarity):
        occs = _dedupe_overlaps(o for t in members for o in t.occs)
        units_ = {o.unit for o in occs}
        concepts.append(_Concept(members, occs, units_, {resp[u] for u in units_}))
    return concepts
