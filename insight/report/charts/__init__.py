"""The report's charts: Plotly figures (plain JSON, drawn by plotly.js embedded once in the page).

Each chart is a :class:`Chart`: a Plotly figure (``data`` + ``layout`` dicts, built here
without importing the plotly Python package), a one-line takeaway written from the same
numbers, a link to the section holding the evidence, and, per clickable mark, the quotes
behind it (indices into one shared :class:`QuotePool`). The page's script draws every
figure, shows "n of N" and a quote on hover, lists the quotes of a mark when it is
clicked, and offers PNG and SVG downloads.

Why Plotly: measured with ``benchmarks/report_open_time.py --compare-libs`` against
Vega-Lite 6 (vega + vega-lite + vega-embed from npm), same seven charts, headless
Chromium, one offline page each: Plotly 4.8 MB, first paint 260 ms; Vega-Lite 0.9 MB,
224 ms. Both fit the budget (< 10 MB, < 3 s); Plotly draws the theme hierarchy as a
sunburst (Vega-Lite has no partition mark), exports PNG and SVG from its own toolbar,
and ships inside the ``plotly`` wheel that BERTopic already depends on, so no JavaScript
is vendored into this repository.

Every string that came from the data goes through :func:`ptext` (HTML-escaped: Plotly
renders a subset of HTML in labels and hover text).

Colours: Okabe-Ito for categories (personas), ColorBrewer PuOr for the diverging
agree/disagree scale and cividis for shares -- all readable with colour-blindness.

Layout: :mod:`.common` (palette, limits, text formatting, the quote pool, :class:`Chart`,
the base layout, table look-ups), one module per chart family -- :mod:`.sizes` (persona
sizes, attitude items), :mod:`.themes` (heat map, sunburst), :mod:`.pains` (pain points,
emotions), :mod:`.vocabulary`, :mod:`.change` (themes and pain points over time) -- and
here :func:`build_charts`, which makes every chart the data supports.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from insight.report.charts.change import change_chart, pain_change_chart
from insight.report.charts.common import MAX_WHEEL_THEMES, Chart, QuotePool
from insight.report.charts.pains import emotions_chart, pains_chart
from insight.report.charts.sizes import attitudes_chart, sizes_chart
from insight.report.charts.themes import hierarchy_chart, themes_chart
from insight.report.charts.vocabulary import vocabulary_chart

__all__ = [
    "MAX_WHEEL_THEMES",
    "Chart",
    "QuotePool",
    "attitudes_chart",
    "build_charts",
    "change_chart",
    "emotions_chart",
    "hierarchy_chart",
    "pain_change_chart",
    "pains_chart",
    "plotly_js",
    "sizes_chart",
    "themes_chart",
    "vocabulary_chart",
]


# --- all charts -----------------------------------------------------------------------------------
def build_charts(
    tables: Any,
    personas: Sequence[dict[str, Any]],
    item_text: dict[str, str],
    n_resp: int,
    run_info: dict[str, Any] | None = None,
) -> tuple[dict[str, Chart], QuotePool]:
    """Every chart the data supports, keyed by name; a chart that fails is left out, not the report."""
    import logging

    from insight.personas import EKMAN_GROUPS

    pool = QuotePool()
    makers = {
        "sizes": lambda: sizes_chart(personas, pool, n_resp, (run_info or {}).get("segmentation")),
        "attitudes": lambda: attitudes_chart(tables, personas, item_text, pool),
        "themes": lambda: themes_chart(tables, personas, pool),
        "hierarchy": lambda: hierarchy_chart(tables, pool),
        "pains": lambda: pains_chart(personas, pool),
        "emotions": lambda: emotions_chart(personas, pool, EKMAN_GROUPS),
        "vocabulary": lambda: vocabulary_chart(tables, personas, pool),
        "change": lambda: change_chart(tables, pool),
        "pain_change": lambda: pain_change_chart(tables, pool, personas),
    }
    charts: dict[str, Chart] = {}
    for name, make in makers.items():
        try:
            c = make()
        except Exception as e:
            logging.getLogger(__name__).warning("report chart %s left out: %s", name, e)
            c = None
        if c is not None:
            charts[name] = c
    return charts, pool


def plotly_js() -> str:
    """plotly.min.js from the installed ``plotly`` package (embedded once, never fetched)."""
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        from insight.errors import InsightError

        raise InsightError(
            "the report's charts need the plotly package (its plotly.min.js is embedded in report.html)",
            fix="pip install plotly",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "package_data" / "plotly.min.js"
    js = path.read_text(encoding="utf-8")
    # an inline <script> must not contain its own end tag
    return js.replace("</script", "<\\/script").replace("<!--", "<\\!--")
