"""Between stored projection documents and the domain's facts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microcred_shared.crypto import ResolvedKey, public_key_from_multibase, split_did_url
from microcred_shared.crypto.dates import parse_datetime
from microcred_shared.crypto.did import VERIFICATION_RELATIONSHIPS
from microcred_shared.events.contracts.catalogue import PathwayRule

from ..domain.knowledge import (
    AchievementFacts,
    PathwayFacts,
    ProviderFacts,
    StatusRecord,
)
from ..domain.model import Freshness
from . import documents as col

Doc = dict[str, Any]


def _fresh(collection: str, doc: Doc) -> Freshness:
    return Freshness(f"{collection} projection (this entry received)", doc.get("received_at"))


def component_ids(rule: PathwayRule) -> list[str]:
    if rule.kind == "achievement":
        return [rule.achievement_id]
    return [aid for child in rule.rules for aid in component_ids(child)]


def provider_facts(doc: Doc) -> ProviderFacts:
    accreditation = doc.get("accreditation") or {}
    return ProviderFacts(
        provider_id=doc["provider_id"],
        name=doc["name"],
        trust=doc["trust"],
        accreditation_status=accreditation.get("status", "pending"),
        accreditation_body=accreditation.get("body"),
        country=doc.get("country", ""),
        issuer_dids=tuple(doc.get("issuer_dids") or ()),
        freshness=_fresh(col.PROVIDERS, doc),
    )


def achievement_facts(doc: Doc) -> AchievementFacts:
    return AchievementFacts(
        achievement_id=doc["achievement_id"],
        provider_id=doc["provider_id"],
        name=doc["name"],
        status=doc["status"],
        ects=doc.get("ects"),
        eqf_level=doc.get("eqf_level"),
        isced_f_code=doc.get("isced_f_code"),
        learning_outcomes=tuple(doc.get("learning_outcomes") or ()),
        assessment_type=doc.get("assessment_type"),
        quality_assurance=doc.get("quality_assurance"),
        participation_forms=tuple(doc.get("participation_forms") or ()),
        freshness=_fresh(col.ACHIEVEMENTS, doc),
    )


def pathway_facts(doc: Doc, target_name: str | None) -> PathwayFacts:
    return PathwayFacts(
        pathway_id=doc["pathway_id"],
        name=doc["name"],
        target_achievement_id=doc["target_achievement_id"],
        target_name=target_name,
    )


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else parse_datetime(str(value))


def key_dids(doc: Doc) -> list[str]:
    """Every DID the provider's keys were published under, the current one first: a provider
    that moved to a DID of its own (or a did:key) still answers for what it signed before."""
    methods = doc.get("verification_methods") or []
    return list(dict.fromkeys([doc["did"], *(split_did_url(vm["id"])[0] for vm in methods)]))


def resolved_keys(doc: Doc) -> list[ResolvedKey]:
    """Every key the issuer ever published, with its validity: a retired key keeps verifying
    what it signed while it was active; a revoked (compromised) one verifies nothing."""
    keys = []
    for vm in doc.get("verification_methods") or []:
        valid_from, until = _when(vm.get("valid_from")), _when(vm.get("valid_until"))
        revoked = _revoked_at(vm, valid_from, until)
        keys.append(
            ResolvedKey(
                id=vm["id"],
                controller=split_did_url(vm["id"])[0],
                public_key=public_key_from_multibase(vm["public_key_multibase"]),
                purposes=frozenset(VERIFICATION_RELATIONSHIPS),
                valid_from=valid_from,
                expires=until if vm.get("status") != "revoked" else None,
                revoked=revoked,
            )
        )
    return keys


def _revoked_at(vm: Doc, valid_from: datetime | None, until: datetime | None) -> datetime | None:
    """``issuer.keys.v2`` says when (``revoked_at``); a v1 ``revoked`` status did not."""
    if vm.get("status") != "revoked":
        return None
    return _when(vm.get("revoked_at")) or until or valid_from


def status_record(doc: Doc) -> StatusRecord:
    return StatusRecord(
        status=doc["status"],
        purpose=doc["status_purpose"],
        reason=doc.get("reason"),
        freshness=_fresh(col.STATUSES, doc),
    )
