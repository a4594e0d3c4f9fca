"""The pages people use, in a real headless Chromium; screenshots land in test-artifacts/."""

from __future__ import annotations

import copy
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pymongo import MongoClient
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.mailbox import wallet_links_to
from microcred.ecosystem.processes import Ecosystem
from microcred.ecosystem.secrets import dev_secrets
from tests.e2e.browser import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def credential_of(
    ecosystem: Ecosystem, infra: Any, achievement_id: str, learner: story.Learner
) -> str:
    """The id of the credential the story issued to ``learner`` (looked up by completion)."""
    database = MongoClient(infra.mongodb_uri)[f"{ecosystem.database_prefix}microcred_issuer"]
    code = achievement_id.split(":", 1)[1]
    completion_id = story.completion_id(learner, code)
    document = database["credentials"].find_one({"completion_id": completion_id})
    assert document is not None, f"no credential for {learner.name} / {achievement_id}"
    return str(document["_id"])


def fetch(ecosystem: Ecosystem, credential_id: str) -> dict[str, Any]:
    url = f"{ecosystem.service('issuer').url}/credentials/{credential_id}"
    response = httpx.get(url, headers={"Accept": "application/json"}, timeout=30)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


def verify_on_page(driver: webdriver.Chrome, ecosystem: Ecosystem, credential: Any) -> str:
    driver.get(ecosystem.service("verifier").url + "/")
    area = driver.find_element(By.ID, "credential")
    driver.execute_script("arguments[0].value = arguments[1];", area, json.dumps(credential))
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    verdict = WebDriverWait(driver, 60).until(
        expected_conditions.presence_of_element_located((By.ID, "verdict"))
    )
    return str(verdict.get_attribute("class"))


def test_the_verify_page_shows_a_valid_credential_as_verified(
    browser: webdriver.Chrome,
    ecosystem: Ecosystem,
    infra: Any,
    played: Outcome,
) -> None:
    ada = story.LEARNERS[0]
    credential = fetch(
        ecosystem, credential_of(ecosystem, infra, "kessler-automation:KA-COBOT", ada)
    )
    classes = verify_on_page(browser, ecosystem, credential)
    screenshot(browser, "verify-valid")
    assert "verified" in classes.split()
    assert "Collaborative Robot Operation" in browser.page_source


def test_the_verify_page_shows_a_tampered_credential_as_not_verified(
    browser: webdriver.Chrome,
    ecosystem: Ecosystem,
    infra: Any,
    played: Outcome,
) -> None:
    ada = story.LEARNERS[0]
    credential = copy.deepcopy(
        fetch(ecosystem, credential_of(ecosystem, infra, "hollin-tu:MECH-402", ada))
    )
    credential["credentialSubject"]["achievement"]["name"] = "Doctorate in Everything"
    classes = verify_on_page(browser, ecosystem, credential)
    screenshot(browser, "verify-tampered")
    assert "not_verified" in classes.split()


def test_the_verify_page_shows_a_revoked_credential_as_revoked(
    browser: webdriver.Chrome,
    ecosystem: Ecosystem,
    infra: Any,
    played: Outcome,
) -> None:
    learner, provider, code, reason = story.REVOKED
    credential = fetch(ecosystem, credential_of(ecosystem, infra, f"{provider}:{code}", learner))
    classes = verify_on_page(browser, ecosystem, credential)
    screenshot(browser, "verify-revoked")
    assert "not_verified" in classes.split()
    assert "revoked" in browser.page_source
    assert reason in browser.page_source


def test_the_credential_page_shows_what_a_learner_shares_and_verifies_in_one_click(
    browser: webdriver.Chrome, ecosystem: Ecosystem, infra: Any, played: Outcome
) -> None:
    ada = story.LEARNERS[0]
    credential_id = credential_of(ecosystem, infra, "riverside-vet:VET-PLC", ada)
    browser.get(f"{ecosystem.service('issuer').url}/credentials/{credential_id}/page")
    page = browser.page_source
    screenshot(browser, "credential-page")
    assert "PLC Programming Fundamentals" in page
    assert "Riverside Vocational College" in page
    assert ada.email not in page
    assert "linkedin.com/profile/add" in page
    assert "<svg" in page  # the QR code

    browser.find_element(By.PARTIAL_LINK_TEXT, "Verify").click()
    verdict = WebDriverWait(browser, 60).until(
        expected_conditions.presence_of_element_located((By.ID, "verdict"))
    )
    screenshot(browser, "credential-page-verified")
    assert "verified" in str(verdict.get_attribute("class")).split()


def test_the_pathway_graph_marks_what_a_learner_has_done_and_what_is_missing(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    held = story.achievement(story.COLLEGE, "VET-PLC")
    browser.get(
        f"{ecosystem.service('catalogue').url}/pathways/mechatronics-certificate/page?held={held}"
    )
    page = browser.page_source
    screenshot(browser, "pathway-graph")
    assert "Mechatronics University Certificate" in page
    assert page.count("DONE") >= 1
    assert page.count("MISSING") >= 2


def test_a_learner_opens_their_wallet_from_the_emailed_link_and_sees_each_status(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    dara = story.REVOKED[0]
    issuer = ecosystem.service("issuer").url
    browser.delete_all_cookies()
    browser.get(issuer + "/wallet")
    assert 'action="/wallet/access-link"' in browser.page_source  # not signed in: the form
    browser.find_element(By.ID, "email").send_keys(dara.email)
    browser.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "link-sent"))
    )
    screenshot(browser, "wallet-link-sent")
    mailbox = ecosystem.log_file("mailsink")
    link = wait_for(
        lambda: wallet_links_to(mailbox, dara.email, "Your link to your micro-credentials")
    )[-1]

    browser.get(link)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "credentials"))
    )
    screenshot(browser, "wallet")
    assert browser.current_url == issuer + "/wallet"  # the token is in no later URL
    token = parse_qs(urlsplit(link).query)["token"][0]
    issuer_log = ecosystem.log_file("issuer").read_text()
    assert "/wallet/open?token=[redacted]" in issuer_log  # the access log names the visit
    assert token not in issuer_log  # but not the token
    assert "✗ Revoked" in browser.page_source
    assert "assessment integrity breach" in browser.page_source
    assert "Machine Safety and Risk Assessment" in browser.page_source

    browser.find_element(By.CSS_SELECTOR, "form[action='/wallet/sign-out'] button").click()
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "email"))
    )
    assert 'id="credentials"' not in browser.page_source


def test_a_provider_signs_in_with_its_key_to_see_its_dashboard_and_no_other(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    catalogue = ecosystem.service("catalogue").url
    admin = {"Authorization": f"Bearer {dev_secrets(ecosystem.run_dir)['CATALOGUE_ADMIN_TOKEN']}"}
    rotated = httpx.post(
        f"{catalogue}/admin/providers/{story.COLLEGE}/api-key", headers=admin, timeout=30
    )
    rotated.raise_for_status()
    browser.delete_all_cookies()
    browser.get(f"{catalogue}/providers/{story.COLLEGE}/dashboard")
    assert 'data-figure="issued"' not in browser.page_source
    screenshot(browser, "dashboard-sign-in")
    browser.find_element(By.ID, "api_key").send_keys(rotated.json()["api_key"])
    browser.find_element(By.CSS_SELECTOR, "form[action='/sign-in'] button").click()
    revoked = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "[data-figure=revoked]"))
    )
    screenshot(browser, "provider-dashboard")
    assert browser.current_url == f"{catalogue}/providers/{story.COLLEGE}/dashboard"
    assert int(revoked.text) >= 1

    browser.get(f"{catalogue}/providers/{story.UNIVERSITY}/dashboard")
    assert "Not your dashboard" in browser.page_source
    assert 'data-figure="issued"' not in browser.page_source
    browser.delete_all_cookies()


def wait_for(probe: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (found := probe()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
    return found
