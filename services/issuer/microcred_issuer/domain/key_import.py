"""Proof that a provider holds the key it imports: it signs a challenge the issuer handed out.

The challenge is single-use and expires, so a captured import request cannot be replayed, and
it names the provider, so one provider's signed challenge cannot import a key for another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .errors import KeyChallengeInvalid

CHALLENGE_PURPOSE = "microcred signing key import"


@dataclass(frozen=True)
class KeyImportChallenge:
    nonce: str
    provider_id: str
    issued_at: datetime
    expires_at: datetime

    @property
    def message(self) -> str:
        """The exact text the provider signs (UTF-8) with the key it imports."""
        return f"{CHALLENGE_PURPOSE}\nprovider: {self.provider_id}\nchallenge: {self.nonce}"

    def check_usable(self, provider_id: str, now: datetime) -> None:
        """Refuse a challenge handed to another provider, or one past its expiry."""
        if self.provider_id != provider_id:
            raise KeyChallengeInvalid("the challenge was handed to another provider")
        if now >= self.expires_at:
            raise KeyChallengeInvalid("the challenge has expired: ask for a new one")
