"""The background loop that runs re-issuance jobs: at once when one is opened, and every
``poll_seconds`` for the unfinished ones (a job a crashed replica left, once its lease ran out)."""

from __future__ import annotations

import asyncio
import contextlib

from microcred_shared.logging import get_logger

from ..service_layer.compromise import CompromiseHandler, JobBell
from ..service_layer.reissue import Reissuance

log = get_logger(__name__)


class ReissueWorker:
    def __init__(
        self,
        compromises: CompromiseHandler,
        reissuance: Reissuance,
        bell: JobBell,
        poll_seconds: float = 15.0,
    ) -> None:
        self._compromises = compromises
        self._reissuance = reissuance
        self._bell = bell
        self._poll = poll_seconds
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="reissue-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        first = True
        while True:
            try:
                if first:
                    await self._compromises.open_missing_jobs()
                    first = False
                for job in await self._reissuance.unfinished():
                    finished = await self._reissuance.run(job.job_id)
                    if finished is not None and finished.finished:
                        log.info(
                            "re-issuance finished",
                            job_id=job.job_id,
                            reissued=finished.reissued,
                            failed=len(finished.failed_ids),
                        )
            except Exception as error:  # a database hiccup: the next look resumes the job
                log.warning("re-issuance interrupted, will resume", error=repr(error))
            await self._bell.wait(self._poll)
