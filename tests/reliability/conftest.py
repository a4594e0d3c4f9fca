"""One ecosystem of four service processes for the reliability suite, with the demo's providers,
courses and API keys in place (see microcred.ecosystem.demo)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from microcred_shared.messaging.connection import KafkaConnection

from microcred.ecosystem import demo, story
from microcred.ecosystem.processes import SERVICE_NAMES, Ecosystem
from microcred.ecosystem.secrets import dev_secrets
from stack import free_ports


@dataclass
class Seeded:
    """The ecosystem with providers, their courses, and each provider's API keys."""

    ecosystem: Ecosystem
    catalogue_keys: dict[str, str]
    issuer_keys: dict[str, str]
    # Each provider's own Kafka principal, as the catalogue handed it out at registration.
    provider_kafka: dict[str, KafkaConnection] = field(default_factory=dict)
    secrets_handed_out: set[str] = field(default_factory=set)  # must never appear in a log

    def url(self, service: str, path: str = "") -> str:
        return self.ecosystem.service(service).url + path

    def admin(self, service: str) -> dict[str, str]:
        token = dev_secrets(self.ecosystem.run_dir)[f"{service.upper()}_ADMIN_TOKEN"]
        return {"Authorization": f"Bearer {token}"}

    async def put_pathway(
        self, http: httpx.AsyncClient, pathway_id: str, body: dict[str, Any]
    ) -> httpx.Response:
        """Define (or redefine) a pathway in the catalogue as its administrator."""
        return await http.put(
            self.url("catalogue", f"/pathways/{pathway_id}"),
            json=body,
            headers=self.admin("catalogue"),
        )

    async def revoke(self, http: httpx.AsyncClient, credential_id: str, reason: str) -> None:
        """Revoke one of the university's credentials with its own issuer key."""
        response = await http.post(
            self.url("issuer", f"/credentials/{credential_id}/revoke"),
            json={"reason": reason},
            headers={"Authorization": f"Bearer {self.issuer_keys[story.UNIVERSITY]}"},
        )
        assert response.status_code == 200, response.text

    @property
    def issuer_database(self) -> str:
        return f"{self.ecosystem.database_prefix}microcred_issuer"


@pytest.fixture(scope="session")
def reliability_ecosystem(
    infra: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ecosystem]:
    ports = dict(zip([*SERVICE_NAMES, "mailsink"], free_ports(5), strict=True))
    run_dir: Path = tmp_path_factory.mktemp("reliability")
    ecosystem = Ecosystem(
        run_dir=run_dir,
        kafka=infra.kafka,
        mongodb_uri=infra.mongodb_uri,
        ports=ports,
        topic_prefix=f"rel{infra.run_id}.",
        database_prefix=f"rel{infra.run_id}_",
        die_with_parent=True,
    )
    try:
        ecosystem.start(timeout=180)
        yield ecosystem
    finally:
        ecosystem.stop()


@pytest.fixture(scope="session")
async def seeded(reliability_ecosystem: Ecosystem) -> Seeded:
    return await seed(reliability_ecosystem)


async def seed(ecosystem: Ecosystem) -> Seeded:
    """The demo's providers, their courses and API keys in ``ecosystem``."""
    async with httpx.AsyncClient(timeout=30) as http:
        setup = demo.Demo(ecosystem, http)
        await demo.register_providers(setup)
        await demo.publish_courses(setup)
        await demo.issuer_api_keys(setup)
    seeded = Seeded(ecosystem, setup.catalogue_keys, setup.issuer_keys, setup.provider_kafka)
    seeded.secrets_handed_out |= {*setup.catalogue_keys.values(), *setup.issuer_keys.values()}
    seeded.secrets_handed_out |= {c.password for c in setup.provider_kafka.values() if c.password}
    return seeded
