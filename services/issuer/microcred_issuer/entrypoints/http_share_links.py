"""A learner's share links over the API: create one for a credential, list them, withdraw one."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from fastapi import APIRouter, Response

from ..domain.share_links import ShareLink
from ..service_layer.handlers import Handlers
from .deps import IssuerHandlers
from .learner_auth import CurrentLearner
from .schemas_wallet import ShareLinkCreate, ShareLinkPublic
from .wallet_views import shared_url

router = APIRouter(tags=["learners"])


def share_link_public(handlers: Handlers, link: ShareLink) -> ShareLinkPublic:
    return ShareLinkPublic(
        share_id=link.share_id,
        credential_id=link.credential_id,
        url=shared_url(handlers, link.share_id),
        created_at=link.created_at,
        withdrawn_at=link.withdrawn_at,
    )


@router.post("/learners/me/share-links", status_code=201)
async def create_share_link(
    body: ShareLinkCreate, learner_ref: CurrentLearner, handlers: IssuerHandlers, response: Response
) -> ShareLinkPublic:
    """A new link showing one of your credentials (and its verification) to whoever has it."""
    response.headers["Cache-Control"] = "no-store"
    link = await handlers.wallet.share(learner_ref, body.credential_id)
    return share_link_public(handlers, link)


@router.get("/learners/me/share-links")
async def my_share_links(
    learner_ref: CurrentLearner, handlers: IssuerHandlers, response: Response
) -> list[ShareLinkPublic]:
    """Your share links, withdrawn ones included, oldest first."""
    response.headers["Cache-Control"] = "no-store"
    return [
        share_link_public(handlers, link) for link in await handlers.wallet.links_of(learner_ref)
    ]


@router.post("/learners/me/share-links/{share_id}/withdraw")
async def withdraw_share_link(
    share_id: str, learner_ref: CurrentLearner, handlers: IssuerHandlers
) -> ShareLinkPublic:
    """Withdraw a link: from now on it answers 410 Gone."""
    return share_link_public(handlers, await handlers.wallet.withdraw(learner_ref, share_id))
