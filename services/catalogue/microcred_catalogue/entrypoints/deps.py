"""What the catalogue's routes depend on: read from ``app.state.api`` (set by the bootstrap)
once per request, and who the caller is (the admin, or a provider by its API key or its
dashboard session)."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

import hmac
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from microcred_shared.service.http import Problem

from ..adapters.memory_endorsements import MemoryEndorsements
from ..domain.providers import Provider
from ..service_layer import errors
from ..service_layer.courses import CourseIngestion
from ..service_layer.demand import DemandHandlers
from ..service_layer.kafka_credentials import KafkaCredentialHandlers
from ..service_layer.pathways import PathwayHandlers
from ..service_layer.provider_figures import ADMIN, ProviderFigures, Viewer
from ..service_layer.providers import ProviderHandlers
from ..service_layer.queries import AchievementQueries
from .kafka_schemas import KafkaConnectionPublic
from .sessions import DASHBOARD_COOKIE, DashboardSessions


@dataclass(frozen=True)
class CatalogueApi:
    """What the HTTP routes and pages use; ``app.state.api`` in a running app."""

    providers: ProviderHandlers
    kafka_credentials: KafkaCredentialHandlers
    courses: CourseIngestion
    queries: AchievementQueries
    pathways: PathwayHandlers
    demand: DemandHandlers
    figures: ProviderFigures
    sessions: DashboardSessions
    admin_token: str
    connection: KafkaConnectionPublic  # what providers' Kafka clients are told to connect to
    search_max_page_size: int
    browse_page_size: int = 20
    endorsements: MemoryEndorsements = field(default_factory=MemoryEndorsements)


def catalogue_api(request: Request) -> CatalogueApi:
    api: CatalogueApi = request.app.state.api
    return api


Api = Annotated[CatalogueApi, Depends(catalogue_api)]

bearer = HTTPBearer(auto_error=False, description="the admin token or a provider's API key")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def is_admin(api: CatalogueApi, token: str) -> bool:
    # Constant-time: a timing difference must not reveal how much of the token matched.
    return hmac.compare_digest(token.encode(), api.admin_token.encode())


def require_admin(api: Api, credentials: Credentials) -> None:
    if not is_admin(api, credentials.credentials if credentials else ""):
        raise Problem(401, "Unauthorized", "the admin token is missing or wrong")


@dataclass(frozen=True)
class Caller:
    """The admin (``provider`` None) or one provider."""

    provider: Provider | None

    @property
    def is_admin(self) -> bool:
        return self.provider is None


async def caller(api: Api, credentials: Credentials) -> Caller:
    if credentials is None:
        raise Problem(401, "Unauthorized", "send the admin token or your API key as a bearer")
    given = credentials.credentials
    if is_admin(api, given):
        return Caller(provider=None)
    return Caller(provider=await api.providers.authenticate(given))


CallerDep = Annotated[Caller, Depends(caller)]


async def bearer_viewer(api: CatalogueApi, given: str) -> Viewer | None:
    """Who a bearer (the admin token or a provider's API key) names; None when not genuine."""
    if is_admin(api, given):
        return ADMIN
    try:
        provider = await api.providers.authenticate(given)
    except errors.Unauthorized:
        return None
    return Viewer(provider.provider_id)


async def viewer_of(request: Request, api: Api, credentials: Credentials) -> Viewer | None:
    """Who reads a provider's figures: from a bearer, or else a dashboard session cookie; None
    when neither is genuine."""
    if credentials is not None:
        return await bearer_viewer(api, credentials.credentials)
    cookie = request.cookies.get(DASHBOARD_COOKIE)
    return await api.sessions.viewer_of(cookie) if cookie else None


MaybeViewer = Annotated[Viewer | None, Depends(viewer_of)]


async def required_viewer(viewer: MaybeViewer) -> Viewer:
    """The viewer, or 401 for an API caller that showed nothing genuine."""
    if viewer is None:
        raise Problem(
            401,
            "Unauthorized",
            "send the provider's API key (or the admin token) as a bearer",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return viewer


ViewerDep = Annotated[Viewer, Depends(required_viewer)]
