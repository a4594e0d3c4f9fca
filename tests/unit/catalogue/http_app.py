"""The catalogue's HTTP app on the unit tests' fakes, wired as bootstrap wires it to MongoDB."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from microcred_catalogue.entrypoints.deps import CatalogueApi
from microcred_catalogue.entrypoints.http import ROUTERS
from microcred_catalogue.entrypoints.kafka_schemas import KafkaConnectionPublic
from microcred_catalogue.entrypoints.problems import install_problems
from microcred_catalogue.entrypoints.sessions import DashboardSessions
from microcred_catalogue.service_layer.demand import DemandHandlers
from microcred_catalogue.service_layer.kafka_credentials import KafkaCredentialHandlers
from microcred_catalogue.service_layer.provider_figures import ProviderFigures
from microcred_catalogue.service_layer.queries import AchievementQueries
from microcred_shared.i18n import LocaleMiddleware

from tests.unit.catalogue.fakes import FakeDemand, World
from tests.unit.catalogue.kafka_fakes import FakeKafkaCredentials


def catalogue_app(
    world: World, admin_token: str, demand: FakeDemand, *, browse_page_size: int = 20
) -> FastAPI:
    app = FastAPI()
    install_problems(app)
    app.add_middleware(LocaleMiddleware)
    providers = world.provider_handlers
    queries = AchievementQueries(world.achievements, world.projection)
    demand_handlers = DemandHandlers(demand, world.inbox)
    app.state.api = CatalogueApi(
        providers=providers,
        kafka_credentials=KafkaCredentialHandlers(
            FakeKafkaCredentials(), None, world.providers, world.clock
        ),
        courses=world.courses,
        queries=queries,
        pathways=world.pathways,
        demand=demand_handlers,
        figures=ProviderFigures(providers, queries, world.issuance, demand_handlers),
        sessions=DashboardSessions(
            "unit-session-key-0123456789", timedelta(minutes=30), providers, world.clock
        ),
        admin_token=admin_token,
        connection=KafkaConnectionPublic(
            bootstrap_servers="127.0.0.1:9092",
            security_protocol="SASL_PLAINTEXT",
            sasl_mechanism="SCRAM-SHA-512",
        ),
        search_max_page_size=100,
        browse_page_size=browse_page_size,
    )
    for router in ROUTERS:
        app.include_router(router)
    return app
