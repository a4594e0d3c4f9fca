"""The verifier's composition root: ``create_app(settings)``."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import cast

from fastapi import FastAPI
from microcred_shared.crypto import default_loader
from microcred_shared.i18n import LocaleMiddleware
from microcred_shared.logging import configure_logging
from microcred_shared.service.http import (
    install_operational_routes,
    runtime_lifespan,
)
from microcred_shared.service.runtime import build_runtime
from opentelemetry.trace import TracerProvider
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from .adapters.events import BatchedVerificationEvents, kafka_batch_sender
from .adapters.fetcher import SafeFetcher
from .adapters.held_projections import HeldProjections
from .adapters.mongo_challenges import MongoPresentationChallenges
from .adapters.mongo_projections import INDEXES, MongoProjections
from .adapters.status_lists import MongoStatusLists
from .config import VerifierSettings
from .entrypoints.consumers import subscribe_projections
from .entrypoints.deps import VerifierApi
from .entrypoints.http import ROUTERS
from .entrypoints.problems import install_problems
from .entrypoints.protection import ProtectionMiddleware, TokenBuckets
from .service_layer.gather import KnowledgeGatherer
from .service_layer.issuer_keys import DidWebDocuments
from .service_layer.ports import Fetcher, Projections, StatusLists
from .service_layer.presentations import PresentationChallenges, PresentationHandlers
from .service_layer.projection_handlers import ProjectionHandlers
from .service_layer.status_gather import StatusGatherer
from .service_layer.verify import VerifyHandler


@dataclass
class Adapters:
    """The outside world, replaceable in tests."""

    projections: Projections | None = None
    status_lists: StatusLists | None = None
    fetcher: Fetcher | None = None
    challenges: PresentationChallenges | None = None


def configure(settings: VerifierSettings) -> None:
    configure_logging(settings.service_name, level=settings.log_level, json=settings.log_json)


def create_app(
    settings: VerifierSettings,
    *,
    tracer_provider: TracerProvider | None = None,
    adapters: Adapters | None = None,
) -> FastAPI:
    adapters = adapters or Adapters()
    runtime = build_runtime(settings, indexes=INDEXES, tracer_provider=tracer_provider)
    # Held in memory and restored from the database at start, unless a test brings its own.
    held = None if adapters.projections else HeldProjections(MongoProjections(runtime.database))
    projections: Projections = adapters.projections or cast(HeldProjections, held)
    status_lists = adapters.status_lists or MongoStatusLists(runtime.database)
    fetcher = adapters.fetcher or (
        SafeFetcher(
            allow_private=settings.allow_private_urls,
            timeout_seconds=settings.fetch_timeout_seconds,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
        )
        if settings.fetch_enabled
        else None
    )
    loader = default_loader()
    events = (
        BatchedVerificationEvents(
            runtime.source, kafka_batch_sender(runtime.broker, runtime.topics)
        )
        if settings.publish_events
        else None
    )
    status = StatusGatherer(status_lists, projections, fetcher, settings.max_json_depth)
    handler = VerifyHandler(
        KnowledgeGatherer(
            projections, status, loader, DidWebDocuments(fetcher, settings.max_json_depth)
        ),
        fetcher,
        events,
        max_depth=settings.max_json_depth,
    )
    subscribe_projections(
        runtime, ProjectionHandlers(projections, status_lists), replica_id=uuid.uuid4().hex[:12]
    )
    app = FastAPI(
        title="microcred verifier",
        version="1.0.0",
        description="Verify an Open Badges 3.0 micro-credential: every check, one verdict.",
        lifespan=runtime_lifespan(
            runtime, on_start=_loaded(status_lists, held), on_stop=handler.close
        ),
    )
    app.state.runtime = runtime
    app.state.projections = projections
    app.state.status_lists = status_lists
    presentations = PresentationHandlers(
        adapters.challenges or MongoPresentationChallenges(runtime.database),
        handler,
        domain=settings.challenge_domain,
        lifetime=timedelta(seconds=settings.presentation_challenge_seconds),
        max_depth=settings.max_json_depth,
        loader=loader,
    )
    app.state.api = VerifierApi(
        handler, settings.public_base_url, settings.max_json_depth, presentations
    )
    install_problems(app)
    app.add_middleware(LocaleMiddleware)  # the pages' language, for every router
    install_operational_routes(app, runtime)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(
        ProtectionMiddleware,
        buckets=TokenBuckets(settings.rate_limit_per_minute, settings.rate_limit_burst),
        max_body_bytes=settings.max_body_bytes,
    )
    if settings.trusted_proxies:
        # Added last, so it runs first: the rate limit keys on the client the trusted proxies
        # name (the right-most X-Forwarded-For address that is not itself a trusted proxy).
        app.add_middleware(
            ProxyHeadersMiddleware, trusted_hosts=[str(n) for n in settings.trusted_proxies]
        )
    return app


def _loaded(
    status_lists: StatusLists, projections: HeldProjections | None
) -> Callable[[], Awaitable[None]]:
    """The projections from the database before the first request (the service reports ready
    only after this): the topics are read again from their start by each replica, and a
    verification must not find this ecosystem's issuers, keys or lists missing meanwhile."""

    async def load() -> None:
        await status_lists.load()
        if projections is not None:
            await projections.load()

    return load
