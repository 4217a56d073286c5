"""Behaviour input: which columns of a one-row-per-customer file hold each behaviour, and
transactions files (one row per order) aggregated per customer.

:func:`detect_behaviour_columns` finds last purchase / last visit date or days since,
number of orders or visits, spend, tenure, engagement and plan from names and values;
:func:`detect_transaction_columns` and :func:`aggregate_transactions` turn a transactions
file (customer id, date, amount) into recency, frequency, monetary and tenure per
customer. Split out of :mod:`insight.segment.behaviour`, which re-exports these names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from insight import schema as S
from insight.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

# -- column recognition ----------------------------------------------------------------
_BUY = r"(purchase|order|buy|bought|transaction|booking|payment)"
_USE = r"(visit|login|log.?in|session|activity|active|seen|open|click|use|used|engagement)"
_RECENCY_DATE = re.compile(rf"(last|latest|most.?recent).?{_BUY}", re.I)
_ACTIVITY_DATE = re.compile(rf"(last|latest|most.?recent).?{_USE}", re.I)
_ACT = rf"({_BUY[1:-1]}|{_USE[1:-1]})"
_RECENCY_DAYS = re.compile(
    rf"(days?|weeks?|months?).?since|since.?last|recency|{_ACT}.?days?.?ago", re.I
)
_PURCHASE_COUNT = re.compile(
    r"(number|no|num|count|#|total).?(of.?)?(orders?|purchases?|transactions?|bookings?)|"
    r"^(orders?|purchases?|transactions?|bookings?)(.?count)?$|frequency|"
    r"how many .{0,30}(orders?|purchases?|transactions?|bookings?)\b|"
    r"how (many times|often) .{0,30}(bought|ordered|purchased|buy|order|purchase)|"
    r"(orders?|purchases?|transactions?).?(per|a|in|last).?(year|month|12)",
    re.I,
)
_VISIT_COUNT = re.compile(
    r"visits?|logins?|log.?ins|sessions?|opens?|clicks?|engagement|active.?days", re.I
)
_MONEY = re.compile(
    r"spend|spent|revenue|amount|value|ltv|clv|lifetime|total.?(paid|sales)|sales|£|\$|€", re.I
)
_TENURE = re.compile(
    r"tenure|been an? .{0,40}customer|customer for|customer.?since|member.?since|signup|sign.?up|joined|first.?(purchase|order)|years?.?(as|with)|months?.?(as|with)",
    re.I,
)
_PLAN = re.compile(r"\b(plan|tier|subscription|membership)\b", re.I)
_ID = re.compile(
    r"customer.?id|client.?id|account.?id|user.?id|member.?id|respondent|^id$|_id$", re.I
)
_DATE_COL = re.compile(r"date|time|day|created|ordered|purchased|placed", re.I)
_AMOUNT_COL = re.compile(r"amount|total|value|price|revenue|spend|paid|sales|£|\$|€", re.I)
_ISO_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")

#: (role, pattern on the column's name and label, reason) for a date, a text and a numeric
#: column: a column takes the first role still free whose pattern it matches.
_DATE_ROLES = (
    ("recency_date", _RECENCY_DATE, "date of the last purchase"),
    ("activity_date", _ACTIVITY_DATE, "date of the last visit/activity"),
    ("tenure", _TENURE, "start date (tenure)"),
)
_TEXT_ROLES = (("plan", _PLAN, "plan / tier"),)
_NUMBER_ROLES = (
    ("recency_days", _RECENCY_DAYS, "time since the last activity"),
    ("frequency", _PURCHASE_COUNT, "number of orders"),
    ("monetary", _MONEY, "money spent"),
    ("tenure", _TENURE, "tenure"),
)


@dataclass
class BehaviourColumns:
    """Which columns hold each behaviour, and why each was chosen."""

    recency_date: str | None = None
    activity_date: str | None = None
    recency_days: str | None = None
    frequency: str | None = None
    monetary: str | None = None
    tenure: str | None = None
    engagement: list[str] = field(default_factory=list)
    plan: str | None = None
    reasons: dict[str, str] = field(default_factory=dict)

    def found(self) -> dict[str, str]:
        """role -> column for everything found (engagement joined)."""
        out = {
            k: v
            for k, v in {
                "recency_date": self.recency_date,
                "activity_date": self.activity_date,
                "recency_days": self.recency_days,
                "frequency": self.frequency,
                "monetary": self.monetary,
                "tenure": self.tenure,
                "plan": self.plan,
            }.items()
            if v
        }
        if self.engagement:
            out["engagement"] = ", ".join(self.engagement)
        return out


def _numeric(s: pd.Series) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    t = s.astype("string").str.replace(r"[£$€,\s]", "", regex=True).str.rstrip("%")
    return pd.to_numeric(t, errors="coerce")


def _share(s: pd.Series, pred: Callable[[pd.Series], pd.Series]) -> float:
    filled = s.dropna()
    if filled.empty:
        return 0.0
    return float(pred(filled).mean())


def is_date_column(s: pd.Series) -> bool:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        return True
    return _share(s, lambda x: x.astype(str).str.strip().str.match(_ISO_DATE)) >= 0.9


def _is_numbers(s: pd.Series) -> bool:
    return _share(s, lambda x: _numeric(x).notna()) >= 0.95


def detect_behaviour_columns(
    df: pd.DataFrame,
    *,
    exclude: Sequence[str] = (),
    overrides: dict[str, str] | None = None,
    labels: dict[str, str] | None = None,
) -> BehaviourColumns:
    """Recognise behaviour columns in a one-row-per-customer table by name and values.

    ``labels`` maps a column code to its question text (a survey's Q9 -> "How much do
    you spend per month?"); names and labels are both read.

    ``overrides`` (role -> column, roles as in :class:`BehaviourColumns`) win; a named
    column that does not exist is an error naming the columns that do.
    """
    cols = BehaviourColumns()
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    for role, col in overrides.items():
        if col not in df.columns:
            raise _not_found(role, col, df)
        if role == "engagement":
            cols.engagement = [col]
        else:
            setattr(cols, role, col)
        cols.reasons[col] = "named with an option"
    taken = set(overrides.values()) | set(exclude) | set(S.RESPONDENT_BASE_COLUMNS)
    labels = labels or {}
    for c in df.columns:
        name = str(c)
        if name in taken or (_ID.search(name) and not _MONEY.search(name)):
            continue
        text = f"{name} {labels.get(name, '')}".strip()
        s = df[c]
        if s.dropna().empty:
            continue
        if is_date_column(s):
            _take_role(cols, _DATE_ROLES, name, text)
        elif not _is_numbers(s):
            _take_role(cols, _TEXT_ROLES, name, text)
        elif not _take_role(cols, _NUMBER_ROLES, name, text) and _VISIT_COUNT.search(text):
            cols.engagement.append(name)
            cols.reasons[name] = "engagement count"
    if cols.recency_date is None and cols.activity_date is not None:
        cols.recency_date, cols.activity_date = cols.activity_date, None
        cols.reasons[cols.recency_date] += " (used as recency: no purchase date)"
    if cols.frequency is None and cols.engagement:
        # visits / logins stand in for purchases when there is no order count
        cols.frequency = cols.engagement[0]
        cols.reasons[cols.frequency] = "visits/engagement used as frequency (no order count)"
    return cols


def _take_role(
    cols: BehaviourColumns, roles: Sequence[tuple[str, re.Pattern[str], str]], name: str, text: str
) -> bool:
    """Give column ``name`` the first of ``roles`` still free whose pattern matches ``text``."""
    for role, pattern, reason in roles:
        if getattr(cols, role) is None and pattern.search(text):
            setattr(cols, role, name)
            cols.reasons[name] = reason
            return True
    return False


def _not_found(role: str, col: str, df: pd.DataFrame) -> InputError:
    return InputError(
        f'{role} column "{col}" not found',
        column=col,
        fix=f"choose from {', '.join(map(str, df.columns))}",
    )


# -- transactions ----------------------------------------------------------------------


@dataclass
class TransactionColumns:
    customer: str
    date: str
    amount: str | None


def detect_transaction_columns(
    df: pd.DataFrame,
    *,
    customer: str | None = None,
    date: str | None = None,
    amount: str | None = None,
) -> TransactionColumns:
    """The customer id, order date and amount columns of a transactions table."""
    for role, col in (("customer id", customer), ("date", date), ("amount", amount)):
        if col and col not in df.columns:
            raise _not_found(role, col, df)
    if customer is None:
        ids = [c for c in df.columns if _ID.search(str(c)) and df[c].duplicated().any()]
        customer = str(ids[0]) if ids else None
    if date is None:
        dates = [c for c in df.columns if is_date_column(df[c])]
        named = [c for c in dates if _DATE_COL.search(str(c))]
        date = str((named or dates)[0]) if dates else None
    if amount is None:
        nums = [c for c in df.columns if c not in (customer, date) and _is_numbers(df[c])]
        named = [c for c in nums if _AMOUNT_COL.search(str(c))]
        amount = str(named[0]) if named else None
    if customer is None or date is None:
        missing = " and ".join(
            x for x, v in (("a customer id", customer), ("an order date", date)) if v is None
        )
        raise InputError(
            f"not a transactions file: found no {missing} column",
            fix="name them with --id-column / --date-column (one row per order: "
            "customer id, date, amount)",
        )
    return TransactionColumns(customer, date, amount)


def is_transactions(df: pd.DataFrame, id_column: str | None = None) -> bool:
    """True when some customer id repeats (one row per order, not per customer)."""
    ids = [id_column] if id_column else [c for c in df.columns if _ID.search(str(c))]
    return any(c in df.columns and df[c].dropna().duplicated().any() for c in ids)


def _to_dates(s: pd.Series, column: str) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    text = s.astype("string").str.strip()
    iso = text.str.match(r"^\d{4}-").fillna(False).mean() >= 0.5
    out = pd.to_datetime(text, errors="coerce", dayfirst=not iso, format="mixed")
    bad = int((out.isna() & text.notna() & (text != "")).sum())
    if bad and bad == int(text.notna().sum()):
        raise InputError(
            "no value could be read as a date", column=column, fix="use YYYY-MM-DD dates"
        )
    return out


def aggregate_transactions(
    df: pd.DataFrame,
    columns: TransactionColumns,
    *,
    as_of: Any = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Per customer: last_date, first_date, recency_days, frequency (orders), monetary
    (total amount), tenure_days. Rows with no id or an unreadable date are left out and
    reported in the returned warnings."""
    import pandas as pd

    warnings: list[str] = []
    d = pd.DataFrame(
        {
            S.RESPONDENT_ID: df[columns.customer].astype("string").str.strip(),
            "date": _to_dates(df[columns.date], columns.date),
        }
    )
    d["amount"] = _numeric(df[columns.amount]) if columns.amount else 0.0
    bad_id = d[S.RESPONDENT_ID].isna() | (d[S.RESPONDENT_ID] == "")
    bad_date = d["date"].isna()
    if bad_id.any():
        warnings.append(f"{int(bad_id.sum())} order row(s) without a customer id - left out")
    if (bad_date & ~bad_id).any():
        rows = list(d.index[bad_date & ~bad_id][:5] + 2)
        warnings.append(
            f"{int((bad_date & ~bad_id).sum())} order row(s) with an unreadable date in "
            f'"{columns.date}" (file rows {", ".join(map(str, rows))} ...) - left out'
        )
    if columns.amount and d["amount"].isna().any():
        warnings.append(
            f"{int(d['amount'].isna().sum())} order row(s) without a readable amount in "
            f'"{columns.amount}" - counted as orders with amount 0'
        )
    d = d[~bad_id & ~bad_date]
    if d.empty:
        raise InputError("no order rows with both a customer id and a date")
    ref = pd.Timestamp(as_of) if as_of is not None else d["date"].max()
    g = d.groupby(S.RESPONDENT_ID, sort=True)
    out = pd.DataFrame(
        {
            "last_date": g["date"].max(),
            "first_date": g["date"].min(),
            "frequency": g.size().astype(float),
            "monetary": g["amount"].sum(min_count=1).fillna(0.0).astype(float),
        }
    )
    out["recency_days"] = (ref - out["last_date"]).dt.days.astype(float)
    out["tenure_days"] = (ref - out["first_date"]).dt.days.astype(float)
    out["last_date"] = out["last_date"].dt.strftime("%Y-%m-%d")
    out["first_date"] = out["first_date"].dt.strftime("%Y-%m-%d")
    return out.reset_index(), warnings
