"""How completely an achievement states the EU standard elements (Council Recommendation
2022/C 243/02, Annex I).

Scored on the definition: the elements that belong to the credential a learner receives
(learner identification, date of issuing, and the grade itself) are filled in by the issuer at
issuance and are not counted here. The grading *scheme* stands for "grade" among the optional
elements. Each mandatory element weighs twice an optional one, so a definition missing one
mandatory element scores lower than one missing one optional element.
"""

from __future__ import annotations

from collections.abc import Callable

from .achievements import Completeness, Definition, ProviderFacts

Check = Callable[[Definition, ProviderFacts], bool]

MANDATORY: dict[str, Check] = {
    "title": lambda d, _: bool(d.name.strip()),
    "country_or_region": lambda _, p: bool(p.country),
    "awarding_body": lambda _, p: bool(p.provider_id),
    "learning_outcomes": lambda d, _: bool(d.learning_outcomes),
    # "ECTS wherever possible": hours count, they are converted (see vocabularies.py).
    "notional_workload": lambda d, _: d.ects is not None,
    "eqf_level": lambda d, _: d.eqf_level is not None,
    "isced_f_field": lambda d, _: d.isced_f_code is not None,
    "type_of_assessment": lambda d, _: bool(d.assessment_type),
    "form_of_participation": lambda d, _: bool(d.participation_forms),
    # The course may state its own QA; otherwise the provider's accreditation is its QA.
    "type_of_quality_assurance": lambda d, p: bool(d.quality_assurance or p.quality_assurance),
}

OPTIONAL: dict[str, Check] = {
    "prerequisites": lambda d, _: bool(d.prerequisites),
    "supervision_and_identity_verification": lambda d, _: bool(
        d.supervision or d.identity_verification
    ),
    "grade": lambda d, _: bool(d.grading_scheme),
    "integration_stackability_options": lambda d, _: bool(d.stackability),
    "further_information": lambda d, _: bool(d.further_information),
}

MANDATORY_WEIGHT = 2
OPTIONAL_WEIGHT = 1


def assess(definition: Definition, provider: ProviderFacts) -> Completeness:
    """The score (0-1, three decimals) and the names of the elements still missing."""
    mandatory_missing = tuple(n for n, ok in MANDATORY.items() if not ok(definition, provider))
    optional_missing = tuple(n for n, ok in OPTIONAL.items() if not ok(definition, provider))
    total = MANDATORY_WEIGHT * len(MANDATORY) + OPTIONAL_WEIGHT * len(OPTIONAL)
    lost = MANDATORY_WEIGHT * len(mandatory_missing) + OPTIONAL_WEIGHT * len(optional_missing)
    return Completeness(
        score=round((total - lost) / total, 3),
        mandatory_missing=mandatory_missing,
        optional_missing=optional_missing,
    )
