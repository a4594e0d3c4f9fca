"""Subscriber accounts: the admin creates a university's or partner's account."""

from fastapi import APIRouter, Depends, status

from ..service_layer import commands
from .deps import Subscriptions, require_admin
from .schemas import SubscriberCreate, SubscriberCreated

router = APIRouter(tags=["admin"])


@router.post(
    "/admin/subscribers",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(require_admin)],
)
async def create_subscriber(body: SubscriberCreate, handlers: Subscriptions) -> SubscriberCreated:
    """Create a university or partner account; its API key is shown once."""
    created = await handlers.create_subscriber(
        commands.CreateSubscriber(body.name, body.kind, frozenset(body.provider_ids))
    )
    return SubscriberCreated.of(created.subscriber, created.secret)
