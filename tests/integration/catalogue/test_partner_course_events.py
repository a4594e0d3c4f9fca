"""Partner course events on the real broker and database, published by a plain aiokafka client."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.catalogue.conftest import Catalogue
from tests.support import eventually, read_topic

pytestmark = pytest.mark.integration


def course(code: str, version: int, **overrides: Any) -> dict[str, Any]:
    definition = {
        "name": "PLC programming for mechatronics",
        "description": "Programme industrial controllers.",
        "learning_outcomes": ["Write structured-text PLC programs"],
        "workload_hours": 55,
        "eqf_level": "EQF 5",
        "isced_f": "Electronics and automation",
        "languages": ["English", "de-AT"],
        "participation_forms": ["hybrid"],
        "assessment_type": "practical project",
        **overrides,
    }
    return {"provider_id": "uni-a", "course_code": code, "version": version, "course": definition}


async def test_a_partner_course_event_from_a_plain_kafka_client_appears_normalised_in_search(
    catalogue: Catalogue,
) -> None:
    await catalogue.publish("uni-a", "offered", course("PLC-1", 1))

    async def found() -> list[dict[str, Any]]:
        response = await catalogue.http.get(
            "/achievements", params={"q": "plc programs", "provider": "uni-a"}
        )
        return response.json()["items"]

    [hit] = await eventually(found, timeout=45)
    assert hit["achievement_id"] == "uni-a:PLC-1"
    assert hit["ects"] == 2.0  # 55 h at 27.5 h per ECTS
    assert hit["ects_from_hours"] is True
    assert hit["eqf_level"] == 5
    assert hit["isced_f_code"] == "0714"
    assert hit["languages"] == ["en", "de"]
    assert hit["participation_forms"] == ["blended"]
    assert hit["country"] == "AT"
    assert hit["completeness"]["mandatory_missing"] == []
    filtered = await catalogue.http.get(
        "/achievements", params={"isced_f": "07", "eqf": 5, "ects_max": 3}
    )
    assert [a["achievement_id"] for a in filtered.json()["items"]] == ["uni-a:PLC-1"]

    published = await read_topic(
        catalogue.admin, f"{catalogue.settings.topic_prefix}catalogue.achievements", expect=1
    )
    event = json.loads(published[0].value)
    assert event["type"] == "org.microcred.catalogue.achievement.v1"
    assert event["data"]["achievement_id"] == "uni-a:PLC-1"


async def test_a_malformed_course_event_is_dead_lettered_with_its_reason_and_changes_nothing(
    catalogue: Catalogue,
) -> None:
    await catalogue.publish("uni-a", "offered", course("MAL-1", 1))
    await catalogue.all_processed()

    await catalogue.publish(
        "uni-a", "changed", course("MAL-1", 2, eqf_level="level 12", isced_f="9876")
    )
    await catalogue.send(b"{not json", "uni-a:MAL-1")

    letters = await catalogue.dead_letters(expect=2)
    not_normalisable, not_json = letters[-2:]
    assert not_normalisable["reason_code"] == "not_normalisable"
    assert {e["field"] for e in not_normalisable["errors"]} == {"eqf_level", "isced_f"}
    assert not_json["reason_code"] == "malformed_json"
    await catalogue.all_processed()
    stored = (await catalogue.achievement("uni-a:MAL-1")).json()
    assert stored["version"] == 1
    assert stored["eqf_level"] == 5


async def test_an_older_version_arriving_after_a_newer_one_is_ignored(catalogue: Catalogue) -> None:
    await catalogue.publish("uni-a", "offered", course("ORD-1", 3, name="Robotics, third edition"))
    await catalogue.publish("uni-a", "changed", course("ORD-1", 2, name="Robotics, second edition"))
    await catalogue.publish("uni-a", "changed", course("ORD-1", 3, name="Robotics, redelivered"))
    await catalogue.all_processed()

    stored = (await catalogue.achievement("uni-a:ORD-1")).json()
    assert stored["version"] == 3
    assert stored["name"] == "Robotics, third edition"


async def test_a_providers_key_cannot_publish_another_providers_course(
    catalogue: Catalogue,
) -> None:
    uni_key = {"Authorization": f"Bearer {catalogue.keys['uni-a']}"}
    theirs = course("VET-1", 1) | {"provider_id": "vet-b"}
    body = {"action": "offered", **theirs}

    wrong_path = await catalogue.http.post("/providers/vet-b/courses", json=body, headers=uni_key)
    wrong_body = await catalogue.http.post("/providers/uni-a/courses", json=body, headers=uni_key)
    assert wrong_path.status_code == 403
    assert wrong_body.status_code == 403
    assert wrong_body.headers["content-type"].startswith("application/problem+json")
    assert wrong_body.json()["code"] == "forbidden"

    await catalogue.publish("uni-a", "offered", theirs)
    letters = await catalogue.dead_letters(expect=1)
    assert any(
        letter["reason_code"] == "forbidden" and "vet-b" in letter["reason"] for letter in letters
    )
    await catalogue.all_processed()
    assert (await catalogue.achievement("vet-b:VET-1")).status_code == 404


async def test_the_http_gateway_stores_a_course_once_however_often_it_is_sent(
    catalogue: Catalogue,
) -> None:
    vet_key = {"Authorization": f"Bearer {catalogue.keys['vet-b']}"}
    body = {"action": "offered", **course("GW-1", 1), "provider_id": "vet-b"}

    first = await catalogue.http.post("/providers/vet-b/courses", json=body, headers=vet_key)
    again = await catalogue.http.post("/providers/vet-b/courses", json=body, headers=vet_key)
    no_key = await catalogue.http.post("/providers/vet-b/courses", json=body)

    assert first.json()["outcome"] == "stored"
    assert again.json()["outcome"] == "ignored"
    assert no_key.status_code == 401
    assert first.json()["achievement"]["achievement_id"] == "vet-b:GW-1"
