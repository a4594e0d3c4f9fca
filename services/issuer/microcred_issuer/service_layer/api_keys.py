"""Provider API keys for the issuer's provider-facing endpoints (hashed at rest).

Why the issuer issues its own: services never call each other synchronously, and the
catalogue's provider events must not carry credentials. An issuer admin hands each provider a
key; only its SHA-256 is stored (the key is 256 random bits, so nothing to brute-force).
"""

from __future__ import annotations

import hashlib
import secrets

from ..domain.errors import UnknownProvider
from .ports import ApiKeys, CatalogueView, Clock

API_KEY_PREFIX = "mci_"


def hash_api_key(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


class ApiKeyHandlers:
    def __init__(self, keys: ApiKeys, catalogue: CatalogueView, clock: Clock) -> None:
        self._keys = keys
        self._catalogue = catalogue
        self._clock = clock

    async def issue(self, provider_id: str) -> str:
        """A new key for the provider, returned once."""
        if await self._catalogue.provider(provider_id) is None:
            raise UnknownProvider(f"no provider {provider_id!r} in the catalogue")
        api_key = API_KEY_PREFIX + secrets.token_urlsafe(32)
        await self._keys.add(hash_api_key(api_key), provider_id, self._clock.now())
        return api_key

    async def provider_of(self, api_key: str) -> str | None:
        return await self._keys.provider_of(hash_api_key(api_key))
