"""A provider's signing keys over time: one signs today, the rotated-out ones stay published
(with when they stopped) so what they signed keeps verifying."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class KeyRecord:
    """One key. ``sealed_secret`` is the private key encrypted with the key-encryption key."""

    fragment: str  # "key-1", "key-2", …
    public_key_multibase: str
    sealed_secret: str
    valid_from: datetime
    valid_until: datetime | None = None  # set when rotated out: signs nothing after it

    @property
    def active(self) -> bool:
        return self.valid_until is None


@dataclass(frozen=True)
class Keyring:
    provider_id: str
    did: str
    version: int
    keys: tuple[KeyRecord, ...]

    @property
    def current(self) -> KeyRecord:
        return next(key for key in self.keys if key.active)

    def vm_id(self, key: KeyRecord) -> str:
        return f"{self.did}#{key.fragment}"

    def rotated(self, new_key: KeyRecord, at: datetime) -> Keyring:
        """The new key signs from ``at``; the old ones are kept, closed at ``at``."""
        closed = tuple(replace(key, valid_until=at) if key.active else key for key in self.keys)
        return replace(self, version=self.version + 1, keys=(new_key, *closed))

    def next_fragment(self) -> str:
        return f"key-{len(self.keys) + 1}"


def new_keyring(provider_id: str, did: str, first_key: KeyRecord) -> Keyring:
    return Keyring(provider_id=provider_id, did=did, version=1, keys=(first_key,))
