"""Partner companies: the admin registers one and it is a provider of type company, with an
API key of its own and published like every provider (so the issuer keys it)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.unit.catalogue.fakes import FakeDemand, World
from tests.unit.catalogue.http_app import catalogue_app

ADMIN = "unit-catalogue-admin-token-0123"
PARTNER = {
    "partner_id": "kessler-automation",
    "name": "Kessler Automation GmbH",
    "url": "https://kessler.example",
    "country": "DE",
}


@pytest.fixture
async def http() -> AsyncIterator[tuple[World, httpx.AsyncClient]]:
    world = World()
    app = catalogue_app(world, ADMIN, FakeDemand())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
        yield world, client


async def test_an_admin_registers_a_partner_as_a_company_provider_with_its_own_key(
    http: tuple[World, httpx.AsyncClient],
) -> None:
    world, client = http
    answer = await client.post(
        "/admin/partners", json=PARTNER, headers={"Authorization": f"Bearer {ADMIN}"}
    )

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["provider"]["provider_type"] == "company"
    assert body["provider"]["website"] == "https://kessler.example"
    assert body["provider"]["accreditation"]["status"] == "not_accredited"
    assert body["api_key"]
    provider = await world.provider_handlers.authenticate(body["api_key"])
    assert provider.provider_id == "kessler-automation"
    published = [event.data.provider_id for event in world.providers.events]
    assert "kessler-automation" in published


async def test_only_the_admin_registers_partners_and_a_bad_id_is_a_problem(
    http: tuple[World, httpx.AsyncClient],
) -> None:
    _, client = http
    anonymous = await client.post("/admin/partners", json=PARTNER)
    bad = await client.post(
        "/admin/partners",
        json=PARTNER | {"partner_id": "Not An Id"},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )

    assert anonymous.status_code == 401
    assert bad.status_code == 422
