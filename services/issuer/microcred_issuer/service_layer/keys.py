"""Provider signing keys: created when a provider first appears, rotated on request, reported
compromised, published as did:web documents and ``issuer.keys`` events."""

from __future__ import annotations

from typing import Any

from microcred_shared.crypto import VerificationMethodEntry, did_key_document, did_web_document
from microcred_shared.events import Topic
from microcred_shared.events.contracts.keys import IssuerKeysV2, VerificationMethodV2
from microcred_shared.events.registry import ISSUER_KEYS_CHANGED_V2

from ..domain.errors import UnknownProvider
from ..domain.keyring import DID_KEY_PREFIX, Keyring, new_keyring
from .commands import ReportKeyCompromise, RotateKey
from .ports import CatalogueView, Clock, Keyrings, KeyVault, OutgoingEvent, Wake
from .urls import IssuerUrls

SOURCE = "/microcred/issuer"


class KeyHandlers:
    def __init__(
        self,
        keyrings: Keyrings,
        catalogue: CatalogueView,
        vault: KeyVault,
        urls: IssuerUrls,
        clock: Clock,
        wake: Wake,
    ) -> None:
        self._keyrings = keyrings
        self._catalogue = catalogue
        self._vault = vault
        self._urls = urls
        self._clock = clock
        self._wake = wake

    async def ensure(self, provider_id: str) -> Keyring:
        """The provider's keyring, created (first key, ``issuer.keys`` event) if it has none."""
        existing = await self._keyrings.get(provider_id)
        if existing is not None:
            return existing
        now = self._clock.now()
        keyring = new_keyring(
            provider_id, self._urls.did(provider_id), self._vault.new_key("key-1", now)
        )
        if await self._keyrings.create(keyring, [self._announcement(keyring)]):
            self._wake()
            return keyring
        # Another replica created it first: theirs is the one.
        created = await self._keyrings.get(provider_id)
        assert created is not None
        return created

    async def ensure_existing(self, provider_id: str) -> Keyring | None:
        """The keyring if the provider has one (a read: creates nothing)."""
        return await self._keyrings.get(provider_id)

    async def rotate(self, command: RotateKey) -> Keyring:
        if await self._catalogue.provider(command.provider_id) is None:
            raise UnknownProvider(f"no provider {command.provider_id!r} in the catalogue")
        while True:
            current = await self.ensure(command.provider_id)
            now = self._clock.now()
            fragment = current.next_fragment()
            key = (
                self._vault.import_key(command.secret_key_multibase, fragment, now)
                if command.secret_key_multibase
                else self._vault.new_key(fragment, now)
            )
            rotated = current.rotated(key, now, command.did)
            announced = [self._announcement(rotated)]
            if await self._keyrings.replace(rotated, current.version, announced):
                self._wake()
                return rotated

    async def report_compromise(self, command: ReportKeyCompromise) -> Keyring:
        """Mark the key compromised as of the given time (rotating to a fresh key first if it is
        the one signing now) and announce it; a key already reported stays as it was."""
        while True:
            current = await self._keyrings.get(command.provider_id)
            if current is None:
                raise UnknownProvider(f"provider {command.provider_id!r} has no signing keys")
            now = self._clock.now()
            revoked_at = command.compromised_at or now
            keyring = current
            if current.needs_new_key_for(command.fragment):
                keyring = current.rotated(self._vault.new_key(current.next_fragment(), now), now)
            marked = keyring.with_compromise(command.fragment, revoked_at, now)
            if marked is None:
                return current
            if await self._keyrings.replace(marked, current.version, [self._announcement(marked)]):
                self._wake()
                return marked

    async def did_document(self, provider_id: str) -> dict[str, Any] | None:
        """The document of the provider's DID on this platform (``/issuers/{id}/did.json``):
        the keys published under it, also once the provider has moved to a DID of its own."""
        keyring = await self._keyrings.get(provider_id)
        return did_document(keyring, keyring.platform_did) if keyring else None

    async def own_did_document(self, provider_id: str) -> dict[str, Any] | None:
        """The document a provider whose DID is a did:web of its own publishes on its domain;
        None when it signs under the platform's DID or a did:key."""
        keyring = await self._keyrings.get(provider_id)
        if keyring is None or not keyring.signs_under_own_did_web:
            return None
        return did_document(keyring)

    def _announcement(self, keyring: Keyring) -> OutgoingEvent:
        data = IssuerKeysV2(
            provider_id=keyring.provider_id,
            did=keyring.did,
            version=keyring.version,
            verification_methods=[
                VerificationMethodV2(
                    id=keyring.vm_id(key),
                    public_key_multibase=key.public_key_multibase,
                    status=key.status,
                    valid_from=key.valid_from,
                    valid_until=key.valid_until,
                    revoked_at=key.revoked_at,
                    reported_at=key.reported_at,
                )
                for key in keyring.keys
            ],
            did_document=did_document(keyring),
            updated_at=self._clock.now(),
        )
        event = ISSUER_KEYS_CHANGED_V2.envelope(
            data,
            source=SOURCE,
            subject=keyring.provider_id,
            event_id=f"issuer-keys:{keyring.provider_id}:{keyring.version}",
        )
        return OutgoingEvent(Topic.ISSUER_KEYS, keyring.provider_id, event)


def did_document(keyring: Keyring, did: str | None = None) -> dict[str, Any]:
    """The document of ``did`` (default: the DID signing now): every key published under it,
    the newest first; rotated-out ones carry ``expires`` (when they stopped), compromised ones
    ``revoked`` (Controlled Identifiers v1.0: an XML Schema dateTimeStamp)."""
    did = did or keyring.did
    if did.startswith(DID_KEY_PREFIX):
        return did_key_document(did)
    return did_web_document(
        did,
        [
            VerificationMethodEntry(
                key.public_key_multibase,
                fragment=keyring.vm_id(key).partition("#")[2],
                expires=key.valid_until,
                revoked=key.revoked_at,
            )
            for key in keyring.keys_under(did)
        ],
    )
