"""Audiences out: contact import files for CRM and email tools, one row per contact.

``insight export STUDY --to mailchimp`` writes the CSV that the tool's documented contact
import reads: its own column names for the email address and the first/last (or full)
name, and a tag, list or custom-field column carrying each contact's persona and segment.
Only respondents with an email address are written (the survey's contact columns, such as
Qualtrics' ``RecipientEmail`` / ``RecipientFirstName`` / ``RecipientLastName``); a study
without any contact column is an error that names the fix. Files only - nothing here
talks to a network. Every cell goes through :func:`insight.report.safe.neutralise_cell`
(a name such as ``=HYPERLINK(...)`` would otherwise run as a formula in a spreadsheet).

The column names of each tool and the page they come from are in ``tools.toml`` (read into
:data:`TOOLS`) and in the README section "Audiences out".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError, StoreError

if TYPE_CHECKING:
    import pandas as pd

    from insight.store import Store

_EMAIL_NAME = re.compile(r"e-?mail", re.I)
_FIRST_NAME = re.compile(r"first.?name|given.?name|forename|^first$|^fname$", re.I)
_LAST_NAME = re.compile(r"last.?name|surname|family.?name|^last$|^lname$", re.I)
_FULL_NAME = re.compile(r"^(full.?name|name|contact.?name|customer.?name)$", re.I)
_EMAIL_VALUE = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


@dataclass(frozen=True)
class ToolFormat:
    """The contact-import columns of one tool.

    ``tags`` is the header of a multi-value tag column (values joined by ``tag_sep``);
    ``fields`` maps the canonical values persona / segment / rfm_cell / lifecycle to the
    header of a custom field or property (created in the tool's import mapping step).
    """

    key: str
    label: str
    email: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    tags: str | None = None
    tag_sep: str = ","
    fields: dict[str, str] = field(default_factory=dict)
    doc: str = ""
    notes: str = ""

    def columns(self) -> list[str]:
        cols = [self.email]
        cols += [c for c in (self.first_name, self.last_name, self.full_name) if c]
        if self.tags:
            cols.append(self.tags)
        cols += list(self.fields.values())
        return cols


def _load_tools() -> dict[str, ToolFormat]:
    """The tool table in ``tools.toml`` (one ``[key]`` table per tool, in :data:`TOOLS` order)."""
    import tomllib

    table = tomllib.loads((Path(__file__).parent / "tools.toml").read_text(encoding="utf-8"))
    return {key: ToolFormat(key=key, **spec) for key, spec in table.items()}


#: Every supported tool, from ``tools.toml``: column names from each tool's published
#: import guide (``doc``).
TOOLS: dict[str, ToolFormat] = _load_tools()


@dataclass(frozen=True)
class ContactColumns:
    """Which respondent columns hold the email address and the names."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None


@dataclass
class AudienceExport:
    """What :func:`export_audience` wrote, with the rows it left out and why."""

    path: Path
    tool: str
    rows: int
    respondents: int
    without_email: int
    invalid_email: int
    duplicate_email: int
    without_persona: int
    contact_columns: ContactColumns
    warnings: list[str] = field(default_factory=list)


def find_contact_columns(respondents: pd.DataFrame) -> ContactColumns | None:
    """The email and name columns of ``respondents`` (None when there is no email column).

    An email column is one whose name says e-mail and whose filled values look like
    addresses (at least half of them).
    """
    best: tuple[float, str] | None = None
    for col in respondents.columns:
        if col in S.RESPONDENT_BASE_COLUMNS:
            continue
        vals = respondents[col].dropna().astype(str).str.strip()
        vals = vals[vals != ""]
        if vals.empty:
            continue
        share = float(vals.map(lambda v: bool(_EMAIL_VALUE.match(v))).mean())
        named = bool(_EMAIL_NAME.search(str(col)))
        if share >= 0.5 and (named or share >= 0.9):
            score = share + (1.0 if named else 0.0)
            if best is None or score > best[0]:
                best = (score, str(col))
    if best is None:
        return None
    email_col = best[1]

    def _name(pattern: re.Pattern[str]) -> str | None:
        for col in respondents.columns:
            if (
                col != email_col
                and pattern.search(str(col))
                and respondents[col].dropna().astype(str).str.strip().ne("").any()
            ):
                return str(col)
        return None

    return ContactColumns(
        email=email_col,
        first_name=_name(_FIRST_NAME),
        last_name=_name(_LAST_NAME),
        full_name=_name(_FULL_NAME),
    )


def audience_table(store: Store) -> tuple[pd.DataFrame, ContactColumns, dict[str, int]]:
    """One row per respondent with a valid email: the canonical audience columns.

    Columns: respondent_id, email, first_name, last_name, persona_id, persona, segment,
    probability, rfm_cell, lifecycle (the last two from ``behaviour_segments`` when the
    study has one). Returns the table, the contact columns used and the row accounting.
    """
    import pandas as pd

    respondents = store.read_table("respondents")
    contact = find_contact_columns(respondents)
    if contact is None:
        named = [str(c) for c in respondents.columns if _EMAIL_NAME.search(str(c))]
        if named:
            filled = {
                c: int(respondents[c].astype("string").str.strip().ne("").sum()) for c in named
            }
            why = ", ".join(
                f'"{c}" is empty for all {len(respondents)} respondents'
                if n == 0
                else f'"{c}" holds {n} values but they are not email addresses'
                for c, n in filled.items()
            )
            detail = f"{why} (an anonymous distribution?)"
        else:
            detail = (
                f"none of the {len(respondents)} respondents' columns holds email addresses "
                f"(columns: {', '.join(map(str, respondents.columns[:12]))}"
                f"{' ...' if len(respondents.columns) > 12 else ''})"
            )
        raise InputError(
            f"no contact column: {detail}",
            file=str(store.path),
            fix="include the survey's email column (e.g. Qualtrics RecipientEmail, or a "
            'column named "email") in the input and run `insight run` again',
        )
    counts = {"respondents": len(respondents)}
    df = pd.DataFrame({S.RESPONDENT_ID: respondents[S.RESPONDENT_ID]})  # str in the store
    email = respondents[contact.email].astype("string").str.strip()
    df["email"] = email.str.lower()
    first = _text(respondents, contact.first_name)
    last = _text(respondents, contact.last_name)
    if contact.full_name and (contact.first_name is None or contact.last_name is None):
        split = _text(respondents, contact.full_name).fillna("").str.split(n=1, expand=False)
        if contact.first_name is None:
            first = split.map(lambda p: p[0] if p else None)
        if contact.last_name is None:
            last = split.map(lambda p: p[1] if len(p) > 1 else None)
    df["first_name"] = first
    df["last_name"] = last
    has = df["email"].notna() & (df["email"] != "")
    counts["without_email"] = int((~has).sum())
    valid = has & df["email"].fillna("").map(lambda v: bool(_EMAIL_VALUE.match(v)))
    counts["invalid_email"] = int((has & ~valid).sum())
    df = df[valid]
    dup = df["email"].duplicated(keep="first")
    counts["duplicate_email"] = int(dup.sum())
    df = df[~dup].copy()

    segments = store.read_or_empty("segments")
    if len(segments):
        seg = segments[[S.RESPONDENT_ID, S.SEGMENT, S.PROBABILITY]]
        seg = seg.drop_duplicates(S.RESPONDENT_ID, keep="last")
        df = df.merge(seg, on=S.RESPONDENT_ID, how="left")
    else:
        df[S.SEGMENT] = None
        df[S.PROBABILITY] = None
    personas = store.read_or_empty("personas")
    if len(personas) and {"persona_id", "segment", "name"} <= set(personas.columns):
        by_seg = {
            _seg_key(s): (str(pid), str(name))
            for pid, s, name in zip(
                personas["persona_id"], personas["segment"], personas["name"], strict=False
            )
        }
        keys = df[S.SEGMENT].map(_seg_key)
        df["persona_id"] = keys.map(lambda k: by_seg.get(k, (None, None))[0])
        df["persona"] = keys.map(lambda k: by_seg.get(k, (None, None))[1])
    else:
        df["persona_id"] = None
        df["persona"] = None
    df[S.SEGMENT] = df[S.SEGMENT].map(_seg_key)
    behaviour = store.read_or_empty("behaviour_segments")
    if len(behaviour) and "rfm_cell" in behaviour.columns:
        b = behaviour[[S.RESPONDENT_ID, "rfm_cell", "lifecycle"]].copy()
        b[S.RESPONDENT_ID] = b[S.RESPONDENT_ID].astype(str)
        df = df.merge(b.drop_duplicates(S.RESPONDENT_ID), on=S.RESPONDENT_ID, how="left")
    else:
        df["rfm_cell"] = None
        df["lifecycle"] = None
    counts["without_persona"] = int(df["persona"].isna().sum())
    return df.reset_index(drop=True), contact, counts


def _text(df: pd.DataFrame, col: str | None) -> pd.Series:
    import pandas as pd

    if col is None:
        return pd.Series([None] * len(df), index=df.index, dtype=object)
    s = df[col].astype("string").str.strip()
    return s.where(s.notna() & (s != ""), None).astype(object)


def _seg_key(value: Any) -> str | None:
    """Segment ids as text ("0", "1"): the store may hold them as int, float or str."""
    if value is None:
        return None
    try:
        import math

        f = float(value)
        if math.isnan(f):
            return None
        return str(int(f)) if f == int(f) else str(value)
    except (TypeError, ValueError):
        s = str(value).strip()
        return s or None


def _tags(row: Any) -> list[str]:
    tags = []
    if row.persona:
        tags.append(f"Persona: {row.persona}"[:100])
    if row.segment is not None:
        tags.append(f"Segment: {row.segment}")
    if getattr(row, "rfm_cell", None):
        tags.append(f"RFM: {row.rfm_cell}")
    if getattr(row, "lifecycle", None):
        tags.append(f"Lifecycle: {row.lifecycle}")
    # a comma inside a tag would split it in every tool that reads comma-joined tags
    return [t.replace(",", " ") for t in tags]


def format_for_tool(audience: pd.DataFrame, tool: str) -> pd.DataFrame:
    """The canonical audience table renamed and shaped into ``tool``'s import columns."""
    import pandas as pd

    fmt = _tool(tool)
    audience = audience.astype(object).where(audience.notna(), None)  # pd.NA -> None
    out: dict[str, list[Any]] = {c: [] for c in fmt.columns()}
    for row in audience.itertuples(index=False):
        out[fmt.email].append(row.email)
        if fmt.first_name:
            out[fmt.first_name].append(row.first_name)
        if fmt.last_name:
            out[fmt.last_name].append(row.last_name)
        if fmt.full_name:
            parts = [p for p in (row.first_name, row.last_name) if p]
            out[fmt.full_name].append(" ".join(parts) or None)
        if fmt.tags:
            out[fmt.tags].append(fmt.tag_sep.join(_tags(row)) or None)
        for key, header in fmt.fields.items():
            value = getattr(row, key, None)
            if key == "persona" and value and row.persona_id and "persona_id" not in fmt.fields:
                value = f"{row.persona_id} {value}"
            out[header].append(value)
    return pd.DataFrame(out, columns=fmt.columns())


def _tool(tool: str) -> ToolFormat:
    key = tool.lower().replace(" ", "").replace("-", "")
    aliases = {"sendinblue": "brevo", "kit": "convertkit", "agile": "agilecrm"}
    key = aliases.get(key, key)
    if key not in TOOLS:
        raise InputError(
            f'unknown export target "{tool}"',
            fix=f"choose one of {', '.join(TOOLS)}",
        )
    return TOOLS[key]


def export_audience(
    store: Store, tool: str, out: str | Path, *, personas: Sequence[str] | None = None
) -> AudienceExport:
    """Write ``tool``'s contact import file for the study in ``store`` to ``out``.

    ``out`` is a file, or a folder (then ``<tool>_contacts.csv`` inside it). ``personas``
    keeps only contacts of those persona ids (e.g. ``["P1"]``). Rows without a valid email
    are left out and counted; the returned record says how many and why.
    """
    from insight.report.safe import write_csv_safe

    fmt = _tool(tool)
    if not store.has_table("respondents"):
        raise StoreError(
            "the study has no respondents table", file=str(store.path), fix="run `insight run`"
        )
    audience, contact, counts = audience_table(store)
    warnings: list[str] = []
    if personas:
        wanted = {p.strip().upper() for p in personas}
        known = set(audience["persona_id"].dropna().astype(str).str.upper())
        missing = sorted(wanted - known)
        if missing:
            raise InputError(
                f"no contact belongs to persona {', '.join(missing)}",
                file=str(store.path),
                fix=f"choose from {', '.join(sorted(known)) or '(no personas with contacts)'}",
            )
        audience = audience[audience["persona_id"].astype(str).str.upper().isin(wanted)]
    if audience.empty:
        raise InputError(
            f'no respondent has a valid address in the contact column "{contact.email}" '
            f"({counts['without_email']} blank, {counts['invalid_email']} not an address)",
            file=str(store.path),
            fix="check the email column of the survey export",
        )
    table = format_for_tool(audience, fmt.key)
    if fmt.key == "salesforce":
        no_last = int(table[fmt.last_name or "Last Name"].isna().sum())
        if no_last:
            warnings.append(
                f"{no_last} contact(s) have no last name; Salesforce rejects a Contact "
                "without Last Name - fill it in before importing"
            )
    if counts["without_persona"]:
        warnings.append(
            f"{counts['without_persona']} contact(s) belong to no persona (not segmented); "
            "their persona and segment cells are empty"
        )
    path = Path(out)
    if path.suffix.lower() != ".csv":
        path = path / f"{fmt.key}_contacts.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv_safe(table, path, encoding="utf-8")
    return AudienceExport(
        path=path,
        tool=fmt.key,
        rows=len(table),
        respondents=counts["respondents"],
        without_email=counts["without_email"],
        invalid_email=counts["invalid_email"],
        duplicate_email=counts["duplicate_email"],
        without_persona=counts["without_persona"],
        contact_columns=contact,
        warnings=warnings,
    )


__all__ = [
    "TOOLS",
    "AudienceExport",
    "ContactColumns",
    "ToolFormat",
    "audience_table",
    "export_audience",
    "find_contact_columns",
    "format_for_tool",
]
