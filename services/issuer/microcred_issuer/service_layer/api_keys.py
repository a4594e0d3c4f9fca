"""Provider API keys for the issuer's provider-facing endpoints (hashed at rest, revocable,
several active at once during a rotation; see ``microcred_shared.api_keys``).

Why the issuer issues its own: services never call each other synchronously, and the
catalogue's provider events must not carry credentials. An issuer admin hands each provider a
first key; the provider (or the admin) then issues, lists and revokes its keys.
"""

from __future__ import annotations

from microcred_shared.api_keys import ApiKeyRecord, ApiKeyRegistry, ApiKeyStore

from ..domain.errors import IssuerError, UnknownProvider
from .ports import CatalogueView, Clock

API_KEY_PREFIX = "mci_"


class UnknownApiKey(IssuerError):
    code = "unknown_api_key"


class ApiKeyHandlers:
    def __init__(self, keys: ApiKeyStore, catalogue: CatalogueView, clock: Clock) -> None:
        self._registry = ApiKeyRegistry(keys, API_KEY_PREFIX, clock.now)
        self._catalogue = catalogue

    async def issue(self, provider_id: str) -> tuple[ApiKeyRecord, str]:
        """A new key for the provider (its other keys stay active), returned once."""
        if await self._catalogue.provider(provider_id) is None:
            raise UnknownProvider(f"no provider {provider_id!r} in the catalogue")
        return await self._registry.issue(provider_id)

    async def provider_of(self, api_key: str) -> str | None:
        return await self._registry.provider_of(api_key)

    async def keys_of(self, provider_id: str) -> list[ApiKeyRecord]:
        return await self._registry.keys_of(provider_id)

    async def revoke(self, provider_id: str, key_id: str) -> ApiKeyRecord:
        revoked = await self._registry.revoke(provider_id, key_id)
        if revoked is None:
            raise UnknownApiKey(f"provider {provider_id!r} has no API key {key_id!r}")
        return revoked
