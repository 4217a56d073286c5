"""report.html in real headless Chromium: no console errors, cards, drill-down, no script injection.

Needs Debian's `chromium` and `chromium-driver` (`apt-get install -y chromium chromium-driver`)
and the `selenium` package (dev extra). Skipped when they are missing, except under CI=true,
where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from test_personas import XSS, tiny_study

from insight.personas import build_personas
from insight.report import write_outputs

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


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
def report(tmp_path_factory):
    study = tiny_study()
    personas = build_personas(study)
    out = tmp_path_factory.mktemp("browser")
    paths = write_outputs(personas, study, out, run_info={"seed": 0, "insight_version": "test"})
    return personas, paths["report"]


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
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(DRIVER), options=opts)
    drv.set_page_load_timeout(60)
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


def test_loads_without_console_errors(page):
    driver, _ = page
    logs = driver.get_log("browser")
    errors = [entry for entry in logs if entry["level"] in ("SEVERE", "ERROR")]
    assert errors == []
    assert driver.title


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
    # no <script> element came from user text: only the page's own two scripts exist
    assert driver.execute_script("return document.scripts.length") == 2
    # the quote search renders the same text safely
    box = driver.find_element(By.ID, "quote-search")
    box.send_keys("alert(1)")
    results = driver.find_elements(By.CSS_SELECTOR, "#search-results blockquote.q")
    assert results and XSS in results[0].text
    assert _no_alert(driver)
    assert driver.execute_script("return document.scripts.length") == 2
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == []
