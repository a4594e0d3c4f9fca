"""A learner's CLR 2.0 on fakes: their chosen credentials bundled unchanged, associations from
the pathway, signed by the ecosystem's own did:web, valid against the CLR schema."""

from datetime import timedelta

import httpx
import pytest
from microcred_issuer.domain.errors import ClrSelectionInvalid, CredentialNotFound
from microcred_issuer.domain.identity import learner_from_email
from microcred_issuer.domain.records import IssuedCredential
from microcred_issuer.service_layer.keys import did_document
from microcred_issuer.service_layer.learner_access import SESSION_PURPOSE
from microcred_shared.access_tokens import PurposeTokens
from microcred_shared.crypto import StaticKeyResolver, check_safe_mode, verify_proofs
from microcred_shared.events import Topic
from microcred_shared.openbadges import CLR_ISSUER_ID, validate_clr_credential

from tests.unit.issuer.fakes import LEARNER_ACCESS_KEY, SALT_KEY, World
from tests.unit.issuer.http_app import issuer_client
from tests.unit.issuer.test_issuer_stacking import COMPONENTS, complete, stacking_world

ADA = learner_from_email("ada@example.org", SALT_KEY).learner_ref


async def ada_holds_a_stacked_record(
    suite: str = "eddsa-jcs-2022",
) -> tuple[World, list[IssuedCredential]]:
    """Three components from two providers and the stacked certificate they make."""
    world = await stacking_world(suite=suite)
    for provider, achievement in COMPONENTS:
        await complete(world, provider, achievement)
    held = await world.credentials.of_learner(ADA)
    assert len(held) == 4
    return world, held


def achievement_url(credential: IssuedCredential) -> str:
    url: str = credential.document["credentialSubject"]["achievement"]["id"]
    return url


async def test_a_clr_bundles_the_chosen_credentials_unchanged_under_the_platforms_did() -> None:
    world, held = await ada_holds_a_stacked_record()
    clr = await world.handlers.clr.issue(ADA, [c.credential_id for c in held])

    assert validate_clr_credential(clr) == []
    check_safe_mode({k: v for k, v in clr.items() if k != "proof"})  # every term defined
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["credentialSubject"]["verifiableCredential"] == [c.document for c in held]
    platform = await world.keyrings.get(CLR_ISSUER_ID)
    assert platform is not None
    assert clr["issuer"]["id"] == platform.did == world.handlers.urls.did(CLR_ISSUER_ID)
    resolver = StaticKeyResolver.from_documents([did_document(platform)])
    assert verify_proofs(clr, resolver).verified
    announced = [e.data.provider_id for e in world.outbox.on(Topic.ISSUER_KEYS)]
    assert CLR_ISSUER_ID in announced


async def test_the_stacked_credential_is_parent_of_each_component_it_was_built_from() -> None:
    world, held = await ada_holds_a_stacked_record()
    clr = await world.handlers.clr.issue(ADA, [c.credential_id for c in held])

    [certificate] = [c for c in held if c.kind == "stacked"]
    components = [c for c in held if c.kind == "completion"]
    assert sorted(
        (a["associationType"], a["sourceId"], a["targetId"])
        for a in clr["credentialSubject"]["association"]
    ) == sorted(
        ("isParentOf", achievement_url(certificate), achievement_url(c)) for c in components
    )


async def test_a_clr_without_the_stacked_credential_has_no_associations() -> None:
    world, held = await ada_holds_a_stacked_record()
    components = [c.credential_id for c in held if c.kind == "completion"]
    clr = await world.handlers.clr.issue(ADA, components)
    assert "association" not in clr["credentialSubject"]
    assert validate_clr_credential(clr) == []


async def test_someone_elses_credential_reads_as_not_found() -> None:
    world, held = await ada_holds_a_stacked_record()
    grace = learner_from_email("grace@example.org", SALT_KEY).learner_ref
    with pytest.raises(CredentialNotFound):
        await world.handlers.clr.issue(grace, [held[0].credential_id])


async def test_a_revoked_credential_cannot_go_into_a_clr() -> None:
    world, held = await ada_holds_a_stacked_record()
    revoked = held[0].status_change("revoke", "mistake", world.clock.now())
    assert revoked is not None
    world.credentials.stored[revoked.credential_id] = revoked
    with pytest.raises(ClrSelectionInvalid):
        await world.handlers.clr.issue(ADA, [c.credential_id for c in held])


async def test_the_learner_asks_for_a_clr_over_http_with_their_wallet_token() -> None:
    world, held = await ada_holds_a_stacked_record()
    session = PurposeTokens(LEARNER_ACCESS_KEY, SESSION_PURPOSE, timedelta(hours=1))
    token = session.mint(ADA, world.clock.now()).token
    body = {"credential_ids": [c.credential_id for c in held]}
    async with issuer_client(world) as http:
        refused = await http.post("/learners/me/clr", json=body)
        answered = await http.post(
            "/learners/me/clr", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        did = await http.get(f"/issuers/{CLR_ISSUER_ID}/did.json")
    assert refused.status_code == 401
    assert answered.status_code == 200, answered.text
    assert answered.headers["content-type"] == "application/vc+ld+json"
    assert validate_clr_credential(answered.json()) == []
    assert did.status_code == 200
    assert did.json()["id"] == answered.json()["issuer"]["id"]


async def test_an_empty_choice_is_refused_over_http() -> None:
    world, _ = await ada_holds_a_stacked_record()
    token = PurposeTokens(LEARNER_ACCESS_KEY, SESSION_PURPOSE, timedelta(hours=1))
    bearer = {"Authorization": f"Bearer {token.mint(ADA, world.clock.now()).token}"}
    async with issuer_client(world) as http:
        answer: httpx.Response = await http.post(
            "/learners/me/clr", json={"credential_ids": []}, headers=bearer
        )
    assert answer.status_code == 422
