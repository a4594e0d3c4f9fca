"""Credential ids: one per completion (or pathway award), and underivable without the key."""

import json
import uuid
from pathlib import Path

import pytest
from microcred_issuer.config import IssuerSettings
from microcred_issuer.domain.ids import CredentialIds
from pydantic import ValidationError

from microcred.ecosystem.secrets import SECRET_NAMES, dev_secrets

IDS = CredentialIds(b"the-issuer-credential-id-key")
GUESS = "registrar/ada.lovelace@example.org/MECH-1"


def test_the_same_completion_always_names_the_same_credential() -> None:
    assert IDS.of_completion("uni-a", GUESS) == IDS.of_completion("uni-a", GUESS)
    assert IDS.of_completion("uni-a", GUESS) != IDS.of_completion("college-b", GUESS)
    assert IDS.of_completion("uni-a", "c-1") != IDS.of_completion("uni-a", "c-2")


def test_a_guessed_email_cannot_be_tested_against_an_id_without_the_issuers_key() -> None:
    published = IDS.of_completion("uni-a", GUESS)
    # What anyone could compute before: an unkeyed uuid5 of the same inputs.
    namespace = uuid.UUID("5b0c8f5e-3f7e-4a43-9a55-6d1f0c2a9e41")
    unkeyed = uuid.uuid5(namespace, "\x1f".join(("completion", "uni-a", GUESS)))
    assert published != str(unkeyed)
    assert published != CredentialIds(b"a-guessed-key").of_completion("uni-a", GUESS)


def test_a_pathway_award_is_keyed_too_and_never_collides_with_a_completion() -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    award = IDS.of_pathway_award("mechatronics", did)
    assert award == IDS.of_pathway_award("mechatronics", did)
    assert award != CredentialIds(b"another-key").of_pathway_award("mechatronics", did)
    assert award != IDS.of_completion("mechatronics", did)


def test_an_id_is_an_rfc_9562_version_8_uuid() -> None:
    parsed = uuid.UUID(IDS.of_completion("uni-a", "c-1"))
    assert parsed.version == 8
    assert parsed.variant == uuid.RFC_4122


def test_no_key_is_refused() -> None:
    with pytest.raises(ValueError, match="key"):
        CredentialIds(b"")


def test_a_placeholder_credential_id_key_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="credential_id_key"):
        IssuerSettings(
            environment="production",
            key_encryption_key="a-real-key-encryption-key-0123",
            learner_salt_key="a-real-learner-salt-key-0123",
            admin_token="a-real-admin-token-0123456",
        )


def test_a_new_development_secret_is_added_without_changing_the_ones_already_made(
    tmp_path: Path,
) -> None:
    first = dev_secrets(tmp_path)
    older = {name: value for name, value in first.items() if name != "ISSUER_CREDENTIAL_ID_KEY"}
    (tmp_path / "dev-secrets.json").write_text(json.dumps(older))

    again = dev_secrets(tmp_path)

    assert set(again) == set(SECRET_NAMES)
    assert {name: again[name] for name in older} == older
    assert again["ISSUER_CREDENTIAL_ID_KEY"]
