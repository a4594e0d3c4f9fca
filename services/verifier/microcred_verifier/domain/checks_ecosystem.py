"""Checks 5, 7, 8 and 9: validity window, issuer trust, entitlement, recipient binding."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .credential import as_list, subject, validity_dates
from .knowledge import Knowledge
from .model import (
    CheckName,
    CheckResult,
    could_not_check,
    failed,
    passed,
    skipped,
    undetermined,
    warning,
)


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
    """Only a provider the registry lists and trusts can make a credential verified."""
    name = CheckName.ISSUER_TRUST
    if not knowledge.online:
        return could_not_check(
            name,
            "offline: there is no provider registry here to look the issuer up in",
            in_short="the issuer could not be looked up in the provider registry (offline)",
        )
    provider = knowledge.provider
    if provider is None:
        return _not_a_provider(knowledge, issuer)
    fresh = provider.freshness
    if provider.trust == "suspended":
        return failed(
            name,
            f"untrusted issuer: {provider.name} is suspended",
            freshness=fresh,
            in_short=f"its issuer, {provider.name}, is a suspended provider",
        )
    if provider.trust != "trusted":
        return undetermined(
            name,
            f"{provider.name} is a registered provider, {provider.trust}, not yet trusted",
            freshness=fresh,
            in_short=f"its issuer, {provider.name}, is a registered provider not yet trusted",
        )
    if provider.accreditation_status != "accredited":
        return warning(
            name,
            f"{provider.name} is trusted but not accredited ({provider.accreditation_status})",
            freshness=fresh,
        )
    body = f" by {provider.accreditation_body}" if provider.accreditation_body else ""
    return passed(name, f"{provider.name}: trusted provider, accredited{body}", freshness=fresh)


def _not_a_provider(knowledge: Knowledge, issuer: str | None) -> CheckResult:
    """An issuer the registry does not list: an impersonator if it takes a registered
    provider's name, otherwise unknown (never verified), and saying which unknown it is."""
    name = CheckName.ISSUER_TRUST
    fresh = knowledge.providers_freshness
    taken = knowledge.name_taken_from
    if taken is not None:
        return failed(
            name,
            f"impersonation: the issuer calls itself {taken.name!r}, a registered provider, "
            f"but {issuer} is not one of that provider's identifiers",
            freshness=fresh,
            in_short=f"its issuer uses the name of {taken.name}, a registered provider, "
            "but is not that provider",
        )
    if fresh is None or fresh.as_of is None:
        return could_not_check(
            name,
            "the provider registry has not been received yet",
            freshness=fresh,
            in_short="the provider registry is not available yet",
        )
    if knowledge.issuer_hosted_here:
        return undetermined(
            name,
            f"this ecosystem's issuer publishes the keys of {issuer}, but its provider is not "
            "in the provider registry",
            freshness=fresh,
            in_short="its issuer's provider is not in the provider registry",
        )
    return undetermined(
        name,
        f"issuer not registered: no provider in the registry claims {issuer}",
        freshness=fresh,
        in_short="this issuer is not a recognised provider",
    )


def check_entitlement(knowledge: Knowledge, achievement_id: str | None) -> CheckResult:
    name = CheckName.ENTITLEMENT
    if not knowledge.online:
        return could_not_check(
            name,
            "offline: there is no catalogue here to find the achievement's provider in",
            in_short="the achievement's provider could not be looked up (offline)",
        )
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
    if knowledge.provider is None and knowledge.issuer_hosted_here:
        # The ecosystem's own issuer signed it: the catalogue lags, nobody forged anything.
        return could_not_check(
            name,
            "the issuer's provider is not in the provider registry, so the achievement's "
            "provider cannot be compared with it",
            freshness=fresh,
        )
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
