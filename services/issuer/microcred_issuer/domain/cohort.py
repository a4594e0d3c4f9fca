"""A cohort upload as a job: accepted at once, its rows issued batch by batch, resumable."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

CohortState = Literal["queued", "running", "done"]
RowOutcome = Literal["issued", "already_issued", "rejected"]


@dataclass(frozen=True)
class CohortRowResult:
    """``row``: the 1-based line number of the data row (the header is line 1)."""

    row: int
    completion_id: str | None
    outcome: RowOutcome
    credential_id: str | None = None
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CohortJob:
    job_id: str
    provider_id: str
    total: int
    batch_size: int
    submitted_at: datetime
    updated_at: datetime
    next_batch: int = 0
    processed: int = 0
    issued: int = 0
    already_issued: int = 0
    rejected: int = 0
    finished_at: datetime | None = None
    version: int = 0

    @property
    def batches(self) -> int:
        return math.ceil(self.total / self.batch_size)

    @property
    def state(self) -> CohortState:
        if self.finished_at is not None:
            return "done"
        return "running" if self.processed else "queued"

    def rows_of_batch(self, batch: int) -> range:
        """The indexes (0-based, among the data rows) of the batch's rows."""
        return range(batch * self.batch_size, min((batch + 1) * self.batch_size, self.total))

    def after_batch(self, results: Sequence[CohortRowResult], at: datetime) -> CohortJob:
        """The job once the next batch is answered with ``results``."""
        next_batch = self.next_batch + 1
        return replace(
            self,
            next_batch=next_batch,
            processed=self.processed + len(results),
            issued=self.issued + sum(r.outcome == "issued" for r in results),
            already_issued=self.already_issued
            + sum(r.outcome == "already_issued" for r in results),
            rejected=self.rejected + sum(r.outcome == "rejected" for r in results),
            updated_at=at,
            finished_at=at if next_batch >= self.batches else None,
            version=self.version + 1,
        )

    def abandoned(self, now: datetime, after: timedelta) -> bool:
        """Unfinished and not advanced for ``after``: its replica stopped; another takes it."""
        return self.finished_at is None and now - self.updated_at > after
