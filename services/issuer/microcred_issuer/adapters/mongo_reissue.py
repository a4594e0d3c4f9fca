"""Re-issuance jobs (one small document each, read and written by `_id`) and their batches of
credential ids (one document per batch, so no document grows with the number affected)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from microcred_shared.locks import save_if_version
from microcred_shared.mongo import Document, MongoDatabase, insert_if_absent

from ..domain.reissue import ReissueJob

JOBS = "reissue_jobs"
BATCHES = "reissue_batches"


def _document(job: ReissueJob) -> Document:
    fields = asdict(job)
    fields["failed_ids"] = list(job.failed_ids)
    del fields["job_id"]
    return fields


def _job(doc: Document) -> ReissueJob:
    fields = {name: value for name, value in doc.items() if name != "_id"}
    fields["failed_ids"] = tuple(fields.get("failed_ids") or ())
    return ReissueJob(job_id=str(doc["_id"]), **fields)


class MongoReissueJobs:
    def __init__(self, database: MongoDatabase) -> None:
        self._jobs = database[JOBS]
        self._batches = database[BATCHES]

    async def get(self, job_id: str) -> ReissueJob | None:
        doc = await self._jobs.find_one({"_id": job_id})
        return _job(doc) if doc else None

    async def create(self, job: ReissueJob) -> bool:
        return await insert_if_absent(self._jobs, {"_id": job.job_id, **_document(job)})

    async def save(self, job: ReissueJob, expected_version: int) -> bool:
        return await save_if_version(self._jobs, job.job_id, _document(job), expected_version)

    async def unfinished(self) -> list[ReissueJob]:
        # A scan of a collection holding one document per reported compromise: tiny.
        return [_job(doc) async for doc in self._jobs.find({"state": {"$ne": "done"}})]

    async def put_batch(
        self, job_id: str, listing_pass: int, index: int, credential_ids: Sequence[str]
    ) -> None:
        await self._batches.replace_one(
            {"_id": _batch_id(job_id, listing_pass, index)},
            {"credential_ids": list(credential_ids)},
            upsert=True,
        )

    async def batch(self, job_id: str, listing_pass: int, index: int) -> list[str]:
        doc = await self._batches.find_one({"_id": _batch_id(job_id, listing_pass, index)})
        return [str(cid) for cid in doc["credential_ids"]] if doc else []


def _batch_id(job_id: str, listing_pass: int, index: int) -> str:
    return f"{job_id}|{listing_pass}|{index}"
