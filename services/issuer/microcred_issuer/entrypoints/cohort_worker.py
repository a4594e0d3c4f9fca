"""Cohort uploads, issued in the background (see JobLoop)."""

from __future__ import annotations

from microcred_shared.logging import get_logger

from ..service_layer.cohorts import CohortJobs
from ..service_layer.compromise import JobBell
from .job_loop import JobLoop

log = get_logger(__name__)


def cohort_worker(cohorts: CohortJobs, bell: JobBell, poll_seconds: float = 15.0) -> JobLoop:
    async def look() -> None:
        for job in await cohorts.runnable():
            done = await cohorts.run(job.job_id)
            if done is not None and done.finished_at is not None:
                log.info(
                    "cohort issued",
                    job_id=done.job_id,
                    provider_id=done.provider_id,
                    issued=done.issued,
                    already_issued=done.already_issued,
                    rejected=done.rejected,
                )

    return JobLoop("cohort-worker", look, bell, poll_seconds)
