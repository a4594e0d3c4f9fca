"""The learner authorises a wallet app on the consent page, in a real headless Chromium: the
page names the app and what it asks for, Allow sends the browser back to the app with a code,
and the app's token then fetches the learner's credentials."""

from __future__ import annotations

import asyncio
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from microcred.ecosystem import story
from microcred.ecosystem.demo import Outcome
from microcred.ecosystem.local_server import local_server
from microcred.ecosystem.mailbox import wallet_links_to
from microcred.ecosystem.ob_wallet import OB, bearer, s256
from microcred.ecosystem.processes import Ecosystem
from tests.e2e.browser import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

SCOPE = OB + "credential.readonly " + OB + "profile.readonly"


def consent_in_browser(browser: webdriver.Chrome, wallet_link: str, authorize_url: str) -> str:
    """Sign in from the e-mailed link, open the consent page, allow; the page's text."""
    browser.delete_all_cookies()
    browser.get(wallet_link)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "credentials"))
    )
    browser.get(authorize_url)
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "client-name"))
    )
    screenshot(browser, "ob-consent")
    text = str(browser.find_element(By.TAG_NAME, "main").text)
    browser.find_element(By.CSS_SELECTOR, "button[value=allow]").click()
    WebDriverWait(browser, 30).until(lambda driver: "/callback" in driver.current_url)
    return text


async def test_a_learner_allows_a_wallet_app_on_the_consent_page_and_it_gets_their_credentials(
    browser: webdriver.Chrome, ecosystem: Ecosystem, played: Outcome
) -> None:
    ada = story.LEARNERS[0]
    issuer = ecosystem.service("issuer").url
    received: list[dict[str, list[str]]] = []

    async def callback(request: Request) -> PlainTextResponse:
        received.append(parse_qs(request.url.query))
        return PlainTextResponse("Back in Pocket Wallet.")

    app = Starlette(routes=[Route("/callback", callback)])
    async with local_server(app) as wallet_url, httpx.AsyncClient(base_url=issuer) as http:
        registered = await http.post(
            "/oauth/register",
            json={
                "client_name": "Pocket Wallet",
                "redirect_uris": [wallet_url + "/callback"],
                "scope": SCOPE,
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
            },
        )
        client = registered.json()
        verifier = secrets.token_urlsafe(48)
        state = secrets.token_hex(8)
        query = {
            "response_type": "code",
            "client_id": client["client_id"],
            "redirect_uri": wallet_url + "/callback",
            "scope": SCOPE,
            "state": state,
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        }
        links = wallet_links_to(ecosystem.log_file("mailsink"), ada.email)
        assert links, "the story e-mailed Ada a wallet link"
        # The browser blocks: off the loop, so the wallet's callback server can answer it.
        page_text = await asyncio.to_thread(
            consent_in_browser, browser, links[-1], f"{issuer}/oauth/authorize?{urlencode(query)}"
        )
        [back] = received
        token = await http.post(
            "/oauth/token",
            auth=(client["client_id"], client["client_secret"]),
            data={
                "grant_type": "authorization_code",
                "code": back["code"][0],
                "redirect_uri": wallet_url + "/callback",
                "code_verifier": verifier,
            },
        )
        listed = await http.get(
            "/ims/ob/v3p0/credentials", headers=bearer(token.json()["access_token"])
        )

    assert "Allow Pocket Wallet to use your wallet?" in page_text
    assert "Permission to read AchievementCredentials" in page_text
    assert "Permission to read the profile" in page_text
    assert "create or update" not in page_text  # a scope it did not ask for is not shown
    assert back["state"] == [state]
    assert token.status_code == 200
    assert int(listed.headers["X-Total-Count"]) >= len(ada.completions)
    assert urlsplit(browser.current_url).path == "/callback"
