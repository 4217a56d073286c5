"""Text of the report charts: data strings escaped for Plotly, numbers, shares and p-values
formatted for takeaways and hover text, long text shortened and wrapped."""

from __future__ import annotations

import math
import re
from typing import Any


def ptext(text: Any) -> str:
    """Data text made safe for Plotly labels and hover text (which render some HTML)."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def num(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def pct(v: float | None) -> str:
    return "?" if v is None else f"{100 * v:.0f}%"


def fmt_p(p: Any) -> str:
    v = num(p)
    if v is None:
        return "= ?"
    return "< 0.001" if v < 0.001 else f"= {v:.2g}" if v < 0.1 else f"= {v:.2f}"


def short(text: Any, n: int = 48) -> str:
    t = re.sub(r"\s+", " ", str(text)).strip()
    return t if len(t) <= n else t[: n - 1].rstrip() + "…"


def wrap(text: str, width: int = 56, max_chars: int = 150) -> str:
    """A quote snippet for hover text: escaped, cut to ``max_chars``, broken into lines."""
    t = short(text, max_chars)
    lines, line = [], ""
    for w in t.split(" "):
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    if line:
        lines.append(line)
    return "<br>".join(ptext(x) for x in lines)
