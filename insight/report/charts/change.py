"""Change between batches / over time: themes and pain points per period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from insight import schema as S
from insight.report.charts.common import (
    ALPHA,
    EMERGING_LIFT,
    MIN_DATED,
    PAIN_RANKING,
    SEQUENTIAL,
    TOPIC_TABLE,
    Chart,
    QuotePool,
    _bh,
    _customer_units,
    _quotes_for_units,
    _topic_labels,
    _two_prop_p,
    _unit_topics,
    add_mark,
    base_layout,
)
from insight.report.charts.text import fmt_p, pct, ptext, short


# --- 7. change between batches / over time -----------------------------------------------------------
def _periods(m: Any) -> tuple[Any, str] | None:
    """A period label per row (date -> week/month/quarter, else batch), and what it is."""
    import pandas as pd

    # dates win when at least 30 statements carry one (e.g. the reviews of a mixed study)
    if S.DATE in m and int(m[S.DATE].notna().sum()) >= MIN_DATED:
        d = pd.to_datetime(m[S.DATE], errors="coerce", utc=True).dt.tz_localize(None)
        valid = d.dropna()
        if len(valid) and valid.nunique() > 1:
            span = (valid.max() - valid.min()).days
            freq, what = (
                ("W", "week")
                if span <= 62
                else (("M", "month") if span <= 730 else ("Q", "quarter"))
            )
            per = d.dt.to_period(freq).astype(str).where(d.notna(), None)
            if per.dropna().nunique() >= 2:
                return per, what
    if S.BATCH_ID in m and m[S.BATCH_ID].dropna().astype(str).nunique() >= 2:
        return m[S.BATCH_ID].astype(str).where(m[S.BATCH_ID].notna(), None), "batch"
    return None


def _period_frame(m: Any) -> tuple[Any, str, int, Any, list[str]] | None:
    """Rows of ``m`` in the periods holding at least 10 statements (when two or more do):
    (those rows with a ``period`` column, what a period is, rows before, statements per
    period, the periods in order)."""
    got = _periods(m)
    if got is None:
        return None
    per, what = got
    n_all = len(m)
    m = m.assign(period=per).dropna(subset=["period"])
    n_per = m.groupby("period").size()
    periods = [p for p in sorted(n_per.index) if n_per[p] >= 10]
    if len(periods) < 2:
        return None
    return m[m["period"].isin(periods)], what, n_all, n_per, periods


@dataclass
class _PeriodGrid:
    """A rows x periods heat map: each cell the share of the period's statements in the row
    (a theme or a pain type), with its hover text and the mark (up to three quotes) behind it."""

    tables: Any
    pool: QuotePool
    periods: list[str]
    #: statements per period
    n_per: Any
    #: (row, period) -> statements
    counts: Any
    #: (row, period) -> unit ids
    units_by: Any
    ylab: list[str] = field(default_factory=list)
    z: list[list[float]] = field(default_factory=list)
    hovers: list[list[str]] = field(default_factory=list)
    keys: list[list[str]] = field(default_factory=list)
    marks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_row(
        self, row: Any, ylab: str, name: str, mark_label: str, href: str, key_prefix: str = ""
    ) -> list[float]:
        """Add the row's cells; ``name`` (HTML-escaped) heads its hovers, a mark is labelled
        ``mark_label`` + period. Returns the row's shares."""
        ys: list[float] = []
        hovers: list[str] = []
        keys: list[str] = []
        for p in self.periods:
            k = int(self.counts.get((row, p), 0))
            n = int(self.n_per[p])
            share = k / n
            key = f"{key_prefix}{row}|{p}"
            q = _quotes_for_units(self.tables, self.pool, self.units_by.get((row, p), []), 3)
            ys.append(round(share, 4))
            keys.append(key)
            hovers.append(
                add_mark(
                    self.marks,
                    self.pool,
                    key,
                    q,
                    hover=f"<b>{name}</b> · {ptext(p)}<br>{k} of {n} statements ({pct(share)})",
                    label=f"{mark_label}{p}",
                    n=f"{k} of {n} statements",
                    href=href,
                )
            )
        self.ylab.append(ylab)
        self.z.append(ys)
        self.hovers.append(hovers)
        self.keys.append(keys)
        return ys

    def chart(
        self,
        chart_id: str,
        title: str,
        takeaway: str,
        what: str,
        evidence: tuple[str, str],
        note: str,
    ) -> Chart:
        """The heat map as a report chart; ``what`` names a period, ``evidence`` = (href, label)."""
        data, layout = _period_heatmap(
            self.ylab, self.periods, self.z, self.hovers, self.keys, what
        )
        return Chart(
            chart_id,
            title,
            takeaway,
            data,
            layout,
            *evidence,
            self.marks,
            note=note,
            height=layout["height"],
        )


def _period_heatmap(
    ylab: list[str],
    periods: list[str],
    z: list[list[float]],
    hovers: list[list[str]],
    keys: list[list[str]],
    what: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows (themes or pain types) x periods, coloured by share of the period's statements."""
    show_text = len(periods) <= 12
    trace: dict[str, Any] = {
        "type": "heatmap",
        "x": [ptext(p) for p in periods],
        "y": ylab,
        "z": z,
        "customdata": keys,
        "hovertext": hovers,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "colorscale": SEQUENTIAL,
        "zmin": 0,
        "xgap": 1,
        "ygap": 2,
        "colorbar": {
            "title": {"text": "share of<br>statements"},
            "tickformat": ".0%",
            "thickness": 12,
        },
    }
    if show_text:
        trace["text"] = [[f"{100 * v:.0f}%" for v in row] for row in z]
        trace["texttemplate"] = "%{text}"
    height = max(200, 28 * len(ylab) + 110)
    layout = base_layout(
        height,
        xaxis={"type": "category", "title": {"text": what}, "automargin": True},
        yaxis={"autorange": "reversed", "automargin": True},
        margin={"l": 10, "r": 10, "t": 36, "b": 40},
    )
    return [trace], layout


def _biggest_peak(
    topics: Sequence[str], periods: Sequence[str], counts: Any, n_per: Any
) -> tuple[str, str, float, float, float] | None:
    """The (topic, period) whose share stands out most from the topic's other periods,
    when significant after Benjamini-Hochberg over every (topic, period) pair."""
    total = int(sum(int(n_per[p]) for p in periods))
    cells = []
    for t in topics:
        k_all = int(sum(int(counts.get((t, p), 0)) for p in periods))
        for p in periods:
            k1, n1 = int(counts.get((t, p), 0)), int(n_per[p])
            k2, n2 = k_all - k1, total - n1
            if n2 <= 0:
                continue
            cells.append((t, p, k1 / n1, k2 / n2, _two_prop_p(k1, n1, k2, n2)))
    if not cells:
        return None
    padj = _bh([c[-1] for c in cells])
    sig = [(c, pa) for c, pa in zip(cells, padj, strict=True) if pa < ALPHA and c[2] > c[3]]
    if not sig:
        return None
    (t, p, s1, s0, _p), pa = max(sig, key=lambda x: x[0][2] - x[0][3])
    return t, p, s1, s0, pa


def _emerging(
    per_row: Any, counts: Any, n_per: Any, periods: Sequence[str]
) -> list[tuple[Any, float, float, float]]:
    """Rows (themes or pain themes) emerging in the latest period: (row, latest share,
    earlier share, p(BH)). Emerging = at a new high, well above the earlier average (not a
    dip recovered), Benjamini-Hochberg p < ALPHA and at least x EMERGING_LIFT."""
    last = periods[-1]
    n_last = int(n_per[last])
    n_before = int(sum(n_per[p] for p in periods[:-1]))
    tests = []
    for t in per_row.index:
        k1 = int(counts.get((t, last), 0))
        k2 = int(per_row[t]) - k1
        tests.append((t, k1, k2, _two_prop_p(k1, n_last, k2, n_before)))
    padj = _bh([x[-1] for x in tests])
    emerging = []
    for (t, k1, k2, _p), pa in zip(tests, padj, strict=True):
        s1, s0 = k1 / n_last, k2 / n_before if n_before else 0.0
        high = max(int(counts.get((t, p), 0)) / int(n_per[p]) for p in periods[:-1])
        if pa < ALPHA and s1 > s0 and s1 > high and (s0 == 0 or s1 / s0 >= EMERGING_LIFT):
            emerging.append((t, s1, s0, pa))
    return emerging


def change_chart(tables: Any, pool: QuotePool) -> Chart | None:
    m = _unit_topics(tables)
    if m is None or m.empty:
        return None
    framed = _period_frame(m)
    if framed is None:
        return None
    m, what, n_all, n_per, periods = framed
    labels = _topic_labels(tables.topics)
    last = periods[-1]
    per_topic = m.groupby(S.TOPIC).size().sort_values(ascending=False)
    counts = m.groupby([S.TOPIC, "period"]).size()
    emerging = _emerging(per_topic, counts, n_per, periods)
    shown = list(dict.fromkeys([e[0] for e in emerging] + list(per_topic.index[:8])))[:10]
    em = {e[0]: e for e in emerging}
    units_by = m.groupby([S.TOPIC, "period"])[S.UNIT_ID].apply(list)
    grid = _PeriodGrid(tables, pool, periods, n_per, counts, units_by)
    for t in shown:
        name = labels.get(t, t)
        mark = ("▲ emerging: " if t in em else "") + ptext(short(name, 36))
        grid.add_row(t, mark, ptext(short(name, 60)), f"“{name}” in ", f"#topic-{t}")
    if emerging:
        t, s1, s0, pa = max(emerging, key=lambda e: e[1] - e[2])
        take = (
            f"Emerging in {last}: “{short(labels.get(t, t), 60)}” — {pct(s1)} of statements vs {pct(s0)} "
            f"in earlier {what}s (p(BH) {fmt_p(pa)})."
            + (
                f" {len(emerging) - 1} more theme{'s' if len(emerging) != 2 else ''} also rose."
                if len(emerging) > 1
                else ""
            )
        )
    else:
        take = f"No theme rose significantly in the latest {what} ({last}) compared with the {len(periods) - 1} before it."
        peak = _biggest_peak(per_topic.index, periods, counts, n_per)
        if peak is not None:
            t, p, s1, s0, pa = peak
            take += (
                f" The biggest swing: “{short(labels.get(t, t), 60)}” peaked at {pct(s1)} of "
                f"statements in {p} vs {pct(s0)} in other {what}s (p(BH) {fmt_p(pa)})."
            )
    return grid.chart(
        "chart-change",
        f"How themes change by {what}",
        take,
        what,
        TOPIC_TABLE,
        note=f"Share of each {what}'s statements in each theme ({int(n_per.sum())} of {n_all} themed statements carry a {what}; {what}s with at least 10 statements). ▲ emerging = in the latest {what} more common than in any earlier {what} and than their average (Benjamini–Hochberg p < 0.05, at least ×{EMERGING_LIFT}).",
    )


def _pain_theme_units(personas: Sequence[dict[str, Any]]) -> dict[str, str]:
    """unit id -> pain theme label, from the personas' pain claims (the study's pain
    themes, the same ones the report shows)."""
    out: dict[str, str] = {}
    for p in personas or []:
        for c in p.get("pain_points", []) or []:
            label = str(c.get("label") or "")
            if not label:
                continue
            for u in c.get("unit_ids", []) or []:
                out.setdefault(str(u), label)
    return out


def pain_change_chart(
    tables: Any, pool: QuotePool, personas: Sequence[dict[str, Any]] = ()
) -> Chart | None:
    """Share of statements in each of the study's pain themes, per period or batch, with
    the themes emerging in the latest period flagged (as themes are)."""
    u = _customer_units(tables)
    theme_of = _pain_theme_units(personas)
    if u is None or not len(u) or not theme_of:
        return None
    m = u.assign(**{S.UNIT_ID: u[S.UNIT_ID].astype(str)})
    framed = _period_frame(m)
    if framed is None:
        return None
    m, what, n_all, n_per, periods = framed
    pains = m[m[S.UNIT_ID].isin(theme_of)]
    if pains.empty:
        return None
    # each theme a number (its rank by size), so marks never carry label text in their keys
    sizes = pains[S.UNIT_ID].map(theme_of).value_counts(sort=True)
    number = {label: i for i, label in enumerate(sorted(sizes.index, key=lambda x: (-sizes[x], x)))}
    name = {i: label for label, i in number.items()}
    pains = pains.assign(ptheme=pains[S.UNIT_ID].map(theme_of).map(number))
    per_theme = pains.groupby("ptheme").size().sort_values(ascending=False, kind="stable")
    counts = pains.groupby(["ptheme", "period"]).size()
    emerging = _emerging(per_theme, counts, n_per, periods)
    em = {e[0]: e for e in emerging}
    shown = list(dict.fromkeys([e[0] for e in emerging] + list(per_theme.index[:6])))[:8]
    units_by = pains.groupby(["ptheme", "period"])[S.UNIT_ID].apply(list)
    grid = _PeriodGrid(tables, pool, periods, n_per, counts, units_by)
    rises = []
    for t in shown:
        label = name[t]
        mark = ("▲ emerging: " if t in em else "") + ptext(short(label, 36))
        ys = grid.add_row(
            t, mark, ptext(short(label, 60)), f"“{label}” in ", "#pains", key_prefix="pain-"
        )
        rises.append((ys[-1] - sum(ys[:-1]) / max(len(ys) - 1, 1), label, ys[-1]))
    last = periods[-1]
    if emerging:
        t, s1, s0, pa = max(emerging, key=lambda e: e[1] - e[2])
        take = (
            f"Emerging in {last}: “{short(name[t], 60)}” — {pct(s1)} of statements vs {pct(s0)} "
            f"in earlier {what}s (p(BH) {fmt_p(pa)})."
        )
        if len(emerging) > 1:
            more = len(emerging) - 1
            take += f" {more} more pain theme{'s' if more != 1 else ''} also rose."
    else:
        d, t, last_share = max(rises)
        take = (
            f"No pain theme rose significantly in the latest {what} ({last}). "
            f"“{short(t, 60)}” changed most: {pct(last_share)} of statements, "
            f"{'up' if d >= 0 else 'down'} {abs(100 * d):.0f} points on the earlier average."
        )
    return grid.chart(
        "chart-pain-change",
        f"Pain themes by {what}",
        take,
        what,
        PAIN_RANKING,
        note=(
            f"Share of each {what}'s statements in each of the study's pain themes (the most "
            f"common; {int(n_per.sum())} of {n_all} statements carry a {what}). ▲ emerging = in "
            f"the latest {what} more common than in any earlier {what} and than their average "
            f"(Benjamini–Hochberg p < 0.05, at least ×{EMERGING_LIFT})."
        ),
    )
