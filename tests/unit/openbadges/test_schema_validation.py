"""The OB 3.0 JSON Schema, read the way JSON-LD is written."""

import copy
import json
from pathlib import Path

import pytest
from microcred_shared.openbadges import (
    load_schema,
    normalise_for_schema,
    validate_achievement_credential,
)
from microcred_shared.openbadges.schema import ACHIEVEMENT_CREDENTIAL_SCHEMA

FIXTURES = Path(__file__).parents[2] / "data" / "vectors" / "1edtech-ob30"

SCHEMA_VALID = [
    "simple.json",
    "complete.json",
    "simple-context-alias.json",
    "simple-context-version.json",
    "simple-did-key-method.json",
    "simple-did-web-method.json",
    "simple-multiple-proofs.json",
    "simple-err-expired.json",
    "simple-err-proof-value.json",
]

# fixture → (JSON pointer of the violation, a word the message must contain)
SCHEMA_INVALID = {
    "simple-err-type.json": ("/type", "OpenBadgeCredential"),
    "simple-err-issuer.json": ("", "issuer"),
    "simple-err-context.json": ("/@context", "too short"),
    "simple-err-credential-subject-type.json": ("/credentialSubject/type", "AchievementSubject"),
    "simple-err-credential-subject-result-type.json": (
        "/credentialSubject/result/1/type",
        "Result",
    ),
    "simple-err-credential-subject-identifier-type.json": (
        "/credentialSubject/identifier/0/type",
        "IdentityObject",
    ),
    "simple-err-credential-subject-profile-type.json": (
        "/credentialSubject/source/type",
        "Profile",
    ),
    "simple-err-credential-subject-achievement-result-description-type.json": (
        "/credentialSubject/achievement/resultDescription/2/type",
        "ResultDescription",
    ),
    "simple-err-evidence-type.json": ("/evidence/1/type", "Evidence"),
    "simple-err-issuer-type.json": ("/issuer/type", "Profile"),
    "simple-err-issuer-parentorg-type.json": ("/issuer/parentOrg/type", "Profile"),
    "simple-err-issuer-otheridentifier-type.json": (
        "/issuer/otherIdentifier/1/type",
        "IdentifierEntry",
    ),
}


def _load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text("utf-8"))


@pytest.mark.parametrize("name", SCHEMA_VALID)
def test_valid_1edtech_fixtures_pass_the_schema(name: str) -> None:
    assert validate_achievement_credential(_load(name)) == []


@pytest.mark.parametrize(("name", "expected"), sorted(SCHEMA_INVALID.items()))
def test_each_invalid_1edtech_fixture_fails_at_its_own_path(
    name: str, expected: tuple[str, str]
) -> None:
    path, word = expected
    errors = validate_achievement_credential(_load(name))
    assert any(e.path == path and word in e.message for e in errors), [str(e) for e in errors]


def test_a_single_proof_object_is_read_as_a_one_element_array() -> None:
    doc = _load("simple.json")
    doc["proof"] = doc["proof"][0] if isinstance(doc["proof"], list) else doc["proof"]
    assert isinstance(doc["proof"], dict)
    assert validate_achievement_credential(doc) == []


def test_single_values_for_nested_arrays_are_normalised_too() -> None:
    doc = _load("complete.json")
    doc["credentialSubject"]["type"] = "AchievementSubject"
    doc["issuer"]["type"] = "Profile"
    assert validate_achievement_credential(doc) == []


def test_a_single_context_string_is_normalised_then_fails_for_lacking_the_ob_context() -> None:
    doc = _load("simple.json")
    doc["@context"] = "https://www.w3.org/ns/credentials/v2"
    errors = validate_achievement_credential(doc)
    assert [e.path for e in errors] == ["/@context"]
    assert "too short" in errors[0].message


def test_a_single_type_string_is_normalised_then_fails_for_lacking_the_badge_type() -> None:
    doc = _load("simple.json")
    doc["type"] = "VerifiableCredential"
    errors = validate_achievement_credential(doc)
    assert [e.path for e in errors] == ["/type"]
    assert "OpenBadgeCredential" in errors[0].message


def test_a_malformed_date_fails_with_the_field_named() -> None:
    doc = _load("simple.json")
    doc["validFrom"] = "yesterday"
    errors = validate_achievement_credential(doc)
    assert [(e.path, e.keyword) for e in errors] == [("/validFrom", "format")]


def test_a_string_where_an_object_is_required_is_a_real_violation() -> None:
    doc = _load("simple.json")
    doc["credentialSubject"] = "did:example:123"
    errors = validate_achievement_credential(doc)
    assert any(e.path == "/credentialSubject" for e in errors)


def test_normalising_does_not_change_the_input_document() -> None:
    doc = _load("simple.json")
    doc["proof"] = doc["proof"][0] if isinstance(doc["proof"], list) else doc["proof"]
    before = copy.deepcopy(doc)
    normalise_for_schema(doc, load_schema(ACHIEVEMENT_CREDENTIAL_SCHEMA))
    assert doc == before


def test_non_object_input_is_reported_not_raised() -> None:
    assert validate_achievement_credential([1, 2, 3])
    assert validate_achievement_credential("text")
