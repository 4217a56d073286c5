"""Persona names and summaries, item wordings and pain-type labels."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.model import Claim, Persona
from insight.personas.words import _keyword, _stems
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
# Adjectives for persona names, keyed by the normalised pain type.
PAIN_ADJECTIVES = {
    "price": "Price-Pressured",
    "reliability": "Breakdown-Weary",
    "usability": "Complexity-Frustrated",
    "service": "Support-Starved",
    "time": "Time-Strapped",
    "missing": "Feature-Hungry",
    "delivery": "Delivery-Burdened",
    "other": "Problem-Weary",
}


def _pain_key(ptype: str) -> str:
    t = str(ptype).lower()
    for key in PAIN_ADJECTIVES:
        if t.startswith(key):
            return key
    return "other"


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


def _name(
    attitudes: list[Claim],
    pains: list[Claim],
    demographics: list[Claim],
    vocab: list[Claim],
    stem_use: dict[str, float] | None = None,
) -> str:
    """A readable, deterministic name: pain adjective + attitude keyword + stance."""
    adj = None
    named = [p for p in pains if _pain_key(p.stats.get("pain_point_type", "other")) != "other"]
    # The pain that sets the segment apart (over-represented vs the rest) names it;
    # otherwise its most severe one.
    distinct = [p for p in named if p.stats.get("distinctive")]
    if distinct:
        named = sorted(distinct, key=lambda p: -(p.stats.get("lift") or float("inf")))
    if named:
        adj = PAIN_ADJECTIVES[_pain_key(named[0].stats.get("pain_point_type", "other"))]
    noun = None
    adj_stems = _stems(adj.replace("-", " ")) if adj else set()
    for a in attitudes[:3]:
        kw = _keyword(a.stats.get("question", a.label), stem_use)
        if kw and not (_stems(kw) & adj_stems):
            role = "Champion" if a.stats.get("direction", "higher") == "higher" else "Sceptic"
            noun = f"{kw.capitalize()} {role}"
            break
    if noun is None:
        for d in demographics:
            cat = str(d.stats.get("category", ""))
            if d.stats.get("distinctive") and re.fullmatch(r"[A-Za-z][A-Za-z &\-]{2,24}", cat):
                noun = cat.title()
                break
    if noun is None and vocab:
        noun = f"“{vocab[0].label}” Customer"
    parts = [p for p in (adj, noun) if p]
    return "The " + " ".join(parts) if parts else "The Customer"


def _summary(
    size: int, share: float, attitudes: list[Claim], pains: list[Claim], emotions: list[Claim]
) -> str:
    bits = [f"{share:.0%} of respondents ({size})"]
    if attitudes:
        a = attitudes[0]
        verb = "rate higher" if a.stats.get("direction") == "higher" else "rate lower"
        bits.append(
            f"{verb} than others “{_short(a.stats.get('question', a.label))}” "
            f"({_fmt(a.stats.get('mean'))} vs {_fmt(a.stats.get('rest_mean'))})"
        )
    if pains:
        p = pains[0]
        bits.append(
            f"top pain point: {_lower_first(p.label.split(' - ')[0])} ({p.n} of {p.N} respondents)"
        )
    emo = [e for e in emotions if e.stats.get("distinctive")]
    if emo:
        bits.append(f"express more {emo[0].stats['emotion']} than the rest")
    return "; ".join(bits) + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short(text: str, n: int = 70) -> str:
    text = str(text).strip()
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _fmt(v: Any) -> str:
    return f"{float(v):.1f}" if _is_number(v) else "?"


def _dedupe_names(personas: list[Persona]) -> None:
    seen: dict[str, int] = {}
    for p in personas:
        if p.name in seen:
            alt = None
            for a in p.attitudes[1:]:
                kw = _keyword(a.stats.get("question", a.label))
                cand = (
                    f"{p.name}, {kw.capitalize()}-{'Minded' if a.stats.get('direction') == 'higher' else 'Wary'}"
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
