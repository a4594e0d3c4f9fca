"""A provider's signing keys over time: one signs today, the rotated-out ones stay published
(with when they stopped) so what they signed keeps verifying, unless a key was reported
compromised: then it is published as revoked and nothing it signed is trusted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .errors import CompromiseInFuture, UnknownKey

DID_KEY_PREFIX = "did:key:"


@dataclass(frozen=True)
class KeyRecord:
    """One key. ``sealed_secret`` is the private key encrypted with the key-encryption key."""

    fragment: str  # "key-1", "key-2", …
    public_key_multibase: str
    sealed_secret: str
    valid_from: datetime
    valid_until: datetime | None = None  # set when rotated out: signs nothing after it
    revoked_at: datetime | None = None  # compromised as of (the DID document's `revoked`)
    reported_at: datetime | None = None  # when the compromise was reported
    # The DID it is published under; None for keys stored before a provider could choose its
    # DID, which are all under the keyring's first DID (stamped when the DID first changes).
    controller: str | None = None

    @property
    def active(self) -> bool:
        return self.valid_until is None

    @property
    def compromised(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        """As ``issuer.keys`` names it: active, retired (rotated out) or revoked."""
        if self.compromised:
            return "revoked"
        return "active" if self.active else "retired"


@dataclass(frozen=True)
class Keyring:
    provider_id: str
    did: str
    version: int
    keys: tuple[KeyRecord, ...]

    @property
    def current(self) -> KeyRecord:
        return next(key for key in self.keys if key.active)

    @property
    def compromised_keys(self) -> tuple[KeyRecord, ...]:
        return tuple(key for key in self.keys if key.compromised)

    def controller_of(self, key: KeyRecord) -> str:
        return key.controller or self.did

    def vm_id(self, key: KeyRecord) -> str:
        """``<did>#key-N``; a did:key's one key is ``did:key:z…#z…``, as did:key defines it."""
        controller = self.controller_of(key)
        if controller.startswith(DID_KEY_PREFIX):
            return f"{controller}#{controller.removeprefix(DID_KEY_PREFIX)}"
        return f"{controller}#{key.fragment}"

    @property
    def platform_did(self) -> str:
        """The DID the keyring began under: the platform's did:web for the provider."""
        return self.controller_of(self.keys[-1])

    @property
    def signs_under_own_did_web(self) -> bool:
        return self.did.startswith("did:web:") and self.did != self.platform_did

    def keys_under(self, did: str) -> tuple[KeyRecord, ...]:
        return tuple(key for key in self.keys if self.controller_of(key) == did)

    def key(self, fragment: str) -> KeyRecord:
        found = next((key for key in self.keys if key.fragment == fragment), None)
        if found is None:
            raise UnknownKey(f"provider {self.provider_id!r} has no key {fragment!r}")
        return found

    def rotated(self, new_key: KeyRecord, at: datetime, did: str | None = None) -> Keyring:
        """The new key signs from ``at``, under ``did`` (default: the DID signing now; a
        did:key names one key, so a new key under a did:key is its own did:key); the old ones
        are kept under the DIDs they were published under, closed at ``at``."""
        if did is None:
            did = self.did
        if did.startswith(DID_KEY_PREFIX):
            did = DID_KEY_PREFIX + new_key.public_key_multibase
        closed = tuple(
            replace(key, valid_until=key.valid_until or at, controller=self.controller_of(key))
            for key in self.keys
        )
        signing = replace(new_key, controller=did)
        return replace(self, did=did, version=self.version + 1, keys=(signing, *closed))

    def needs_new_key_for(self, fragment: str) -> bool:
        """Reporting this key compromised means rotating first: it is the one signing now."""
        return self.key(fragment).active

    def with_compromise(
        self, fragment: str, revoked_at: datetime, reported_at: datetime
    ) -> Keyring | None:
        """The keyring with the key marked compromised as of ``revoked_at`` (one new version);
        None when it already is (the first report's time stands: a published `revoked` is not
        moved). The current key must have been rotated out first (:meth:`needs_new_key_for`)."""
        key = self.key(fragment)
        if key.compromised:
            return None
        if revoked_at > reported_at:
            raise CompromiseInFuture("a key cannot be reported compromised as of a future time")
        if key.active:
            raise ValueError("rotate the current key out before marking it compromised")
        marked = replace(key, revoked_at=revoked_at, reported_at=reported_at)
        keys = tuple(marked if k.fragment == fragment else k for k in self.keys)
        return replace(self, version=self.version + 1, keys=keys)

    def next_fragment(self) -> str:
        return f"key-{len(self.keys) + 1}"


def new_keyring(provider_id: str, did: str, first_key: KeyRecord) -> Keyring:
    return Keyring(provider_id=provider_id, did=did, version=1, keys=(first_key,))
