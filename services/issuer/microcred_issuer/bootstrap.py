"""The composition root: settings in, a FastAPI app with its consumers and relay out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from microcred_shared.api_keys import MongoApiKeyStore
from microcred_shared.i18n import LocaleMiddleware
from microcred_shared.logging import configure_logging
from microcred_shared.service.http import (
    install_operational_routes,
    runtime_lifespan,
)
from microcred_shared.service.runtime import Runtime, build_runtime
from opentelemetry.trace import TracerProvider

from .adapters import (
    mongo_catalogue,
    mongo_credentials,
    mongo_keys,
    mongo_learner_access,
    mongo_oauth,
    mongo_ob_resources,
    mongo_status_lists,
)
from .adapters.crypto import DataIntegritySigner, SealedKeyVault, SystemClock
from .adapters.metrics import PrometheusMetrics
from .adapters.migrations import Migrations
from .adapters.mongo_catalogue import MongoCatalogueView
from .adapters.mongo_cohort_jobs import MongoCohortJobs
from .adapters.mongo_credentials import MongoCredentials, MongoStatusSlots
from .adapters.mongo_endorsements import ENDORSEMENTS, MongoEndorsements
from .adapters.mongo_key_challenges import MongoKeyChallenges
from .adapters.mongo_keys import API_KEYS, MongoKeyrings
from .adapters.mongo_learner_access import MongoAccessLinkRequests
from .adapters.mongo_oauth import MongoOAuthStore
from .adapters.mongo_ob_resources import MongoObResources
from .adapters.mongo_reissue import MongoReissueJobs
from .adapters.mongo_share_links import MongoShareLinks
from .adapters.mongo_status_lists import MongoStatusListSnapshots
from .config import IssuerSettings
from .entrypoints.access_log import redact_link_tokens_in_access_log
from .entrypoints.cohort_worker import cohort_worker
from .entrypoints.consumers import register_consumers
from .entrypoints.deps import IssuerApi
from .entrypoints.http import ROUTERS
from .entrypoints.oauth_http import StarletteAuthorizationServer
from .entrypoints.problems import install_problems
from .entrypoints.reissue_worker import reissue_worker
from .service_layer.handlers import Handlers, Options, Ports, build_handlers
from .service_layer.learner_access import LearnerAccessOptions
from .service_layer.oauth import OAuthOptions
from .service_layer.urls import IssuerUrls

# Status lists first: a relay round publishes a new list's snapshot before the credentials
# stored after it (the issuer also waits for it before claiming a slot in a new list).
OUTBOX_COLLECTIONS = (
    mongo_status_lists.STATUS_LISTS,
    mongo_credentials.CREDENTIALS,
    mongo_keys.KEYRINGS,
    mongo_learner_access.ACCESS_LINKS,
    ENDORSEMENTS,
)
LISTS_ANNOUNCED = "status_lists_announced.v1"


@dataclass
class Issuer:
    """Everything one issuer process holds; ``app.state.issuer`` in a running app."""

    settings: IssuerSettings
    runtime: Runtime
    handlers: Handlers
    oauth_server: StarletteAuthorizationServer
    # Run once the runtime has started: migrations of what earlier versions stored.
    on_start: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    on_stop: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    async def start_tasks(self) -> None:
        for task in self.on_start:
            await task()

    async def stop_tasks(self) -> None:
        for task in self.on_stop:
            await task()


def build_issuer(
    settings: IssuerSettings,
    *,
    tracer_provider: TracerProvider | None = None,
    ports: Ports | None = None,
) -> Issuer:
    """``ports`` replaces the real adapters (tests hand in fakes)."""
    runtime = build_runtime(
        settings,
        indexes=[
            *mongo_catalogue.INDEXES,
            *mongo_credentials.INDEXES,
            *mongo_keys.INDEXES,
            *mongo_oauth.INDEXES,
            *mongo_ob_resources.INDEXES,
        ],
        outbox_collections=OUTBOX_COLLECTIONS,
        tracer_provider=tracer_provider,
    )
    on_start: list[Callable[[], Awaitable[Any]]] = []
    real_ports = ports is None
    if ports is None:
        credentials = MongoCredentials(runtime.database)
        ports = _real_ports(settings, runtime, credentials)
        on_start.extend([credentials.index_learners, credentials.index_status_bits])
    options = Options(
        urls=IssuerUrls(settings.base_url, settings.pages_url),
        salt_key=settings.learner_salt_key.get_secret_value().encode(),
        credential_id_key=settings.credential_id_key.get_secret_value().encode(),
        learner_access=learner_access_options(settings),
        list_size=settings.status_list_size,
        validity_days=settings.credential_validity_days,
        suspension_entry=settings.suspension_status_entry,
        completion_batch_size=settings.completion_batch_size,
        cohort_max_rows=settings.cohort_max_rows,
        key_challenge_lifetime=timedelta(seconds=settings.key_challenge_seconds),
    )
    handlers = build_handlers(ports, options)
    if real_ports:
        on_start.append(lambda: _announce_earlier_lists(runtime, handlers))
        # Announced before the first CLR, so verifiers hold the ecosystem's keys already.
        on_start.append(handlers.clr.platform_keyring)
    register_consumers(runtime, handlers, max_batch=settings.completion_batch_size)
    worker = reissue_worker(
        handlers.compromises,
        handlers.reissuance,
        handlers.job_bell,
        poll_seconds=settings.reissue_poll_seconds,
    )
    cohorts = cohort_worker(handlers.cohorts, handlers.cohort_bell)
    on_start.extend([worker.start, cohorts.start])
    return Issuer(
        settings=settings,
        runtime=runtime,
        handlers=handlers,
        oauth_server=StarletteAuthorizationServer(
            ports.oauth, ports.clock, oauth_options(settings)
        ),
        on_start=on_start,
        on_stop=[worker.stop, cohorts.stop],
    )


async def _announce_earlier_lists(runtime: Runtime, handlers: Handlers) -> None:
    """Publish the lists whose slots were claimed before lists were published as snapshots
    (once per database: it scans the slots)."""
    migrations = Migrations(runtime.database)
    if await migrations.done(LISTS_ANNOUNCED):
        return
    shards = await MongoStatusSlots(runtime.database).shards()
    await handlers.status_lists.announce_shards(shards)
    await migrations.mark_done(LISTS_ANNOUNCED)


def learner_access_options(settings: IssuerSettings) -> LearnerAccessOptions:
    return LearnerAccessOptions(
        key=settings.learner_access_key.get_secret_value(),
        link_lifetime=timedelta(minutes=settings.learner_link_minutes),
        notice_link_lifetime=timedelta(days=settings.learner_notice_link_days),
        session_lifetime=timedelta(minutes=settings.learner_session_minutes),
        link_interval=timedelta(seconds=settings.learner_link_interval_seconds),
    )


def oauth_options(settings: IssuerSettings) -> OAuthOptions:
    return OAuthOptions(
        code_lifetime=timedelta(seconds=settings.oauth_code_seconds),
        access_lifetime=timedelta(minutes=settings.oauth_access_token_minutes),
        refresh_lifetime=timedelta(days=settings.oauth_refresh_token_days),
    )


def _real_ports(settings: IssuerSettings, runtime: Runtime, credentials: MongoCredentials) -> Ports:
    database = runtime.database
    return Ports(
        catalogue=MongoCatalogueView(database),
        keyrings=MongoKeyrings(database),
        key_challenges=MongoKeyChallenges(database),
        credentials=credentials,
        slots=MongoStatusSlots(database),
        status_lists=MongoStatusListSnapshots(database),
        api_keys=MongoApiKeyStore(database[API_KEYS]),
        reissue_jobs=MongoReissueJobs(database),
        access_links=MongoAccessLinkRequests(database),
        cohort_jobs=MongoCohortJobs(database),
        vault=SealedKeyVault(settings.key_encryption_key.get_secret_value()),
        signer=DataIntegritySigner(settings.proof_suite),
        clock=SystemClock(),
        wake=runtime.wake_relay,
        share_links=MongoShareLinks(database),
        oauth=MongoOAuthStore(database),
        ob_resources=MongoObResources(database),
        endorsements=MongoEndorsements(database),
        metrics=PrometheusMetrics(runtime.metrics),
    )


def create_app(
    settings: IssuerSettings,
    *,
    tracer_provider: TracerProvider | None = None,
    ports: Ports | None = None,
) -> FastAPI:
    issuer = build_issuer(settings, tracer_provider=tracer_provider, ports=ports)
    app = FastAPI(
        title="microcred issuer",
        summary="Signed Open Badges 3.0 micro-credentials: keys, revocation, stacking",
        version="1.0.0",
        lifespan=runtime_lifespan(
            issuer.runtime, on_start=issuer.start_tasks, on_stop=issuer.stop_tasks
        ),
    )
    app.state.issuer = issuer
    app.state.oauth_server = issuer.oauth_server
    app.state.api = IssuerApi(
        issuer.handlers,
        admin_token=settings.admin_token.get_secret_value(),
        verifier_url=settings.verifier_url,
        status_list_max_age=settings.status_list_max_age_seconds,
    )
    install_problems(app)
    app.add_middleware(LocaleMiddleware)  # the pages' language, for every router
    install_operational_routes(app, issuer.runtime)
    for router in ROUTERS:
        app.include_router(router)
    return app


def configure(settings: IssuerSettings) -> None:
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
    redact_link_tokens_in_access_log()
