"""The pages in a real browser: headless Chromium (Debian's chromium +
chromium-driver) driven by selenium against the real server (gunicorn via
``python server.py``) on the bundled graph. Screenshots go to tests/artifacts/
for a person to look at.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from admiukg import config

ARTIFACTS = config.ROOT / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1300,1000",
)
WAIT = 20


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from sparql_live import LiveServer

    server = LiveServer(["--workers", "1"], cache_dir=tmp_path_factory.mktemp("browser-store"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            raise FileNotFoundError(f"{path} is missing: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name):
    """Full-page screenshot (window grown to the page's height)."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1300, min(max(height, 800), 4000))
    time.sleep(0.2)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1300, 1000)


def script_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_landing_page_draws_the_relations_picture(site, browser):
    browser.get(site.url + "/?lang=en")
    svg = WebDriverWait(browser, WAIT).until(
        EC.visibility_of_element_located((By.CSS_SELECTOR, "svg.relations"))
    )
    assert svg.size["width"] > 600 and svg.size["height"] > 300
    networks = browser.find_elements(By.CSS_SELECTOR, "svg.relations > g.nodes a.n-network")
    countries = browser.find_elements(By.CSS_SELECTOR, "svg.relations > g.nodes a.n-country")
    assert len(networks) >= 3 and len(countries) >= 5
    names = {a.find_element(By.TAG_NAME, "text").text for a in networks}
    assert {"Cumulus", "BSUN"} <= names
    years = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "svg.relations g.timeline text.year")]
    assert "2022" in years and "2023" in years
    screenshot(browser, "landing-en")
    browser.get(site.url + "/?lang=az")
    assert "ADMİU-nun beynəlxalq əlaqələri" in browser.find_element(By.CSS_SELECTOR, "#relations h2").text
    screenshot(browser, "landing-az")
    assert not script_errors(browser)


def test_saved_query_runs_from_the_query_page_and_links_to_entities(site, browser):
    browser.get(site.url + "/sparql")
    wait = WebDriverWait(browser, WAIT)
    buttons = wait.until(EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#examples button.example")))
    by_name = {b.get_attribute("data-name"): b for b in buttons}
    (by_name.get("admiu-networks") or buttons[0]).click()
    rows = wait.until(
        EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#results table.results tbody tr"))
    )
    assert len(rows) >= 1
    assert "rows" in browser.find_element(By.ID, "status").text
    highlighted = browser.find_elements(By.CSS_SELECTOR, "#highlight .tok-keyword")
    assert any(k.text.upper() == "SELECT" for k in highlighted)
    screenshot(browser, "query-example")
    local = browser.find_element(By.CSS_SELECTOR, "#results a.local")
    assert local.get_attribute("href").startswith(site.url + "/id/")
    local.click()
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "article.entity h1")))
    assert "/doc/" in browser.current_url
    assert not script_errors(browser)


def test_example_in_the_url_hash_runs_with_labels_in_the_page_language(site, browser):
    browser.get(site.url + "/sparql?lang=az#admiu-networks")
    WebDriverWait(browser, WAIT).until(
        EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#results table.results tbody tr"))
    )
    cells = {span.text for span in browser.find_elements(By.CSS_SELECTOR, "#results td span.lit")}
    assert "Qara Dəniz Universitetləri Şəbəkəsi" in cells
    assert "#+" not in browser.find_element(By.ID, "query").get_attribute("value")
    screenshot(browser, "query-example-az")


def test_results_download_as_csv_and_json(site, browser, tmp_path):
    browser.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    browser.get(site.url + "/query")
    editor = WebDriverWait(browser, WAIT).until(EC.element_to_be_clickable((By.ID, "query")))
    editor.clear()
    editor.send_keys("SELECT ?n WHERE { ?n a <https://kg.admiu.example/ontology#Network> } ORDER BY ?n")
    for fmt in ("text/csv", "application/sparql-results+json"):
        browser.find_element(By.CSS_SELECTOR, f"#dl-format option[value='{fmt}']").click()
        browser.find_element(By.ID, "dl").click()
    csv_file, json_file = tmp_path / "results.csv", tmp_path / "results.json"
    WebDriverWait(browser, WAIT).until(lambda _: csv_file.exists() and json_file.exists())
    lines = csv_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "n" and len(lines) == 4
    assert "https://kg.admiu.example/id/cumulus" in lines
    assert len(json.loads(json_file.read_text())["results"]["bindings"]) == 3


def test_typed_query_runs_and_shows_rows(site, browser):
    browser.get(site.url + "/query")
    editor = WebDriverWait(browser, WAIT).until(EC.element_to_be_clickable((By.ID, "query")))
    editor.clear()
    editor.send_keys("SELECT ?s WHERE { ?s a <https://kg.admiu.example/ontology#Network> } ORDER BY ?s")
    browser.find_element(By.ID, "run").click()
    rows = WebDriverWait(browser, WAIT).until(
        EC.presence_of_all_elements_located((By.CSS_SELECTOR, "#results table.results tbody tr"))
    )
    assert len(rows) == 3
    assert rows[0].find_element(By.TAG_NAME, "a").text.startswith("id:")


def test_entity_page_shows_its_verbatim_excerpt_and_translation(site, browser):
    browser.get(site.url + "/id/cumulus?lang=az")  # 303 to the page
    wait = WebDriverWait(browser, WAIT)
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "figure.excerpt")))
    assert browser.current_url.startswith(site.url + "/doc/cumulus")
    source = config.SOURCE_FILE.read_text(encoding="utf-8")
    quotes = browser.find_elements(By.CSS_SELECTOR, "figure.excerpt blockquote:not(.translation)")
    assert quotes and all(q.text in source for q in quotes)
    assert browser.find_element(By.CSS_SELECTOR, "figure.excerpt blockquote.translation").text
    assert browser.find_element(By.TAG_NAME, "h1").text == "Cumulus"
    screenshot(browser, "entity-cumulus-az")
    browser.get(site.url + "/id/admiu?lang=en")
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "figure.excerpt")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Azerbaijan State University of Culture and Arts"
    screenshot(browser, "entity-admiu-en")


def test_ontology_reference_opens_at_the_term(site, browser):
    browser.get(site.url + "/ontology#Network")
    entry = WebDriverWait(browser, WAIT).until(EC.visibility_of_element_located((By.ID, "Network")))
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", entry)
    assert 0 <= top < 200  # scrolled to the hash IRI's entry
    screenshot(browser, "ontology")
    browser.get(site.url + "/shapes")
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, "table.shape-props")))
    screenshot(browser, "shapes")
