"""What the notifier's routes depend on: read from ``app.state.api`` (set by the bootstrap)
once per request, and who the caller is."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from microcred_shared.service.http import Problem

from ..domain.subscriptions import Subscriber
from ..service_layer.subscriptions import SubscriptionHandlers


@dataclass(frozen=True)
class NotifierApi:
    """What the HTTP routes use; ``app.state.api`` in a running app."""

    subscriptions: SubscriptionHandlers
    admin_token: str


def notifier_api(request: Request) -> NotifierApi:
    api: NotifierApi = request.app.state.api
    return api


Api = Annotated[NotifierApi, Depends(notifier_api)]


def subscription_handlers(api: Api) -> SubscriptionHandlers:
    return api.subscriptions


Subscriptions = Annotated[SubscriptionHandlers, Depends(subscription_handlers)]

bearer = HTTPBearer(auto_error=False, description="an admin token or a subscriber's API key")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def require_admin(api: Api, credentials: Credentials) -> None:
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(given.encode(), api.admin_token.encode()):
        raise Problem(401, "Unauthorized", "the admin token is missing or wrong")


async def current_subscriber(subscriptions: Subscriptions, credentials: Credentials) -> Subscriber:
    if credentials is None:
        raise Problem(401, "Unauthorized", "send your API key as a bearer token")
    return await subscriptions.authenticate(credentials.credentials)


Owner = Annotated[Subscriber, Depends(current_subscriber)]
