"""Reading the facts a verifier needs out of a credential document (VC 2.0 or legacy VC 1.1)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred_shared.crypto.dates import parse_datetime

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
BADGE_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def issuer_id(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, str):
        return issuer or None
    if isinstance(issuer, Mapping):
        return text(issuer.get("id"))
    return None


def name_key(name: str) -> str:
    """A provider name as compared for impersonation: Unicode-compatibility folded (so
    full-width and ligature look-alikes match), case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def issuer_name(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    return text(issuer.get("name")) if isinstance(issuer, Mapping) else None


def subject(document: Mapping[str, Any]) -> Mapping[str, Any]:
    subjects = as_list(document.get("credentialSubject"))
    first = subjects[0] if subjects else None
    return first if isinstance(first, Mapping) else {}


def achievement(document: Mapping[str, Any]) -> Mapping[str, Any]:
    value = subject(document).get("achievement")
    return value if isinstance(value, Mapping) else {}


def achievement_id(document: Mapping[str, Any]) -> str | None:
    return text(achievement(document).get("id"))


def status_entries(document: Mapping[str, Any]) -> list[Any]:
    return as_list(document.get("credentialStatus"))


@dataclass(frozen=True, slots=True)
class ValidityDates:
    valid_from: datetime | None
    valid_until: datetime | None
    problems: tuple[str, ...]


def validity_dates(document: Mapping[str, Any]) -> ValidityDates:
    """validFrom/validUntil (VC 2.0), else issuanceDate/expirationDate (VC 1.1)."""
    problems: list[str] = []

    def read(*names: str) -> datetime | None:
        for name in names:
            if name in document:
                try:
                    return parse_datetime(document[name])
                except (ValueError, TypeError):
                    problems.append(f"{name} is not a valid date-time: {document[name]!r:.60}")
                    return None
        return None

    start = read("validFrom", "issuanceDate")
    end = read("validUntil", "expirationDate")
    return ValidityDates(start, end, tuple(problems))


def issued_at(document: Mapping[str, Any], proof_created: str | None) -> datetime | None:
    """When the credential was signed: the proof's ``created``, else its validity start."""
    if proof_created:
        try:
            return parse_datetime(proof_created)
        except ValueError:
            pass
    return validity_dates(document).valid_from
