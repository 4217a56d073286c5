"""Personal data out of everything shown to people.

Units keep the verbatim text (in ``study.duckdb`` and ``units.parquet``); what is *displayed*
- the report, personas.json/.md, the CSV exports, topic labels, vocabulary examples and the
``insight evidence`` answers - goes through :func:`redact`, which replaces

* e-mail addresses                                     -> ``[EMAIL]``
* payment card numbers (13-19 digits, Luhn-valid)      -> ``[CARD]``
* NHS numbers (10 digits, modulus-11 check digit)      -> ``[NHS_NUMBER]``
* phone numbers (UK, US, international ``+`` forms)    -> ``[PHONE]``
* street addresses ("12 Acacia Avenue", "Flat 3, ...")  -> ``[ADDRESS]``
* UK postcodes and US ZIP codes (after a state or "zip") -> ``[POSTCODE]`` / ``[ZIP]``
* person names (spaCy NER ``PERSON``, titles such as "Mrs Patel", "my name is ...")
  -> ``[NAME]``

The placeholders are the ones :data:`insight.nlp.PII_TOKEN_RE` recognises, so no later stage
takes them for words. Redaction is on by default; ``insight run --no-redact`` (or
``with redaction(False): ...``) turns it off for one run.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

#: Whether :func:`redact` masks anything (``insight run --no-redact`` sets it to False).
_ENABLED: ContextVar[bool] = ContextVar("insight_redact", default=True)


@contextlib.contextmanager
def redaction(enabled: bool = True) -> Iterator[None]:
    """Turn redaction on or off for the code inside the ``with`` block."""
    token = _ENABLED.set(bool(enabled))
    try:
        yield
    finally:
        _ENABLED.reset(token)


def redaction_enabled() -> bool:
    return _ENABLED.get()


# --- checksums ------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def nhs_number_valid(digits: str) -> bool:
    """The modulus-11 check digit of a 10-digit NHS number."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# --- patterns -------------------------------------------------------------------------

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# 13-19 digits in groups separated by single spaces or dashes.
_CARD = re.compile(r"(?<![\w.,])\d(?:[ -]?\d){12,18}(?![\w]|[.,]\d)")
# 10 digits: 3-3-4 grouped or contiguous.
_NHS = re.compile(r"(?<![\w.,])(?:\d{3}[ -]?\d{3}[ -]?\d{4})(?![\w]|[.,]\d)")
# "+44 7700 900123", "+1 212 555 0199", "+353 1 555 0142": masked before the NHS check, so a
# national number that happens to pass modulus 11 is still a phone.
_PHONE_INTL = re.compile(
    r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(0\)\s?)?\(?\d{1,5}\)?(?:[\s.-]?\d{2,5}){1,4}(?![\w]|[.,]\d)"
)
_PHONE = re.compile(
    r"(?<![\w£$€.,/])(?:\+\d{1,3}[\s.-]?(?:\(0\)\s?)?)?(?:\(?\d{2,5}\)?[\s.-]?)?"
    r"\d{3,5}[\s.-]?\d{3,4}(?:[\s.-]?\d{2,4})?(?![\w£$€%/]|[.,]\d)"
)
_STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|lane|ln|drive|dr|close|court|ct|way|place|pl|crescent|"
    r"boulevard|blvd|terrace|gardens|grove|square|sq|mews|row|hill|parade|walk|highway|hwy|"
    r"parkway|pkwy|view|rise|circle|cir|trail|broadway"
)
_CAP_WORD = r"(?:[A-Z][\w'’-]*|[A-Z]\.?)"
_FLAT = r"(?:(?:flat|apt\.?|apartment|unit|suite)\s*\d+[A-Za-z]?,?\s+)"
# "12 Acacia Avenue", "Flat 3, 22b Mill Lane", "1600 Pennsylvania Ave NW" (street names
# capitalised, the street type in any case).
_ADDRESS = re.compile(
    rf"(?i:{_FLAT})?\b\d{{1,5}}[A-Za-z]?,?\s+(?:{_CAP_WORD}\s+){{1,3}}"
    rf"(?i:{_STREET_TYPES})\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
)
# "I live at 12 mill lane" / "I live on Elm Street": any case after a cue (group 1 is kept).
_ADDRESS_CUED = re.compile(
    r"(?i)(\b(?:live|lives|lived|living|moved|address|based|located|deliver|delivered|"
    r"send it|sent it|posted it)\s(?:on|at|in|to|is|:)\s)"
    rf"((?:{_FLAT})?(?:\d{{1,5}}[a-z]?,?\s+)?(?:[a-z][\w'’-]*\s+){{1,3}}(?:{_STREET_TYPES})\b\.?)"
)
# "the surgery on Chapel Street": a capitalised street name (full street type) after on/at/...
_STREET_NAME = re.compile(
    r"(\b(?:on|at|in|to|from|near|off|along) )"
    r"((?:[A-Z][a-z'’-]+\s+){1,2}(?:Street|Road|Avenue|Lane|Drive|Close|Crescent|Gardens|"
    r"Grove|Terrace|Mews|Boulevard|Parade)\b)"
)
_PO_BOX = re.compile(r"(?i)\bP\.?\s?O\.?\s?Box\s+\d+\b")
_UK_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|"
    "NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
# A ZIP code after a state code ("DC 20500") or after "zip"/"zip code" (group 1 is kept).
_ZIP = re.compile(
    rf"(\b(?:{_US_STATES}),?\s{{1,2}}|(?i:\bzip(?:\s?code)?(?:\s?:|\s+is)?\s))\d{{5}}(?:-\d{{4}})?\b"
)
_TITLE_NAME = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Nurse|Doctor|Sister)\.?\s+"
    r"(?:[A-Z][a-z'’-]+|[A-Z]\.)(?:\s+[A-Z][a-z'’-]+)?"
)
# "my name is Sam", "spoke to Sarah Jones" (group 1, the cue, is kept).
_CUED_NAME = re.compile(
    r"(\b(?i:my name is|name's|i am called|i'm called|call me|ask for|spoke to|speak to|"
    r"spoke with|talked to|dealt with|served by|seen by|named|called|thank you|thanks|"
    r"my (?:daughter|son|husband|wife|partner|mum|mother|dad|father|brother|sister|carer|"
    r"friend|neighbour|grandson|granddaughter|nan|grandma|grandad|boyfriend|girlfriend)) )"
    r"([A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)"
)


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit())


def _sub_card(m: re.Match[str]) -> str:
    return "[CARD]" if luhn_valid(_digits(m.group())) else m.group()


def _sub_nhs(m: re.Match[str]) -> str:
    return "[NHS_NUMBER]" if nhs_number_valid(_digits(m.group())) else m.group()


def _sub_phone(m: re.Match[str]) -> str:
    s = m.group()
    n = len(_digits(s))
    if n > 15 or n < 7:
        return s
    grouped = bool(re.search(r"[\s.()-]", s.strip()))
    # A bare run of digits is a phone only when it dials like one (10+ digits, or a leading
    # 0 or +); "order 123456" and "1000000" stay.
    if not grouped and not s.startswith(("0", "+")) and n < 10:
        return s
    if grouped and n < 9 and not re.fullmatch(r"\d{3}[-.]\d{4}", s):
        return s
    return "[PHONE]"


def _cued_name(m: re.Match[str]) -> str:
    # "spoke to Sarah" yes; "spoke to Reception", "called NHS 111" no.
    words = m.group(2).split()
    if words[0].lower() in _NOT_NAMES:
        return m.group()
    if len(words) > 1 and words[1].lower() in _NOT_NAMES:
        return m.group(1) + "[NAME] " + words[1]
    return m.group(1) + "[NAME]"


# Capitalised words after "called"/"spoke to" that are no names.
_NOT_NAMES = frozenset(
    {
        *("i", "the", "a", "an", "my", "our", "your", "their", "his", "her", "it", "them"),
        *("him", "us", "me", "reception", "customer", "services", "support", "someone"),
        *("somebody", "anyone", "nobody", "everyone", "again", "back", "today", "yesterday"),
        *("later", "nhs", "gp", "doctor", "nurse", "manager", "staff", "team", "and", "but"),
        *("because", "when", "on", "at", "in", "for", "about", "after", "before", "twice"),
        *("all", "so", "very", "to", "everybody", "guys", "ward", "you", "again", "much"),
    }
)


def redact_patterns(text: str) -> str:
    """``text`` with the pattern-based PII (everything but names found by NER) masked."""
    out = _EMAIL.sub("[EMAIL]", text)
    out = _CARD.sub(_sub_card, out)
    out = _PHONE_INTL.sub(_sub_phone, out)
    out = _NHS.sub(_sub_nhs, out)
    out = _PHONE.sub(_sub_phone, out)
    out = _PO_BOX.sub("[ADDRESS]", out)
    out = _ADDRESS.sub("[ADDRESS]", out)
    out = _ADDRESS_CUED.sub(r"\1[ADDRESS]", out)
    out = _STREET_NAME.sub(r"\1[ADDRESS]", out)
    out = _UK_POSTCODE.sub("[POSTCODE]", out)
    out = _ZIP.sub(r"\1[ZIP]", out)
    out = _TITLE_NAME.sub("[NAME]", out)
    out = _CUED_NAME.sub(_cued_name, out)
    return out


# --- names (spaCy NER) ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _ner() -> Any:
    from insight.nlp import load_spacy

    # The NER (with its token-to-vector layer); the lemmatizer's word lists are read too.
    return load_spacy(disable=("parser", "senter"))


_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """Lower-case first names (US census 1990 lists shipped by the ``names`` package)."""
    try:
        import names as census
    except ImportError:  # pragma: no cover - a declared dependency; NER still runs without it
        return frozenset()
    from pathlib import Path

    folder = Path(census.__file__).parent
    out: set[str] = set()
    for f in ("dist.female.first", "dist.male.first"):
        path = folder / f
        if path.is_file():
            out.update(line.split()[0].lower() for line in path.read_text().splitlines() if line)
    return frozenset(out)


@lru_cache(maxsize=1)
def _last_names() -> frozenset[str]:
    """Lower-case surnames (US census 1990, 88,799 names, from the ``names`` package)."""
    try:
        import names as census
    except ImportError:  # pragma: no cover - a declared dependency
        return frozenset()
    from pathlib import Path

    path = Path(census.__file__).parent / "dist.all.last"
    if not path.is_file():  # pragma: no cover
        return frozenset()
    return frozenset(
        line.split()[0].lower() for line in path.read_text().splitlines() if line.strip()
    )


def _known_name_word(word: str) -> bool:
    w = word.lower()
    return w in _first_names() or w in _last_names()


@lru_cache(maxsize=1)
def _english_words() -> frozenset[str]:
    """Lower-case English words (the WordNet lemma index inside the spaCy model's lemmatizer)."""
    nlp = _ner()
    words: set[str] = set()
    if "lemmatizer" in nlp.component_names:
        lookups = nlp.get_pipe("lemmatizer").lookups
        if lookups.has_table("lemma_index"):
            for v in lookups.get_table("lemma_index").values():
                words.update(v)
        if lookups.has_table("lemma_exc"):
            for v in lookups.get_table("lemma_exc").values():
                words.update(v)
    return frozenset(w for w in words if isinstance(w, str))


#: Words after a PERSON-looking span that make it a place ("James Cook hospital").
_PLACE_AFTER = frozenset(
    [
        "hospital",
        "hospitals",
        "ward",
        "wing",
        "unit",
        "centre",
        "center",
        "clinic",
        "surgery",
        "practice",
        "school",
        "college",
        "university",
        "house",
        "road",
        "street",
        "avenue",
        "lane",
        "building",
        "hall",
        "court",
        "hospice",
        "infirmary",
        "station",
        "library",
        "park",
        "stadium",
        "theatre",
        "medical",
        "health",
    ]
)


_PLACE_BEFORE = frozenset(["at", "on", "in", "to", "into", "from", "during", "near", "of", "via"])


def _is_plain_word(word: str) -> bool:
    """A capitalised word that is an ordinary English word and no common first name
    ("Driver", "Law", "Superb", "Dad")."""
    w = word.lower().strip(".'’")
    return w in _english_words() and w not in _first_names()


def _name_part(tok: Any) -> bool:
    """A capitalised proper noun that is no ordinary English word (part of a name)."""
    return (
        tok.is_alpha
        and tok.text[0].isupper()
        and not tok.is_upper
        and tok.pos_ == "PROPN"
        and not _is_plain_word(tok.text)
    )


def _person_spans(doc: Any) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        text = ent.text
        # never re-mask a placeholder, and a lone lowercase word is no name
        if _PLACEHOLDER.search(text) or not any(ch.isupper() for ch in text):
            continue
        words = [t for t in ent if t.is_alpha]
        if not words:
            continue
        if len(words) == 1:
            w = words[0]
            if _is_plain_word(w.text) or w.is_upper:
                continue
            # "at Rampton", "on Porchester", "to Kingsley": a lone word that is no first
            # name after a place preposition is a place (ward, hospital, town)
            if (
                ent.start > 0
                and doc[ent.start - 1].lower_ in _PLACE_BEFORE
                and w.lower_ not in _first_names()
            ):
                continue
        if ent.end < len(doc) and doc[ent.end].lower_ in _PLACE_AFTER:
            continue
        # "Brewline Duo", "Nespresso": no word of it is a known first name or surname - a
        # product or brand the NER took for a person
        if _last_names() and not any(_known_name_word(w.text) for w in words):
            continue
        # widen over a neighbouring proper noun the NER left out ("Bartholomew [Fenwick]")
        start, end = ent.start, ent.end
        while start > 0 and _name_part(doc[start - 1]):
            start -= 1
        while end < len(doc) and _name_part(doc[end]):
            end += 1
        spans.append((doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)))
        taken.update(range(start, end))
    # first names the statistical NER missed ("Emma at the front desk ..."): a capitalised
    # census first name that is no English word, with a capitalised surname after it
    firsts = _first_names()
    i = 0
    while i < len(doc):
        t = doc[i]
        w = t.text.lower()
        if (
            i not in taken
            and t.is_alpha
            and t.text[0].isupper()
            and not t.is_upper
            and not t.is_stop
            and t.tag_ in ("NNP", "NNPS")
            and w in firsts
            and w not in _english_words()
        ):
            j = i + 1
            if (
                j < len(doc)
                and j not in taken
                and doc[j].is_alpha
                and doc[j].text[0].isupper()
                and not _is_plain_word(doc[j].text)
            ):
                j += 1
            if not (j < len(doc) and doc[j].lower_ in _PLACE_AFTER):
                spans.append((t.idx, doc[j - 1].idx + len(doc[j - 1].text)))
            i = j
            continue
        i += 1
    return spans


def _apply_spans(text: str, spans: list[tuple[int, int]], token: str = "[NAME]") -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + token + text[end:]
    return text


#: Strings shorter than this many words (a vocabulary term, a topic keyword) are read by
#: the NER inside a carrier sentence (:data:`_CARRIER`): on their own it lacks context.
NER_MIN_WORDS = 3
_CARRIER = ("I spoke to ", " yesterday.")


def _ner_text(text: str) -> tuple[str, int] | None:
    """What the NER reads for ``text`` and the offset of ``text`` in it; None when no NER is
    needed (a short string with no capital letter cannot hold a name)."""
    if len(text.split()) >= NER_MIN_WORDS:
        return text, 0
    if not any(ch.isupper() for ch in text):
        return None
    return _CARRIER[0] + text + _CARRIER[1], len(_CARRIER[0])


def _names_masked(text: str, doc: Any, offset: int) -> str:
    spans = [
        (a - offset, b - offset)
        for a, b in _person_spans(doc)
        if a >= offset and b <= offset + len(text)
    ]
    return _apply_spans(text, spans)


# redacted text (names included) by original text, for this process
_CACHE: dict[str, str] = {}
_CACHE_MAX = 200_000


def _remember(text: str, red: str) -> str:
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.clear()
    _CACHE[text] = red
    return red


def redact(text: str, *, names: bool = True) -> str:
    """``text`` with personal data replaced by placeholders (unchanged when redaction is off,
    see :func:`redaction`). ``names=False`` skips the spaCy NER pass (patterns only)."""
    if not isinstance(text, str) or not text or not _ENABLED.get():
        return text
    if not names:
        return redact_patterns(text)
    hit = _CACHE.get(text)
    if hit is not None:
        return hit
    out = redact_patterns(text)
    job = _ner_text(out)
    if job is not None:
        out = _names_masked(out, _ner()(job[0]), job[1])
    return _remember(text, out)


def redact_many(texts: Iterable[Any], *, names: bool = True, batch_size: int = 256) -> list[Any]:
    """:func:`redact` over many texts, running spaCy over them in batches."""
    texts = list(texts)
    if not _ENABLED.get():
        return texts
    if not names:
        return [redact_patterns(t) if isinstance(t, str) and t else t for t in texts]
    todo = sorted({t for t in texts if isinstance(t, str) and t and t not in _CACHE})
    pre = [redact_patterns(t) for t in todo]
    jobs: list[tuple[int, str, int]] = []
    for i, p in enumerate(pre):
        job = _ner_text(p)
        if job is not None:
            jobs.append((i, *job))
    if jobs:
        from insight.nlp_pool import map_chunks

        # many texts: helper processes run the NER on some of them (same result)
        work = [(pre[i], text, offset) for i, text, offset in jobs]
        masked = map_chunks(_mask_names, work, _ner(), batch_size, min_items=NER_PARALLEL_MIN)
        for (i, _, _), red in zip(jobs, masked, strict=True):
            pre[i] = red
    for t, p in zip(todo, pre, strict=True):
        _remember(t, p)
    return [_CACHE.get(t, t) if isinstance(t, str) and t else t for t in texts]


#: NER jobs from which :func:`redact_many` shares them with helper processes
#: (:func:`insight.nlp_pool.map_chunks`; a helper needs a few seconds to start).
NER_PARALLEL_MIN = 1500


def _mask_names(nlp: Any, work: list[tuple[str, str, int]], batch_size: int) -> list[str]:
    """Each (text, what the NER reads, offset) -> the text with its names masked."""
    docs = nlp.pipe([w[1] for w in work], batch_size=batch_size)
    pairs = zip(work, docs, strict=True)
    return [_names_masked(text, doc, offset) for (text, _, offset), doc in pairs]


_WORDS_RE = re.compile(r"[\w'-]+")
#: a capitalised word after the first of its sentence: the only texts the NER can find a
#: name in (patterns find the rest)
_MAYBE_NAME_RE = re.compile(r"[^.!?\s]\s+[A-Z][a-z]|[@\d]")


def personal_words(texts: Iterable[Any]) -> set[str]:
    """Lower-case words that :func:`redact` removes from ``texts`` (names, address words,
    numbers of personal data): words a label built from these texts must not use. Empty
    when redaction is off (``--no-redact``)."""
    if not _ENABLED.get():
        return set()
    todo = [t for t in texts if isinstance(t, str) and _MAYBE_NAME_RE.search(t)]
    out: set[str] = set()
    for text, red in zip(todo, redact_many(todo), strict=True):
        if red != text:
            kept = set(_WORDS_RE.findall(red.lower()))
            out |= set(_WORDS_RE.findall(text.lower())) - kept
    return out


def mask_pii(text: str) -> tuple[str, bool]:
    """The text with personal data replaced by placeholders, and whether anything was masked."""
    masked = redact(text)
    return masked, masked != text


# --- structured outputs -----------------------------------------------------------------

#: Identifier keys/columns whose values come from the data (a survey may key respondents by
#: e-mail or phone): such a value is shown as a stable pseudonym (:func:`pseudonymise`).
PERSON_ID_KEYS = frozenset({"respondent_id", "respondent_ids"})

#: Keys (and table columns) that hold identifiers or codes, never text for reading: the
#: person ids above and the tool's own ids and codes.
ID_KEYS = PERSON_ID_KEYS | frozenset(
    {
        "id",
        "unit_id",
        "unit_ids",
        "claim_id",
        "persona_id",
        "segment",
        "topic",
        "kind",
        "source",
        "location",
        "where",
        "schema",
        "created",
        "insight_version",
        "seed",
        "speaker_role",
        "pain_point_type",
        "answer_side",
        "level",
        "bg",
        "fg",
        "group",
        "file",
        "path",
        "sha256",
        "column",
        "item",
        "question",
        "row",
        "rows",
        "quote_rows",
    }
)

#: Keys whose strings are the tool's own sentences about a persona, never participant
#: text ("bootstrap Jaccard stability" is no name): :func:`redact_obj` leaves them as is.
OWN_TEXT_KEYS = frozenset({"warnings", "note"})


def pseudonymise(value: Any) -> Any:
    """An identifier that is personal data (an e-mail, phone, card or NHS number) as a
    stable pseudonym, e.g. ``[EMAIL-3f2a9c1b]`` (the same value always gives the same
    pseudonym, so exports still join); any other value, or redaction off, unchanged."""
    if not isinstance(value, str) or not value or not _ENABLED.get():
        return value
    masked = redact_patterns(value)
    kinds = _PLACEHOLDER.findall(masked)
    if not kinds:
        return value
    import hashlib

    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]
    return f"{kinds[0][:-1]}-{digest}]"


def redact_obj(
    obj: Any, skip_keys: frozenset[str] = ID_KEYS | OWN_TEXT_KEYS, _key: str | None = None
) -> Any:
    """A copy of a JSON-like structure (dicts, lists, strings) with every string redacted,
    except those under an identifier key (:data:`ID_KEYS`), the tool's own text
    (:data:`OWN_TEXT_KEYS`) and markup (``markupsafe.Markup``
    strings, which are our own HTML)."""
    if not _ENABLED.get():
        return obj
    if isinstance(obj, str):
        if _key in PERSON_ID_KEYS:
            return pseudonymise(obj)
        if _key in skip_keys or type(obj).__name__ == "Markup":
            return obj
        return redact(obj)
    if isinstance(obj, Mapping):
        return {k: redact_obj(v, skip_keys, str(k)) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(redact_obj(v, skip_keys, _key) for v in obj)
    return obj


def is_id_column(name: str) -> bool:
    n = str(name).lower()
    return n in ID_KEYS or n.endswith(("_id", "_ids", "id")) or n.startswith("p_")


def _is_list(v: Any) -> bool:
    """A list cell: a list, tuple or 1-d array (how list columns come back from the store)."""
    if isinstance(v, list | tuple):
        return True
    return type(v).__name__ == "ndarray" and getattr(v, "ndim", 0) == 1


def redact_frame(df: Any, columns: Iterable[str] | None = None) -> Any:
    """A copy of a DataFrame with the text columns meant for reading redacted (``columns``,
    or by default every text column that is not an identifier, see :func:`is_id_column`)."""
    import pandas as pd

    if not _ENABLED.get() or df is None or not len(df):
        return df
    out = df.copy()
    if columns is None:
        columns = [
            c
            for c in out.columns
            if not is_id_column(c)
            and (out[c].dtype == object or pd.api.types.is_string_dtype(out[c]))
        ]
    for c in out.columns:
        if str(c).lower() in PERSON_ID_KEYS and not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = [pseudonymise(v) for v in out[c].tolist()]
    for c in columns:
        if c not in out.columns:
            continue
        vals = out[c].tolist()
        strs = [v for v in vals if isinstance(v, str) and v]
        # the strings of list cells join the one batched NER pass (redact_obj below then
        # finds them masked; one NER call per string was most of the report's time)
        inner = [x if isinstance(x, str) else str(x) for v in vals if _is_list(v) for x in v]
        redact_many(inner)
        red = dict(zip(strs, redact_many(strs), strict=True)) if strs else {}
        out[c] = [
            red.get(v, v)
            if isinstance(v, str)
            else redact_obj([str(x) if not isinstance(x, str) else x for x in v])
            if _is_list(v)
            else v
            for v in vals
        ]
    return out


__all__ = [
    "ID_KEYS",
    "luhn_valid",
    "mask_pii",
    "nhs_number_valid",
    "personal_words",
    "pseudonymise",
    "redact",
    "redact_frame",
    "redact_many",
    "redact_obj",
    "redact_patterns",
    "redaction",
    "redaction_enabled",
]
