"""The OpenBadgeCredential document (unsigned): OB 3.0 fields first, EU elements where OB has none.

The mapping of each EU Annex I element is documented in ``docs/eu-elements.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from microcred_shared.crypto.dates import format_datetime

from .identity import Learner
from .model import Achievement, Provider
from .translations import TranslatedTexts, language_maps

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# v2 adds the terms of multilingual texts (issue 15); v1 stays served and known to every
# loader, so credentials issued under it keep verifying.
EU_CONTEXT_V1 = "https://microcred.example/contexts/eu-microcredential/v1"
EU_CONTEXT = "https://microcred.example/contexts/eu-microcredential/v2"
CREDENTIAL_CONTEXTS = (VC_CONTEXT, OB_CONTEXT, EU_CONTEXT)
EQF_FRAMEWORK = "European Qualifications Framework (EQF)"
ISCED_FRAMEWORK = "ISCED-F 2013"


@dataclass(frozen=True)
class ResultLine:
    name: str
    value: str


@dataclass(frozen=True)
class EvidenceItem:
    url: str | None = None
    narrative: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class CredentialFacts:
    """Everything a credential states besides the achievement and issuer."""

    credential_url: str
    achievement_url: str
    issuer_did: str
    learner: Learner
    valid_from: datetime
    valid_until: datetime | None = None
    completed_on: date | None = None
    results: Sequence[ResultLine] = ()
    evidence: Sequence[EvidenceItem] = ()
    status_entries: Sequence[dict[str, Any]] = ()
    extra_evidence: Sequence[dict[str, Any]] = field(default_factory=tuple)
    # Signed EndorsementCredentials (OB 3.0 ``endorsement``) of the achievement and the issuer.
    achievement_endorsements: Sequence[dict[str, Any]] = ()
    issuer_endorsements: Sequence[dict[str, Any]] = ()


def build_credential(
    provider: Provider, achievement: Achievement, facts: CredentialFacts
) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": list(CREDENTIAL_CONTEXTS),
        "id": facts.credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "description": achievement.description,
        "issuer": issuer_profile(provider, facts.issuer_did, facts.issuer_endorsements),
        "validFrom": format_datetime(facts.valid_from),
        "credentialSubject": _subject(achievement, facts),
    }
    if facts.valid_until is not None:
        credential["validUntil"] = format_datetime(facts.valid_until)
    if facts.status_entries:
        entries = list(facts.status_entries)
        credential["credentialStatus"] = entries[0] if len(entries) == 1 else entries
    evidence = [_evidence(item) for item in facts.evidence] + list(facts.extra_evidence)
    if evidence:
        credential["evidence"] = evidence
    return credential


def issuer_profile(
    provider: Provider, did: str, endorsements: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """OB 3.0 ``Profile``: the awarding body and its country/region (EU mandatory elements)."""
    address: dict[str, Any] = {"type": ["Address"], "addressCountryCode": provider.country}
    if provider.region:
        address["addressRegion"] = provider.region
    profile: dict[str, Any] = {
        "id": did,
        "type": ["Profile"],
        "name": provider.name,
        "address": address,
        "providerType": provider.provider_type,
    }
    if provider.website:
        profile["url"] = provider.website
    if provider.accreditation_status:
        profile["accreditation"] = _accreditation(provider)
    if endorsements:
        profile["endorsement"] = list(endorsements)
    return profile


def _accreditation(provider: Provider) -> str:
    parts = [provider.accreditation_status or ""]
    if provider.accreditation_body:
        parts.append(f"by {provider.accreditation_body}")
    if provider.accreditation_reference:
        parts.append(f"({provider.accreditation_reference})")
    return " ".join(parts)


def _subject(achievement: Achievement, facts: CredentialFacts) -> dict[str, Any]:
    subject: dict[str, Any] = {"type": ["AchievementSubject"], **facts.learner.subject_fields()}
    subject["achievement"] = achievement_document(achievement, facts.achievement_url, facts)
    if achievement.ects is not None:
        subject["creditsEarned"] = achievement.ects
    if facts.completed_on is not None:
        subject["activityEndDate"] = format_datetime(
            datetime.combine(facts.completed_on, datetime.min.time(), facts.valid_from.tzinfo)
        )
    if facts.results:
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": _result_description_id(facts.achievement_url, index),
                "value": line.value,
            }
            for index, line in enumerate(facts.results)
        ]
    return subject


def achievement_document(
    achievement: Achievement, achievement_url: str, facts: CredentialFacts | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": achievement_url,
        "type": ["Achievement"],
        "achievementType": _achievement_type(achievement.achievement_type),
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"narrative": achievement.criteria or achievement.description},
    }
    alignment = _alignments(achievement)
    if alignment:
        doc["alignment"] = alignment
    if achievement.ects is not None:
        doc["creditsAvailable"] = achievement.ects
    if achievement.isced_f_code:
        doc["fieldOfStudy"] = f"ISCED-F {achievement.isced_f_code}"
    if achievement.languages:
        doc["inLanguage"] = achievement.languages[0]
    if achievement.tags:
        doc["tag"] = list(achievement.tags)
    if facts and facts.results:
        doc["resultDescription"] = [
            {
                "id": _result_description_id(achievement_url, index),
                "type": ["ResultDescription"],
                "name": line.name,
                "resultType": "Result",
            }
            for index, line in enumerate(facts.results)
        ]
    if facts and facts.achievement_endorsements:
        doc["endorsement"] = list(facts.achievement_endorsements)
    doc.update(eu_elements(achievement))
    doc.update(_texts_in_every_language(achievement))
    return doc


def _texts_in_every_language(achievement: Achievement) -> dict[str, Any]:
    primary = TranslatedTexts(
        achievement.primary_language or "",
        achievement.name,
        achievement.description,
        achievement.criteria,
        achievement.learning_outcomes,
    )
    return language_maps(achievement.primary_language, primary, achievement.translations)


def eu_elements(achievement: Achievement) -> dict[str, Any]:
    """The EU elements OB 3.0 has no field for, in our context's terms (None values left out)."""
    values: dict[str, Any] = {
        "learningOutcomes": list(achievement.learning_outcomes) or None,
        "ectsCredits": achievement.ects,
        "workloadHours": achievement.workload_hours,
        "eqfLevel": achievement.eqf_level,
        "iscedfCode": achievement.isced_f_code,
        "assessmentType": achievement.assessment_type,
        "participationForms": list(achievement.participation_forms) or None,
        "qualityAssurance": achievement.quality_assurance,
        "prerequisites": list(achievement.prerequisites) or None,
        "identityVerification": achievement.identity_verification,
        "supervision": achievement.supervision,
        "gradingScheme": achievement.grading_scheme,
        "stackability": achievement.stackability,
        "furtherInformation": achievement.further_information,
    }
    return {key: value for key, value in values.items() if value is not None}


def _alignments(achievement: Achievement) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for skill in achievement.skills:
        entry: dict[str, Any] = {
            "type": ["Alignment"],
            "targetName": skill.name,
            "targetUrl": skill.url,
        }
        if skill.framework:
            entry["targetFramework"] = skill.framework
        if skill.code:
            entry["targetCode"] = skill.code
        entry["targetType"] = _alignment_type(skill.type)
        out.append(entry)
    if achievement.eqf_level is not None:
        out.append(
            {
                "type": ["Alignment"],
                "targetName": f"EQF level {achievement.eqf_level}",
                "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
                "targetFramework": EQF_FRAMEWORK,
                "targetCode": str(achievement.eqf_level),
                "targetType": "ext:EQFLevel",
            }
        )
    if achievement.isced_f_code:
        out.append(
            {
                "type": ["Alignment"],
                "targetName": f"ISCED-F 2013 field {achievement.isced_f_code}",
                "targetUrl": "https://uis.unesco.org/en/topic/international-standard-classification-education-isced",
                "targetFramework": ISCED_FRAMEWORK,
                "targetCode": achievement.isced_f_code,
                "targetType": "ext:ISCEDF",
            }
        )
    return out


_ALIGNMENT_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)


def _alignment_type(value: str | None) -> str:
    if value in _ALIGNMENT_TYPES:
        return value
    return "ceasn:Competency"


_OB_ACHIEVEMENT_TYPES = frozenset(
    {"MicroCredential", "Certificate", "Course", "Badge", "Competency", "Diploma", "Degree"}
)


def _achievement_type(value: str) -> str:
    if value in _OB_ACHIEVEMENT_TYPES or value.startswith("ext:"):
        return value
    return "ext:" + "".join(ch for ch in value if ch.isalnum() or ch in "._-")


def _result_description_id(achievement_url: str, index: int) -> str:
    return f"{achievement_url}#result-{index + 1}"


def _evidence(item: EvidenceItem) -> dict[str, Any]:
    doc: dict[str, Any] = {"type": ["Evidence"]}
    if item.url:
        doc["id"] = item.url
    if item.name:
        doc["name"] = item.name
    if item.narrative:
        doc["narrative"] = item.narrative
    return doc
