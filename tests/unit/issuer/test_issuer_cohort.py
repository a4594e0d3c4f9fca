"""Cohort CSV rows become completion commands, or a row-level reason."""

from collections.abc import Sequence

import pytest
from microcred_issuer.service_layer.cohort_rows import CohortFormatError, parse_cohort
from microcred_issuer.service_layer.ports import NewCredential
from microcred_shared.events import Topic

from tests.unit.issuer.fakes import World

CSV = """completion_id,achievement_id,email,did,name,completed_on,grade
r1,uni-a:MECH-1,ada@example.org,,Ada,2025-05-01,A
r2,uni-a:MECH-1,,did:example:bob,Bob,2025-05-01,
r3,uni-a:MECH-1,,,Nobody,2025-05-01,B
r4,uni-a:MECH-1,carol@example.org,,Carol,yesterday,C
"""


def test_each_row_is_a_command_or_a_reason() -> None:
    rows = list(parse_cohort(CSV, "uni-a", 100))
    assert [r.row for r in rows] == [2, 3, 4, 5]
    first, second, third, fourth = rows
    assert first.command is not None
    assert first.command.learner_email == "ada@example.org"
    assert [(r.name, r.value) for r in first.command.results] == [("Final grade", "A")]
    assert first.command.acting_provider_id == "uni-a"
    assert second.command is not None
    assert second.command.learner_did == "did:example:bob"
    assert third.command is None
    assert "no learner" in (third.error or "")
    assert fourth.command is None
    assert "YYYY-MM-DD" in (fourth.error or "")


def test_a_file_without_the_required_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(CohortFormatError, match="completion_id"):
        list(parse_cohort("achievement_id,email\nx,y\n", "uni-a", 100))


def test_a_file_over_the_row_limit_is_refused() -> None:
    with pytest.raises(CohortFormatError, match="more than 2 rows"):
        list(parse_cohort(CSV, "uni-a", 2))


def test_a_did_that_cannot_be_the_subject_of_a_signed_credential_rejects_its_row() -> None:
    csv = "completion_id,achievement_id,did,completed_on\n"
    csv += "r1,uni-a:MECH-1,did:example:a b,2025-05-01\n"
    csv += "r2,uni-a:MECH-1,did:example:<b>,2025-05-01\n"
    rows = list(parse_cohort(csv, "uni-a", 100))
    assert [r.command for r in rows] == [None, None]
    assert all("is not a DID" in (r.error or "") for r in rows)


async def test_a_cohort_job_interrupted_mid_way_resumes_with_one_credential_per_row() -> None:
    world = World(completion_batch_size=3)
    await world.add_provider("uni-a")
    await world.add_achievement("uni-a:MECH-1", "uni-a")
    lines = [f"r{n},uni-a:MECH-1,learner{n}@example.org,2025-05-01,A" for n in range(8)]
    csv_text = "completion_id,achievement_id,email,completed_on,grade\n" + "\n".join(lines)
    job = await world.handlers.cohorts.submit("uni-a", csv_text)
    add_many = world.credentials.add_many
    calls = 0

    async def dies_in_the_second_batch(items: Sequence[NewCredential]) -> list[bool]:
        nonlocal calls
        calls += 1
        if calls == 2:
            await add_many(items[:1])
            raise ConnectionError("the replica died while storing")
        return await add_many(items)

    world.credentials.add_many = dies_in_the_second_batch  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        await world.handlers.cohorts.run(job.job_id)
    interrupted = world.cohort_jobs.jobs[job.job_id]
    assert (interrupted.state, interrupted.processed) == ("running", 3)

    done = await world.handlers.cohorts.run(job.job_id)  # the worker's next look

    assert done is not None
    assert (done.state, done.total, done.processed) == ("done", 8, 8)
    assert (done.issued, done.already_issued, done.rejected) == (7, 1, 0)
    assert len(world.credentials.stored) == 8
    issued = [e for e in world.outbox.events if e.topic == Topic.CREDENTIALS_ISSUED]
    assert sorted(e.event.subject for e in issued) == sorted(world.credentials.stored)
