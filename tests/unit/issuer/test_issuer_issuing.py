"""Completions become exactly one signed, schema-valid credential, or a reasoned refusal."""

import dataclasses
from collections.abc import Sequence
from datetime import date

import pytest
from microcred_issuer.domain.errors import (
    Forbidden,
    ForeignAchievement,
    InvalidCredential,
    ProviderNotTrusted,
    RetiredAchievement,
    UnknownAchievement,
)
from microcred_issuer.domain.identity import learner_from_email
from microcred_issuer.domain.model import Skill
from microcred_issuer.service_layer.commands import IssueCompletion
from microcred_issuer.service_layer.issuing import IssueOutcome
from microcred_issuer.service_layer.keys import did_document
from microcred_issuer.service_layer.ports import NewCredential
from microcred_shared.crypto import StaticKeyResolver, verify_proofs
from microcred_shared.events import Topic
from microcred_shared.openbadges import validate_achievement_credential

from tests.unit.issuer.fakes import World


def completion(completion_id: str = "c-1", **changes: object) -> IssueCompletion:
    fields: dict[str, object] = {
        "completion_id": completion_id,
        "provider_id": "uni-a",
        "achievement_id": "uni-a:MECH-1",
        "completed_on": date(2025, 5, 30),
        "learner_email": "Ada.Lovelace@Example.org",
        "learner_name": "Ada",
    }
    return IssueCompletion(**(fields | changes))  # type: ignore[arg-type]


@pytest.fixture
async def world() -> World:
    world = World()
    await world.add_provider("uni-a")
    await world.add_provider("college-b", provider_type="vet")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    await world.add_achievement("college-b:HYD-1", "college-b")
    return world


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
async def test_a_completion_becomes_one_signed_schema_valid_credential(suite: str) -> None:
    world = World(suite=suite)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")

    outcome = await world.handlers.completions.issue(completion())

    assert outcome.created
    stored = world.credentials.stored[outcome.credential_id]
    document = stored.document
    assert validate_achievement_credential(document) == []
    assert isinstance(document["proof"], list)
    assert document["proof"][0]["cryptosuite"] == suite
    keyring = world.keyrings.keyrings["uni-a"]
    result = verify_proofs(document, StaticKeyResolver.from_documents(did_document(keyring)))
    assert result.verified, [c.reason for c in result.checks]
    assert document["issuer"]["id"] == "did:web:issuer.test%3A8002:issuers:uni-a"


async def test_the_credential_carries_the_achievement_with_the_eu_elements(world: World) -> None:
    outcome = await world.handlers.completions.issue(completion())
    achievement = world.credentials.stored[outcome.credential_id].document["credentialSubject"][
        "achievement"
    ]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 5.0
    assert achievement["learningOutcomes"] == ["Program a PLC", "Read hydraulic schematics"]
    assert achievement["eqfLevel"] == 5
    assert achievement["fieldOfStudy"] == "ISCED-F 0714"
    assert achievement["participationForms"] == ["blended"]
    assert achievement["assessmentType"] == "written exam"
    assert {a["targetCode"] for a in achievement["alignment"] if "targetCode" in a} == {
        "5",
        "0714",
    }


async def test_the_learner_appears_only_as_a_salted_hash_and_the_email_only_in_the_notice(
    world: World,
) -> None:
    outcome = await world.handlers.completions.issue(completion())
    stored = world.credentials.stored[outcome.credential_id]
    identity = stored.document["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True
    assert identity["identityHash"].startswith("sha256$")
    assert "ada.lovelace" not in str(stored.document).lower()
    issued = world.outbox.on(Topic.CREDENTIALS_ISSUED)
    assert len(issued) == 1
    assert "ada" not in issued[0].to_json_bytes().decode().lower()
    assert issued[0].data.learner_ref == identity["identityHash"]
    notices = world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)
    assert [n.data.email for n in notices] == ["Ada.Lovelace@Example.org"]


async def test_a_completion_whose_id_carries_the_email_yields_a_credential_and_events_without_it(
    world: World,
) -> None:
    completion_id = "registrar/Ada.Lovelace@Example.org/MECH-1"
    outcome = await world.handlers.completions.issue(completion(completion_id))

    document = str(world.credentials.stored[outcome.credential_id].document).lower()
    published = [
        e.to_json_bytes().decode().lower() for e in world.outbox.on(Topic.CREDENTIALS_ISSUED)
    ]
    assert len(published) == 1
    for text in (document, published[0]):
        assert "ada.lovelace" not in text
        assert "registrar/" not in text
    assert [n.data.email for n in world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)] == [
        "Ada.Lovelace@Example.org"
    ]


def test_one_learner_has_one_reference_whatever_the_case_of_the_address() -> None:
    first = learner_from_email("Ada@Example.org", b"k")
    second = learner_from_email("  ada@example.ORG ", b"k")
    assert first.learner_ref == second.learner_ref
    assert learner_from_email("ada@example.org", b"other").learner_ref != first.learner_ref


async def test_the_same_completion_five_times_is_still_one_credential_and_one_event(
    world: World,
) -> None:
    outcomes = [await world.handlers.completions.issue(completion()) for _ in range(5)]

    assert [o.created for o in outcomes] == [True, False, False, False, False]
    assert len({o.credential_id for o in outcomes}) == 1
    assert len(world.credentials.stored) == 1
    assert len(world.outbox.on(Topic.CREDENTIALS_ISSUED)) == 1


async def test_a_learner_identified_by_did_is_the_credential_subject(world: World) -> None:
    outcome = await world.handlers.completions.issue(
        completion(learner_email=None, learner_did="did:example:learner-1")
    )
    stored = world.credentials.stored[outcome.credential_id]
    assert stored.document["credentialSubject"]["id"] == "did:example:learner-1"
    assert stored.learner_ref == "did:example:learner-1"
    assert world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES) == []


async def test_another_providers_achievement_is_refused_with_the_reason(world: World) -> None:
    with pytest.raises(ForeignAchievement, match="belongs to provider 'college-b'"):
        await world.handlers.completions.issue(completion(achievement_id="college-b:HYD-1"))
    assert world.credentials.stored == {}


async def test_a_provider_reports_only_its_own_completions(world: World) -> None:
    with pytest.raises(Forbidden):
        await world.handlers.completions.issue(completion(acting_provider_id="college-b"))


async def test_an_unknown_or_retired_achievement_is_refused(world: World) -> None:
    with pytest.raises(UnknownAchievement):
        await world.handlers.completions.issue(completion(achievement_id="uni-a:NOPE"))
    await world.add_achievement("uni-a:MECH-1", "uni-a", version=2, status="retired")
    with pytest.raises(RetiredAchievement):
        await world.handlers.completions.issue(completion())


async def test_a_suspended_provider_cannot_issue(world: World) -> None:
    await world.add_provider("uni-a", version=2, trust="suspended")
    with pytest.raises(ProviderNotTrusted):
        await world.handlers.completions.issue(completion())


async def test_an_older_catalogue_version_arriving_late_changes_nothing(world: World) -> None:
    await world.add_achievement("uni-a:MECH-1", "uni-a", version=3, name="Newest")
    await world.add_achievement("uni-a:MECH-1", "uni-a", version=2, name="Older")
    assert world.catalogue.achievements["uni-a:MECH-1"].name == "Newest"


async def test_each_credential_gets_its_own_status_index(world: World) -> None:
    for number in range(20):
        await world.handlers.completions.issue(completion(f"c-{number}"))
    slots = {c.slot.index for c in world.credentials.stored.values()}
    assert len(slots) == 20


async def test_a_credential_the_official_schema_rejects_is_never_issued(world: World) -> None:
    # An alignment without its required targetUrl: our bug, which must not reach a learner.
    broken = world.catalogue.achievements["uni-a:MECH-1"]
    world.catalogue.achievements["uni-a:MECH-1"] = dataclasses.replace(
        broken,
        skills=(Skill("PLC", None),),  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidCredential, match="targetUrl"):
        await world.handlers.completions.issue(completion())
    assert world.credentials.stored == {}
    assert world.outbox.on(Topic.CREDENTIALS_ISSUED) == []


async def test_a_batch_answers_each_completion_for_itself(world: World) -> None:
    batch = [
        completion("b-1"),
        completion("b-2", achievement_id="uni-a:NOPE"),
        completion("b-3", provider_id="college-b", achievement_id="uni-a:MECH-1"),
        completion("b-4", provider_id="college-b", achievement_id="college-b:HYD-1"),
        completion("b-1"),  # the same completion again, within the batch
        completion("b-5", learner_email=None, learner_did=None),
    ]

    results = await world.handlers.completions.issue_many(batch)

    first, unknown, foreign, other, again, nobody = results
    assert isinstance(first, IssueOutcome)
    assert first.created
    assert isinstance(unknown, UnknownAchievement)
    assert isinstance(foreign, ForeignAchievement)
    assert isinstance(other, IssueOutcome)
    assert other.created
    assert again == IssueOutcome(first.credential_id, created=False)
    assert isinstance(nobody, ValueError)  # a malformed command: may be retried, not final
    assert len(world.credentials.stored) == 2
    issued = [e for e in world.outbox.events if e.topic == Topic.CREDENTIALS_ISSUED]
    assert len(issued) == 2
    slots = {c.slot for c in world.credentials.stored.values()}
    assert len(slots) == 2  # one status index each


async def test_a_batch_interrupted_while_storing_is_still_one_credential_each_when_redone(
    world: World,
) -> None:
    batch = [completion(f"crash-{n}") for n in range(6)]
    add_many = world.credentials.add_many

    async def store_half_then_crash(items: Sequence[NewCredential]) -> list[bool]:
        await add_many(items[:3])
        raise ConnectionError("the process died in the middle of the bulk write")

    world.credentials.add_many = store_half_then_crash  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await world.handlers.completions.issue_many(batch)
    world.credentials.add_many = add_many  # type: ignore[method-assign]

    results = await world.handlers.completions.issue_many(batch)  # the redelivered batch

    assert [r.created for r in results if isinstance(r, IssueOutcome)] == [False] * 3 + [True] * 3
    assert len(world.credentials.stored) == 6
    issued = [e for e in world.outbox.events if e.topic == Topic.CREDENTIALS_ISSUED]
    assert sorted(e.event.subject for e in issued) == sorted(world.credentials.stored)
