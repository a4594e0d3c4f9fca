"""Fixtures for the crypto tests: the copied W3C / 1EdTech vectors and deterministic keys."""

from __future__ import annotations

import copy
import socket
from typing import Any

import pytest
from crypto_data import RICH, W3C, load
from microcred_shared.crypto import Ed25519Multikey


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crypto never touches the network: any connection attempt fails the test loudly."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.fixture(scope="session")
def w3c_key() -> Ed25519Multikey:
    """The key the W3C vc-di-eddsa vectors are signed with."""
    return Ed25519Multikey.from_document(load(W3C / "keyPair.json"))


@pytest.fixture(scope="session")
def issuer_key() -> Ed25519Multikey:
    return Ed25519Multikey.from_seed(bytes(range(32)))


@pytest.fixture(scope="session")
def other_key() -> Ed25519Multikey:
    return Ed25519Multikey.from_seed(bytes(range(100, 132)))


@pytest.fixture
def rich_credential(issuer_key: Ed25519Multikey) -> dict[str, Any]:
    """The rich OB 3.0 credential, issued by ``issuer_key``'s did:key."""
    doc = copy.deepcopy(load(RICH))
    doc["issuer"]["id"] = issuer_key.controller
    return doc
