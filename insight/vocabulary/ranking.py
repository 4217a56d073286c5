"""Ranking and the public entry point :func:`extract_vocabulary`: concepts scored by
Fightin' Words against the rest of the study and against general English.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema

if TYPE_CHECKING:
    import pandas as pd
    from spacy.language import Language
from insight.vocabulary.background import Background, fightin_words_z, load_background
from insight.vocabulary.candidates import (
    _align_groups,
    _collect,
    _display_form,
    _examples,
    _Occ,
    _opinion_words,
    _prepare,
)
from insight.vocabulary.glossary import _glossary_for_concepts
from insight.vocabulary.lexicon import DISCOURSE, PLACEHOLDER_NOUNS, drop_fixed_expressions
from insight.vocabulary.variants import _Concept, _concepts, _default_embedder, _memo

log = logging.getLogger(__name__)


ALL_GROUP = "all"


VOCAB_COLUMNS = [
    "term",
    "variants",
    "variant_counts",
    "kind",
    "count",
    "respondents",
    "respondent_share",
    "z",
    "z_background",
    "group",
    "distinctive_in",
    "glossary_term",
    "unit_ids",
    "examples",
]


def _background_z(
    concepts: list[_Concept], bg: Background, n_corpus: float, prior_strength: float
) -> list[float]:
    """Fightin' Words z of each concept: this corpus vs general English."""
    out = []
    for c in concepts:
        b = sum(bg.count(t.key) for t in c.terms)
        out.append(
            fightin_words_z(float(len(c.occs)), n_corpus, b, float(bg.total), prior_strength)
        )
    return out


#: Time expressions: they tell the story of an order or a repair ("after two months"),
#: not what customers think of a product or service.
TIME_WORDS = frozenset(
    [
        "second",
        "minute",
        "hour",
        "day",
        "week",
        "month",
        "year",
        "decade",
        "time",
        "today",
        "yesterday",
        "tomorrow",
        "weekend",
        "morning",
        "afternoon",
        "evening",
        "tonight",
    ]
)


#: Score factor for names (brands, products, places) in the corpus-vs-English ranking:
#: real words, but context rather than the customers' own wording.
NAME_WEIGHT = 0.5

#: Score factor for time expressions ("months", "a week") and for narrative verbs (mostly
#: in the past tense: "purchased", "sent back"): the story of an order or a repair.
STORY_WEIGHT = 0.25

#: What an occurrence of a lone verb, adjective or adverb counts for (a noun counts 0.5,
#: both plus 1 where an opinion word qualifies it): such a word is an experience customers
#: talk about where they evaluate it ("easy to use", "runs smoothly"), otherwise it says
#: what they did ("buy", "send") or how they feel ("great"). Chosen on the SemEval-2014
#: laptop and restaurant sets (development data, see ``benchmarks/bench_vocabulary.py``).
DESCRIBING_BASE = 0.15


def _opinion_share(concepts: list[_Concept]) -> list[float]:
    """Share of each concept's occurrences that an opinion word qualifies in the parse.

    Review vocabulary is about what customers evaluate: opinion targets are
    linked to opinion words by a few dependency relations ("great screen",
    "the screen is great", "love the keyboard", "runs smoothly"; Qiu et al.
    2011, double propagation; Hu & Liu 2004 for the opinion-target idea). The
    opinion words are the VADER lexicon entries with |valence| >= 1.
    """
    return [sum(o.opinion for o in c.occs) / max(len(c.occs), 1) for c in concepts]


#: Words that make a time word a time expression ("months ago", "a few weeks", "last year").
_TIME_MODIFIERS = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "last",
        "next",
        "few",
        "couple",
        "several",
        "every",
        "each",
        "many",
        "same",
        "whole",
        "first",
        "ago",
        "later",
        "earlier",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
    ]
)


def _is_time(key: str) -> bool:
    """A time expression: time words with numbers or quantifiers only ("months", "two weeks
    ago"); "response time" or "wait time" names a thing customers evaluate."""
    words = key.split()
    return any(w in TIME_WORDS for w in words) and all(
        w in TIME_WORDS or w in _TIME_MODIFIERS or w.isdigit() for w in words
    )


def _is_past(o: _Occ) -> bool:
    """A verb occurrence in the past tense or participle ("bought", "sent", "purchased"):
    its surface is neither the lemma nor an -s or -ing form."""
    low = o.surface.lower()
    return o.pos == "VERB" and low != o.key and not low.endswith(("s", "ing"))


def _describes(c: _Concept) -> bool:
    """A lone word mostly used as a verb, adjective or adverb (by occurrence: a phrase
    variant such as "send in" does not make "send" a name for a thing)."""
    words = [o for o in c.occs if " " not in o.key]
    return len(words) > 0.5 * len(c.occs) and (
        sum(o.pos in {"VERB", "ADJ", "ADV"} for o in words) > 0.5 * len(words)
    )


def _type_weight(c: _Concept) -> float:
    """Score factor of a concept's kind: names halved, the story of an order a quarter.

    Names (mostly tagged PROPN) are real words but context. Discourse words
    (:data:`~insight.vocabulary.lexicon.DISCOURSE`: "think", "let", "going",
    "things") carry the talk, not its subject. Time expressions
    and narrative verbs (mostly past tense: "purchased", "sent") tell the story
    of an order or a repair, not what customers think of the product or
    service (:data:`STORY_WEIGHT`). A bare opinion word ("great", "problems")
    says how customers feel, which sentiment, emotions and pain points already
    report; as vocabulary it tells most inside a phrase ("super friendly
    staff"), which keeps full weight. Lone verbs and adjectives are scored by
    :data:`DESCRIBING_BASE` in :func:`_rank`.
    """
    n = len(c.occs)
    w = 1.0
    if n and sum(o.pos == "PROPN" for o in c.occs) > 0.5 * n:
        w *= NAME_WEIGHT
    if sum(len(t.occs) for t in c.terms if _is_time(t.key)) > 0.5 * sum(
        len(t.occs) for t in c.terms
    ):
        w *= STORY_WEIGHT
    if all(" " not in t.key and t.key in DISCOURSE for t in c.terms) and (
        _describes(c) or c.leader.key in PLACEHOLDER_NOUNS
    ):
        w *= STORY_WEIGHT  # talk, not its subject: "think", "let", "going", "things"
    verbs = [o for o in c.occs if o.pos == "VERB"]
    if len(verbs) > 0.5 * n and sum(_is_past(o) for o in verbs) > 0.5 * len(verbs):
        w *= STORY_WEIGHT
    opinion = _opinion_words()
    bare = sum(len(t.occs) for t in c.terms if " " not in t.key and t.key in opinion)
    if bare > 0.5 * sum(len(t.occs) for t in c.terms):
        w *= NAME_WEIGHT
    return w


def _nested_counts(
    concepts: list[_Concept], occs: Sequence[Sequence[_Occ]] | None = None
) -> list[int]:
    """Per concept, the occurrences that sit inside a longer phrase of another concept.

    Only a parsed phrase (noun phrase, adjective + noun, verb phrase, a
    connected 4-gram) is a host. ``occs`` restricts the count to some
    occurrences per concept (those of one group).
    """
    occs_of = occs if occs is not None else [c.occs for c in concepts]
    spans: dict[int, list[tuple[int, int, int, int]]] = defaultdict(list)
    for ci, c_occs in enumerate(occs_of):
        # a host is a concept parsed as a phrase somewhere (all its occurrences count:
        # "the steam wand's" is an n-gram occurrence of the noun phrase "steam wand")
        if all(t.kind in {"word", "ngram"} for t in concepts[ci].terms):
            continue
        for o in c_occs:
            spans[o.unit].append((o.start, o.end, ci, len(o.key.split())))
    out: list[int] = []
    for ci, c in enumerate(concepts):
        n_words = min(len(t.key.split()) for t in c.terms)
        out.append(
            sum(
                1
                for o in occs_of[ci]
                if any(
                    cj != ci
                    and nw > n_words
                    and s <= o.start
                    and o.end <= e
                    and e - s > o.end - o.start
                    for s, e, cj, nw in spans[o.unit]
                )
            )
        )
    return out


def _subsumed(
    concepts: list[_Concept],
    share: float = 0.8,
    min_count: int = 5,
    occs: Sequence[Sequence[_Occ]] | None = None,
    nested: Sequence[int] | None = None,
) -> set[int]:
    """Concepts that are mostly fragments of a longer phrase ("York" inside "New York").

    Inside any longer phrase counts ("Pro" sits in "MacBook Pro", "Mac Book
    Pro" and "Pro notebook", none of them alone 80% of the time), with
    ``min_count`` occurrences as evidence. ``occs`` as in :func:`_nested_counts`;
    ``nested``: its result when already computed for the same occurrences.
    """
    occs_of = occs if occs is not None else [c.occs for c in concepts]
    if nested is None:
        nested = _nested_counts(concepts, occs_of)
    return {
        ci
        for ci, c_occs in enumerate(occs_of)
        if len(c_occs) >= min_count and nested[ci] >= share * len(c_occs)
    }


def _group_weights(concepts: list[_Concept], base: float = 0.5) -> list[float]:
    """Factor on a concept's group-vs-rest z when a segment's terms are ordered: the kind
    weight of :func:`_type_weight` and, for a lone verb or adjective, the share of the
    overall score it keeps (:data:`DESCRIBING_BASE` instead of ``base``)."""
    opinion = _opinion_share(concepts)
    return [
        _type_weight(c) * ((DESCRIBING_BASE + e) / (base + e) if _describes(c) else 1.0)
        for c, e in zip(concepts, opinion, strict=True)
    ]


def _rank(
    concepts: list[_Concept], z_bg: list[float], z_threshold: float = 1.96, base: float = 0.5
) -> list[int]:
    """Concept indices for the overall list: the terms customers use most among those
    over-used vs general English (``z_bg >= z_threshold``).

    Score: ``free count * (base + opinion share) * type weight``, ``base``
    :data:`DESCRIBING_BASE` for a lone verb, adjective or adverb (see
    :func:`_describes`), where the free
    count leaves out the occurrences inside a longer phrase, which gets the credit
    ("life" in "battery life"; the nested-term correction of C-value, Frantzi,
    Ananiadou & Mima 2000); fragments of longer terms are left out. Frequency
    ranks, distinctiveness filters: ranking by z alone favours words merely absent
    from the background (a product name said five times) over what most
    customers talk about.
    """
    opinion = _opinion_share(concepts)
    nested = _nested_counts(concepts)
    drop = _subsumed(concepts, nested=nested)
    score = [
        (len(c.occs) - k) * ((DESCRIBING_BASE if _describes(c) else base) + e) * _type_weight(c)
        for e, c, k in zip(opinion, concepts, nested, strict=True)
    ]
    order = sorted(range(len(concepts)), key=lambda i: (-score[i], -z_bg[i], i))
    return [i for i in order if z_bg[i] >= z_threshold and i not in drop]


def extract_vocabulary(
    units: pd.DataFrame,
    groups: pd.Series | None = None,
    glossary: Sequence[str] | Sequence[tuple[str, str]] | None = None,
    embedder: Any = None,
    top_n: int = 50,
    min_count: int = 2,
    nlp: Language | None = None,
    *,
    background: Background | str | Path | None = None,
    similarity: float = 0.6,
    noun_similarity: float = 0.8,
    prior_strength: float = 1.0,
    z_threshold: float = 1.96,
    max_candidates: int = 1500,
    batch_size: int = 256,
    progress: bool = False,
    cache: Any = None,
) -> pd.DataFrame:
    """The customers' own vocabulary: distinctive terms with variants, counts and quotes.

    Args:
        units: evidence units (``insight.schema``: unit_id, respondent_id,
            speaker_role, text); a frame with only ``text`` works (one
            respondent per row).
        groups: optional group label (segment, persona, any column) as a
            Series indexed by respondent_id or unit_id.
        glossary: optional company terms (``"term"`` or ``"term,definition"``);
            each output concept gets the glossary term it matches in
            ``glossary_term`` (see :func:`glossary_map`).
        embedder: object with ``encode(list[str]) -> array``; default MiniLM
            (``insight.embed.Embedder`` when present). ``False``: group
            variants by lemma only.
        top_n: terms kept overall and per group.
        min_count: minimum occurrences of a term (and at least two respondents
            when there are two or more).
        nlp: a loaded spaCy pipeline (default :func:`insight.nlp.load_spacy`).
        background: the general-English table (default ``models/background``).
        similarity / noun_similarity: cosine needed to merge two phrases as
            variants (nouns need more: "pizza" and "pasta" are not variants).
        progress: show a progress bar while the texts are parsed (on stderr).
        cache: a text cache (:class:`insight.engine.cache.TextCache`, e.g. the study's
            ``cache.duckdb``): each text's parsed candidates are kept by text hash, so a
            re-run or a new batch parses only the texts not seen before.

    Returns:
        One row per (term, group): ``group == "all"`` rows rank concepts by
        distinctiveness vs general English (``z == z_background``, weighted
        by how often an opinion word qualifies the term in the parse, names
        halved, time expressions and narrative past-tense verbs a quarter, lone
        verbs and adjectives counted where evaluated; fragments of longer
        phrases left out);
        per-group rows rank the terms over-used in the group (group-vs-rest
        z > 0 times the weight of the term's kind, counts within the group,
        fragments left out), and
        ``distinctive_in`` lists the groups where z >= ``z_threshold``.
        Columns: :data:`VOCAB_COLUMNS`.
    """
    import pandas as pd

    kept, dropped = _prepare(units)
    log.info(
        "vocabulary: %d units kept of %d (%s)",
        len(kept),
        len(units),
        ", ".join(f"{k} {v}" for k, v in dropped.items() if v),
    )
    if kept.empty:
        return pd.DataFrame(columns=VOCAB_COLUMNS)
    bg = background if isinstance(background, Background) else load_background(background)

    terms, tokens_per_unit = _collect(kept, nlp, batch_size, progress=progress, cache=cache)
    drop_fixed_expressions(terms, kept[schema.TEXT].tolist())  # "for instance", "a bit"
    resp = kept[schema.RESPONDENT_ID].astype(str).tolist()
    n_resp_total = len(set(resp))
    if embedder is None:
        embedder = _default_embedder()
    embedder = _memo(embedder)
    concepts = _concepts(
        terms, resp, min_count, max_candidates, embedder, similarity, noun_similarity
    )
    if not concepts:
        return pd.DataFrame(columns=VOCAB_COLUMNS)
    z_bg = _background_z(concepts, bg, float(sum(tokens_per_unit)), prior_strength)

    gloss_of = _glossary_for_concepts(glossary, concepts, embedder) if glossary else {}

    def row(ci: int, group: str, occs: list[_Occ], z: float, n_resp: int) -> dict[str, Any]:
        c = concepts[ci]
        surf: Counter[str] = Counter(o.surface for o in occs)
        display = _display_form([o for o in occs if o.key == c.leader.key] or occs)
        variants = sorted(surf.items(), key=lambda kv: (-kv[1], kv[0]))
        resps = {resp[o.unit] for o in occs}
        return {
            "term": display,
            "variants": [v for v, _ in variants],
            "variant_counts": [n for _, n in variants],
            "kind": c.leader.kind,
            "count": len(occs),
            "respondents": len(resps),
            "respondent_share": len(resps) / n_resp if n_resp else 0.0,
            "z": z,
            "z_background": z_bg[ci],
            "group": group,
            "distinctive_in": [],
            "glossary_term": gloss_of.get(ci),
            "unit_ids": sorted({str(kept[schema.UNIT_ID].iat[o.unit]) for o in occs}),
            "examples": _examples(occs, kept, display),
        }

    rows: list[dict[str, Any]] = []
    overall = _rank(concepts, z_bg, z_threshold)[:top_n]
    for ci in overall:
        rows.append(row(ci, ALL_GROUP, concepts[ci].occs, z_bg[ci], n_resp_total))

    if groups is not None:
        labels = _align_groups(groups, units, kept)
        names = sorted({g for g in labels if g is not None})
        tokens_in: Counter[str] = Counter()
        resp_in: dict[str, set[str]] = defaultdict(set)
        for u, g in enumerate(labels):
            if g is not None:
                tokens_in[g] += tokens_per_unit[u]
                resp_in[g].add(resp[u])
        n_labelled = float(sum(tokens_in.values()))
        distinctive: dict[int, list[str]] = defaultdict(list)
        weight = _group_weights(concepts)
        for g in names:
            n_g = float(tokens_in[g])
            scored = []
            occs_g = [[o for o in c.occs if labels[o.unit] == g] for c in concepts]
            fragments = _subsumed(concepts, occs=occs_g)
            for ci, c in enumerate(concepts):
                occ_g = occs_g[ci]
                y_all = sum(1 for o in c.occs if labels[o.unit] is not None)
                y_g = len(occ_g)
                if n_labelled - n_g <= 0:
                    z = 0.0
                else:
                    z = fightin_words_z(y_g, n_g, y_all - y_g, n_labelled - n_g, prior_strength)
                if z > 0 and y_g >= min_count:
                    if z >= z_threshold:
                        distinctive[ci].append(g)
                    if ci not in fragments:  # "arm" inside "an arm and a leg"
                        scored.append((z, ci, occ_g))
            # names, talk and the story of an order weigh less here too
            scored.sort(key=lambda s: (-s[0] * weight[s[1]], s[1]))
            for z, ci, occ_g in scored[:top_n]:
                rows.append(row(ci, g, occ_g, z, len(resp_in[g])))
        for r, ci in zip(rows, overall, strict=False):
            r["distinctive_in"] = distinctive.get(ci, [])
    log.info(
        "vocabulary: %d candidate terms, %d concepts, %d rows", len(terms), len(concepts), len(rows)
    )
    return pd.DataFrame(rows, columns=VOCAB_COLUMNS)
