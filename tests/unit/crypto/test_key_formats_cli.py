"""``microcred sign`` and ``microcred keys show`` with keys other tools wrote (JWK, PEM, the
64-byte Multikey secret), and the refusal of anything else."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crypto_data import RICH, load
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from joserfc.jwk import OKPKey
from microcred_shared.crypto import (
    ACCEPTED_KEY_FORMS,
    Ed25519Multikey,
    StaticKeyResolver,
    encode_base58btc,
    verify_proofs,
)
from microcred_shared.crypto.multibase import ED25519_PRIV_PREFIX
from typer.testing import CliRunner

from microcred.cli import app

runner = CliRunner()
DID_WEB = "did:web:uni.example"


@pytest.fixture
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def pem_file(tmp_path: Path, private_key: Ed25519PrivateKey) -> Path:
    path = tmp_path / "key.pem"
    path.write_bytes(private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    return path


def jwk_file(tmp_path: Path, private_key: Ed25519PrivateKey, **extra: str) -> Path:
    path = tmp_path / "key.jwk"
    pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.write_text(json.dumps(dict(OKPKey.import_key(pem).as_dict(private=True)) | extra))
    return path


def credential_file(tmp_path: Path, issuer: str) -> Path:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(load(RICH) | {"issuer": issuer}), "utf-8")
    return path


def sign(*args: str | Path) -> dict[str, Any]:
    result = runner.invoke(app, ["sign", *map(str, args)])
    assert result.exit_code == 0, result.output
    signed: dict[str, Any] = json.loads(result.stdout)
    return signed


def verifies_with(signed: dict[str, Any], private_key: Ed25519PrivateKey, vm_id: str) -> bool:
    public = Ed25519Multikey.from_private_key(private_key, key_id=vm_id).public_only()
    return verify_proofs(signed, StaticKeyResolver.from_documents(public.to_document())).verified


def test_sign_with_a_pkcs8_pem_as_a_did_web_verification_method(
    tmp_path: Path, private_key: Ed25519PrivateKey
) -> None:
    vm_id = f"{DID_WEB}#key-1"
    signed = sign(
        "--key",
        pem_file(tmp_path, private_key),
        "--verification-method",
        vm_id,
        credential_file(tmp_path, DID_WEB),
    )
    assert signed["proof"]["verificationMethod"] == vm_id
    assert verifies_with(signed, private_key, vm_id)


def test_sign_with_a_jwk_named_by_its_kid(tmp_path: Path, private_key: Ed25519PrivateKey) -> None:
    vm_id = f"{DID_WEB}#key-2"
    signed = sign(
        "--key",
        jwk_file(tmp_path, private_key, kid=vm_id),
        credential_file(tmp_path, DID_WEB),
    )
    assert signed["proof"]["verificationMethod"] == vm_id
    assert verifies_with(signed, private_key, vm_id)


def test_sign_with_a_pem_and_no_name_signs_as_its_did_key(
    tmp_path: Path, private_key: Ed25519PrivateKey
) -> None:
    did = Ed25519Multikey.from_private_key(private_key).controller
    signed = sign("--key", pem_file(tmp_path, private_key), credential_file(tmp_path, did))
    assert verify_proofs(signed).verified  # did:key resolves offline


def test_sign_with_the_64_byte_multikey_secret(tmp_path: Path) -> None:
    key = Ed25519Multikey.generate()
    seed = bytes.fromhex(_seed_hex(key))
    public = key.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    document = key.to_document() | {
        "secretKeyMultibase": encode_base58btc(ED25519_PRIV_PREFIX + seed + public)
    }
    path = tmp_path / "dbkey.json"
    path.write_text(json.dumps(document))
    signed = sign("--key", path, credential_file(tmp_path, key.controller))
    assert verify_proofs(signed).verified


def _seed_hex(key: Ed25519Multikey) -> str:
    assert key.private_key is not None
    return key.private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def test_sign_refuses_a_key_file_of_no_accepted_form(tmp_path: Path) -> None:
    path = tmp_path / "rsa.json"
    path.write_text(json.dumps({"kty": "RSA", "n": "AQAB", "e": "AQAB"}))
    result = runner.invoke(app, ["sign", "--key", str(path), str(RICH)])
    assert result.exit_code == 2
    assert ACCEPTED_KEY_FORMS.split(" (")[0] in result.output  # names the accepted forms
    assert result.stdout == ""


@pytest.mark.parametrize("form", ["pem", "jwk"])
def test_keys_show_prints_the_public_key_as_jwk_and_multikey_never_the_secret(
    tmp_path: Path, private_key: Ed25519PrivateKey, form: str
) -> None:
    path = pem_file(tmp_path, private_key) if form == "pem" else jwk_file(tmp_path, private_key)
    expected = Ed25519Multikey.from_private_key(private_key)
    as_jwk = runner.invoke(app, ["keys", "show", str(path), "--format", "jwk"])
    assert as_jwk.exit_code == 0, as_jwk.output
    jwk = json.loads(as_jwk.stdout)
    assert set(jwk) == {"kty", "crv", "x", "kid"}
    assert (
        OKPKey.import_key({k: v for k, v in jwk.items() if k != "kid"}).as_dict()["x"] == (jwk["x"])
    )
    as_multikey = runner.invoke(
        app, ["keys", "show", str(path), "--verification-method", f"{DID_WEB}#key-1"]
    )
    assert as_multikey.exit_code == 0, as_multikey.output
    document = json.loads(as_multikey.stdout)
    assert "secretKeyMultibase" not in document
    assert document["publicKeyMultibase"] == expected.public_key_multibase
    assert (document["id"], document["controller"]) == (f"{DID_WEB}#key-1", DID_WEB)


def test_keys_show_refuses_a_64_byte_secret_whose_halves_disagree(tmp_path: Path) -> None:
    key = Ed25519Multikey.generate()
    other = Ed25519Multikey.generate().public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    document = key.to_document() | {
        "secretKeyMultibase": encode_base58btc(
            ED25519_PRIV_PREFIX + bytes.fromhex(_seed_hex(key)) + other
        )
    }
    path = tmp_path / "mismatch.json"
    path.write_text(json.dumps(document))
    result = runner.invoke(app, ["keys", "show", str(path)])
    assert result.exit_code == 2
    assert "not the seed's public key" in result.output


def test_keys_import_refuses_a_public_key_before_calling_the_issuer(
    tmp_path: Path, private_key: Ed25519PrivateKey
) -> None:
    public = tmp_path / "public.pem"
    public.write_bytes(
        private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    options = ["--provider", "uni-a", "--issuer-url", "http://127.0.0.1:9", "--api-key", "k"]
    refused = runner.invoke(app, ["keys", "import", str(public), *options])
    assert refused.exit_code == 2  # the no_network fixture fails the test on any connection
    assert "public key only" in refused.output
