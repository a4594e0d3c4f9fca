"""Registering providers, changing them, suspending them, and their API keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from microcred_shared.api_keys import ApiKeyRecord, ApiKeyRegistry

from ..domain.providers import Provider
from ..domain.vocabularies import Unrecognised, parse_country
from . import commands
from .errors import Conflict, Invalid, NotFound, Unauthorized
from .events import provider_event
from .ports import Clock, ProviderRepository


@dataclass(frozen=True)
class ProviderWithKey:
    provider: Provider
    api_key: str  # shown once; only its hash is stored


@dataclass
class ProviderHandlers:
    providers: ProviderRepository
    clock: Clock
    wake_relay: Callable[[], None]
    api_keys: ApiKeyRegistry

    async def register(self, command: commands.RegisterProvider) -> ProviderWithKey:
        provider = Provider(
            provider_id=command.provider_id,
            version=1,
            name=command.name,
            provider_type=command.provider_type,
            country=_country(command.country),
            region=command.region,
            website=command.website,
            accreditation=command.accreditation,
            trust=command.trust,
            issuer_dids=command.issuer_dids,
            updated_at=self.clock(),
        )
        if not await self.providers.add(provider, provider_event(provider)):
            raise Conflict(f"provider {command.provider_id!r} already exists")
        self.wake_relay()
        _, key = await self.api_keys.issue(provider.provider_id)
        return ProviderWithKey(provider, key)

    async def change(self, command: commands.ChangeProvider) -> Provider:
        current = await self._get(command.provider_id)
        changes = {
            name: value
            for name, value in vars(command).items()
            if name != "provider_id" and value is not None
        }
        if "country" in changes:
            changes["country"] = _country(str(changes["country"]))
        changed = current.changed(self.clock(), **changes)
        await self._replace(changed)
        # Its achievements take the new facts (type, country, QA) with their next version.
        return changed

    async def rotate_key(self, command: commands.RotateApiKey) -> ProviderWithKey:
        """A new key, every other one revoked at once (for a rotation with overlap: issue_key,
        then revoke_key)."""
        provider = await self._get(command.provider_id)
        record, key = await self.api_keys.issue(provider.provider_id)
        await self.api_keys.revoke_all_but(provider.provider_id, record)
        return ProviderWithKey(provider, key)

    async def issue_key(self, provider_id: str) -> tuple[ApiKeyRecord, str]:
        """Another key (shown once); the provider's others stay active until revoked."""
        return await self.api_keys.issue((await self._get(provider_id)).provider_id)

    async def keys_of(self, provider_id: str) -> list[ApiKeyRecord]:
        return await self.api_keys.keys_of((await self._get(provider_id)).provider_id)

    async def revoke_key(self, provider_id: str, key_id: str) -> ApiKeyRecord:
        revoked = await self.api_keys.revoke(provider_id, key_id)
        if revoked is None:
            raise NotFound(f"provider {provider_id!r} has no API key {key_id!r}")
        return revoked

    async def authenticate(self, api_key: str) -> Provider:
        provider_id = await self.api_keys.provider_of(api_key)
        provider = await self.providers.get(provider_id) if provider_id else None
        if provider is None:
            raise Unauthorized("the API key is not valid (unknown or revoked)")
        return provider

    async def get(self, provider_id: str) -> Provider:
        return await self._get(provider_id)

    async def _get(self, provider_id: str) -> Provider:
        provider = await self.providers.get(provider_id)
        if provider is None:
            raise NotFound(f"no provider {provider_id!r}")
        return provider

    async def _replace(self, provider: Provider) -> None:
        if not await self.providers.replace(provider, provider_event(provider)):
            raise Conflict("the provider was changed concurrently; retry")
        self.wake_relay()


def _country(value: str) -> str:
    try:
        return parse_country(value)
    except Unrecognised as error:
        raise Invalid(str(error), [{"field": "country", "error": str(error)}]) from error
