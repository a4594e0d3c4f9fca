"""What the issuer's routes depend on: read from ``app.state.api`` (set by the bootstrap) once
per request, and who the caller is (a provider by its API key, or the admin)."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from microcred_shared.service.http import Problem

from ..service_layer.handlers import Handlers
from .translate import bearer


@dataclass(frozen=True)
class IssuerApi:
    """What the HTTP routes and pages use; ``app.state.api`` in a running app."""

    handlers: Handlers
    admin_token: str
    verifier_url: str  # where a credential page's verify link points
    status_list_max_age: int  # seconds a served status list may be cached


def issuer_api(request: Request) -> IssuerApi:
    api: IssuerApi = request.app.state.api
    return api


Api = Annotated[IssuerApi, Depends(issuer_api)]


def issuer_handlers(api: Api) -> Handlers:
    return api.handlers


IssuerHandlers = Annotated[Handlers, Depends(issuer_handlers)]


async def provider_of_key(
    handlers: IssuerHandlers,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> str:
    key = x_api_key or bearer(authorization)
    provider_id = await handlers.api_keys.provider_of(key) if key else None
    if provider_id is None:
        raise Problem(401, "Unauthorized", "a provider API key is required")
    return provider_id


ProviderId = Annotated[str, Depends(provider_of_key)]


def is_admin(api: IssuerApi, token: str) -> bool:
    # Constant-time: a timing difference must not reveal how much of the token matched.
    return hmac.compare_digest(token.encode(), api.admin_token.encode())


async def require_admin(api: Api, authorization: Annotated[str | None, Header()] = None) -> None:
    if not is_admin(api, bearer(authorization) or ""):
        raise Problem(401, "Unauthorized", "the admin token is required")


async def provider_or_admin(
    provider_id: str,
    api: Api,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> None:
    """The provider named in the path, by one of its active API keys, or the admin."""
    token = x_api_key or bearer(authorization)
    if not token:
        raise Problem(401, "Unauthorized", "a provider API key or the admin token is required")
    if is_admin(api, token):
        return
    caller = await api.handlers.api_keys.provider_of(token)
    if caller is None:
        raise Problem(401, "Unauthorized", "the API key is unknown or revoked")
    if caller != provider_id:
        raise Problem(403, "Forbidden", "a provider manages its own keys only")
