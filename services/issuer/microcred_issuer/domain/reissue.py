"""Re-issuing what a compromised key signed: a job that lists the affected credentials in
bounded batches, works through them with a stored cursor, and lists again until none is left.

Each credential keeps its id, content and status entry; only its proof is new. So the learner's
link, the status list slot and revocation keep working, and a re-run finds nothing left to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

JobState = Literal["listing", "reissuing", "done"]
Outcome = Literal["reissued", "skipped", "failed"]


def reissue_job_id(provider_id: str, fragment: str) -> str:
    return f"{provider_id}|{fragment}"


def signed_with(document: Mapping[str, Any], verification_method: str) -> bool:
    """Whether any proof of ``document`` names ``verification_method``."""
    proofs = document.get("proof")
    listed = proofs if isinstance(proofs, list) else [proofs]
    return any(
        isinstance(proof, Mapping) and proof.get("verificationMethod") == verification_method
        for proof in listed
    )


def unsigned(document: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in document.items() if name != "proof"}


@dataclass(frozen=True)
class ReissueJob:
    """``listing_pass``/``batches``/``cursor``: the batches of the latest listing and the next
    one to work on. ``version`` guards every save; ``lease_*`` names the one replica running it."""

    job_id: str
    provider_id: str
    fragment: str
    verification_method: str  # the compromised key's DID URL
    created_at: datetime
    updated_at: datetime
    state: JobState = "listing"
    listing_pass: int = 0
    batches: int = 0
    cursor: int = 0
    total: int = 0
    done: int = 0
    reissued: int = 0
    skipped: int = 0
    failed_ids: tuple[str, ...] = ()
    finished_at: datetime | None = None
    version: int = 1
    lease_owner: str | None = None
    lease_until: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.state == "done"

    def leased_by_another(self, owner: str, now: datetime) -> bool:
        return (
            self.lease_owner not in (None, owner)
            and self.lease_until is not None
            and self.lease_until > now
        )

    def leased(self, owner: str, until: datetime, now: datetime) -> ReissueJob:
        return self._next(now, lease_owner=owner, lease_until=until)

    def listed(self, batches: int, found: int, now: datetime) -> ReissueJob:
        """A listing found ``found`` credentials still signed by the key, in ``batches``."""
        if found == 0:
            return self._next(now, state="done", finished_at=now, lease_owner=None)
        return self._next(
            now,
            state="reissuing",
            listing_pass=self.listing_pass + 1,
            batches=batches,
            cursor=0,
            total=self.total + found,
        )

    def batch_done(self, outcomes: Sequence[tuple[str, Outcome]], now: datetime) -> ReissueJob:
        failed = tuple(cid for cid, outcome in outcomes if outcome == "failed")
        return self._next(
            now,
            cursor=self.cursor + 1,
            done=self.done + len(outcomes),
            reissued=self.reissued + sum(1 for _, o in outcomes if o == "reissued"),
            skipped=self.skipped + sum(1 for _, o in outcomes if o == "skipped"),
            failed_ids=self.failed_ids + failed,
        )

    def pass_finished(self, now: datetime) -> ReissueJob:
        """Every batch worked: list once more for what was signed with the key meanwhile."""
        return self._next(now, state="listing")

    def _next(self, now: datetime, **changes: Any) -> ReissueJob:
        return replace(self, version=self.version + 1, updated_at=now, **changes)


def new_job(provider_id: str, fragment: str, verification_method: str, at: datetime) -> ReissueJob:
    return ReissueJob(
        job_id=reissue_job_id(provider_id, fragment),
        provider_id=provider_id,
        fragment=fragment,
        verification_method=verification_method,
        created_at=at,
        updated_at=at,
    )
