"""A subscriber's webhook subscriptions: register, read, pause, resume, delete, rotate."""

from fastapi import APIRouter, Response, status

from ..service_layer import commands
from .deps import Owner, Subscriptions
from .schemas import (
    SigningSecretCreated,
    SubscriptionCreate,
    SubscriptionCreated,
    SubscriptionPublic,
)

router = APIRouter(tags=["subscriptions"])


@router.post("/subscriptions", status_code=status.HTTP_201_CREATED)
async def register(
    body: SubscriptionCreate, owner: Owner, handlers: Subscriptions
) -> SubscriptionCreated:
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


@router.get("/subscriptions")
async def list_subscriptions(owner: Owner, handlers: Subscriptions) -> list[SubscriptionPublic]:
    """Your subscriptions."""
    return [SubscriptionPublic.of(s) for s in await handlers.list_own(owner.subscriber_id)]


@router.get("/subscriptions/{subscription_id}")
async def get_subscription(
    subscription_id: str, owner: Owner, handlers: Subscriptions
) -> SubscriptionPublic:
    """One of your subscriptions."""
    own = commands.SubscriptionCommand(owner.subscriber_id, subscription_id)
    return SubscriptionPublic.of(await handlers.get_own(own))


@router.post("/subscriptions/{subscription_id}/pause")
async def pause(subscription_id: str, owner: Owner, handlers: Subscriptions) -> SubscriptionPublic:
    """Stop sending; deliveries are kept and sent on resume."""
    command = commands.PauseSubscription(owner.subscriber_id, subscription_id)
    return SubscriptionPublic.of(await handlers.pause(command))


@router.post("/subscriptions/{subscription_id}/resume")
async def resume(subscription_id: str, owner: Owner, handlers: Subscriptions) -> SubscriptionPublic:
    """Send again, including what was held while paused or disabled."""
    command = commands.ResumeSubscription(owner.subscriber_id, subscription_id)
    return SubscriptionPublic.of(await handlers.resume(command))


@router.delete("/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete(subscription_id: str, owner: Owner, handlers: Subscriptions) -> Response:
    """Delete a subscription; its undelivered webhooks are cancelled."""
    await handlers.delete(commands.DeleteSubscription(owner.subscriber_id, subscription_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/subscriptions/{subscription_id}/secret/rotate")
async def rotate_secret(
    subscription_id: str, owner: Owner, handlers: Subscriptions
) -> SigningSecretCreated:
    """Issue a new signing secret (shown once)."""
    command = commands.RotateSigningSecret(owner.subscriber_id, subscription_id)
    secret = await handlers.rotate_secret(command)
    return SigningSecretCreated(subscription_id=subscription_id, secret=secret)
