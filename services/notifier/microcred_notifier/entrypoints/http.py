"""The subscriptions API: routes translate requests into commands for the same handlers."""

import hmac
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from microcred_shared.service.http import Problem

from ..domain.deliveries import DeliveryStatus
from ..domain.subscriptions import Subscriber
from ..service_layer import commands
from ..service_layer.subscriptions import SubscriptionHandlers
from .schemas import (
    DeliveryPublic,
    SecretRotated,
    SubscriberCreate,
    SubscriberCreated,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
)

T = TypeVar("T")

bearer = HTTPBearer(auto_error=False, description="an admin token or a subscriber's API key")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def build_router(handlers: SubscriptionHandlers, admin_token: str) -> APIRouter:
    router = APIRouter()

    def require_admin(credentials: Credentials) -> None:
        given = credentials.credentials if credentials else ""
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise Problem(401, "Unauthorized", "the admin token is missing or wrong")

    async def current_subscriber(credentials: Credentials) -> Subscriber:
        if credentials is None:
            raise Problem(401, "Unauthorized", "send your API key as a bearer token")
        return await handlers.authenticate(credentials.credentials)

    Owner = Annotated[Subscriber, Depends(current_subscriber)]

    @router.post(
        "/admin/subscribers",
        status_code=status.HTTP_201_CREATED,
        tags=["admin"],
        dependencies=[Depends(require_admin)],
    )
    async def create_subscriber(body: SubscriberCreate) -> SubscriberCreated:
        """Create a university or partner account; its API key is shown once."""
        created = await handlers.create_subscriber(
            commands.CreateSubscriber(body.name, body.kind, frozenset(body.provider_ids))
        )
        return SubscriberCreated.of(created.subscriber, created.secret)

    @router.post("/subscriptions", status_code=status.HTTP_201_CREATED, tags=["subscriptions"])
    async def register(body: SubscriptionCreate, owner: Owner) -> SubscriptionCreated:
        """Register a webhook endpoint; its signing secret is shown once."""
        created = await handlers.register(
            commands.RegisterSubscription(
                subscriber_id=owner.subscriber_id,
                url=body.url,
                event_types=frozenset(body.event_types),
                filters=body.filters.to_domain(),
                description=body.description,
            )
        )
        public = SubscriptionPublic.of(created.subscription)
        return SubscriptionCreated(**public.model_dump(), secret=created.secret)

    @router.get("/subscriptions", tags=["subscriptions"])
    async def list_subscriptions(owner: Owner) -> list[SubscriptionPublic]:
        """Your subscriptions."""
        return [SubscriptionPublic.of(s) for s in await handlers.list_own(owner.subscriber_id)]

    @router.get("/subscriptions/{subscription_id}", tags=["subscriptions"])
    async def get_subscription(subscription_id: str, owner: Owner) -> SubscriptionPublic:
        """One of your subscriptions."""
        own = commands.SubscriptionCommand(owner.subscriber_id, subscription_id)
        return SubscriptionPublic.of(await handlers.get_own(own))

    @router.post("/subscriptions/{subscription_id}/pause", tags=["subscriptions"])
    async def pause(subscription_id: str, owner: Owner) -> SubscriptionPublic:
        """Stop sending; deliveries are kept and sent on resume."""
        paused = await handlers.pause(
            commands.PauseSubscription(owner.subscriber_id, subscription_id)
        )
        return SubscriptionPublic.of(paused)

    @router.post("/subscriptions/{subscription_id}/resume", tags=["subscriptions"])
    async def resume(subscription_id: str, owner: Owner) -> SubscriptionPublic:
        """Send again, including what was held while paused or disabled."""
        resumed = await handlers.resume(
            commands.ResumeSubscription(owner.subscriber_id, subscription_id)
        )
        return SubscriptionPublic.of(resumed)

    @router.delete(
        "/subscriptions/{subscription_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        tags=["subscriptions"],
    )
    async def delete(subscription_id: str, owner: Owner) -> Response:
        """Delete a subscription; its undelivered webhooks are cancelled."""
        await handlers.delete(commands.DeleteSubscription(owner.subscriber_id, subscription_id))
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/subscriptions/{subscription_id}/secret/rotate", tags=["subscriptions"])
    async def rotate_secret(subscription_id: str, owner: Owner) -> SecretRotated:
        """Issue a new signing secret (shown once)."""
        secret = await handlers.rotate_secret(
            commands.RotateSigningSecret(owner.subscriber_id, subscription_id)
        )
        return SecretRotated(subscription_id=subscription_id, secret=secret)

    @router.get("/subscriptions/{subscription_id}/deliveries", tags=["deliveries"])
    async def deliveries(
        subscription_id: str,
        owner: Owner,
        status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[DeliveryPublic]:
        """The delivery log, newest first: each attempt's status code, latency and error."""
        own = commands.SubscriptionCommand(owner.subscriber_id, subscription_id)
        found = await handlers.deliveries_of(own, status_filter, limit)
        return [DeliveryPublic.of(d) for d in found]

    @router.post(
        "/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
        tags=["deliveries"],
    )
    async def redeliver(subscription_id: str, delivery_id: str, owner: Owner) -> DeliveryPublic:
        """Send a delivery again now (same webhook-id), e.g. one in the dead-letter state."""
        again = await handlers.redeliver(
            commands.Redeliver(owner.subscriber_id, subscription_id, delivery_id)
        )
        return DeliveryPublic.of(again)

    return router
