"""The query page in headless Chromium against the real server (``python server.py`` on the
bundled graph, query deadline 3 s): the server's error messages, completion from the prefix
table and the served graph, sorting, filtering and paging, share links, reloads, downloads of
graph results, the keyboard, charts, safe links, the row cap, both languages, all under the
page's strict Content-Security-Policy. Screenshots go to tests/artifacts/query-*.png.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from test_browser import WAIT, browser, screenshot, script_errors  # noqa: F401 (fixture)

AU = "https://kg.admiu.example/ontology#"
NETWORK = f"<{AU}Network>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from sparql_live import LiveServer

    server = LiveServer(["--workers", "1", "--timeout", "3"],
                        cache_dir=tmp_path_factory.mktemp("query-browser-store"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def page(site, browser):  # noqa: F811
    """A fresh query page (no draft left from the previous test)."""
    browser.get(site.url + "/query?lang=en")
    browser.execute_script("localStorage.clear()")
    browser.get(site.url + "/query?lang=en")
    WebDriverWait(browser, WAIT).until(EC.element_to_be_clickable((By.ID, "query")))
    browser.get_log("browser")  # drop what earlier pages logged
    return browser


def page_errors(driver):
    """Script errors and policy violations (HTTP errors the tests provoke are expected)."""
    return [e for e in script_errors(driver) if e.get("source") != "network"]


def wait(driver, condition, timeout=WAIT):
    return WebDriverWait(driver, timeout).until(condition)


def set_query(driver, text):
    driver.execute_script(
        "var e = document.getElementById('query'); e.value = arguments[0];"
        "e.dispatchEvent(new Event('input'));", text)


def run(driver, text=None):
    if text is not None:
        set_query(driver, text)
    driver.execute_script("document.getElementById('status').textContent = ''")
    driver.find_element(By.ID, "run").click()
    wait(driver, lambda d: d.find_element(By.ID, "status").text not in ("", "Running…"))


def rows(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#results table.results tbody tr")


def error_text(driver):
    box = wait(driver, EC.visibility_of_element_located((By.ID, "error")))
    return box.text


def test_syntax_error_shows_the_servers_message_and_position(page):
    run(page, "SELECT * WHERE { ?s ?p ?o OPTINAL { ?s ?p ?o } }")
    text = error_text(page)
    assert "HTTP 400" in text
    assert "syntax error at line 1, column 35: expected OPTIONAL" in text, text
    assert "400 BAD REQUEST: syntax" not in text
    assert page.execute_script("return document.getElementById('query').selectionStart") == 34
    screenshot(page, "query-syntax-error")


def test_refusal_timeout_and_406_show_the_servers_message(page):
    run(page, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    text = error_text(page)
    assert "HTTP 403" in text and "SERVICE" in text, text
    run(page, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    text = error_text(page)
    assert "HTTP 503" in text and "3" in text and "s" in text, text
    assert "deadline" in text or "timed out" in text or "time" in text, text
    # a format the server cannot give: the page's downloads show its 406 message too
    page.execute_script(
        "var o = document.createElement('option'); o.value = 'application/x-nothing';"
        "o.dataset.kind = 'results'; o.textContent = 'x';"
        "var s = document.getElementById('dl-format'); s.appendChild(o); s.value = o.value;")
    set_query(page, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    page.find_element(By.ID, "dl").click()
    text = error_text(page)
    assert "HTTP 406" in text and "no acceptable format" in text, text


def completions(driver):
    wait(driver, EC.visibility_of_element_located((By.ID, "completions")))
    return [li.find_element(By.TAG_NAME, "strong").text
            for li in driver.find_elements(By.CSS_SELECTOR, "#completions li")]


def test_completes_prefixes_from_the_table_and_terms_from_the_graph(page):
    editor = page.find_element(By.ID, "query")
    set_query(page, "")
    editor.click()
    editor.send_keys("PREFIX sk")
    assert completions(page)[0] == "skos: <http://www.w3.org/2004/02/skos/core#>"
    editor.send_keys(Keys.ENTER)
    assert editor.get_attribute("value") == "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
    editor.send_keys(Keys.ENTER, "SELECT * WHERE { ?n a au:Univ")
    found = completions(page)
    assert found[0] == "au:University", found
    screenshot(page, "query-completion")
    editor.send_keys(Keys.TAB)  # takes the completion while the list is open
    editor.send_keys(" ; org:memberO")
    assert "org:memberOf" in completions(page)
    editor.send_keys(Keys.ENTER, " ?x }")
    text = editor.get_attribute("value")
    # the chosen terms' prefixes were declared on top
    assert text.startswith(f"PREFIX org: <http://www.w3.org/ns/org#>\nPREFIX au: <{AU}>\n"), text
    assert text.endswith("SELECT * WHERE { ?n a au:University ; org:memberOf ?x }"), text
    run(page)
    assert rows(page)
    # Ctrl+Space lists terms by local name with their labels, Escape closes
    editor.send_keys(Keys.END, " Nothingsuch", Keys.CONTROL, " ")
    time.sleep(0.5)
    assert not page.find_element(By.ID, "completions").is_displayed()
    editor.send_keys(Keys.BACK_SPACE * len("Nothingsuch"))
    editor.send_keys("Mobil", Keys.CONTROL, " ")
    assert "au:MobilityVisit" in completions(page)
    screenshot(page, "query-completion-by-name")
    editor.send_keys(Keys.ESCAPE)
    assert not page.find_element(By.ID, "completions").is_displayed()
    # nothing was asked of any other host
    hosts = page.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return new URL(e.name).host; })")
    assert set(hosts) == {page.current_url.split("/")[2]}


def test_tab_leaves_the_editor(page):
    editor = page.find_element(By.ID, "query")
    editor.click()
    before = editor.get_attribute("value")
    editor.send_keys(Keys.TAB)
    assert page.switch_to.active_element.get_attribute("id") == "run"
    assert editor.get_attribute("value") == before
    page.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    assert page.switch_to.active_element.get_attribute("id") == "query"


def test_table_sorts_filters_and_pages(page):
    run(page, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 120")
    assert len(rows(page)) == 50
    info = page.find_element(By.CSS_SELECTOR, ".page-info")
    assert info.text == "1–50 of 120"
    page.find_element(By.CSS_SELECTOR, ".page-next").click()
    assert info.text == "51–100 of 120"
    page.find_element(By.CSS_SELECTOR, ".page-next").click()
    assert info.text == "101–120 of 120" and len(rows(page)) == 20
    assert not page.find_element(By.CSS_SELECTOR, ".page-next").is_enabled()
    heads = page.find_elements(By.CSS_SELECTOR, "#results th")
    heads[1].find_element(By.TAG_NAME, "button").click()  # ?p ascending, back to page 1
    assert heads[1].get_attribute("aria-sort") == "ascending" and info.text.startswith("1–50")
    column = [r.find_elements(By.TAG_NAME, "td")[1].find_element(By.CSS_SELECTOR, "a, span").get_attribute("title") or ""
              for r in rows(page)]
    assert column == sorted(column)
    heads[1].find_element(By.TAG_NAME, "button").click()
    assert heads[1].get_attribute("aria-sort") == "descending"
    filt = page.find_element(By.CSS_SELECTOR, "#results input.filter")
    filt.send_keys("cumulus")
    shown = rows(page)
    assert 0 < len(shown) < 50 and all("cumulus" in r.text.lower() for r in shown)
    assert info.text.endswith(f"of {len(shown)}")
    screenshot(page, "query-table")


def test_share_link_restores_and_runs_the_query(page, site):
    query = "SELECT ?n WHERE { ?n a " + NETWORK + " } ORDER BY ?n"
    set_query(page, query)
    page.find_element(By.ID, "share").click()
    link = wait(page, EC.visibility_of_element_located((By.ID, "share-url"))).get_attribute("value")
    assert link.startswith(site.url + "/query?query=")
    page.execute_script("localStorage.clear()")
    page.get(link)
    wait(page, lambda d: len(rows(d)) == 3)
    assert page.find_element(By.ID, "query").get_attribute("value") == query
    # a query link to the endpoint itself, opened in the browser: the page, not a download
    page.get(site.url + "/sparql?query=" + quote(query))
    wait(page, lambda d: len(rows(d)) == 3)
    assert page.find_element(By.ID, "query").get_attribute("value") == query
    assert page.find_element(By.CSS_SELECTOR, "#results a.local").get_attribute("href") == site.url + "/id/bsun"
    screenshot(page, "query-shared-link")


def test_query_survives_a_reload(page):
    run(page, "SELECT ?x WHERE { VALUES ?x { 1 2 } }")
    assert "query=SELECT" in page.current_url  # the address holds the query that ran
    set_query(page, "SELECT ?typed WHERE { VALUES ?typed { 3 } }")  # typed, not run
    page.refresh()
    wait(page, lambda d: rows(d))
    assert page.find_element(By.ID, "query").get_attribute("value") == "SELECT ?typed WHERE { VALUES ?typed { 3 } }"
    page.get(page.current_url.split("?")[0] + "?lang=en")  # no query in the address: the draft
    assert page.find_element(By.ID, "query").get_attribute("value") == "SELECT ?typed WHERE { VALUES ?typed { 3 } }"


def download(page, tmp_path, fmt, name):
    for old in tmp_path.iterdir():
        old.unlink()
    page.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    page.find_element(By.CSS_SELECTOR, f"#dl-format option[value='{fmt}']").click()
    page.find_element(By.ID, "dl").click()
    target = tmp_path / name
    wait(page, lambda _: target.exists() and target.stat().st_size > 0)
    time.sleep(0.2)
    return target.read_text(encoding="utf-8")


def test_downloads_a_construct_result(page, tmp_path):
    set_query(page, "CONSTRUCT { ?n a " + NETWORK + " } WHERE { ?n a " + NETWORK + " }")
    turtle = download(page, tmp_path, "text/turtle", "results.ttl")
    assert "<https://kg.admiu.example/id/cumulus>" in turtle or "id:cumulus" in turtle
    # a graph asked for as CSV comes as Turtle instead of a 406
    assert "@prefix" in download(page, tmp_path, "text/csv", "results.ttl")
    nt = download(page, tmp_path, "application/n-triples", "results.nt")
    assert len(nt.strip().splitlines()) == 3
    run(page)
    assert "text/turtle" in page.find_element(By.ID, "status").text
    assert page.find_element(By.ID, "error").is_displayed() is False


def test_charts_a_group_by_count_and_a_timeline(page, site):
    page.get(site.url + "/query?lang=en#countries-by-visits")
    bars = wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg.chart-bars g.bar"))
    assert len(bars) == len(rows(page)) >= 3
    labels = [b.find_element(By.CSS_SELECTOR, "text.label").text for b in bars]
    assert labels[0] in page.find_element(By.CSS_SELECTOR, "#results tbody tr").text
    assert "?projects" in page.find_element(By.CSS_SELECTOR, "#chart figcaption").text
    screenshot(page, "query-chart-bars")
    page.get(site.url + "/query?lang=en#timeline")
    dots = wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg.chart-timeline g.event"))
    years = {t.text for t in page.find_elements(By.CSS_SELECTOR, "#chart svg.chart-timeline text.year")}
    assert dots and {"2022", "2023"} <= years
    screenshot(page, "query-chart-timeline")
    run(page, "SELECT ?s WHERE { ?s a " + NETWORK + " }")  # nothing to chart
    assert not page.find_element(By.ID, "chart").is_displayed()


def test_links_only_for_safe_schemes(page, site):
    run(page, "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,hi> "
              "<http://example.org/a> <https://kg.admiu.example/id/admiu> <urn:x:y> } }")
    links = [a.get_attribute("href") for a in page.find_elements(By.CSS_SELECTOR, "#results td a")]
    assert sorted(links) == sorted(["http://example.org/a", site.url + "/id/admiu?lang=en"])
    texts = [s.text for s in page.find_elements(By.CSS_SELECTOR, "#results td span.iri-text")]
    assert sorted(texts) == ["data:text/html,hi", "javascript:alert(1)", "urn:x:y"]


def test_the_row_cap_is_not_silent(page, tmp_path):
    run(page, "SELECT * WHERE { ?a ?b ?c . ?d a ?e }")
    note = wait(page, EC.visibility_of_element_located((By.ID, "truncated")))
    assert "10,000 rows" in note.text, note.text
    assert "⚠" in page.find_element(By.ID, "status").text
    screenshot(page, "query-truncated")
    csv_text = download(page, tmp_path, "text/csv", "results-truncated.csv")
    lines = csv_text.splitlines()
    assert lines[0] == "a,b,c,d,e" and len(lines) == 10_001
    run(page, "SELECT * WHERE { ?a ?b ?c } LIMIT 3")
    assert not page.find_element(By.ID, "truncated").is_displayed()


def test_page_in_azerbaijani(site, browser):  # noqa: F811
    browser.get(site.url + "/query?lang=az&query=" + quote("SELECT * WHERE { ?a ?b ?c . ?d a ?e }"))
    note = wait(browser, EC.visibility_of_element_located((By.ID, "truncated")))
    assert "Nəticə 10.000 sətirdə kəsildi" in note.text or "Nəticə 10,000 sətirdə kəsildi" in note.text, note.text
    assert browser.find_element(By.ID, "share").text == "Paylaşma linki"
    assert browser.find_element(By.CSS_SELECTOR, "#results input.filter").get_attribute("placeholder") == "Sətirləri süz"
    screenshot(browser, "query-az")
    assert not page_errors(browser)


def test_no_script_errors_or_policy_violations(page):
    run(page, "SELECT ?c (COUNT(?x) AS ?n) WHERE { ?x a ?c } GROUP BY ?c")
    page.find_element(By.ID, "share").click()
    assert page.find_element(By.CSS_SELECTOR, "#chart svg")
    page.find_element(By.CSS_SELECTOR, "#results th button").click()
    page.get(page.current_url)
    wait(page, lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg"))
    errors = page_errors(page)
    assert not errors, errors
    # the policy is in force: an inline script is refused and logged
    page.execute_script("var s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                        "document.body.appendChild(s);")
    assert page.execute_script("return window.ran") is None
    assert any("Content Security Policy" in e["message"] for e in page_errors(page))
