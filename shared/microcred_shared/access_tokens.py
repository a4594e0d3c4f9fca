"""Signed, expiring tokens bound to one purpose: a learner's wallet link, a dashboard session.

Each token is a JWT (RFC 7519, HS256, made and checked by joserfc) whose audience is its
purpose, signed with a key derived (HKDF) for that purpose from one configured secret: a token
made for one purpose is refused for any other, even by a service holding the same secret.
Checks take the time as an argument, so handlers decide with their clock and tests need no
sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

ALGORITHM = "HS256"
KEY_BYTES = 32
# Longer than any JWT these tokens make; a longer string is refused before it is parsed.
MAX_TOKEN_CHARS = 2048


@dataclass(frozen=True)
class Grant:
    """What a valid token says: who it is for, and until when."""

    subject: str
    expires_at: datetime


@dataclass(frozen=True)
class Minted:
    token: str
    expires_at: datetime


def purpose_key(secret: str, purpose: str) -> OctKey:
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_BYTES,
        salt=None,
        info=f"microcred access token: {purpose}".encode(),
    ).derive(secret.encode())
    return OctKey.import_key(derived)


class PurposeTokens:
    """Makes and checks the tokens of one purpose."""

    def __init__(self, secret: str, purpose: str, lifetime: timedelta) -> None:
        self.purpose = purpose
        self.lifetime = lifetime
        self._key = purpose_key(secret, purpose)

    def mint(self, subject: str, now: datetime, lifetime: timedelta | None = None) -> Minted:
        """A token for ``subject`` valid from ``now`` for ``lifetime`` (default: the purpose's)."""
        issued_at = int(now.timestamp())
        expires_at = issued_at + int((lifetime or self.lifetime).total_seconds())
        claims = {"sub": subject, "aud": self.purpose, "iat": issued_at, "exp": expires_at}
        token = jwt.encode({"alg": ALGORITHM}, claims, self._key, algorithms=[ALGORITHM])
        return Minted(token, datetime.fromtimestamp(expires_at, UTC))

    def check(self, token: str, now: datetime) -> Grant | None:
        """The grant a genuine, unexpired token of this purpose carries; None for any other
        (tampered, expired, another purpose's, not a token at all)."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        registry = JWTClaimsRegistry(
            now=int(now.timestamp()),
            aud={"essential": True, "value": self.purpose},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            claims = jwt.decode(token, self._key, algorithms=[ALGORITHM]).claims
            registry.validate(claims)
        except (JoseError, ValueError):
            return None
        subject, expires = claims["sub"], claims["exp"]
        if not isinstance(subject, str) or not isinstance(expires, int):
            return None
        return Grant(subject, datetime.fromtimestamp(expires, UTC))
