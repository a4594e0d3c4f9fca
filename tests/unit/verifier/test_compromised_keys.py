"""A key its issuer reported compromised: whatever a proof's ``created`` says, nothing that key
signed verifies (online, from the issuer.keys projection, and offline, from a key file)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from microcred_shared.crypto import (
    Ed25519Multikey,
    StaticKeyResolver,
    VerificationMethodEntry,
    did_web_document,
    sign,
)
from microcred_verifier.adapters.mapping import resolved_keys
from microcred_verifier.domain.checks_crypto import check_issuer_key
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import CheckStatus, Freshness
from typer.testing import CliRunner

from microcred.cli import app

DID = "did:web:issuer.example:issuers:uni-a"
SIGNED_AT = datetime(2025, 3, 1, tzinfo=UTC)  # before the compromise
COMPROMISED_AT = datetime(2025, 6, 1, tzinfo=UTC)
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _signed_by(key: Ed25519Multikey) -> dict[str, Any]:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": DID,
        "validFrom": "2025-03-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
    }
    return sign(credential, key, suite="eddsa-jcs-2022", created=SIGNED_AT)


def _keys(revoked: datetime | None) -> tuple[Ed25519Multikey, dict[str, Any]]:
    key = Ed25519Multikey.generate(controller=DID, key_id=f"{DID}#key-1")
    entry = VerificationMethodEntry(key.public_key_multibase, fragment="key-1", revoked=revoked)
    return key, did_web_document(DID, [entry])


def _key_check(document: dict[str, Any], did_document: dict[str, Any]) -> Any:
    resolver = StaticKeyResolver.from_documents(did_document)
    return check_issuer_key(document, Knowledge(resolver, Freshness("test")))


def test_a_credential_signed_before_the_reported_compromise_is_still_refused() -> None:
    key, did_document = _keys(revoked=COMPROMISED_AT)
    result = _key_check(_signed_by(key), did_document)
    assert result.status is CheckStatus.FAILED
    assert "signed with a key its issuer reported compromised on 2025-06-01T00:00:00Z" in (
        result.reason
    )


def test_the_same_key_not_reported_compromised_passes() -> None:
    key, did_document = _keys(revoked=None)
    assert _key_check(_signed_by(key), did_document).status is CheckStatus.PASSED


def test_the_projection_reads_when_a_v2_event_says_a_key_was_compromised() -> None:
    key = Ed25519Multikey.generate()
    stored = {
        "did": DID,
        "verification_methods": [
            {
                "id": f"{DID}#key-1",
                "public_key_multibase": key.public_key_multibase,
                "status": "revoked",
                "valid_from": "2025-01-01T00:00:00Z",
                "valid_until": "2025-06-02T00:00:00Z",
                "revoked_at": "2025-06-01T00:00:00Z",
            },
            {
                "id": f"{DID}#key-2",
                "public_key_multibase": Ed25519Multikey.generate().public_key_multibase,
                "status": "active",
                "valid_from": "2025-06-02T00:00:00Z",
            },
        ],
    }
    compromised, current = resolved_keys(stored)
    assert compromised.revoked == COMPROMISED_AT
    assert current.revoked is None


def test_the_offline_cli_refuses_a_credential_whose_key_file_marks_the_key_revoked(
    tmp_path: Path,
) -> None:
    key, did_document = _keys(revoked=COMPROMISED_AT)
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps(_signed_by(key)), "utf-8")
    keys = tmp_path / "did.json"
    keys.write_text(json.dumps(did_document), "utf-8")

    result = CliRunner().invoke(
        app, ["verify", "--json", "--now", NOW.isoformat(), "--keys", str(keys), str(credential)]
    )

    assert result.exit_code == 1, result.output
    outcome = json.loads(result.stdout)
    assert outcome["verdict"] == "not_verified"
    key_check = next(c for c in outcome["checks"] if c["name"] == "issuer_key")
    assert "reported compromised on 2025-06-01" in key_check["reason"]
