"""Bitstring Status List v1.0: the list a verifier reads, and the entries credentials carry.

Each provider has a revocation list and a suspension list per shard; a credential gets one
random index (the same in both lists: one allocation, two purposes). Random rather than
sequential indexes keep the list from leaking issuance order or volume (spec §5.2).
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from microcred_shared.crypto.dates import format_datetime

from .credentials import VC_CONTEXT

StatusPurpose = Literal["revocation", "suspension"]
PURPOSES: tuple[StatusPurpose, ...] = ("revocation", "suspension")


@dataclass(frozen=True)
class StatusSlot:
    """Where a credential's status lives: one index in one shard of its provider's lists."""

    provider_id: str
    shard: int
    index: int

    def list_id(self, purpose: StatusPurpose) -> str:
        return list_id(self.provider_id, purpose, self.shard)


def list_id(provider_id: str, purpose: StatusPurpose, shard: int) -> str:
    return f"{provider_id}.{purpose}.{shard}"


def parse_list_id(value: str) -> tuple[str, StatusPurpose, int] | None:
    provider_id, _, rest = value.rpartition(".")
    provider_id, _, purpose = provider_id.rpartition(".")
    if purpose not in PURPOSES or not rest.isdigit() or not provider_id:
        return None
    return provider_id, purpose, int(rest)


def status_entry(list_url: str, purpose: StatusPurpose, index: int) -> dict[str, Any]:
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def encode_bitstring(set_indexes: Iterable[int], size: int) -> str:
    """GZIP, then base64url without padding, with the multibase ``u`` prefix (spec §3.2)."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise ValueError(f"index {index} outside a list of {size} bits")
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    value = encoded.removeprefix("u")
    return gzip.decompress(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def bit_is_set(bitstring: bytes, index: int) -> bool:
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    *,
    list_url: str,
    issuer_did: str,
    purpose: StatusPurpose,
    set_indexes: Iterable[int],
    size: int,
    valid_from: datetime,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential."""
    return {
        "@context": [VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode_bitstring(set_indexes, size),
        },
    }
