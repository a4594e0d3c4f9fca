"""The composition root: settings in, a FastAPI app with its Kafka consumers out."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from microcred_shared.api_keys import ApiKeyRegistry, MongoApiKeyStore
from microcred_shared.i18n import LocaleMiddleware
from microcred_shared.logging import configure_logging
from microcred_shared.messaging.access import KafkaAccess
from microcred_shared.service.http import (
    install_operational_routes,
    runtime_lifespan,
)
from microcred_shared.service.runtime import Runtime, build_runtime
from opentelemetry.trace import TracerProvider

from .adapters import (
    mongo_achievements,
    mongo_demand,
    mongo_issuance,
    mongo_kafka_credentials,
    mongo_pathways,
    mongo_providers,
)
from .adapters.kafka_registrar import BrokerRegistrar
from .adapters.memory_endorsements import MemoryEndorsements
from .adapters.memory_search import MemorySearchIndex
from .adapters.mongo_achievements import MongoAchievements
from .adapters.mongo_demand import MongoDemand
from .adapters.mongo_issuance import MongoIssuance
from .adapters.mongo_kafka_credentials import MongoKafkaCredentials
from .adapters.mongo_pathways import MongoPathways
from .adapters.mongo_providers import MongoProviders
from .config import CatalogueSettings
from .domain.providers import API_KEY_PREFIX
from .entrypoints.consumers import register_consumers
from .entrypoints.deps import CatalogueApi
from .entrypoints.http import ROUTERS
from .entrypoints.kafka_schemas import KafkaConnectionPublic
from .entrypoints.problems import install_problems
from .entrypoints.sessions import DashboardSessions
from .service_layer.courses import CourseIngestion
from .service_layer.demand import DemandHandlers
from .service_layer.issuance import IssuanceHandlers
from .service_layer.kafka_credentials import KafkaCredentialHandlers
from .service_layer.pathways import PathwayHandlers
from .service_layer.provider_figures import ProviderFigures
from .service_layer.providers import ProviderHandlers
from .service_layer.queries import AchievementQueries


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Catalogue:
    """Everything one catalogue process holds; ``app.state.catalogue`` in a running app."""

    settings: CatalogueSettings
    runtime: Runtime
    providers: ProviderHandlers
    courses: CourseIngestion
    pathways: PathwayHandlers
    demand: DemandHandlers
    issuance: IssuanceHandlers
    queries: AchievementQueries
    figures: ProviderFigures
    projection: MemorySearchIndex
    kafka_credentials: KafkaCredentialHandlers
    endorsements: MemoryEndorsements
    # Run once the runtime has started: migrations of what earlier versions stored.
    migrations: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)

    async def migrate(self) -> None:
        for migration in self.migrations:
            await migration()


def build_registrar(settings: CatalogueSettings) -> BrokerRegistrar | None:
    """The registrar on the broker, when this catalogue was given its credential."""
    if not (settings.kafka_registrar_username and settings.kafka_registrar_password):
        return None
    connection = settings.kafka.as_principal(
        settings.kafka_registrar_username, settings.kafka_registrar_password.get_secret_value()
    )
    return BrokerRegistrar(
        KafkaAccess(connection),
        settings.topics,
        partitions=settings.kafka_provider_partitions,
        layout=settings.topic_layout,
    )


def kafka_connection_info(settings: CatalogueSettings) -> KafkaConnectionPublic:
    return KafkaConnectionPublic(
        bootstrap_servers=settings.kafka_public_bootstrap_servers
        or settings.kafka_bootstrap_servers,
        security_protocol=settings.kafka_security_protocol.value,
        sasl_mechanism=settings.kafka_sasl_mechanism.value,
    )


def build_catalogue(
    settings: CatalogueSettings, *, tracer_provider: TracerProvider | None = None
) -> Catalogue:
    runtime = build_runtime(
        settings,
        indexes=[
            *mongo_providers.INDEXES,
            *mongo_achievements.INDEXES,
            *mongo_pathways.INDEXES,
            *mongo_demand.INDEXES,
            *mongo_issuance.INDEXES,
            *mongo_kafka_credentials.INDEXES,
        ],
        outbox_collections=[
            mongo_providers.COLLECTION,
            mongo_achievements.COLLECTION,
            mongo_pathways.COLLECTION,
        ],
        tracer_provider=tracer_provider,
    )
    database = runtime.database
    providers, achievements = MongoProviders(database), MongoAchievements(database)
    api_keys = MongoApiKeyStore(database[mongo_providers.API_KEYS])
    projection = MemorySearchIndex()
    provider_handlers = ProviderHandlers(
        providers,
        utc_now,
        runtime.wake_relay,
        ApiKeyRegistry(api_keys, API_KEY_PREFIX, utc_now),
    )
    queries = AchievementQueries(achievements, projection)
    demand = DemandHandlers(MongoDemand(database), runtime.inbox("demand"))
    issuance = IssuanceHandlers(MongoIssuance(database))
    catalogue = Catalogue(
        settings=settings,
        runtime=runtime,
        providers=provider_handlers,
        migrations=[lambda: providers.move_legacy_api_keys(api_keys)],
        courses=CourseIngestion(providers, achievements, projection, utc_now, runtime.wake_relay),
        pathways=PathwayHandlers(
            MongoPathways(database), achievements, utc_now, runtime.wake_relay
        ),
        demand=demand,
        issuance=issuance,
        queries=queries,
        figures=ProviderFigures(provider_handlers, queries, issuance, demand),
        projection=projection,
        kafka_credentials=KafkaCredentialHandlers(
            MongoKafkaCredentials(database), build_registrar(settings), providers, utc_now
        ),
        endorsements=MemoryEndorsements(),
    )
    register_consumers(
        runtime,
        catalogue.courses,
        catalogue.demand,
        catalogue.issuance,
        projection,
        replica_id=uuid.uuid4().hex[:12],
        endorsements=catalogue.endorsements,
    )
    return catalogue


def create_app(
    settings: CatalogueSettings, *, tracer_provider: TracerProvider | None = None
) -> FastAPI:
    catalogue = build_catalogue(settings, tracer_provider=tracer_provider)
    app = FastAPI(
        title="microcred catalogue",
        summary="Providers, micro-credential definitions with the EU standard elements, pathways",
        version="1.0.0",
        lifespan=runtime_lifespan(catalogue.runtime, on_start=catalogue.migrate),
    )
    app.state.catalogue = catalogue
    app.state.api = CatalogueApi(
        providers=catalogue.providers,
        kafka_credentials=catalogue.kafka_credentials,
        courses=catalogue.courses,
        queries=catalogue.queries,
        pathways=catalogue.pathways,
        demand=catalogue.demand,
        figures=catalogue.figures,
        sessions=DashboardSessions(
            settings.session_key.get_secret_value(),
            timedelta(minutes=settings.session_minutes),
            catalogue.providers,
            utc_now,
        ),
        admin_token=settings.admin_token.get_secret_value(),
        connection=kafka_connection_info(settings),
        search_max_page_size=settings.search_max_page_size,
        endorsements=catalogue.endorsements,
    )
    install_problems(app)
    app.add_middleware(LocaleMiddleware)  # the pages' language, for every router
    install_operational_routes(app, catalogue.runtime)
    for router in ROUTERS:
        app.include_router(router)
    return app


def configure(settings: CatalogueSettings) -> None:
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)
