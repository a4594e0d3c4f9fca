"""Key management routes: report a signing key compromised, follow its re-issuance, and manage
API keys. Each is open to the provider itself (its API key) and to the admin."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from microcred_shared.api_keys import ApiKeyInfo
from microcred_shared.service.http import Problem

from ..service_layer.commands import ReportKeyCompromise
from ..service_layer.handlers import Handlers
from .schemas_keys import (
    CompromiseIn,
    CompromiseOut,
    NewApiKeyOut,
    ReissueJobOut,
)
from .translate import bearer


def build_key_router(handlers: Handlers, admin_token: str) -> APIRouter:
    router = APIRouter(tags=["keys"])

    async def provider_or_admin(
        provider_id: str,
        authorization: Annotated[str | None, Header()] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> None:
        """The provider named in the path, by one of its active API keys, or the admin."""
        token = x_api_key or bearer(authorization)
        if not token:
            raise Problem(401, "Unauthorized", "a provider API key or the admin token is required")
        if hmac.compare_digest(token.encode(), admin_token.encode()):
            return
        caller = await handlers.api_keys.provider_of(token)
        if caller is None:
            raise Problem(401, "Unauthorized", "the API key is unknown or revoked")
        if caller != provider_id:
            raise Problem(403, "Forbidden", "a provider manages its own keys only")

    allowed = [Depends(provider_or_admin)]

    @router.post(
        "/providers/{provider_id}/keys/{key_id}/compromised",
        status_code=202,
        dependencies=allowed,
    )
    async def report_compromise(
        provider_id: str, key_id: str, request: Request, body: CompromiseIn | None = None
    ) -> CompromiseOut:
        """Report a signing key compromised: it is published as revoked (a fresh key signs from
        now on if it was the current one) and what it signed is re-issued under the current key."""
        command = ReportKeyCompromise(provider_id, key_id, body.compromised_at if body else None)
        report = await handlers.compromises.report(command)
        keyring = report.keyring
        assert report.key.revoked_at is not None  # what report() just made sure of
        return CompromiseOut(
            provider_id=provider_id,
            verification_method=keyring.vm_id(report.key),
            revoked_at=report.key.revoked_at,
            current_verification_method=keyring.vm_id(keyring.current),
            job_url=str(request.url_for("reissue_job", provider_id=provider_id, key_id=key_id)),
            job=ReissueJobOut.of(report.job),
        )

    @router.get(
        "/providers/{provider_id}/reissue-jobs/{key_id}",
        dependencies=allowed,
        name="reissue_job",
    )
    async def reissue_job(provider_id: str, key_id: str) -> ReissueJobOut:
        """Progress of re-issuing what a compromised key signed: total, done, state."""
        return ReissueJobOut.of(await handlers.reissuance.job(provider_id, key_id))

    @router.get("/providers/{provider_id}/api-keys", dependencies=allowed)
    async def list_api_keys(provider_id: str) -> list[ApiKeyInfo]:
        """The provider's API keys (ids and dates, never the keys themselves)."""
        return [ApiKeyInfo.of(record) for record in await handlers.api_keys.keys_of(provider_id)]

    @router.post("/providers/{provider_id}/api-keys", status_code=201, dependencies=allowed)
    async def new_api_key(provider_id: str) -> NewApiKeyOut:
        """Issue another API key (shown once); the others stay active until revoked."""
        record, api_key = await handlers.api_keys.issue(provider_id)
        return NewApiKeyOut(**ApiKeyInfo.of(record).model_dump(), api_key=api_key)

    @router.post("/providers/{provider_id}/api-keys/{key_id}/revoke", dependencies=allowed)
    async def revoke_api_key(provider_id: str, key_id: str) -> ApiKeyInfo:
        """Revoke one API key: refused from the next request on, on every replica."""
        return ApiKeyInfo.of(await handlers.api_keys.revoke(provider_id, key_id))

    return router
