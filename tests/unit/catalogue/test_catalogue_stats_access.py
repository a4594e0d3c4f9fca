"""The statistics API on fakes: a provider's counts answer only it and the admin; employer
demand answers anyone, with small counts withheld."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from microcred_catalogue.domain.demand import DemandDimension, DemandRow
from microcred_catalogue.service_layer import commands

from tests.unit.catalogue.fakes import FakeDemand, World
from tests.unit.catalogue.http_app import catalogue_app
from tests.unit.catalogue.test_catalogue_issuance import issued, status
from tests.unit.catalogue.test_catalogue_pathway_handlers import world_with_courses

ADMIN = "unit-catalogue-admin-token-0123"


class FixedDemand(FakeDemand):
    async def counts(self, by: DemandDimension, **_: Any) -> list[DemandRow]:
        return [DemandRow("uni:math", "2026-04", 3, 3), DemandRow("uni:math", "2026-05", 9, 7)]


@pytest.fixture
async def world() -> World:
    world = await world_with_courses()
    for credential_id in ("c-1", "c-2"):
        await world.issuance.record_issued(issued(credential_id, "uni:math"))
    await world.issuance.record_status(status("c-2", "revoked", 1, "uni:math"))
    return world


@pytest.fixture
async def http(world: World) -> AsyncIterator[httpx.AsyncClient]:
    app = catalogue_app(world, ADMIN, FixedDemand())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
        yield client


async def bearer_of(world: World, provider_id: str) -> dict[str, str]:
    rotated = await world.provider_handlers.rotate_key(commands.RotateApiKey(provider_id))
    return {"Authorization": f"Bearer {rotated.api_key}"}


async def test_a_providers_issuance_counts_answer_only_its_key_and_the_admin(
    http: httpx.AsyncClient, world: World
) -> None:
    url, query = "/stats/issuance", {"provider": "uni"}
    anonymous = await http.get(url, params=query)
    wrong = await http.get(url, params=query, headers={"Authorization": "Bearer mc_wrong"})
    other = await http.get(url, params=query, headers=await bearer_of(world, "vet"))
    own = await http.get(url, params=query, headers=await bearer_of(world, "uni"))
    admin = await http.get(url, params=query, headers={"Authorization": f"Bearer {ADMIN}"})

    assert (anonymous.status_code, wrong.status_code, other.status_code) == (401, 401, 403)
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert "issued" not in other.json()
    assert own.status_code == admin.status_code == 200
    assert (own.json()["issued"], own.json()["revoked"]) == (2, 1)
    assert admin.json() == own.json()
    unknown = await http.get(
        url, params={"provider": "nobody"}, headers={"Authorization": f"Bearer {ADMIN}"}
    )
    assert unknown.status_code == 404


async def test_public_demand_withholds_counts_below_five(http: httpx.AsyncClient) -> None:
    response = await http.get("/stats/demand", params={"by": "achievement"})
    assert response.status_code == 200
    body = response.json()
    assert body["suppressed_below"] == 5
    assert body["rows"] == [
        {
            "key": "uni:math",
            "month": "2026-04",
            "verifications": None,
            "verified": None,
            "suppressed": True,
        },
        # 9 - 7 = 2 not verified: showing 7 would give the 2 away.
        {
            "key": "uni:math",
            "month": "2026-05",
            "verifications": 9,
            "verified": None,
            "suppressed": True,
        },
    ]
