"""The CLR 2.0 ClrCredential schema: 1EdTech's file, read with VC 2.0's date names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from microcred_shared.crypto import OfflineDocumentLoader, check_safe_mode
from microcred_shared.openbadges import CLR_CREDENTIAL_SCHEMA, load_schema, validate_clr_credential
from microcred_shared.openbadges.clr import VC2_DATE_NAMES, clr_schema

SAMPLE = Path(__file__).parents[2] / "data" / "vectors" / "1edtech-clr20" / "simple.json"


@pytest.fixture
def sample() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    return loaded


def test_1edtechs_clr_sample_is_valid(sample: dict[str, Any]) -> None:
    assert validate_clr_credential(sample) == []


def test_the_sample_reads_as_json_ld_with_the_bundled_clr_context(sample: dict[str, Any]) -> None:
    check_safe_mode(
        {k: v for k, v in sample.items() if k != "proof"}, loader=OfflineDocumentLoader()
    )


def test_an_association_type_outside_the_clr_vocabulary_is_refused(sample: dict[str, Any]) -> None:
    sample["credentialSubject"]["association"][0]["associationType"] = "isBossOf"
    [error] = validate_clr_credential(sample)
    assert error.path == "/credentialSubject/association/0/associationType"


def test_a_clr_without_valid_from_is_refused(sample: dict[str, Any]) -> None:
    del sample["validFrom"]
    assert [e.message for e in validate_clr_credential(sample)] == [
        "'validFrom' is a required property"
    ]


def test_an_embedded_credential_without_valid_from_is_refused(sample: dict[str, Any]) -> None:
    del sample["credentialSubject"]["verifiableCredential"][0]["validFrom"]
    assert validate_clr_credential(sample)


def test_a_clr_subject_without_credentials_is_refused(sample: dict[str, Any]) -> None:
    sample["credentialSubject"]["verifiableCredential"] = []
    assert validate_clr_credential(sample)


def test_a_bitstring_status_entry_is_accepted_as_the_ob_3_schema_accepts_it(
    sample: dict[str, Any],
) -> None:
    sample["credentialSubject"]["verifiableCredential"][0]["credentialStatus"] = {
        "id": "https://issuer.example/status-lists/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "7",
        "statusListCredential": "https://issuer.example/status-lists/1",
    }
    assert validate_clr_credential(sample) == []


def test_the_dates_and_the_open_status_entry_are_the_only_changes_made_to_the_schema() -> None:
    original = load_schema(CLR_CREDENTIAL_SCHEMA)
    text = json.dumps(original)
    for old, new in VC2_DATE_NAMES.items():
        assert new not in text
        text = text.replace(f'"{old}"', f'"{new}"')
    expected = json.loads(text)
    expected["$defs"]["CredentialStatus"]["additionalProperties"] = True
    assert original["$defs"]["CredentialStatus"]["additionalProperties"] is False
    assert expected == clr_schema()
