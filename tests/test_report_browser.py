"""report.html in real headless Chromium.

Two reports: the tiny hand-built study (cards, drill-down, no script injection) and a
real one -- `insight run` on a slice of the sample study (survey, reviews with dates,
interviews; real models) -- on which every chart must draw (non-empty SVG, no console
error), no request may leave the file, the page must not scroll sideways at 1280 px
(on screen or in print), hover must show "n of N" and a quote, a click must list the
quotes, and every chart must export to PNG and SVG. Screenshots of every chart and a
PDF print go to ``$INSIGHT_SCREENSHOTS`` (default: ``<pytest basetemp>/report-screenshots``).

Needs Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium chromium-driver`)
and the `selenium` package (dev extra). Skipped when they are missing, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import base64
import csv
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from test_personas import XSS, tiny_study

from insight.personas import build_personas
from insight.report import write_outputs

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
#: the charts a study with Likert items, topics, pains, emotions and dated reviews must have
REAL_CHARTS = {
    "chart-sizes",
    "chart-attitudes",
    "chart-themes",
    "chart-pains",
    "chart-emotions",
    "chart-vocabulary",
    "chart-change",
}
#: SVG elements that are data marks in Plotly's output (bars, points, cells, slices, labels)
MARKS = ".point, .heatmaplayer image, .hm image, .slice, .textpoint"


def _need_browser() -> None:
    missing = []
    if not CHROMIUM:
        missing.append("chromium")
    if not DRIVER:
        missing.append("chromedriver (chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing:
        msg = (
            "browser test needs "
            + ", ".join(missing)
            + ": apt-get install -y chromium chromium-driver; pip install selenium"
        )
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(
        os.environ.get("INSIGHT_SCREENSHOTS")
        or tmp_path_factory.getbasetemp() / "report-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    study = tiny_study()
    personas = build_personas(study)
    out = tmp_path_factory.mktemp("browser")
    # every row-accounting column, and a long file name: the table must still fit 1280 px
    wide = {
        "source": "creatives_transcripts_exported_from_the_research_platform_2026-11-29.csv",
        "source_type": "transcript",
        "rows_read": 2643,
        "rows_with_units": 2611,
        "skipped_empty": 4,
        "skipped_non_answer": 28,
        "skipped_duplicate": 0,
        "skipped_unparseable": 0,
        "skipped_observer_note": 0,
        "respondents": 125,
        "units": 10694,
        "participant_units": 4842,
        "interviewer_units": 5852,
        "language": "en",
    }
    run = {"seed": 0, "insight_version": "test", "inputs": [wide]}
    paths = write_outputs(personas, study, out, run_info=run)
    return personas, paths["report"]


def _slice_of_samples(folder: Path) -> Path:
    """150 survey responses, every third review (dates across 22 months), three interviews."""
    data = folder / "data"
    (data / "interviews").mkdir(parents=True)
    with open(SAMPLES / "survey" / "brewline_customer_survey_2026.csv", encoding="utf-8-sig") as f:
        lines = f.read().splitlines(keepends=True)
    (data / "survey.csv").write_text("".join(lines[: 3 + 150]), encoding="utf-8")
    with open(SAMPLES / "reviews" / "brewline_reviews.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    with open(data / "reviews.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0], *rows[1::3]])
    for name in sorted(p.name for p in (SAMPLES / "interviews").iterdir())[:3]:
        shutil.copy(SAMPLES / "interviews" / name, data / "interviews")
    return data


@pytest.fixture(scope="module")
def real_report(tmp_path_factory) -> tuple[Path, set[str]]:
    """`insight run` on a slice of the samples (real models): the report a researcher gets,
    and the charts it must have. ``INSIGHT_BROWSER_STUDY=<an insight run --out folder>``
    checks that study's report instead (any study: then only the size chart is required)."""
    _need_browser()  # skip before the run when there is no browser
    given = os.environ.get("INSIGHT_BROWSER_STUDY")
    if given:
        return Path(given) / "report.html", {"chart-sizes"}
    from click.testing import CliRunner

    from insight.cli import main

    root = tmp_path_factory.mktemp("real")
    data = _slice_of_samples(root)
    out = root / "out"
    res = CliRunner().invoke(
        main, ["run", str(data), "--out", str(out), "--seed", "0", "--bootstrap", "5"]
    )
    assert res.exit_code == 0, res.output
    return out / "report.html", REAL_CHARTS


@pytest.fixture(scope="module")
def driver():
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="insight-chromium-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.set_page_load_timeout(60)
    drv.set_script_timeout(30)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(driver, report):
    personas, path = report
    driver.get(path.resolve().as_uri())
    driver.execute_script("return document.readyState")
    return driver, personas


def _no_alert(driver) -> bool:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        driver.switch_to.alert  # noqa: B018
    except NoAlertPresentException:
        return True
    return False


def _errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def test_loads_without_console_errors(page):
    driver, _ = page
    assert _errors(driver) == []
    assert driver.title


def test_every_accounting_column_fits_1280(page):
    driver, _ = page
    assert (
        driver.execute_script("return document.querySelectorAll('#method table.fit th').length")
        == 14
    )
    page_w, view_w, scrollers = driver.execute_script(_OVERFLOW)
    assert page_w <= view_w and scrollers == []


def test_one_card_per_persona(page):
    from selenium.webdriver.common.by import By

    driver, personas = page
    cards = driver.find_elements(By.CSS_SELECTOR, "article.persona-card")
    assert len(cards) == len(personas) == 2
    assert [c.get_attribute("id") for c in cards] == [p.id for p in personas]
    for card, p in zip(cards, personas, strict=True):
        assert p.name in card.find_element(By.TAG_NAME, "h2").text


def test_drill_down_reveals_quotes(page):
    from selenium.webdriver.common.by import By

    driver, personas = page
    claim = personas[0].pain_points[0]
    details = driver.find_element(By.ID, claim.id)
    quotes = details.find_elements(By.CSS_SELECTOR, "blockquote.q")
    assert quotes and not any(q.is_displayed() for q in quotes)
    details.find_element(By.TAG_NAME, "summary").click()
    assert details.get_attribute("open") is not None
    shown = [q.text for q in quotes if q.is_displayed()]
    assert shown and shown[0].strip("“”") == claim.quotes[0].text


def test_script_in_a_quote_is_text_not_code(page):
    from selenium.webdriver.common.by import By

    driver, _ = page
    assert _no_alert(driver)
    driver.find_element(By.ID, "expand-all").click()
    texts = [q.text for q in driver.find_elements(By.CSS_SELECTOR, "blockquote.q")]
    assert any(XSS in t for t in texts)
    # no <script> element came from user text: only the page's own three scripts exist
    # (the JSON block, plotly.js, the page script)
    assert driver.execute_script("return document.scripts.length") == 3
    # the quote search renders the same text safely
    box = driver.find_element(By.ID, "quote-search")
    box.send_keys("alert(1)")
    results = driver.find_elements(By.CSS_SELECTOR, "#search-results blockquote.q")
    assert results and XSS in results[0].text
    # chart hover text holds the quote as text too (Plotly renders a subset of HTML)
    _wait_drawn(driver)
    hover = driver.execute_script(
        "return Array.from(document.querySelectorAll('[data-chart]'))"
        ".map(h => JSON.stringify(h.data || [])).join(' ')"
    )
    assert "<script>" not in hover
    assert _no_alert(driver)
    assert driver.execute_script("return document.scripts.length") == 3
    assert _errors(driver) == []


# --- the real study ---------------------------------------------------------------------------
def _wait_drawn(driver, timeout: float = 60) -> list[str]:
    """Scroll every chart into view (they draw lazily) and wait until all have drawn."""
    driver.execute_script(
        "document.querySelectorAll('[data-chart]').forEach(h => h.scrollIntoView());"
        "window.scrollTo(0, 0);"
    )
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = driver.execute_script(
            "const h = Array.from(document.querySelectorAll('[data-chart]'));"
            "return [h.length, h.filter(x => x.dataset.drawn).length, h.map(x => x.id)];"
        )
        if state[0] == state[1]:
            return state[2]
        time.sleep(0.2)
    raise AssertionError(f"charts not drawn after {timeout}s: {state[:2]}")


@pytest.fixture(scope="module")
def real_page(driver, real_report):
    path, expected = real_report
    driver.get_log("performance")  # start the network log afresh
    driver.get(path.resolve().as_uri())
    ids = _wait_drawn(driver)
    assert set(ids) >= expected, sorted(expected - set(ids))
    return driver, ids


def test_every_chart_renders_without_errors(real_page, shots):
    from selenium.webdriver.common.by import By

    driver, ids = real_page
    assert _errors(driver) == []
    for cid in ids:
        holder = driver.find_element(By.ID, cid)
        size = driver.execute_script(
            "const s = arguments[0].querySelector('svg.main-svg');"
            "if (!s) return null; const r = s.getBoundingClientRect();"
            "return [r.width, r.height, arguments[0].querySelectorAll(arguments[1]).length];",
            holder,
            MARKS,
        )
        assert size is not None, f"{cid}: no SVG"
        width, height, marks = size
        assert width > 300 and height > 100, (cid, size)
        assert marks > 0, f"{cid}: an empty chart"
        card = driver.find_element(By.ID, f"{cid}-card")
        assert len(card.find_element(By.CSS_SELECTOR, "p.takeaway").text) > 20
        driver.execute_script("arguments[0].scrollIntoView()", card)
        card.screenshot(str(shots / f"{cid}.png"))
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(str(shots / "top.png"))


def test_no_request_leaves_the_file(real_page):
    driver, _ = real_page
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    assert urls, "the network log recorded nothing"
    outside = [u for u in urls if not u.startswith(("file:", "data:", "blob:", "about:"))]
    assert outside == []
    resources = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert [u for u in resources if not u.startswith(("file:", "data:", "blob:"))] == []


_OVERFLOW = """
const out = [];
document.querySelectorAll('body *').forEach(el => {
  const st = getComputedStyle(el);
  if ((st.overflowX === 'auto' || st.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1)
    out.push(el.tagName + '#' + el.id + '.' + el.className);
});
return [document.documentElement.scrollWidth, document.documentElement.clientWidth, out];
"""


def test_no_horizontal_scrolling_at_1280_on_screen_or_print(real_page, shots):
    driver, _ = real_page
    assert driver.execute_script("return window.innerWidth") >= 1260
    page_w, view_w, scrollers = driver.execute_script(_OVERFLOW)
    assert page_w <= view_w and scrollers == []
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        page_w, view_w, scrollers = driver.execute_script(_OVERFLOW)
        assert page_w <= view_w and scrollers == []
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF") and len(data) > 50_000
    (shots / "report.pdf").write_bytes(data)


def test_hover_shows_n_of_N_and_a_quote(real_page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver, _ = real_page
    holder = driver.find_element(By.ID, "chart-sizes")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", holder)
    bar = holder.find_elements(By.CSS_SELECTOR, ".point path")[0]
    ActionChains(driver).move_to_element(bar).perform()
    deadline, text = time.time() + 5, ""
    while time.time() < deadline and not text:
        text = driver.execute_script(
            "const h = document.querySelector('#chart-sizes .hoverlayer .hovertext');"
            "return h ? h.textContent : '';"
        )
        time.sleep(0.1)
    assert " of " in text and "segmented respondents" in text and "“" in text


def test_click_on_a_bar_lists_its_quotes(real_page):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver, _ = real_page
    for cid in ("chart-sizes", "chart-pains"):
        holder = driver.find_element(By.ID, cid)
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", holder)
        mark = holder.find_elements(By.CSS_SELECTOR, ".point")[0]
        ActionChains(driver).move_to_element(mark).pause(0.2).click().perform()
        box = driver.find_element(By.ID, f"{cid}-quotes")
        deadline = time.time() + 5
        while time.time() < deadline and not box.find_elements(By.CSS_SELECTOR, "blockquote.q"):
            time.sleep(0.1)
        quotes = [q.text for q in box.find_elements(By.CSS_SELECTOR, "blockquote.q")]
        assert quotes, cid
        head = box.find_element(By.CSS_SELECTOR, ".qhead")
        assert " of " in head.text
        link = head.find_element(By.TAG_NAME, "a").get_attribute("href")
        target = link.split("#", 1)[1]
        assert driver.find_elements(By.ID, target), target
        # the listed quotes are the verbatim quotes the page carries for that mark
        pool = driver.execute_script(
            "return JSON.parse(document.getElementById('insight-data').textContent).pool"
            ".map(q => q.text)"
        )
        assert all(q.strip("“”") in pool for q in quotes)


def test_every_chart_exports_png_and_svg(real_page):
    driver, ids = real_page
    for cid in ids:
        for fmt, prefix in (("png", "data:image/png"), ("svg", "data:image/svg+xml")):
            url = driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "Plotly.toImage(document.getElementById(arguments[0]), {format: arguments[1]})"
                ".then(done, e => done('error: ' + e));",
                cid,
                fmt,
            )
            assert url.startswith(prefix) and len(url) > 2000, (cid, fmt, url[:80])
    assert _errors(driver) == []
