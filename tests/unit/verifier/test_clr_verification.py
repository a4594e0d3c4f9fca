"""A CLR 2.0 the issuer builds (on its fakes) verified by the verifier (on its in-memory
projections fed with the issuer's own events): the record's proof and every bundled credential,
each a full verification, the verdict the worst of them."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from microcred_issuer.service_layer.commands import ChangeStatus
from microcred_shared.events import Topic
from microcred_shared.i18n import rendering_in
from microcred_shared.openbadges import CLR_ISSUER_ID
from microcred_verifier.adapters.memory_projections import InMemoryProjections
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.domain.model import CheckName, CheckStatus, Verdict
from microcred_verifier.domain.verification import VerificationReport
from microcred_verifier.entrypoints.pages import TEMPLATES
from microcred_verifier.entrypoints.schemas import VerifyResponse
from microcred_verifier.service_layer.gather import KnowledgeGatherer
from microcred_verifier.service_layer.intake import present
from microcred_verifier.service_layer.status_gather import StatusGatherer
from microcred_verifier.service_layer.verify import VerifyCredential, VerifyHandler

from tests.unit.issuer.fakes import World, achievement_event, provider_event
from tests.unit.issuer.test_issuer_clr import ADA, ada_holds_a_stacked_record
from tests.unit.issuer.test_issuer_stacking import COMPONENTS


async def verifier_of(world: World) -> VerifyHandler:
    """A verifier holding what the issuer and the catalogue announced."""
    projections = InMemoryProjections()
    received = world.clock.now()
    for provider_id in ("uni-a", "college-b"):
        await projections.apply_provider(provider_event(provider_id), received)
    for provider_id, achievement_id in COMPONENTS:
        await projections.apply_achievement(
            achievement_event(achievement_id, provider_id), received
        )
    await projections.apply_achievement(
        achievement_event("uni-a:CERT", "uni-a", ects=15.0, achievement_type="Certificate"),
        received,
    )
    for event in world.outbox.on(Topic.ISSUER_KEYS):
        await projections.apply_issuer_keys(event.data, received)
    lists = InMemoryStatusLists()
    for event in world.outbox.on(Topic.CREDENTIALS_STATUS_LISTS):
        await lists.apply(event.data, received)
    status = StatusGatherer(lists, projections, None, max_depth=64)
    gatherer = KnowledgeGatherer(projections, status, None)
    later = world.clock.now() + timedelta(minutes=5)
    return VerifyHandler(gatherer, None, None, max_depth=64, clock=lambda: later)


async def verify(world: World, document: dict[str, Any]) -> VerificationReport:
    handler = await verifier_of(world)
    try:
        return (await handler(VerifyCredential(present(document, 64)))).report
    finally:
        await handler.close()


@pytest.fixture
async def record() -> tuple[World, dict[str, Any]]:
    world, held = await ada_holds_a_stacked_record()
    clr = await world.handlers.clr.issue(ADA, [c.credential_id for c in held])
    return world, clr


async def test_a_clr_of_three_credentials_from_two_providers_and_the_stacked_one_verifies(
    record: tuple[World, dict[str, Any]],
) -> None:
    world, clr = record
    report = await verify(world, clr)

    assert report.verdict is Verdict.VERIFIED, report.to_dict()
    embedded = report.extras["embedded"]
    assert [e.verdict for e in embedded] == [Verdict.VERIFIED] * 4
    issuers = {e.report.issuer for e in embedded}
    assert len(issuers) == 2
    assert report.check(CheckName.SCHEMA).status is CheckStatus.PASSED
    assert report.check(CheckName.ISSUER_TRUST).status is CheckStatus.PASSED
    assert report.check(CheckName.EMBEDDED_CREDENTIALS).status is CheckStatus.PASSED
    shaped = VerifyResponse.of(report, None)
    assert shaped.embedded_credentials is not None
    assert [e.verdict for e in shaped.embedded_credentials] == ["verified"] * 4


@pytest.mark.parametrize("index", range(4))
async def test_tampering_any_embedded_credential_fails_the_record_and_names_it(
    record: tuple[World, dict[str, Any]], index: int
) -> None:
    world, clr = record
    tampered = copy.deepcopy(clr)
    embedded = tampered["credentialSubject"]["verifiableCredential"][index]
    embedded["credentialSubject"]["achievement"]["name"] += " (with honours)"

    report = await verify(world, tampered)

    assert report.verdict is Verdict.NOT_VERIFIED
    verdicts = [e.verdict for e in report.extras["embedded"]]
    assert verdicts[index] is Verdict.NOT_VERIFIED
    assert verdicts.count(Verdict.VERIFIED) == 3
    # The record's own proof covers the bundled credentials too.
    assert report.check(CheckName.PROOF).status is CheckStatus.FAILED
    assert report.check(CheckName.EMBEDDED_CREDENTIALS).status is CheckStatus.FAILED


async def test_tampering_the_records_own_fields_fails_it(
    record: tuple[World, dict[str, Any]],
) -> None:
    world, clr = record
    tampered = {**clr, "name": "Master's degree"}

    report = await verify(world, tampered)

    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.check(CheckName.PROOF).status is CheckStatus.FAILED
    assert [e.verdict for e in report.extras["embedded"]] == [Verdict.VERIFIED] * 4


async def test_a_revoked_embedded_credential_fails_the_record(
    record: tuple[World, dict[str, Any]],
) -> None:
    world, clr = record
    first = clr["credentialSubject"]["verifiableCredential"][0]["id"].rsplit("/", 1)[-1]
    stored = world.credentials.stored[first]
    await world.handlers.status.change(
        ChangeStatus(
            credential_id=first,
            acting_provider_id=stored.provider_id,
            action="revoke",
            reason="fraud",
        )
    )
    report = await verify(world, clr)
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.extras["embedded"][0].report.check(CheckName.STATUS).status is (
        CheckStatus.FAILED
    )


async def test_a_record_signed_by_a_provider_rather_than_the_ecosystem_is_not_vouched_for(
    record: tuple[World, dict[str, Any]],
) -> None:
    world, _ = record
    platform = await world.keyrings.get(CLR_ISSUER_ID)
    assert platform is not None
    uni = await world.keyrings.get("uni-a")
    assert uni is not None
    # The same record, signed with a provider's key under that provider's DID.
    world.keyrings.keyrings[CLR_ISSUER_ID] = uni  # the issuer would now sign as uni-a
    held = await world.credentials.of_learner(ADA)
    forged = await world.handlers.clr.issue(ADA, [c.credential_id for c in held])
    report = await verify(world, forged)
    assert report.check(CheckName.ISSUER_TRUST).conclusive is False
    assert report.verdict is Verdict.UNKNOWN


async def test_the_verify_page_shows_each_credential_of_a_record(
    record: tuple[World, dict[str, Any]],
) -> None:
    world, clr = record
    tampered = copy.deepcopy(clr)
    tampered["credentialSubject"]["verifiableCredential"][1]["credentialSubject"]["achievement"][
        "name"
    ] = "Forged"
    report = VerifyResponse.of(await verify(world, tampered), None).model_dump(mode="json")
    html = TEMPLATES.get_template("verify.html").render(report=report, error=None)
    assert 'id="embedded-credentials"' in html
    assert html.count('class="embedded"') == 4
    assert html.count('data-verdict="not_verified"') == 1
    assert "The credential in plain words" not in html


async def test_the_record_s_credentials_read_in_french(
    record: tuple[World, dict[str, Any]],
) -> None:
    world, clr = record
    report = VerifyResponse.of(await verify(world, clr), None).model_dump(mode="json")
    with rendering_in("fr"):
        html = TEMPLATES.get_template("verify.html").render(report=report, error=None)
    embedded = html.split('id="embedded-credentials"', 1)[1]
    assert '<h2 id="embedded">Chaque certification du relevé</h2>' in embedded
    assert '<strong class="verdict verified">Vérifiée</strong>' in embedded
    assert ", délivrée par " in embedded
    assert "issued by" not in embedded
    assert ">réussi</strong>" in html  # each check's result
    assert ">passed</strong>" not in html
