"""Issue 15 in a real headless Chromium: the achievement page in French shows the French text
and a French date; the visible switch changes the language, and the choice is remembered."""

from __future__ import annotations

import re

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from microcred.ecosystem.chapters import languages
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.browser import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

FRENCH_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()  # noqa: SIM905
)


def test_the_achievement_page_switches_to_french_and_german_and_remembers_the_choice(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    catalogue = ecosystem.service("catalogue").url
    page = f"{catalogue}/achievements/{languages.ACHIEVEMENT}/page"
    try:
        browser.get(page + "?lang=fr")
        screenshot(browser, "achievement-in-french")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
        assert browser.find_element(By.TAG_NAME, "h1").text == languages.FRENCH_NAME
        updated = browser.find_element(By.ID, "updated").text
        date = re.search(r"Mise à jour le (\d{1,2}) (\w+) (\d{4})", updated)
        assert date is not None, updated
        assert date.group(2) in FRENCH_MONTHS, updated

        switch = browser.find_element(By.CSS_SELECTOR, "nav.languages a[hreflang=de]")
        switch.click()
        assert browser.find_element(By.TAG_NAME, "h1").text == languages.GERMAN_NAME
        assert "Lernergebnisse" in browser.page_source

        browser.get(page)  # no switch: the cookie the switch set decides
        screenshot(browser, "achievement-in-german-remembered")
        assert browser.find_element(By.TAG_NAME, "h1").text == languages.GERMAN_NAME
        current = browser.find_element(By.CSS_SELECTOR, "nav.languages a[aria-current]")
        assert current.get_attribute("hreflang") == "de"
    finally:
        browser.delete_cookie("microcred_lang")  # the other page tests read English
