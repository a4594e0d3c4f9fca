"""Registering providers, changing them, suspending them, and their API keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.providers import Provider, hash_api_key, key_matches, new_api_key
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

    async def register(self, command: commands.RegisterProvider) -> ProviderWithKey:
        key, key_hash = new_api_key()
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
            api_key_sha256=key_hash,
            updated_at=self.clock(),
        )
        if not await self.providers.add(provider, provider_event(provider)):
            raise Conflict(f"provider {command.provider_id!r} already exists")
        self.wake_relay()
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
        current = await self._get(command.provider_id)
        key, key_hash = new_api_key()
        # The key is not in the published contract, but the version still moves so that a
        # concurrent change is detected rather than overwritten.
        changed = current.changed(self.clock(), api_key_sha256=key_hash)
        await self._replace(changed)
        return ProviderWithKey(changed, key)

    async def authenticate(self, api_key: str) -> Provider:
        provider = await self.providers.by_key_hash(hash_api_key(api_key))
        if provider is None or not key_matches(api_key, provider.api_key_sha256):
            raise Unauthorized("the API key is not valid")
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
