"""Dashboard sessions: a provider's API key (or the admin token), given once on the sign-in
form, becomes a short-lived signed cookie, as on real platforms: the key itself never sits in
the browser.

The cookie is a purpose-bound token (see ``microcred_shared.access_tokens``) naming the admin or
the provider and the id of the API key that opened it, so revoking that key ends every session
it opened. HttpOnly, SameSite=Strict, and Secure whenever served over https.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi import Request, Response
from microcred_shared.access_tokens import PurposeTokens
from microcred_shared.api_keys import hash_api_key, key_id_of

from ..service_layer.errors import NotFound
from ..service_layer.provider_figures import ADMIN, Viewer
from ..service_layer.providers import ProviderHandlers

DASHBOARD_COOKIE = "microcred_dashboard"
PURPOSE = "catalogue-dashboard-session"
ADMIN_SUBJECT = "admin"
PROVIDER_SUBJECT = "provider:"


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

    async def start(self, viewer: Viewer, api_key: str) -> str:
        """A session for ``viewer``, who signed in with ``api_key`` (or the admin token)."""
        subject = ADMIN_SUBJECT
        if viewer.provider_id is not None:
            key_id = key_id_of(hash_api_key(api_key))
            subject = f"{PROVIDER_SUBJECT}{viewer.provider_id}:{key_id}"
        return self._tokens.mint(subject, self._clock()).token

    async def viewer_of(self, token: str) -> Viewer | None:
        """The viewer a genuine, current session names; None if it expired, was forged, or the
        key that opened it was revoked since."""
        grant = self._tokens.check(token, self._clock())
        if grant is None:
            return None
        if grant.subject == ADMIN_SUBJECT:
            return ADMIN
        provider_id, _, key_id = grant.subject.removeprefix(PROVIDER_SUBJECT).rpartition(":")
        try:
            keys = await self._providers.keys_of(provider_id)
        except NotFound:
            return None
        if not any(key.key_id == key_id and key.active for key in keys):
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
