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
from typing import NamedTuple

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


# --- goal statements: what the speaker wants, as a short claim ------------------------------
_ADJ = (
    r"(?:great|nice|good|helpful|useful|better|ideal|lovely|handy|easier|valuable|interesting"
    r"|brilliant|fantastic|perfect|beneficial)"
)
_WHO = r"(?:you|we|i|one|they|users?|people|the user)"
#: (pattern whose group "g" is the goal clause, what goes before a noun-phrase goal)
_STATEMENTS: list[re.Pattern[str]] = [
    re.compile(rx)
    for rx in (
        # "All I want is fair prices on parts", "what we need is a map", "the one thing I'd
        # like is X": the goal is what follows "is" (else "I want" would read "want is ...")
        r"\b(?:all|what|the (?:only |one |main |first )?thing) (?:that )?(?:i|we) (?:really )?"
        r"(?:want|need|would like|'d like|wish for|ask for) (?:is|are) (?:just |simply )?"
        r"(?P<np6>)(?P<g>.+)",
        # "it would be useful if I could see where the data comes from", "... to include X"
        rf"\b(?:it|that|this|which|there) (?:would|'d|will|could|might) (?:also )?(?:be|have been)"
        rf" (?:\w+ )?(?:\w+ )?{_ADJ} (?:if {_WHO} (?:can|could|would|were able to|was able to) "
        rf"(?:be able to )?|to (?:be able to )?|to have |if there (?:was|were|is|are) (?P<np1>))"
        r"(?P<g>.+)",
        rf"\bif {_WHO} (?:can|could) (?P<g>.+?),? (?:it|that|this) (?:would|'d|will) be"
        rf" (?:\w+ )?{_ADJ}",
        # "I would like to export all the data", "I'd love a map", "I'd appreciate that"
        r"\b(?:i|we) (?:would|'d) (?:really |also |much |rather |definitely )?"
        r"(?:like|love|prefer|appreciate)(?: it)?(?: for example| for instance)?"
        r"(?: to (?:be able to )?| (?P<np2>))(?P<g>.+)",
        r"\b(?:i|we) (?:really |also |still |just )?(?:want|wanted) "
        r"(?:to (?:be able to )?|(?P<np3>))(?P<g>.+)",
        r"\b(?:i|we) (?:also |really |still |would )?need (?:to (?:be able to )?|(?P<np4>))(?P<g>.+)",
        r"\b(?:i|we) (?:really |just |only )?wish (?:i|we|you|it) (?:could|would|had) (?P<g>.+)",
        r"\b(?:i|we) (?:hope|plan|aim|intend) to (?P<g>.+)",
        r"\b(?:i'm|we're|i am|we are|i was|we were) (?:just |still |really )?trying to (?P<g>.+)",
        # requests: "there should be an option to select all locations", "could you add X"
        r"\bthere (?:should|needs to|ought to) be (?P<np5>)(?P<g>.+)",
        r"\b(?:you|they|it|we|users?) (?:should|ought to) (?:also )?(?:be able to )?(?P<g>.+)",
        r"\b(?:could|can|would) you (?:please )?(?P<g>(?:add|include|show|offer|provide|make|"
        r"allow|let) .+)",
        r"\b(?:you|they) (?:need|have) to (?P<g>(?:add|include|show|offer|provide|make|allow"
        r"|let|put|give|explain|change) .+)",
        r"\b(?:please|pls) (?P<g>(?:add|include|show|make|allow|let|bring back|fix) .+)",
    )
]
_WANT_NEED = (4, 5)  # the "I want" and "I need" statements of _STATEMENTS
#: verbs that after "I need to" / "I want to" name a step of the task, not a goal
_STEPS = frozenset(
    [
        "go",
        "come",
        "click",
        "check",
        "continue",
        "say",
        "do",
        "read",
        "scroll",
        "press",
        "log",
        "select",
        "search",
        "remember",
        "look",
        "try",
        "pick",
        "put",
        "change",
        "type",
        "open",
        "close",
        "wait",
        "know",
        "think",
        "start",
        "finish",
        "move",
        "double-check",
        "find",
        "see",
        "talk",
        "share",
        "mention",
        "ask",
    ]
)
#: verbs that name a step of the session (or of the talk) after any wish
_UI_STEPS = frozenset(
    [
        "do",
        "try",
        "go",
        "click",
        "close",
        "open",
        "scroll",
        "press",
        "continue",
        "check",
        "type",
        "log",
        "wait",
        "come",
        "talk",
        "say",
        "ask",
        "mention",
        "thank",
        "share",
        "tell",
    ]
)
#: where a goal clause ends
_CLAUSE_END = re.compile(
    r"(?i)[,.;:!?()\[\]\"]| - |\b(?:but|because|since|although|though|as it|as they|so that|so i"
    r"|which|as i|as we|even though|otherwise|and then|rather than that|i guess|i think|i suppose)\b"
)
_LEAD = re.compile(
    r"(?i)^(?:for example|for instance|maybe|perhaps|just|also|really|actually|somehow|kind of"
    r"|sort of|like|be able to|you know)\s+"
)
_TAIL = re.compile(
    r"(?i)\s+(?:for|of|with|and|or|the|a|an|there|here|as well|too|at least|for me|please"
    r"|then|now|anyway)$"
)
_DANGLING = frozenset({"about", "like", "into", "at", "by"})
_PRONOUN_ONLY = frozenset({"it", "that", "this", "them", "those", "these", "one", "so", "more"})


class StatedGoal(NamedTuple):
    """A goal as its speaker stated it: the short claim, and whether it is a wish or
    request ("I would like", "it would be useful if", "there should be", "could you")
    rather than a plain "I want" / "I need" (which in a session is often the next step)."""

    text: str
    wish: bool


def goal_statement(text: str | None, max_words: int = 12) -> str | None:
    """The goal ``text`` states as a short claim (see :func:`stated_goal`), or None."""
    goal = stated_goal(text, max_words)
    return None if goal is None else goal.text


def stated_goal(text: str | None, max_words: int = 12) -> StatedGoal | None:
    """What ``text`` says its speaker wants, as a short claim in their words ("It would be
    useful if I could see where the data comes from" -> "See where the data comes from";
    "I would like a map" -> "Have a map"), or None when it states no goal: a step of the
    task ("I need to click that again"), a question ("Do I need to read all of them?"),
    a negated or empty wish ("There is nothing I can think of that would be useful"), a
    request for help ("Maybe I need your help here")."""
    if not isinstance(text, str) or not text.strip():
        return None
    written = re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'")).strip()
    for said in re.split(r"(?<=[.!?])\s+", written):
        sentence = said.lower()  # same length: the goal is cut from what was written
        if sentence.rstrip().endswith("?") and not sentence.startswith(("could you", "can you")):
            continue
        if re.search(r"\b(?:nothing|not|n't|never|no)\b[^,.;]*\b(?:would|could) be\b", sentence):
            continue
        for k, rx in enumerate(_STATEMENTS):
            m = rx.search(sentence)
            if m is None:
                continue
            before = sentence[: m.start()]
            if _NEGATED.search(sentence[max(0, m.start() - 25) : m.end("g")]) or re.search(
                r"\b(?:don't|do not|didn't|did not|not sure|if|say|said|says|say that|what|how|where|when|why)\s*$",
                before,
            ):
                continue
            if re.search(r"\blet's (?:just )?say\b", before):  # a setting picked for the task
                continue
            noun = any(g is not None for name, g in m.groupdict().items() if name.startswith("np"))
            goal = _clean(said[m.start("g") : m.end("g")], max_words)
            if goal is None:
                continue
            first = goal.split()[0].lower()
            if (
                (k in _WANT_NEED and first in _STEPS)
                or first in _UI_STEPS
                or re.match(r"(?:your|you|me) help\b|help\b", goal)
            ):
                continue
            if noun and first not in {"to"}:
                goal = f"have {goal}"
            return StatedGoal(goal[:1].upper() + goal[1:], k not in _WANT_NEED)
    return None


def _clean(clause: str, max_words: int) -> str | None:
    """The goal clause up to where it ends, without leading hedges or trailing fillers;
    None when fewer than two words or no content word are left."""
    from insight.nlp import content_tokens

    clause = re.sub(r"\b(?:you know|let's say|i mean)\b", " ", clause, flags=re.I)
    clause = re.sub(r"^(\w+),", r"\1", clause.strip())  # "show, the number" -> "show the number"
    for _ in range(3):
        clause = _LEAD.sub("", clause.strip())
    # the clause ends at a stop word or mark, a comma only after three words ("include
    # clinical, demographics and environmental information")
    end = len(clause)
    for m in _CLAUSE_END.finditer(clause):
        if m.group() != "," or len(clause[: m.start()].split()) >= 3:
            end = m.start()
            break
    clause = clause[:end].strip()
    for _ in range(3):
        clause = _TAIL.sub("", clause.strip())
    clause = clause.rstrip(",;:- ")
    words = clause.split()
    if not words or (words[0].lower() in _PRONOUN_ONLY and len(words) < 3):
        return None
    if words[0].lower() == "be" or words[-1].lower() in _DANGLING:
        return None  # "be removed", "write a novel about": no goal said
    if len(words) > max_words:
        return None
    if len(words) < 2 or not content_tokens(clause):
        return None
    return " ".join(words)
