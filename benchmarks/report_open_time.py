"""How big is report.html and how fast does it open in headless Chromium?

Usage:
    python benchmarks/report_open_time.py STUDY_OUT [--rerender]
        STUDY_OUT: the --out folder of an `insight run` (report.html, study.duckdb).
        --rerender: first rebuild report.html from the study's store (no pipeline re-run).
    python benchmarks/report_open_time.py --compare-libs VEGA_DIR
        The same seven charts drawn with Plotly (plotly.min.js from the installed `plotly`
        wheel) and with Vega-Lite (vega, vega-lite, vega-embed builds unpacked from npm
        into VEGA_DIR: `npm pack vega@6 vega-lite@6 vega-embed@7` then untar each), both
        embedded in one offline page; prints size, first contentful paint and the time
        until every chart has drawn.

Needs Debian's chromium + chromium-driver and selenium. Prints one JSON object; with a
study, also writes benchmarks/results/report_open_time.json.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# measured in the page: first contentful paint, and the time at which every chart holder
# has an <svg> or <canvas> with size (charts draw after first paint, lazily or not)
_PROBE = """
const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
const holders = Array.from(document.querySelectorAll('[data-chart]'));
const drawn = holders.filter(h => { const s = h.querySelector('svg, canvas');
  if (!s) return false; const r = s.getBoundingClientRect(); return r.width > 0 && r.height > 0; });
return {fcp_ms: fcp ? fcp.startTime : null, charts: holders.length, drawn: drawn.length,
        done_ms: window.__chartsDone || null,
        dom_ms: performance.timing.domContentLoadedEventEnd - performance.timing.navigationStart,
        load_ms: performance.timing.loadEventEnd - performance.timing.navigationStart,
        scroll_w: document.documentElement.scrollWidth, client_w: document.documentElement.clientWidth};
"""


def _driver():  # pragma: no cover - needs a browser
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium") or "chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--window-size=1280,1000",
        f"--user-data-dir={tempfile.mkdtemp(prefix='insight-bench-')}",
    ):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def open_time(path: Path, repeats: int = 3, scroll: bool = True) -> dict:
    """Median first paint and all-charts-drawn time over ``repeats`` cold page loads."""
    runs = []
    drv = _driver()
    try:
        for _ in range(repeats):
            drv.get("about:blank")
            t0 = time.perf_counter()
            drv.get(path.resolve().as_uri())
            # lazily drawn charts draw when scrolled into view; scroll through the page
            if scroll:
                drv.execute_script(
                    "document.querySelectorAll('[data-chart]').forEach(h => h.scrollIntoView());"
                    "window.scrollTo(0, 0);"
                )
            deadline = time.time() + 30
            res = drv.execute_script(_PROBE)
            while res["drawn"] < res["charts"] and time.time() < deadline:
                time.sleep(0.05)
                res = drv.execute_script(_PROBE)
            res["wall_all_drawn_ms"] = round(1000 * (time.perf_counter() - t0))
            runs.append(res)
    finally:
        drv.quit()
    runs.sort(key=lambda r: r["fcp_ms"] or 0)
    med = runs[len(runs) // 2]
    return {
        "bytes": path.stat().st_size,
        "mb": round(path.stat().st_size / 1e6, 2),
        "first_contentful_paint_ms": round(med["fcp_ms"] or 0),
        "all_charts_drawn_ms": med["wall_all_drawn_ms"],
        "charts": med["charts"],
        "charts_drawn": med["drawn"],
        "horizontal_scroll_at_1280": med["scroll_w"] > med["client_w"],
        "runs": runs,
    }


# --- the library comparison ---------------------------------------------------------------
def _demo_data():
    import numpy as np

    rng = np.random.default_rng(0)
    segs = [f"P{i}" for i in range(1, 7)]
    items = [f"Attitude item number {i} about the product" for i in range(1, 9)]
    themes = [f"theme {i}" for i in range(1, 31)]
    return rng, segs, items, themes


def _plotly_page(out: Path) -> Path:
    import plotly

    rng, segs, items, themes = _demo_data()
    js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text("utf-8")
    figs = []
    figs.append(
        {"data": [{"type": "bar", "orientation": "h", "y": segs, "x": [30, 25, 20, 12, 8, 5]}]}
    )
    for _level, _colour in zip(
        range(5), ["#b35806", "#f1a340", "#ddd", "#998ec3", "#542788"], strict=True
    ):
        pass
    figs.append(
        {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": f"level {k}",
                    "y": [f"{i[:20]} {s}" for i in items for s in segs],
                    "x": (rng.random(48) * (1 if k > 2 else -1)).tolist(),
                    "marker": {"color": c},
                }
                for k, c in enumerate(["#b35806", "#f1a340", "#ddd", "#998ec3", "#542788"])
            ],
            "layout": {"barmode": "relative", "height": 900},
        }
    )
    figs.append(
        {
            "data": [
                {"type": "heatmap", "x": segs, "y": themes, "z": rng.random((30, 6)).tolist()}
            ],
            "layout": {"height": 700},
        }
    )
    figs.append(
        {
            "data": [
                {
                    "type": "scatter",
                    "mode": "markers+text",
                    "x": rng.random(40).tolist(),
                    "y": rng.random(40).tolist(),
                    "text": themes[:40],
                }
            ]
        }
    )
    figs.append(
        {
            "data": [
                {
                    "type": "bar",
                    "name": s,
                    "x": ["anger", "disgust", "fear", "joy", "sadness", "surprise"],
                    "y": rng.random(6).tolist(),
                }
                for s in segs
            ]
        }
    )
    figs.append(
        {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": t,
                    "x": ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"],
                    "y": rng.random(6).tolist(),
                }
                for t in themes[:8]
            ]
        }
    )
    figs.append(
        {
            "data": [
                {
                    "type": "sunburst",
                    "labels": ["all", *themes],
                    "parents": ["", *["all"] * 10, *[themes[i // 2] for i in range(20)]],
                    "values": [0] + [1] * 30,
                }
            ]
        }
    )
    body = "".join(
        f'<div data-chart id="c{i}" style="height:450px"></div>' for i in range(len(figs))
    )
    script = (
        "var F="
        + json.dumps(figs)
        + ";var n=0;F.forEach(function(f,i){Plotly.newPlot('c'+i,f.data,"
        "f.layout||{},{responsive:true}).then(function(){if(++n===F.length){window.__chartsDone=performance.now();}});});"
    )
    page = f"<!DOCTYPE html><html><head><meta charset=utf-8><title>plotly</title></head><body><h1>Plotly</h1>{body}<script>{js}</script><script>{script}</script></body></html>"
    path = out / "plotly.html"
    path.write_text(page, "utf-8")
    return path


def _vega_page(out: Path, vega_dir: Path) -> Path:
    rng, segs, items, themes = _demo_data()
    js = "".join(
        next(vega_dir.glob(pattern)).read_text("utf-8") + "\n"
        for pattern in (
            "vega-[0-9]*/build/vega.min.js",
            "vega-lite-*/build/vega-lite.min.js",
            "vega-embed-*/build/vega-embed.min.js",
        )
    )
    emos = ["anger", "disgust", "fear", "joy", "sadness", "surprise"]
    specs = [
        {
            "mark": "bar",
            "data": {
                "values": [
                    {"s": s, "n": n} for s, n in zip(segs, [30, 25, 20, 12, 8, 5], strict=True)
                ]
            },
            "encoding": {"y": {"field": "s"}, "x": {"field": "n", "type": "quantitative"}},
        },
        {
            "mark": "bar",
            "height": 900,
            "data": {
                "values": [
                    {
                        "row": f"{i[:20]} {s}",
                        "k": k,
                        "v": float(rng.random()) * (1 if k > 2 else -1),
                    }
                    for i in items
                    for s in segs
                    for k in range(5)
                ]
            },
            "encoding": {
                "y": {"field": "row"},
                "x": {"field": "v", "type": "quantitative", "stack": "zero"},
                "color": {"field": "k", "type": "ordinal"},
            },
        },
        {
            "mark": "rect",
            "height": 700,
            "data": {
                "values": [{"t": t, "s": s, "z": float(rng.random())} for t in themes for s in segs]
            },
            "encoding": {
                "y": {"field": "t"},
                "x": {"field": "s"},
                "color": {"field": "z", "type": "quantitative"},
            },
        },
        {
            "layer": [
                {"mark": "point"},
                {"mark": {"type": "text", "dy": -8}, "encoding": {"text": {"field": "t"}}},
            ],
            "data": {
                "values": [
                    {"x": float(rng.random()), "y": float(rng.random()), "t": t} for t in themes
                ]
            },
            "encoding": {
                "x": {"field": "x", "type": "quantitative"},
                "y": {"field": "y", "type": "quantitative"},
            },
        },
        {
            "mark": "bar",
            "data": {
                "values": [{"e": e, "s": s, "v": float(rng.random())} for e in emos for s in segs]
            },
            "encoding": {
                "x": {"field": "e"},
                "xOffset": {"field": "s"},
                "y": {"field": "v", "type": "quantitative"},
                "color": {"field": "s"},
            },
        },
        {
            "mark": {"type": "line", "point": True},
            "data": {
                "values": [
                    {"p": f"Q{q}", "t": t, "v": float(rng.random())}
                    for t in themes[:8]
                    for q in range(1, 7)
                ]
            },
            "encoding": {
                "x": {"field": "p"},
                "y": {"field": "v", "type": "quantitative"},
                "color": {"field": "t"},
            },
        },
        # Vega-Lite has no sunburst/partition mark: the hierarchy is drawn as a bar of sub-themes
        {
            "mark": "bar",
            "data": {"values": [{"t": t, "v": 1} for t in themes]},
            "encoding": {"y": {"field": "t"}, "x": {"field": "v", "type": "quantitative"}},
        },
    ]
    body = "".join(f'<div data-chart id="c{i}"></div>' for i in range(len(specs)))
    script = (
        "var S="
        + json.dumps(specs)
        + ";Promise.all(S.map(function(s,i){s.width='container';return vegaEmbed('#c'+i,s,{renderer:'svg'});}))"
        ".then(function(){window.__chartsDone=performance.now();});"
    )
    page = f"<!DOCTYPE html><html><head><meta charset=utf-8><title>vega</title><style>[data-chart]{{width:100%}}</style></head><body><h1>Vega-Lite</h1>{body}<script>{js}</script><script>{script}</script></body></html>"
    path = out / "vega.html"
    path.write_text(page, "utf-8")
    return path


def compare_libs(vega_dir: Path) -> dict:
    out = Path(tempfile.mkdtemp(prefix="insight-libs-"))
    res = {}
    for name, path in (("plotly", _plotly_page(out)), ("vega-lite", _vega_page(out, vega_dir))):
        r = open_time(path, repeats=5, scroll=False)
        res[name] = {k: r[k] for k in ("mb", "first_contentful_paint_ms", "charts_drawn")} | {
            "all_charts_drawn_ms_in_page": sorted(x["done_ms"] or 0 for x in r["runs"])[2]
        }
    return res


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare-libs"] and len(argv) == 2:
        print(json.dumps(compare_libs(Path(argv[1])), indent=2))
        return 0
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    study = Path(argv[0])
    if "--rerender" in argv:
        from insight.report.html import rerender_report

        t0 = time.perf_counter()
        rerender_report(study)
        print(f"re-rendered in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    res = open_time(study / "report.html")
    res["study"] = str(study)
    print(json.dumps({k: v for k, v in res.items() if k != "runs"}, indent=2))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "report_open_time.json").write_text(
        json.dumps(res, indent=2, default=str) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
