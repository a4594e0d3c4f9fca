"""The learner's chapter, one step: a wallet app is authorised and fetches the learner's
credentials through the issuer's Open Badges 3.0 API (OAuth 2.0, PKCE, the learner's consent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .. import story
from ..mailbox import wallet_links_to
from ..ob_wallet import authorise, bearer, register

if TYPE_CHECKING:
    from ..demo import Demo


async def wallet_app_fetches_credentials(demo: Demo) -> str:
    """Ada signs in from her e-mailed link, allows "Pocket Wallet", which fetches her list."""
    ada = story.LEARNERS[0]
    links = wallet_links_to(demo.ecosystem.log_file("mailsink"), ada.email)
    if not links:
        raise RuntimeError("no wallet link was e-mailed to Ada")
    issuer = demo.url("issuer", "")
    # Her browser: its own cookie jar holds her wallet session.
    async with httpx.AsyncClient(base_url=issuer, timeout=30) as browser:
        (await browser.get(links[-1])).raise_for_status()
        wallet = await register(browser)
        token = await authorise(browser, wallet)
        page = await browser.get(
            "/ims/ob/v3p0/credentials", params={"limit": 2}, headers=bearer(token["access_token"])
        )
        page.raise_for_status()
    total = page.headers["X-Total-Count"]
    return (
        f"Pocket Wallet registered ({issuer}/oauth/register), Ada allowed it on the consent "
        f"page, it fetched {len(page.json()['credential'])} of her {total} credentials "
        f"(discovery: {issuer}/ims/ob/v3p0/discovery)"
    )
