"""The catalogue's pages on the real broker and database: what the demo's visitors see."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest

from tests.integration.catalogue.conftest import ADMIN, Catalogue
from tests.integration.catalogue.test_catalogue_api import leaf, offer

pytestmark = pytest.mark.integration


def verification(achievement_id: str, month: str) -> bytes:
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
                "verified_at": f"{month}-14T09:00:00Z",
                "verdict": "verified",
                "channel": "page",
                "provider_id": "uni-a",
                "achievement_id": achievement_id,
            },
        }
    ).encode()


async def test_browse_achievement_pathway_graph_and_dashboard_pages_show_the_stored_catalogue(
    catalogue: Catalogue,
) -> None:
    await offer(catalogue, "uni-a", "PAGE-MATH", learning_outcomes=["Solve ODEs"], eqf_level=6)
    await offer(catalogue, "uni-a", "PAGE-CERT")
    await offer(catalogue, "vet-b", "PAGE-PLC")
    saved = await catalogue.http.put(
        "/pathways/page-cert",
        headers={"Authorization": f"Bearer {ADMIN}"},
        json={
            "name": "Page certificate",
            "owner_provider_id": "uni-a",
            "target_achievement_id": "uni-a:PAGE-CERT",
            "rule": {
                "kind": "n_of",
                "n": 2,
                "rules": [leaf("uni-a:PAGE-MATH"), leaf("vet-b:PAGE-PLC")],
            },
            "accepted_provider_ids": ["vet-b"],
        },
    )
    assert saved.status_code == 201, saved.text
    topic = catalogue.topic_of("verifications")
    for month in ("2026-01", "2026-02", "2026-02"):
        await catalogue.send(verification("uni-a:PAGE-MATH", month), "k", topic=topic)
    await catalogue.all_processed(topic)

    browse = await catalogue.http.get("/", params={"q": "page", "eqf": "6"})
    achievement = await catalogue.http.get("/achievements/uni-a:PAGE-MATH/page")
    graph = await catalogue.http.get(
        "/pathways/page-cert/graph.svg", params={"held": "uni-a:PAGE-MATH"}
    )
    pathway = await catalogue.http.get(
        "/pathways/page-cert/page", params={"held": "uni-a:PAGE-MATH"}
    )
    dashboard = await catalogue.http.get(
        "/providers/uni-a/dashboard",
        headers={"Authorization": f"Bearer {catalogue.keys['uni-a']}"},
    )

    assert browse.status_code == 200
    assert "/achievements/uni-a%3APAGE-MATH/page" in browse.text
    assert "uni-a%3APAGE-CERT" not in browse.text  # EQF filter applied
    assert "Solve ODEs" in achievement.text
    assert re.search(r"\d+% complete", achievement.text)
    assert "Page certificate" in achievement.text
    assert graph.headers["content-type"].startswith("image/svg+xml")
    assert "Any 2 of these 2" in graph.text
    assert re.search(r'class="component done" data-achievement="uni-a:PAGE-MATH"', graph.text)
    assert re.search(r'class="component missing" data-achievement="vet-b:PAGE-PLC"', graph.text)
    assert "✗ not met: 1 more needed" in graph.text
    assert "<svg" in pathway.text
    assert "Not complete yet" in pathway.text
    assert dashboard.status_code == 200
    assert "<td>2026-01</td><td>1</td>" in dashboard.text
    assert "<td>2026-02</td><td>2</td>" in dashboard.text
    assert "/achievements/uni-a%3APAGE-CERT/page" in dashboard.text
