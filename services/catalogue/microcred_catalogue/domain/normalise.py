"""A partner's course definition, as written, into a normalised :class:`Definition`.

Every field is checked and every problem reported at once (field -> what was expected), so a
partner fixes their feed in one round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from microcred_shared.events.contracts.partner import CourseDefinitionV1

from .achievements import Definition, Skill
from .translations import Texts, parse_language_tag
from .vocabularies import (
    Unrecognised,
    ects_from_hours,
    parse_eqf_level,
    parse_isced_f,
    parse_language,
    parse_participation_form,
)

T = TypeVar("T")


class InvalidCourse(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['error']}" for e in errors))
        self.errors = errors


class _Collector:
    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def one(self, field: str, value: Any, parse: Callable[[Any], T]) -> T | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse(value)
        except Unrecognised as error:
            self.errors.append({"field": field, "error": str(error)})
            return None

    def each(
        self, field: str, values: Iterable[str], parse: Callable[[str], str]
    ) -> tuple[str, ...]:
        parsed = (self.one(f"{field}.{i}", value, parse) for i, value in enumerate(values))
        return tuple(dict.fromkeys(value for value in parsed if value is not None))


def normalise(course: CourseDefinitionV1) -> Definition:
    """Raise :class:`InvalidCourse` listing every value that does not normalise."""
    collect = _Collector()
    eqf_level = collect.one("eqf_level", course.eqf_level, parse_eqf_level)
    isced_f_code = collect.one("isced_f", course.isced_f, parse_isced_f)
    languages = collect.each("languages", course.languages, parse_language)
    forms = collect.each(
        "participation_forms", course.participation_forms, parse_participation_form
    )
    if not course.name.strip():
        collect.errors.append({"field": "name", "error": "the title is empty"})
    primary_language, translations = _languages_of_texts(course, languages, collect)
    if collect.errors:
        raise InvalidCourse(collect.errors)
    ects, from_hours = _ects(course)
    return Definition(
        name=course.name.strip(),
        description=course.description.strip(),
        criteria=_text(course.criteria),
        learning_outcomes=_texts(course.learning_outcomes),
        ects=ects,
        workload_hours=course.workload_hours,
        ects_from_hours=from_hours,
        eqf_level=eqf_level,
        isced_f_code=isced_f_code,
        languages=languages,
        participation_forms=forms,
        assessment_type=_text(course.assessment_type),
        quality_assurance=_text(course.quality_assurance),
        prerequisites=_texts(course.prerequisites),
        identity_verification=_text(course.identity_verification),
        supervision=_text(course.supervision),
        grading_scheme=_text(course.grading_scheme),
        stackability=_text(course.stackability),
        further_information=_text(course.further_information),
        skills=tuple(
            Skill(s.name.strip(), s.url.strip(), _text(s.framework), _text(s.code))
            for s in course.skills
        ),
        tags=_texts(tag.lower() for tag in course.tags),
        primary_language=primary_language,
        translations=translations,
    )


def _languages_of_texts(
    course: CourseDefinitionV1, languages: tuple[str, ...], collect: _Collector
) -> tuple[str | None, dict[str, Texts]]:
    """The texts' primary language (declared, else the first language of instruction) and
    the translations by canonical BCP 47 tag."""
    primary = collect.one("primary_language", course.primary_language, parse_language_tag)
    if primary is None and course.primary_language is None and languages:
        primary = languages[0]
    if course.translations and primary is None and course.primary_language is None:
        collect.errors.append({"field": "primary_language", "error": "required with translations"})
    translations: dict[str, Texts] = {}
    for written, texts in course.translations.items():
        tag = collect.one(f"translations.{written}", written, parse_language_tag)
        if tag is None:
            continue
        if tag == primary:
            collect.errors.append(
                {
                    "field": f"translations.{written}",
                    "error": "the primary language's texts are the course's own fields",
                }
            )
        elif tag in translations:
            collect.errors.append({"field": f"translations.{written}", "error": "given twice"})
        else:
            translations[tag] = Texts(
                name=_text(texts.name),
                description=_text(texts.description),
                criteria=_text(texts.criteria),
                learning_outcomes=_texts(texts.learning_outcomes),
            )
    return primary, translations


def _ects(course: CourseDefinitionV1) -> tuple[float | None, bool]:
    if course.ects is not None:
        return course.ects, False
    if course.workload_hours is not None:
        return ects_from_hours(course.workload_hours), True
    return None, False


def _text(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
