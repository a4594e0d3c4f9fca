"""Key management routes: import the provider's own signing key, report a signing key
compromised, follow its re-issuance, and manage API keys. Each is open to the provider itself
(its API key) and to the admin."""

# No ``from __future__ import annotations``: FastAPI must see the dependency aliases as objects.

from fastapi import APIRouter, Depends, Request
from microcred_shared.api_keys import ApiKeyInfo

from ..service_layer.commands import ImportKey, ReportKeyCompromise
from .deps import IssuerHandlers, provider_or_admin
from .schemas_keys import (
    ApiKeyCreated,
    CompromiseRequest,
    CompromiseResponse,
    KeyChallengePublic,
    KeyImportRequest,
    KeyImportResponse,
    ReissueJobPublic,
)

router = APIRouter(tags=["keys"], dependencies=[Depends(provider_or_admin)])


@router.post("/providers/{provider_id}/keys/challenges", status_code=201)
async def key_challenge(provider_id: str, handlers: IssuerHandlers) -> KeyChallengePublic:
    """A single-use, expiring challenge to sign with the key the provider will import."""
    return KeyChallengePublic.of(await handlers.key_import.challenge(provider_id))


@router.post("/providers/{provider_id}/keys/import")
async def import_key(
    provider_id: str, body: KeyImportRequest, handlers: IssuerHandlers
) -> KeyImportResponse:
    """Import the provider's own signing key, proven by its signature of a challenge; it signs
    from now on and the earlier keys keep verifying (a rotation)."""
    command = ImportKey(provider_id, body.key, body.challenge, body.signature, body.did)
    keyring = await handlers.key_import.import_key(command)
    return KeyImportResponse(
        provider_id=provider_id,
        did=keyring.did,
        version=keyring.version,
        current_verification_method=keyring.vm_id(keyring.current),
        public_key_multibase=keyring.current.public_key_multibase,
    )


@router.post("/providers/{provider_id}/keys/{key_id}/compromised", status_code=202)
async def report_compromise(
    provider_id: str,
    key_id: str,
    request: Request,
    handlers: IssuerHandlers,
    body: CompromiseRequest | None = None,
) -> CompromiseResponse:
    """Report a signing key compromised: it is published as revoked (a fresh key signs from
    now on if it was the current one) and what it signed is re-issued under the current key."""
    command = ReportKeyCompromise(provider_id, key_id, body.compromised_at if body else None)
    report = await handlers.compromises.report(command)
    keyring = report.keyring
    assert report.key.revoked_at is not None  # what report() just made sure of
    return CompromiseResponse(
        provider_id=provider_id,
        verification_method=keyring.vm_id(report.key),
        revoked_at=report.key.revoked_at,
        current_verification_method=keyring.vm_id(keyring.current),
        job_url=str(request.url_for("reissue_job", provider_id=provider_id, key_id=key_id)),
        job=ReissueJobPublic.of(report.job),
    )


@router.get("/providers/{provider_id}/reissue-jobs/{key_id}", name="reissue_job")
async def reissue_job(provider_id: str, key_id: str, handlers: IssuerHandlers) -> ReissueJobPublic:
    """Progress of re-issuing what a compromised key signed: total, done, state."""
    return ReissueJobPublic.of(await handlers.reissuance.job(provider_id, key_id))


@router.get("/providers/{provider_id}/api-keys")
async def list_api_keys(provider_id: str, handlers: IssuerHandlers) -> list[ApiKeyInfo]:
    """The provider's API keys (ids and dates, never the keys themselves)."""
    return [ApiKeyInfo.of(record) for record in await handlers.api_keys.keys_of(provider_id)]


@router.post("/providers/{provider_id}/api-keys", status_code=201)
async def new_api_key(provider_id: str, handlers: IssuerHandlers) -> ApiKeyCreated:
    """Issue another API key (shown once); the others stay active until revoked."""
    record, api_key = await handlers.api_keys.issue(provider_id)
    return ApiKeyCreated(**ApiKeyInfo.of(record).model_dump(), api_key=api_key)


@router.post("/providers/{provider_id}/api-keys/{key_id}/revoke")
async def revoke_api_key(provider_id: str, key_id: str, handlers: IssuerHandlers) -> ApiKeyInfo:
    """Revoke one API key: refused from the next request on, on every replica."""
    return ApiKeyInfo.of(await handlers.api_keys.revoke(provider_id, key_id))
