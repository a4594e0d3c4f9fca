"""Checks 5, 7, 8 and 9: validity window, issuer trust, entitlement, recipient binding."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microcred_verifier.domain.credential import as_list, subject, validity_dates
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import (
    CheckName,
    CheckResult,
    failed,
    passed,
    skipped,
    warning,
)

OFFLINE = "offline: needs the ecosystem's catalogue data"


def check_validity(document: Mapping[str, Any], now: datetime, *, authentic: bool) -> CheckResult:
    name = CheckName.VALIDITY
    dates = validity_dates(document)
    if dates.problems:
        return failed(name, "; ".join(dates.problems))
    if dates.valid_from is not None and now < dates.valid_from:
        return failed(name, f"not yet valid: valid from {dates.valid_from.isoformat()}")
    if dates.valid_until is not None and now >= dates.valid_until:
        prefix = "authentic but expired" if authentic else "expired"
        return failed(name, f"{prefix}: valid until {dates.valid_until.isoformat()}")
    until = dates.valid_until.isoformat() if dates.valid_until else "no end date"
    return passed(name, f"within its validity period ({until})")


def check_issuer_trust(knowledge: Knowledge, issuer: str | None) -> CheckResult:
    name = CheckName.ISSUER_TRUST
    if not knowledge.online:
        return skipped(name, OFFLINE)
    provider = knowledge.provider
    if provider is None and knowledge.name_taken_from is not None:
        return failed(
            name,
            f"impersonation: the issuer calls itself {knowledge.name_taken_from.name!r}, a "
            f"registered provider, but {issuer} is not one of that provider's identifiers",
            freshness=knowledge.providers_freshness,
        )
    if provider is None:
        return warning(
            name,
            f"issuer not registered: {issuer} is not a provider in the catalogue",
            freshness=knowledge.providers_freshness,
        )
    fresh = provider.freshness
    if provider.trust == "suspended":
        return failed(name, f"untrusted issuer: {provider.name} is suspended", freshness=fresh)
    if provider.trust != "trusted":
        return warning(
            name, f"{provider.name} is {provider.trust}, not yet trusted", freshness=fresh
        )
    if provider.accreditation_status != "accredited":
        return warning(
            name,
            f"{provider.name} is trusted but not accredited ({provider.accreditation_status})",
            freshness=fresh,
        )
    body = f" by {provider.accreditation_body}" if provider.accreditation_body else ""
    return passed(name, f"{provider.name}: trusted provider, accredited{body}", freshness=fresh)


def check_entitlement(knowledge: Knowledge, achievement_id: str | None) -> CheckResult:
    name = CheckName.ENTITLEMENT
    if not knowledge.online:
        return skipped(name, OFFLINE)
    achievement = knowledge.achievement
    fresh = knowledge.achievements_freshness
    if achievement is None:
        if knowledge.provider is None:
            return skipped(
                name, "neither the issuer nor the achievement is in the catalogue", freshness=fresh
            )
        return warning(
            name, f"achievement {achievement_id} is not in the catalogue", freshness=fresh
        )
    fresh = achievement.freshness or fresh
    if knowledge.provider is None or achievement.provider_id != knowledge.provider.provider_id:
        owner = knowledge.achievement_provider
        owner_name = owner.name if owner else achievement.provider_id
        return failed(
            name,
            f"issuer not entitled: {achievement.name!r} belongs to {owner_name}, "
            "which does not issue with this issuer's identifier",
            freshness=fresh,
        )
    note = " (since retired)" if achievement.status == "retired" else ""
    return passed(
        name, f"{achievement.name!r} is {knowledge.provider.name}'s{note}", freshness=fresh
    )


def check_recipient(document: Mapping[str, Any], email: str | None) -> CheckResult:
    name = CheckName.RECIPIENT
    if not email:
        return skipped(name, "no e-mail given to match against the recipient")
    identities = [
        i
        for i in as_list(subject(document).get("identifier"))
        if isinstance(i, Mapping) and i.get("identityType") == "emailAddress"
    ]
    if not identities:
        return failed(name, "the credential names no e-mail identity to match")
    if any(_matches(identity, email) for identity in identities):
        return passed(name, "the e-mail given matches the credential's recipient")
    return failed(name, "the e-mail given does not match the credential's recipient")


def _matches(identity: Mapping[str, Any], email: str) -> bool:
    stored = identity.get("identityHash")
    if not isinstance(stored, str):
        return False
    candidates = {email.strip(), email.strip().lower()}
    if not identity.get("hashed"):
        return any(hmac.compare_digest(stored.lower(), c.lower()) for c in candidates)
    salt = identity.get("salt") if isinstance(identity.get("salt"), str) else ""
    for candidate in candidates:
        digest = "sha256$" + hashlib.sha256((candidate + str(salt)).encode()).hexdigest()
        if hmac.compare_digest(stored.lower(), digest):
            return True
    return False
