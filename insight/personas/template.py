"""Persona template fields (role, age band, location, preferred channels, scenario, goals,
challenges), each filled only from the study's own data and carrying its evidence.

A field is a :class:`~insight.personas.model.Claim` of kind ``"profile"``: its label is the
value, ``n`` the persona's members who support it and ``N`` the members with any answer;
``stats["source"]`` says where the value comes from (a column, a participant's own words,
the persona's own claims). When the data has nothing for a field the claim says
"No evidence in this study" with the reason in ``stats["no_evidence"]`` and no value is
guessed. Columns are recognised once per study by their header words AND their values
(:func:`study_sources`); interview participants' roles come only from explicit
self-descriptions ("I'm a nurse", "for me as a statistician").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.personas.model import MAX_CLAIM_QUOTES, Claim, Quote

# the column and word rules live in their own modules; re-exported here unchanged
from insight.personas.template_columns import ColumnSource as ColumnSource
from insight.personas.template_columns import TemplateSources as TemplateSources
from insight.personas.template_columns import _column_source as _column_source
from insight.personas.template_columns import study_sources as study_sources
from insight.personas.template_words import JOB_HEADS as JOB_HEADS
from insight.personas.template_words import age_band as age_band
from insight.personas.template_words import channel_of as channel_of
from insight.personas.template_words import is_job as is_job
from insight.personas.template_words import self_described_role as self_described_role
from insight.personas.words import _stems

if TYPE_CHECKING:
    from insight.personas.view import SegmentView

#: field key -> title shown in the persona card, in display order
FIELDS = {
    "role": "Role / job",
    "age_band": "Age band",
    "location": "Location",
    "channels": "Preferred channels",
    "scenario": "Scenario",
    "goals": "Goals",
    "challenges": "Challenges",
}
NO_EVIDENCE = "No evidence in this study"
#: a value needs at least this share of the members who answered to stand alone
MAJORITY = 0.5
#: otherwise "Mixed: ..." lists the most common values until they cover this share (max 3)
MIXED_COVER = 2 / 3
#: ... unless three values cover less than this share: then "Varied: k different answers"
VARIED_BELOW = 1 / 3


# --- one persona's fields --------------------------------------------------------------
def _no_evidence(key: str, reason: str) -> Claim:
    stats = {"key": key, "field": key, "title": FIELDS[key], "no_evidence": reason}
    return Claim("profile", NO_EVIDENCE, 0, 0, [], [], stats)


def summarise(ranked: Sequence[tuple[str, int]], N: int) -> tuple[str, list[str]]:
    """The label of a field from its values and counts (most common first) of N answers:
    the value at least half share (no tie), else "Mixed: A, B" with the most common values
    until they cover two thirds of N (at most three), or "Varied: k different answers" when
    three values cover less than a third; also the values shown."""
    top, k = ranked[0]
    tie = len(ranked) > 1 and ranked[1][1] == k
    if k / N >= MAJORITY and not tie:
        return top, [top]
    shown, covered = [], 0
    for x, c in ranked[:3]:
        shown.append(x)
        covered += c
        if covered >= MIXED_COVER * N:
            break
    if len(ranked) > 3 and covered < VARIED_BELOW * N:
        # 40 towns for 40 people: three of them would stand for nobody
        return f"Varied: {len(ranked)} different answers", []
    return (shown[0] if len(shown) == 1 else "Mixed: " + ", ".join(shown)), shown


def _job_noun(title: str) -> str | None:
    """The job noun a title ends with ("Senior staff nurse" -> "nurse"), if it is one."""
    words = re.findall(r"[^\W\d_]+", title.lower())
    return words[-1] if words and is_job(words[-1]) else None


def _by_job_noun(ranked: Sequence[tuple[str, int]], N: int) -> tuple[str, list[str]] | None:
    """Many different titles that share a job noun: "Nurse (3 job titles)" when the titles
    ending in it are at least half of the answers (each title is one member's own)."""
    groups: dict[str, list[tuple[str, int]]] = {}
    for title, c in ranked:
        noun = _job_noun(title)
        if noun:
            groups.setdefault(noun, []).append((title, c))
    if not groups:
        return None
    noun, titles = max(groups.items(), key=lambda g: (sum(c for _, c in g[1]), -len(g[0])))
    if len(titles) < 2 or sum(c for _, c in titles) < MAJORITY * N:
        return None
    return f"{noun.capitalize()} ({len(titles)} job titles)", [t for t, _ in titles]


def _from_observations(
    v: SegmentView,
    key: str,
    obs: Mapping[str, list[tuple[str, str | None]]],
    sources: list[str],
) -> Claim:
    """A field from each member's values (value, self-description unit or None).

    The label is the value at least half of the members who answered share; otherwise
    "Mixed: ..." with the most common values until they cover two thirds of them (at most
    three), and n counts members holding any of them.
    """
    from collections import Counter

    N = len(obs)
    counts: Counter[str] = Counter()
    for vals in obs.values():
        counts.update({x for x, _ in vals})
    ranked = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    label, shown = summarise(ranked, N)
    if key == "role" and not shown:  # "Varied" titles may still share their job noun
        label, shown = _by_job_noun(ranked, N) or (label, shown)
    # "Varied": every member who answered stands behind it
    rids = [
        r for r, vals in obs.items() if vals and (not shown or any(x in shown for x, _ in vals))
    ]
    said = [u for r in rids for x, u in obs[r] if u is not None and x in shown]
    from insight.personas.claims import respondent_units

    unit_ids = list(dict.fromkeys([*said, *respondent_units(v, rids)]))
    score = dict(v.centre)
    for u in said:
        score[u] = score.get(u, 0.0) + 10.0  # the participant's own words first
    # only a participant's own words about themselves are quoted: a column answer has no
    # statement behind it (its respondents' statements stay in unit_ids for `insight evidence`)
    quotes = v.ev.pick(said, MAX_CLAIM_QUOTES, score) if said else []
    stats = {
        "key": key,
        "field": key,
        "title": FIELDS[key],
        "value": label,
        "values": [{"value": x, "n": c} for x, c in ranked[:5]],
        "members": len(v.members),
        "source": "; ".join(sources),
        "evidence": "own words" if said and len(said) == len(rids) else "respondents",
        "shown": shown,
        "own_words": len(said),
        "respondent_ids": rids,
    }
    return Claim("profile", label, len(rids), N, unit_ids, quotes, stats)


def _column_field(v: SegmentView, key: str, reason: str) -> Claim:
    """role, age band, location or channels from the study's columns (and own words).

    One column speaks for the persona: the best-ranked one with answers, and among those
    the one whose value stands for most of them (a postcode area over 40 different towns).
    Channels: every
    stated answer counts (a member may name email and phone); a member who states none
    is read from the engagement columns (opens, logins ...), where a count of 0 is an
    answer without that channel.
    """
    src = v.study.template
    members = v.members
    obs: dict[str, list[tuple[str, str | None]]] = {}
    used: list[str] = []
    stated: set[str] = set()
    sources = src.columns.get(key, [])
    if key != "channels":
        sources = _best_column(v, sources)
    for cs in sorted(sources, key=lambda c: c.kind == "behaviour"):
        if cs.column not in v.resp:
            continue
        hit = False
        for rid, raw in v.resp[cs.column].reindex(members).items():
            if _missing(raw):
                continue
            rid = str(rid)
            got = cs.read(raw)
            if key != "channels" and (rid in obs or not got):
                continue  # unreadable ("Prefer not to say") or already answered
            if cs.kind == "behaviour" and rid in stated:
                continue  # what they say they prefer outranks what they happen to use
            if cs.kind != "behaviour" and not got:
                continue
            vals = obs.setdefault(rid, [])
            vals.extend((g, None) for g in got if (g, None) not in vals)
            hit = True
        if cs.kind != "behaviour":
            stated |= set(obs)
        if hit:
            used.append(cs.describe() + (" (engagement > 0)" if cs.kind == "behaviour" else ""))
    if key == "role":
        own = [r for r in members if r in src.self_roles and r not in obs]
        for rid in own:
            role, uid = src.self_roles[rid][0]
            obs[rid] = [(role, uid)]
        if own:
            n_of = f"{len(own)} of {len(members)} members"
            used.append(f"self-description in their own words ({n_of})")
    if not any(obs.values()):
        if key == "role" and src.self_roles and not src.columns.get(key):
            reason = (
                f"no job column, and none of this persona's {len(members)} members "
                "states their job in their own words"
            )
        if src.columns.get(key):
            cols = ", ".join(f'"{c.column}"' for c in src.columns[key])
            reason = f"none of this persona's {len(members)} members answered {cols}"
            if key == "channels" and obs:
                reason = f"none of this persona's {len(obs)} members with {cols} used a channel"
        return _no_evidence(key, reason)
    return _from_observations(v, key, obs, used)


def _missing(raw: Any) -> bool:
    """No answer: None, NaN, pandas' NA or blank text."""
    import pandas as pd

    try:
        return bool(pd.isna(raw)) or not str(raw).strip()
    except (TypeError, ValueError):  # a list-like cell
        return False


def _best_column(v: SegmentView, sources: list[ColumnSource]) -> list[ColumnSource]:
    """The one column (as a list; none when no member answered) that fills a field."""
    from collections import Counter

    best: tuple[int, float] | None = None
    pick: list[ColumnSource] = []
    for cs in sources:
        if cs.column not in v.resp:
            continue
        counts: Counter[str] = Counter()
        N = 0
        for raw in v.resp[cs.column].reindex(v.members):
            got = [] if _missing(raw) else cs.read(raw)
            if got:
                N += 1
                counts.update(set(got))
        if not N:
            continue
        ranked = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        _label, shown = summarise(ranked, N)
        cover = sum(c for x, c in ranked if x in shown) / N
        if best is None or (-cs.rank, cover) > best:
            best, pick = (-cs.rank, cover), [cs]
    return pick


#: words that place a statement in a situation: while, every time, at work, mid-morning ...
SITUATION = re.compile(
    r"\b(whenever|while|during|every (time|day|morning|evening|week|month|shift|single)|"
    r"each time|at work|at home|in the (morning|evening|afternoon|office|shop|kitchen|field)|"
    r"on (mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|weekends?|"
    r"the go|site|shift)|mid-?morning|lunchtime|at lunch|rush|peak|busy|at night|in service|"
    r"first thing|after (work|hours)|before (work|opening|closing)|most days|usually|"
    r"typically|every so often|each (day|week|morning))\b",
    re.I,
)
#: "when I/we/they ..." places a person in a moment but counts for less than the cues above;
#: another "when" states a condition ("a rip-off when it takes five minutes to fit",
#: "when compared with the table") and is no situation
_WHEN = re.compile(
    r"\bwhen (i|i'm|we|we're|you|you're|they|my|our|the staff|staff|customers?|people)\b", re.I
)


def situation_score(text: str) -> float:
    """How clearly ``text`` says when or where something happens: 2 per situational cue
    (at most 2 counted), 1 for "when I/we/they ..."; 0 for none."""
    strong = min(len(SITUATION.findall(text)), 2)
    return 2.0 * strong + (1.0 if _WHEN.search(text) else 0.0)


def _scenario(
    v: SegmentView, quotes: Sequence[Quote], pains: list[Claim], goals: list[Claim]
) -> Claim:
    """The persona's most typical situation on its top pain (else goal): among the claim's
    units and the persona's representative quotes on it, the one that says most clearly when
    or where it happens (a representative quote counts one cue more; typicality breaks ties)."""
    tied = [c for c in (pains[:1] + goals[:1]) if c.unit_ids]
    if not tied:
        return _no_evidence("scenario", "no pain point or goal to tie a situation to")
    text = v.ev.by_id[S.TEXT]
    for c in tied:
        words = set().union(*(_stems(t) for t in [c.label, *c.stats.get("terms", [])]))
        own = set(c.unit_ids)
        score: dict[str, float] = {}
        for u in c.unit_ids:
            if u in text.index and (sc := situation_score(str(text[u]))):
                score[u] = sc + v.centre.get(u, 0.0)
        for q in quotes:
            sc = situation_score(q.text)
            if sc and (q.unit_id in own or _stems(q.text) & words):
                score[q.unit_id] = sc + 2.0 + v.centre.get(q.unit_id, 0.0)
        if not score:
            continue
        ranked = sorted(score, key=lambda u: -score[u])
        got = v.ev.pick(ranked, 1, score)
        if not got:
            continue
        pick = got[0]
        ids = list(dict.fromkeys([pick.unit_id, *(u for u in c.unit_ids if u in score)]))
        rids = sorted({str(v.ev.by_id.at[u, S.RESPONDENT_ID]) for u in ids})
        stats = {
            "key": "scenario",
            "field": "scenario",
            "title": FIELDS["scenario"],
            "value": pick.text,
            "claim_id": c.id,
            "tied_label": c.label,
            "tied_kind": c.kind,
            "members": len(v.members),
            "source": f"{'pain point' if c.kind == 'pain_point' else 'goal'} “{c.label}”: "
            "statements that say when or where it happens",
            "respondent_ids": rids,
        }
        return Claim("profile", pick.text, len(rids), max(v.n_text, 1), ids, [pick], stats)
    return _no_evidence(
        "scenario",
        "no statement on its top pain point or goal says when or where it happens",
    )


def _from_claims(v: SegmentView, key: str, claims: list[Claim], reason: str) -> Claim:
    """Goals or challenges: the persona's top goal or pain claims, reused as they are."""
    top = [c for c in claims if c.unit_ids][:3]
    if not top:
        return _no_evidence(key, reason)
    ids = list(dict.fromkeys(u for c in top for u in c.unit_ids))
    known = [u for u in ids if u in v.mine.index]
    rids = sorted(set(v.mine.loc[known, S.RESPONDENT_ID].astype(str)))
    quotes = [c.quotes[0] for c in top if c.quotes]
    stats = {
        "key": key,
        "field": key,
        "title": FIELDS[key],
        "value": " · ".join(c.label for c in top),
        "items": [{"claim_id": c.id, "label": c.label, "n": c.n, "N": c.N} for c in top],
        "members": len(v.members),
        "source": f"the persona's top {'pain point' if key == 'challenges' else 'goal'} claims",
        "respondent_ids": rids,
    }
    label = " · ".join(c.label for c in top)
    return Claim("profile", label, len(rids), top[0].N, ids, quotes, stats)


def profile_fields(
    v: SegmentView, quotes: Sequence[Quote], pains: list[Claim], goals: list[Claim]
) -> list[Claim]:
    """Every template field of one persona, in :data:`FIELDS` order (claim ids unset)."""
    have_text = v.n_text > 0
    fields = [
        _column_field(
            v,
            "role",
            "no job, role or occupation column, and no participant states their job",
        ),
        _column_field(v, "age_band", "no age, age-band or year-of-birth column"),
        _column_field(v, "location", "no country, region, city or postcode column"),
        _column_field(
            v,
            "channels",
            "no contact-preference answer and no channel behaviour column "
            "(email opens, app logins, website visits ...)",
        ),
        _scenario(v, quotes, pains, goals)
        if have_text
        else _no_evidence("scenario", "no statements from this persona"),
        _from_claims(v, "goals", goals, "no goal or wish stated by this persona's members"),
        _from_claims(v, "challenges", pains, "no pain point found in this persona's statements"),
    ]
    for c in fields:
        c.id = f"{v.pid}.profile.{c.stats['field']}"
    return fields
