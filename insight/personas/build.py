"""Build personas: one per segment, every claim with its unit ids and quotes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.behaviour import behaviour_claims  # RFM cells, lifecycle (16.1)
from insight.personas.claims import (
    attitude_claims,
    categorical_claims,
    columns_with_role,
    emotion_claims,
    goal_claims,
    is_numeric,
    numeric_claims,
    pain_point_claims,
    topic_claims,
    vocabulary_claims,
)
from insight.personas.evidence import shared_evidence
from insight.personas.model import (
    LOW_STABILITY,
    N_QUOTES,
    SMALL_N,
    SMALL_SHARE,
    THIN_EVIDENCE_UNITS,
    Claim,
    Persona,
    Quote,
    StudyTables,
    stability_map,
)
from insight.personas.naming import (
    _dedupe_names,
    _name,
    _stem_lift,
    _summary,
    _unique_claim_ids,
)
from insight.personas.template import profile_fields
from insight.personas.view import SegmentView, segment_view, study_view
from insight.personas.words import _THINK, _is_action, _slug, _stems
from insight.stats import is_number as _is_number
from insight.stats import plain as _plain

if TYPE_CHECKING:
    from insight.store import Store


def build_personas(tables: StudyTables | Store) -> list[Persona]:
    """One persona per segment, largest first, every claim with its unit ids and quotes.

    Args:
        tables: a :class:`StudyTables` or an open :class:`~insight.store.Store`.

    Returns:
        Personas ``P1..Pk`` ordered by segment size (largest first).
    """
    import pandas as pd

    from insight.errors import StoreError

    if not isinstance(tables, StudyTables):
        tables = StudyTables.from_store(tables)
    seg = tables.segments
    if seg is None or seg.empty or S.SEGMENT not in seg:
        raise StoreError(
            "no segments to build personas from",
            fix="run the segmentation stage first (`insight run` does it)",
        )
    seg = seg.copy()
    seg[S.RESPONDENT_ID] = seg[S.RESPONDENT_ID].astype(str)
    seg = seg[pd.notna(seg[S.SEGMENT])].drop_duplicates(S.RESPONDENT_ID)
    # Negative segment ids mark respondents excluded from segmentation (straight-liners ...).
    seg = seg[~seg[S.SEGMENT].map(lambda s: _is_number(s) and float(s) < 0)]
    ev = shared_evidence(tables)  # built once: the report's quotes read it too
    study = study_view(tables, seg, ev)
    sizes = seg.groupby(S.SEGMENT).size().sort_values(ascending=False, kind="stable")
    ordered = sorted(sizes.index, key=lambda s: (-int(sizes[s]), str(s)))
    personas = [build_persona(segment_view(study, f"P{i + 1}", s)) for i, s in enumerate(ordered)]
    _dedupe_names(personas)
    return personas


def build_persona(v: SegmentView) -> Persona:
    """The persona of one segment: every claim, quotes, empathy map, name and confidence."""
    pid, segment = v.pid, v.segment
    attitudes = attitude_claims(v)
    demographics = categorical_claims(v, S.ROLE_DEMOGRAPHIC, "demographic")
    demographics += numeric_claims(
        v,
        [
            c
            for c in columns_with_role(v, S.ROLE_DEMOGRAPHIC)
            if is_numeric(v, c, S.ROLE_DEMOGRAPHIC)
        ],
        "demographic",
    )
    behaviour = behaviour_claims(v)
    pains = pain_point_claims(v)
    goals = goal_claims(v)
    emotions = emotion_claims(v)
    vocab = vocabulary_claims(v)
    topics = topic_claims(v)
    quotes = representative_quotes(v)
    counter = counter_quote(v, pains, quotes)
    empathy = empathy_map(v, quotes)
    size = len(v.members)
    share = size / v.total if v.total else 0.0
    role = "Archetype" if v.archetype else "Group"
    name = _name(attitudes, pains, demographics, vocab, _stem_lift(v.mine, v.rest), topics, role)
    summary = _summary(size, v.total, attitudes, pains, emotions, v.study.who)
    conf, warnings = confidence(v, size, share, attitudes, quotes)
    persona = Persona(
        id=pid,
        name=name,
        summary=summary,
        size=size,
        share=share,
        attitudes=attitudes,
        demographics=demographics,
        behaviour=behaviour,
        pain_points=pains,
        goals=goals,
        emotions=emotions,
        vocabulary=vocab,
        topics=topics,
        quotes=quotes,
        counter_quote=counter,
        empathy_map=empathy,
        confidence=conf,
        warnings=warnings,
        segment=_plain(segment),
    )
    for c in persona.claims():
        c.id = f"{pid}.{c.kind}.{_slug(c.stats.get('key', c.label))}"
    _unique_claim_ids(persona)
    # template fields reuse the claims above (their ids included): built last
    persona.profile = profile_fields(v, quotes, pains, goals)
    return persona


def representative_quotes(v: SegmentView) -> list[Quote]:
    mine = v.mine
    if mine.empty:
        return []
    if v.centre:
        # Typical of the segment AND saying something: the centre of a segment's talk is
        # often filler such as "Okay so this is the data." (real think-aloud sessions).
        return v.ev.pick(_contentful(mine), N_QUOTES, v.centre)
    # No embeddings: the most confident members first; their most telling unit.
    prob = mine[S.PROBABILITY].fillna(0).astype(float)
    telling = (
        (mine[S.PAIN_POINT] > 0)
        | (mine[S.GOAL] > 0)
        | (mine[S.EKMAN].fillna("neutral") != "neutral")
    )
    score = (prob + 0.5 * telling.astype(float)).to_dict()
    return v.ev.pick(mine.index.tolist(), N_QUOTES, score)


#: A representative quote needs this many content words (no filler, no stop words).
MIN_CONTENT_WORDS = 4


def _contentful(mine: Any) -> list[str]:
    """Unit ids of ``mine`` whose text has at least :data:`MIN_CONTENT_WORDS` content words
    (all of them when none has)."""
    from insight.nlp import content_tokens

    ids = [
        u
        for u, text in zip(mine.index, mine[S.TEXT], strict=False)
        if len(content_tokens(text)) >= MIN_CONTENT_WORDS
    ]
    return ids or mine.index.tolist()


def counter_quote(v: SegmentView, pains: list[Claim], quotes: list[Quote]) -> Quote | None:
    """A positive unit from the segment on its top pain type (same topic or term)."""
    if not pains:
        return None
    mine = v.mine
    pos = mine[(mine[S.SENTIMENT_LABEL].astype(str) == "positive") & (mine[S.PAIN_POINT] < 1)]
    if pos.empty:
        return None
    top = pains[0]
    pain_units = mine.loc[[u for u in top.unit_ids if u in mine.index]]
    topics = set()
    if S.TOPIC in pain_units:
        topics = {t for t in pain_units[S.TOPIC].dropna() if t != S.UNASSIGNED_TOPIC}
    words: set[str] = set()
    for t in top.stats.get("terms", []):
        words |= _stems(t)
    if not words:
        words = _stems(top.label)
    cand = []
    for u, r in pos.iterrows():
        same_topic = S.TOPIC in pos and r.get(S.TOPIC) in topics
        shared = len(_stems(r[S.TEXT]) & words)
        if same_topic or shared:
            sent = float(r[S.SENTIMENT]) if _is_number(r[S.SENTIMENT]) else 0.0
            cand.append((u, 2.0 * bool(same_topic) + shared + sent))
    if not cand:
        return None
    picked = v.ev.pick([u for u, _ in cand], 1, dict(cand), exclude={q.unit_id for q in quotes})
    return picked[0] if picked else None


def empathy_map(v: SegmentView, says: list[Quote]) -> dict[str, list[Quote]]:
    mine = v.mine
    used = {q.unit_id for q in says}
    texts = mine[S.TEXT].astype(str)
    thinks = [u for u, t in texts.items() if _THINK.search(t)]
    does = [u for u, t in texts.items() if _is_action(t)]
    feels: list[str] = []
    score_feel: dict[str, float] = {}
    if S.EKMAN in mine:
        emo = mine[mine[S.EKMAN].fillna("neutral").astype(str) != "neutral"]
        feels = emo.index.tolist()
        inten = emo.get(S.INTENSITY)
        for u in feels:
            x = inten[u] if inten is not None else float("nan")
            score_feel[u] = (
                float(x)
                if _is_number(x)
                else abs(
                    float(emo.at[u, S.SENTIMENT]) if _is_number(emo.at[u, S.SENTIMENT]) else 0.0
                )
            )
    more_says = v.ev.pick(mine.index.tolist(), 3, v.centre, exclude=used)
    return {
        "says": more_says if len(more_says) >= 2 else list(says[:3]),
        "thinks": v.ev.pick(thinks, 3, v.centre, exclude=used),
        "does": v.ev.pick(does, 3, v.centre, exclude=used),
        "feels": v.ev.pick(feels, 3, score_feel, exclude=used),
    }


def confidence(
    v: SegmentView,
    size: int,
    share: float,
    attitudes: list[Claim],
    quotes: list[Quote],
) -> tuple[dict[str, Any], list[str]]:
    stab = None
    for k, x in stability_map(v.t.segment_stability).items():
        if str(k) == str(v.segment):
            stab = x
    n_units = len(v.mine)
    who = v.study.who
    warnings = []
    if v.archetype:
        warnings.append(
            f"archetype: drawn from {v.total} {who} (fewer than 15), a pattern to explore "
            "and confirm with more interviews, not a measured segment"
        )
    if not v.archetype and (share < SMALL_SHARE or size < SMALL_N):
        warnings.append(f"small segment: {size} of {v.total} {who} ({share:.0%})")
    if stab is not None and stab < LOW_STABILITY:
        warnings.append(
            f"unstable segment: bootstrap Jaccard stability {stab:.2f} < {LOW_STABILITY}"
        )
    if n_units < THIN_EVIDENCE_UNITS:
        warnings.append(f"thin evidence: only {n_units} statements from {v.n_text} {who}")
    if v.t.segment_profiles is not None and len(v.t.segment_profiles) and not attitudes:
        warnings.append(
            "no attitude item sets this segment apart (BH-corrected p < 0.05, |d| >= 0.3)"
        )
    if len(quotes) < 3:
        warnings.append(f"only {len(quotes)} representative quote(s) from different respondents")
    problems = len(warnings)
    level = (
        "high"
        if problems == 0
        else ("medium" if problems == 1 and n_units >= THIN_EVIDENCE_UNITS else "low")
    )
    if v.archetype:
        level = "low"
    stab_txt = f"stability {stab:.2f}" if stab is not None else "stability not measured"
    note = (
        f"{size} of {v.total} {who} ({share:.0%}), {stab_txt}, "
        f"{n_units} statements from {v.n_text} {who} with text."
    )
    if v.archetype:
        note = "Archetype (fewer than 15 participants): " + note
    return {
        "level": level,
        "size": size,
        "share": share,
        "stability": stab,
        "evidence_units": n_units,
        "respondents_with_text": v.n_text,
        "note": note,
    }, warnings
