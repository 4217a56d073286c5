"""Column role inference for surveys and reviews, and the editable schema file.

Roles (``insight.schema.COLUMN_ROLES``): respondent_id, likert, open_text,
demographic, behaviour, date, metadata, rating, product, ignore.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from insight import schema as S
from insight.errors import SchemaError
from insight.ingest.scales import Scale, detect_scale
from insight.patterns import read_word_tables, whole_words

#: The word tables of column role inference (``role_words.toml``, read once): survey
#: platform metadata names and the header words of each role.
_WORDS = read_word_tables(Path(__file__).with_name("role_words.toml"))
_METADATA = _WORDS.names["metadata"]
_WORD = _WORDS.patterns

#: value kinds of a behaviour column: the respondents table holds a float, an ISO date or
#: the category as written
BEHAVIOUR_NUMBER, BEHAVIOUR_DATE, BEHAVIOUR_CATEGORY = "number", "date", "category"
#: Piped text left by survey platforms: ``[QID19-ChoiceGroup-SelectedChoices]``,
#: ``${q://QID3/ChoiceGroup/SelectedChoices}``, ``${e://Field/name}``.
PIPED_RE = re.compile(r"\[QID\d+[^\]]*\]|\$\{[a-z]{1,3}://[^}]*\}", re.I)
PIPED_PLACEHOLDER = "[piped text]"

#: Words that make an answer a sentence rather than a category label.
_SENTENCE_WORDS = whole_words(
    r"i|i'm|im|i've|my|me|we|our|us|it|it's|its|they|this|that|is|are|was|were|be|been|"
    r"have|has|had|do|does|did|don't|didn't|can|can't|could|would|should|will|not|because|"
    r"but|so|if|when|very|too|really",
)
_DATE_VALUE = re.compile(
    r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}( \d{1,2}:\d{2})?"
)
_NUMBER = re.compile(r"^[£$€]?\s*-?\d[\d,]*(\.\d+)?\s*%?$")


@dataclass
class ColumnInfo:
    """One column of a survey/review file and its role."""

    name: str
    role: str
    question: str = ""
    scale: Scale | None = None
    reverse: bool = False
    reason: str = ""
    overridden: bool = False
    #: multi-select answers: the choices (each becomes a 0/1 indicator column)
    choices: list[str] = field(default_factory=list)
    choice_sep: str = ","
    #: behaviour columns: number | date | category (see :func:`behaviour_value`)
    kind: str = ""
    #: behaviour dates: the order of day, month and year of non-ISO dates (dmy | mdy)
    date_order: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"role": self.role}
        if self.question and self.question != self.name:
            d["question"] = self.question
        if self.scale is not None:
            d["scale"] = self.scale.to_dict()
        if self.role == S.ROLE_LIKERT:
            d["reverse"] = self.reverse
        if self.choices:
            d["choices"] = list(self.choices)
        if self.role == S.ROLE_BEHAVIOUR and self.kind:
            d["kind"] = self.kind
        if self.reason:
            d["why"] = self.reason
        return d


@dataclass
class FileSchema:
    """Roles of all columns of one file, plus the detected export format."""

    source: str
    format: str
    columns: dict[str, ColumnInfo] = field(default_factory=dict)

    def by_role(self, role: str) -> list[str]:
        return [c.name for c in self.columns.values() if c.role == role]


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "", name.lower().replace(" ", ""))


def _is_number(v: str) -> bool:
    return bool(_NUMBER.match(v.strip()))


def to_float(v: str) -> float | None:
    s = v.strip().replace(",", "").replace("£", "").replace("$", "").replace("€", "")
    s = s.rstrip("%").strip()
    try:
        return float(s)
    except ValueError:
        return None


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


def date_order(values: list[str]) -> str:
    """dmy or mdy for dates written 03/04/2026: mdy when some first part is above 12 only
    in the second place (04/23/2026), else dmy (the day first, as outside the US)."""
    first_big = second_big = False
    for v in values:
        m = _DMY.match(v.strip())
        if m:
            first_big |= int(m.group(1)) > 12
            second_big |= int(m.group(2)) > 12
    return "mdy" if second_big and not first_big else "dmy"


def parse_date(value: str, order: str = "dmy") -> str | None:
    """An ISO date (YYYY-MM-DD) from 2026-03-31, 31/03/2026 (``order`` dmy) or 03/31/2026
    (mdy), a time after the date ignored; None when it is no valid date."""
    import datetime as dt

    v = value.strip()
    m = _YMD.match(v)
    if m:
        y, mo, d = (int(x) for x in m.groups())
    else:
        m = _DMY.match(v)
        if not m:
            return None
        a, b, y = (int(x) for x in m.groups())
        d, mo = (b, a) if order == "mdy" else (a, b)
        if y < 100:
            y += 2000 if y < 70 else 1900
    try:
        return dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def as_behaviour(info: ColumnInfo, values: list[str], reason: str) -> ColumnInfo:
    """Make ``info`` a behaviour column; its kind (number, date, category) read from the
    answers (the reason says which)."""
    nonempty = [v.strip() for v in values if v.strip()]
    n = max(len(nonempty), 1)
    info.role = S.ROLE_BEHAVIOUR
    if nonempty and sum(1 for v in nonempty if _DATE_VALUE.match(v)) / n >= 0.9:
        info.kind, info.date_order = BEHAVIOUR_DATE, date_order(nonempty)
    elif nonempty and sum(1 for v in nonempty if _is_number(v)) / n >= 0.95:
        info.kind = BEHAVIOUR_NUMBER
    else:
        info.kind = BEHAVIOUR_CATEGORY
    info.reason = reason if info.kind in reason else f"{reason} ({info.kind})"
    return info


def behaviour_value(info: ColumnInfo, value: str) -> float | str | None:
    """One behaviour cell as the respondents table holds it: a number, an ISO date, or the
    category as written (None when empty or unreadable as the column's kind)."""
    v = value.strip()
    if not v:
        return None
    if info.kind == BEHAVIOUR_DATE:
        return parse_date(v, info.date_order or "dmy")
    if info.kind == BEHAVIOUR_CATEGORY:
        return v
    return to_float(v)


def infer_role(name: str, question: str, values: list[str], *, review: bool = False) -> ColumnInfo:
    """Infer one column's role from its name, question text and answers."""
    k = _key(name)
    text = f"{name} {question}"
    nonempty = [v.strip() for v in values if v.strip()]
    n = len(nonempty)
    distinct = set(nonempty)
    info = ColumnInfo(name=name, role=S.ROLE_IGNORE, question=question or name)
    if k in _METADATA or k.startswith("duration"):
        info.role, info.reason = S.ROLE_METADATA, "survey platform metadata"
        return info
    unique = bool(n) and len(distinct) == n and n > 1
    if (
        _WORD["id_names"].match(k)
        or re.search(r"\bid$|_id$", name.strip(), re.I)
        or (k in {"rownames", "index", "unnamed0", ""} and unique)
    ):
        if len(distinct) == n:
            info.role, info.reason = S.ROLE_ID, "unique identifier"
            return info
        if _WORD["strong_id"].search(k):
            info.role, info.reason = S.ROLE_ID, "respondent identifier (repeats: long format)"
            return info
        info.role, info.reason = S.ROLE_METADATA, "identifier with repeats"
        return info
    if n == 0:
        info.role, info.reason = S.ROLE_IGNORE, "no answers"
        return info
    codes = re.compile(
        r"^(?:p|r|s|u|participant|respondent|subject|user|interviewee)[-_ #]?\d{1,4}$", re.I
    )
    if unique and all(codes.match(v) for v in nonempty):
        info.role, info.reason = S.ROLE_ID, "participant codes (P1, P2, ...)"
        return info
    top_share = max(Counter(nonempty).values()) / n
    if (_WORD["consent"].search(text) and (top_share >= 0.8 or len(distinct) <= 3)) or (
        top_share >= 0.9 and any(_WORD["consent"].search(v) for v in distinct)
    ):
        info.role, info.reason = S.ROLE_METADATA, "consent/eligibility item"
        return info
    lengths = [len(v) for v in nonempty]
    mean_len = sum(lengths) / n
    words = sum(len(v.split()) for v in nonempty) / n
    uniq = len(distinct) / n
    if name.upper().endswith("_TEXT") and not all(_is_number(v) for v in nonempty):
        info.role, info.reason = S.ROLE_TEXT, "Qualtrics _TEXT column"
        return info
    date_share = sum(1 for v in nonempty if _DATE_VALUE.match(v)) / n
    if date_share >= 0.9 and _WORD["behaviour_date"].search(text):
        return as_behaviour(info, nonempty, "behaviour date (last/first activity or purchase)")
    if date_share >= 0.9:
        info.role, info.reason = S.ROLE_DATE, "date values"
        return info
    numeric_share = sum(1 for v in nonempty if _is_number(v)) / n
    if review and _WORD["rating"].search(name):
        scale = detect_scale(nonempty) or _star_scale(nonempty)
        if scale is not None:
            info.role, info.scale, info.reason = S.ROLE_RATING, scale, "rating column"
            return info
    # "Prefer not to say", "Don't know", "N/A" sit beside scale points: not a point
    substantive = [v for v in nonempty if not is_non_substantive(v)]
    scale = detect_scale(substantive) if len(substantive) >= 0.5 * n else None
    if scale is None and not review:
        choices, sep = multi_select_choices(nonempty)
        if choices:
            info.role, info.choices, info.choice_sep = S.ROLE_DEMOGRAPHIC, choices, sep
            info.reason = f"multi-select: {len(choices)} choices, one 0/1 column each"
            return info
    sentences = sum(1 for v in nonempty if _is_sentence(v)) / n
    asks = sum(1 for v in distinct if v.rstrip().endswith("?") or _WORD["asks"].match(v))
    if len(distinct) <= 12 and n >= 10 * len(distinct) and asks >= 0.8 * len(distinct):
        info.role, info.reason = S.ROLE_METADATA, "question wording (one row per question)"
        return info
    if (
        sentences >= 0.5
        and scale is None
        and (len(distinct) >= 5 or _WORD["text_name"].search(text))
    ):
        info.role, info.reason = S.ROLE_TEXT, f"sentences (mean {words:.0f} words)"
        return info
    behaviour_hint = bool(_WORD["behaviour"].search(text))
    demographic_hint = bool(_WORD["demographic"].search(text))
    if scale is not None and scale.kind != "numeric":
        info.role, info.scale, info.reason = S.ROLE_LIKERT, scale, f"{scale.kind} scale labels"
        return info
    if scale is not None and not behaviour_hint and not demographic_hint:
        info.role, info.scale, info.reason = (
            S.ROLE_LIKERT,
            scale,
            f"integer answers {scale.min:g}-{scale.max:g}",
        )
        return info
    if len(distinct) == 1 and n > 1:
        info.role, info.reason = S.ROLE_IGNORE, "the same answer everywhere"
        return info
    if numeric_share >= 0.95 and len(distinct) == 2:
        info.role, info.reason = S.ROLE_DEMOGRAPHIC, "two-valued flag"
        return info
    if numeric_share >= 0.95:
        if demographic_hint and not behaviour_hint:
            info.role, info.reason = S.ROLE_DEMOGRAPHIC, "numeric demographic"
        else:
            as_behaviour(info, nonempty, "numeric quantity")
        return info
    if review and re.search(r"title|headline|summary|subject", name, re.I) and numeric_share < 0.5:
        info.role, info.reason = S.ROLE_TEXT, "review title"
        return info
    if review and _WORD["product"].search(name) and len(distinct) <= max(50, n // 5):
        info.role, info.reason = S.ROLE_PRODUCT, "product/source column"
        return info
    if ((mean_len >= 25 or words >= 4) and uniq >= 0.5) or (
        _WORD["text_name"].search(text) and uniq >= 0.8 and numeric_share < 0.5
    ):
        info.role, info.reason = S.ROLE_TEXT, f"varied text (mean {words:.0f} words)"
        return info
    if (len(distinct) <= 30 or uniq <= 0.5) and _WORD["plan"].search(name):
        return as_behaviour(info, nonempty, f"plan / tier: {len(distinct)} categories")
    if len(distinct) <= 30 or uniq <= 0.5:
        info.role, info.reason = S.ROLE_DEMOGRAPHIC, f"{len(distinct)} categories"
        return info
    if demographic_hint and words <= 4 and sentences < 0.2:
        # many short answers to "which city / job title / postcode": who or where they are
        info.role = S.ROLE_DEMOGRAPHIC
        info.reason = f"{len(distinct)} short answers about who or where they are"
        return info
    if mean_len >= 12:
        info.role, info.reason = S.ROLE_TEXT, "varied short text"
        return info
    info.role, info.reason = S.ROLE_IGNORE, "unrecognised; set a role with --schema"
    return info


NON_SUBSTANTIVE = re.compile(
    r"^(prefer not to (say|answer)|rather not say|don'?t know|do not know|not sure|unsure|"
    r"not applicable|n/?a|no opinion|can'?t say|cannot say|no answer|decline to answer|"
    r"does not apply|dk|refused)\.?$",
    re.I,
)


def is_non_substantive(v: str) -> bool:
    """An answer option that is no point of a scale ("Prefer not to say", "Don't know")."""
    return bool(NON_SUBSTANTIVE.match(v.strip().replace("’", "'")))


def _is_sentence(v: str) -> bool:
    """Several words with a function word or sentence punctuation: a written answer."""
    words = v.split()
    if len(words) < 4:
        return False
    return bool(_SENTENCE_WORDS.search(v)) or bool(re.search(r"[.!?]\s|[.!?]$", v))


def multi_select_choices(values: list[str]) -> tuple[list[str], str]:
    """The choices of a multi-select column (answers joined by commas), or ([], "").

    Qualtrics joins choices with "," (no space) so a choice may itself contain ", ";
    other tools join with ", ". At least a fifth of the answers must hold several
    choices, the choices must be short labels and few (<= 40), and together they
    must cover every answer.
    """
    joined = [v for v in values if "," in v]
    if len(joined) < max(2, 0.2 * len(values)):
        return [], ""
    tight = sum(1 for v in joined if re.search(r",\S", v))
    sep = "," if tight >= 0.5 * len(joined) else ", "
    counts: Counter[str] = Counter()
    for v in values:
        for part in v.split(sep):
            part = part.strip()
            if part:
                counts[part] += 1
    if not counts or len(counts) > 40:
        return [], ""
    if any(len(c.split()) > 10 or (_is_sentence(c) and len(c.split()) > 6) for c in counts):
        return [], ""
    if len(counts) >= len(set(values)):  # splitting explains nothing
        return [], ""
    if sum(1 for c, k in counts.items() if k == 1) > 0.5 * len(counts):
        return [], ""
    return sorted(counts, key=lambda c: (-counts[c], c)), sep


def _star_scale(values: list[str]) -> Scale | None:
    """'4 stars', '4/5', '4.5' ratings."""
    mapping: dict[str, float] = {}
    for v in set(values):
        m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+)|stars?|★)?\s*$", v, re.I)
        if not m:
            return None
        mapping[v] = float(m.group(1))
    nums = list(mapping.values())
    if not nums or max(nums) > 10:
        return None
    return Scale("stars", 1.0 if min(nums) >= 1 else 0.0, 5.0 if max(nums) <= 5 else 10.0, mapping)


# -- schema files --------------------------------------------------------------


def schema_to_dict(schemas: list[FileSchema]) -> dict[str, Any]:
    return {
        "insight_schema": 1,
        "files": {
            s.source: {
                "format": s.format,
                "columns": {name: c.to_dict() for name, c in s.columns.items()},
            }
            for s in schemas
        },
    }


def write_schema(schemas: list[FileSchema], path: Path) -> None:
    import yaml

    header = (
        "# insight column schema: edit roles, scales or reverse-keying, then pass it with\n"
        "# --schema. Roles: " + ", ".join(S.COLUMN_ROLES) + "\n"
    )
    path.write_text(
        header + yaml.safe_dump(schema_to_dict(schemas), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )


def load_schema(path: str | Path) -> dict[str, dict[str, Any]]:
    """Column overrides from a schema file: {column: {role, scale, reverse, question}}.

    Accepts the file ``insight inspect`` writes (YAML) or TOML with the same shape.
    Columns of all files are merged; a column named in several files takes the
    last one.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise SchemaError(f"cannot read schema file ({exc.strerror})", file=str(p)) from None
    try:
        if p.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:
        raise SchemaError(
            f"is not valid YAML/TOML ({exc})", file=str(p), fix="fix the syntax or re-run inspect"
        ) from None
    if not isinstance(data, dict):
        raise SchemaError("expected a mapping at the top", file=str(p))
    files = data.get("files")
    cols: dict[str, dict[str, Any]] = {}
    if isinstance(files, dict):
        for spec in files.values():
            cols.update((spec or {}).get("columns", {}) or {})
    elif isinstance(data.get("columns"), dict):
        cols.update(data["columns"])
    else:
        raise SchemaError(
            "no 'files' or 'columns' section",
            file=str(p),
            fix="start from `insight inspect` output",
        )
    for name, spec in cols.items():
        if not isinstance(spec, dict):
            raise SchemaError("expected role: ... under the column", file=str(p), column=name)
        role = spec.get("role")
        if role is not None and role not in S.COLUMN_ROLES:
            raise SchemaError(
                f"unknown role {role!r}",
                file=str(p),
                column=name,
                fix="use one of " + ", ".join(S.COLUMN_ROLES),
            )
    return cols


def load_file_options(path: str | Path) -> dict[str, dict[str, Any]]:
    """Per-file fields of a schema file: {file name: {format, header_row, kind}}."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
        if p.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception:  # load_schema reports unreadable files
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    out: dict[str, dict[str, Any]] = {}
    if isinstance(files, dict):
        for name, spec in files.items():
            if isinstance(spec, dict):
                opts = {k: spec[k] for k in ("format", "header_row", "kind") if k in spec}
                if opts:
                    out[str(name)] = opts
    return out


def apply_overrides(info: ColumnInfo, spec: dict[str, Any], values: list[str]) -> ColumnInfo:
    """Apply one column's schema-file entry (role, question, scale, reverse, choices)."""
    if "role" in spec:
        info.role = spec["role"]
        info.reason = "set in schema file"
        info.overridden = True
        if info.role != S.ROLE_DEMOGRAPHIC:
            info.choices = []
    if isinstance(spec.get("choices"), list):
        info.choices = [str(c) for c in spec["choices"]]
    if "question" in spec:
        info.question = str(spec["question"])
    if info.role == S.ROLE_BEHAVIOUR and (info.overridden or spec.get("kind")):
        as_behaviour(info, values, info.reason)
        kind = spec.get("kind")
        if kind in (BEHAVIOUR_NUMBER, BEHAVIOUR_DATE, BEHAVIOUR_CATEGORY):
            info.kind = kind
            if kind == BEHAVIOUR_DATE and not info.date_order:
                info.date_order = date_order(values)
    if "reverse" in spec:
        info.reverse = bool(spec["reverse"])
    if info.role in (S.ROLE_LIKERT, S.ROLE_RATING):
        sc = spec.get("scale")
        if isinstance(sc, dict) and sc.get("labels"):
            labels = {str(k): str(v) for k, v in sc["labels"].items()}
            mapping = {v: float(k) for k, v in labels.items()}
            from insight.ingest.scales import normalise

            mapping.update({normalise(v): float(k) for k, v in labels.items()})
            for v in {x.strip() for x in values if x.strip()}:
                f = to_float(v)
                if f is not None:
                    mapping.setdefault(v, f)
            info.scale = Scale(
                str(sc.get("kind", "custom")),
                float(sc.get("min", min(mapping.values()))),
                float(sc.get("max", max(mapping.values()))),
                mapping,
                labels,
            )
        elif info.scale is None:
            info.scale = detect_scale([v for v in values if v.strip()], min_share=0.0)
            if info.scale is None:
                nums = {v: to_float(v) for v in {x.strip() for x in values if x.strip()}}
                good = {k: f for k, f in nums.items() if f is not None}
                if good:
                    info.scale = Scale("numeric", min(good.values()), max(good.values()), good)
        if isinstance(sc, dict) and info.scale is not None:
            if "min" in sc:
                info.scale.min = float(sc["min"])
            if "max" in sc:
                info.scale.max = float(sc["max"])
            if sc.get("midpoint") is not None:
                info.scale.midpoint = float(sc["midpoint"])
    return info
