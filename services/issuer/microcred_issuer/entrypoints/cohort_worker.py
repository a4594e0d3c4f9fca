"""The background loop that issues cohort uploads: at once when one is accepted, and every
``poll_seconds`` for the unfinished ones (this replica's after a restart, another's it left)."""

from __future__ import annotations

import asyncio
import contextlib

from microcred_shared.logging import get_logger

from ..service_layer.cohorts import CohortJobs
from ..service_layer.compromise import JobBell

log = get_logger(__name__)


class CohortWorker:
    def __init__(self, cohorts: CohortJobs, bell: JobBell, poll_seconds: float = 15.0) -> None:
        self._cohorts = cohorts
        self._bell = bell
        self._poll = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="cohort-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                for job in await self._cohorts.runnable():
                    done = await self._cohorts.run(job.job_id)
                    if done is not None and done.finished_at is not None:
                        log.info(
                            "cohort issued",
                            job_id=done.job_id,
                            provider_id=done.provider_id,
                            issued=done.issued,
                            already_issued=done.already_issued,
                            rejected=done.rejected,
                        )
            except Exception as error:  # a database hiccup: the next look resumes the job
                log.warning("cohort job interrupted, will resume", error=repr(error))
            await self._bell.wait(self._poll)
