"""The issuer on the real Kafka broker and MongoDB-wire database: completions in, one signed
credential each, events out; revocation, stacking and key rotation end to end."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from microcred_issuer.adapters.migrations import MIGRATIONS
from microcred_issuer.adapters.mongo_credentials import LEARNERS, MongoCredentials
from microcred_issuer.adapters.mongo_learner_access import MongoAccessLinkRequests
from microcred_issuer.adapters.mongo_status_bits import STATUS_BITS, MongoStatusBits
from microcred_issuer.domain.status_list import bit_is_set, decode_bitstring
from microcred_shared.events import Topic
from microcred_shared.events.registry import COMPLETION_REPORTED
from microcred_shared.openbadges import validate_achievement_credential

from tests.integration.issuer.harness import (
    ADMIN_TOKEN,
    IDS,
    RunningIssuer,
    completion,
    drain,
    now,
    running_issuer,
    settings_for,
)
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
async def issuer(infra: Any) -> AsyncIterator[RunningIssuer]:
    async with running_issuer(settings_for(infra, "stack")) as running:
        for provider in ("uni-a", "college-b"):
            await running.add_provider(provider)
        for achievement, provider in (
            ("uni-a:MECH-1", "uni-a"),
            ("uni-a:PLC-2", "uni-a"),
            ("college-b:HYD-1", "college-b"),
        ):
            await running.add_achievement(achievement, provider)
        await running.add_achievement("uni-a:CERT", "uni-a", ects=15.0)
        await running.catalogue_knows(
            "uni-a:MECH-1",
            "uni-a:PLC-2",
            "college-b:HYD-1",
            "uni-a:CERT",
            providers=("uni-a", "college-b"),
        )
        yield running


def issued_for(credential_id: str):  # type: ignore[no-untyped-def]
    return lambda events: [e for e in events if e["data"]["credential_id"] == credential_id]


async def test_one_completion_becomes_one_signed_schema_valid_stored_credential_and_one_event(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("one-1", "uni-a", "uni-a:MECH-1"))
    credential_id = IDS.of_completion("uni-a", "one-1")

    document = await issuer.credential(credential_id)

    assert validate_achievement_credential(document) == []
    result = await issuer.verify(document)
    assert result.verified, [c.reason for c in result.checks]
    assert document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    vc = await issuer.http.get(
        f"/credentials/{credential_id}", headers={"accept": "application/vc+ld+json"}
    )
    assert vc.headers["content-type"].startswith("application/vc+ld+json")
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_ISSUED),
        until=issued_for(credential_id),
    )
    [event] = issued_for(credential_id)(events)
    assert event["data"]["kind"] == "completion"
    assert "ada@example.org" not in str(event)
    metrics = (await issuer.http.get("/metrics")).text
    assert 'issuer_credentials_issued_total{kind="completion"}' in metrics


async def test_the_same_completion_five_times_over_kafka_and_http_is_still_one_credential(
    issuer: RunningIssuer,
) -> None:
    api_key = await issuer.api_key("uni-a")
    again = completion("five-1", "uni-a", "uni-a:PLC-2")
    credential_id = IDS.of_completion("uni-a", "five-1")
    for _ in range(3):
        await issuer.report(again)  # Kafka: resubmitted (and redelivered) events
    answers = []
    for _ in range(2):  # HTTP retries of the same completion
        response = await issuer.http.post(
            "/completions",
            json={
                "completion_id": "five-1",
                "achievement_id": "uni-a:PLC-2",
                "learner": {"email": "ada@example.org"},
                "completed_on": "2025-05-30",
            },
            headers={"authorization": f"Bearer {api_key}"},
        )
        assert response.status_code in (200, 201), response.text
        answers.append(response.json()["credential_id"])

    assert answers == [credential_id, credential_id]
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_ISSUED),
        until=issued_for(credential_id),
        settle=3.0,
    )
    assert len(issued_for(credential_id)(events)) == 1
    count = await issuer.issuer.runtime.database["credentials"].count_documents(
        {"completion_id": "five-1"}
    )
    assert count == 1


async def test_a_completion_for_another_providers_achievement_is_rejected_with_a_reason(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("foreign-1", "uni-a", "college-b:HYD-1"))
    letters = await drain(
        issuer.admin,
        issuer.completions_topic("uni-a") + ".dlq",
        until=lambda events: any("foreign-1" in e["data"]["original_value"] for e in events),
        settle=0.2,
    )
    [letter] = [e["data"] for e in letters if "foreign-1" in e["data"]["original_value"]]
    assert letter["reason_code"] == "achievement_of_another_provider"
    assert "college-b" in letter["reason"]

    api_key = await issuer.api_key("uni-a")
    response = await issuer.http.post(
        "/completions",
        json={
            "completion_id": "foreign-2",
            "achievement_id": "college-b:HYD-1",
            "learner": {"email": "ada@example.org"},
            "completed_on": "2025-05-30",
        },
        headers={"authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "achievement_of_another_provider"
    for completion_id in ("foreign-1", "foreign-2"):
        missing = await issuer.http.get(f"/credentials/{IDS.of_completion('uni-a', completion_id)}")
        assert missing.status_code == 404


async def test_bad_completions_in_a_burst_are_dead_lettered_alone_and_the_rest_issued_once(
    issuer: RunningIssuer,
) -> None:
    """Sent at once, so the issuer takes them in batches: each bad one is dead-lettered with
    its own reason, and every good one around it becomes exactly one credential."""
    # Learners of their own: the pathway test below counts who earns its components.
    good = [
        completion(f"burst-{n}", "college-b", "college-b:HYD-1", f"burst{n}@example.org")
        for n in range(40)
    ]
    sent = [COMPLETION_REPORTED.envelope(c, source="/tests").to_json_bytes() for c in good]
    bad = {
        "malformed_json": b'{"specversion": "1.0", "id": "burst-malformed',
        "provider_mismatch": COMPLETION_REPORTED.envelope(
            completion("burst-mismatch", "uni-a", "uni-a:MECH-1"), source="/tests"
        ).to_json_bytes(),
        "achievement_of_another_provider": COMPLETION_REPORTED.envelope(
            completion("burst-foreign", "college-b", "uni-a:MECH-1"), source="/tests"
        ).to_json_bytes(),
    }
    bodies = sent[:15] + list(bad.values()) + sent[15:]
    await issuer.publish_raw_as("college-b", bodies)

    letters = await drain(
        issuer.admin,
        issuer.completions_topic("college-b") + ".dlq",
        until=lambda events: (
            len([e for e in events if "burst-" in e["data"]["original_value"]]) >= len(bad)
        ),
        settle=1.0,
    )
    ours = [e["data"] for e in letters if "burst-" in e["data"]["original_value"]]
    assert sorted(letter["reason_code"] for letter in ours) == sorted(bad)
    ids = {IDS.of_completion("college-b", f"burst-{n}") for n in range(40)}
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_ISSUED),
        until=lambda events: ids <= {e["data"]["credential_id"] for e in events},
    )
    issued = [e["data"]["credential_id"] for e in events if e["data"]["credential_id"] in ids]
    assert sorted(issued) == sorted(ids)  # each once
    for refused in ("burst-mismatch", "burst-foreign"):
        for provider in ("uni-a", "college-b"):
            missing = await issuer.http.get(f"/credentials/{IDS.of_completion(provider, refused)}")
            assert missing.status_code == 404


async def test_revoking_flips_the_status_bit_the_served_list_verifies_and_the_event_goes_out(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("revoke-1", "uni-a", "uni-a:MECH-1", "rev@example.org"))
    credential_id = IDS.of_completion("uni-a", "revoke-1")
    entry = (await issuer.credential(credential_id))["credentialStatus"]
    list_path = entry["statusListCredential"].removeprefix(issuer.settings.base_url)
    index = int(entry["statusListIndex"])
    before = await issuer.http.get(list_path)
    assert before.status_code == 200
    assert "max-age" in before.headers["cache-control"]
    assert not bit_is_set(
        decode_bitstring(before.json()["credentialSubject"]["encodedList"]), index
    )
    assert (
        await issuer.http.get(list_path, headers={"if-none-match": before.headers["etag"]})
    ).status_code == 304

    api_key = await issuer.api_key("uni-a")
    other_key = await issuer.api_key("college-b")
    refused = await issuer.http.post(
        f"/credentials/{credential_id}/revoke", headers={"x-api-key": other_key}, json={}
    )
    assert refused.status_code == 403
    revoked = await issuer.http.post(
        f"/credentials/{credential_id}/revoke",
        headers={"x-api-key": api_key},
        json={"reason": "assessment misconduct"},
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["status"] == "revoked"

    after = await issuer.http.get(list_path)
    assert after.headers["etag"] != before.headers["etag"]
    listed = after.json()
    assert bit_is_set(decode_bitstring(listed["credentialSubject"]["encodedList"]), index)
    result = await issuer.verify(listed)
    assert result.verified, [c.reason for c in result.checks]
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_STATUS),
        until=issued_for(credential_id),
        settle=0.2,
    )
    [event] = issued_for(credential_id)(events)
    assert event["data"]["status"] == "revoked"
    assert event["data"]["reason"] == "assessment misconduct"
    assert event["data"]["status_list_index"] == index


async def test_a_cross_provider_pathway_completed_in_any_order_with_duplicates_awards_once(
    issuer: RunningIssuer,
) -> None:
    await issuer.add_pathway(
        "mechatronics",
        "uni-a",
        "uni-a:CERT",
        {
            "kind": "all_of",
            "rules": [
                {"kind": "achievement", "achievement_id": "uni-a:MECH-1"},
                {"kind": "achievement", "achievement_id": "college-b:HYD-1"},
                {
                    "kind": "n_of",
                    "n": 1,
                    "rules": [
                        {"kind": "achievement", "achievement_id": "uni-a:PLC-2"},
                    ],
                },
            ],
        },
        ["uni-a", "college-b"],
    )
    pathways = issuer.issuer.runtime.database["catalogue_pathways"]
    await eventually(lambda: pathways.count_documents({"_id": "mechatronics"}))
    steps = [
        completion("stack-1", "uni-a", "uni-a:MECH-1", "grace@example.org"),
        completion("stack-2", "college-b", "college-b:HYD-1", "grace@example.org"),
        completion("stack-3", "uni-a", "uni-a:PLC-2", "grace@example.org"),
    ]
    steps = steps + steps[:2]  # duplicates
    random.Random(7).shuffle(steps)
    for step in steps:
        await issuer.report(step)
    learner_ref = (await issuer.credential(IDS.of_completion("uni-a", "stack-1")))[
        "credentialSubject"
    ]["identifier"][0]["identityHash"]
    stacked_id = IDS.of_pathway_award("mechatronics", learner_ref)

    document = await issuer.credential(stacked_id)

    assert validate_achievement_credential(document) == []
    assert (await issuer.verify(document)).verified
    assert len(document["evidence"]) == 3
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_ISSUED),
        until=issued_for(stacked_id),
        settle=3.0,
    )
    stacked = [e for e in events if e["data"]["kind"] == "stacked"]
    assert [e["data"]["credential_id"] for e in stacked] == [stacked_id]
    token = await emailed_link_token(issuer, "grace@example.org")
    mine = await issuer.http.get(
        "/learners/me/credentials", headers={"Authorization": f"Bearer {token}"}
    )
    assert sorted(c["kind"] for c in mine.json()) == [
        "completion",
        "completion",
        "completion",
        "stacked",
    ]


async def emailed_link_token(issuer: RunningIssuer, email: str) -> str:
    """Ask for a wallet link as the learner would; the token of the link the issuer publishes
    for the notifier to e-mail."""
    asked = await issuer.http.post("/learners/access-links", json={"email": email})
    assert asked.status_code == 202
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_LEARNER_NOTICES),
        until=lambda found: links_to(found, email),
    )
    [link] = links_to(events, email)
    return str(parse_qs(urlsplit(link).query)["token"][0])


def links_to(events: list[dict[str, Any]], email: str) -> list[str]:
    return [
        e["data"]["wallet_url"]
        for e in events
        if e["type"].endswith("learner.access-link.v1") and e["data"]["email"] == email
    ]


async def test_one_wallet_link_per_learner_per_interval_even_when_asked_at_once(
    issuer: RunningIssuer,
) -> None:
    links = MongoAccessLinkRequests(issuer.issuer.runtime.database)
    learner_ref, at = f"sha256${random.getrandbits(64):x}", now()
    quiet_since = at - timedelta(seconds=60)

    recorded = await asyncio.gather(
        *(links.record(learner_ref, at, quiet_since, []) for _ in range(5))
    )
    again = await links.record(learner_ref, at + timedelta(seconds=30), quiet_since, [])
    later = await links.record(
        learner_ref, at + timedelta(seconds=61), at + timedelta(seconds=1), []
    )

    assert sorted(recorded) == [False, False, False, False, True]
    assert (again, later) == (False, True)


async def test_credentials_stored_before_the_learner_index_existed_are_indexed_at_start(
    issuer: RunningIssuer,
) -> None:
    for step in ("early-1", "early-2"):
        await issuer.report(completion(step, "uni-a", "uni-a:MECH-1", "hedy@example.org"))
    first = await issuer.credential(IDS.of_completion("uni-a", "early-1"))
    await issuer.credential(IDS.of_completion("uni-a", "early-2"))
    learner_ref = first["credentialSubject"]["identifier"][0]["identityHash"]
    database = issuer.issuer.runtime.database
    credentials = MongoCredentials(database)
    before = [c.credential_id for c in await credentials.of_learner(learner_ref)]
    # As an earlier version left the database: credentials, but no index and no marker.
    await database[LEARNERS].delete_many({})
    await database[MIGRATIONS].delete_many({})

    forgotten = await credentials.of_learner(learner_ref)
    indexed = await credentials.index_learners()
    after = [c.credential_id for c in await credentials.of_learner(learner_ref)]

    assert sorted(before) == sorted(
        IDS.of_completion("uni-a", step) for step in ("early-1", "early-2")
    )
    assert forgotten == []
    assert indexed >= 1
    assert after == before
    assert await credentials.index_learners() == 0  # once per database


async def test_credentials_signed_before_a_key_rotation_still_verify_after_it(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("rotate-1", "college-b", "college-b:HYD-1"))
    before = await issuer.credential(IDS.of_completion("college-b", "rotate-1"))

    rotated = await issuer.http.post(
        "/admin/providers/college-b/keys/rotate",
        headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["current_verification_method"].endswith("#key-2")
    await issuer.report(completion("rotate-2", "college-b", "college-b:HYD-1", "bob@example.org"))
    after = await issuer.credential(IDS.of_completion("college-b", "rotate-2"))

    assert before["proof"][0]["verificationMethod"].endswith("#key-1")
    assert after["proof"][0]["verificationMethod"].endswith("#key-2")
    for document in (before, after):
        result = await issuer.verify(document)
        assert result.verified, [c.reason for c in result.checks]
    did_doc = (await issuer.http.get("/issuers/college-b/did.json")).json()
    assert len(did_doc["assertionMethod"]) == 2


async def test_a_browser_opening_the_issued_events_page_link_sees_the_credential_page(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("page-1", "uni-a", "uni-a:MECH-1"))
    credential_id = IDS.of_completion("uni-a", "page-1")
    await issuer.credential(credential_id)
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_ISSUED),
        until=issued_for(credential_id),
    )
    [event] = issued_for(credential_id)(events)
    page_url = event["data"]["links"]["page_url"]

    page = await issuer.http.get(page_url, headers={"accept": "text/html,*/*;q=0.8"})
    negotiated = await issuer.http.get(
        f"/credentials/{credential_id}", headers={"accept": "text/html"}
    )

    assert page.headers["content-type"].startswith("text/html")
    assert negotiated.headers["content-type"].startswith("text/html")
    assert "Active" in page.text
    assert "Verify this credential" in page.text
    assert "@example.org" not in page.text


async def _list_bit(issuer: RunningIssuer, credential_id: str) -> bool:
    entry = (await issuer.credential(credential_id))["credentialStatus"]
    listed = await issuer.http.get(
        entry["statusListCredential"].removeprefix(issuer.settings.base_url)
    )
    encoded = listed.json()["credentialSubject"]["encodedList"]
    return bit_is_set(decode_bitstring(encoded), int(entry["statusListIndex"]))


async def _revoke(issuer: RunningIssuer, credential_id: str) -> int:
    response = await issuer.http.post(
        f"/credentials/{credential_id}/revoke",
        headers={"x-api-key": await issuer.api_key("uni-a")},
        json={"reason": "withdrawn"},
    )
    return response.status_code


async def test_a_crash_between_a_revocation_and_its_list_bit_is_mended_from_the_event(
    issuer: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await issuer.report(completion("bits-crash-1", "uni-a", "uni-a:MECH-1"))
    credential_id = IDS.of_completion("uni-a", "bits-crash-1")
    await issuer.credential(credential_id)  # stored
    apply = MongoStatusBits.apply
    crashed: list[str] = []

    async def crash_once(self: MongoStatusBits, credential: Any) -> None:
        if not crashed:
            crashed.append(credential.credential_id)
            raise ConnectionError("the process died after storing the status change")
        await apply(self, credential)

    monkeypatch.setattr(MongoStatusBits, "apply", crash_once)

    # The service answers 500; the in-process transport hands the test the error itself.
    with pytest.raises(ConnectionError):
        await _revoke(issuer, credential_id)
    stored = await MongoCredentials(issuer.issuer.runtime.database).get(credential_id)

    assert crashed == [credential_id]
    assert stored is not None
    assert stored.status == "revoked"
    assert await eventually(lambda: _list_bit(issuer, credential_id), timeout=60)


async def test_credentials_revoked_before_the_status_bits_existed_are_listed_after_start(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("bits-early-1", "uni-a", "uni-a:MECH-1"))
    credential_id = IDS.of_completion("uni-a", "bits-early-1")
    await issuer.credential(credential_id)  # stored
    assert await _revoke(issuer, credential_id) == 200
    assert await eventually(lambda: _list_bit(issuer, credential_id), timeout=30)
    # The issuer reads its own status event and mends the bits from it: that must be behind
    # us, or it would write the bits back after they are removed below (it did, under load).
    await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_STATUS),
        until=lambda events: any(e["data"]["credential_id"] == credential_id for e in events),
        settle=0,
    )
    await issuer.consumed(Topic.CREDENTIALS_STATUS)
    database = issuer.issuer.runtime.database
    credentials = MongoCredentials(database)
    # As an earlier version left the database: revoked credentials, no bits, no marker.
    await database[STATUS_BITS].delete_many({})
    await database[MIGRATIONS].delete_many({})

    forgotten = await _list_bit(issuer, credential_id)
    recorded = await credentials.index_status_bits()

    assert forgotten is False
    assert recorded >= 1
    assert await _list_bit(issuer, credential_id)
    assert await credentials.index_status_bits() == 0  # once per database
