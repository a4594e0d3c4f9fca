"""Provider keys: created on first sight, sealed at rest, rotated without breaking the past."""

from datetime import date

from microcred_issuer.service_layer.commands import IssueCompletion, RotateKey
from microcred_issuer.service_layer.keys import did_document
from microcred_shared.crypto import Ed25519Multikey, StaticKeyResolver, verify_proofs
from microcred_shared.crypto.dates import parse_datetime
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import World


async def test_a_provider_gets_a_did_web_key_when_it_first_appears_and_it_is_announced() -> None:
    world = World()
    await world.add_provider("uni-a")
    await world.add_provider("uni-a", version=2, name="Renamed")

    keyring = world.keyrings.keyrings["uni-a"]
    assert keyring.did == "did:web:issuer.test%3A8002:issuers:uni-a"
    [event] = world.outbox.on(Topic.ISSUER_KEYS)
    assert event.data.version == 1
    assert event.data.verification_methods[0].id == f"{keyring.did}#key-1"
    assert event.data.did_document["assertionMethod"] == [f"{keyring.did}#key-1"]


async def test_the_private_key_is_stored_sealed_and_never_in_the_did_document() -> None:
    world = World()
    await world.add_provider("uni-a")
    keyring = world.keyrings.keyrings["uni-a"]
    secret = world.vault.signing_key(keyring).secret_key_multibase
    assert secret not in keyring.current.sealed_secret
    assert secret not in str(did_document(keyring))
    assert secret not in str(world.outbox.events)
    assert "secretKeyMultibase" not in str(did_document(keyring))


async def test_after_rotation_the_new_key_signs_and_old_credentials_still_verify() -> None:
    world = World(suite="eddsa-rdfc-2022")
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    issue = world.handlers.completions.issue
    before = await issue(
        IssueCompletion("c-1", "uni-a", "uni-a:MECH-1", date(2025, 1, 1), "a@x.org")
    )

    rotated = await world.handlers.keys.rotate(RotateKey("uni-a"))
    after = await issue(
        IssueCompletion("c-2", "uni-a", "uni-a:MECH-1", date(2025, 1, 1), "b@x.org")
    )

    assert rotated.version == 2
    assert rotated.current.fragment == "key-2"
    document = did_document(rotated)
    resolver = StaticKeyResolver.from_documents(document)
    old = world.credentials.stored[before.credential_id].document
    new = world.credentials.stored[after.credential_id].document
    assert old["proof"][0]["verificationMethod"].endswith("#key-1")
    assert new["proof"][0]["verificationMethod"].endswith("#key-2")
    for signed in (old, new):
        result = verify_proofs(signed, resolver)
        assert result.verified, [c.reason for c in result.checks]
        key = result.checks[0].key
        assert key is not None
        assert key.valid_at(parse_datetime(signed["proof"][0]["created"]))
    retired = next(vm for vm in document["verificationMethod"] if vm["id"].endswith("#key-1"))
    assert "expires" in retired
    assert [e.data.version for e in world.outbox.on(Topic.ISSUER_KEYS)] == [1, 2]


async def test_an_imported_key_becomes_the_signing_key() -> None:
    world = World()
    await world.add_provider("uni-a")
    imported = Ed25519Multikey.generate()
    keyring = await world.handlers.keys.rotate(
        RotateKey("uni-a", secret_key_multibase=imported.secret_key_multibase)
    )
    assert keyring.current.public_key_multibase == imported.public_key_multibase
    assert world.vault.signing_key(keyring).public_key_multibase == imported.public_key_multibase


async def test_api_keys_are_stored_as_hashes_and_name_their_provider() -> None:
    world = World()
    await world.add_provider("uni-a")
    _, api_key = await world.handlers.api_keys.issue("uni-a")
    assert api_key not in str(world.api_keys.records)
    assert await world.handlers.api_keys.provider_of(api_key) == "uni-a"
    assert await world.handlers.api_keys.provider_of(api_key + "x") is None
