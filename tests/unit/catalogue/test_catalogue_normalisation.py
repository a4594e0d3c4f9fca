"""Partner values onto EQF, ISCED-F 2013, ECTS, ISO 639-1 and the participation forms."""

from __future__ import annotations

from typing import Any

import pytest
from microcred_catalogue.domain.normalise import InvalidCourse, normalise
from microcred_catalogue.domain.vocabularies import (
    Unrecognised,
    ects_from_hours,
    isced_f_path,
    parse_country,
    parse_eqf_level,
    parse_isced_f,
    parse_language,
    parse_participation_form,
)
from microcred_shared.events.contracts.partner import CourseDefinitionV1


@pytest.mark.parametrize(
    ("given", "level"),
    [
        (5, 5),
        ("5", 5),
        ("EQF 5", 5),
        ("eqf5", 5),
        ("Level 6", 6),
        ("EQF level VII", 7),
        ("EQF-8", 8),
    ],
)
def test_eqf_levels_are_read_in_the_forms_partners_write_them(given: Any, level: int) -> None:
    assert parse_eqf_level(given) == level


@pytest.mark.parametrize("given", [0, 9, "EQF 12", "advanced", "level"])
def test_values_outside_eqf_1_to_8_are_refused(given: Any) -> None:
    with pytest.raises(Unrecognised):
        parse_eqf_level(given)


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("0714", "0714"),
        ("071", "071"),
        ("07", "07"),
        ("0714 Electronics and automation", "0714"),
        ("electronics AND automation", "0714"),
        ("Software and applications development and analysis", "0613"),
        ("Law", "0421"),  # the narrow and detailed field share the name: the detailed one
    ],
)
def test_isced_f_fields_are_accepted_by_code_or_name(given: str, code: str) -> None:
    assert parse_isced_f(given) == code


def test_an_isced_f_code_belongs_to_its_broad_and_narrow_fields() -> None:
    assert isced_f_path("0714") == ["07", "071", "0714"]


@pytest.mark.parametrize("given", ["0799", "12", "Underwater basket weaving"])
def test_unknown_isced_f_fields_are_refused(given: str) -> None:
    with pytest.raises(Unrecognised):
        parse_isced_f(given)


@pytest.mark.parametrize(
    ("given", "code"),
    [("en", "en"), ("EN", "en"), ("en-GB", "en"), ("English", "en"), ("Deutsch", "de"),
     ("français", "fr"), ("Francais", "fr"), ("Slovenščina", "sl")],
)  # fmt: skip
def test_languages_become_iso_639_1_codes(given: str, code: str) -> None:
    assert parse_language(given) == code


@pytest.mark.parametrize(
    ("given", "form"),
    [("Online", "online"), ("hybrid", "blended"), ("in person", "onsite"),
     ("work-based", "work_based"), ("volunteer", "volunteering")],
)  # fmt: skip
def test_participation_forms_map_onto_the_recommendations_forms(given: str, form: str) -> None:
    assert parse_participation_form(given) == form


def test_countries_are_read_as_codes_or_common_names() -> None:
    assert [parse_country(c) for c in ("at", "Austria", "DE")] == ["AT", "AT", "DE"]
    with pytest.raises(Unrecognised):
        parse_country("XX")


def test_hours_convert_at_27_5_hours_per_ects() -> None:
    assert ects_from_hours(27.5) == 1.0
    assert ects_from_hours(150) == 5.5


def test_every_value_that_does_not_normalise_is_reported_at_once() -> None:
    course = CourseDefinitionV1(
        name="X",
        description="",
        eqf_level="EQF 11",
        isced_f="cooking",
        languages=["en", "Klingon"],
        participation_forms=["telepathy"],
    )

    with pytest.raises(InvalidCourse) as raised:
        normalise(course)

    assert [e["field"] for e in raised.value.errors] == [
        "eqf_level",
        "isced_f",
        "languages.1",
        "participation_forms.0",
    ]


def test_duplicates_collapse_and_ects_given_wins_over_hours() -> None:
    course = CourseDefinitionV1(
        name=" PLC ",
        description="d",
        ects=6,
        workload_hours=100,
        languages=["en", "English", "de"],
        participation_forms=["online", "remote"],
        tags=["PLC", "plc"],
    )

    definition = normalise(course)

    assert definition.name == "PLC"
    assert definition.ects == 6
    assert not definition.ects_from_hours
    assert definition.languages == ("en", "de")
    assert definition.participation_forms == ("online",)
    assert definition.tags == ("plc",)
