"""Pain-theme labels as a researcher writes them: short problem statements.

A pain theme's label says the problem its members share, in their words:

1. the problem most of its units name with a thing, found on the parse ("the settings
   are confusing" -> "Settings are confusing", "problems with the export" -> "Problems
   with export"; :func:`theme_problems`);
2. else a problem cue ("not clear", "can't find", "doesn't work", "slow", "missing",
   "hard to") said in one sentence with one of the theme's noun phrases by two or more of
   its units ("Time window length is unclear"; :func:`cue_problems`);
3. else the theme's leading noun phrase alone ("Polar plot"), never a list of words.

Statements that deny a problem ("I don't believe I encountered any errors", "no issues")
are no pain at all (:func:`denies_problem`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from insight.nlp import valence_lexicon

OTHER_THEME = -1
NOUNS = frozenset({"NOUN", "PROPN"})


def _stem(word: str) -> str:
    for suf in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


#: Adjectives that name a problem with a thing even where VADER has no valence for them
PROBLEM_ADJECTIVES = frozenset(
    [
        "slow",
        "expensive",
        "pricey",
        "overpriced",
        "costly",
        "complicated",
        "complex",
        "confusing",
        "unclear",
        "inconsistent",
        "unreliable",
        "clunky",
        "laggy",
        "buggy",
        "late",
        "noisy",
        "loud",
        "dirty",
        "limited",
        "missing",
        "hidden",
        "outdated",
        "cluttered",
        "unhelpful",
        "unresponsive",
        "fiddly",
        "tedious",
        "vague",
        "ambiguous",
        "unusable",
        "unintuitive",
        "misleading",
        "inaccurate",
        "incomplete",
        "difficult",
    ]
)
#: times and occasions: a problem word on them names when, not the problem
_WHEN = frozenset(
    [
        "morning",
        "mornings",
        "day",
        "days",
        "week",
        "weeks",
        "month",
        "months",
        "year",
        "years",
        "evening",
        "night",
        "weekend",
        "weekends",
        "moment",
        "period",
        "season",
        "shift",
    ]
)
#: adjectives that describe data or things more often than they complain ("low values")
_DESCRIPTIVE = frozenset(["low", "high", "empty", "normal", "isolated", "weird", "strange", "odd"])
#: adjectives that say nothing without what follows ("not worth it", "not sure")
_NEEDS_COMPLEMENT = frozenset({"worth", "able", "sure", "aware", "due", "likely", "keen"})
_BE_LIKE = frozenset({"be", "seem", "look", "feel", "get", "become", "sound", "appear"})
_VAGUE_NOUNS = frozenset(
    [
        "thing",
        "things",
        "stuff",
        "way",
        "lot",
        "bit",
        "kind",
        "sort",
        "time",
        "times",
        "one",
        "ones",
        "part",
        "parts",
        "people",
        "everything",
        "something",
        "anything",
        "nothing",
    ]
) - {"parts", "time"}


def _object_phrase(noun: Any, skip: Any = None, lexicon: Mapping[str, float] | None = None) -> str:
    """A noun with its compound, noun and plain adjective modifiers and an "of" phrase, as
    written ("data export", "technical terms", "price of genuine parts"); ``skip``: the
    problem word itself, never part of its object."""
    lexicon = lexicon or {}

    def mods(n: Any) -> list[str]:
        return [
            t.lower_
            for t in n.lefts
            if (skip is None or t.i != skip.i)
            and (
                (t.dep_ in ("compound", "nmod") and t.pos_ in NOUNS)
                or (t.dep_ == "amod" and t.pos_ == "ADJ" and not lexicon.get(t.lower_, 0.0))
            )
            and t.lower_ not in PROBLEM_ADJECTIVES
        ]

    words = [*mods(noun), noun.lower_]
    for prep in (c for c in noun.rights if c.dep_ == "prep" and c.lower_ == "of"):
        objs = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in NOUNS]
        if objs:
            words += ["of", *mods(objs[0]), objs[0].lower_]
        break
    return " ".join(words)


def _subject_noun(verb: Any) -> Any:
    """The noun a verb's subject names ("some of the settings" -> settings), or None."""
    subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj:
        return None
    if subj[0].pos_ in NOUNS:
        return subj[0]
    for prep in (c for c in subj[0].children if c.dep_ == "prep" and c.lower_ == "of"):
        objs = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in NOUNS]
        if objs:
            return objs[0]
    return None


def problem_phrases(doc: Any, lexicon: Mapping[str, float]) -> list[tuple[str, str, str]]:
    """The problems a parsed pain unit names: (problem word, object, phrase as written).

    * a problem adjective on a noun: "the useless service" -> "useless service";
    * a noun said to be a problem: "the settings are confusing" -> "confusing settings",
      "the parts are too expensive" -> "parts too expensive", "the labels are not clear"
      -> "labels not clear";
    * a problem noun with its thing: "problems with the export" -> "export problems".

    A problem adjective is negative in VADER or one of :data:`PROBLEM_ADJECTIVES`; any
    adjective counts after "too" or "not". Pronoun subjects give no phrase.
    """
    out: list[tuple[str, str, str]] = []
    for tok in doc:
        if tok.pos_ != "ADJ":
            continue
        low = tok.lower_
        if low in _NEEDS_COMPLEMENT:
            continue
        too = any(c.lower_ == "too" for c in tok.children)
        head = tok.head
        neg = any(c.dep_ == "neg" for c in [*tok.children, *head.children])
        bad = lexicon.get(low, 0.0) <= -0.5 or low in PROBLEM_ADJECTIVES
        if not (bad or too or neg):
            continue
        if neg and not too and lexicon.get(low, 0.0) < 0:
            continue  # "not bad" is no problem
        if not (too or neg) and (tok.tag_ in ("JJR", "JJS") or low in _DESCRIPTIVE):
            continue  # "lower temperatures", "low values": what the data shows
        noun = None
        if tok.dep_ == "amod" and head.pos_ in NOUNS:
            noun = head
        elif tok.dep_ in ("acomp", "attr", "ROOT") and head.lemma_ in _BE_LIKE | {low}:
            noun = _subject_noun(head if tok.dep_ != "ROOT" else tok)
        if noun is None or noun.lower_ in _VAGUE_NOUNS:
            continue
        obj = _object_phrase(noun, tok, lexicon)
        if obj in _WHEN:  # "a slow morning" is when, not what
            continue
        enough = " enough" if any(c.lower_ == "enough" for c in tok.children) else ""
        if tok.dep_ == "amod":  # as written: "too many buttons", "useless service"
            phrase, word = f"{'too ' if too else ''}{low} {obj}", f"too {low}" if too else low
        elif too:
            phrase, word = f"{obj} too {low}", f"too {low}"
        elif neg:
            phrase, word = f"{obj} not {low}{enough}", f"not {low}"
        else:
            phrase, word = f"{low} {obj}", low
        out.append((word, obj, phrase))
    for tok in doc:
        if tok.lemma_ not in ("problem", "issue", "trouble", "difficulty", "bug", "error"):
            continue
        for prep in (c for c in tok.children if c.dep_ == "prep" and c.lower_ in ("with", "of")):
            objs = [c for c in prep.children if c.dep_ == "pobj" and c.pos_ in NOUNS]
            if objs and objs[0].lower_ not in _VAGUE_NOUNS:
                obj = _object_phrase(objs[0], None, lexicon)
                out.append((tok.lemma_, obj, f"{obj} {tok.lower_}"))
    return out


def theme_problems(
    texts: Sequence[str],
    labels: Sequence[int],
    min_units: int = 2,
    min_share: float = 0.1,
    subjects: Mapping[int, str] | None = None,
) -> dict[int, str]:
    """Theme -> the problem its units name most ("parts too expensive", "confusing
    settings"), written as one of them wrote it. A problem needs ``min_units`` units and
    ``min_share`` of the theme, or ``min_units`` units when its object is the theme's own
    subject (``subjects``: theme -> the words of its label phrases, "technical terms" ->
    "technical terms not easy"). Failing that, ``min_units`` units that name any problem of
    the theme's subject ("horrible books", "awful books") give the commonest of those
    phrases. Themes without one are left out."""
    from insight.errors import ModelError
    from insight.nlp import load_spacy, pipe, strip_non_content
    from insight.pii import personal_words

    try:
        nlp = load_spacy(disable=("ner",))
    except ModelError:
        return {}
    lexicon = valence_lexicon()
    private = personal_words(texts)
    by_theme: dict[int, Counter[tuple[str, str]]] = {}
    written: dict[tuple[str, str], Counter[str]] = {}
    # theme -> object stem -> the phrases naming a problem of it, one per unit
    by_object: dict[int, dict[str, Counter[str]]] = {}
    size = Counter(int(c) for c in labels)
    for doc, c in zip(pipe(nlp, [strip_non_content(t) for t in texts]), labels, strict=True):
        seen: set[tuple[str, str]] = set()
        for word, obj, phrase in problem_phrases(doc, lexicon):
            if set(phrase.split()) & private:
                continue
            key = (word.split()[-1], _stem(obj.split()[-1]))
            written.setdefault(key, Counter())[phrase] += 1
            if key[1] not in {k[1] for k in seen}:
                by_object.setdefault(int(c), {}).setdefault(key[1], Counter())[phrase] += 1
            if key not in seen:
                by_theme.setdefault(int(c), Counter())[key] += 1
                seen.add(key)
    out: dict[int, str] = {}
    used: set[tuple[str, str]] = set()
    # larger themes choose first; no two themes are named by the same problem
    for c in sorted(by_theme, key=lambda t: (-size[t], t)):
        if c == OTHER_THEME:
            continue
        counts = by_theme[c]
        # most units; ties to the problem the other themes name least
        ranked = sorted(
            counts.items(),
            key=lambda kv: (
                -kv[1],
                sum(by_theme[o].get(kv[0], 0) for o in by_theme if o != c),
                kv[0],
            ),
        )
        subject = {_stem(w) for w in (subjects or {}).get(c, "").split()}
        for key, n in ranked:
            if n < min_units:
                break
            if n < min_share * size[c] and key[1] not in subject:
                continue
            if key not in used:
                used.add(key)
                out[c] = written[key].most_common(1)[0][0]
                break
        if c in out:
            continue
        objects = sorted(
            (
                (sum(ph.values()), o, ph)
                for o, ph in by_object.get(c, {}).items()
                if o in subject and sum(ph.values()) >= min_units
            ),
            key=lambda x: (-x[0], x[1]),
        )
        for _n, o, ph in objects:
            phrase = min(ph.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            if ("", o) not in used:
                used.add(("", o))
                out[c] = phrase
                break
    return out
