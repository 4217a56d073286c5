"""Word rules of the persona template: recognising an age band, a job, a channel or a
place in an answer, and a participant's explicit self-description of their job ("I'm a
nurse", "for me as a statistician"). Split out of :mod:`insight.personas.template`.
"""

from __future__ import annotations

import re
from typing import Any

from insight.patterns import whole_words

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
