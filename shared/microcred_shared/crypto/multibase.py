"""Multibase (base58btc, prefix ``z``) and the two multicodec prefixes Ed25519 Multikeys use."""

from __future__ import annotations

from functools import lru_cache

import base58

from microcred_shared.crypto.errors import MultibaseError

# Multicodec varint prefixes (https://github.com/multiformats/multicodec/blob/master/table.csv):
# ed25519-pub is 0xed -> varint 0xed 0x01; ed25519-priv is 0x1300 -> varint 0x80 0x26.
ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
ED25519_KEY_LENGTH = 32

BASE58BTC_PREFIX = "z"


def encode_base58btc(data: bytes) -> str:
    """Multibase-encode ``data`` as base58btc (``z…``)."""
    return BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """Decode a base58btc multibase string; anything but a ``z`` prefix is refused."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC_PREFIX) or len(value) < 2:
        raise MultibaseError(f"not a base58btc multibase value (must start with 'z'): {value!r}")
    try:
        return base58.b58decode(value[1:])
    except ValueError as exc:
        raise MultibaseError(f"invalid base58btc characters in {value!r}") from exc


def _encode_with_codec(prefix: bytes, raw: bytes) -> str:
    if len(raw) != ED25519_KEY_LENGTH:
        raise MultibaseError(f"an Ed25519 key is {ED25519_KEY_LENGTH} bytes, got {len(raw)}")
    return encode_base58btc(prefix + raw)


def _decode_with_codec(prefix: bytes, value: str, what: str) -> bytes:
    data = decode_base58btc(value)
    if not data.startswith(prefix):
        raise MultibaseError(
            f"{value[:12]}… is not an {what} (multicodec prefix {data[:2].hex()}, "
            f"expected {prefix.hex()})"
        )
    raw = data[len(prefix) :]
    if len(raw) != ED25519_KEY_LENGTH:
        raise MultibaseError(f"{what} must be {ED25519_KEY_LENGTH} bytes, got {len(raw)}")
    return raw


def encode_ed25519_public(raw: bytes) -> str:
    """32 raw public-key bytes → ``z6Mk…`` (multicodec 0xed01, base58btc)."""
    return _encode_with_codec(ED25519_PUB_PREFIX, raw)


# A verification decodes its issuer's did:key several times (the DID, its document, the
# verification method), six base58 decodes measured at about 6% of a full verification.
@lru_cache(maxsize=1024)
def decode_ed25519_public(value: str) -> bytes:
    """``z6Mk…`` → 32 raw public-key bytes; other key types are refused."""
    return _decode_with_codec(ED25519_PUB_PREFIX, value, "Ed25519 public key")


def encode_ed25519_secret(seed: bytes) -> str:
    """32-byte Ed25519 seed → ``z3u2…`` (multicodec 0x8026, base58btc)."""
    return _encode_with_codec(ED25519_PRIV_PREFIX, seed)


def decode_ed25519_secret(value: str) -> bytes:
    """``z3u2…`` → the 32-byte Ed25519 seed."""
    return _decode_with_codec(ED25519_PRIV_PREFIX, value, "Ed25519 secret key")


def decode_ed25519_secret_pair(value: str) -> tuple[bytes, bytes | None]:
    """A ``secretKeyMultibase`` → (32-byte seed, the public key it carries or None).

    Two forms are in use: the 32-byte seed (the Multikey spec, and what we write) and the
    64-byte seed followed by its public key (NaCl's layout, which Digital Bazaar's
    ``@digitalbazaar/ed25519-multikey`` exports). The caller checks that public half.
    """
    data = decode_base58btc(value)
    if not data.startswith(ED25519_PRIV_PREFIX):
        raise MultibaseError(
            f"secretKeyMultibase is not an Ed25519 secret key (multicodec prefix "
            f"{data[:2].hex()}, expected {ED25519_PRIV_PREFIX.hex()})"
        )
    raw = data[len(ED25519_PRIV_PREFIX) :]
    if len(raw) == ED25519_KEY_LENGTH:
        return raw, None
    if len(raw) == 2 * ED25519_KEY_LENGTH:
        return raw[:ED25519_KEY_LENGTH], raw[ED25519_KEY_LENGTH:]
    raise MultibaseError(
        f"an Ed25519 secret key is {ED25519_KEY_LENGTH} bytes (the seed) or "
        f"{2 * ED25519_KEY_LENGTH} (the seed then the public key), got {len(raw)}"
    )
