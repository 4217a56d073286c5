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

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from insight.nlp import valence_lexicon

OTHER_THEME = -1
NOUNS = frozenset({"NOUN", "PROPN"})


class Problem(NamedTuple):
    """A problem a theme's units state: as written, its problem word and its object."""

    phrase: str  # as written: "parts too expensive", "confusing settings"
    word: str  # "too expensive", "confusing", "not clear", "problem"
    obj: str  # "parts", "settings", "labels", "" for a cue without a thing
    units: tuple[int, ...]  # indices of the theme's texts that state it


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
) -> dict[int, Problem]:
    """Theme -> the problem its units name most ("parts too expensive", "confusing
    settings"), written as one of them wrote it. A problem needs ``min_units`` units and
    ``min_share`` of the theme, or ``min_units`` units when its object is the theme's own
    subject (``subjects``: theme -> the words of its label phrases, "technical terms" ->
    "technical terms not easy"). Failing that, ``min_units`` units that name any problem of
    the theme's subject ("horrible books", "awful books") give the commonest of those
    phrases. Themes without one are left out. Each :class:`Problem` keeps the indices of
    the units that name it (the quotes that state the label)."""
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
    parts: dict[str, tuple[str, str]] = {}  # phrase -> (problem word, object)
    key_units: dict[tuple[int, tuple[str, str]], list[int]] = {}
    obj_units: dict[tuple[int, str], list[int]] = {}
    # theme -> object stem -> the phrases naming a problem of it, one per unit
    by_object: dict[int, dict[str, Counter[str]]] = {}
    size = Counter(int(c) for c in labels)
    docs = pipe(nlp, [strip_non_content(t) for t in texts])
    for i, (doc, c) in enumerate(zip(docs, labels, strict=True)):
        seen: set[tuple[str, str]] = set()
        for word, obj, phrase in problem_phrases(doc, lexicon):
            if set(phrase.split()) & private:
                continue
            key = (word.split()[-1], _stem(obj.split()[-1]))
            written.setdefault(key, Counter())[phrase] += 1
            parts.setdefault(phrase, (word, obj))
            if key[1] not in {k[1] for k in seen}:
                by_object.setdefault(int(c), {}).setdefault(key[1], Counter())[phrase] += 1
                obj_units.setdefault((int(c), key[1]), []).append(i)
            if key not in seen:
                by_theme.setdefault(int(c), Counter())[key] += 1
                key_units.setdefault((int(c), key), []).append(i)
                seen.add(key)
    out: dict[int, Problem] = {}
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
                phrase = written[key].most_common(1)[0][0]
                out[c] = Problem(phrase, *parts[phrase], tuple(key_units[(c, key)]))
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
                out[c] = Problem(phrase, *parts[phrase], tuple(obj_units[(c, o)]))
                break
    return out


# --- labels as problem statements ---------------------------------------------------------
_NOUN_PROBLEMS = {
    "problem": "Problems",
    "issue": "Issues",
    "trouble": "Trouble",
    "difficulty": "Difficulties",
    "bug": "Bugs",
    "error": "Errors",
}
_AMOUNTS = frozenset({"many", "few", "much", "little"})
_SINGULAR_S = frozenset({"this", "its", "less", "series", "analysis", "basis", "status", "news"})


def _plural(noun_phrase: str) -> bool:
    """The head noun of ``noun_phrase`` reads as plural ("labels", "price of parts": no)."""
    head = noun_phrase.split(" of ")[0].split()
    word = head[-1].lower() if head else ""
    return word.endswith("s") and not word.endswith(("ss", "us", "is")) and word not in _SINGULAR_S


def _upper_first(text: str) -> str:
    """First letter upper case, the rest as written ("PM2.5 values", not "Pm2.5 values")."""
    return text[:1].upper() + text[1:]


def statement(problem: Problem) -> str | None:
    """A problem as a researcher's label: "Settings are confusing", "Parts are too
    expensive", "Labels are not clear enough", "Problems with export", "Too many buttons"."""
    word, obj, phrase = problem.word, problem.obj, problem.phrase
    if word in _NOUN_PROBLEMS:
        return f"{_NOUN_PROBLEMS[word]} with {obj}"
    if not obj:
        return None
    if word.split()[-1] in _AMOUNTS:
        return _upper_first(phrase)
    be = "are" if _plural(obj) else "is"
    rest = phrase[len(obj) :].strip() if phrase.startswith(obj + " ") else word
    return _upper_first(f"{obj} {be} {rest}")


#: problem cues said of a thing, in the order ties go (kind -> pattern, label template)
CUES: dict[str, tuple[re.Pattern[str], str]] = {
    "unclear": (
        re.compile(
            r"\bnot (?:very |so |that |entirely |really |quite |too |totally )?clear\b|\bunclear\b"
            r"|\bconfus\w*|\bmisleading\b"
            r"|\b(?:don't|do not|didn't|did not|can't|cannot|couldn't|could not) (?:really |quite "
            r"|fully )?(?:understand|know what|know how|know why|get what)\b"
            r"|\bnot sure (?:what|how|why|whether|if)\b"
            r"|\b(?:doesn't|does not|didn't|did not) make (?:much |any )?sense\b"
            r"|\b(?:not (?:so |very |that |really )?easy|hard|difficult) to (?:understand|follow"
            r"|interpret)\b"
        ),
        "{np} {be} unclear",
    ),
    "hard to find": (
        re.compile(
            r"\b(?:can't|cannot|couldn't|could not|unable to) (?:\w+ )?(?:find|locate)\b"
            r"|\b(?:hard|difficult) to (?:find|locate|see)\b"
        ),
        "{np} {be} hard to find",
    ),
    "not working": (
        re.compile(
            r"\b(?:doesn't|does not|didn't|did not|isn't|is not|wasn't|was not|not) "
            r"(?:\w+ )?work(?:ing)?\b|\bcrash\w*|\bbroken\b|\bfail(?:s|ed|ing)?\b|\bfr[oe]ez\w*"
        ),
        "{np} {do} not work",
    ),
    "slow": (
        re.compile(
            r"\bslow(?:er|ly)?\b|\btak\w+ (?:a bit |too |so |very |quite )?(?:long|longer|ages"
            r"|a while|forever)\b"
        ),
        "{np} {be} slow",
    ),
    "waiting": (
        re.compile(
            r"\b(?:long|long time|hours?|too long) (?:to )?wait|\bwait(?:ed|ing)? (?:for )?(?:over |about "
            r"|nearly |almost )?(?:\d+|two|three|four|five|six|several|many) (?:hours|minutes|mins)"
            r"|\bdelay(?:s|ed)?\b"
        ),
        "Long wait for {np}",
    ),
    "missing": (
        re.compile(
            r"\bmissing\b|\bnot available\b|\bunavailable\b|\bthere (?:is|are|was|were) no\b"
        ),
        "{np} {be} missing",
    ),
    "hard to use": (
        re.compile(
            r"\b(?:hard|difficult|tricky|awkward|fiddly) to (?:use|get|read|follow|navigate)\b"
            r"|\bnot (?:very |so |that )?(?:easy|intuitive|user[- ]friendly)\b"
        ),
        "{np} {be} hard to use",
    ),
}
_FUNCTION = frozenset({"the", "a", "an", "to", "of", "and", "or", "in", "on", "for", "it", "is"})
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s+(?:but|however|although)\s+", re.I)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text).lower().replace("\u2019", "'"))


def _mention(phrase: str) -> re.Pattern[str]:
    """The phrase as a whole word, its plural too ("event" finds "events", "use" not "used")."""
    low = phrase.lower()
    if low.endswith("s") and not low.endswith("ss"):
        low = low[:-1]  # "tasks" finds "task"
    return re.compile(rf"\b{re.escape(low)}(?:s|es)?\b")


#: single words too vague to be what a problem is about ("days are unclear")
_VAGUE_SUBJECTS = _VAGUE_NOUNS | {
    "sense",
    "time",
    "use",
    "day",
    "days",
    "hour",
    "hours",
    "week",
    "weeks",
}


def _subject_ok(phrase: str) -> bool:
    """A noun phrase a label can be about: two or more words without "the", "to" ... inside
    (an "of" may be), or one word that is not vague."""
    words = phrase.lower().split()
    if set(words) & (_FUNCTION - {"of"}):
        return False  # "buggy the error" is no thing
    return len(words) > 1 or phrase.lower() not in _VAGUE_SUBJECTS


def cue_problems(
    texts: Sequence[str],
    labels: Sequence[int],
    noun_phrases: Mapping[int, Sequence[str]],
    min_units: int = 2,
    min_share: float = 0.05,
    taken: set[str] | None = None,
) -> dict[int, tuple[str, tuple[int, ...]]]:
    """Theme -> (label, unit indices) from a problem cue said in one sentence with one of
    the theme's noun phrases (``noun_phrases``, best first) by ``min_units`` of its units
    and ``min_share`` of them: "the time window length is not clear", "I can't find the
    data use tab" -> "Time window length is unclear", "Data use tab is hard to find". A cue
    inside the phrase itself ("missing values") does not count; no label twice."""
    found: dict[tuple[int, str, str], list[int]] = {}
    said: set[str] = set()
    for i, (text, c) in enumerate(zip(texts, labels, strict=True)):
        phrases = noun_phrases.get(int(c), [])
        if not phrases or _norm(text) in said:
            continue  # the same words twice (a comment pasted again) count once
        said.add(_norm(text))
        seen: set[tuple[str, str]] = set()
        for sent in _SENTENCE.split(_norm(text)):
            for kind, (rx, _template) in CUES.items():
                cues = [m.span() for m in rx.finditer(sent)]
                if not cues:
                    continue
                for np_ in phrases:
                    m = _mention(np_).search(sent)
                    if m is None or (np_, kind) in seen:
                        continue
                    if all(a < m.end() and m.start() < b for a, b in cues):
                        continue  # the cue is the phrase's own word ("missing values")
                    seen.add((np_, kind))
                    found.setdefault((int(c), np_, kind), []).append(i)
    size = Counter(int(c) for c in labels)
    taken = set() if taken is None else taken
    out: dict[int, tuple[str, tuple[int, ...]]] = {}
    kinds = list(CUES)
    for c in sorted(size, key=lambda t: (-size[t], t)):
        if c == OTHER_THEME:
            continue
        order = list(noun_phrases.get(c, []))
        ranked = sorted(
            ((k, np_, units) for (t, np_, k), units in found.items() if t == c),
            key=lambda x: (-len(x[2]), order.index(x[1]), kinds.index(x[0])),
        )
        for kind, np_, units in ranked:
            if len(units) < max(min_units, min_share * size[c]):
                break
            plural = _plural(np_)
            label = _upper_first(
                CUES[kind][1].format(
                    np=_as_written(np_, texts),
                    be="are" if plural else "is",
                    do="do" if plural else "does",
                )
            )
            if label.lower() not in taken:
                taken.add(label.lower())
                out[c] = (label, tuple(units))
                break
    return out


#: a statement that denies a problem ("NA - I don't believe I encountered any errors")
_DENIAL = re.compile(
    r"\b(?:no|without|zero|(?<!a )(?:very )?few|not (?:a|an|any)(?: real| big| major)?"
    r"|(?:don't|do not|didn't|did not|can't|cannot) (?:believe|think|recall|remember)"
    r"(?: (?:i|we|that i|that we))? (?:\w+ )?(?:any|many)"
    r"|(?:didn't|did not|haven't|have not|hadn't|never) (?:\w+ )?(?:any|many)"
    r"|(?:didn't|did not|haven't|have not|never) (?:encounter|have|had|get|got|see|notice"
    r"|experience|find|run into)\w*)"
    r" (?:\w+ )?(?:errors?|error messages?|issues?|problems?|bugs?|difficult(?:y|ies)"
    r"|complaints?|crash(?:es)?)\b(?:,? if any)?"
    r"|\bnothing (?:to|i would|i'd) (?:complain|change|improve|fix)\b"
)
_CONTRAST = re.compile(
    r"\b(?:but|however|although|though|except|apart from|other than|only|still|yet)\b"
)


def denies_problem(text: Any) -> bool:
    """True for a statement that says there was no problem ("NA - I don't believe I
    encountered any errors", "I got very few error messages, if any", "no issues at all"),
    unless it goes on to name one ("no issues, but the export crashed")."""
    norm = _norm(text)
    m = _DENIAL.search(norm)
    if m is None:
        return False
    rest = norm[: m.start()] + " " + norm[m.end() :]
    if _CONTRAST.search(rest):
        return False
    return not any(rx.search(rest) for rx, _t in CUES.values())


_WORD = re.compile(r"[a-z0-9][a-z0-9.\-]*[a-z0-9]|[a-z]")


def noun_runs(text: str, tags: Mapping[str, str], max_words: int = 3) -> set[str]:
    """Noun phrases as written: runs of nouns (an adjective may lead) ending on a noun
    ("time window length", "polar plot", "missing values"), and their shorter tails."""
    words = _WORD.findall(_norm(text))
    out: set[str] = set()
    run: list[str] = []
    for w in [*words, ""]:
        tag = tags.get(w, "X") if w else "X"
        if tag in NOUNS and w not in _VAGUE_NOUNS and len(w) > 1:
            run.append(w)
            continue
        while run and tags.get(run[-1]) not in NOUNS:
            run.pop()
        for n in range(1, min(max_words, len(run)) + 1):
            for i in range(len(run) - n + 1):
                out.add(" ".join(run[i : i + n]))
        run = [w] if tag == "ADJ" and w not in PROBLEM_ADJECTIVES else []
    return out


def specific_noun_phrases(
    texts: Sequence[str],
    labels: Sequence[int],
    tags: Mapping[str, str],
    min_units: int = 2,
    min_lift: float = 1.5,
) -> dict[int, list[str]]:
    """Theme -> the noun phrases (:func:`noun_runs`) that two or more of its units use and
    that it uses ``min_lift`` times more than the study's pain units as a whole; most
    units first, then the longer."""
    runs = [noun_runs(t, tags) for t in texts]
    overall = Counter(r for rs in runs for r in rs)
    size = Counter(int(c) for c in labels)
    per: dict[int, Counter[str]] = {}
    for rs, c in zip(runs, labels, strict=True):
        per.setdefault(int(c), Counter()).update(rs)
    out: dict[int, list[str]] = {}
    for c, counts in per.items():
        keep = [
            (n, r)
            for r, n in counts.items()
            if n >= min_units and (n / size[c]) >= min_lift * overall[r] / len(texts)
        ]
        out[c] = [r for n, r in sorted(keep, key=lambda x: (-x[0], -len(x[1].split()), x[1]))]
    return out


def _names_problem(phrase: str, lexicon: Mapping[str, float]) -> bool:
    """A phrase with a negative or problem word, or a problem cue ("lack of control")."""
    words = phrase.lower().split()
    return any(lexicon.get(w, 0.0) < 0 or w in PROBLEM_ADJECTIVES for w in words) or any(
        rx.search(phrase.lower()) for rx, _t in CUES.values()
    )


def _as_written(phrase: str, texts: Sequence[str]) -> str:
    """``phrase`` in the case most units wrote it ("ai art" -> "AI art")."""
    rx = re.compile(rf"\b{re.escape(phrase)}\b", re.I)
    forms = Counter(m.group() for t in texts for m in rx.finditer(str(t)))
    forms = Counter({f: n for f, n in forms.items() if f != f.capitalize() or f == phrase})
    return forms.most_common(1)[0][0] if forms else phrase


def theme_labels(
    texts: Sequence[str],
    labels: Sequence[int],
    problems: Mapping[int, Problem],
    noun_phrases: Mapping[int, Sequence[str]],
    other_terms: Mapping[int, Sequence[str]] | None = None,
    tags: Mapping[str, str] | None = None,
) -> tuple[dict[int, str], dict[int, tuple[int, ...]]]:
    """Theme -> its label as a problem statement, and the indices of the units that state
    it (the quotes to show first). In order: the parsed problem (:func:`statement`), the
    cue said with one of its noun phrases (:func:`cue_problems`), its leading noun phrase
    (a two-word one when one of its first two is; then ``other_terms``). With ``tags``
    (word -> part of speech) the noun phrases its units use more than the other pain units
    (:func:`specific_noun_phrases`) join its ``noun_phrases``. Themes with none of these
    (and the "other" theme) are left out."""
    out: dict[int, str] = {}
    units: dict[int, tuple[int, ...]] = {}
    taken: set[str] = set()
    lexicon = valence_lexicon()
    for c in sorted(problems):
        label = statement(problems[c])
        if label and c != OTHER_THEME and label.lower() not in taken:
            out[c], units[c] = label, problems[c].units
            taken.add(label.lower())
    specific = specific_noun_phrases(texts, labels, tags) if tags else {}
    noun_phrases = {
        c: list(dict.fromkeys([*noun_phrases.get(c, []), *specific.get(c, [])]))
        for c in set(noun_phrases) | set(specific)
    }
    open_nps = {
        c: [p for p in v if _subject_ok(p)] for c, v in noun_phrases.items() if c not in out
    }
    for c, (label, idx) in cue_problems(texts, labels, open_nps, taken=taken).items():
        out[c], units[c] = label, idx
    for c in sorted(set(int(x) for x in labels) - set(out) - {OTHER_THEME}):
        nps = [p for p in noun_phrases.get(c, []) if _subject_ok(p)]
        nps = [*nps[:2], *[p for p in specific.get(c, []) if " " in p][:1], *nps[2:]]
        # a two-word phrase first; other terms only without any noun phrase, and never
        # one with a function word inside ("buggy the error")
        others = [t for t in (other_terms or {}).get(c, []) if not set(t.split()) & _FUNCTION]
        # the members' shared phrase first when it names a problem ("boring technical writing")
        said = [t for t in others[:1] if " " in t and _names_problem(t, lexicon)]
        cands = [*said, *[p for p in nps if " " in p], *nps, *([] if nps else others)]
        for term in dict.fromkeys(cands):
            if term.lower() in taken:
                continue
            taken.add(term.lower())
            out[c] = _upper_first(_as_written(term, texts))
            rx = _mention(term)
            units[c] = tuple(
                i
                for i, (t, k) in enumerate(zip(texts, labels, strict=True))
                if int(k) == c and rx.search(_norm(t))
            )
            break
    return out, units


def states_problem(text: Any) -> bool:
    """The text says a problem in so many words (a cue of :data:`CUES`: "not clear",
    "can't find", "doesn't work", "slow", "missing", "hard to use")."""
    norm = _norm(text)
    return not denies_problem(text) and any(rx.search(norm) for rx, _t in CUES.values())
