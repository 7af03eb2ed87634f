# ruff: noqa: F811  (the fixtures of tests/test_browser.py are imported by name)
"""Entity and explanation pages and the landing page in headless Chromium (harness of
tests/test_browser.py); screenshots go to tests/artifacts/ for a person to look at."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from selenium.webdriver.common.by import By
from test_browser import ARTIFACTS, browser, screenshot, script_errors, site  # noqa: F401 (fixtures)

from admiukg import config

MEMBER_OF = {"s": config.ID + "admiu", "p": "http://www.w3.org/ns/org#memberOf", "o": config.ID + "cumulus"}


def test_entity_page_shows_inferred_facts_and_why(site, browser):
    browser.get(site.url + "/doc/admiu?lang=en")
    values = browser.find_elements(By.CSS_SELECTOR, ".val.inferred")
    assert any("Cumulus" in v.text for v in values)
    badge = values[0].find_element(By.CSS_SELECTOR, ".badge.inferred")
    assert badge.is_displayed() and badge.text == "inferred"
    facts = browser.find_elements(By.CSS_SELECTOR, "details.inferred-fact")
    member = next(f for f in facts if "member of" in f.text.lower() and "Cumulus" in f.text)
    member.find_element(By.TAG_NAME, "summary").click()
    time.sleep(0.2)
    shown = member.text
    assert "prp-spo2" in shown and "prp-inv" in shown and "asserted in the graph data" in shown
    browser.execute_script("arguments[0].scrollIntoView()", member)
    screenshot(browser, "entity-inferred")
    assert not script_errors(browser)


def test_explain_page_reads_down_to_the_source_sentence(site, browser):
    browser.get(site.url + "/explain?" + urlencode(MEMBER_OF) + "&lang=en")
    text = browser.find_element(By.TAG_NAME, "main").text
    assert "Why this holds" in text and "prp-spo1" in text
    quotes = browser.find_elements(By.CSS_SELECTOR, "figure.excerpt blockquote")
    assert any("Cumulus" in q.text and q.is_displayed() for q in quotes)
    screenshot(browser, "explain-member-of")


def test_landing_page_fits_a_phone(site, browser):
    browser.set_window_size(390, 844)
    try:
        browser.get(site.url + "/?lang=en")
        time.sleep(0.3)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        inner = browser.execute_script("return window.innerWidth")
        browser.save_screenshot(str(ARTIFACTS / "landing-390.png"))
        assert width <= inner, f"page is {width}px wide on a {inner}px screen"
    finally:
        browser.set_window_size(1300, 1000)
    browser.get(site.url + "/?lang=en")
    screenshot(browser, "landing-desktop")
