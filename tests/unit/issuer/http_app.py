"""The issuer's HTTP app on the unit tests' fakes: no lifespan, so nothing connects."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from microcred_issuer.bootstrap import create_app
from microcred_issuer.config import IssuerSettings

from tests.unit.issuer.fakes import BASE_URL, World

ADMIN_TOKEN = "unit-admin-token-0123456789"
ADMIN = {"authorization": f"Bearer {ADMIN_TOKEN}"}


def unit_settings() -> IssuerSettings:
    return IssuerSettings(
        environment="test",
        public_base_url=BASE_URL,
        admin_token=ADMIN_TOKEN,
        key_encryption_key="unit-key-encryption-key-0123",
        learner_salt_key="unit-learner-salt-key-0123",
        credential_id_key="unit-credential-id-key-0123",
        learner_access_key="unit-learner-access-key-0123",
    )


@contextlib.asynccontextmanager
async def issuer_client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(unit_settings(), ports=world.ports)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield client


async def provider_api_key(http: httpx.AsyncClient, provider_id: str) -> dict[str, str]:
    """A new issuer API key of the provider, as the headers that send it."""
    response = await http.post(f"/admin/providers/{provider_id}/api-keys", headers=ADMIN)
    assert response.status_code == 201
    return {"authorization": f"Bearer {response.json()['api_key']}"}
