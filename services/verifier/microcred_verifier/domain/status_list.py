"""Bitstring Status List v1.0: reading one bit of a status list credential."""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Mapping
from typing import Any

from .credential import as_list, text

MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024  # a list of 128 M entries: far beyond any real one


class StatusListError(ValueError):
    """The status list credential or entry is unusable."""


def decode_bitstring(encoded: str) -> bytes:
    """Multibase base64url (``u`` prefix, as the spec requires; a bare value is tolerated) of a
    GZIP-compressed bitstring."""
    value = encoded[1:] if encoded.startswith("u") else encoded
    try:
        compressed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError as exc:
        raise StatusListError("encodedList is not base64url") from exc
    try:
        # Bounded decompression: a tiny zip bomb must not exhaust memory.
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        raw = inflater.decompress(compressed, MAX_DECOMPRESSED_BYTES)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise StatusListError("encodedList is not GZIP-compressed") from exc
    if inflater.unconsumed_tail:
        raise StatusListError("encodedList decompresses to more than 16 MiB")
    return raw


def bit_at(bitstring: bytes, index: int) -> bool:
    """Index 0 is the left-most bit of the first byte."""
    if index < 0 or index >= len(bitstring) * 8:
        raise StatusListError(f"statusListIndex {index} is outside the list")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def entry_index(entry: Mapping[str, Any]) -> int:
    raw = entry.get("statusListIndex")
    try:
        index = int(raw) if isinstance(raw, int | str) else -1
    except ValueError:
        index = -1
    if index < 0:
        raise StatusListError(f"statusListIndex {raw!r} is not a non-negative integer")
    return index


def list_subject(list_credential: Mapping[str, Any]) -> Mapping[str, Any]:
    subjects = as_list(list_credential.get("credentialSubject"))
    subject = subjects[0] if subjects else None
    if not isinstance(subject, Mapping) or "BitstringStatusList" not in as_list(
        subject.get("type")
    ):
        raise StatusListError("the status list credential holds no BitstringStatusList")
    return subject


def read_status_bit(list_credential: Mapping[str, Any], entry: Mapping[str, Any]) -> bool:
    """The entry's bit in the list; raises StatusListError when they do not fit together."""
    subject = list_subject(list_credential)
    purpose = entry.get("statusPurpose")
    list_purposes = as_list(subject.get("statusPurpose"))
    if purpose not in list_purposes:
        raise StatusListError(
            f"the entry's statusPurpose {purpose!r} is not the list's {list_purposes!r}"
        )
    encoded = text(subject.get("encodedList"))
    if encoded is None:
        raise StatusListError("the status list has no encodedList")
    return bit_at(decode_bitstring(encoded), entry_index(entry))
