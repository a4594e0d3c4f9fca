"""The issuer admin's routes: a provider's first API key, and rotating its signing key."""

from fastapi import APIRouter, Depends
from microcred_shared.service.http import Problem

from ..service_layer.commands import RotateKey
from .deps import IssuerHandlers, require_admin
from .schemas import KeyRotationRequest, KeyRotationResponse, ProviderApiKeyCreated

router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])


@router.post("/admin/providers/{provider_id}/api-keys", status_code=201)
async def new_api_key(provider_id: str, handlers: IssuerHandlers) -> ProviderApiKeyCreated:
    """Issue an API key for a provider (shown once)."""
    record, api_key = await handlers.api_keys.issue(provider_id)
    return ProviderApiKeyCreated(provider_id=provider_id, key_id=record.key_id, api_key=api_key)


@router.post("/admin/providers/{provider_id}/keys/rotate")
async def rotate_key(
    provider_id: str, handlers: IssuerHandlers, body: KeyRotationRequest | None = None
) -> KeyRotationResponse:
    """Rotate (or import) the provider's signing key; old keys keep verifying."""
    secret = body.secret_key_multibase if body else None
    try:
        keyring = await handlers.keys.rotate(RotateKey(provider_id, secret))
    except ValueError as error:
        raise Problem(422, "Invalid key", "the key is not an Ed25519 secret key") from error
    return KeyRotationResponse(
        provider_id=provider_id,
        did=keyring.did,
        version=keyring.version,
        current_verification_method=keyring.vm_id(keyring.current),
    )
