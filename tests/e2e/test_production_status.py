"""The four services in production mode (MICROCRED_ENVIRONMENT=production, real secrets, no
private-URL allowances): the issuer's status list URLs are on 127.0.0.1, which the verifier
refuses to fetch, so a credential's status can only come from the snapshots on Kafka. A fresh
credential verifies, its revocation reaches the verifier, and both hold with the issuer down.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from microcred.ecosystem import demo, story
from microcred.ecosystem.processes import SERVICE_NAMES, Ecosystem
from stack import free_ports
from tests.support import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

ACHIEVEMENT = story.achievement(story.UNIVERSITY, "ROB-610")


@pytest.fixture(scope="module")
def production(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ecosystem]:
    ports = dict(zip([*SERVICE_NAMES, "mailsink"], free_ports(5), strict=True))
    run_dir: Path = tmp_path_factory.mktemp("production")
    ecosystem = Ecosystem(
        run_dir=run_dir,
        kafka=infra.kafka,
        mongodb_uri=infra.mongodb_uri,
        ports=ports,
        topic_prefix=f"prod{infra.run_id}.",
        database_prefix=f"prod{infra.run_id}_",
        die_with_parent=True,
        production=True,
    )
    try:
        ecosystem.start(timeout=180)
        yield ecosystem
    finally:
        ecosystem.stop()


@pytest.fixture(scope="module")
async def seeded(production: Ecosystem) -> AsyncIterator[demo.Demo]:
    async with httpx.AsyncClient(timeout=30) as http:
        setup = demo.Demo(production, http)
        await demo.register_providers(setup)
        await demo.publish_courses(setup)
        await demo.issuer_api_keys(setup)
        # The issuer learns the achievement from catalogue.achievements: wait for it, or a
        # completion reported before it has is refused (unknown_achievement) on a busy machine.
        known = setup.url("issuer", f"/achievements/{ACHIEVEMENT}")
        await eventually(lambda: http.get(known), lambda r: r.status_code == 200, timeout=60)
        yield setup


class Verifier:
    """POST /verify, keeping every report it got."""

    def __init__(self, setup: demo.Demo) -> None:
        self._setup = setup
        self.reports: list[dict[str, Any]] = []

    async def __call__(self, document: dict[str, Any]) -> dict[str, Any]:
        response = await self._setup.http.post(
            self._setup.url("verifier", "/verify"), json={"credential": document}
        )
        assert response.status_code == 200, response.text
        report: dict[str, Any] = response.json()
        self.reports.append(report)
        return report


def status_check(report: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in report["checks"] if c["name"] == "status")
    return found


async def issue(setup: demo.Demo, label: str) -> dict[str, Any]:
    """A fresh credential of the university's, as its learner would hold it."""
    run = secrets.token_hex(4)
    response = await setup.http.post(
        setup.url("issuer", "/completions"),
        json={
            "completion_id": f"prod-{label}-{run}",
            "achievement_id": ACHIEVEMENT,
            "learner": {"email": f"prod-{label}-{run}@learners.example"},
            "completed_on": "2026-07-01",
        },
        headers={"Authorization": f"Bearer {setup.issuer_keys[story.UNIVERSITY]}"},
    )
    assert response.status_code == 201, response.text
    credential_id = response.json()["credential_id"]
    document: dict[str, Any] = (
        await setup.http.get(setup.url("issuer", f"/credentials/{credential_id}"))
    ).json()
    assert document["credentialStatus"]["statusListCredential"].startswith("http://127.0.0.1:")
    return document


async def test_in_production_status_comes_from_kafka_so_verdicts_hold_with_the_issuer_down(
    production: Ecosystem, seeded: demo.Demo
) -> None:
    verify = Verifier(seeded)
    revoked, kept, fresh = [await issue(seeded, label) for label in ("revoked", "kept", "fresh")]

    # The verifier's catalogue and key projections may still be catching up; its status never:
    # each list was published when the university registered, long before these credentials.
    first = await eventually(
        lambda: verify(kept), lambda r: r["verdict"] == "verified", timeout=120
    )
    assert status_check(first)["status"] == "passed", status_check(first)["reason"]
    assert status_check(first)["data"]["source"].startswith("status-lists projection")
    assert all(status_check(r)["conclusive"] for r in verify.reports), [
        status_check(r)["reason"] for r in verify.reports
    ]

    credential_id = revoked["id"].rsplit("/", 1)[-1]
    revocation = await seeded.http.post(
        seeded.url("issuer", f"/credentials/{credential_id}/revoke"),
        json={"reason": "production e2e"},
        headers={"Authorization": f"Bearer {seeded.issuer_keys[story.UNIVERSITY]}"},
    )
    assert revocation.status_code == 200, revocation.text
    await eventually(lambda: verify(revoked), lambda r: r["verdict"] == "not_verified", timeout=60)

    await _stop(production, "issuer")
    assert not await _answers(production.service("issuer").url)
    after_revoked, after_kept, after_fresh = [
        await verify(document) for document in (revoked, kept, fresh)
    ]

    assert after_revoked["verdict"] == "not_verified"
    assert status_check(after_revoked)["reason"].startswith("revoked")
    assert after_kept["verdict"] == "verified"
    assert after_fresh["verdict"] == "verified"  # never verified before the issuer went down
    assert status_check(after_fresh)["status"] == "passed", status_check(after_fresh)["reason"]


async def _stop(ecosystem: Ecosystem, name: str) -> None:
    await asyncio.to_thread(ecosystem.stop_one, name)


async def _answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            await http.get(f"{url}/health/live")
    except httpx.HTTPError:
        return False
    return True
