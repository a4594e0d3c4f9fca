"""A signing key reported compromised: published revoked, a fresh key signs, and what the old
key signed is re-issued (same id, same status slot, new proof) by a resumable, idempotent job."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from microcred_issuer.domain.errors import CompromiseInFuture, UnknownKey
from microcred_issuer.service_layer.commands import (
    ChangeStatus,
    IssueCompletion,
    ReportKeyCompromise,
    RotateKey,
)
from microcred_issuer.service_layer.keys import did_document
from microcred_shared.crypto import StaticKeyResolver, verify_proofs
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import World

COMPROMISED_AT = datetime(2025, 5, 20, 8, 30, tzinfo=UTC)


async def _world_with_credentials(count: int, batch_size: int = 2) -> tuple[World, list[str]]:
    world = World(suite="eddsa-jcs-2022", reissue_batch_size=batch_size)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    ids = []
    for n in range(count):
        outcome = await world.handlers.completions.issue(
            IssueCompletion(f"c-{n}", "uni-a", "uni-a:MECH-1", date(2025, 5, 1), f"l{n}@x.org")
        )
        ids.append(outcome.credential_id)
    return world, ids


def _signer(world: World, credential_id: str) -> str:
    return str(world.credentials.stored[credential_id].document["proof"][0]["verificationMethod"])


async def test_reporting_the_current_key_rotates_first_and_publishes_it_revoked() -> None:
    world, _ = await _world_with_credentials(1)

    report = await world.handlers.compromises.report(
        ReportKeyCompromise("uni-a", "key-1", COMPROMISED_AT)
    )

    keyring = world.keyrings.keyrings["uni-a"]
    assert keyring.current.fragment == "key-2"
    assert report.key.revoked_at == COMPROMISED_AT
    document = did_document(keyring)
    [key_1] = [vm for vm in document["verificationMethod"] if vm["id"].endswith("#key-1")]
    assert key_1["revoked"] == "2025-05-20T08:30:00Z"
    assert key_1["id"] not in document["authentication"]
    announced = world.outbox.on(Topic.ISSUER_KEYS)[-1]
    assert announced.type == "org.microcred.issuer.keys.v2"
    methods = {vm.id.rsplit("#", 1)[1]: vm for vm in announced.data.verification_methods}
    assert methods["key-1"].status == "revoked"
    assert methods["key-1"].revoked_at == COMPROMISED_AT
    assert methods["key-2"].status == "active"
    assert announced.data.did_document == document


async def test_a_retired_key_is_marked_without_another_rotation_and_a_repeat_changes_nothing() -> (
    None
):
    world, _ = await _world_with_credentials(0)
    await world.handlers.keys.rotate(RotateKey("uni-a"))
    first = await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1"))
    again = await world.handlers.compromises.report(
        ReportKeyCompromise("uni-a", "key-1", COMPROMISED_AT)
    )

    assert first.keyring.current.fragment == "key-2"
    assert [k.fragment for k in first.keyring.keys] == ["key-2", "key-1"]
    assert again.keyring.version == first.keyring.version
    assert again.key.revoked_at == first.key.revoked_at  # the first report's time stands
    assert again.job.job_id == first.job.job_id


async def test_a_compromise_in_the_future_or_of_an_unknown_key_is_refused() -> None:
    world, _ = await _world_with_credentials(0)
    later = world.clock.current + timedelta(days=1)
    with pytest.raises(CompromiseInFuture):
        await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1", later))
    with pytest.raises(UnknownKey):
        await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-9"))
    assert world.keyrings.keyrings["uni-a"].version == 1


async def test_every_affected_credential_not_revoked_is_reissued_under_the_current_key() -> None:
    world, ids = await _world_with_credentials(5)
    await world.handlers.status.change(ChangeStatus(ids[0], "uni-a", "revoke", "fraud"))
    before = {cid: world.credentials.stored[cid].document for cid in ids}

    report = await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1"))
    job = await world.handlers.reissuance.run(report.job.job_id)

    assert job is not None
    assert (job.state, job.total, job.done, job.reissued, job.failed_ids) == ("done", 4, 4, 4, ())
    resolver = StaticKeyResolver.from_documents(did_document(world.keyrings.keyrings["uni-a"]))
    for cid in ids[1:]:
        copy = world.credentials.stored[cid].document
        assert _signer(world, cid).endswith("#key-2")
        assert copy["id"] == before[cid]["id"]
        assert copy["credentialStatus"] == before[cid]["credentialStatus"]
        assert {k: v for k, v in copy.items() if k != "proof"} == {
            k: v for k, v in before[cid].items() if k != "proof"
        }
        result = verify_proofs(copy, resolver)
        assert result.verified, [c.reason for c in result.checks]
        assert result.checks[0].key is not None
        assert result.checks[0].key.revoked is None
    assert _signer(world, ids[0]).endswith("#key-1")  # revoked: left as it was
    reissued = [e for e in world.outbox.on(Topic.CREDENTIALS_ISSUED) if "reissued" in e.type]
    assert sorted(e.data.credential_id for e in reissued) == sorted(ids[1:])
    assert {e.data.replaced_verification_method.rsplit("#")[1] for e in reissued} == {"key-1"}


async def test_running_the_job_again_or_reporting_again_reissues_nothing_twice() -> None:
    world, _ids = await _world_with_credentials(3)
    report = await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1"))
    await world.handlers.reissuance.run(report.job.job_id)
    assert world.credentials.replaced == 3

    again = await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1"))
    rerun = await world.handlers.reissuance.run(again.job.job_id)
    other_replica = world.handlers.reissuance.as_replica("other")
    reopened = replace(world.reissue_jobs.jobs[report.job.job_id], state="listing", version=99)
    world.reissue_jobs.jobs[report.job.job_id] = reopened
    await other_replica.run(report.job.job_id)

    assert rerun is not None
    assert rerun.reissued == 3
    assert world.credentials.replaced == 3
    assert len([e for e in world.outbox.on(Topic.CREDENTIALS_ISSUED) if "reissued" in e.type]) == 3


async def test_a_job_cut_short_is_continued_from_its_cursor_by_another_replica() -> None:
    world, ids = await _world_with_credentials(5, batch_size=2)
    report = await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1"))
    crashed = world.handlers.reissuance.as_replica("crashed", batch_size=2)

    cut = await crashed.run(report.job.job_id, max_steps=2)  # the listing, then one batch
    assert cut is not None
    assert (cut.state, cut.cursor, cut.done) == ("reissuing", 1, 2)
    assert world.credentials.replaced == 2

    successor = world.handlers.reissuance.as_replica("successor", batch_size=2)
    assert await successor.run(report.job.job_id) is None  # the crashed one's lease still runs
    world.clock.current += timedelta(minutes=2)
    finished = await successor.run(report.job.job_id)

    assert finished is not None
    assert (finished.state, finished.total, finished.done, finished.reissued) == ("done", 5, 5, 5)
    assert world.credentials.replaced == 5  # the first two batches were not redone
    assert all(_signer(world, cid).endswith("#key-2") for cid in ids)


async def test_a_credential_signed_with_the_key_after_the_listing_is_found_by_the_next_look() -> (
    None
):
    world, ids = await _world_with_credentials(2)
    report = await world.handlers.compromises.report(ReportKeyCompromise("uni-a", "key-1"))
    job = await world.handlers.reissuance.run(report.job.job_id, max_steps=1)  # listed 2
    # A completion that read the keyring before the rotation, stored only now:
    straggler = replace(
        world.credentials.stored[ids[0]],
        credential_id="late",
        document=dict(world.credentials.stored[ids[0]].document, id="urn:late"),
    )
    world.credentials.stored["late"] = straggler

    finished = await world.handlers.reissuance.run(report.job.job_id)

    assert job is not None
    assert job.total == 2
    assert finished is not None
    assert (finished.total, finished.reissued) == (3, 3)
    assert _signer(world, "late").endswith("#key-2")
