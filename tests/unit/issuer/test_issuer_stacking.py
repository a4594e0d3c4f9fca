"""Stacking: a learner whose credentials satisfy a pathway gets its target credential once."""

import itertools
from datetime import date

import pytest
from microcred_issuer.domain.records import IssuedCredential
from microcred_issuer.service_layer.commands import ChangeStatus, IssueCompletion
from microcred_shared.events import Topic
from microcred_shared.openbadges import validate_achievement_credential

from tests.unit.issuer.fakes import World, pathway_event

CROSS_PROVIDER_RULE = {
    "kind": "all_of",
    "rules": [
        {"kind": "achievement", "achievement_id": "uni-a:MECH-1"},
        {"kind": "achievement", "achievement_id": "college-b:HYD-1"},
        {"kind": "achievement", "achievement_id": "uni-a:PLC-2"},
    ],
}
COMPONENTS = [("uni-a", "uni-a:MECH-1"), ("college-b", "college-b:HYD-1"), ("uni-a", "uni-a:PLC-2")]


async def stacking_world(accepted: list[str] | None = None, suite: str = "eddsa-jcs-2022") -> World:
    world = World(suite=suite)
    for provider in ("uni-a", "college-b"):
        await world.add_provider(provider)
    for provider, achievement in COMPONENTS:
        await world.add_achievement(achievement, provider)
    await world.add_achievement("uni-a:CERT", "uni-a", ects=15.0, achievement_type="Certificate")
    await world.add_pathway(
        pathway_event(
            "mechatronics",
            "uni-a",
            "uni-a:CERT",
            CROSS_PROVIDER_RULE,
            accepted if accepted is not None else ["uni-a", "college-b"],
        )
    )
    return world


async def complete(world: World, provider: str, achievement: str, suffix: str = "") -> None:
    await world.handlers.completions.issue(
        IssueCompletion(
            completion_id=f"{achievement}-ada{suffix}",
            provider_id=provider,
            achievement_id=achievement,
            completed_on=date(2025, 5, 1),
            learner_email="ada@example.org",
        )
    )


def stacked(world: World) -> list[IssuedCredential]:
    return [c for c in world.credentials.stored.values() if c.kind == "stacked"]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
async def test_completing_a_cross_provider_pathway_in_any_order_with_duplicates_awards_once(
    order: tuple[int, ...],
) -> None:
    world = await stacking_world()
    for step, index in enumerate(order):
        provider, achievement = COMPONENTS[index]
        await complete(world, provider, achievement)
        await complete(world, provider, achievement)  # a redelivery
        assert len(stacked(world)) == (1 if step == 2 else 0)

    [award] = stacked(world)
    assert award.achievement_id == "uni-a:CERT"
    assert award.provider_id == "uni-a"
    assert validate_achievement_credential(award.document) == []
    evidence_ids = {e["id"] for e in award.document["evidence"]}
    assert evidence_ids == {
        f"http://issuer.test:8002/credentials/{cid}" for cid in award.component_credential_ids
    }
    assert len(award.component_credential_ids) == 3
    kinds = [e.data.kind for e in world.outbox.on(Topic.CREDENTIALS_ISSUED)]
    assert kinds.count("stacked") == 1
    notices = [e.data for e in world.outbox.on(Topic.CREDENTIALS_LEARNER_NOTICES)]
    assert [n.email for n in notices if n.kind == "stacked"] == ["ada@example.org"]


async def test_components_from_a_provider_the_pathway_does_not_accept_do_not_count() -> None:
    world = await stacking_world(accepted=["uni-a"])
    for provider, achievement in COMPONENTS:
        await complete(world, provider, achievement)
    assert stacked(world) == []


async def test_a_revoked_component_does_not_count() -> None:
    world = await stacking_world()
    await complete(world, *COMPONENTS[0])
    [first] = world.credentials.stored.values()
    await world.handlers.status.change(ChangeStatus(first.credential_id, "uni-a", "revoke"))
    for provider, achievement in COMPONENTS[1:]:
        await complete(world, provider, achievement)
    assert stacked(world) == []


async def test_another_learner_completing_the_same_pathway_gets_their_own_award() -> None:
    world = await stacking_world()
    for provider, achievement in COMPONENTS:
        await complete(world, provider, achievement)
        await world.handlers.completions.issue(
            IssueCompletion(
                f"{achievement}-bob", provider, achievement, date(2025, 5, 1), "bob@example.org"
            )
        )
    assert len({c.learner_ref for c in stacked(world)}) == 2


async def test_a_pathway_published_after_its_components_were_earned_awards_at_once() -> None:
    world = World()
    for provider in ("uni-a", "college-b"):
        await world.add_provider(provider)
    for provider, achievement in COMPONENTS:
        await world.add_achievement(achievement, provider)
        await complete(world, provider, achievement)
    await world.add_achievement("uni-a:CERT", "uni-a")
    assert stacked(world) == []

    pathway = pathway_event(
        "late", "uni-a", "uni-a:CERT", CROSS_PROVIDER_RULE, ["uni-a", "college-b"]
    )
    await world.add_pathway(pathway)
    await world.add_pathway(pathway)  # redelivered

    assert [c.pathway_id for c in stacked(world)] == ["late"]


async def test_an_achievement_earned_twice_is_named_once_among_the_components() -> None:
    world = await stacking_world()
    await complete(world, *COMPONENTS[0], suffix="-first-attempt")
    for provider, achievement in COMPONENTS:
        await complete(world, provider, achievement)
    [award] = stacked(world)
    assert len(award.component_credential_ids) == 3
    assert len(award.document["evidence"]) == 3
