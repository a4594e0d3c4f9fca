"""A subscription's delivery log, and sending one delivery again."""

from typing import Annotated

from fastapi import APIRouter, Query

from ..domain.deliveries import DeliveryStatus
from ..service_layer import commands
from .deps import Owner, Subscriptions
from .schemas import DeliveryPublic

router = APIRouter(tags=["deliveries"])


@router.get("/subscriptions/{subscription_id}/deliveries")
async def deliveries(
    subscription_id: str,
    owner: Owner,
    handlers: Subscriptions,
    status_filter: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryPublic]:
    """The delivery log, newest first: each attempt's status code, latency and error."""
    own = commands.SubscriptionCommand(owner.subscriber_id, subscription_id)
    found = await handlers.deliveries_of(own, status_filter, limit)
    return [DeliveryPublic.of(d) for d in found]


@router.post("/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver")
async def redeliver(
    subscription_id: str, delivery_id: str, owner: Owner, handlers: Subscriptions
) -> DeliveryPublic:
    """Send a delivery again now (same webhook-id), e.g. one in the dead-letter state."""
    command = commands.Redeliver(owner.subscriber_id, subscription_id, delivery_id)
    return DeliveryPublic.of(await handlers.redeliver(command))
