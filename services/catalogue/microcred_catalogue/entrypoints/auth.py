"""Who is calling (the admin, or a provider by its API key), and refusals as problem details."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from microcred_shared.service.http import Problem

from ..domain.providers import Provider
from ..service_layer import errors
from ..service_layer.providers import ProviderHandlers

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="the admin token or a provider's API key")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]

STATUS: list[tuple[type[errors.CommandRefused], int, str]] = [
    (errors.NotFound, 404, "Not found"),
    (errors.Unauthorized, 401, "Unauthorized"),
    (errors.Forbidden, 403, "Forbidden"),
    (errors.Invalid, 422, "Invalid request"),
    (errors.Conflict, 409, "Conflict"),
]


@dataclass(frozen=True)
class Caller:
    """The admin (``provider`` None) or one provider."""

    provider: Provider | None

    @property
    def is_admin(self) -> bool:
        return self.provider is None


@asynccontextmanager
async def as_problems() -> AsyncIterator[None]:
    try:
        yield
    except errors.CommandRefused as refused:
        status, title = next(
            ((s, t) for kind, s, t in STATUS if isinstance(refused, kind)), (400, "Refused")
        )
        extensions: dict[str, Any] = {"code": refused.code}
        if refused.errors:
            extensions["errors"] = refused.errors
        raise Problem(status, title, refused.reason, **extensions) from refused


async def run(action: Awaitable[T]) -> T:
    async with as_problems():
        return await action


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
        return Caller(provider=await run(providers.authenticate(given)))

    return caller


def admin_dependency(admin_token: str) -> Callable[[Credentials], None]:
    def require_admin(credentials: Credentials) -> None:
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise Problem(401, "Unauthorized", "the admin token is missing or wrong")

    return require_admin
