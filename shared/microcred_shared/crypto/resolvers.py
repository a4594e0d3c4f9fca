"""Verification-method resolution, pluggable.

A proof names its key by a verification method id (a DID URL or an https URL). Resolving it is
the one step that differs between the offline CLI (did:key plus files), the issuer and the
verifier (their own did:web projections): they all implement :class:`KeyResolver` (or the async
:class:`AsyncKeyResolver`) and hand it to :func:`~microcred_shared.crypto.proofs.verify_proofs`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from microcred_shared.crypto.dates import parse_datetime
from microcred_shared.crypto.did import (
    VERIFICATION_RELATIONSHIPS,
    did_key_from_multibase,
    multibase_from_did_key,
    split_did_url,
)
from microcred_shared.crypto.errors import CryptoError, DidError, KeyResolutionError
from microcred_shared.crypto.keys import Ed25519Multikey, public_key_from_multibase


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A verification method resolved to key material plus what a verifier needs to judge it.

    ``purposes``: the verification relationships the controller grants this key (None: unknown,
    e.g. a bare key from a file; the caller decides). ``valid_from`` / ``expires`` / ``revoked``:
    the key's validity metadata, for the "key was valid at issuance" check.
    """

    id: str
    controller: str
    public_key: Ed25519PublicKey
    type: str = "Multikey"
    purposes: frozenset[str] | None = None
    valid_from: datetime | None = None
    expires: datetime | None = None
    revoked: datetime | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)

    def allows(self, purpose: str) -> bool:
        return self.purposes is None or purpose in self.purposes

    def valid_at(self, when: datetime) -> bool:
        """True when the key could legitimately sign at ``when`` (rotation history)."""
        if self.valid_from is not None and when < self.valid_from:
            return False
        if self.expires is not None and when >= self.expires:
            return False
        return not (self.revoked is not None and when >= self.revoked)


@runtime_checkable
class KeyResolver(Protocol):
    """Resolves a verification method id, or raises :class:`KeyResolutionError`."""

    def resolve(self, verification_method_id: str) -> ResolvedKey: ...


@runtime_checkable
class AsyncKeyResolver(Protocol):
    """The async flavour (a did:web resolver that may fetch)."""

    async def resolve(self, verification_method_id: str) -> ResolvedKey: ...


class DidKeyResolver:
    """did:key resolution, entirely local (the key is in the identifier)."""

    def resolve(self, verification_method_id: str) -> ResolvedKey:
        if not verification_method_id.startswith("did:key:"):
            raise KeyResolutionError(f"not a did:key: {verification_method_id!r}")
        try:
            mb = multibase_from_did_key(verification_method_id)
        except DidError as exc:
            raise KeyResolutionError(str(exc)) from exc
        did = did_key_from_multibase(mb)
        return ResolvedKey(
            id=f"{did}#{mb}",
            controller=did,
            public_key=public_key_from_multibase(mb),
            purposes=frozenset(VERIFICATION_RELATIONSHIPS),
        )


class StaticKeyResolver:
    """Keys known in advance: Multikey documents, DID documents, or ``{vm id: z6Mk…}`` maps.

    Also what a service builds from its projection of ``issuer.keys`` (current and historical
    keys with their validity). Ids are matched exactly; a did:key id given without its fragment
    is normalised to ``did:key:z…#z…``.
    """

    def __init__(self, keys: Iterable[ResolvedKey] = ()) -> None:
        self._keys: dict[str, ResolvedKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: ResolvedKey) -> None:
        self._keys[key.id] = key

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, verification_method_id: object) -> bool:
        return verification_method_id in self._keys

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(self._keys)

    def resolve(self, verification_method_id: str) -> ResolvedKey:
        key = self._keys.get(verification_method_id)
        if key is None and verification_method_id.startswith("did:key:"):
            did, fragment = split_did_url(verification_method_id)
            if fragment is None:
                key = self._keys.get(f"{did}#{did[len('did:key:') :]}")
        if key is None:
            raise KeyResolutionError(f"unknown verification method {verification_method_id!r}")
        return key

    @classmethod
    def from_documents(cls, *documents: Any) -> StaticKeyResolver:
        resolver = cls()
        for doc in documents:
            for key in keys_from_document(doc):
                resolver.add(key)
        return resolver

    @classmethod
    def from_files(cls, paths: Sequence[Path]) -> StaticKeyResolver:
        docs = []
        for path in paths:
            try:
                docs.append(json.loads(path.read_text("utf-8")))
            except (OSError, ValueError) as exc:
                raise KeyResolutionError(f"cannot read key file {path}: {exc}") from exc
        return cls.from_documents(*docs)


class ChainResolver:
    """Tries resolvers in order; the first that knows the id wins."""

    def __init__(self, *resolvers: KeyResolver) -> None:
        self._resolvers = resolvers

    def resolve(self, verification_method_id: str) -> ResolvedKey:
        reasons = []
        for resolver in self._resolvers:
            try:
                return resolver.resolve(verification_method_id)
            except KeyResolutionError as exc:
                reasons.append(str(exc))
        detail = "; ".join(reasons) if reasons else "no resolver configured"
        raise KeyResolutionError(f"cannot resolve {verification_method_id!r}: {detail}")


def default_offline_resolver(*documents: Any) -> KeyResolver:
    """did:key plus any key documents given (what the offline CLI uses)."""
    if not documents:
        return DidKeyResolver()
    return ChainResolver(StaticKeyResolver.from_documents(*documents), DidKeyResolver())


# --- reading key documents ------------------------------------------------------------------


def keys_from_document(doc: Any) -> list[ResolvedKey]:
    """Keys from a Multikey doc, a DID/controller document, a list of either, or a
    ``{verification method id: publicKeyMultibase}`` map (as in the 1EdTech ``keys.json``)."""
    try:
        return _keys_from(doc)
    except (CryptoError, ValueError, TypeError, KeyError) as exc:
        if isinstance(exc, KeyResolutionError):
            raise
        raise KeyResolutionError(f"unusable key document: {exc}") from exc


def _keys_from(doc: Any) -> list[ResolvedKey]:
    if isinstance(doc, list):
        return [key for item in doc for key in _keys_from(item)]
    if not isinstance(doc, Mapping):
        raise KeyResolutionError(f"a key document must be a JSON object or array, got {doc!r:.40}")
    if "verificationMethod" in doc and isinstance(doc["verificationMethod"], list):
        return _keys_from_controller_document(doc)
    if "publicKeyMultibase" in doc:
        return [_key_from_method(doc, purposes=None)]
    if all(isinstance(k, str) and isinstance(v, str) for k, v in doc.items()):
        return [
            _key_from_method({"id": vm_id, "publicKeyMultibase": mb}, purposes=None)
            for vm_id, mb in doc.items()
        ]
    raise KeyResolutionError("not a Multikey, DID document or id → publicKeyMultibase map")


def _keys_from_controller_document(doc: Mapping[str, Any]) -> list[ResolvedKey]:
    controller_id = doc.get("id")
    grants: dict[str, set[str]] = {}
    embedded: list[Mapping[str, Any]] = []
    for rel in VERIFICATION_RELATIONSHIPS:
        for entry in doc.get(rel, []) or []:
            if isinstance(entry, str):
                grants.setdefault(_absolute(entry, controller_id), set()).add(rel)
            elif isinstance(entry, Mapping) and "id" in entry:
                grants.setdefault(_absolute(entry["id"], controller_id), set()).add(rel)
                embedded.append(entry)
    keys = []
    for method in [*doc["verificationMethod"], *embedded]:
        method = dict(method)
        method["id"] = _absolute(method["id"], controller_id)
        method.setdefault("controller", controller_id)
        keys.append(_key_from_method(method, purposes=frozenset(grants.get(method["id"], ()))))
    return keys


def _absolute(vm_id: str, controller_id: Any) -> str:
    # DID documents may name their keys relatively ("#key-1").
    if vm_id.startswith("#") and isinstance(controller_id, str):
        return controller_id + vm_id
    return vm_id


def _key_from_method(method: Mapping[str, Any], purposes: frozenset[str] | None) -> ResolvedKey:
    key = Ed25519Multikey.from_document(
        {k: v for k, v in method.items() if k not in ("secretKeyMultibase", "privateKeyMultibase")}
    )

    def when(name: str) -> datetime | None:
        value = method.get(name)
        return parse_datetime(value) if value is not None else None

    return ResolvedKey(
        id=key.id,
        controller=key.controller,
        public_key=key.public_key,
        type=str(method.get("type", "Multikey")),
        purposes=purposes,
        valid_from=when("validFrom"),
        expires=when("expires"),
        revoked=when("revoked"),
    )
