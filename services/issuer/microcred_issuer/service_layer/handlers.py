"""Every handler of one issuer, wired once (the bootstrap builds it from adapters or fakes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .api_keys import ApiKeyHandlers
from .issuing import CompletionHandler
from .keys import KeyHandlers
from .learner_access import LearnerAccess, LearnerAccessOptions, WalletLinks
from .ports import (
    AccessLinkRequests,
    ApiKeys,
    CatalogueView,
    Clock,
    Credentials,
    IssuanceMetrics,
    Keyrings,
    KeyVault,
    NoMetrics,
    Signer,
    StatusListCache,
    StatusSlots,
    Wake,
)
from .projections import ProjectionHandlers
from .publishing import Publishing
from .queries import CredentialQueries
from .stacking import Stacking
from .status import StatusHandlers
from .urls import IssuerUrls


@dataclass(frozen=True)
class Ports:
    catalogue: CatalogueView
    keyrings: Keyrings
    credentials: Credentials
    slots: StatusSlots
    status_lists: StatusListCache
    api_keys: ApiKeys
    access_links: AccessLinkRequests
    vault: KeyVault
    signer: Signer
    clock: Clock
    wake: Wake
    metrics: IssuanceMetrics = field(default_factory=NoMetrics)


@dataclass(frozen=True)
class Options:
    urls: IssuerUrls
    salt_key: bytes
    learner_access: LearnerAccessOptions
    list_size: int = 131_072
    validity_days: int | None = None
    suspension_entry: bool = False


@dataclass(frozen=True)
class Handlers:
    completions: CompletionHandler
    stacking: Stacking
    status: StatusHandlers
    keys: KeyHandlers
    projections: ProjectionHandlers
    api_keys: ApiKeyHandlers
    queries: CredentialQueries
    learner_access: LearnerAccess
    urls: IssuerUrls


def build_handlers(ports: Ports, options: Options) -> Handlers:
    keys = KeyHandlers(
        ports.keyrings, ports.catalogue, ports.vault, options.urls, ports.clock, ports.wake
    )
    wallet_links = WalletLinks(options.learner_access, options.urls)
    publishing = Publishing(
        catalogue=ports.catalogue,
        credentials=ports.credentials,
        slots=ports.slots,
        keys=keys,
        vault=ports.vault,
        signer=ports.signer,
        urls=options.urls,
        wallet_links=wallet_links,
        clock=ports.clock,
        wake=ports.wake,
        metrics=ports.metrics,
        list_size=options.list_size,
        validity_days=options.validity_days,
        suspension_entry=options.suspension_entry,
    )
    stacking = Stacking(publishing)
    return Handlers(
        completions=CompletionHandler(publishing, stacking, options.salt_key),
        stacking=stacking,
        status=StatusHandlers(publishing, ports.status_lists, options.list_size),
        keys=keys,
        projections=ProjectionHandlers(ports.catalogue, keys, stacking),
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
    )
