"""Cohort jobs: one small document each; the sealed CSV apart (read once per run, dropped when
done); one document of row results per batch, so no document grows with the cohort."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from microcred_shared.locks import save_if_version
from microcred_shared.mongo import Document, MongoDatabase, insert_if_absent

from ..domain.cohort import CohortJob, CohortRowResult

JOBS = "cohort_jobs"
FILES = "cohort_files"
RESULTS = "cohort_results"


def _job(doc: Document) -> CohortJob:
    fields = {name: value for name, value in doc.items() if name != "_id"}
    return CohortJob(job_id=str(doc["_id"]), **fields)


def _document(job: CohortJob) -> Document:
    fields = asdict(job)
    del fields["job_id"]
    return fields


class MongoCohortJobs:
    def __init__(self, database: MongoDatabase) -> None:
        self._jobs = database[JOBS]
        self._files = database[FILES]
        self._results = database[RESULTS]

    async def create(self, job: CohortJob, sealed_csv: str) -> None:
        # The file first: a job is never without its rows.
        await self._files.insert_one({"_id": job.job_id, "sealed_csv": sealed_csv})
        await insert_if_absent(self._jobs, {"_id": job.job_id, **_document(job)})

    async def get(self, job_id: str) -> CohortJob | None:
        doc = await self._jobs.find_one({"_id": job_id})
        return _job(doc) if doc else None

    async def save(self, job: CohortJob, expected_version: int) -> bool:
        return await save_if_version(self._jobs, job.job_id, _document(job), expected_version)

    async def unfinished(self) -> list[CohortJob]:
        # A scan of one small document per upload, at start and on the worker's look.
        return [_job(doc) async for doc in self._jobs.find({"finished_at": None})]

    async def csv(self, job_id: str) -> str | None:
        doc = await self._files.find_one({"_id": job_id})
        return str(doc["sealed_csv"]) if doc else None

    async def drop_csv(self, job_id: str) -> None:
        await self._files.delete_one({"_id": job_id})

    async def put_results(
        self, job_id: str, batch: int, results: Sequence[CohortRowResult]
    ) -> None:
        await self._results.replace_one(
            {"_id": f"{job_id}|{batch}"},
            {"rows": [asdict(result) for result in results]},
            upsert=True,
        )

    async def results(self, job_id: str, batch: int) -> list[CohortRowResult]:
        doc = await self._results.find_one({"_id": f"{job_id}|{batch}"})
        return [CohortRowResult(**row) for row in doc["rows"]] if doc else []
