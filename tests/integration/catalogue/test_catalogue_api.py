"""Providers, pathways, search, employer demand and issuance counts on the real broker and database."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from microcred_catalogue.bootstrap import create_app
from microcred_shared.events.registry import CREDENTIAL_ISSUED, CREDENTIAL_STATUS_CHANGED

from tests.integration.catalogue.conftest import ADMIN, Catalogue
from tests.support import eventually, read_topic
from tests.unit.catalogue.test_catalogue_issuance import issued, status

pytestmark = pytest.mark.integration


async def offer(catalogue: Catalogue, provider_id: str, code: str, **course: Any) -> dict[str, Any]:
    body = {
        "action": "offered",
        "provider_id": provider_id,
        "course_code": code,
        "version": 1,
        "course": {"name": code, "description": f"About {code}", "ects": 5, **course},
    }
    key = {"Authorization": f"Bearer {catalogue.keys[provider_id]}"}
    response = await catalogue.http.post(
        f"/providers/{provider_id}/courses", json=body, headers=key
    )
    assert response.status_code == 200, response.text
    return response.json()["achievement"]


def leaf(achievement_id: str) -> dict[str, Any]:
    return {"kind": "achievement", "achievement_id": achievement_id}


async def test_a_registered_provider_is_published_on_catalogue_providers(
    catalogue: Catalogue,
) -> None:
    records = await read_topic(catalogue.admin, catalogue.topic_of("catalogue.providers"), expect=2)

    published = {
        json.loads(r.value)["data"]["provider_id"]: json.loads(r.value)["data"] for r in records
    }
    assert published["uni-a"]["country"] == "AT"
    assert published["uni-a"]["accreditation"]["body"] == "AQ Austria"
    assert "api_key_sha256" not in published["uni-a"]


async def test_a_cross_provider_pathway_is_published_and_answers_graph_and_progress(
    catalogue: Catalogue,
) -> None:
    for provider_id, code in (("uni-a", "MATH"), ("uni-a", "CERT"), ("vet-b", "PLC")):
        await offer(catalogue, provider_id, code)
    owner = {"Authorization": f"Bearer {catalogue.keys['uni-a']}"}
    pathway = {
        "name": "Mechatronics certificate",
        "target_achievement_id": "uni-a:CERT",
        "rule": {
            "kind": "min_ects",
            "min_ects": 10,
            "rules": [leaf("uni-a:MATH"), leaf("vet-b:PLC")],
        },
        "accepted_provider_ids": ["vet-b"],
    }

    created = await catalogue.http.put("/pathways/mechatronics", json=pathway, headers=owner)
    not_theirs = await catalogue.http.put(
        "/pathways/mechatronics",
        json=pathway,
        headers={"Authorization": f"Bearer {catalogue.keys['vet-b']}"},
    )
    graph = await catalogue.http.get("/pathways/graph", params={"achievement": "vet-b:PLC"})
    partial = await catalogue.http.post(
        "/pathways/progress", json={"achievement_ids": ["uni-a:MATH"]}
    )
    complete = await catalogue.http.post(
        "/pathways/progress", json={"achievement_ids": ["uni-a:MATH", "vet-b:PLC"]}
    )

    assert created.status_code == 201, created.text
    assert created.json()["accepted_provider_ids"] == ["uni-a", "vet-b"]
    assert not_theirs.status_code == 403
    assert [p["pathway_id"] for p in graph.json()["stacks_into"]] == ["mechatronics"]
    [progress] = partial.json()["pathways"]
    assert (progress["satisfied"], progress["done"], progress["missing"]) == (
        False,
        ["uni-a:MATH"],
        ["vet-b:PLC"],
    )
    assert progress["outcome"]["ects_short"] == 5
    assert complete.json()["pathways"][0]["satisfied"] is True
    records = await read_topic(catalogue.admin, catalogue.topic_of("catalogue.pathways"), expect=1)
    assert json.loads(records[0].value)["data"]["rule"]["kind"] == "min_ects"


async def test_search_filters_sorts_and_pages_with_a_cursor(catalogue: Catalogue) -> None:
    for index, language in enumerate(["fr", "fr", "fr", "it"]):
        await offer(
            catalogue,
            "vet-b",
            f"WELD-{index}",
            name=f"Welding {index}",
            languages=[language],
            ects=index + 1,
        )

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"q": "welding", "language": "fr", "sort": "-ects", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await catalogue.http.get("/achievements", params=params)).json()
        seen += [item["achievement_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert seen == ["vet-b:WELD-2", "vet-b:WELD-1", "vet-b:WELD-0"]
    bad = await catalogue.http.get("/achievements", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400


async def test_employer_verifications_are_counted_once_per_achievement_and_month(
    catalogue: Catalogue,
) -> None:
    topic = catalogue.topic_of("verifications")

    def verification(verdict: str, achievement_id: str = "uni-a:PLC-9") -> bytes:
        return json.dumps(
            {
                "specversion": "1.0",
                "id": str(uuid.uuid4()),
                "source": "/microcred/verifier",
                "type": "org.microcred.verification.performed.v1",
                "time": datetime.now(UTC).isoformat(),
                "dataschema": "https://microcred.example/schemas/events/verification.performed.v1.json",
                "data": {
                    "verification_id": str(uuid.uuid4()),
                    "verified_at": "2026-03-14T09:00:00Z",
                    "verdict": verdict,
                    "channel": "api",
                    "provider_id": "uni-a",
                    "achievement_id": achievement_id,
                    "isced_f_code": "0714",
                    "eqf_level": 5,
                },
            }
        ).encode()

    delivered_twice = verification("verified")
    values = [delivered_twice, delivered_twice]
    values += [verification("verified") for _ in range(5)]
    values += [verification("not_verified") for _ in range(5)]
    values += [verification("verified", "uni-a:PLC-8") for _ in range(2)]
    for value in values:
        await catalogue.send(value, "uni-a:PLC-9", topic=topic)
    await catalogue.all_processed(topic)

    by_achievement = (
        await catalogue.http.get("/stats/demand", params={"by": "achievement"})
    ).json()
    by_field = (
        await catalogue.http.get("/stats/demand", params={"by": "field", "from": "2026-01"})
    ).json()

    # 11 of PLC-9 (the redelivered one counted once), 6 verified and 5 not: shown. PLC-8's 2
    # are below 5: withheld.
    assert by_achievement["suppressed_below"] == 5
    assert sorted(by_achievement["rows"], key=lambda row: row["key"]) == [
        {
            "key": "uni-a:PLC-8",
            "month": "2026-03",
            "verifications": None,
            "verified": None,
            "suppressed": True,
        },
        {
            "key": "uni-a:PLC-9",
            "month": "2026-03",
            "verifications": 11,
            "verified": 6,
            "suppressed": False,
        },
    ]
    assert by_field["rows"] == [
        {"key": "07", "month": "2026-03", "verifications": 13, "verified": 8, "suppressed": False}
    ]


async def test_issued_and_revoked_credentials_are_counted_once_per_provider(
    catalogue: Catalogue,
) -> None:
    issued_topic = catalogue.topic_of("credentials.issued")
    status_topic = catalogue.topic_of("credentials.status")

    def issued_event(credential_id: str, achievement_id: str) -> bytes:
        data = issued(credential_id, achievement_id).credential.model_copy(
            update={"provider_id": "uni-a"}
        )
        return CREDENTIAL_ISSUED.envelope(
            data, source="/microcred/issuer", event_id=f"issued:{credential_id}"
        ).to_json_bytes()

    def status_event(credential_id: str, state: str, sequence: int) -> bytes:
        data = status(credential_id, state, sequence, "uni-a:PLC-9").change.model_copy(
            update={"provider_id": "uni-a"}
        )
        return CREDENTIAL_STATUS_CHANGED.envelope(
            data, source="/microcred/issuer", event_id=f"status:{credential_id}:{sequence}"
        ).to_json_bytes()

    twice = issued_event("c-1", "uni-a:PLC-9")
    for value in (twice, twice, issued_event("c-2", "uni-a:PLC-9"), issued_event("c-3", "uni-a:X")):
        await catalogue.send(value, "learner", topic=issued_topic)
    revoked = status_event("c-1", "revoked", 1)
    for value in (revoked, revoked, status_event("c-2", "suspended", 1)):
        await catalogue.send(value, "c", topic=status_topic)
    await catalogue.all_processed(issued_topic)
    await catalogue.all_processed(status_topic)

    own_key = {"Authorization": f"Bearer {catalogue.keys['uni-a']}"}
    admin = {"Authorization": f"Bearer {ADMIN}"}
    query = {"provider": "uni-a"}
    stats = (await catalogue.http.get("/stats/issuance", params=query, headers=own_key)).json()
    anonymous = await catalogue.http.get("/stats/issuance", params=query)
    unknown = await catalogue.http.get(
        "/stats/issuance", params={"provider": "nobody"}, headers=admin
    )
    dashboard = await catalogue.http.get("/providers/uni-a/dashboard", headers=own_key)
    anonymous_dashboard = await catalogue.http.get("/providers/uni-a/dashboard")

    assert (stats["issued"], stats["revoked"], stats["suspended"]) == (3, 1, 1)
    assert {r["achievement_id"]: r["issued"] for r in stats["by_achievement"]} == {
        "uni-a:PLC-9": 2,
        "uni-a:X": 1,
    }
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    assert '<dd data-figure="revoked">1</dd>' in dashboard.text
    assert anonymous.status_code == anonymous_dashboard.status_code == 401
    assert "data-figure" not in anonymous_dashboard.text


async def test_suspending_a_provider_stops_its_course_events(catalogue: Catalogue) -> None:
    admin = {"Authorization": f"Bearer {ADMIN}"}
    await catalogue.register("short-lived")
    suspended = await catalogue.http.post("/admin/providers/short-lived/suspend", headers=admin)
    assert suspended.json()["trust"] == "suspended"

    key = {"Authorization": f"Bearer {catalogue.keys['short-lived']}"}
    body = {"action": "offered", "provider_id": "short-lived", "course_code": "X", "version": 1,
            "course": {"name": "X", "description": "x"}}  # fmt: skip
    refused = await catalogue.http.post("/providers/short-lived/courses", json=body, headers=key)
    assert refused.status_code == 403

    async def trust_published() -> list[str]:
        records = await read_topic(
            catalogue.admin, catalogue.topic_of("catalogue.providers"), expect=4, timeout=5
        )
        return [json.loads(r.value)["data"]["trust"] for r in records if r.key == b"short-lived"]

    assert await eventually(trust_published, lambda trusts: trusts == ["trusted", "suspended"])


async def test_a_new_replica_rebuilds_its_search_projection_from_the_achievements_topic(
    catalogue: Catalogue,
) -> None:
    await offer(catalogue, "uni-a", "REPLICA-1", name="Hydraulics for replicas")
    second = create_app(catalogue.settings)

    async with LifespanManager(second, startup_timeout=60, shutdown_timeout=30):
        transport = httpx.ASGITransport(app=second)
        async with httpx.AsyncClient(transport=transport, base_url="http://replica-2") as http:

            async def found() -> list[str]:
                response = await http.get("/achievements", params={"q": "hydraulics replicas"})
                return [item["achievement_id"] for item in response.json()["items"]]

            assert await eventually(found, timeout=45) == ["uni-a:REPLICA-1"]
