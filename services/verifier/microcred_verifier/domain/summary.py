"""The credential in plain words: who issued it, to whom, what was learned, how much, at what
level, how it was assessed and quality-assured, and what it stacks into."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .credential import (
    achievement,
    as_list,
    issuer_id,
    issuer_name,
    subject,
    text,
    validity_dates,
)
from .knowledge import Knowledge

_EQF_URL = re.compile(r"/eqf/(\d)\b")


def _alignments(ach: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [a for a in as_list(ach.get("alignment")) if isinstance(a, Mapping)]


def _eqf_from(ach: Mapping[str, Any]) -> int | None:
    for alignment in _alignments(ach):
        kind = str(alignment.get("targetType", "")) + str(alignment.get("targetFramework", ""))
        code = alignment.get("targetCode")
        if "EQF" in kind or "European Qualifications" in kind:
            if isinstance(code, str) and code.isdigit():
                return int(code)
            match = _EQF_URL.search(str(alignment.get("targetUrl", "")))
            if match:
                return int(match.group(1))
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _recipient(subj: Mapping[str, Any]) -> str:
    name = text(subj.get("name"))
    if name:
        return name
    for identity in as_list(subj.get("identifier")):
        if isinstance(identity, Mapping) and identity.get("identityType") == "emailAddress":
            return "the holder of an e-mail address (stored as a salted hash)"
    return text(subj.get("id")) or "an unnamed recipient"


def _outcomes(ach: Mapping[str, Any]) -> list[str]:
    skills = [
        str(a["targetName"])
        for a in _alignments(ach)
        if isinstance(a.get("targetName"), str) and "EQF" not in str(a.get("targetType", ""))
    ]
    criteria = ach.get("criteria")
    narrative = text(criteria.get("narrative")) if isinstance(criteria, Mapping) else None
    return skills or ([narrative] if narrative else [])


def summarise(document: Any, knowledge: Knowledge | None) -> dict[str, Any]:
    if not isinstance(document, Mapping):
        return {}
    ach = achievement(document)
    subj = subject(document)
    facts = knowledge.achievement if knowledge else None
    provider = knowledge.provider if knowledge else None
    dates = validity_dates(document)
    ects = facts.ects if facts and facts.ects is not None else _number(ach.get("creditsAvailable"))
    return {
        "issuer": {
            "id": issuer_id(document),
            "name": (provider.name if provider else None) or issuer_name(document),
            "country": provider.country if provider else None,
            "registered": provider is not None,
        },
        "recipient": _recipient(subj),
        "achievement": {
            "id": text(ach.get("id")),
            "name": text(ach.get("name")) or text(document.get("name")),
            "description": text(ach.get("description")),
            "type": text(ach.get("achievementType")),
        },
        "learning_outcomes": list(facts.learning_outcomes)
        if facts and facts.learning_outcomes
        else _outcomes(ach),
        "ects": ects if ects is not None else _number(subj.get("creditsEarned")),
        "eqf_level": facts.eqf_level if facts and facts.eqf_level else _eqf_from(ach),
        "field_of_study": text(ach.get("fieldOfStudy")) or (facts.isced_f_code if facts else None),
        "assessment": facts.assessment_type if facts else None,
        "quality_assurance": (facts.quality_assurance if facts else None)
        or (provider.accreditation_body if provider else None),
        "participation": list(facts.participation_forms) if facts else [],
        "stacks_into": [
            {"pathway": p.name, "target": p.target_name or p.target_achievement_id}
            for p in (knowledge.pathways if knowledge else ())
        ],
        "valid_from": dates.valid_from.isoformat() if dates.valid_from else None,
        "valid_until": dates.valid_until.isoformat() if dates.valid_until else None,
    }
