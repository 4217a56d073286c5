"""Study-wide sources of the persona template: which respondent columns fill the role,
age band, location and channel fields (recognised once per study by their header words AND
their values), and every participant's explicit self-description. Split out of
:mod:`insight.personas.template`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.patterns import read_word_tables
from insight.personas.template_words import (
    _AGE_BAND,
    _COUNTRIES,
    _SELF,
    _location_value,
    age_band,
    channel_of,
    is_job,
    self_described_role,
)

if TYPE_CHECKING:
    import pandas as pd


# --- header words ----------------------------------------------------------------------
#: The header words of each template column (``template_headers.toml``, read once).
_HEAD = read_word_tables(Path(__file__).with_name("template_headers.toml")).patterns


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
    if _HEAD["age_head"].search(text) and not _HEAD["age_not"].search(text):
        birth = bool(_HEAD["birth_head"].search(text))

        def read_age(v: Any) -> list[str]:
            band = age_band(v, ref, birth)
            return [band] if band else []

        if _share(values, read_age) >= 0.8:
            return ColumnSource("age_band", name, question, read_age)
    elif _share(values, lambda v: bool(_AGE_BAND.match(v))) >= 0.9 and _looks_like_age_bands(
        values
    ):
        return ColumnSource("age_band", name, question, lambda v: [b] if (b := age_band(v)) else [])
    # preferred channel: a question about contact preference, or answers that are channels;
    # an attitude or rating scale never is one, whatever its wording ("The information (such
    # as online help, on-screen messages ...) was clear" is a PSSUQ item, not website use)
    if role not in (S.ROLE_LIKERT, S.ROLE_RATING) and not _HEAD["channel_not"].search(text):
        chan_head = bool(_HEAD["channel_head"].search(text))
        if role == S.ROLE_BEHAVIOUR or _share(values, _is_number) >= 0.95:
            names = channel_of(text)
            if names and _HEAD["engagement"].search(text) and len(names) == 1:
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
    if _HEAD["location_head"].search(text) and not _HEAD["location_not"].search(text):
        postcode = bool(_HEAD["postcode_head"].search(text))

        def read_loc(v: Any, pc: bool = postcode) -> list[str]:
            loc = _location_value(v, pc)
            return [loc] if loc else []

        if _share(values, read_loc) >= 0.8:
            return ColumnSource("location", name, question, read_loc)
    elif _share(values, lambda v: v.lower().strip(". ") in _COUNTRIES) >= 0.6:
        return ColumnSource("location", name, question, _as_written)
    # role: a header about job with short answers, or answers that are jobs
    jobs = _share(values, is_job)
    role_head = bool(_HEAD["role_head"].search(text)) and not _HEAD["role_not"].search(text)
    if short >= 0.8 and (role_head or jobs >= 0.6):
        rank = 0 if role_head and _HEAD["job_head"].search(text) else (1 if jobs >= 0.6 else 2)
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
