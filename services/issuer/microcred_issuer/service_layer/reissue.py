"""After a key compromise: sign every affected credential again under the provider's current
key, in bounded batches with the cursor in the job document, announcing each new copy.

Idempotent: a credential is re-signed only while its stored copy is still signed by the
compromised key (checked under its lock), so a re-run, a second replica or a resumed job finds
nothing to do twice. Resumable: a crash leaves the job at its last saved batch; the next run
(this replica's periodic look, or another's once the lease ran out) continues from there.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from microcred_shared.events import Topic
from microcred_shared.events.contracts.reissuance import CredentialReissuedV1
from microcred_shared.events.registry import CREDENTIAL_REISSUED

from ..domain.errors import IssuerError, UnknownJob
from ..domain.keyring import Keyring
from ..domain.records import IssuedCredential
from ..domain.reissue import (
    Outcome,
    ReissueJob,
    new_job,
    reissue_job_id,
    signed_with,
    unsigned,
)
from .keys import SOURCE, KeyHandlers
from .minting import Minting
from .ports import Clock, Credentials, OutgoingEvent, ReissueJobs, Wake
from .urls import IssuerUrls

DEFAULT_BATCH_SIZE = 100
DEFAULT_LEASE = timedelta(seconds=60)


class Reissuance:
    def __init__(
        self,
        *,
        credentials: Credentials,
        jobs: ReissueJobs,
        keys: KeyHandlers,
        minting: Minting,
        urls: IssuerUrls,
        clock: Clock,
        wake: Wake,
        batch_size: int = DEFAULT_BATCH_SIZE,
        lease: timedelta = DEFAULT_LEASE,
        owner: str | None = None,
    ) -> None:
        self._credentials = credentials
        self._jobs = jobs
        self._keys = keys
        self._minting = minting
        self._urls = urls
        self._clock = clock
        self._wake = wake
        self._batch_size = batch_size
        self._lease = lease
        self._owner = owner or secrets.token_hex(8)

    def as_replica(
        self, owner: str, *, batch_size: int | None = None, lease: timedelta | None = None
    ) -> Reissuance:
        """The same work as another replica would do it (its own lease owner)."""
        return Reissuance(
            credentials=self._credentials,
            jobs=self._jobs,
            keys=self._keys,
            minting=self._minting,
            urls=self._urls,
            clock=self._clock,
            wake=self._wake,
            batch_size=batch_size or self._batch_size,
            lease=lease or self._lease,
            owner=owner,
        )

    async def open(self, keyring: Keyring, fragment: str) -> ReissueJob:
        """The job for this compromised key, created if it is not there yet (idempotent)."""
        job = new_job(
            keyring.provider_id,
            fragment,
            keyring.vm_id(keyring.key(fragment)),
            self._clock.now(),
        )
        await self._jobs.create(job)
        return await self.job(keyring.provider_id, fragment)

    async def job(self, provider_id: str, fragment: str) -> ReissueJob:
        job = await self._jobs.get(reissue_job_id(provider_id, fragment))
        if job is None:
            raise UnknownJob(f"no re-issuance for key {fragment!r} of {provider_id!r}")
        return job

    async def unfinished(self) -> list[ReissueJob]:
        return await self._jobs.unfinished()

    async def run(self, job_id: str, *, max_steps: int | None = None) -> ReissueJob | None:
        """Work the job to its end (or ``max_steps`` listings and batches); None when another
        replica holds it."""
        job = await self._claim(job_id)
        steps = 0
        while job is not None and not job.finished:
            if max_steps is not None and steps >= max_steps:
                break
            job = await (self._list(job) if job.state == "listing" else self._next_batch(job))
            steps += 1
        return job

    async def _claim(self, job_id: str) -> ReissueJob | None:
        job = await self._jobs.get(job_id)
        now = self._clock.now()
        if job is None or job.finished:
            return job
        if job.leased_by_another(self._owner, now):
            return None
        return await self._save(job, job.leased(self._owner, now + self._lease, now))

    async def _list(self, job: ReissueJob) -> ReissueJob | None:
        affected = await self._credentials.signed_with(job.provider_id, job.verification_method)
        found = [cid for cid in affected if cid not in job.failed_ids]
        size = self._batch_size
        batches = [found[start : start + size] for start in range(0, len(found), size)]
        for index, batch in enumerate(batches):
            await self._jobs.put_batch(job.job_id, job.listing_pass + 1, index, batch)
        return await self._save(job, job.listed(len(batches), len(found), self._clock.now()))

    async def _next_batch(self, job: ReissueJob) -> ReissueJob | None:
        now = self._clock.now()
        if job.cursor >= job.batches:
            return await self._save(job, job.pass_finished(now))
        ids = await self._jobs.batch(job.job_id, job.listing_pass, job.cursor)
        keyring = await self._keys.ensure(job.provider_id)
        outcomes = [(cid, await self._reissue(cid, job, keyring)) for cid in ids]
        return await self._save(job, job.batch_done(outcomes, self._clock.now()))

    async def _save(self, job: ReissueJob, changed: ReissueJob) -> ReissueJob | None:
        """The changed job with the lease renewed; None when the lease was lost meanwhile."""
        now = self._clock.now()
        if not changed.finished:
            changed = replace(changed, lease_owner=self._owner, lease_until=now + self._lease)
        return changed if await self._jobs.save(changed, job.version) else None

    async def _reissue(self, credential_id: str, job: ReissueJob, keyring: Keyring) -> Outcome:
        credential = await self._credentials.get(credential_id)
        if (
            credential is None
            or credential.status == "revoked"
            or not signed_with(credential.document, job.verification_method)
        ):
            return "skipped"
        now = self._clock.now()
        try:
            document = self._minting.sign_credential(unsigned(credential.document), keyring, now)
        except IssuerError:
            return "failed"  # listed in the job; never retried in a loop
        copy = replace(credential, document=document, reissued_at=now)
        event = self._reissued_event(copy, job, keyring)
        stored = await self._credentials.replace_proof(copy, job.verification_method, [event])
        if not stored:
            return "skipped"
        self._wake()
        return "reissued"

    def _reissued_event(
        self, credential: IssuedCredential, job: ReissueJob, keyring: Keyring
    ) -> OutgoingEvent:
        signer = keyring.vm_id(keyring.current)
        data = CredentialReissuedV1(
            credential_id=credential.credential_id,
            kind=credential.kind,
            learner_ref=credential.learner_ref,
            provider_id=credential.provider_id,
            issuer_did=credential.issuer_did,
            achievement_id=credential.achievement_id,
            replaced_verification_method=job.verification_method,
            verification_method=signer,
            reissued_at=credential.reissued_at or self._clock.now(),
            links=self._urls.links(credential.credential_id),
        )
        event = CREDENTIAL_REISSUED.envelope(
            data,
            source=SOURCE,
            subject=credential.credential_id,
            # One per credential and signing key: a repeated attempt publishes the same id.
            event_id=f"credential-reissued:{credential.credential_id}:{keyring.current.fragment}",
        )
        return OutgoingEvent(Topic.CREDENTIALS_ISSUED, credential.learner_ref, event)
