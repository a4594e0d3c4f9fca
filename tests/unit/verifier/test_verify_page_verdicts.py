"""The verify page and the API say what the verdict is, in the headline's own words: an
authentic credential from an issuer outside the registry is shown as unknown, never verified."""

from __future__ import annotations

import json
from typing import Any

import httpx
from conftest import ONEEDTECH, RECEIVED, load
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.i18n import rendering_in
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings
from microcred_verifier.domain.model import CHECK_TITLES, CheckName
from microcred_verifier.domain.presentation import (
    PRESENTATION_CHECK_TITLES,
    PresentationCheckName,
)
from microcred_verifier.entrypoints.pages import TEMPLATES
from verifier_fakes import MemoryProjections

SELF_MADE = Ed25519Multikey.generate()


def self_signed() -> dict[str, Any]:
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": SELF_MADE.controller, "type": ["Profile"], "name": "Nobody Inc"}
    return sign(document, SELF_MADE)


def _client() -> httpx.AsyncClient:
    settings = VerifierSettings(publish_events=False, fetch_enabled=False)
    projections = MemoryProjections(received_at=RECEIVED)
    app = create_app(settings, adapters=Adapters(projections=projections))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v")


async def test_the_api_answers_unknown_for_a_self_made_did_key_with_a_plain_headline() -> None:
    async with _client() as client:
        response = await client.post("/verify", json={"credential": self_signed()})
    body = response.json()
    assert body["verdict"] == "unknown"
    assert body["headline"] == "Authentic signature, but this issuer is not a recognised provider."
    assert body["not_checked"] == []  # the registry was consulted: the issuer is not in it


async def test_the_page_shows_the_verdict_and_its_headline_for_an_unregistered_issuer() -> None:
    async with _client() as client:
        response = await client.post("/page/verify", data={"credential": json.dumps(self_signed())})
    assert response.status_code == 200
    page = response.text
    assert 'class="verdict unknown"' in page
    assert '<span class="label">Unknown</span>' in page
    assert "Authentic signature, but this issuer is not a recognised provider." in page
    assert "(not in the provider registry)" in page
    assert ">Verified" not in page


async def test_the_page_lists_what_could_not_be_checked_and_why() -> None:
    outside = "did:web:badges.outside.example"
    key = Ed25519Multikey.from_seed(bytes(range(32)), controller=outside)
    document = load(ONEEDTECH / "simple.json")
    document.pop("proof")
    document["issuer"] = {"id": outside, "type": ["Profile"], "name": "Outside Academy"}
    async with _client() as client:
        response = await client.post(
            "/page/verify", data={"credential": json.dumps(sign(document, key))}
        )
    page = response.text
    assert 'class="verdict unknown"' in page
    assert "Unknown: the signature could not be checked" in page
    assert '<span class="label">' not in page  # the headline names the verdict itself
    assert "Could not be checked" in page
    assert "fetching DID documents is disabled here" in page


def test_the_page_names_every_check_as_the_report_does_in_english_and_translates_it() -> None:
    words = TEMPLATES.get_template("_check_words.html").module
    titles = {**CHECK_TITLES, **PRESENTATION_CHECK_TITLES}

    english = {name: str(words.check_title({"name": name.value})) for name in titles}
    with rendering_in("fr"):
        french = {name: str(words.check_title({"name": name.value})) for name in titles}

    assert english == titles
    assert french[CheckName.STATUS] == "Révocation et suspension"
    assert french[PresentationCheckName.HOLDER_PROOF] == "Signature du titulaire"
