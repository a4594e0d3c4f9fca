"""Check 10: every endorsement the credential embeds (OB 3.0 ``endorsement`` on its achievement
and on its issuer's profile) is an authentic EndorsementCredential of a partner the registry
knows and trusts, about this very achievement or issuer, and not withdrawn.

The credential's own proof covers what it embeds, so a tampered endorsement in an issued
credential already fails the proof check. This check is about what the issuer embedded: an
endorsement it forged, took from another achievement, or that its partner has since withdrawn.
Such an endorsement is reported as a warning, never silently accepted: the credential itself
may still be genuine, but the verdict is then ``verified_with_warnings`` at best.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred_shared.openbadges import validate_endorsement_credential

from . import checks_crypto, checks_ecosystem
from .checks_status import check_status
from .credential import achievement, as_list, issuer_id, subject, text
from .knowledge import Knowledge
from .model import CheckName, CheckResult, CheckStatus, passed, skipped, warning

NAME = CheckName.ENDORSEMENTS
# A public endpoint: a credential stuffed with endorsements must not buy unbounded work.
MAX_ENDORSEMENTS = 20


@dataclass(frozen=True)
class Embedded:
    """One embedded endorsement: where it sits, what it must be about, and the document."""

    place: str  # what holds it: "credential", "achievement", "achievement creator", "issuer"
    about: str | None  # the id its subject must name
    document: Any


def embedded_endorsements(document: Mapping[str, Any]) -> list[Embedded]:
    """Every endorsement OB 3.0 lets a credential embed: of the credential itself, of its
    achievement, of the achievement's creator and of its issuer, in that order."""
    found = _endorsements_of("credential", document)
    found += _endorsements_of("achievement", achievement(document))
    creator = achievement(document).get("creator")
    if isinstance(creator, Mapping):
        found += _endorsements_of("achievement creator", creator)
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        found += _endorsements_of("issuer", issuer)
    return found


def _endorsements_of(place: str, holder: Mapping[str, Any]) -> list[Embedded]:
    about = text(holder.get("id"))
    return [Embedded(place, about, item) for item in as_list(holder.get("endorsement"))]


def check_endorsements(
    document: Mapping[str, Any], knowledge: Knowledge, now: datetime
) -> CheckResult:
    embedded = embedded_endorsements(document)
    if not embedded:
        return skipped(NAME, "the credential embeds no endorsement")
    judged = [
        _judge(item, _knowledge_of(knowledge, index), now)
        for index, item in enumerate(embedded[:MAX_ENDORSEMENTS])
    ]
    problems = [
        f"endorsement {i}: {'; '.join(j['problems'])}"
        for i, j in enumerate(judged)
        if j["problems"]
    ]
    if len(embedded) > MAX_ENDORSEMENTS:
        problems.append(f"only the first {MAX_ENDORSEMENTS} of {len(embedded)} were checked")
    details = {"endorsements": judged}
    if problems:
        return warning(
            NAME,
            "not every endorsement it carries holds (each is judged in the details): "
            + " | ".join(problems),
            details=details,
            in_short="an endorsement it carries does not hold",
        )
    names = ", ".join(sorted({str(j["endorser_name"] or j["endorser"]) for j in judged}))
    return passed(
        NAME,
        f"{len(judged)} endorsement(s) verified, each signed by a recognised partner and not "
        f"withdrawn ({names})",
        details=details,
    )


def _knowledge_of(knowledge: Knowledge, index: int) -> Knowledge:
    """The endorser's knowledge gathered for this endorsement; else the credential's (offline:
    no registry, so no endorser is recognised)."""
    if knowledge.endorsements is not None and index < len(knowledge.endorsements):
        return knowledge.endorsements[index]
    return Knowledge(knowledge.resolver, knowledge.keys_freshness, knowledge.loader)


def _judge(item: Embedded, knowledge: Knowledge, now: datetime) -> dict[str, Any]:
    endorsement = item.document
    if not isinstance(endorsement, Mapping):
        return _verdict(item, {}, ["it is not an embedded EndorsementCredential"], "not verified")
    endorser = issuer_id(endorsement)
    about = subject(endorsement)
    problems = [f"schema: {error}" for error in validate_endorsement_credential(endorsement)[:3]]
    if text(about.get("id")) != item.about:
        problems.append(
            f"it endorses {about.get('id')!r}, not this credential's {item.place} {item.about!r}"
        )
    key = checks_crypto.check_issuer_key(endorsement, knowledge)
    if key.status is not CheckStatus.PASSED:
        problems.append(f"endorser key: {key.reason}")
    elif (proof := checks_crypto.check_proofs(endorsement, knowledge, now)).status not in (
        CheckStatus.PASSED,
    ):
        problems.append(f"signature: {proof.reason}")
    problems += _registry_problems(knowledge, endorser)
    validity = checks_ecosystem.check_validity(endorsement, now, authentic=not problems)
    if validity.status is CheckStatus.FAILED:
        problems.append(f"validity: {validity.reason}")
    status = check_status(endorsement, knowledge)
    state = "verified"
    if status.status is CheckStatus.FAILED:
        state = "withdrawn"
        problems.append(f"withdrawn by its endorser ({status.reason})")
    elif not (status.conclusive and status.status is CheckStatus.PASSED):
        problems.append(f"status: {status.reason}")
    if problems and state == "verified":
        state = "not verified"
    return _verdict(item, endorsement, problems, state)


def _registry_problems(knowledge: Knowledge, endorser: str | None) -> list[str]:
    provider = knowledge.provider
    if not knowledge.online:
        return ["offline: no registry here to recognise the endorser in"]
    if provider is None:
        return [f"its endorser {endorser!r} is not a partner the registry knows"]
    if provider.trust != "trusted":
        return [f"its endorser {provider.name} is {provider.trust} in the registry"]
    return []


def _verdict(
    item: Embedded, endorsement: Mapping[str, Any], problems: Sequence[str], state: str
) -> dict[str, Any]:
    issuer = endorsement.get("issuer")
    return {
        "place": item.place,
        "id": text(endorsement.get("id")),
        "endorser": issuer_id(endorsement) if endorsement else None,
        "endorser_name": text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        "comment": text(subject(endorsement).get("endorsementComment")) if endorsement else None,
        "issued": text(endorsement.get("validFrom")),
        "status": state,
        "problems": list(problems),
    }
