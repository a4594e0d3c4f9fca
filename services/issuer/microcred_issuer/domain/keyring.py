"""A provider's signing keys over time: one signs today, the rotated-out ones stay published
(with when they stopped) so what they signed keeps verifying, unless a key was reported
compromised: then it is published as revoked and nothing it signed is trusted."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from .errors import CompromiseInFuture, UnknownKey


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

    def vm_id(self, key: KeyRecord) -> str:
        return f"{self.did}#{key.fragment}"

    def key(self, fragment: str) -> KeyRecord:
        found = next((key for key in self.keys if key.fragment == fragment), None)
        if found is None:
            raise UnknownKey(f"provider {self.provider_id!r} has no key {fragment!r}")
        return found

    def rotated(self, new_key: KeyRecord, at: datetime) -> Keyring:
        """The new key signs from ``at``; the old ones are kept, closed at ``at``."""
        closed = tuple(replace(key, valid_until=at) if key.active else key for key in self.keys)
        return replace(self, version=self.version + 1, keys=(new_key, *closed))

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
