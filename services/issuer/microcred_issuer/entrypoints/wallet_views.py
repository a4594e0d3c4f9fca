"""What the wallet page shows beside each credential, and the address of a share link."""

from __future__ import annotations

from typing import Any

from ..domain.records import IssuedCredential
from ..domain.share_links import ShareLink
from ..service_layer.handlers import Handlers


def shared_url(handlers: Handlers, share_id: str) -> str:
    return f"{handlers.urls.pages_url}/shared/{share_id}"


def link_view(handlers: Handlers, link: ShareLink) -> dict[str, Any]:
    return {
        "share_id": link.share_id,
        "url": shared_url(handlers, link.share_id),
        "created_at": link.created_at,  # the page writes it in its language
    }


async def wallet_extras(
    handlers: Handlers, learner_ref: str, credentials: list[IssuedCredential]
) -> dict[str, Any]:
    """What the wallet page shows beside each credential: its pathways, its active share links."""
    progress = await handlers.wallet.progress(credentials)
    links: dict[str, list[dict[str, Any]]] = {c.credential_id: [] for c in credentials}
    for link in await handlers.wallet.links_of(learner_ref):
        if link.active and link.credential_id in links:
            links[link.credential_id].append(link_view(handlers, link))
    return {"progress": progress, "links": links}
