"""Issue 15 in a real headless Chromium: the achievement page in French shows the French text
and a French date; the visible switch changes the language, and the choice is remembered; an
endorsed credential's page lists its endorsement in French."""

from __future__ import annotations

import re
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from microcred.ecosystem import story
from microcred.ecosystem.chapters import endorsements, languages
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.browser import screenshot
from tests.e2e.test_pages_in_browser import credential_of

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


def test_an_endorsed_credential_s_page_lists_its_endorsement_in_french(
    browser: webdriver.Chrome, ecosystem: Ecosystem, infra: Any, played: Outcome
) -> None:
    achievement_id = f"{story.UNIVERSITY}:{endorsements.COURSE}"
    credential_id = credential_of(ecosystem, infra, achievement_id, endorsements.LEARNER)
    try:
        browser.get(f"{ecosystem.service('issuer').url}/credentials/{credential_id}/page?lang=fr")
        section = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=endorsements]")
        screenshot(browser, "endorsed-credential-in-french")
        assert section.find_element(By.TAG_NAME, "h2").text == "Recommandations"
        endorsement = section.find_element(By.CSS_SELECTOR, "li[data-status=active]").text
        assert "recommande cette micro-certification" in endorsement, endorsement
        assert endorsements.COMMENT in endorsement
        assert "active" in endorsement, endorsement
        assert "recommandation signée" in endorsement, endorsement
        date = re.search(r"(\d{1,2}) (\w+) (\d{4}) –", endorsement)
        assert date is not None, endorsement
        assert date.group(2) in FRENCH_MONTHS, endorsement
        assert "endorses" not in section.text
        assert "signed endorsement" not in section.text
    finally:
        browser.delete_cookie("microcred_lang")
