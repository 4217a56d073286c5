"""Goals, needs and wishes: rule-based flags, kept separate from pain points.

A unit is a *goal* when the speaker states something they want, need, hope for
or are trying to achieve ("I wish", "I need", "it would be great if", "I'm
trying to", "all I want is", "would love", "hoping"), or asks for a change
("please add", "it should let me"). Personas list goals next to pain points,
so a unit can be both ("I need to export to Excel and it keeps crashing").

The rules are plain regular expressions (no spaCy) over lower-cased text with
curly apostrophes normalised; negated needs ("I don't need", "no need") are not
goals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

# Subject pronouns that make a want/need a first-person (or team) statement.
_SUBJ = r"(?:i|we|i'd|we'd|i'm|we're|i've|we've|i'll|we'll)"

GOAL_PATTERNS: dict[str, str] = {
    "wish": r"\b(?:i|we) (?:really |just |only |sometimes |do )?wish(?:ed)?\b|\bif only\b",
    "need": (
        r"\b(?:i|we) (?:really |just |still |also |urgently |badly |desperately |do )?"
        r"(?:need|needed|require|required)\b"
        r"|\b(?:my|our) (?:main |biggest |only |real )?(?:need|needs|requirement)\b"
        r"|\bneed (?:a|an|some|more|better) (?:way|option|tool|feature|place|button|setting)\b"
    ),
    "want": (
        r"\b(?:i|we) (?:really |just |only |simply |also |still |do )?(?:want|wanted)(?: to)?\b"
        r"|\ball (?:i|we) (?:want|need|ask|wanted|needed)\b"
        r"|\b(?:i|we) (?:would|'d) (?:really |just |also |much |rather )?"
        r"(?:like|love|prefer|appreciate)\b"
        r"|\b(?:i'd|we'd) (?:really |just |also |much |rather )?(?:like|love|prefer|appreciate)\b"
        r"|\bwould (?:really |so |just )?love\b"
        r"|\b(?:i|we) (?:am|are|'m|'re) (?:looking for|after)\b"
        r"|\b(?:i'm|we're) (?:looking for|after)\b"
    ),
    "hope": (
        r"\b(?:i|we) (?:really |do |just )?(?:hope|hoped)\b"
        r"|\b(?:i'm|we're|i am|we are|was|were) (?:really |just |still )?hoping\b"
        r"|^\s*hoping\b|\bhopefully\b"
    ),
    "trying": (
        r"\b(?:i'm|we're|i am|we are|i was|we were|i've been|we've been) "
        r"(?:just |still |really )?trying to\b"
        r"|\b(?:i|we) (?:try|tried) to\b"
    ),
    "would_be_nice": (
        r"\b(?:it|that|this|which) (?:would|'d|will) (?:be|have been) "
        r"(?:so |really |very |much |even |a lot )?"
        r"(?:great|nice|good|helpful|useful|better|ideal|lovely|amazing|awesome|handy|easier|brilliant|fantastic)"
        r"(?: if| to)?\b"
        r"|\bit'd be (?:so |really |very )?(?:great|nice|good|helpful|useful|better|ideal|lovely|easier)\b"
        r"|\bwould (?:be )?(?:make (?:it|things|life) )?(?:much |a lot |so )?easier\b"
        r"|\bideally\b"
    ),
    "goal": (
        r"\b(?:my|our) (?:main |ultimate |real |end |only )?(?:goal|aim|objective|dream|priority|wish)"
        r"(?:s)? (?:is|are|was|would be)\b"
        r"|\b(?:i|we) (?:am|are|'m|'re)? ?(?:aiming|planning|hoping|striving) to\b"
        r"|\b(?:i|we) (?:plan|aim|intend) to\b"
        r"|\b(?:i|we) (?:want|need|would like|'d like) to be able to\b"
    ),
    "request": (
        r"\b(?:please|pls|plz) (?:add|bring back|make|allow|let|include|consider|offer|support|provide|fix)\b"
        r"|\b(?:could|can|would) (?:you|they) (?:please )?(?:add|bring back|allow|let us|let me|include|offer|support|provide)\b"
        r"|\b(?:it|you|they|there) (?:should|ought to) (?:really |also |just )?"
        r"(?:have|be able|let|allow|support|include|offer|provide|add|be an? option)\b"
        r"|\b(?:there should be|there needs to be|you need to (?:add|offer|provide|make))\b"
        r"|\bwhy not (?:add|offer|have|make)\b"
    ),
}

# A negated want/need is not a goal ("I don't need help", "no need to call").
_NEGATED = re.compile(
    r"\b(?:i|we) (?:do not|don't|dont|did not|didn't|didnt|never|no longer) "
    r"(?:really |even )?(?:need|want|wish|require|hope)\b"
    r"|\bno (?:need|wish)\b"
)

# Discourse phrases that look like wants but state none ("I wanted to say thanks").
_DISCOURSE = re.compile(
    r"\b(?:want|wanted|would like|'d like|wish) to (?:say|thank|let (?:you|them) know|ask|mention|"
    r"share|add|point out|tell|know|check|confirm|note|comment|praise|complain|express)\b"
    r"|\bhope (?:so|not)\b|\bhope (?:you|everyone|all) (?:are|is|have)\b"
)

_COMPILED = {name: re.compile(rx) for name, rx in GOAL_PATTERNS.items()}


def _normalise(text: str) -> str:
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return re.sub(r"\s+", " ", text)


def goal_cues(text: str | None) -> list[str]:
    """The names of the goal patterns that match ``text`` (empty when none do)."""
    if not isinstance(text, str) or not text.strip():
        return []
    norm = _DISCOURSE.sub(" _ ", _normalise(text))
    hits = []
    for name, rx in _COMPILED.items():
        for m in rx.finditer(norm):
            # Ignore a want/need that is negated right before it.
            start = max(0, m.start() - 25)
            window = norm[start : m.end()]
            neg = _NEGATED.search(window)
            if neg and neg.end() >= len(window) - 2:
                continue
            hits.append(name)
            break
    return hits


def is_goal(text: str | None) -> bool:
    """True when ``text`` states a goal, need or wish."""
    return bool(goal_cues(text))


def goal_flags(texts: Iterable[str | None]) -> np.ndarray:
    """0/1 goal flag per text (empty or missing text gives 0)."""
    return np.array([int(is_goal(t)) for t in texts], dtype=np.int64)
