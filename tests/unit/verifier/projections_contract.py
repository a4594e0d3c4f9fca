"""What every store of the verifier's projections answers, whatever holds it: one suite, run
against memory (unit) and against the MongoDB-wire database and the store the service serves
from (integration). A subclass provides the ``projections`` fixture."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.events.contracts.catalogue import (
    AchievementV1,
    AllOfRule,
    CompletenessReport,
    ComponentRule,
    PathwayV1,
    ProviderV1,
)
from microcred_shared.events.contracts.credentials import CredentialStatusChangedV1
from microcred_shared.events.contracts.keys import IssuerKeysV2, VerificationMethodV2

NOW = datetime(2026, 1, 1, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DID = "did:web:issuer.rhine.example:issuers:rvu"
LISTED_DID = "did:web:rvu.example"
KEY = Ed25519Multikey.from_seed(bytes(range(32)), controller=DID, key_id=f"{DID}#key-1")
LIST_URL = "https://issuer.rhine.example/status-lists/rvu.revocation.1"


def provider(version: int, *, trust: str = "trusted", dids: tuple[str, ...] = ()) -> ProviderV1:
    return ProviderV1.model_validate(
        {
            "provider_id": "rvu",
            "version": version,
            "name": "Rhine Valley University",
            "provider_type": "university",
            "country": "DE",
            "accreditation": {"status": "accredited", "body": "AQAS"},
            "trust": trust,
            "issuer_dids": list(dids),
            "updated_at": NOW,
        }
    )


def achievement(achievement_id: str, version: int = 1, *, name: str = "PLC") -> AchievementV1:
    return AchievementV1(
        achievement_id=achievement_id,
        provider_id="rvu",
        course_code=achievement_id.upper(),
        version=version,
        status="active",
        name=name,
        description="d",
        criteria="c",
        learning_outcomes=["Write IEC 61131-3 programs"],
        ects=5,
        eqf_level=5,
        completeness=CompletenessReport(score=1.0),
        updated_at=NOW,
    )


def pathway(version: int, *components: str, status: str = "active") -> PathwayV1:
    return PathwayV1(
        pathway_id="automation-certificate",
        version=version,
        status=status,  # type: ignore[arg-type]
        owner_provider_id="rvu",
        target_achievement_id="automation",
        name="Automation certificate",
        rule=AllOfRule(rules=[ComponentRule(achievement_id=c) for c in components]),
        accepted_provider_ids=["rvu"],
        updated_at=NOW,
    )


def keys(version: int, *, revoked: bool = False) -> IssuerKeysV2:
    return IssuerKeysV2(
        provider_id="rvu",
        did=DID,
        version=version,
        did_document={},
        updated_at=NOW,
        verification_methods=[
            VerificationMethodV2(
                id=f"{DID}#key-1",
                public_key_multibase=KEY.public_key_multibase,
                status="revoked" if revoked else "active",
                valid_from=datetime(2000, 1, 1, tzinfo=UTC),
                revoked_at=NOW if revoked else None,
            )
        ],
    )


def status(sequence: int, state: str, reason: str | None = None) -> CredentialStatusChangedV1:
    return CredentialStatusChangedV1(
        credential_id="cred-1",
        provider_id="rvu",
        achievement_id="plc",
        learner_ref="x",
        status=state,  # type: ignore[arg-type]
        reason=reason,
        status_list_credential=LIST_URL,
        status_list_index=7,
        status_purpose="revocation",
        sequence=sequence,
        changed_at=NOW,
    )


class ProjectionsContract:
    """The ``projections`` fixture: an empty store implementing ``apply_*`` and the reads."""

    async def test_nothing_is_known_before_any_event(self, projections: Any) -> None:
        assert await projections.provider_by_did(DID) is None
        assert await projections.provider_by_id("rvu") is None
        assert await projections.provider_named("Rhine Valley University") is None
        assert await projections.achievement("plc") is None
        assert await projections.pathways_from("plc") == []
        assert await projections.keys_of(DID) == []
        assert await projections.status_at(LIST_URL, 7) is None
        assert (await projections.freshness("providers")).as_of is None

    async def test_the_newest_version_of_a_provider_wins_whatever_the_arrival_order(
        self, projections: Any
    ) -> None:
        assert await projections.apply_provider(provider(2, trust="suspended"), LATER)
        assert not await projections.apply_provider(provider(1), NOW)
        assert not await projections.apply_provider(provider(2, trust="trusted"), NOW)

        held = await projections.provider_by_id("rvu")
        assert held.trust == "suspended"
        assert held.accreditation_body == "AQAS"
        assert held.freshness.as_of == LATER
        assert (await projections.freshness("providers")).as_of == LATER

    async def test_a_provider_is_found_by_a_listed_did_by_its_announced_keys_and_by_name(
        self, projections: Any
    ) -> None:
        await projections.apply_provider(provider(1, dids=(LISTED_DID,)), NOW)
        await projections.apply_issuer_keys(keys(1), NOW)

        by_listed = await projections.provider_by_did(LISTED_DID)
        by_announced = await projections.provider_by_did(DID)
        by_name = await projections.provider_named("  rhine VALLEY  University")

        assert by_listed.provider_id == by_announced.provider_id == by_name.provider_id == "rvu"
        assert await projections.provider_by_did("did:web:someone.example") is None
        assert await projections.provider_named("Rhine Valley College") is None

    async def test_a_did_a_provider_no_longer_lists_no_longer_finds_it(
        self, projections: Any
    ) -> None:
        await projections.apply_provider(provider(1, dids=(LISTED_DID,)), NOW)
        await projections.apply_provider(provider(2, dids=("did:web:new.rvu.example",)), LATER)

        assert await projections.provider_by_did(LISTED_DID) is None
        assert (await projections.provider_by_did("did:web:new.rvu.example")) is not None

    async def test_the_issuers_keys_carry_their_validity_and_the_newest_keyring_wins(
        self, projections: Any
    ) -> None:
        await projections.apply_issuer_keys(keys(2, revoked=True), LATER)
        await projections.apply_issuer_keys(keys(1), NOW)

        [key] = await projections.keys_of(DID)
        assert key.id == f"{DID}#key-1"
        assert key.controller == DID
        assert key.public_key == KEY.public_key
        assert key.revoked == NOW
        assert (await projections.freshness("issuer_keys")).as_of == LATER

    async def test_a_provider_that_moved_to_its_own_did_answers_for_both_dids(
        self, projections: Any
    ) -> None:
        own = Ed25519Multikey.generate(controller=LISTED_DID, key_id=f"{LISTED_DID}#key-2")
        moved = keys(2).model_copy(
            update={
                "did": LISTED_DID,
                "verification_methods": [
                    VerificationMethodV2(
                        id=own.id,
                        public_key_multibase=own.public_key_multibase,
                        status="active",
                        valid_from=NOW,
                    ),
                    *keys(1).verification_methods,
                ],
            }
        )
        await projections.apply_provider(provider(1), NOW)
        await projections.apply_issuer_keys(keys(1), NOW)
        await projections.apply_issuer_keys(moved, LATER)

        for did in (DID, LISTED_DID):
            assert (await projections.provider_by_did(did)).provider_id == "rvu"
            held = {key.id: key.controller for key in await projections.keys_of(did)}
            assert held == {own.id: LISTED_DID, f"{DID}#key-1": DID}
        assert await projections.provider_by_did("did:web:someone.example") is None

    async def test_an_achievement_is_found_by_id_with_its_facts(self, projections: Any) -> None:
        await projections.apply_achievement(achievement("plc", 2, name="PLC II"), LATER)
        await projections.apply_achievement(achievement("plc", 1), NOW)

        found = await projections.achievement("plc")
        assert found.name == "PLC II"
        assert found.ects == 5
        assert found.learning_outcomes == ("Write IEC 61131-3 programs",)
        assert found.freshness.as_of == LATER

    async def test_pathways_from_a_component_are_the_active_ones_with_their_targets_name(
        self, projections: Any
    ) -> None:
        await projections.apply_achievement(achievement("automation", name="Automation"), NOW)
        await projections.apply_pathway(pathway(1, "plc", "robotics"), NOW)

        [found] = await projections.pathways_from("robotics")
        assert found.pathway_id == "automation-certificate"
        assert found.target_achievement_id == "automation"
        assert found.target_name == "Automation"
        assert await projections.pathways_from("automation") == []

    async def test_a_retired_or_changed_pathway_no_longer_leads_from_a_component(
        self, projections: Any
    ) -> None:
        await projections.apply_pathway(pathway(1, "plc", "robotics"), NOW)
        await projections.apply_pathway(pathway(2, "plc"), LATER)

        assert await projections.pathways_from("robotics") == []
        assert len(await projections.pathways_from("plc")) == 1
        await projections.apply_pathway(pathway(3, "plc", status="retired"), LATER)
        assert await projections.pathways_from("plc") == []

    async def test_the_issuers_newest_status_event_for_an_entry_is_its_word(
        self, projections: Any
    ) -> None:
        assert await projections.apply_status(status(2, "revoked", "issued in error"), LATER)
        assert not await projections.apply_status(status(1, "active"), NOW)

        record = await projections.status_at(LIST_URL, 7)
        assert (record.status, record.purpose, record.reason) == (
            "revoked",
            "revocation",
            "issued in error",
        )
        assert record.freshness.as_of == LATER
        assert await projections.status_at(LIST_URL, 8) is None
