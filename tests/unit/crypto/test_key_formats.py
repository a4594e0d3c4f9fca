"""Key files other tools write: Multikey (32- and 64-byte secrets), JWK and PEM; and refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from joserfc.jwk import OKPKey
from microcred_shared.crypto import (
    ACCEPTED_KEY_FORMS,
    CryptoError,
    Ed25519Multikey,
    KeyFormatError,
    encode_base58btc,
    public_key_jwk,
    read_ed25519_key,
)
from microcred_shared.crypto.multibase import ED25519_PRIV_PREFIX

SEED = bytes(range(32))
MESSAGE = b"challenge"


@pytest.fixture
def private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


def raw_public(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def multikey_64(seed: bytes, public: bytes) -> dict[str, Any]:
    """The document Digital Bazaar's ed25519-multikey exports: seed then public key."""
    key = Ed25519Multikey.from_seed(seed)
    document = key.to_document()
    document["secretKeyMultibase"] = encode_base58btc(ED25519_PRIV_PREFIX + seed + public)
    return document


def pem(private_key: Ed25519PrivateKey) -> str:
    return private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()


def jwk(private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """A JWK written by another library (joserfc), not by us."""
    return dict(OKPKey.import_key(pem(private_key)).as_dict(private=True))


def signs_as(key: Ed25519Multikey, private_key: Ed25519PrivateKey) -> bool:
    return key.has_secret and private_key.public_key().verify(key.sign(MESSAGE), MESSAGE) is None


def test_a_32_byte_multikey_secret_is_read(private_key: Ed25519PrivateKey) -> None:
    document = Ed25519Multikey.from_seed(SEED).to_document(include_secret=True)
    assert signs_as(read_ed25519_key(json.dumps(document)), private_key)


def test_the_64_byte_multikey_secret_digital_bazaar_exports_is_read(
    private_key: Ed25519PrivateKey,
) -> None:
    document = multikey_64(SEED, raw_public(private_key))
    key = read_ed25519_key(json.dumps(document))
    assert signs_as(key, private_key)
    assert key.id == document["id"]


def test_a_64_byte_secret_whose_public_half_is_another_key_is_refused(
    private_key: Ed25519PrivateKey,
) -> None:
    other = raw_public(Ed25519PrivateKey.generate())
    with pytest.raises(CryptoError, match="second half is not the seed's public key"):
        read_ed25519_key(json.dumps(multikey_64(SEED, other)))


def test_a_secret_of_another_length_is_refused() -> None:
    document = Ed25519Multikey.from_seed(SEED).to_document()
    document["secretKeyMultibase"] = encode_base58btc(ED25519_PRIV_PREFIX + SEED[:31])
    with pytest.raises(CryptoError, match=r"32 bytes .* or 64"):
        read_ed25519_key(json.dumps(document))


def test_a_jwk_is_read_and_its_did_url_kid_names_the_key(private_key: Ed25519PrivateKey) -> None:
    document = jwk(private_key) | {"kid": "did:web:uni.example#key-1"}
    key = read_ed25519_key(json.dumps(document))
    assert signs_as(key, private_key)
    assert (key.id, key.controller) == ("did:web:uni.example#key-1", "did:web:uni.example")


def test_a_jwk_without_a_did_kid_is_its_own_did_key(private_key: Ed25519PrivateKey) -> None:
    key = read_ed25519_key(json.dumps(jwk(private_key) | {"kid": "some-thumbprint"}))
    assert key.controller == f"did:key:{key.public_key_multibase}"


def test_a_public_jwk_is_read_as_a_public_key(private_key: Ed25519PrivateKey) -> None:
    public = {k: v for k, v in jwk(private_key).items() if k != "d"}
    key = read_ed25519_key(json.dumps(public))
    assert not key.has_secret
    assert key.verify(private_key.sign(MESSAGE), MESSAGE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"crv": "X25519"}, "not an Ed25519 key"),
        ({"kty": "EC"}, "not an Ed25519 key"),
        ({"x": "AAAA"}, "'x' is 3 bytes"),
        ({"d": None}, "no 'd' string"),
    ],
)
def test_a_jwk_that_is_not_an_ed25519_key_is_refused(
    private_key: Ed25519PrivateKey, change: dict[str, Any], message: str
) -> None:
    with pytest.raises(KeyFormatError, match=message):
        read_ed25519_key(json.dumps(jwk(private_key) | change))


def test_a_jwk_whose_x_is_not_the_public_key_of_its_d_is_refused(
    private_key: Ed25519PrivateKey,
) -> None:
    other = jwk(Ed25519PrivateKey.generate())
    with pytest.raises(KeyFormatError, match="x is not the public key of its d"):
        read_ed25519_key(json.dumps(jwk(private_key) | {"x": other["x"]}))


def test_a_pkcs8_pem_is_read_and_named_by_the_given_verification_method(
    private_key: Ed25519PrivateKey,
) -> None:
    key = read_ed25519_key(pem(private_key), key_id="did:web:uni.example#key-1")
    assert signs_as(key, private_key)
    assert key.controller == "did:web:uni.example"


def test_a_public_pem_is_read_as_a_public_key(private_key: Ed25519PrivateKey) -> None:
    text = (
        private_key.public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    key = read_ed25519_key(text)
    assert not key.has_secret
    assert key.public_key_multibase == Ed25519Multikey.from_seed(SEED).public_key_multibase


def test_a_pem_of_another_algorithm_is_refused() -> None:
    ec = generate_private_key(SECP256R1())
    text = ec.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    with pytest.raises(KeyFormatError, match="not an Ed25519 key"):
        read_ed25519_key(text)


def test_an_encrypted_pem_is_refused(private_key: Ed25519PrivateKey) -> None:
    text = private_key.private_bytes(
        Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(b"secret")
    ).decode()
    with pytest.raises(KeyFormatError, match="unreadable PEM"):
        read_ed25519_key(text)


@pytest.mark.parametrize(
    "text", ["not json", "[1, 2]", '{"type": "Multikey"}', "-----BEGIN PRIVATE KEY-----\nxx\n"]
)
def test_anything_else_is_refused_naming_the_accepted_forms(text: str) -> None:
    with pytest.raises(KeyFormatError) as refused:
        read_ed25519_key(text)
    assert ACCEPTED_KEY_FORMS in str(refused.value)


def test_the_public_jwk_export_reads_back_as_the_same_key_in_another_library() -> None:
    key = Ed25519Multikey.from_seed(SEED, "did:web:uni.example")
    exported = public_key_jwk(key)
    assert "d" not in exported
    assert exported["kid"] == key.id
    theirs = OKPKey.import_key({k: v for k, v in exported.items() if k != "kid"})
    assert theirs.as_dict(private=False)["x"] == exported["x"]
    assert read_ed25519_key(json.dumps(exported)).public_key_multibase == key.public_key_multibase
