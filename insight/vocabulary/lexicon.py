"""Closed word lists of everyday talk: discourse words and fixed expressions.

Shared by the study vocabulary (:mod:`insight.vocabulary.ranking`) and a persona's
"Their words" (:mod:`insight.personas.words`): words that carry the conversation
rather than its subject never lead a list of the customers' terms.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from insight.vocabulary.candidates import _Term

#: Words that carry the conversation, not its subject ("I got", "going to", "let me look"):
#: light verbs, hedges, discourse markers and placeholder nouns ("thing", "way", "bit").
DISCOURSE = frozenset(
    [
        "actually",
        "also",
        "anything",
        "basically",
        "bit",
        "came",
        "case",
        "come",
        "comes",
        "coming",
        "couple",
        "even",
        "everything",
        "fact",
        "gave",
        "get",
        "gets",
        "getting",
        "give",
        "gives",
        "go",
        "goes",
        "going",
        "gone",
        "got",
        "gotten",
        "guess",
        "just",
        "keep",
        "kept",
        "kind",
        "knew",
        "know",
        "knowing",
        "knows",
        "let",
        "lets",
        "look",
        "looked",
        "looking",
        "looks",
        "lot",
        "lots",
        "made",
        "make",
        "makes",
        "making",
        "maybe",
        "mean",
        "means",
        "meant",
        "no",
        "now",
        "okay",
        "one",
        "ones",
        "probably",
        "put",
        "puts",
        "really",
        "remember",
        "right",
        "said",
        "saw",
        "say",
        "saying",
        "says",
        "see",
        "seeing",
        "seem",
        "seemed",
        "seems",
        "seen",
        "sees",
        "something",
        "sort",
        "start",
        "started",
        "still",
        "stuff",
        "suppose",
        "supposed",
        "sure",
        "take",
        "takes",
        "taking",
        "talk",
        "talked",
        "talking",
        "tell",
        "then",
        "thing",
        "things",
        "think",
        "thinking",
        "thinks",
        "thought",
        "told",
        "took",
        "tried",
        "tries",
        "try",
        "trying",
        "wait",
        "want",
        "wanted",
        "wants",
        "way",
        "well",
        "went",
        "yes",
    ]
)

#: Placeholder nouns among :data:`DISCOURSE`: generic whatever their part of speech.
PLACEHOLDER_NOUNS = frozenset(
    {"thing", "things", "stuff", "one", "ones", "way", "bit", "lot", "lots", "kind", "sort"}
    | {"fact", "case", "couple", "something", "anything", "everything"}
)

#: Multi-word function expressions: their words are not terms ("for instance" is not about
#: an instance, "in order to" not about an order, "a bit" not about a bit).
FIXED_EXPRESSION = re.compile(
    r"(?<![\w'’])(?:for (?:instance|example)|in order (?:to|for)|in case|of course|in fact"
    r"|at least|at all|in terms of|as well|kind of|sort of|a (?:little )?bit|a lot|lots of"
    r"|all the time|at the moment|at some point|in general|for sure|by the way)(?![\w'’])",
    re.IGNORECASE,
)


def drop_fixed_expressions(terms: dict[str, _Term], texts: list[str]) -> int:
    """Remove the occurrences that lie inside a fixed expression (a term left with none
    is removed); returns how many occurrences were removed."""
    spans: dict[int, list[tuple[int, int]]] = {}
    removed = 0
    for key in list(terms):
        term = terms[key]
        keep = []
        for o in term.occs:
            if o.unit not in spans:
                spans[o.unit] = [m.span() for m in FIXED_EXPRESSION.finditer(texts[o.unit])]
            if any(a <= o.start and o.end <= b for a, b in spans[o.unit]):
                term.surfaces[o.surface] -= 1
                term.pos[o.pos] -= 1
                removed += 1
            else:
                keep.append(o)
        if len(keep) < len(term.occs):
            term.occs = keep
            term.surfaces = +term.surfaces
            term.pos = +term.pos
        if not term.occs:
            del terms[key]
    return removed
