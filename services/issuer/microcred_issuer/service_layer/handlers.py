"""Every handler of one issuer, wired once (the bootstrap builds it from adapters or fakes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from microcred_shared.api_keys import ApiKeyStore

from ..domain.ids import CredentialIds
from .api_keys import ApiKeyHandlers
from .clr import ClrIssuance
from .cohorts import CohortJobs
from .compromise import CompromiseHandler, JobBell
from .endorsements import EndorsementHandlers
from .issuing import CompletionHandler
from .key_import import KeyImport
from .keys import KeyHandlers
from .learner_access import LearnerAccess, LearnerAccessOptions, WalletLinks
from .minting import Minting
from .oauth import OAuthStore
from .ob_api import ObApi, ObResources
from .ports import (
    AccessLinkRequests,
    CatalogueView,
    Clock,
    CohortJobStore,
    Credentials,
    IssuanceMetrics,
    KeyChallenges,
    Keyrings,
    KeyVault,
    NoMetrics,
    ReissueJobs,
    ShareLinks,
    Signer,
    StatusListSnapshots,
    StatusSlots,
    Wake,
)
from .ports_endorsements import EndorsementStore
from .projections import ProjectionHandlers
from .publishing import Publishing
from .queries import CredentialQueries
from .reissue import Reissuance
from .slots import SlotAllocator
from .stacking import Stacking
from .status import StatusHandlers
from .status_lists import StatusLists
from .urls import IssuerUrls
from .vc_jose import VcJoseForms
from .wallet import Wallet


@dataclass(frozen=True)
class Ports:
    catalogue: CatalogueView
    keyrings: Keyrings
    key_challenges: KeyChallenges
    credentials: Credentials
    slots: StatusSlots
    status_lists: StatusListSnapshots
    api_keys: ApiKeyStore
    reissue_jobs: ReissueJobs
    access_links: AccessLinkRequests
    cohort_jobs: CohortJobStore
    vault: KeyVault
    signer: Signer
    clock: Clock
    wake: Wake
    share_links: ShareLinks
    oauth: OAuthStore
    ob_resources: ObResources
    endorsements: EndorsementStore
    metrics: IssuanceMetrics = field(default_factory=NoMetrics)


@dataclass(frozen=True)
class Options:
    urls: IssuerUrls
    salt_key: bytes
    credential_id_key: bytes
    learner_access: LearnerAccessOptions
    list_size: int = 131_072
    validity_days: int | None = None
    suspension_entry: bool = False
    reissue_batch_size: int = 100
    completion_batch_size: int = 200
    cohort_max_rows: int = 10_000
    key_challenge_lifetime: timedelta = timedelta(minutes=5)
    # How long a slot claim waits for a new list's first snapshot to reach Kafka.
    list_announce_timeout_seconds: float = 30.0


@dataclass(frozen=True)
class Handlers:
    completions: CompletionHandler
    cohorts: CohortJobs
    stacking: Stacking
    status: StatusHandlers
    status_lists: StatusLists
    keys: KeyHandlers
    key_import: KeyImport
    projections: ProjectionHandlers
    api_keys: ApiKeyHandlers
    queries: CredentialQueries
    learner_access: LearnerAccess
    urls: IssuerUrls
    compromises: CompromiseHandler
    reissuance: Reissuance
    job_bell: JobBell
    cohort_bell: JobBell
    vc_jose: VcJoseForms
    clr: ClrIssuance
    wallet: Wallet
    ob_api: ObApi
    endorsements: EndorsementHandlers


def build_handlers(ports: Ports, options: Options) -> Handlers:
    keys = KeyHandlers(
        ports.keyrings, ports.catalogue, ports.vault, options.urls, ports.clock, ports.wake
    )
    status_lists = StatusLists(
        snapshots=ports.status_lists,
        credentials=ports.credentials,
        keys=keys,
        vault=ports.vault,
        signer=ports.signer,
        urls=options.urls,
        clock=ports.clock,
        wake=ports.wake,
        list_size=options.list_size,
        announce_timeout_seconds=options.list_announce_timeout_seconds,
    )
    wallet_links = WalletLinks(options.learner_access, options.urls)
    allocator = SlotAllocator(ports.slots, options.list_size, status_lists.open)
    minting = Minting(
        keys=keys,
        allocator=allocator,
        endorsements=ports.endorsements,
        signer=ports.signer,
        vault=ports.vault,
        urls=options.urls,
        clock=ports.clock,
        validity_days=options.validity_days,
        suspension_entry=options.suspension_entry,
    )
    publishing = Publishing(
        credentials=ports.credentials,
        urls=options.urls,
        wallet_links=wallet_links,
        clock=ports.clock,
        wake=ports.wake,
        metrics=ports.metrics,
    )
    ids = CredentialIds(options.credential_id_key)
    stacking = Stacking(
        catalogue=ports.catalogue,
        credentials=ports.credentials,
        minting=minting,
        publishing=publishing,
        vault=ports.vault,
        urls=options.urls,
        ids=ids,
    )
    reissuance = Reissuance(
        credentials=ports.credentials,
        jobs=ports.reissue_jobs,
        keys=keys,
        minting=minting,
        urls=options.urls,
        clock=ports.clock,
        wake=ports.wake,
        batch_size=options.reissue_batch_size,
    )
    bell, cohort_bell = JobBell(), JobBell()
    completions = CompletionHandler(
        catalogue=ports.catalogue,
        credentials=ports.credentials,
        minting=minting,
        publishing=publishing,
        stacking=stacking,
        vault=ports.vault,
        metrics=ports.metrics,
        ids=ids,
        salt_key=options.salt_key,
    )
    return Handlers(
        completions=completions,
        cohorts=CohortJobs(
            completions=completions,
            store=ports.cohort_jobs,
            vault=ports.vault,
            clock=ports.clock,
            bell=cohort_bell,
            batch_size=options.completion_batch_size,
            max_rows=options.cohort_max_rows,
        ),
        stacking=stacking,
        status=StatusHandlers(
            credentials=ports.credentials,
            lists=status_lists,
            urls=options.urls,
            clock=ports.clock,
            wake=ports.wake,
            metrics=ports.metrics,
        ),
        status_lists=status_lists,
        keys=keys,
        key_import=KeyImport(
            ports.key_challenges,
            keys,
            ports.catalogue,
            ports.clock,
            options.key_challenge_lifetime,
        ),
        projections=ProjectionHandlers(ports.catalogue, keys, status_lists, stacking),
        api_keys=ApiKeyHandlers(ports.api_keys, ports.catalogue, ports.clock),
        queries=CredentialQueries(ports.credentials, ports.catalogue, options.urls),
        learner_access=LearnerAccess(
            credentials=ports.credentials,
            requests=ports.access_links,
            links=wallet_links,
            options=options.learner_access,
            salt_key=options.salt_key,
            clock=ports.clock,
            wake=ports.wake,
        ),
        urls=options.urls,
        compromises=CompromiseHandler(keys, ports.keyrings, reissuance, bell),
        reissuance=reissuance,
        job_bell=bell,
        cohort_bell=cohort_bell,
        vc_jose=VcJoseForms(keys, ports.vault, ports.clock),
        clr=ClrIssuance(
            credentials=ports.credentials,
            keys=keys,
            vault=ports.vault,
            signer=ports.signer,
            clock=ports.clock,
        ),
        wallet=Wallet(
            credentials=ports.credentials,
            share_links=ports.share_links,
            catalogue=ports.catalogue,
            clock=ports.clock,
        ),
        ob_api=ObApi(ports.credentials, ports.ob_resources, ports.vault),
        endorsements=EndorsementHandlers(
            store=ports.endorsements,
            catalogue=ports.catalogue,
            keys=keys,
            allocator=allocator,
            lists=status_lists,
            signer=ports.signer,
            vault=ports.vault,
            urls=options.urls,
            clock=ports.clock,
            wake=ports.wake,
        ),
    )
