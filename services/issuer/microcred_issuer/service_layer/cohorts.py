"""Cohort uploads as jobs: accepted at once, issued batch by batch, resumable, readable.

The CSV is kept sealed (it names learners) until the job is done; each batch's row results
are stored as the batch is answered, and the job's counters advance under a version guard, so
a restart (or another replica, once the job is abandoned) resumes at the first unanswered
batch. Re-running a batch is harmless: issuance is idempotent, and a row issued before the
interruption then reads ``already_issued``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

from ..domain.cohort import CohortJob, CohortRowResult, RowOutcome
from ..domain.errors import IssuerError
from .cohort_rows import CohortRow, parse_cohort
from .compromise import JobBell
from .issuing import CompletionHandler, IssueOutcome, IssueResult
from .ports import Clock, CohortJobStore, KeyVault

ABANDONED_AFTER = timedelta(seconds=60)


class CohortJobs:
    def __init__(
        self,
        *,
        completions: CompletionHandler,
        store: CohortJobStore,
        vault: KeyVault,
        clock: Clock,
        bell: JobBell,
        batch_size: int,
        max_rows: int,
    ) -> None:
        self._completions = completions
        self._store = store
        self._vault = vault
        self._clock = clock
        self._bell = bell
        self._batch_size = batch_size
        self._max_rows = max_rows
        self._running_here: set[str] = set()

    async def submit(self, provider_id: str, text: str) -> CohortJob:
        """Accept the upload (a file that is not a cohort CSV raises CohortFormatError)."""
        total = sum(1 for _ in parse_cohort(text, provider_id, self._max_rows))
        now = self._clock.now()
        job = CohortJob(
            job_id=str(uuid.uuid4()),
            provider_id=provider_id,
            total=total,
            batch_size=self._batch_size,
            submitted_at=now,
            updated_at=now,
            finished_at=now if total == 0 else None,
        )
        await self._store.create(job, self._vault.seal_text(text))
        self._running_here.add(job.job_id)
        self._bell.ring()
        return job

    async def job(self, job_id: str, provider_id: str) -> CohortJob | None:
        """The provider's own job (another provider's reads as absent)."""
        job = await self._store.get(job_id)
        return job if job is not None and job.provider_id == provider_id else None

    async def results(self, job: CohortJob, batch: int) -> list[CohortRowResult]:
        return await self._store.results(job.job_id, batch)

    async def runnable(self) -> list[CohortJob]:
        """Unfinished jobs accepted here, and those another replica abandoned."""
        now = self._clock.now()
        return [
            job
            for job in await self._store.unfinished()
            if job.job_id in self._running_here or job.abandoned(now, ABANDONED_AFTER)
        ]

    async def run(self, job_id: str) -> CohortJob | None:
        """Answer the job's remaining batches; None when another replica advanced it."""
        job = await self._store.get(job_id)
        sealed = await self._store.csv(job_id)
        if job is None or job.finished_at is not None or sealed is None:
            self._running_here.discard(job_id)
            return job
        rows = list(parse_cohort(self._vault.unseal_text(sealed), job.provider_id, job.total))
        while job.finished_at is None:
            batch = [rows[n] for n in job.rows_of_batch(job.next_batch)]
            results = await self._answer(batch)
            await self._store.put_results(job.job_id, job.next_batch, results)
            advanced = job.after_batch(results, self._clock.now())
            if not await self._store.save(advanced, job.version):
                self._running_here.discard(job_id)
                return None
            job = advanced
        await self._store.drop_csv(job_id)
        self._running_here.discard(job_id)
        return job

    async def _answer(self, rows: Sequence[CohortRow]) -> list[CohortRowResult]:
        commands = [row.command for row in rows if row.command is not None]
        outcomes = iter(await self._completions.issue_many(commands))
        return [
            _row_result(row, next(outcomes) if row.command is not None else None) for row in rows
        ]


def _row_result(row: CohortRow, result: IssueResult | None) -> CohortRowResult:
    if result is None:
        return CohortRowResult(
            row.row, row.completion_id, "rejected", None, "invalid_row", row.error
        )
    if isinstance(result, IssueOutcome):
        outcome: RowOutcome = "issued" if result.created else "already_issued"
        return CohortRowResult(row.row, row.completion_id, outcome, result.credential_id)
    if isinstance(result, IssuerError):
        return CohortRowResult(
            row.row, row.completion_id, "rejected", None, result.code, result.reason
        )
    return CohortRowResult(row.row, row.completion_id, "rejected", None, "not_issued", str(result))
