"""The employer's verify page, in a real headless Chromium, given a learner's presentation:
the holder checks and each credential, verified once; the same presentation again refused as a
replay. Screenshots land in test-artifacts/."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from microcred_shared.crypto.presentations import sign_presentation
from pymongo import MongoClient
from selenium import webdriver

from microcred.ecosystem.chapters import presentations
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.browser import screenshot
from tests.e2e.test_pages_in_browser import fetch, verify_on_page

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def demo_holders_credential(ecosystem: Ecosystem, infra: Any) -> dict[str, Any]:
    """What the demo's presentation chapter had issued to its did:key holder."""
    database = MongoClient(infra.mongodb_uri)[f"{ecosystem.database_prefix}microcred_issuer"]
    document = database["credentials"].find_one(
        {"completion_id": f"demo-did-holder-{presentations.COURSE}"}
    )
    assert document is not None, "the demo issued nothing to its did:key holder"
    return fetch(ecosystem, str(document["_id"]))


def test_the_verify_page_shows_a_presentations_holder_checks_once_then_a_replay(
    browser: webdriver.Chrome, ecosystem: Ecosystem, infra: Any, played: Outcome
) -> None:
    credential = demo_holders_credential(ecosystem, infra)
    verifier = ecosystem.service("verifier").url
    challenge = httpx.post(f"{verifier}/presentations/challenges", timeout=30).json()
    presentation = sign_presentation(
        [credential],
        presentations.HOLDER,
        challenge=challenge["challenge"],
        domain=challenge["domain"],
    )

    first = verify_on_page(browser, ecosystem, presentation)
    page = browser.page_source
    screenshot(browser, "verify-presentation")
    again = verify_on_page(browser, ecosystem, presentation)
    screenshot(browser, "verify-presentation-replayed")

    assert "verified" in first.split()
    assert "Challenge (fresh, single-use, ours)" in page
    assert presentations.HOLDER.controller in page
    assert "Credential 1" in page
    assert "not_verified" in again.split()
    assert "already used" in browser.page_source
