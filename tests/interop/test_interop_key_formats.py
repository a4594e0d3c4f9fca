"""Keys made by another tool sign through ``microcred sign``: a key pair generated and exported
by Digital Bazaar's ``@digitalbazaar/ed25519-multikey`` (its 64-byte secretKeyMultibase), and
the same key as node's crypto (OpenSSL) writes it, a JWK and a PKCS#8 PEM. Each signature must
verify in Digital Bazaar's stack and in ours.

Install the JS side with ``tests/interop/install.sh``; without it these tests skip, unless
``MICROCRED_REQUIRE_INTEROP=1`` makes a missing stack a failure.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from microcred_shared.crypto import (
    Ed25519Multikey,
    StaticKeyResolver,
    decode_base58btc,
    encode_base58btc,
    verify_proofs,
)
from typer.testing import CliRunner

from microcred.cli import app
from tests.interop.js_stack import JS, require_js_package

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
RICH = HERE.parent / "data" / "credentials" / "rich-openbadge.json"
DID_WEB = "did:web:uni.example"

runner = CliRunner()


@pytest.fixture(scope="module", autouse=True)
def js_stack() -> None:
    require_js_package("ed25519-multikey")


def node(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(JS / script), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def generated_by_digital_bazaar(*args: str) -> dict[str, Any]:
    result = node("keygen.mjs", *args)
    assert result.returncode == 0, result.stderr
    exported: dict[str, Any] = json.loads(result.stdout)
    return exported


def key_file(tmp_path: Path, exported: dict[str, Any], form: str) -> Path:
    path = tmp_path / f"key.{form}"
    value = exported[form]
    path.write_text(value if isinstance(value, str) else json.dumps(value), "utf-8")
    return path


def credential_file(tmp_path: Path, issuer: str) -> Path:
    credential = json.loads(RICH.read_text("utf-8"))
    credential["issuer"]["id"] = issuer
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential), "utf-8")
    return path


def microcred_sign(*args: str | Path) -> dict[str, Any]:
    result = runner.invoke(app, ["sign", *map(str, args)])
    assert result.exit_code == 0, result.output
    signed: dict[str, Any] = json.loads(result.stdout)
    return signed


def js_verifies(tmp_path: Path, signed: dict[str, Any], keys: Path | None = None) -> bool:
    path = tmp_path / "signed.json"
    path.write_text(json.dumps(signed), "utf-8")
    result = node("di.mjs", "verify", *(["--keys", keys] if keys else []), path)
    assert result.returncode in (0, 1), result.stderr
    return bool(json.loads(result.stdout)["verified"])


@pytest.mark.parametrize("form", ["multikey", "jwk", "pem"])
def test_a_digital_bazaar_key_signs_through_microcred_and_verifies_in_both(
    tmp_path: Path, form: str
) -> None:
    exported = generated_by_digital_bazaar()
    # No controller: the key is its own did:key, which both stacks resolve offline.
    secret = exported["multikey"]["secretKeyMultibase"]
    assert len(secret) > 60, "expected the 64-byte seed-and-public-key export"
    did = f"did:key:{exported['multikey']['publicKeyMultibase']}"
    signed = microcred_sign(
        "--key", key_file(tmp_path, exported, form), credential_file(tmp_path, did)
    )
    assert js_verifies(tmp_path, signed)
    ours = verify_proofs(signed)
    assert ours.verified, ours.reason
    assert ours.controllers == {did}


@pytest.mark.parametrize("form", ["multikey", "pem"])
def test_a_digital_bazaar_key_signs_as_a_did_web_verification_method(
    tmp_path: Path, form: str
) -> None:
    exported = generated_by_digital_bazaar("--controller", DID_WEB)
    vm_id = exported["multikey"]["id"]
    signed = microcred_sign(
        "--key",
        key_file(tmp_path, exported, form),
        "--verification-method",
        vm_id,
        credential_file(tmp_path, DID_WEB),
    )
    assert signed["proof"]["verificationMethod"] == vm_id
    public = Ed25519Multikey.from_document(exported["multikey"]).public_only().to_document()
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps([public]), "utf-8")
    assert js_verifies(tmp_path, signed, keys)
    assert verify_proofs(signed, StaticKeyResolver.from_documents(public)).verified


def test_a_did_web_document_that_names_another_key_verifies_in_neither(tmp_path: Path) -> None:
    exported = generated_by_digital_bazaar("--controller", DID_WEB)
    impostor = generated_by_digital_bazaar("--controller", DID_WEB)["multikey"]
    vm_id = exported["multikey"]["id"]
    signed = microcred_sign(
        "--key",
        key_file(tmp_path, exported, "pem"),
        "--verification-method",
        vm_id,
        credential_file(tmp_path, DID_WEB),
    )
    # The published document lists, under the signing method's id, a key that is not its own.
    published = Ed25519Multikey.from_document(impostor).public_only().to_document()
    published["id"] = vm_id
    keys = tmp_path / "published.json"
    keys.write_text(json.dumps([published]), "utf-8")
    assert not js_verifies(tmp_path, signed, keys)
    assert not verify_proofs(signed, StaticKeyResolver.from_documents(published)).verified


def test_a_digital_bazaar_export_whose_halves_disagree_is_refused(tmp_path: Path) -> None:
    exported = generated_by_digital_bazaar()["multikey"]
    other = generated_by_digital_bazaar()["multikey"]
    # Digital Bazaar's layout: multicodec prefix (2 bytes), seed (32), public key (32).
    seed = decode_base58btc(exported["secretKeyMultibase"])[:34]
    foreign_public = decode_base58btc(other["secretKeyMultibase"])[34:]
    mixed = exported | {"secretKeyMultibase": encode_base58btc(seed + foreign_public)}
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(mixed), "utf-8")
    did = f"did:key:{exported['publicKeyMultibase']}"
    result = runner.invoke(app, ["sign", "--key", str(path), str(credential_file(tmp_path, did))])
    assert result.exit_code == 2
    assert "not the seed's public key" in result.output
