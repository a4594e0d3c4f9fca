"""Revocation and suspension: the credential's state, its event, and the signed status list."""

from datetime import date

import pytest
from microcred_issuer.domain.errors import CredentialNotFound, Forbidden, InvalidStatusChange
from microcred_issuer.domain.status_list import (
    bit_is_set,
    decode_bitstring,
    encode_bitstring,
    parse_list_id,
)
from microcred_issuer.service_layer.commands import ChangeStatus, IssueCompletion
from microcred_issuer.service_layer.keys import did_document
from microcred_shared.crypto import StaticKeyResolver, verify_proofs
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import World


@pytest.fixture
async def issued() -> tuple[World, str]:
    world = World()
    await world.add_provider("uni-a")
    await world.add_provider("college-b")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    outcome = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 5, 1), "ada@example.org")
    )
    return world, outcome.credential_id


def list_bit(world: World, document: dict, index: int) -> bool:  # type: ignore[type-arg]
    keyring = world.keyrings.keyrings["uni-a"]
    result = verify_proofs(document, StaticKeyResolver.from_documents(did_document(keyring)))
    assert result.verified, [c.reason for c in result.checks]
    return bit_is_set(decode_bitstring(document["credentialSubject"]["encodedList"]), index)


async def test_revoking_flips_the_bit_in_the_signed_list_and_announces_it(
    issued: tuple[World, str],
) -> None:
    world, credential_id = issued
    entry = world.credentials.stored[credential_id].document["credentialStatus"]
    list_id = entry["statusListCredential"].rsplit("/", 1)[-1]
    index = int(entry["statusListIndex"])
    before = await world.handlers.status_lists.current(list_id)
    assert before is not None
    assert not list_bit(world, before.document, index)

    changed = await world.handlers.status.change(
        ChangeStatus(credential_id, "uni-a", "revoke", "issued in error")
    )

    assert changed.status == "revoked"
    after = await world.handlers.status_lists.current(list_id)
    assert after is not None
    assert list_bit(world, after.document, index)
    assert after.digest != before.digest
    assert after.sequence == before.sequence + 1
    [event] = world.outbox.on(Topic.CREDENTIALS_STATUS)
    assert (event.data.status, event.data.reason) == ("revoked", "issued in error")
    assert event.data.status_list_credential == entry["statusListCredential"]
    assert event.data.status_list_index == index


async def test_revoking_twice_announces_once(issued: tuple[World, str]) -> None:
    world, credential_id = issued
    for _ in range(2):
        await world.handlers.status.change(ChangeStatus(credential_id, "uni-a", "revoke"))
    assert len(world.outbox.on(Topic.CREDENTIALS_STATUS)) == 1


async def test_suspension_is_undone_by_reinstatement_but_revocation_is_final(
    issued: tuple[World, str],
) -> None:
    world, credential_id = issued
    suspension = world.credentials.stored[credential_id].slot.list_id("suspension")
    index = world.credentials.stored[credential_id].slot.index
    await world.handlers.status.change(ChangeStatus(credential_id, "uni-a", "suspend", "inquiry"))
    suspended = await world.handlers.status_lists.current(suspension)
    assert suspended is not None
    assert list_bit(world, suspended.document, index)

    await world.handlers.status.change(ChangeStatus(credential_id, "uni-a", "reinstate"))
    reinstated = await world.handlers.status_lists.current(suspension)
    assert reinstated is not None
    assert not list_bit(world, reinstated.document, index)

    await world.handlers.status.change(ChangeStatus(credential_id, "uni-a", "revoke"))
    with pytest.raises(InvalidStatusChange):
        await world.handlers.status.change(ChangeStatus(credential_id, "uni-a", "reinstate"))
    statuses = [e.data.status for e in world.outbox.on(Topic.CREDENTIALS_STATUS)]
    assert statuses == ["suspended", "active", "revoked"]


async def test_a_provider_cannot_change_another_providers_credential(
    issued: tuple[World, str],
) -> None:
    world, credential_id = issued
    with pytest.raises(Forbidden):
        await world.handlers.status.change(ChangeStatus(credential_id, "college-b", "revoke"))
    with pytest.raises(CredentialNotFound):
        await world.handlers.status.change(ChangeStatus("nope", "uni-a", "revoke"))
    assert world.credentials.stored[credential_id].status == "active"


def test_the_bitstring_is_gzip_base64url_with_the_multibase_prefix_and_index_0_leftmost() -> None:
    encoded = encode_bitstring([0, 9, 131_071], 131_072)
    assert encoded.startswith("u")
    assert "=" not in encoded
    assert "+" not in encoded
    bits = decode_bitstring(encoded)
    assert len(bits) == 16_384
    assert bits[0] == 0x80
    assert bits[1] == 0x40
    assert bits[-1] == 0x01
    assert [bit_is_set(bits, i) for i in (0, 1, 9, 131_071)] == [True, False, True, True]


def test_list_ids_name_provider_purpose_and_shard() -> None:
    assert parse_list_id("uni.a.revocation.1") == ("uni.a", "revocation", 1)
    assert parse_list_id("uni-a.suspension.2") == ("uni-a", "suspension", 2)
    assert parse_list_id("uni-a.other.1") is None
    assert parse_list_id("revocation.1") is None


async def test_with_the_suspension_entry_enabled_a_credential_names_both_lists() -> None:
    world = World(suspension_entry=True)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    outcome = await world.handlers.completions.issue(
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 5, 1), "ada@example.org")
    )
    document = world.credentials.stored[outcome.credential_id].document
    purposes = [entry["statusPurpose"] for entry in document["credentialStatus"]]
    assert purposes == ["revocation", "suspension"]
    assert len({entry["statusListIndex"] for entry in document["credentialStatus"]}) == 1
    keyring = world.keyrings.keyrings["uni-a"]
    assert verify_proofs(document, StaticKeyResolver.from_documents(did_document(keyring))).verified
