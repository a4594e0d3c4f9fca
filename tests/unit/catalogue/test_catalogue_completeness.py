"""The completeness score against the EU Recommendation's standard elements."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_catalogue.domain.achievements import ProviderFacts
from microcred_catalogue.domain.completeness import MANDATORY, OPTIONAL, assess
from microcred_catalogue.domain.normalise import normalise
from microcred_shared.events.contracts.partner import CourseDefinitionV1

ACCREDITED = ProviderFacts("uni-a", "university", "AT", "accredited by AQ Austria")
UNACCREDITED = ProviderFacts("academy", "private", "DE", None)


def full_course(**overrides: Any) -> CourseDefinitionV1:
    fields: dict[str, Any] = {
        "name": "PLC programming",
        "description": "Industrial controllers.",
        "criteria": "Pass the project.",
        "learning_outcomes": ["Write PLC programs"],
        "ects": 5,
        "eqf_level": 5,
        "isced_f": "0714",
        "languages": ["en"],
        "participation_forms": ["online"],
        "assessment_type": "project",
        "quality_assurance": "internal QA, ISO 9001",
        "prerequisites": ["basic electronics"],
        "identity_verification": "photo ID at the exam",
        "supervision": "proctored online",
        "grading_scheme": "1-5",
        "stackability": "counts towards the Mechatronics certificate",
        "further_information": "https://example.org/plc",
    }
    fields.update(overrides)
    return CourseDefinitionV1.model_validate(fields)


def test_a_fully_specified_achievement_scores_one_with_nothing_missing() -> None:
    report = assess(normalise(full_course()), ACCREDITED)

    assert report.score == 1.0
    assert report.mandatory_missing == ()
    assert report.optional_missing == ()


def test_missing_mandatory_elements_are_listed_and_weigh_twice_an_optional_one() -> None:
    course = full_course(
        learning_outcomes=[], assessment_type=None, eqf_level=None, grading_scheme=None
    )

    report = assess(normalise(course), ACCREDITED)

    assert report.mandatory_missing == ("learning_outcomes", "eqf_level", "type_of_assessment")
    assert report.optional_missing == ("grade",)
    total = 2 * len(MANDATORY) + len(OPTIONAL)  # 25
    assert report.score == pytest.approx(round((total - 3 * 2 - 1) / total, 3))  # 0.72


def test_a_workload_given_in_hours_is_converted_to_ects_and_counts_as_stated() -> None:
    definition = normalise(full_course(ects=None, workload_hours=110))

    report = assess(definition, ACCREDITED)

    assert definition.ects == 4.0  # 110 h / 27.5 h per ECTS
    assert definition.ects_from_hours
    assert definition.workload_hours == 110
    assert "notional_workload" not in report.mandatory_missing
    assert report.score == 1.0


def test_no_workload_at_all_is_a_missing_mandatory_element() -> None:
    report = assess(normalise(full_course(ects=None, workload_hours=None)), ACCREDITED)

    assert report.mandatory_missing == ("notional_workload",)
    assert report.score == 0.92


def test_the_providers_accreditation_stands_in_for_quality_assurance() -> None:
    definition = normalise(full_course(quality_assurance=None))

    assert "type_of_quality_assurance" not in assess(definition, ACCREDITED).mandatory_missing
    assert assess(definition, UNACCREDITED).mandatory_missing == ("type_of_quality_assurance",)


def test_supervision_or_identity_verification_is_enough_for_that_optional_element() -> None:
    definition = normalise(full_course(supervision=None))

    assert assess(definition, ACCREDITED).optional_missing == ()
