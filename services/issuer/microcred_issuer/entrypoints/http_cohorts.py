"""Cohort uploads: accepted at once as a job; its progress and row results read, or streamed."""

# No ``from __future__ import annotations`` here: FastAPI must see the dependency aliases.

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from microcred_shared.service.http import Problem

from ..domain.cohort import CohortJob
from ..service_layer.cohort_rows import CohortFormatError
from ..service_layer.cohorts import CohortJobs
from .deps import IssuerHandlers, ProviderId
from .media import NDJSON_MEDIA_TYPE
from .schemas import CohortJobPublic, CohortRowPublic
from .translate import json_response

# How often a streamed job is looked at for newly answered batches.
STREAM_POLL_SECONDS = 0.25


router = APIRouter(tags=["completions"])


@router.post("/completions/cohort", status_code=202, response_model=CohortJobPublic)
async def submit_cohort(
    provider_id: ProviderId,
    file: Annotated[UploadFile, File()],
    request: Request,
    handlers: IssuerHandlers,
) -> Response:
    """Upload a cohort CSV (one completion per row: ``completion_id``, ``achievement_id``,
    ``completed_on``, and ``email`` or ``did``; optional ``name``, ``grade``,
    ``result_name``/``result_value``). Accepted at once as a job; every row is then
    answered (issued, already issued, or rejected with its reason) at the job's URL."""
    text = (await file.read()).decode("utf-8-sig", errors="replace")
    try:
        job = await handlers.cohorts.submit(provider_id, text)
    except CohortFormatError as error:
        raise Problem(422, "Invalid cohort file", str(error)) from error
    url = str(request.url_for("cohort_job", job_id=job.job_id))
    body = job_out(job, url).model_dump(mode="json", exclude={"rows"})
    return json_response(body, "application/json", {"Location": url}, status_code=202)


@router.get(
    "/completions/cohort/{job_id}",
    name="cohort_job",
    response_model=CohortJobPublic,
    responses={200: {"content": {NDJSON_MEDIA_TYPE: {"schema": {"type": "string"}}}}},
)
async def cohort_job(
    job_id: str, provider_id: ProviderId, request: Request, handlers: IssuerHandlers
) -> Response:
    """The job's progress and every row answered so far. With ``Accept:
    application/x-ndjson``, each row's result is streamed as its batch is answered, then
    a summary line once the job is done."""
    cohorts = handlers.cohorts
    job = await cohorts.job(job_id, provider_id)
    if job is None:
        raise Problem(404, "Not found", f"no cohort job {job_id!r} of yours")
    url = str(request.url)
    if NDJSON_MEDIA_TYPE in request.headers.get("accept", ""):
        return StreamingResponse(stream(cohorts, job, url), media_type=NDJSON_MEDIA_TYPE)
    rows = [row for batch in range(job.next_batch) for row in await rows_of(cohorts, job, batch)]
    body = job_out(job, url, rows).model_dump(mode="json")
    return json_response(body, "application/json")


async def rows_of(cohorts: CohortJobs, job: CohortJob, batch: int) -> list[CohortRowPublic]:
    return [CohortRowPublic(**asdict(row)) for row in await cohorts.results(job, batch)]


async def stream(cohorts: CohortJobs, job: CohortJob, url: str) -> AsyncIterator[bytes]:
    batch = 0
    while True:
        while batch < job.next_batch:
            for row in await rows_of(cohorts, job, batch):
                yield row.model_dump_json().encode() + b"\n"
            batch += 1
        if job.finished_at is not None:
            break
        await asyncio.sleep(STREAM_POLL_SECONDS)
        job = await cohorts.job(job.job_id, job.provider_id) or job
    summary = job_out(job, url).model_dump(mode="json", exclude={"rows"})
    yield json.dumps({"summary": summary}).encode() + b"\n"


def job_out(job: CohortJob, url: str, rows: list[CohortRowPublic] | None = None) -> CohortJobPublic:
    return CohortJobPublic(
        job_id=job.job_id,
        state=job.state,
        total=job.total,
        processed=job.processed,
        issued=job.issued,
        already_issued=job.already_issued,
        rejected=job.rejected,
        submitted_at=job.submitted_at,
        finished_at=job.finished_at,
        status_url=url,
        rows=rows,
    )
