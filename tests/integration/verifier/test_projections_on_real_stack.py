"""Against the real Kafka broker and MongoDB-wire database: the verifier's projections follow
the ecosystem's events, and its answers change when they arrive."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from microcred_shared.crypto import Ed25519Multikey, sign
from microcred_shared.events import Topic
from microcred_shared.events.contracts.catalogue import (
    AchievementV1,
    CompletenessReport,
    ProviderV1,
)
from microcred_shared.events.contracts.credentials import (
    CredentialStatusChangedV1,
    StatusListPublishedV1,
)
from microcred_shared.events.contracts.keys import IssuerKeysV1, VerificationMethodV1
from microcred_shared.events.registry import (
    ACHIEVEMENT_CHANGED,
    CREDENTIAL_STATUS_CHANGED,
    ISSUER_KEYS_CHANGED,
    PROVIDER_CHANGED,
    STATUS_LIST_PUBLISHED,
    EventSpec,
)
from microcred_verifier.adapters.status_lists import MongoStatusLists
from microcred_verifier.bootstrap import create_app
from microcred_verifier.config import VerifierSettings
from pymongo import AsyncMongoClient

from tests.infra import kafka_settings_of, provision_services
from tests.support import eventually, signed_status_list

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[2] / "data"
DID = "did:web:issuer.rhine.example:issuers:rvu"
KEY = Ed25519Multikey.from_seed(bytes(range(32)), controller=DID, key_id=f"{DID}#key-1")
LIST_URL = "https://issuer.rhine.example/status-lists/rvu.revocation.1"
ACHIEVEMENT_ID = "plc-automation"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _credential() -> dict[str, Any]:
    document = json.loads((DATA / "vectors" / "1edtech-ob30" / "complete.json").read_text())
    document.pop("proof", None)
    # The fixture's example endorsements are by endorsers no registry knows: each would be a
    # warning (the endorsements check), and this test is about the issuer's own events.
    achievement = document["credentialSubject"]["achievement"]
    for holder in (document, document["issuer"], achievement, achievement.get("creator", {})):
        holder.pop("endorsement", None)
    document["issuer"]["id"] = DID
    document["credentialSubject"]["achievement"]["id"] = (
        f"https://catalogue.example/achievements/{ACHIEVEMENT_ID}"
    )
    document["credentialStatus"] = {
        "id": f"{LIST_URL}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": LIST_URL,
    }
    document.pop("validUntil", None)
    return sign(document, KEY, verification_method=f"{DID}#key-1")


def _provider(version: int, trust: str) -> ProviderV1:
    return ProviderV1.model_validate(
        {
            "provider_id": "rvu",
            "version": version,
            "name": "Rhine Valley University",
            "provider_type": "university",
            "country": "DE",
            "accreditation": {"status": "accredited", "body": "AQAS"},
            "trust": trust,
            # As the catalogue publishes providers: the DID is known from issuer.keys only.
            "issuer_dids": [],
            "updated_at": NOW,
        }
    )


def _achievement() -> AchievementV1:
    return AchievementV1(
        achievement_id=ACHIEVEMENT_ID,
        provider_id="rvu",
        course_code="PLC-1",
        version=1,
        status="active",
        name="PLC Programming",
        description="d",
        criteria="c",
        learning_outcomes=["Write IEC 61131-3 programs"],
        ects=5,
        eqf_level=5,
        completeness=CompletenessReport(score=1.0),
        updated_at=NOW,
    )


def _keys() -> IssuerKeysV1:
    return IssuerKeysV1(
        provider_id="rvu",
        did=DID,
        version=1,
        did_document={},
        updated_at=NOW,
        verification_methods=[
            VerificationMethodV1(
                id=f"{DID}#key-1",
                public_key_multibase=KEY.public_key_multibase,
                status="active",
                valid_from=datetime(2000, 1, 1, tzinfo=UTC),
            )
        ],
    )


def _snapshot(sequence: int, *, revoked: bool) -> StatusListPublishedV1:
    """The issuer's signed list, with the credential's bit set once it is revoked."""
    return StatusListPublishedV1(
        list_id="rvu.revocation.1",
        provider_id="rvu",
        status_purpose="revocation",
        list_url=LIST_URL,
        sequence=sequence,
        list_credential=signed_status_list(LIST_URL, KEY, [7] if revoked else []),
        published_at=NOW,
    )


def _revocation() -> CredentialStatusChangedV1:
    return CredentialStatusChangedV1(
        credential_id="cred-1",
        provider_id="rvu",
        achievement_id=ACHIEVEMENT_ID,
        learner_ref="x",
        status="revoked",
        reason="issued in error",
        status_list_credential=LIST_URL,
        status_list_index=7,
        status_purpose="revocation",
        sequence=2,
        changed_at=NOW,
    )


@pytest.fixture(scope="module")
async def stack(
    infra: Any,
) -> AsyncIterator[tuple[httpx.AsyncClient, AIOKafkaProducer, VerifierSettings]]:
    settings = VerifierSettings(
        **infra.kafka_settings(),
        mongodb_uri=infra.mongodb_uri,
        mongodb_database=f"t{infra.run_id}_verifier_proj",
        topic_prefix=f"t{infra.run_id}.verifier.",
        fetch_enabled=False,
        rate_limit_per_minute=100_000,
        rate_limit_burst=10_000,
    )
    principals = await provision_services(infra.kafka, settings.topic_prefix)
    app = create_app(settings.model_copy(update=kafka_settings_of(principals["verifier"])))
    producer = AIOKafkaProducer(**infra.kafka.aiokafka_kwargs())
    await producer.start()
    async with (
        LifespanManager(app, startup_timeout=60),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://verifier", timeout=30
        ) as client,
    ):
        yield client, producer, settings
    await producer.stop()


async def _publish(
    producer: AIOKafkaProducer,
    settings: VerifierSettings,
    spec: EventSpec[Any],
    data: Any,
    key: str,
) -> None:
    assert spec.topic is not None
    event = spec.envelope(data, source="/tests")
    await producer.send_and_wait(
        settings.topics.of(spec.topic), event.to_json_bytes(), key=key.encode()
    )


async def _verify(client: httpx.AsyncClient, credential: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/verify", json={"credential": credential})
    assert response.status_code == 200, response.text
    return response.json()


def _check(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["name"] == name)


async def test_issuer_events_make_a_credential_verified_then_revoked_then_untrusted(
    stack: Any,
) -> None:
    client, producer, settings = stack
    credential = _credential()

    before = await _verify(client, credential)
    # Its did:web key is not known yet and fetching is off here: not checked, never "forged".
    assert _check(before, "issuer_key")["conclusive"] is False
    assert before["verdict"] == "unknown"

    await _publish(producer, settings, ISSUER_KEYS_CHANGED, _keys(), "rvu")
    await _publish(producer, settings, PROVIDER_CHANGED, _provider(1, "trusted"), "rvu")
    await _publish(producer, settings, ACHIEVEMENT_CHANGED, _achievement(), ACHIEVEMENT_ID)
    await _publish(producer, settings, STATUS_LIST_PUBLISHED, _snapshot(1, revoked=False), "l1")

    report = await eventually(
        lambda: _verify(client, credential), lambda r: r["verdict"] == "verified", timeout=60
    )
    assert _check(report, "issuer_trust")["data"]["as_of"] is not None
    assert _check(report, "status")["data"]["source"] == "status-lists projection (snapshot 1)"
    assert report["summary"]["ects"] == 5
    assert report["summary"]["learning_outcomes"] == ["Write IEC 61131-3 programs"]

    await _publish(producer, settings, CREDENTIAL_STATUS_CHANGED, _revocation(), "cred-1")
    await _publish(producer, settings, STATUS_LIST_PUBLISHED, _snapshot(2, revoked=True), "l1")
    revoked = await eventually(
        lambda: _verify(client, credential),
        lambda r: "issued in error" in _check(r, "status")["reason"],
        timeout=60,
    )
    assert revoked["verdict"] == "not_verified"
    assert _check(revoked, "status")["status"] == "failed"
    assert _check(revoked, "status")["reason"].startswith("revoked")

    await _publish(
        producer, settings, STATUS_LIST_PUBLISHED, _snapshot(1, revoked=False), "l1"
    )  # stale
    await _publish(producer, settings, PROVIDER_CHANGED, _provider(2, "suspended"), "rvu")
    untrusted = await eventually(
        lambda: _verify(client, credential),
        lambda r: _check(r, "issuer_trust")["status"] == "failed",
        timeout=60,
    )
    assert "untrusted issuer" in _check(untrusted, "issuer_trust")["reason"]
    assert _check(untrusted, "status")["status"] == "failed"  # the stale "active" was ignored


async def test_the_status_lists_are_restored_from_the_database_after_a_restart(
    stack: Any, infra: Any
) -> None:
    """What one process stored, the next loads before it reads the topic again."""
    _, _, settings = stack
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_uri)
    try:
        database = client[f"{settings.mongodb_database}_restart"]
        before = MongoStatusLists(database)
        revoked = _snapshot(2, revoked=True)
        await before.apply(revoked, NOW)
        await before.apply(_snapshot(1, revoked=False), NOW)  # older: not stored

        after = MongoStatusLists(database)
        assert after.newest(LIST_URL) is None
        assert await after.load() == 1
        restored = after.newest(LIST_URL)
        assert restored is not None
        assert restored.sequence == 2
        assert restored.list_credential == revoked.list_credential
        assert after.lists_under("https://issuer.rhine.example/status-lists/rvu.suspension.1")
    finally:
        await client.drop_database(f"{settings.mongodb_database}_restart")
        await client.close()


async def test_a_verification_publishes_an_anonymised_event(stack: Any) -> None:
    client, _, settings = stack
    from tests.support import read_topic

    await _verify(client, _credential())
    records = await read_topic(settings.kafka, settings.topics.of(Topic.VERIFICATIONS), expect=1)
    data = json.loads(records[0].value)["data"]
    assert set(data) >= {"verdict", "issuer_did", "achievement_id"}
    assert "learner" not in json.dumps(data)
    assert "client" not in data


async def test_concurrent_verifications_each_publish_one_event(stack: Any) -> None:
    """Published in batches behind the responses: none lost, none twice."""
    client, _, settings = stack
    from tests.support import read_topic

    marked = _credential()
    burst = f"https://catalogue.example/achievements/burst-{uuid.uuid4().hex}"
    marked["credentialSubject"]["achievement"]["id"] = burst
    await asyncio.gather(*(_verify(client, marked) for _ in range(40)))

    def of_burst(records: list[Any]) -> list[dict[str, Any]]:
        events = [json.loads(record.value) for record in records]
        return [e for e in events if e["data"].get("achievement_id") == burst]

    records = await read_topic(
        settings.kafka,
        settings.topics.of(Topic.VERIFICATIONS),
        until=lambda seen: len(of_burst(seen)) >= 40,
    )
    await asyncio.sleep(0.5)  # a duplicate would come right behind
    records = await read_topic(
        settings.kafka, settings.topics.of(Topic.VERIFICATIONS), expect=len(records)
    )
    ids = [event["id"] for event in of_burst(records)]
    assert len(ids) == 40
    assert len(set(ids)) == 40


async def test_an_unregistered_issuer_is_unknown_and_one_using_a_registered_name_not_verified(
    stack: Any,
) -> None:
    """An attacker signs with their own did:key but calls themselves Rhine Valley University:
    a correct signature, and an impersonation."""
    client, producer, settings = stack
    await _publish(producer, settings, PROVIDER_CHANGED, _provider(1, "trusted"), "rvu")
    attacker = Ed25519Multikey.generate()
    forged = _credential()
    forged.pop("proof")
    forged["issuer"] = {"id": attacker.controller, "type": ["Profile"],
                        "name": "  rhine VALLEY  University"}  # fmt: skip
    forged = sign(forged, attacker, created=NOW)
    stranger = _credential()
    stranger.pop("proof")
    # Its own course, not rvu's achievement nor rvu's (revoked) status entry: only the issuer
    # is in question.
    stranger.pop("credentialStatus")
    stranger["credentialSubject"]["achievement"]["id"] = "https://someone.example/courses/1"
    stranger["issuer"] = {"id": attacker.controller, "type": ["Profile"], "name": "Someone Else"}
    stranger = sign(stranger, attacker, created=NOW)

    report = await eventually(
        lambda: _verify(client, forged),
        lambda r: _check(r, "issuer_trust")["status"] == "failed",
        timeout=60,
    )
    unknown = await _verify(client, stranger)

    assert report["verdict"] == "not_verified"
    assert _check(report, "proof")["status"] == "passed"
    assert "impersonation" in _check(report, "issuer_trust")["reason"]
    assert report["headline"].startswith("Not verified: its issuer uses the name of Rhine Valley")
    # A self-made did:key under its own name: authentic, and no more than that.
    assert unknown["verdict"] == "unknown"
    assert unknown["headline"] == (
        "Authentic signature, but this issuer is not a recognised provider."
    )
    assert _check(unknown, "issuer_trust")["status"] == "warning"
    assert "not registered" in _check(unknown, "issuer_trust")["reason"]
