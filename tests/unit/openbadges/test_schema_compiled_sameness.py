"""The compiled validator (jsonschema-rs) passes and fails exactly the documents the Python
``jsonschema`` validator passes and fails: the official 1EdTech fixtures, the rich credential,
every shape our issuer signs, and those documents with each leaf altered, retyped or removed."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from microcred_shared.openbadges import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    load_schema,
    normalise_for_schema,
    validate_achievement_credential,
    validate_against,
)
from microcred_shared.openbadges import schema as ob_schema
from microcred_shared.openbadges.schema import (
    _passes,
    _top_level_arrays,
    _validator,
    _written_form_decides,
)

from tests.reliability import mutations as m
from tests.unit.crypto.test_fast_path_issuer_shapes import issued_documents

DATA = Path(__file__).resolve().parents[2] / "data"
FIXTURES = sorted((DATA / "vectors" / "1edtech-ob30").glob("*.json"))
RICH = DATA / "credentials" / "rich-openbadge.json"
RETYPED: tuple[Any, ...] = (None, 1, 2.5, True, "", "not-a-date", {}, [], ["x"], {"id": "x"})


def verdicts(schema_name: str, document: Any) -> tuple[bool, bool]:
    """(compiled verdict, Python verdict) for ``document`` as the validator reads it; and
    ``validate_against`` (which tries the written form first) answers the Python verdict."""
    normalised = normalise_for_schema(document, load_schema(schema_name))
    python_passes = not any(True for _ in _validator(schema_name).iter_errors(normalised))
    assert (validate_against(schema_name, document) == []) == python_passes
    return _passes(schema_name, normalised), python_passes


def variants(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield document
    for path in m.leaves(document):
        yield m.set_at(document, path, m.altered(m.get(document, path)))
        for value in RETYPED:
            yield m.set_at(document, path, value)
    for path in m.members(document):
        yield m.removed_at(document, path)


def load(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return loaded


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_each_1edtech_fixture_gets_one_verdict_from_both_validators(path: Path) -> None:
    for schema_name in (ACHIEVEMENT_CREDENTIAL_SCHEMA, ENDORSEMENT_CREDENTIAL_SCHEMA):
        compiled, python = verdicts(schema_name, load(path))
        assert compiled == python, schema_name


def test_the_rich_credential_and_its_mutations_get_one_verdict_from_both_validators() -> None:
    seen = set()
    for document in variants(load(RICH)):
        compiled, python = verdicts(ACHIEVEMENT_CREDENTIAL_SCHEMA, document)
        assert compiled == python, document
        seen.add(python)
    assert seen == {True, False}


def test_every_issued_shape_and_its_mutations_get_one_verdict_from_both_validators() -> None:
    for signed in asyncio.run(issued_documents()):
        for document in variants(signed):
            schema_name = (
                ACHIEVEMENT_CREDENTIAL_SCHEMA
                if "OpenBadgeCredential" in document.get("type", [])
                else ENDORSEMENT_CREDENTIAL_SCHEMA
            )
            compiled, python = verdicts(schema_name, document)
            assert compiled == python


def test_a_value_the_compiled_validator_cannot_take_is_reported_by_the_python_one() -> None:
    document = load(RICH)
    document["credentialSubject"]["creditsEarned"] = math.nan
    document["credentialSubject"]["achievement"]["creditsAvailable"] = 10**30
    assert verdicts(ACHIEVEMENT_CREDENTIAL_SCHEMA, document)[0] is False
    assert validate_achievement_credential(document) == []  # both are numbers to jsonschema


def test_a_failing_document_still_lists_the_python_validator_s_path_and_message() -> None:
    document = load(RICH)
    document["validFrom"] = "30 June 2025"
    errors = validate_achievement_credential(document)
    assert [(e.path, e.keyword) for e in errors] == [("/validFrom", "format")]
    assert errors[0].message == "'30 June 2025' is not a 'date-time'"


def test_the_bundled_schemas_let_a_document_valid_as_written_skip_normalising() -> None:
    assert _written_form_decides(ACHIEVEMENT_CREDENTIAL_SCHEMA)
    assert _written_form_decides(ENDORSEMENT_CREDENTIAL_SCHEMA)


def test_a_document_valid_as_written_is_left_as_it_is_by_normalising() -> None:
    schema = load_schema(ACHIEVEMENT_CREDENTIAL_SCHEMA)
    valid_as_written = 0
    for document in [*map(load, FIXTURES), *variants(load(RICH))]:
        written = _top_level_arrays(document, schema)
        if _passes(ACHIEVEMENT_CREDENTIAL_SCHEMA, written):
            assert normalise_for_schema(written, schema) == written
            assert normalise_for_schema(document, schema) == written
            valid_as_written += 1
    assert valid_as_written > 10


def test_a_schema_with_an_untyped_alternative_takes_the_long_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = {"type": "object", "properties": {"a": {"anyOf": [{"type": "string"}, {"enum": [1]}]}}}
    monkeypatch.setattr(ob_schema, "load_schema", lambda name: schema)
    assert not ob_schema._written_form_decides.__wrapped__("x")
