"""Keys, multibase, did:key and did:web: round trips and known values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crypto_data import W3C, load
from microcred_shared.crypto import (
    ChainResolver,
    DidError,
    DidKeyResolver,
    Ed25519Multikey,
    KeyResolutionError,
    MultibaseError,
    StaticKeyResolver,
    VerificationMethodEntry,
    decode_ed25519_public,
    decode_ed25519_secret,
    did_key_document,
    did_key_vm_id,
    did_web_document,
    did_web_to_url,
    encode_ed25519_public,
    encode_ed25519_secret,
    keys_from_document,
    multibase_from_did_key,
    url_to_did_web,
)
from microcred_shared.crypto.multibase import decode_base58btc, encode_base58btc

W3C_PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


def test_the_w3c_secret_key_derives_the_w3c_public_key() -> None:
    pair = load(W3C / "keyPair.json")
    key = Ed25519Multikey.from_document(pair)
    assert key.public_key_multibase == pair["publicKeyMultibase"] == W3C_PUBLIC
    assert key.secret_key_multibase == pair["privateKeyMultibase"]
    assert key.id == f"did:key:{W3C_PUBLIC}#{W3C_PUBLIC}"
    assert key.controller == f"did:key:{W3C_PUBLIC}"


def test_multikey_document_round_trips_with_and_without_the_secret() -> None:
    key = Ed25519Multikey.generate()
    doc = key.to_document(include_secret=True)
    assert doc["@context"] == "https://w3id.org/security/multikey/v1"
    assert doc["type"] == "Multikey"
    assert doc["publicKeyMultibase"].startswith("z6Mk")
    assert doc["secretKeyMultibase"].startswith("z3u2")
    again = Ed25519Multikey.from_document(doc)
    assert again.public_key_multibase == key.public_key_multibase
    assert again.secret_key_multibase == key.secret_key_multibase
    public = Ed25519Multikey.from_document(key.to_document())
    assert not public.has_secret
    assert "secretKeyMultibase" not in key.to_document()
    assert key.secret_key_multibase not in repr(key)


def test_a_secret_that_does_not_match_the_public_key_is_refused() -> None:
    a, b = Ed25519Multikey.generate(), Ed25519Multikey.generate()
    doc = a.to_document() | {"secretKeyMultibase": b.secret_key_multibase}
    with pytest.raises(MultibaseError, match="does not belong"):
        Ed25519Multikey.from_document(doc)


def test_public_only_keys_cannot_sign() -> None:
    key = Ed25519Multikey.generate().public_only()
    with pytest.raises(MultibaseError):
        key.sign(b"x")
    with pytest.raises(MultibaseError):
        _ = key.secret_key_multibase


def test_sign_and_verify_raw_bytes() -> None:
    key = Ed25519Multikey.from_seed(b"\x01" * 32)
    signature = key.sign(b"hello")
    assert key.verify(signature, b"hello")
    assert not key.verify(signature, b"hellO")
    assert not key.verify(b"\x00" * 64, b"hello")


def test_multibase_round_trips() -> None:
    raw = bytes(range(32))
    assert decode_ed25519_public(encode_ed25519_public(raw)) == raw
    assert decode_ed25519_secret(encode_ed25519_secret(raw)) == raw
    assert encode_ed25519_public(raw).startswith("z6Mk")
    assert decode_base58btc(encode_base58btc(b"\x00\x00abc")) == b"\x00\x00abc"


@pytest.mark.parametrize(
    "bad",
    [
        "6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",  # no multibase prefix
        "uAQID",  # base64url multibase: refused, only base58btc
        "z0OIl",  # not base58 characters
        "z",
    ],
)
def test_malformed_multibase_is_refused(bad: str) -> None:
    with pytest.raises(MultibaseError):
        decode_ed25519_public(bad)


def test_a_secret_key_is_not_accepted_as_a_public_key() -> None:
    secret = encode_ed25519_secret(bytes(32))
    with pytest.raises(MultibaseError, match="not an Ed25519 public key"):
        decode_ed25519_public(secret)
    with pytest.raises(MultibaseError):
        decode_ed25519_public(encode_base58btc(b"\xed\x01" + bytes(31)))  # 31-byte key


def test_did_key_document() -> None:
    did = f"did:key:{W3C_PUBLIC}"
    doc = did_key_document(did)
    vm = did_key_vm_id(W3C_PUBLIC)
    assert doc["id"] == did
    assert doc["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert doc["verificationMethod"] == [
        {"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": W3C_PUBLIC}
    ]
    for rel in (
        "authentication",
        "assertionMethod",
        "capabilityDelegation",
        "capabilityInvocation",
    ):
        assert doc[rel] == [vm]
    assert multibase_from_did_key(vm) == W3C_PUBLIC
    # the document's keys resolve to the same key the did:key resolver gives
    [from_doc] = keys_from_document(doc)
    direct = DidKeyResolver().resolve(vm)
    assert from_doc.id == direct.id == vm
    assert from_doc.controller == direct.controller == did


@pytest.mark.parametrize(
    "bad",
    [
        "did:web:example.com",
        "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        f"did:key:{W3C_PUBLIC}#other",
    ],
)
def test_did_key_refuses_other_methods_keys_and_fragments(bad: str) -> None:
    with pytest.raises(DidError):
        multibase_from_did_key(bad)
    with pytest.raises(KeyResolutionError):
        DidKeyResolver().resolve(bad)


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:issuers:abc", "https://example.com/issuers/abc/did.json"),
        ("did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
        ("did:web:localhost%3A8443:u:alice", "https://localhost:8443/u/alice/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ],
)
def test_did_web_maps_to_its_url_and_back(did: str, url: str) -> None:
    assert did_web_to_url(did) == url
    assert url_to_did_web(url) == did


def test_did_web_url_for_local_development_can_use_http() -> None:
    assert (
        did_web_to_url("did:web:127.0.0.1%3A9000:a", scheme="http")
        == "http://127.0.0.1:9000/a/did.json"
    )
    assert url_to_did_web("http://127.0.0.1:9000/a/did.json") == "did:web:127.0.0.1%3A9000:a"


@pytest.mark.parametrize(
    "bad", ["did:web:", "did:web:example.com::x", "did:key:z6Mk", "did:web:a#k"]
)
def test_malformed_did_web_is_refused(bad: str) -> None:
    with pytest.raises(DidError):
        did_web_to_url(bad)


def test_did_web_document_with_rotation_keeps_old_keys_verifiable() -> None:
    did = "did:web:issuer.example:providers:rvuas"
    current, old, compromised = (Ed25519Multikey.generate(did) for _ in range(3))
    rotated_at = datetime(2025, 1, 1, tzinfo=UTC)
    revoked_at = datetime(2024, 6, 1, tzinfo=UTC)
    doc = did_web_document(
        did,
        [
            VerificationMethodEntry(current.public_key_multibase, fragment="key-3"),
            VerificationMethodEntry(old.public_key_multibase, fragment="key-2", expires=rotated_at),
            VerificationMethodEntry(compromised.public_key_multibase, revoked=revoked_at),
        ],
    )
    ids = [vm["id"] for vm in doc["verificationMethod"]]
    assert ids == [f"{did}#key-3", f"{did}#key-2", f"{did}#{compromised.public_key_multibase}"]
    assert doc["assertionMethod"] == ids
    assert doc["authentication"] == [f"{did}#key-3"]
    assert doc["verificationMethod"][1]["expires"] == "2025-01-01T00:00:00Z"
    assert doc["verificationMethod"][2]["revoked"] == "2024-06-01T00:00:00Z"

    resolver = StaticKeyResolver.from_documents(doc)
    old_key = resolver.resolve(f"{did}#key-2")
    assert old_key.controller == did
    assert old_key.allows("assertionMethod")
    assert not old_key.allows("authentication")
    assert old_key.valid_at(datetime(2024, 12, 31, tzinfo=UTC))
    assert not old_key.valid_at(datetime(2025, 1, 2, tzinfo=UTC))
    bad = resolver.resolve(f"{did}#{compromised.public_key_multibase}")
    assert not bad.valid_at(datetime(2024, 7, 1, tzinfo=UTC))


def test_did_web_document_refuses_duplicate_ids() -> None:
    key = Ed25519Multikey.generate()
    with pytest.raises(DidError):
        did_web_document("did:web:example.com", [key, key])


def test_static_resolver_reads_relative_ids_and_maps() -> None:
    key = Ed25519Multikey.generate("did:web:example.com")
    doc = {
        "id": "did:web:example.com",
        "verificationMethod": [
            {"id": "#k1", "type": "Multikey", "publicKeyMultibase": key.public_key_multibase}
        ],
        "assertionMethod": ["#k1"],
    }
    resolved = StaticKeyResolver.from_documents(doc).resolve("did:web:example.com#k1")
    assert resolved.controller == "did:web:example.com"
    assert resolved.purposes == frozenset({"assertionMethod"})
    mapping = {"https://example.com/issuers/1#key": key.public_key_multibase}
    from_map = StaticKeyResolver.from_documents(mapping).resolve(
        "https://example.com/issuers/1#key"
    )
    assert from_map.controller == "https://example.com/issuers/1"


def test_chain_resolver_explains_every_failure() -> None:
    resolver = ChainResolver(StaticKeyResolver(), DidKeyResolver())
    with pytest.raises(KeyResolutionError, match=r"unknown verification method.*not a did:key"):
        resolver.resolve("https://example.com/k#1")


@pytest.mark.parametrize(
    "bad", [42, {"foo": 1}, [{"type": "Multikey"}], {"publicKeyMultibase": "x"}]
)
def test_unusable_key_documents_are_reported(bad: object) -> None:
    with pytest.raises(KeyResolutionError):
        keys_from_document(bad)
