"""The issuer on the real Kafka broker and MongoDB-wire database publishes its status lists on
``credentials.status-lists``: before a credential names one, after every change (a crash in
between mended from its own events), signed again after a key rotation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from microcred_issuer.adapters.migrations import MIGRATIONS, Migrations
from microcred_issuer.adapters.mongo_status_lists import STATUS_LISTS, MongoStatusListSnapshots
from microcred_issuer.bootstrap import LISTS_ANNOUNCED
from microcred_issuer.domain.status_list import bit_is_set, decode_bitstring
from microcred_issuer.service_layer.status_lists import StatusLists
from microcred_shared.events import Topic

from tests.integration.issuer.harness import (
    ADMIN_TOKEN,
    IDS,
    RunningIssuer,
    completion,
    drain,
    running_issuer,
    settings_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

Events = list[dict[str, Any]]


@pytest.fixture(scope="module")
async def issuer(infra: Any) -> AsyncIterator[RunningIssuer]:
    async with running_issuer(settings_for(infra, "lists")) as running:
        for provider in ("uni-s", "college-s"):
            await running.add_provider(provider)
            await running.add_achievement(f"{provider}:MECH-1", provider)
        await running.catalogue_knows("uni-s:MECH-1", "college-s:MECH-1")
        yield running


def of_list(list_id: str, accept: Callable[[dict[str, Any]], bool] = lambda _: True) -> Any:
    def snapshots(events: Events) -> Events:
        return [e for e in events if e["subject"] == list_id and accept(e["data"])]

    return snapshots


async def published(
    issuer: RunningIssuer, list_id: str, accept: Callable[[dict[str, Any]], bool] = lambda _: True
) -> Events:
    """The snapshots of ``list_id`` on Kafka that ``accept`` takes, once there is one."""
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_STATUS_LISTS),
        until=of_list(list_id, accept),
        settle=0.2,
    )
    found: Events = of_list(list_id, accept)(events)
    return found


async def bit(issuer: RunningIssuer, snapshot: dict[str, Any], index: int) -> bool:
    """The bit, from a snapshot whose proof verifies with the issuer's did:web document."""
    listed = snapshot["list_credential"]
    result = await issuer.verify(listed)
    assert result.verified, [c.reason for c in result.checks]
    return bit_is_set(decode_bitstring(listed["credentialSubject"]["encodedList"]), index)


async def revoke(issuer: RunningIssuer, provider_id: str, credential_id: str) -> int:
    response = await issuer.http.post(
        f"/credentials/{credential_id}/revoke",
        headers={"x-api-key": await issuer.api_key(provider_id)},
        json={"reason": "withdrawn"},
    )
    return response.status_code


async def test_a_provider_s_lists_are_published_before_its_first_credential_then_on_revocation(
    issuer: RunningIssuer,
) -> None:
    [first] = await published(issuer, "uni-s.revocation.1")
    assert first["data"]["sequence"] == 1
    assert (
        first["data"]["list_url"] == f"{issuer.settings.base_url}/status-lists/uni-s.revocation.1"
    )
    assert await published(issuer, "uni-s.suspension.1")

    await issuer.report(completion("lists-1", "uni-s", "uni-s:MECH-1"))
    credential_id = IDS.of_completion("uni-s", "lists-1")
    entry = (await issuer.credential(credential_id))["credentialStatus"]
    index = int(entry["statusListIndex"])
    assert entry["statusListCredential"] == first["data"]["list_url"]
    assert not await bit(issuer, first["data"], index)
    assert await revoke(issuer, "uni-s", credential_id) == 200

    [revoked] = await published(issuer, "uni-s.revocation.1", lambda d: d["sequence"] == 2)
    assert await bit(issuer, revoked["data"], index)
    list_path = entry["statusListCredential"].removeprefix(issuer.settings.base_url)
    served = await issuer.http.get(list_path)
    assert served.json() == revoked["data"]["list_credential"]


async def test_a_crash_between_a_revocation_and_its_snapshot_is_mended_from_the_status_event(
    issuer: RunningIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    await issuer.report(completion("lists-crash-1", "uni-s", "uni-s:MECH-1"))
    credential_id = IDS.of_completion("uni-s", "lists-crash-1")
    entry = (await issuer.credential(credential_id))["credentialStatus"]
    index = int(entry["statusListIndex"])
    refresh = StatusLists.refresh_slot
    crashed: list[str] = []

    async def crash_once(self: StatusLists, slot: Any) -> None:
        if not crashed:
            crashed.append(slot.list_id("revocation"))
            raise ConnectionError("the process died after storing the status change")
        await refresh(self, slot)

    monkeypatch.setattr(StatusLists, "refresh_slot", crash_once)

    with pytest.raises(ConnectionError):  # the in-process transport hands over the 500's cause
        await revoke(issuer, "uni-s", credential_id)

    # Nobody asks for the list: the issuer's own credentials.status consumer publishes it.
    [mended] = await published(issuer, crashed[0], lambda d: bit_is_set(_bits(d), index))
    assert await bit(issuer, mended["data"], index)


async def test_a_key_rotation_publishes_the_provider_s_lists_signed_with_the_new_key(
    issuer: RunningIssuer,
) -> None:
    rotated = await issuer.http.post(
        "/admin/providers/college-s/keys/rotate",
        headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert rotated.status_code == 200, rotated.text

    for list_id in ("college-s.revocation.1", "college-s.suspension.1"):
        [latest] = await published(issuer, list_id, _signed_with("#key-2"))
        assert latest["data"]["sequence"] == 2
        assert not await bit(issuer, latest["data"], 0)


async def test_lists_of_slots_claimed_before_snapshots_existed_are_announced_at_start(
    issuer: RunningIssuer,
) -> None:
    await issuer.report(completion("lists-early-1", "college-s", "college-s:MECH-1"))
    await issuer.credential(IDS.of_completion("college-s", "lists-early-1"))
    database = issuer.issuer.runtime.database
    snapshots = MongoStatusListSnapshots(database)
    # As an earlier version left the database: slots, no snapshots, no marker.
    await database[STATUS_LISTS].delete_many({})
    await database[MIGRATIONS].delete_one({"_id": LISTS_ANNOUNCED})

    await issuer.issuer.start_tasks()

    restored = await snapshots.get("college-s.revocation.1")
    assert restored is not None
    assert restored.sequence == 1
    assert await Migrations(database).done(LISTS_ANNOUNCED)


def _bits(data: dict[str, Any]) -> bytes:
    return decode_bitstring(data["list_credential"]["credentialSubject"]["encodedList"])


def _signed_with(fragment: str) -> Callable[[dict[str, Any]], bool]:
    def signed(data: dict[str, Any]) -> bool:
        [proof] = data["list_credential"]["proof"]  # the issuer signs with a proof array
        return str(proof["verificationMethod"]).endswith(fragment)

    return signed
