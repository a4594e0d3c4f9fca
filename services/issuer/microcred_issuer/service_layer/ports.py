"""What the handlers need from outside: adapters (Mongo, crypto) and test fakes implement it
(so each adapter method repeats its signature here, as a Protocol's implementation does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from microcred_shared.crypto import Ed25519Multikey
from microcred_shared.events import CloudEvent, Topic

from ..domain.cohort import CohortJob, CohortRowResult
from ..domain.key_import import KeyImportChallenge
from ..domain.keyring import KeyRecord, Keyring
from ..domain.model import Achievement, Pathway, Provider
from ..domain.records import IssuedCredential
from ..domain.reissue import ReissueJob
from ..domain.share_links import ShareLink
from ..domain.status_list import StatusPurpose


@dataclass(frozen=True)
class OutgoingEvent:
    """An event to store with the document it announces (the outbox relay publishes it)."""

    topic: Topic
    key: str
    event: CloudEvent[Any]


@dataclass(frozen=True)
class NewCredential:
    """A credential to store, with the events that announce it (written together)."""

    credential: IssuedCredential
    events: Sequence[OutgoingEvent]


class CatalogueView(Protocol):
    """The issuer's projection of the catalogue topics (newest version per id wins)."""

    async def provider(self, provider_id: str) -> Provider | None: ...
    async def achievement(self, achievement_id: str) -> Achievement | None: ...
    async def pathways_with_component(self, achievement_id: str) -> list[Pathway]: ...
    async def pathway(self, pathway_id: str) -> Pathway | None: ...
    async def apply_provider(self, provider: Provider) -> bool: ...
    async def apply_achievement(self, achievement: Achievement) -> bool: ...
    async def apply_pathway(self, pathway: Pathway) -> bool: ...


class Keyrings(Protocol):
    async def get(self, provider_id: str) -> Keyring | None: ...
    async def all(self) -> list[Keyring]:
        """Every provider's keyring (a scan: one document per provider, read at start)."""
        ...

    async def create(self, keyring: Keyring, events: Sequence[OutgoingEvent]) -> bool: ...
    async def replace(
        self, keyring: Keyring, expected_version: int, events: Sequence[OutgoingEvent]
    ) -> bool: ...


class KeyChallenges(Protocol):
    """Key-import challenges: each is taken at most once, whoever asks first."""

    async def add(self, challenge: KeyImportChallenge) -> None: ...
    async def take(self, nonce: str) -> KeyImportChallenge | None:
        """The challenge, removed so no one takes it again; None if unknown or taken."""
        ...


class Credentials(Protocol):
    async def get(self, credential_id: str) -> IssuedCredential | None: ...
    async def get_many(self, credential_ids: Sequence[str]) -> dict[str, IssuedCredential]:
        """The stored ones among ``credential_ids``, by id."""
        ...

    async def add_many(self, items: Sequence[NewCredential]) -> list[bool]:
        """Store each with its events; per item, False if a credential with that id exists
        (then nothing of it is written)."""
        ...

    async def update_status(
        self,
        credential: IssuedCredential,
        expected_sequence: int,
        events: Sequence[OutgoingEvent],
    ) -> bool: ...
    async def of_learner(self, learner_ref: str) -> list[IssuedCredential]: ...
    async def learners_holding(self, achievement_ids: Sequence[str]) -> list[str]:
        """The learners holding a credential for any of these achievements."""
        ...

    async def set_indexes(self, provider_id: str, shard: int, purpose: StatusPurpose) -> list[int]:
        """Indexes whose bit is set in the list: revoked (or suspended) credentials."""
        ...

    async def reconcile_status_bits(self, credential_id: str) -> None:
        """Make ``set_indexes`` agree with the credential's stored status (idempotent)."""
        ...

    async def signed_with(self, provider_id: str, verification_method: str) -> list[str]:
        """The ids of the provider's credentials, not revoked, with a proof by this key (a scan:
        for the rare re-issuance after a compromise, never per request)."""
        ...

    async def replace_proof(
        self, credential: IssuedCredential, replaced_method: str, events: Sequence[OutgoingEvent]
    ) -> bool:
        """Store the re-signed document with its events if the stored one is still signed by
        ``replaced_method`` and not revoked; False otherwise (already re-issued: nothing)."""
        ...


class ReissueJobs(Protocol):
    async def get(self, job_id: str) -> ReissueJob | None: ...
    async def create(self, job: ReissueJob) -> bool:
        """Store a new job; False if one with that id exists."""
        ...

    async def save(self, job: ReissueJob, expected_version: int) -> bool:
        """Store the job's next state if the stored one is still at ``expected_version``."""
        ...

    async def unfinished(self) -> list[ReissueJob]: ...
    async def put_batch(
        self, job_id: str, listing_pass: int, index: int, credential_ids: Sequence[str]
    ) -> None:
        """Store (or overwrite, identically) one batch of a listing."""
        ...

    async def batch(self, job_id: str, listing_pass: int, index: int) -> list[str]: ...


class CohortJobStore(Protocol):
    """Cohort jobs, their sealed CSV (until done) and each batch's row results."""

    async def create(self, job: CohortJob, sealed_csv: str) -> None: ...
    async def get(self, job_id: str) -> CohortJob | None: ...
    async def save(self, job: CohortJob, expected_version: int) -> bool:
        """Store the job's next state if the stored one is still at ``expected_version``."""
        ...

    async def unfinished(self) -> list[CohortJob]: ...
    async def csv(self, job_id: str) -> str | None: ...
    async def drop_csv(self, job_id: str) -> None: ...
    async def put_results(
        self, job_id: str, batch: int, results: Sequence[CohortRowResult]
    ) -> None:
        """Store (or overwrite, for a re-run batch) one batch's row results."""
        ...

    async def results(self, job_id: str, batch: int) -> list[CohortRowResult]: ...


class AccessLinkRequests(Protocol):
    """The wallet links sent to each learner (when, and the e-mail events to publish)."""

    async def record(
        self,
        learner_ref: str,
        at: datetime,
        quiet_since: datetime,
        events: Sequence[OutgoingEvent],
    ) -> bool:
        """Store ``events`` and ``at`` unless a link went to the learner after ``quiet_since``;
        True if stored."""
        ...


class ShareLinks(Protocol):
    """The learners' share links: each by its token, and each learner's list of them."""

    async def add(self, link: ShareLink) -> None: ...
    async def get(self, share_id: str) -> ShareLink | None: ...
    async def of_learner(self, learner_ref: str) -> list[ShareLink]:
        """The learner's links, oldest first."""
        ...

    async def save(self, link: ShareLink) -> None:
        """Store a link's new state (withdrawn)."""
        ...


class StatusSlots(Protocol):
    async def claim_many(
        self, provider_id: str, shard: int, claims: Sequence[tuple[int, str]]
    ) -> list[bool]:
        """Reserve each (index, credential id) in one write; per claim, False if the index
        was taken."""
        ...

    async def shards(self) -> list[tuple[str, int]]:
        """Every (provider, shard) with a claimed index: a scan, for a start-up migration."""
        ...


@dataclass(frozen=True)
class SignedList:
    """One snapshot of a status list: the signed credential served and published for it."""

    list_id: str
    digest: str  # of what was signed: the set bits, the list size and the signing key
    document: dict[str, Any]
    signed_at: datetime
    sequence: int  # orders a list's snapshots; 0: signed before snapshots were published


class StatusListSnapshots(Protocol):
    """Each list's newest snapshot, stored with the event that publishes it (the outbox)."""

    async def get(self, list_id: str) -> SignedList | None: ...
    async def put(self, signed: SignedList, events: Sequence[OutgoingEvent]) -> bool:
        """Store it with its events if the stored snapshot is the one before it (absent counts
        as sequence 0); False if another snapshot got there first."""
        ...

    async def pending(self, list_id: str) -> bool:
        """True while the stored snapshot's events are not yet published."""
        ...


class KeyVault(Protocol):
    """Key material: generated, sealed with the key-encryption key, unsealed only to sign."""

    def new_key(self, fragment: str, at: datetime) -> KeyRecord: ...
    def import_key(self, secret_key_multibase: str, fragment: str, at: datetime) -> KeyRecord: ...
    def signing_key(self, keyring: Keyring) -> Ed25519Multikey: ...
    def seal_text(self, text: str) -> str: ...
    def unseal_text(self, sealed: str) -> str: ...


class Signer(Protocol):
    def sign(self, document: dict[str, Any], key: Ed25519Multikey, at: datetime) -> dict[str, Any]:
        """The document with a ``proof`` array holding one new proof."""
        ...


class IssuanceMetrics(Protocol):
    """What operators count (Prometheus in production; nothing in unit tests)."""

    def issued(self, kind: str) -> None: ...
    def rejected(self, reason_code: str) -> None: ...
    def status_changed(self, status: str) -> None: ...


class NoMetrics:
    def issued(self, kind: str) -> None:
        pass

    def rejected(self, reason_code: str) -> None:
        pass

    def status_changed(self, status: str) -> None:
        pass


class Clock(Protocol):
    def now(self) -> datetime: ...


class Wake(Protocol):
    def __call__(self) -> None: ...
