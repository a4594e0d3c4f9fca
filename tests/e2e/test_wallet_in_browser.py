"""The wallet in a real headless Chromium: the list with where each credential leads, a share
link created, opened and withdrawn (then 410), and the CLR button, whose record verifies."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.mailbox import wallet_links_to
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.browser import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

# Ada: three credentials from three providers and the mechatronics certificate they stack into.
ADA = story.LEARNERS[0]


def open_wallet(browser: webdriver.Chrome, ecosystem: Ecosystem) -> None:
    """Open Ada's wallet from the link in her issuance e-mail (asking for a new link would hold
    the next ask back for a minute)."""
    link = wallet_links_to(ecosystem.log_file("mailsink"), ADA.email)[-1]
    assert parse_qs(urlsplit(link).query)["token"]
    browser.delete_all_cookies()
    browser.get(link)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "each-credential"))
    )


def test_the_wallet_lists_each_credential_with_where_it_leads(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    open_wallet(browser, ecosystem)
    screenshot(browser, "wallet-pathways")
    cards = browser.find_elements(By.CSS_SELECTOR, "article[data-card]")
    assert len(cards) == 4
    assert "Counts towards" in browser.page_source
    assert "Mechatronics" in browser.page_source
    downloads = browser.find_elements(By.PARTIAL_LINK_TEXT, "Download (JSON-LD)")
    assert len(downloads) == 4


def test_a_share_link_opens_the_credential_until_it_is_withdrawn(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    open_wallet(browser, ecosystem)
    first = browser.find_element(By.CSS_SELECTOR, "article[data-card]")
    card = first.get_attribute("data-card")
    first.find_element(By.CSS_SELECTOR, "form[action='/wallet/share'] button").click()
    link = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, f"article[data-card='{card}'] a.share-url")
        )
    )
    url = str(link.get_attribute("href"))
    screenshot(browser, "wallet-shared")

    browser.get(url)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "shared-note"))
    )
    assert "Verify this credential" in browser.page_source
    screenshot(browser, "shared-credential")

    open_wallet(browser, ecosystem)
    browser.find_element(
        By.CSS_SELECTOR, f"article[data-card='{card}'] form[action$='/withdraw'] button"
    ).click()
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "each-credential"))
    )
    assert url not in browser.page_source
    browser.get(url)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "shared-gone"))
    )
    screenshot(browser, "shared-withdrawn")
    assert httpx.get(url, timeout=30).status_code == 410


def test_the_clr_button_builds_a_record_the_verifier_verifies(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    open_wallet(browser, ecosystem)
    button = browser.find_element(By.ID, "build-clr")
    assert button.text.startswith("Build my learner record")
    ticked = browser.find_elements(By.CSS_SELECTOR, "#clr input[name=credential_ids]:checked")
    assert len(ticked) == 4
    # The button answers a download; post its form as the button does, with the page's own
    # session cookie, and read the answer.
    answer: dict[str, Any] = browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const form = document.querySelector("#clr form");
        fetch(form.action, {method: "POST", body: new URLSearchParams(new FormData(form))})
          .then(async r => done({status: r.status, type: r.headers.get("content-type"),
                                 body: await r.text()}));
        """
    )
    assert answer["status"] == 200, answer["body"]
    assert answer["type"] == "application/vc+ld+json"
    clr = json.loads(answer["body"])
    assert len(clr["credentialSubject"]["verifiableCredential"]) == 4
    verified = httpx.post(
        ecosystem.service("verifier").url + "/verify", json={"credential": clr}, timeout=60
    ).json()
    assert verified["verdict"] in {"verified", "verified_with_warnings"}, verified["headline"]
