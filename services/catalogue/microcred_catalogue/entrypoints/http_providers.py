"""Providers: the admin API (register, change, suspend, API keys) and public reads."""

from fastapi import APIRouter, Depends, status
from microcred_shared.api_keys import ApiKeyInfo
from microcred_shared.service.http import Problem

from ..domain.providers import Accreditation, Trust
from ..service_layer import commands
from .deps import Api, CallerDep, require_admin
from .http_kafka import issued_view
from .schemas import (
    AccreditationPublic,
    ApiKeyCreated,
    ProviderCreate,
    ProviderCreated,
    ProviderPublic,
    ProviderUpdate,
)


def _accreditation(body: AccreditationPublic) -> Accreditation:
    return Accreditation(status=body.status, body=body.body, reference=body.reference)


router = APIRouter(tags=["providers"])
admin = [Depends(require_admin)]


async def provider_or_admin(provider_id: str, who: CallerDep) -> None:
    """The provider named in the path (by one of its active keys), or the admin."""
    if not who.is_admin and (who.provider is None or who.provider.provider_id != provider_id):
        raise Problem(403, "Forbidden", "a provider manages its own API keys only")


own = [Depends(provider_or_admin)]


@router.post("/admin/providers", status_code=status.HTTP_201_CREATED, dependencies=admin)
async def register_provider(body: ProviderCreate, api: Api) -> ProviderCreated:
    """Register a provider; its API key and Kafka credential are in the answer, and only
    there."""
    created = await api.providers.register(
        commands.RegisterProvider(
            provider_id=body.provider_id,
            name=body.name,
            provider_type=body.provider_type,
            country=body.country,
            accreditation=_accreditation(body.accreditation),
            region=body.region,
            website=body.website,
            trust=body.trust,
            issuer_dids=tuple(body.issuer_dids),
        )
    )
    issued = await api.kafka_credentials.issue_on_registration(created.provider.provider_id)
    return ProviderCreated(
        provider=ProviderPublic.of(created.provider),
        api_key=created.api_key,
        kafka=issued_view(issued, api.connection) if issued else None,
    )


@router.patch("/admin/providers/{provider_id}", dependencies=admin)
async def change_provider(provider_id: str, body: ProviderUpdate, api: Api) -> ProviderPublic:
    """Change a provider's details, trust or accreditation (then published)."""
    changed = await api.providers.change(
        commands.ChangeProvider(
            provider_id=provider_id,
            name=body.name,
            provider_type=body.provider_type,
            country=body.country,
            region=body.region,
            website=body.website,
            accreditation=_accreditation(body.accreditation) if body.accreditation else None,
            trust=body.trust,
            issuer_dids=tuple(body.issuer_dids) if body.issuer_dids is not None else None,
        )
    )
    return ProviderPublic.of(changed)


@router.post("/admin/providers/{provider_id}/suspend", dependencies=admin)
async def suspend_provider(provider_id: str, api: Api) -> ProviderPublic:
    """Suspend a provider: verifiers then call its credentials untrusted."""
    changed = await api.providers.change(
        commands.ChangeProvider(provider_id, trust=Trust.SUSPENDED)
    )
    return ProviderPublic.of(changed)


@router.post("/admin/providers/{provider_id}/reinstate", dependencies=admin)
async def reinstate_provider(provider_id: str, api: Api) -> ProviderPublic:
    """Trust a suspended provider again."""
    changed = await api.providers.change(commands.ChangeProvider(provider_id, trust=Trust.TRUSTED))
    return ProviderPublic.of(changed)


@router.post("/admin/providers/{provider_id}/api-key", dependencies=admin)
async def rotate_api_key(provider_id: str, api: Api) -> ProviderCreated:
    """Issue a new API key; every other one stops working at once."""
    rotated = await api.providers.rotate_key(commands.RotateApiKey(provider_id))
    return ProviderCreated(provider=ProviderPublic.of(rotated.provider), api_key=rotated.api_key)


@router.get("/providers/{provider_id}/api-keys", dependencies=own)
async def list_api_keys(provider_id: str, api: Api) -> list[ApiKeyInfo]:
    """The provider's API keys (ids and dates, never the keys themselves)."""
    return [ApiKeyInfo.of(record) for record in await api.providers.keys_of(provider_id)]


@router.post(
    "/providers/{provider_id}/api-keys", status_code=status.HTTP_201_CREATED, dependencies=own
)
async def new_api_key(provider_id: str, api: Api) -> ApiKeyCreated:
    """Issue another API key (shown once); the others stay active until revoked."""
    record, api_key = await api.providers.issue_key(provider_id)
    return ApiKeyCreated(**ApiKeyInfo.of(record).model_dump(), api_key=api_key)


@router.post("/providers/{provider_id}/api-keys/{key_id}/revoke", dependencies=own)
async def revoke_api_key(provider_id: str, key_id: str, api: Api) -> ApiKeyInfo:
    """Revoke one API key: refused from the next request on, on every replica."""
    return ApiKeyInfo.of(await api.providers.revoke_key(provider_id, key_id))


@router.get("/providers/{provider_id}")
async def get_provider(provider_id: str, api: Api) -> ProviderPublic:
    """A provider's public profile."""
    return ProviderPublic.of(await api.providers.get(provider_id))
