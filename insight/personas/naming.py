"""Persona names and summaries, item wordings and pain-type labels."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.model import Claim, Persona
from insight.personas.words import _GENERIC, _STOP, _keyword, _stems
from insight.stats import is_number as _is_number

if TYPE_CHECKING:
    import pandas as pd

PAIN_LABELS = {
    "price/value": "Price and value",
    "price": "Price and value",
    "reliability/quality": "Reliability and quality",
    "reliability": "Reliability and quality",
    "usability": "Usability",
    "service/support": "Service and support",
    "service": "Service and support",
    "time/effort": "Time and effort",
    "missing feature": "Missing features",
    "missing_feature": "Missing features",
    "delivery/logistics": "Delivery and logistics",
    "delivery": "Delivery and logistics",
    "other": "Other problems",
}


def pain_label(ptype: str) -> str:
    """Readable name of a pain-point type."""
    t = str(ptype).strip()
    return PAIN_LABELS.get(t.lower(), t.replace("_", " ").replace("/", " and ").capitalize())


# --- names and summaries ----------------------------------------------------------------------------------
def item_wordings(columns: pd.DataFrame) -> dict[str, str]:
    """Column -> question wording, a matrix question's shared stem removed."""
    out: dict[str, str] = {}
    if columns is None or not len(columns) or S.COL_QUESTION not in columns:
        return out
    for name, q in zip(columns[S.COL_NAME].astype(str), columns[S.COL_QUESTION], strict=False):
        if q is not None and str(q) not in ("", "nan", "None"):
            out.setdefault(name, str(q))
    return _strip_shared_prefix(out)


def _strip_shared_prefix(texts: dict[str, str]) -> dict[str, str]:
    """Drop a matrix question's shared stem ("How much do you agree ...? - Item")."""
    prefixes: dict[str, int] = {}
    for t in texts.values():
        if " - " in t:
            prefixes[t.rsplit(" - ", 1)[0]] = prefixes.get(t.rsplit(" - ", 1)[0], 0) + 1
    out = {}
    for k, t in texts.items():
        head = t.rsplit(" - ", 1)[0] if " - " in t else None
        out[k] = t.rsplit(" - ", 1)[1].strip() if head and prefixes.get(head, 0) >= 2 else t
    return out


def _stem_lift(mine: pd.DataFrame, rest: pd.DataFrame) -> dict[str, float]:
    """Stem -> share of the segment's units using it minus the share among the rest."""

    def rates(df: pd.DataFrame) -> dict[str, float]:
        counts: dict[str, int] = {}
        for text in df[S.TEXT].astype(str):
            for st in _stems(text):
                counts[st] = counts.get(st, 0) + 1
        return {k: v / max(len(df), 1) for k, v in counts.items()}

    a, b = rates(mine), rates(rest)
    return {k: v - b.get(k, 0.0) for k, v in a.items()}


def _words(text: Any) -> list[str]:
    """Content words fit for a name: no filler, stop words, single letters or generic words."""
    from insight.nlp import content_tokens

    out = []
    for w in content_tokens(text):
        w = w.strip("'-")
        if len(w) > 2 and w not in _GENERIC and w not in _STOP and "'" not in w:
            out.append(w)
    return list(dict.fromkeys(out))


def _best_words(text: Any, stem_use: dict[str, float] | None, k: int = 2) -> list[str]:
    """Up to ``k`` words of ``text`` with distinct stems, the persona's over-used ones first."""
    words = [w for w in _words(text) if w not in _VERBS]
    used = stem_use or {}

    def key(w: str) -> tuple:
        stem = next(iter(_stems(w)), w)
        return (-used.get(stem, 0.0), -len(w), words.index(w))

    picked: list[str] = []
    stems: set[str] = set()
    for w in sorted(words, key=key):
        st = _stems(w) or {w}
        if st & stems or any(w[:5] == p[:5] for p in picked):  # "writers" and "write"
            continue
        picked.append(w)
        stems |= st
        if len(picked) >= k:
            break
    return picked


#: words a title leaves in lower case ("See and Convey")
_SMALL_WORDS = frozenset({"and", "or", "of", "the", "a", "an", "in", "on", "for", "to", "with"})
NAME_MIN_SHARE = 0.25  # a theme or term names a persona when a quarter of it shares it
_NOT_NOUN = re.compile(r"(?:ed|ly|ful|ous|ive|ible|able|less)$")


# common verbs that read wrongly after "troubled by" ("troubled by feel")
_VERBS = frozenset(
    [
        "feel",
        "feels",
        "think",
        "want",
        "need",
        "make",
        "get",
        "take",
        "took",
        "give",
        "go",
        "come",
        "say",
        "know",
        "see",
        "look",
        "use",
        "find",
        "tell",
        "ask",
        "try",
        "call",
        "wait",
        "work",
        "help",
        "keep",
        "let",
        "seem",
        "leave",
        "put",
        "mean",
        "stop",
        "start",
        "told",
        "asked",
        "called",
        "waited",
        "helped",
        "kept",
        "left",
        "put",
        "meant",
        "stopped",
        "started",
        "gave",
        "went",
        "came",
        "said",
        "knew",
        "saw",
        "looked",
    ]
)


def agrees(attitude: Claim) -> int | None:
    """+1 when the persona sits at the agreeing / better end of the item, -1 at the other,
    None when the item's scale does not say which end agrees (numbers without labels)."""
    a = attitude.stats.get("agreement")
    return None if a is None or not _is_number(a) else (1 if float(a) > 0 else -1)


def stance(attitude: Claim) -> str:
    """ "Champion" / "Sceptic" where the scale says which end agrees, else who scores
    higher or lower ("High Scorer"): a bare 1-7 may run either way (PSSUQ: 1 = agree)."""
    a = agrees(attitude)
    if a is None:
        return (
            "High Scorer" if attitude.stats.get("direction", "higher") == "higher" else "Low Scorer"
        )
    return "Champion" if a > 0 else "Sceptic"


def instrument_reading(attitude: Claim) -> str | None:
    """What the persona's side of a published questionnaire item means, in words
    ("Finds information hard to find" on PSSUQ item 12 scored worse than the rest), or
    None for a question of the study's own or a scale whose better end is not known."""
    from insight.ingest.instruments import battery_named, find_item

    why = attitude.stats.get("instrument")
    item, battery = find_item(why), battery_named(why)
    a = agrees(attitude)  # the item's better end (its reverse-keying applied)
    if item is None or battery is None or a is None:
        return None
    mean = attitude.stats.get("mean")
    if mean is not None and _is_number(mean) and item.topic:
        # the persona's side of the scale's midpoint: 2.8 on the PSSUQ still agrees that
        # information was easy to find, only less strongly than the rest (1.0)
        good_side = item.better * (float(mean) - (battery.lo + battery.hi) / 2) > 0
        if good_side and a < 0:
            return f"Less positive on {item.topic}"
        if not good_side and a > 0:
            return f"Less negative on {item.topic}"
    return item.good if a > 0 else item.bad


def _instrument_note(attitude: Claim) -> str:
    """ "PSSUQ v2 item 12 " and the scale's anchors for a published item, else ""."""
    from insight.ingest.instruments import battery_named, find_item

    why = attitude.stats.get("instrument")
    battery, item = battery_named(why), find_item(why)
    if battery is None or item is None:
        return ""
    if len(battery.items) == 1:  # the NPS, SEQ or FFT question
        return f"the {battery.name} rating "
    return f"{battery.name} item {item.number} "


def _anchors(attitude: Claim) -> str:
    from insight.ingest.instruments import battery_named

    b = battery_named(attitude.stats.get("instrument"))
    if b is None:
        return ""
    ends = " … ".join(f"{k} = {v.lower()}" for k, v in b.labels.items())
    return f"; {ends}, {'lower' if b.lower_is_better else 'higher'} is better"


def _pain_words(pains: list[Claim]) -> list[str]:
    """The words of the pain theme that sets the persona apart (none when no pain does)."""
    named = [p for p in pains if p.stats.get("pain_theme", 0) != -1]
    distinct = [p for p in named if p.stats.get("distinctive")]
    named = sorted(distinct, key=lambda p: -(p.stats.get("lift") or float("inf")))
    # a shared noun phrase of one of its most distinctive pains reads best ("troubled by
    # price of parts", "troubled by milk temperature")
    for p in named[:3]:
        for term in p.stats.get("noun_terms") or []:
            words = _words(term)
            kept = [
                w
                for w in words
                if not _NOT_NOUN.search(w) and w not in _VERBS and w not in _EVALUATIVE
            ]
            if len(words) > 1 and kept == words and len(term.split()) <= 3:
                return term.split()
    for p in named[:1]:
        cands = []
        for term in [*p.stats.get("terms", []), p.label]:
            words = _words(term)
            kept = [w for w in words if not _NOT_NOUN.search(w) and w not in _VERBS]
            if kept:
                cands.append((len(kept) != len(words), len(kept) != 1, kept))
        # a thing reads best after "troubled by": whole terms of nouns, single words first
        for _partial, _multi, kept in sorted(cands, key=lambda c: (c[0], c[1])):
            return kept[:2]
    return []


def _name(
    attitudes: list[Claim],
    pains: list[Claim],
    demographics: list[Claim],
    vocab: list[Claim],
    stem_use: dict[str, float] | None = None,
    topics: list[Claim] | None = None,
    role: str = "Group",
) -> str:
    """A readable, deterministic name in the study's own words.

    Focus: what the persona's most distinctive item of a published questionnaire means
    ("Finds information hard to find": PSSUQ, SUS, ... know their better end), else the
    keyword of its most distinctive attitude item (with Champion /
    Sceptic where its scale says which end agrees, else High / Low Scorer), else a distinctive demographic category, else the words of
    its most distinctive theme, else its top vocabulary term. Then the pain theme that sets
    it apart: ``The Parts Champion, troubled by price``.
    """
    pain = _pain_words(pains)
    pain_stems = set().union(*(_stems(w) for w in pain)) if pain else set()
    noun = None
    reading = instrument_reading(attitudes[0]) if attitudes else None
    if reading:  # a published item says what the score means ("Finds the system hard to use")
        return reading + (f", troubled by {' '.join(pain)}" if pain else "")
    for a in attitudes[:3]:
        kw = _keyword(a.stats.get("question", a.label), stem_use)
        if kw and not (_stems(kw) & pain_stems):
            noun = f"{kw.capitalize()} {stance(a)}"
            break
    if noun is None:
        for d in demographics:
            cat = str(d.stats.get("category", ""))
            if d.stats.get("distinctive") and re.fullmatch(r"[A-Za-z][A-Za-z &\-]{2,24}", cat):
                cased = " ".join(
                    w if w.isupper() or (i and w.lower() in _SMALL_WORDS) else w.capitalize()
                    for i, w in enumerate(cat.split())
                )
                noun = f"{cased} {role}"
                break
    if noun is None:
        # a theme that sets the persona apart and that many of its members share
        broad = [c for c in [*(topics or []), *vocab] if c.N and c.n / c.N >= NAME_MIN_SHARE]
        ranked = sorted(
            broad,
            key=lambda c: (c.kind != "topic" or not c.stats.get("distinctive"), -c.n),
        )
        for c in [*ranked, *(topics or []), *vocab]:
            phrase = _label_phrase(c.label, pain_stems)
            words = [
                w
                for w in _best_words(c.label, stem_use)
                if not (_stems(w) & pain_stems) and w not in _EVALUATIVE
            ]
            if phrase or words:
                noun = f"{phrase or _title(words[0])} {role}"
                break
    name = f"The {noun}" if noun else f"The {role}"
    if pain:
        name += f", troubled by {' '.join(pain)}"
    return name


_ACRONYMS = ("ai", "ui", "ux", "nhs", "gp", "ae")
#: praise and blame words: what people said about the service, never who they are
#: ("The Excellent Group")
_EVALUATIVE = frozenset(
    [
        "excellent",
        "good",
        "great",
        "brilliant",
        "amazing",
        "fantastic",
        "wonderful",
        "lovely",
        "nice",
        "kind",
        "friendly",
        "helpful",
        "polite",
        "caring",
        "professional",
        "efficient",
        "quick",
        "fast",
        "slow",
        "poor",
        "bad",
        "rude",
        "terrible",
        "awful",
        "perfect",
        "happy",
        "better",
        "best",
        "worse",
        "worst",
        "easy",
        "hard",
        "difficult",
        "clean",
        "dirty",
        "long",
        "short",
    ]
)


def _title(text: str) -> str:
    """ "image and video" -> "Image and Video"; "ai writing" -> "AI Writing"."""
    out = []
    for i, w in enumerate(text.split()):
        if w.lower() in _ACRONYMS:
            out.append(w.upper())
        elif i and w.lower() in _SMALL_WORDS:
            out.append(w.lower())
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def _label_phrase(label: str, pain_stems: set[str]) -> str | None:
    """The first phrase of a theme label or term that reads as a name: one to three words
    as people said them, all content words ("and"/"of" inside allowed), no verb, not
    ending in an adjective or adverb, not the persona's pain ("image and video", "asset
    pack"). Two separate words are never glued together ("Writers & Write")."""
    for seg in str(label).split(","):
        words = seg.strip().split()
        inner = [w.lower() for w in words if w.lower() not in ("and", "of", *_ACRONYMS)]
        if not 1 <= len(words) <= 3 or not inner or words[0].lower() in ("and", "of"):
            continue
        if any(not re.fullmatch(r"[A-Za-z][A-Za-z'-]*", w) for w in words):
            continue
        if _words(" ".join(inner)) != inner or any(w in _VERBS for w in inner):
            continue
        if _NOT_NOUN.search(inner[-1]) or inner[-1] in _EVALUATIVE:
            continue
        if _stems(" ".join(inner)) & pain_stems:
            continue
        return _title(seg.strip())
    return None


def _summary(
    size: int,
    total: int,
    attitudes: list[Claim],
    pains: list[Claim],
    emotions: list[Claim],
    who: str = "respondents",
) -> str:
    share = size / total if total else 0.0
    bits = [f"{size} of {total} {who} ({share:.0%})"]
    if attitudes:
        a = attitudes[0]
        q = _short(a.stats.get("question", a.label))
        means = f"{_fmt(a.stats.get('mean'))} vs {_fmt(a.stats.get('rest_mean'))}"
        agreement = agrees(a)
        if agreement is None:
            higher = a.stats.get("direction") == "higher"
            bits.append(
                f"score {'higher' if higher else 'lower'} than others on “{q}” ({means}; "
                "which end of its scale agrees is not known)"
            )
        else:
            # "favourably" reads for agreement and quality scales alike (FFT: 1 = Very good)
            verb = "answer more favourably" if agreement > 0 else "answer less favourably"
            bits.append(f"{verb} than others on {_instrument_note(a)}“{q}” ({means}{_anchors(a)})")
    if pains:
        p = pains[0]
        bits.append(f"top pain point: {_lower_first(p.label)} ({p.n} of {p.N} {who} with text)")
    emo = [e for e in emotions if e.stats.get("distinctive")]
    if emo:
        bits.append(f"express more {emo[0].stats['emotion']} than the rest")
    return "; ".join(bits) + "."


def _lower_first(text: str) -> str:
    """``text`` to go mid-sentence: "Events are unclear" -> "events are unclear", but a
    first word written in capitals stays ("AI art", "NHS staff", "PSSUQ")."""
    first = text.split(" ", 1)[0]
    if sum(c.isupper() for c in first) > 1:
        return text
    return text[:1].lower() + text[1:]


def _short(text: str, n: int = 70) -> str:
    text = str(text).strip()
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _fmt(v: Any) -> str:
    return f"{float(v):.1f}" if _is_number(v) else "?"


_THEME_NAME = re.compile(r"The ([^,]+) (\w+)((?:, troubled by .+)?)")


def _near_duplicate_names(personas: list[Persona]) -> None:
    """A theme name whose words another persona's name already has ("The Writer Group"
    after "The Writers Group") takes the next phrase of its themes that is new."""
    used: set[str] = set()
    for p in personas:
        m = _THEME_NAME.fullmatch(p.name)
        if not m or p.attitudes:
            continue
        stems = _stems(m.group(1))
        if stems and stems <= used:
            for c in [*p.topics, *p.vocabulary]:
                alt = _label_phrase(c.label, used)
                if alt:
                    p.name = f"The {alt} {m.group(2)}{m.group(3)}"
                    stems = _stems(alt)
                    break
        used |= stems


def _dedupe_names(personas: list[Persona]) -> None:
    _near_duplicate_names(personas)
    seen: dict[str, int] = {}
    for p in personas:
        if p.name in seen:
            alt = None
            for a in p.attitudes[1:]:
                kw = _keyword(a.stats.get("question", a.label))
                agreement = agrees(a)
                reading = instrument_reading(a)
                cand: str | None
                if reading:
                    cand = f"{p.name}; {_lower_first(reading)}"
                elif agreement is None:
                    side = "higher" if a.stats.get("direction") == "higher" else "lower"
                    cand = f"{p.name}, {side} on {kw}" if kw else None
                else:
                    cand = (
                        f"{p.name}, {kw.capitalize()}-{'Minded' if agreement > 0 else 'Wary'}"
                        if kw
                        else None
                    )
                if cand and cand not in seen:
                    alt = cand
                    break
            p.name = alt or f"{p.name} ({p.id})"
        seen[p.name] = 1


def _unique_claim_ids(persona: Persona) -> None:
    seen: dict[str, int] = {}
    for c in persona.claims():
        if c.id in seen:
            seen[c.id] += 1
            c.id = f"{c.id}-{seen[c.id]}"
        else:
            seen[c.id] = 1
