"""In-memory stand-ins for the issuer's ports, and a world that wires handlers on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from microcred_issuer.adapters.crypto import DataIntegritySigner, SealedKeyVault
from microcred_issuer.domain.cohort import CohortJob, CohortRowResult
from microcred_issuer.domain.endorsements import Endorsement
from microcred_issuer.domain.key_import import KeyImportChallenge
from microcred_issuer.domain.keyring import Keyring
from microcred_issuer.domain.model import Achievement, Pathway, Provider
from microcred_issuer.domain.records import IssuedCredential
from microcred_issuer.domain.reissue import ReissueJob, signed_with
from microcred_issuer.domain.share_links import ShareLink
from microcred_issuer.domain.status_list import StatusPurpose, StatusSlot
from microcred_issuer.service_layer.handlers import Handlers, Options, Ports, build_handlers
from microcred_issuer.service_layer.learner_access import LearnerAccessOptions
from microcred_issuer.service_layer.ports import NewCredential, OutgoingEvent, SignedList
from microcred_issuer.service_layer.urls import IssuerUrls
from microcred_shared.events import Topic
from microcred_shared.events.contracts.catalogue import (
    AchievementV1,
    CompletenessReport,
    PathwayV1,
    ProviderV1,
    SkillAlignment,
)

from tests.unit.api_key_fakes import InMemoryApiKeyStore
from tests.unit.issuer.ob_api_fakes import FakeOAuthStore, FakeObResources

BASE_URL = "http://issuer.test:8002"
LEARNER_ACCESS_KEY = "unit-learner-access-key-0123"
SALT_KEY = b"unit-test-salt-key"


class FakeCatalogue:
    def __init__(self) -> None:
        self.providers: dict[str, Provider] = {}
        self.achievements: dict[str, Achievement] = {}
        self.pathways: dict[str, Pathway] = {}

    async def provider(self, provider_id: str) -> Provider | None:
        return self.providers.get(provider_id)

    async def achievement(self, achievement_id: str) -> Achievement | None:
        return self.achievements.get(achievement_id)

    async def pathways_with_component(self, achievement_id: str) -> list[Pathway]:
        return [p for p in self.pathways.values() if achievement_id in p.component_ids]

    async def pathway(self, pathway_id: str) -> Pathway | None:
        return self.pathways.get(pathway_id)

    async def apply_provider(self, provider: Provider) -> bool:
        return _newer(self.providers, provider.provider_id, provider)

    async def apply_achievement(self, achievement: Achievement) -> bool:
        return _newer(self.achievements, achievement.achievement_id, achievement)

    async def apply_pathway(self, pathway: Pathway) -> bool:
        return _newer(self.pathways, pathway.pathway_id, pathway)


def _newer(store: dict[str, Any], key: str, entity: Any) -> bool:
    if key in store and store[key].version >= entity.version:
        return False
    store[key] = entity
    return True


@dataclass
class Outbox:
    events: list[OutgoingEvent] = field(default_factory=list)

    def on(self, topic: Topic) -> list[Any]:
        return [e.event for e in self.events if e.topic == topic]


class FakeKeyrings:
    def __init__(self, outbox: Outbox) -> None:
        self.keyrings: dict[str, Keyring] = {}
        self._outbox = outbox

    async def get(self, provider_id: str) -> Keyring | None:
        return self.keyrings.get(provider_id)

    async def all(self) -> list[Keyring]:
        return list(self.keyrings.values())

    async def create(self, keyring: Keyring, events: Sequence[OutgoingEvent]) -> bool:
        if keyring.provider_id in self.keyrings:
            return False
        self.keyrings[keyring.provider_id] = keyring
        self._outbox.events.extend(events)
        return True

    async def replace(
        self, keyring: Keyring, expected_version: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        if self.keyrings[keyring.provider_id].version != expected_version:
            return False
        self.keyrings[keyring.provider_id] = keyring
        self._outbox.events.extend(events)
        return True


class FakeKeyChallenges:
    def __init__(self) -> None:
        self.challenges: dict[str, KeyImportChallenge] = {}

    async def add(self, challenge: KeyImportChallenge) -> None:
        self.challenges[challenge.nonce] = challenge

    async def take(self, nonce: str) -> KeyImportChallenge | None:
        return self.challenges.pop(nonce, None)


class FakeCredentials:
    def __init__(self, outbox: Outbox) -> None:
        self.stored: dict[str, IssuedCredential] = {}
        # Withdrawn endorsements' slots: their bits share the partner's revocation lists.
        self.withdrawn_slots: set[StatusSlot] = set()
        self.replaced = 0
        self._outbox = outbox

    async def get(self, credential_id: str) -> IssuedCredential | None:
        return self.stored.get(credential_id)

    async def get_many(self, credential_ids: Sequence[str]) -> dict[str, IssuedCredential]:
        return {i: self.stored[i] for i in credential_ids if i in self.stored}

    async def add_many(self, items: Sequence[NewCredential]) -> list[bool]:
        added = []
        for item in items:
            credential_id = item.credential.credential_id
            added.append(credential_id not in self.stored)
            if added[-1]:
                self.stored[credential_id] = item.credential
                self._outbox.events.extend(item.events)
        return added

    async def update_status(
        self, credential: IssuedCredential, expected_sequence: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        if self.stored[credential.credential_id].status_sequence != expected_sequence:
            return False
        self.stored[credential.credential_id] = credential
        self._outbox.events.extend(events)
        return True

    async def of_learner(self, learner_ref: str) -> list[IssuedCredential]:
        return [c for c in self.stored.values() if c.learner_ref == learner_ref]

    async def signed_with(self, provider_id: str, verification_method: str) -> list[str]:
        return sorted(
            c.credential_id
            for c in self.stored.values()
            if c.provider_id == provider_id
            and c.status != "revoked"
            and signed_with(c.document, verification_method)
        )

    async def replace_proof(
        self, credential: IssuedCredential, replaced_method: str, events: Sequence[OutgoingEvent]
    ) -> bool:
        stored = self.stored[credential.credential_id]
        if stored.status == "revoked" or not signed_with(stored.document, replaced_method):
            return False
        self.stored[credential.credential_id] = replace(
            stored, document=credential.document, reissued_at=credential.reissued_at
        )
        self.replaced += 1
        self._outbox.events.extend(events)
        return True

    async def learners_holding(self, achievement_ids: Sequence[str]) -> list[str]:
        return sorted(
            {c.learner_ref for c in self.stored.values() if c.achievement_id in achievement_ids}
        )

    async def reconcile_status_bits(self, credential_id: str) -> None:
        return None  # set_indexes reads the stored credentials themselves

    async def set_indexes(self, provider_id: str, shard: int, purpose: StatusPurpose) -> list[int]:
        wanted = "revoked" if purpose == "revocation" else "suspended"
        endorsements = [
            s.index
            for s in self.withdrawn_slots
            if purpose == "revocation" and s.provider_id == provider_id and s.shard == shard
        ]
        return endorsements + [
            c.slot.index
            for c in self.stored.values()
            if c.provider_id == provider_id and c.slot.shard == shard and c.status == wanted
        ]


class FakeEndorsements:
    def __init__(self, outbox: Outbox, credentials: FakeCredentials) -> None:
        self.stored: dict[str, Endorsement] = {}
        self.targets: dict[str, dict[str, dict[str, Any]]] = {}
        self._outbox = outbox
        self._credentials = credentials

    async def get(self, endorsement_id: str) -> Endorsement | None:
        return self.stored.get(endorsement_id)

    async def add(self, endorsement: Endorsement, events: Sequence[OutgoingEvent]) -> bool:
        if endorsement.endorsement_id in self.stored:
            return False
        self.stored[endorsement.endorsement_id] = endorsement
        self._outbox.events.extend(events)
        return True

    async def replace(
        self, endorsement: Endorsement, expected_sequence: int, events: Sequence[OutgoingEvent]
    ) -> bool:
        if self.stored[endorsement.endorsement_id].sequence != expected_sequence:
            return False
        self.stored[endorsement.endorsement_id] = endorsement
        self._outbox.events.extend(events)
        return True

    async def of_endorser(self, endorser_id: str) -> list[Endorsement]:
        return [e for e in self.stored.values() if e.endorser_id == endorser_id]

    async def index(self, endorsement: Endorsement) -> None:
        active = self.targets.setdefault(endorsement.target_key, {})
        if endorsement.status == "active":
            active[endorsement.endorsement_id] = endorsement.document
        else:
            active.pop(endorsement.endorsement_id, None)
            self._credentials.withdrawn_slots.add(endorsement.slot)

    async def active_for(self, target_keys: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        return {key: list(self.targets[key].values()) for key in target_keys if key in self.targets}


class FakeSlots:
    def __init__(self) -> None:
        self.taken: dict[tuple[str, int, int], str] = {}

    async def claim_many(
        self, provider_id: str, shard: int, claims: Sequence[tuple[int, str]]
    ) -> list[bool]:
        won = []
        for index, credential_id in claims:
            won.append((provider_id, shard, index) not in self.taken)
            self.taken.setdefault((provider_id, shard, index), credential_id)
        return won

    async def shards(self) -> list[tuple[str, int]]:
        return sorted({(provider_id, shard) for provider_id, shard, _ in self.taken})


class FakeStatusListSnapshots:
    """Snapshots with their events; ``unpublished`` holds the lists whose events the relay has
    not sent yet (the relay of these tests sends at once)."""

    def __init__(self, outbox: Outbox) -> None:
        self.lists: dict[str, SignedList] = {}
        self.unpublished: set[str] = set()
        self.signed = 0
        self._outbox = outbox

    async def get(self, list_id: str) -> SignedList | None:
        return self.lists.get(list_id)

    async def put(self, signed: SignedList, events: Sequence[OutgoingEvent]) -> bool:
        stored = self.lists.get(signed.list_id)
        if (stored.sequence if stored else 0) != signed.sequence - 1:
            return False
        self.signed += 1
        self.lists[signed.list_id] = signed
        self._outbox.events.extend(events)
        return True

    async def pending(self, list_id: str) -> bool:
        return list_id in self.unpublished


class FakeReissueJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, ReissueJob] = {}
        self.batches: dict[tuple[str, int, int], list[str]] = {}

    async def get(self, job_id: str) -> ReissueJob | None:
        return self.jobs.get(job_id)

    async def create(self, job: ReissueJob) -> bool:
        if job.job_id in self.jobs:
            return False
        self.jobs[job.job_id] = job
        return True

    async def save(self, job: ReissueJob, expected_version: int) -> bool:
        if self.jobs[job.job_id].version != expected_version:
            return False
        self.jobs[job.job_id] = job
        return True

    async def unfinished(self) -> list[ReissueJob]:
        return [job for job in self.jobs.values() if not job.finished]

    async def put_batch(
        self, job_id: str, listing_pass: int, index: int, credential_ids: Sequence[str]
    ) -> None:
        self.batches[(job_id, listing_pass, index)] = list(credential_ids)

    async def batch(self, job_id: str, listing_pass: int, index: int) -> list[str]:
        return self.batches.get((job_id, listing_pass, index), [])


class FakeCohortJobs:
    def __init__(self) -> None:
        self.jobs: dict[str, CohortJob] = {}
        self.files: dict[str, str] = {}
        self.batches: dict[tuple[str, int], list[CohortRowResult]] = {}

    async def create(self, job: CohortJob, sealed_csv: str) -> None:
        self.files[job.job_id] = sealed_csv
        self.jobs.setdefault(job.job_id, job)

    async def get(self, job_id: str) -> CohortJob | None:
        return self.jobs.get(job_id)

    async def save(self, job: CohortJob, expected_version: int) -> bool:
        if self.jobs[job.job_id].version != expected_version:
            return False
        self.jobs[job.job_id] = job
        return True

    async def unfinished(self) -> list[CohortJob]:
        return [job for job in self.jobs.values() if job.finished_at is None]

    async def csv(self, job_id: str) -> str | None:
        return self.files.get(job_id)

    async def drop_csv(self, job_id: str) -> None:
        self.files.pop(job_id, None)

    async def put_results(
        self, job_id: str, batch: int, results: Sequence[CohortRowResult]
    ) -> None:
        self.batches[(job_id, batch)] = list(results)

    async def results(self, job_id: str, batch: int) -> list[CohortRowResult]:
        return self.batches.get((job_id, batch), [])


class FakeAccessLinkRequests:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.last_link_at: dict[str, datetime] = {}

    async def record(
        self,
        learner_ref: str,
        at: datetime,
        quiet_since: datetime,
        events: Sequence[OutgoingEvent],
    ) -> bool:
        last = self.last_link_at.get(learner_ref)
        if last is not None and last > quiet_since:
            return False
        self.last_link_at[learner_ref] = at
        self.outbox.events.extend(events)
        return True


@dataclass
class SteppingClock:
    """Each reading one second later: ordering is visible, whole seconds like the real one."""

    current: datetime = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self.current += timedelta(seconds=1)
        return self.current


class FakeShareLinks:
    def __init__(self) -> None:
        self.links: dict[str, ShareLink] = {}

    async def add(self, link: ShareLink) -> None:
        self.links[link.share_id] = link

    async def get(self, share_id: str) -> ShareLink | None:
        return self.links.get(share_id)

    async def of_learner(self, learner_ref: str) -> list[ShareLink]:
        mine = [link for link in self.links.values() if link.learner_ref == learner_ref]
        return sorted(mine, key=lambda link: link.created_at)

    async def save(self, link: ShareLink) -> None:
        self.links[link.share_id] = link


@dataclass
class World:
    suite: str = "eddsa-jcs-2022"
    suspension_entry: bool = False
    list_announce_timeout_seconds: float = 30.0
    outbox: Outbox = field(default_factory=Outbox)
    catalogue: FakeCatalogue = field(default_factory=FakeCatalogue)
    slots: FakeSlots = field(default_factory=FakeSlots)
    api_keys: InMemoryApiKeyStore = field(default_factory=InMemoryApiKeyStore)
    reissue_jobs: FakeReissueJobs = field(default_factory=FakeReissueJobs)
    reissue_batch_size: int = 100
    completion_batch_size: int = 200
    clock: SteppingClock = field(default_factory=SteppingClock)
    wakes: int = 0

    def __post_init__(self) -> None:
        self.keyrings = FakeKeyrings(self.outbox)
        self.key_challenges = FakeKeyChallenges()
        self.credentials = FakeCredentials(self.outbox)
        self.endorsements = FakeEndorsements(self.outbox, self.credentials)
        self.status_lists = FakeStatusListSnapshots(self.outbox)
        self.access_links = FakeAccessLinkRequests(self.outbox)
        self.cohort_jobs = FakeCohortJobs()
        self.share_links = FakeShareLinks()
        self.vault = SealedKeyVault("unit-test-key-encryption-key")
        self.oauth = FakeOAuthStore()
        self.ob_resources = FakeObResources()
        self.ports = Ports(
            catalogue=self.catalogue,
            keyrings=self.keyrings,
            key_challenges=self.key_challenges,
            credentials=self.credentials,
            slots=self.slots,
            status_lists=self.status_lists,
            api_keys=self.api_keys,
            reissue_jobs=self.reissue_jobs,
            access_links=self.access_links,
            cohort_jobs=self.cohort_jobs,
            vault=self.vault,
            signer=DataIntegritySigner(self.suite),
            clock=self.clock,
            wake=self._wake,
            share_links=self.share_links,
            oauth=self.oauth,
            ob_resources=self.ob_resources,
            endorsements=self.endorsements,
        )
        self.handlers: Handlers = build_handlers(
            self.ports,
            Options(
                urls=IssuerUrls(BASE_URL, BASE_URL),
                salt_key=SALT_KEY,
                credential_id_key=b"unit-test-credential-id-key",
                learner_access=LearnerAccessOptions(key=LEARNER_ACCESS_KEY),
                suspension_entry=self.suspension_entry,
                reissue_batch_size=self.reissue_batch_size,
                completion_batch_size=self.completion_batch_size,
                list_announce_timeout_seconds=self.list_announce_timeout_seconds,
            ),
        )

    def _wake(self) -> None:
        self.wakes += 1

    async def add_provider(self, provider_id: str, **changes: Any) -> None:
        await self.handlers.projections.on_provider(provider_event(provider_id, **changes))

    async def add_achievement(self, achievement_id: str, provider_id: str, **changes: Any) -> None:
        data = achievement_event(achievement_id, provider_id, **changes)
        await self.handlers.projections.on_achievement(data)

    async def add_pathway(self, data: Any) -> None:
        await self.handlers.projections.on_pathway(data)


# Contract builders: the same shapes the catalogue publishes.
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def provider_event(provider_id: str, **changes: Any) -> ProviderV1:
    fields: dict[str, Any] = {
        "provider_id": provider_id,
        "version": 1,
        "name": f"Provider {provider_id}",
        "provider_type": "university",
        "country": "DE",
        "region": "Bavaria",
        "website": f"https://{provider_id}.example",
        "accreditation": {"status": "accredited", "body": "ACQUIN"},
        "trust": "trusted",
        "updated_at": NOW,
    }
    return ProviderV1.model_validate(fields | changes)


def achievement_event(achievement_id: str, provider_id: str, **changes: Any) -> AchievementV1:
    fields: dict[str, Any] = {
        "achievement_id": achievement_id,
        "provider_id": provider_id,
        "course_code": achievement_id.rsplit(":", 1)[-1],
        "version": 1,
        "status": "active",
        "name": f"Course {achievement_id}",
        "description": "A short course in mechatronics.",
        "criteria": "Pass the final assessment.",
        "learning_outcomes": ["Program a PLC", "Read hydraulic schematics"],
        "ects": 5.0,
        "workload_hours": 125.0,
        "eqf_level": 5,
        "isced_f_code": "0714",
        "languages": ["en"],
        "participation_forms": ["blended"],
        "assessment_type": "written exam",
        "quality_assurance": "internal QA, accredited by ACQUIN",
        "skills": [
            SkillAlignment(
                target_name="PLC programming",
                target_url="http://data.europa.eu/esco/skill/plc",
                target_framework="ESCO",
            )
        ],
        "completeness": CompletenessReport(score=1.0),
        "updated_at": NOW,
    }
    return AchievementV1.model_validate(fields | changes)


def pathway_event(
    pathway_id: str,
    owner: str,
    target: str,
    rule: dict[str, Any],
    accepted: list[str],
    **changes: Any,
) -> PathwayV1:
    fields: dict[str, Any] = {
        "pathway_id": pathway_id,
        "version": 1,
        "status": "active",
        "owner_provider_id": owner,
        "target_achievement_id": target,
        "name": f"Pathway {pathway_id}",
        "rule": rule,
        "accepted_provider_ids": accepted,
        "updated_at": NOW,
    }
    return PathwayV1.model_validate(fields | changes)
