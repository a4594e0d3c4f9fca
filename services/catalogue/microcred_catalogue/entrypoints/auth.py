"""Who is calling: the admin, or a provider by its API key."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from microcred_shared.service.http import Problem

from ..domain.providers import Provider
from ..service_layer import errors
from ..service_layer.provider_figures import ADMIN, Viewer
from ..service_layer.providers import ProviderHandlers
from .sessions import DASHBOARD_COOKIE, DashboardSessions

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="the admin token or a provider's API key")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class Caller:
    """The admin (``provider`` None) or one provider."""

    provider: Provider | None

    @property
    def is_admin(self) -> bool:
        return self.provider is None


def caller_dependency(
    providers: ProviderHandlers, admin_token: str
) -> Callable[[Credentials], Awaitable[Caller]]:
    async def caller(credentials: Credentials) -> Caller:
        if credentials is None:
            raise Problem(401, "Unauthorized", "send the admin token or your API key as a bearer")
        given = credentials.credentials
        # Constant-time: a timing difference must not reveal how much of the token matched.
        if hmac.compare_digest(given.encode(), admin_token.encode()):
            return Caller(provider=None)
        return Caller(provider=await providers.authenticate(given))

    return caller


ViewerResolver = Callable[[Request, Credentials], Awaitable[Viewer | None]]


def viewer_resolver(
    providers: ProviderHandlers, admin_token: str, sessions: DashboardSessions
) -> ViewerResolver:
    """Who reads a provider's figures: from a bearer (the admin token or a provider's API key)
    or else a dashboard session cookie; None when neither is genuine."""

    async def viewer(request: Request, credentials: Credentials) -> Viewer | None:
        if credentials is not None:
            return await bearer_viewer(providers, admin_token, credentials.credentials)
        cookie = request.cookies.get(DASHBOARD_COOKIE)
        return await sessions.viewer_of(cookie) if cookie else None

    return viewer


async def bearer_viewer(providers: ProviderHandlers, admin_token: str, given: str) -> Viewer | None:
    if hmac.compare_digest(given.encode(), admin_token.encode()):
        return ADMIN
    try:
        provider = await providers.authenticate(given)
    except errors.Unauthorized:
        return None
    return Viewer(provider.provider_id)


def viewer_dependency(resolve: ViewerResolver) -> Callable[..., Awaitable[Viewer]]:
    """The viewer, or 401 for an API caller that showed nothing genuine."""

    async def required_viewer(request: Request, credentials: Credentials) -> Viewer:
        viewer = await resolve(request, credentials)
        if viewer is None:
            raise Problem(
                401,
                "Unauthorized",
                "send the provider's API key (or the admin token) as a bearer",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return viewer

    return required_viewer


def admin_dependency(admin_token: str) -> Callable[[Credentials], None]:
    def require_admin(credentials: Credentials) -> None:
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise Problem(401, "Unauthorized", "the admin token is missing or wrong")

    return require_admin
