"""A provider brings its own signing key: it asks for a challenge, signs it with the key, and
hands both over; the key then signs for it from now on, as a rotation does (what earlier keys
signed keeps verifying, and a compromise report works on it as on any other key)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from microcred_shared.crypto import (
    CryptoError,
    Ed25519Multikey,
    decode_base58btc,
    key_from_mapping,
    read_ed25519_key,
)

from ..domain.errors import (
    DidNotClaimed,
    InvalidSigningKey,
    KeyChallengeInvalid,
    KeyPossessionNotProven,
    UnknownProvider,
)
from ..domain.key_import import KeyImportChallenge
from ..domain.keyring import DID_KEY_PREFIX, Keyring
from .commands import DID_KEY, PLATFORM_DID, ImportKey, RotateKey
from .keys import KeyHandlers
from .ports import CatalogueView, Clock, KeyChallenges

NONCE_BYTES = 32


class KeyImport:
    def __init__(
        self,
        challenges: KeyChallenges,
        keys: KeyHandlers,
        catalogue: CatalogueView,
        clock: Clock,
        challenge_lifetime: timedelta,
    ) -> None:
        self._challenges = challenges
        self._keys = keys
        self._catalogue = catalogue
        self._clock = clock
        self._lifetime = challenge_lifetime

    async def challenge(self, provider_id: str) -> KeyImportChallenge:
        """A fresh single-use challenge for this provider."""
        if await self._catalogue.provider(provider_id) is None:
            raise UnknownProvider(f"no provider {provider_id!r} in the catalogue")
        now = self._clock.now()
        challenge = KeyImportChallenge(
            nonce=secrets.token_urlsafe(NONCE_BYTES),
            provider_id=provider_id,
            issued_at=now,
            expires_at=now + self._lifetime,
        )
        await self._challenges.add(challenge)
        return challenge

    async def import_key(self, command: ImportKey) -> Keyring:
        """The key becomes the provider's current signing key once it has signed the challenge.

        The challenge is used up by this attempt whatever its outcome, so a wrong signature
        cannot be retried against it."""
        key = _secret_key(command.key)
        challenge = await self._challenges.take(command.challenge)
        if challenge is None:
            raise KeyChallengeInvalid("unknown or already used challenge: ask for a new one")
        challenge.check_usable(command.provider_id, self._clock.now())
        if not key.verify(_signature(command.signature), challenge.message.encode()):
            raise KeyPossessionNotProven(
                "the signature is not the offered key's signature of the challenge message"
            )
        did = await self._chosen_did(command)
        return await self._keys.rotate(
            RotateKey(command.provider_id, key.secret_key_multibase, did)
        )

    async def _chosen_did(self, command: ImportKey) -> str | None:
        """The DID the key is to sign under: the platform's did:web, the key's own did:key, or a
        did:web the catalogue lists as the provider's (its admin vouched for the domain)."""
        if command.did is None:
            return None
        platform = (await self._keys.ensure(command.provider_id)).platform_did
        if command.did in (PLATFORM_DID, platform):
            return platform
        if command.did == DID_KEY:
            return DID_KEY_PREFIX  # the keyring names it after the key (Keyring.rotated)
        if not command.did.startswith("did:web:"):
            raise DidNotClaimed("a provider's own DID is a did:web (or choose did:key)")
        provider = await self._catalogue.provider(command.provider_id)
        if provider is None or command.did not in provider.issuer_dids:
            raise DidNotClaimed(
                f"the catalogue does not list {command.did!r} among the provider's issuer DIDs; "
                "its admin adds a provider's own DID there first"
            )
        return command.did


def _secret_key(material: object) -> Ed25519Multikey:
    try:
        key = (
            read_ed25519_key(material) if isinstance(material, str) else key_from_mapping(material)
        )
    except CryptoError as exc:
        raise InvalidSigningKey(str(exc)) from exc
    if not key.has_secret:
        raise InvalidSigningKey("a public key cannot sign: import the secret key")
    return key


def _signature(value: str) -> bytes:
    try:
        return decode_base58btc(value)
    except CryptoError as exc:
        raise KeyPossessionNotProven(f"the signature is not multibase base58btc: {exc}") from exc
