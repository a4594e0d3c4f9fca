"""Re-issuance jobs, worked in the background (see JobLoop): after a start, the jobs a
compromise report could not open are opened first."""

from __future__ import annotations

from microcred_shared.logging import get_logger

from ..service_layer.compromise import CompromiseHandler, JobBell
from ..service_layer.reissue import Reissuance
from .job_loop import JobLoop

log = get_logger(__name__)


def reissue_worker(
    compromises: CompromiseHandler,
    reissuance: Reissuance,
    bell: JobBell,
    poll_seconds: float = 15.0,
) -> JobLoop:
    opened = False

    async def look() -> None:
        nonlocal opened
        if not opened:
            await compromises.open_missing_jobs()
            opened = True
        for job in await reissuance.unfinished():
            finished = await reissuance.run(job.job_id)
            if finished is not None and finished.finished:
                log.info(
                    "re-issuance finished",
                    job_id=job.job_id,
                    reissued=finished.reissued,
                    failed=len(finished.failed_ids),
                )

    return JobLoop("reissue-worker", look, bell, poll_seconds)
