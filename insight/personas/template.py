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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.patterns import whole_words
from insight.personas.model import MAX_CLAIM_QUOTES, Claim, Quote
from insight.personas.words import _stems

if TYPE_CHECKING:
    import pandas as pd

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

# --- header words ----------------------------------------------------------------------
_AGE_HEAD = whole_words(
    r"age|ages|aged|age group|age band|age range|how old|year of birth|birth ?year|"
    r"born|date of birth|dob",
)
_AGE_NOT = re.compile(
    r"\bage of (the |your )?(business|company|firm|organi[sz]ation|machine|equipment|device|"
    r"car|vehicle|home|house|property|building|account|child|children|kids?|product|system)|"
    r"\b(machine|business|company|vehicle|equipment|account|device|system|data|page) age\b|"
    r"how old is (the|your) (?!age)",
    re.I,
)
_BIRTH_HEAD = re.compile(r"year of birth|birth ?year|\bborn\b|date of birth|\bdob\b", re.I)
_ROLE_HEAD = whole_words(
    r"job|job title|role|occupation|profession|position|department|line of work|"
    r"what do you do|work as|job function|your title|specialty|speciality",
)
#: "What role does coffee play in your business?" asks about a thing, not the respondent
_ROLE_NOT = re.compile(
    r"\brole (does|do|did|will|would|should|can|could|of)\b|\bplays?\b|"
    r"position (of|on) the\b|\b(business|company|organi[sz]ation)'?s? role",
    re.I,
)
#: the header asks for the job itself (outranks a department or a specialty column)
_JOB_HEAD = whole_words(r"job|title|occupation|profession|role|what do you do|work as")
_LOC_HEAD = whole_words(
    r"country|region|city|town|state|province|county|location|postcode|post code|"
    r"postal code|zip|zip code|where (are|do) you (live|based|located)|based in|"
    r"where .{0,20}(located|based)",
)
_LOC_NOT = re.compile(r"latitude|longitude|coordinates|\bip\b|ip ?address|language", re.I)
_POSTCODE_HEAD = re.compile(r"postcode|post code|postal code|\bzip\b|zip ?code", re.I)
_CHANNEL_HEAD = re.compile(
    r"(prefer|preferred|best way|like us to|want us to|would you like).{0,50}"
    r"(contact|reach|hear|communicat|get in touch|updates?|notif|news)|"
    r"\bchannels?\b|contact (method|preference)|communication preference|"
    r"how (should|can|do) we (contact|reach)",
    re.I,
)
_CHANNEL_NOT = re.compile(
    r"hear about|heard (about|of)|find (out )?(about )?us|found us|\breferr|distribution|"
    r"where did you|first learn",
    re.I,
)
_ENGAGEMENT = re.compile(
    r"opens?|opened|clicks?|clicked|log-?ins?|logged|sessions?|visits?|views?|calls?|"
    r"messages?|chats?|replies|responses|engagement|active (days|users?)|usage|uses",
    re.I,
)

# --- value words -----------------------------------------------------------------------
#: channel words (lower case, whole words) -> the channel's display name
_CHANNEL_WORDS = {
    "email": "Email",
    "e-mail": "Email",
    "newsletter": "Email",
    "phone": "Phone",
    "telephone": "Phone",
    "call": "Phone",
    "calls": "Phone",
    "sms": "SMS / text",
    "text": "SMS / text",
    "texts": "SMS / text",
    "whatsapp": "WhatsApp",
    "post": "Post",
    "letter": "Post",
    "mail": "Post",
    "in person": "In person",
    "face to face": "In person",
    "in-person": "In person",
    "store": "In person",
    "shop": "In person",
    "branch": "In person",
    "app": "App",
    "mobile app": "App",
    "push": "App",
    "website": "Website",
    "web": "Website",
    "online": "Website",
    "portal": "Website",
    "chat": "Live chat",
    "live chat": "Live chat",
    "social media": "Social media",
    "facebook": "Social media",
    "instagram": "Social media",
    "linkedin": "Social media",
    "twitter": "Social media",
    "x": "Social media",
    "tiktok": "Social media",
    "video call": "Video call",
    "zoom": "Video call",
    "teams": "Video call",
}
_CHANNEL_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted((re.escape(w) for w in _CHANNEL_WORDS if w != "x"), key=len, reverse=True))
    + r")(?![\w-])",
    re.I,
)
#: head nouns of jobs (the last word of a self-description or of a role answer)
JOB_HEADS = frozenset(
    """
    accountant actor actress actuary admin administrator adviser advisor agent analyst
    animator apprentice architect artist assistant associate attorney auditor author baker
    banker barber barista bartender biologist blogger bookkeeper buyer caregiver carer
    caretaker carpenter cashier ceo cfo chef chemist childminder choreographer cleaner clerk
    clinician coach comedian composer consultant contractor coo cook coordinator copywriter
    counsellor counselor cto curator dancer decorator dentist designer developer dietitian
    director dj doctor driver economist editor educator electrician engineer entrepreneur
    epidemiologist executive facilitator farmer fellow filmmaker firefighter florist founder
    freelancer gardener geographer geologist guard hairdresser head historian housekeeper
    illustrator influencer instructor intern investigator janitor jeweller journalist lawyer
    lead lecturer librarian manager marketer mathematician mechanic meteorologist midwife
    modeler modeller musician nanny novelist nurse officer operator optician owner painter
    paralegal paramedic partner pharmacist photographer physician physicist physio
    physiotherapist pilot planner playwright plumber podcaster poet police policeman porter
    postdoc potter practitioner president principal producer professor programmer
    psychologist publisher radiographer receptionist recruiter representative researcher
    retailer salesman salesperson saleswoman scientist screenwriter scriptwriter sculptor
    secretary server shopkeeper singer solicitor songwriter specialist statistician
    strategist streamer student stylist supervisor surgeon tailor teacher technician
    technologist tester therapist trader trainee translator tutor underwriter vet
    veterinarian volunteer waiter waitress writer youtuber
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_JOB_SUFFIX = re.compile(r"(olog(ist|er)|ician)$")
_NOT_JOB = frozenset({"user", "expert", "person", "customer", "fan", "beginner", "novice"})
#: a first-person statement of one's job: "I'm a nurse", "I work as a ...", "me as a ..."
_SELF = re.compile(
    r"\b(?P<verb>i'?m|i am|i work as|i've worked as|i have worked as|i'm working as|"
    r"i am working as|my (?:job|role|title|position|profession) is|(?:me|i) as|"
    r"(?:^|[.!?]\s+)as(?=\s+(?:an?|the)\s+[a-z][a-z/ -]{1,60},\s*(?:i|i'm|we|my)\b))"
    r"\s+(?:(?:also|primarily|mostly|mainly|currently|now|basically|essentially|actually|"
    r"really|just|still)\s+)?(?P<art>an?\s+|the\s+)?(?P<np>[^\W\d_](?:[^\W\d_]|[/ '’-]){1,60})",
    re.I,
)
#: "the head of marketing" keeps its "of"; "the sole driver of decisions" is no job
_OF_HEADS = frozenset({"head", "director", "chief", "president", "manager", "lead", "editor"})
#: words before a self-description that make the identity hypothetical or past ("if I
#: were a nurse", "say I am a researcher", "I used to be a teacher"); a modal or a
#: negation about something else ("it might not be useful for me as a statistician") is
#: no hedge of who they are
_HEDGE = whole_words(
    r"if|suppose|supposing|imagine|imagining|pretend|pretending|say|seems?|used to|"
    r"former|formerly|ex|wanted to be|want to be|wish|pretend",
)
_NP_STOP = re.compile(
    r"\s(?:at|in|for|with|from|of|on|and|but|so|who|which|that|by|since|to|here|there|as|"
    r"now|because|myself|and)\b.*$",
    re.I,
)
_COUNTRIES = frozenset(
    [
        "uk",
        "gb",
        "usa",
        "us",
        "america",
        "canada",
        "ireland",
        "france",
        "germany",
        "spain",
        "italy",
        "portugal",
        "netherlands",
        "belgium",
        "switzerland",
        "austria",
        "sweden",
        "norway",
        "denmark",
        "finland",
        "poland",
        "greece",
        "india",
        "china",
        "japan",
        "australia",
        "brazil",
        "mexico",
        "argentina",
        "nigeria",
        "kenya",
        "egypt",
        "singapore",
        "scotland",
        "wales",
        "england",
        "turkey",
        "israel",
        "pakistan",
        "bangladesh",
        "indonesia",
        "philippines",
        "vietnam",
        "korea",
    ]
) | frozenset(
    {
        "united kingdom",
        "united states",
        "great britain",
        "northern ireland",
        "new zealand",
        "south africa",
        "south korea",
        "czech republic",
    }
)
_AGE_BAND = re.compile(
    r"^\s*(?:(?P<lo>\d{1,2})\s*(?:-|–|—|to)\s*(?P<hi>\d{1,2})|(?P<plus>\d{2})\s*(?:\+|"
    r"(?:years )?(?:and|or) (?:over|older|above))|(?:under|below|younger than|less than)\s*"
    r"(?P<under>\d{2}))\s*(?:years?( old)?|yrs)?\s*$",
    re.I,
)
_STANDARD_BANDS = ((18, "Under 18"), (25, "18-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"))
_UK_POSTCODE = re.compile(r"^\s*([A-Z]{1,2})\d[A-Z\d]?\s*(\d[A-Z]{2})?\s*$", re.I)
_ZIP = re.compile(r"^\s*(\d{3})\d{2}(-\d{4})?\s*$")


def age_band(value: Any, reference_year: int | None = None, birth: bool = False) -> str | None:
    """An age band from an answer: a number of years (``34`` -> ``"25-34"``), a band as
    written (``"25 to 34"`` -> ``"25-34"``, ``"65 or over"`` -> ``"65+"``) or, with
    ``birth``, a year of birth (the age at ``reference_year``, or the decade born)."""
    text = str(value).strip()
    m = _AGE_BAND.match(text)
    if m:
        if m["lo"]:
            lo, hi = int(m["lo"]), int(m["hi"])
            return f"{lo}-{hi}" if 10 <= lo < hi <= 99 else None
        if m["plus"]:
            return f"{int(m['plus'])}+"
        return f"Under {int(m['under'])}"
    try:
        num = float(text)
    except ValueError:
        return None
    if birth:
        if not 1900 <= num <= 2020:
            return None
        if reference_year is None:
            return f"born in the {int(num) // 10 * 10}s"
        num = reference_year - num
    if not (num == int(num) and 10 <= num <= 110):
        return None
    for upper, band in _STANDARD_BANDS:
        if num < upper:
            return band
    return "55-64" if num < 65 else "65+"


def is_job(words: str) -> bool:
    """True when the last word of ``words`` (or of any ``/`` alternative) names a job."""
    for part in str(words).lower().split("/"):
        toks = re.findall(r"[a-z]+", part)
        if not toks or toks[-1] in _NOT_JOB:
            continue
        if toks[-1] in JOB_HEADS or _JOB_SUFFIX.search(toks[-1]):
            return True
    return False


def self_described_role(text: str) -> str | None:
    """The job a participant states of themselves, only when it is explicit and literal.

    "I'm a freelance illustrator" -> "Freelance illustrator"; "I'm the office manager at an
    insurance firm" -> "Office manager"; "If I was looking at this as a modeller" and
    "I'm not a nurse" -> None.
    """
    for m in _SELF.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        before = re.split(r"[.;:!?]|\b(?:and|but|so|because)\b", before)[-1]
        if _HEDGE.search(before) or re.search(r"\bnot\b", m["verb"], re.I):
            continue
        if m["verb"].lower().endswith(" as") and not (m["art"] or "").lower().startswith("a"):
            continue  # "replace me as her writer", "see it as the ..." are no self-descriptions
        raw = " " + m["np"].strip()
        cut = _NP_STOP.search(raw)
        np = raw[: cut.start()] if cut else raw
        np = re.split(r"\s+(?:and|but)\s+|[,;]", np.strip(" -/"))[0].strip()
        words = np.split()
        if (
            not words
            or len(words) > 4
            or re.match(r"^(not|no|bit|little|very|her|his|their|our|my|your)\b", np, re.I)
            or words[0].lower().endswith("ing")  # "I'm playing supervisor"
        ):
            continue
        if cut and cut.group(0).strip().lower().startswith("of "):
            if words[-1].lower() not in _OF_HEADS:
                continue  # "the sole driver of creative decisions"
            tail = re.split(r"[,.;:!?]|\s(?:and|but|who|which|that|at|in|for)\b", cut.group(0))
            np = f"{np} {' '.join(tail[0].split()[:4])}"
        if is_job(np) or (cut and words[-1].lower() in _OF_HEADS):
            return np[0].upper() + np[1:].lower()
    return None


def channel_of(text: Any) -> list[str]:
    """The channels named in an answer ("Email or phone" -> ["Email", "Phone"])."""
    found = []
    for m in _CHANNEL_RE.finditer(str(text)):
        name = _CHANNEL_WORDS[m.group(1).lower()]
        if name not in found:
            found.append(name)
    return found


def _location_value(value: Any, postcode: bool) -> str | None:
    text = " ".join(str(value).split())
    if not text:
        return None
    if postcode:
        m = _UK_POSTCODE.match(text)
        if m:
            return f"{m.group(1).upper()} postcode area"
        m = _ZIP.match(text)
        return f"ZIP {m.group(1)}xx" if m else None
    if re.fullmatch(r"[-\d.,\s]+", text) or len(text.split()) > 6:
        return None
    return text


# --- study-wide sources ----------------------------------------------------------------
@dataclass(frozen=True)
class ColumnSource:
    """One respondent column that fills a template field, and how to read its values."""

    field: str
    column: str
    question: str
    read: Callable[[Any], list[str]]
    kind: str = "answer"  # "answer", or "behaviour" (a channel's engagement count)
    rank: int = 0  # among a field's columns, the lowest rank speaks first

    def describe(self) -> str:
        q = f" ({self.question})" if self.question and self.question != self.column else ""
        return f'column "{self.column}"{q}'


@dataclass(frozen=True)
class TemplateSources:
    """Where a study's data can fill each template field (found once per study)."""

    columns: Mapping[str, list[ColumnSource]] = field(default_factory=dict)
    #: respondent_id -> [(role in their own words, unit_id)]
    self_roles: Mapping[str, list[tuple[str, str]]] = field(default_factory=dict)


def _answers(resp: pd.DataFrame, col: str) -> list[str]:
    vals = resp[col].dropna().astype(str).str.strip()
    return [v for v in vals if v and v.lower() not in ("nan", "none")]


def _share(values: Sequence[str], test: Callable[[str], Any]) -> float:
    return sum(1 for v in values if test(v)) / len(values) if values else 0.0


def _is_number(v: str) -> bool:
    return bool(re.fullmatch(r"\s*-?\d+(\.\d+)?\s*", v))


def _reference_year(resp: pd.DataFrame) -> int | None:
    import pandas as pd

    if S.DATE not in resp:
        return None
    years = pd.to_datetime(resp[S.DATE], errors="coerce").dt.year.dropna()
    return int(years.median()) if len(years) else None


def _column_source(
    name: str, question: str, role: str, values: list[str], ref: int | None
) -> ColumnSource | None:
    """The template field a column fills (header words and values agree), or None."""
    text = f"{name} {question}"
    short = _share(values, lambda v: len(v.split()) <= 6 and not _is_number(v))
    # age: a header about age and answers that are ages, bands or years of birth
    if _AGE_HEAD.search(text) and not _AGE_NOT.search(text):
        birth = bool(_BIRTH_HEAD.search(text))

        def read_age(v: Any) -> list[str]:
            band = age_band(v, ref, birth)
            return [band] if band else []

        if _share(values, read_age) >= 0.8:
            return ColumnSource("age_band", name, question, read_age)
    elif _share(values, lambda v: bool(_AGE_BAND.match(v))) >= 0.9 and _looks_like_age_bands(
        values
    ):
        return ColumnSource("age_band", name, question, lambda v: [b] if (b := age_band(v)) else [])
    # preferred channel: a question about contact preference, or answers that are channels
    if not _CHANNEL_NOT.search(text):
        chan_head = bool(_CHANNEL_HEAD.search(text))
        if role == S.ROLE_BEHAVIOUR or _share(values, _is_number) >= 0.95:
            names = channel_of(text)
            if names and _ENGAGEMENT.search(text) and len(names) == 1:
                ch = names[0]
                return ColumnSource(
                    "channels",
                    name,
                    question,
                    _when_positive([ch]),
                    "behaviour",
                )
            if chan_head and ":" in name:  # a multi-select choice ("Contact: Email") as 0/1
                names = channel_of(name.rsplit(":", 1)[1])
                if names:
                    return ColumnSource("channels", name, question, _when_positive(names))
        elif (chan_head and _share(values, channel_of) >= 0.5) or (
            _share(values, lambda v: channel_of(v) and len(v.split()) <= 3) >= 0.9
        ):
            return ColumnSource("channels", name, question, channel_of)
    # location: a header about place with short place-like answers, or country names
    if _LOC_HEAD.search(text) and not _LOC_NOT.search(text):
        postcode = bool(_POSTCODE_HEAD.search(text))

        def read_loc(v: Any, pc: bool = postcode) -> list[str]:
            loc = _location_value(v, pc)
            return [loc] if loc else []

        if _share(values, read_loc) >= 0.8:
            return ColumnSource("location", name, question, read_loc)
    elif _share(values, lambda v: v.lower().strip(". ") in _COUNTRIES) >= 0.6:
        return ColumnSource("location", name, question, _as_written)
    # role: a header about job with short answers, or answers that are jobs
    jobs = _share(values, is_job)
    role_head = bool(_ROLE_HEAD.search(text)) and not _ROLE_NOT.search(text)
    if short >= 0.8 and (role_head or jobs >= 0.6):
        rank = 0 if role_head and _JOB_HEAD.search(text) else (1 if jobs >= 0.6 else 2)
        return ColumnSource("role", name, question, _as_written, rank=rank)
    return None


def _as_written(v: Any) -> list[str]:
    text = " ".join(str(v).split())
    return [text] if text else []


def _looks_like_age_bands(values: Iterable[str]) -> bool:
    """Bands such as 18-24 / 25-34 (not company sizes such as 11-50 / 51-200)."""
    lows = set()
    for v in set(values):
        m = _AGE_BAND.match(v)
        if m is None:
            return False
        if m["lo"]:
            lows.add(int(m["lo"]))
    typical = {16, 18, 21, 25, 30, 35, 40, 45, 50, 55, 60, 65}
    return len(lows) >= 2 and len(lows & typical) >= 2 and min(lows) >= 16


def _when_positive(names: list[str]) -> Callable[[Any], list[str]]:
    """A reader of a count or 0/1 column: ``names`` when the value is above 0."""

    def read(v: Any) -> list[str]:
        return list(names) if _positive(v) else []

    return read


def _positive(v: Any) -> bool:
    try:
        return float(v) > 0
    except (TypeError, ValueError):
        return False


#: column roles that never fill a template field (platform metadata such as
#: DistributionChannel or LocationLatitude, written answers, ids)
_SKIP_ROLES = {S.ROLE_ID, S.ROLE_TEXT, S.ROLE_METADATA, S.ROLE_IGNORE, S.ROLE_DATE}


def study_sources(resp: pd.DataFrame, cols: pd.DataFrame, units: pd.DataFrame) -> TemplateSources:
    """The columns that fill each field, and every participant's explicit self-description.

    Args:
        resp: respondents indexed by respondent_id (one column per kept survey column).
        cols: the study's ``columns`` table (column, role, question).
        units: the customer units (respondent_id, text), indexed by unit_id.
    """
    found: dict[str, list[ColumnSource]] = {}
    if len(cols) and S.COL_NAME in cols and len(resp):
        ref = _reference_year(resp)
        seen: set[str] = set()
        for _, r in cols.iterrows():
            name, role = str(r[S.COL_NAME]), str(r.get(S.COL_ROLE))
            if name in seen or role in _SKIP_ROLES or name not in resp.columns:
                continue
            seen.add(name)
            q = r.get(S.COL_QUESTION)
            question = str(q) if q is not None and str(q) not in ("", "nan", "None") else name
            values = _answers(resp, name)
            if not values:
                continue
            src = _column_source(name, question, role, values, ref)
            if src is not None:
                found.setdefault(src.field, []).append(src)
    for sources in found.values():
        sources.sort(key=lambda c: c.rank)
    roles: dict[str, list[tuple[str, str]]] = {}
    if len(units):
        for uid, rid, text in zip(
            units.index, units[S.RESPONDENT_ID], units[S.TEXT].astype(str), strict=False
        ):
            if not _SELF.search(text):
                continue
            said = self_described_role(text)
            if said:
                roles.setdefault(str(rid), []).append((said, str(uid)))
    return TemplateSources(columns=found, self_roles=roles)


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
