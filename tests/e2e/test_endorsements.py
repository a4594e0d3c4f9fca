"""Issue 15, endorsements across the four service processes: a partner company registered in
the catalogue endorses a provider's course through the issuer, the next credential of the
course embeds the endorsement, the verifier service reports its endorsements check, and once the
partner withdraws it the same credential is verified with warnings, never verified."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from microcred.ecosystem.demo import eventually
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.browser import screenshot
from tests.e2e.test_key_compromise import Provider, _admin, _bearer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


async def register_partner(ecosystem: Ecosystem, http: httpx.AsyncClient) -> tuple[str, str]:
    """A new partner company: its id and its issuer API key."""
    partner_id = f"partner-{secrets.token_hex(3)}"
    created = await http.post(
        ecosystem.service("catalogue").url + "/admin/partners",
        json={
            "partner_id": partner_id,
            "name": f"Kessler Automation {partner_id}",
            "url": "https://kessler.example",
            "country": "DE",
        },
        headers=_admin(ecosystem, "catalogue"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["provider"]["provider_type"] == "company"

    async def issuer_key() -> str | None:
        response = await http.post(
            ecosystem.service("issuer").url + f"/admin/providers/{partner_id}/api-keys",
            headers=_admin(ecosystem, "issuer"),
        )
        return str(response.json()["api_key"]) if response.status_code == 201 else None

    return partner_id, await eventually(issuer_key, "the issuer to know the partner")


def check(result: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in result["checks"] if c["name"] == name)
    return found


async def test_an_endorsement_is_embedded_verified_and_its_withdrawal_is_a_warning(
    ecosystem: Ecosystem,
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        provider = Provider(ecosystem, http)
        await provider.register()
        partner_id, partner_key = await register_partner(ecosystem, http)
        endorsed = await http.post(
            provider.url("issuer", "/endorsements"),
            json={
                "target_kind": "achievement",
                "target_id": provider.achievement_id,
                "comment": "Co-designed with our PLC engineers; we hire its graduates.",
            },
            headers=_bearer(partner_key),
        )
        assert endorsed.status_code == 201, endorsed.text
        endorsement_id = endorsed.json()["endorsement_id"]
        catalogue = ecosystem.service("catalogue").url

        async def found_by_endorser() -> list[str] | None:
            response = await http.get(catalogue + "/achievements", params={"endorser": partner_id})
            ids = [a["achievement_id"] for a in response.json()["items"]]
            return ids or None

        endorsed_ids = await eventually(found_by_endorser, "the catalogue to list the endorsement")
        page = await http.get(catalogue + f"/achievements/{provider.achievement_id}/page")
        credential = await provider.credential(await provider.issue("endorsed-e2e-1"))
        verified = await provider.verdict(credential, "verified")
        withdrawn = await http.post(
            provider.url("issuer", f"/endorsements/{endorsement_id}/withdraw"),
            headers=_bearer(partner_key),
        )
        warned = await provider.verdict(credential, "verified_with_warnings")

    assert endorsed.json()["endorser_id"] == partner_id
    assert endorsed_ids == [provider.achievement_id]
    assert "Co-designed with our PLC engineers" in page.text
    embedded = credential["credentialSubject"]["achievement"]["endorsement"]
    assert [e["id"] for e in embedded] == [endorsed.json()["credential"]["id"]]
    passed = check(verified, "endorsements")
    assert passed["status"] == "passed"
    assert passed["details"]["endorsements"][0]["endorser_name"].startswith("Kessler")
    assert withdrawn.json()["status"] == "withdrawn"
    warning = check(warned, "endorsements")
    assert warning["status"] == "warning"
    assert warning["details"]["endorsements"][0]["status"] == "withdrawn"


async def test_the_credential_page_lists_the_endorsement_in_a_browser(
    browser: webdriver.Chrome, ecosystem: Ecosystem
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        provider = Provider(ecosystem, http)
        await provider.register()
        _, partner_key = await register_partner(ecosystem, http)
        endorsed = await http.post(
            provider.url("issuer", "/endorsements"),
            json={
                "target_kind": "achievement",
                "target_id": provider.achievement_id,
                "comment": "Our apprentices take it in their second year.",
            },
            headers=_bearer(partner_key),
        )
        assert endorsed.status_code == 201, endorsed.text
        credential_id = await provider.issue("endorsed-browser-1")
        await provider.verdict(await provider.credential(credential_id), "verified")

    browser.get(provider.url("issuer", f"/credentials/{credential_id}/page"))
    section = browser.find_element(By.ID, "endorsements").find_element(By.XPATH, "..")
    screenshot(browser, "credential-page-endorsement")
    assert "Kessler Automation" in section.text
    assert "Our apprentices take it in their second year." in section.text
    assert "active" in section.text

    browser.find_element(By.PARTIAL_LINK_TEXT, "Verify").click()
    verdict = WebDriverWait(browser, 60).until(
        expected_conditions.presence_of_element_located((By.ID, "verdict"))
    )
    screenshot(browser, "credential-page-endorsement-verified")
    assert "verified" in str(verdict.get_attribute("class")).split()
    assert "Endorsements" in browser.page_source
