"""Re-issuing what a compromised key signed, on the real MongoDB-wire database and Kafka: a job
cut short is continued from its stored cursor by another replica, and no credential is
re-issued (or announced) twice however often the job runs."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from microcred_issuer.adapters.mongo_reissue import JOBS
from microcred_issuer.service_layer.commands import ReportKeyCompromise
from microcred_shared.events import Topic

from tests.integration.issuer.harness import (
    IDS,
    RunningIssuer,
    completion,
    drain,
    running_issuer,
    settings_for,
)
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

PROVIDER, ACHIEVEMENT, COUNT = "uni-k", "uni-k:SEC-1", 7
REISSUED = "org.microcred.credential.reissued.v1"


@pytest.fixture(scope="module")
async def issuer(infra: Any) -> AsyncIterator[RunningIssuer]:
    # The app's own worker looks for jobs only at start and when a report rings it: the test
    # plays the replicas itself.
    settings = settings_for(infra, "keys", reissue_poll_seconds=3600)
    async with running_issuer(settings) as running:
        await running.add_provider(PROVIDER)
        await running.add_achievement(ACHIEVEMENT, PROVIDER)
        await running.catalogue_knows(ACHIEVEMENT, providers=(PROVIDER,))
        yield running


def _signer(document: dict[str, Any]) -> str:
    return str(document["proof"][0]["verificationMethod"]).rsplit("#", 1)[1]


async def test_a_cut_short_job_is_continued_and_nothing_is_reissued_twice(
    issuer: RunningIssuer,
) -> None:
    ids = [IDS.of_completion(PROVIDER, f"k-{n}") for n in range(COUNT)]
    for n in range(COUNT):
        await issuer.report(completion(f"k-{n}", PROVIDER, ACHIEVEMENT, f"l{n}@example.org"))
    before = {cid: await issuer.credential(cid) for cid in ids}
    revoked = await issuer.http.post(
        f"/credentials/{ids[0]}/revoke",
        json={"reason": "test"},
        headers={"authorization": f"Bearer {await issuer.api_key(PROVIDER)}"},
    )
    assert revoked.status_code == 200, revoked.text

    handlers = issuer.issuer.handlers
    keyring = await handlers.keys.report_compromise(ReportKeyCompromise(PROVIDER, "key-1"))
    crashed = handlers.reissuance.as_replica("crashed", batch_size=2, lease=timedelta(seconds=1))
    job = await crashed.open(keyring, "key-1")
    cut = await crashed.run(job.job_id, max_steps=3)  # the listing and two of three batches
    assert cut is not None
    assert (cut.state, cut.total, cut.cursor, cut.done) == ("reissuing", COUNT - 1, 2, 4)

    successor = handlers.reissuance.as_replica("successor", batch_size=2)
    await asyncio.sleep(1.2)  # the crashed replica's lease runs out
    finished = await successor.run(job.job_id)
    assert finished is not None
    assert (finished.state, finished.done, finished.reissued) == ("done", COUNT - 1, COUNT - 1)

    # Run once more as if the job had never finished: it finds nothing left to re-sign.
    database = issuer.issuer.runtime.database
    await database[JOBS].update_one({"_id": job.job_id}, {"$set": {"state": "listing"}})
    again = await handlers.reissuance.as_replica("third").run(job.job_id)
    assert again is not None
    assert (again.state, again.reissued, again.total) == ("done", COUNT - 1, COUNT - 1)

    for cid in ids:
        after = await issuer.credential(cid)
        assert after["credentialStatus"] == before[cid]["credentialStatus"]
        assert _signer(after) == ("key-1" if cid == ids[0] else "key-2")
        if cid != ids[0]:
            assert (await issuer.verify(after)).verified
    events = await drain(
        issuer.admin,
        issuer.topic(Topic.CREDENTIALS_ISSUED),
        until=lambda events: sum(e["type"] == REISSUED for e in events) >= COUNT - 1,
    )
    announced = Counter(e["data"]["credential_id"] for e in events if e["type"] == REISSUED)
    assert announced == Counter(ids[1:])  # each once, the revoked one never
    stored = await database[JOBS].find_one({"_id": job.job_id})
    assert stored is not None
    assert stored["failed_ids"] == []


async def test_a_report_over_http_runs_the_job_in_the_background_and_shows_its_progress(
    issuer: RunningIssuer,
) -> None:
    cid = IDS.of_completion(PROVIDER, "http-1")
    await issuer.report(completion("http-1", PROVIDER, ACHIEVEMENT, "h@example.org"))
    signed_by = _signer(await issuer.credential(cid))
    headers = {"authorization": f"Bearer {await issuer.api_key(PROVIDER)}"}

    reported = await issuer.http.post(
        f"/providers/{PROVIDER}/keys/{signed_by}/compromised", headers=headers
    )
    assert reported.status_code == 202, reported.text

    async def progress() -> dict[str, Any]:
        response = await issuer.http.get(
            f"/providers/{PROVIDER}/reissue-jobs/{signed_by}", headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    job = await eventually(progress, lambda body: body["state"] == "done", timeout=60)
    assert job["total"] == job["done"] == job["reissued"] >= 1
    after = await issuer.credential(cid)
    assert _signer(after) == reported.json()["current_verification_method"].rsplit("#", 1)[1]
    assert (await issuer.verify(after)).verified
