"""Dashboard sessions: a provider's API key (or the admin token), given once on the sign-in
form, becomes a short-lived signed cookie, as on real platforms: the key itself never sits in
the browser.

The cookie is a purpose-bound token (see ``microcred_shared.access_tokens``) naming the admin or
the provider and the fingerprint of the provider's current key, so rotating the key ends every
session it opened. HttpOnly, SameSite=Strict, and Secure whenever served over https.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import Request, Response
from microcred_shared.access_tokens import PurposeTokens

from ..service_layer.errors import NotFound
from ..service_layer.provider_figures import ADMIN, Viewer
from ..service_layer.providers import ProviderHandlers

DASHBOARD_COOKIE = "microcred_dashboard"
PURPOSE = "catalogue-dashboard-session"
ADMIN_SUBJECT = "admin"
PROVIDER_SUBJECT = "provider:"
FINGERPRINT_CHARS = 16


class DashboardSessions:
    def __init__(
        self,
        secret: str,
        lifetime: timedelta,
        providers: ProviderHandlers,
        clock: Callable[[], datetime],
    ) -> None:
        self._tokens = PurposeTokens(secret, PURPOSE, lifetime)
        self._providers = providers
        self._clock = clock

    @property
    def lifetime_seconds(self) -> int:
        return int(self._tokens.lifetime.total_seconds())

    async def start(self, viewer: Viewer) -> str:
        subject = ADMIN_SUBJECT
        if viewer.provider_id is not None:
            provider = await self._providers.get(viewer.provider_id)
            fingerprint = provider.api_key_sha256[:FINGERPRINT_CHARS]
            subject = f"{PROVIDER_SUBJECT}{viewer.provider_id}:{fingerprint}"
        return self._tokens.mint(subject, self._clock()).token

    async def viewer_of(self, token: str) -> Viewer | None:
        """The viewer a genuine, current session names; None if it expired, was forged, or its
        provider's key was rotated since."""
        grant = self._tokens.check(token, self._clock())
        if grant is None:
            return None
        if grant.subject == ADMIN_SUBJECT:
            return ADMIN
        provider_id, _, fingerprint = grant.subject.removeprefix(PROVIDER_SUBJECT).rpartition(":")
        try:
            provider = await self._providers.get(provider_id)
        except NotFound:
            return None
        if provider.api_key_sha256[:FINGERPRINT_CHARS] != fingerprint:
            return None
        return Viewer(provider_id)


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        DASHBOARD_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        DASHBOARD_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
