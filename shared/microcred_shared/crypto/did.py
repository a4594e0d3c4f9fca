"""did:key and did:web: identifiers, URL mapping and DID documents (with key rotation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from microcred_shared.crypto.dates import format_datetime
from microcred_shared.crypto.errors import DidError, MultibaseError
from microcred_shared.crypto.keys import MULTIKEY_CONTEXT, MULTIKEY_TYPE, Ed25519Multikey
from microcred_shared.crypto.multibase import decode_ed25519_public

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
DID_DOCUMENT_CONTEXT = [DID_CONTEXT, MULTIKEY_CONTEXT]
VERIFICATION_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityDelegation",
    "capabilityInvocation",
)


def split_did_url(did_url: str) -> tuple[str, str | None]:
    """``did:x:y#frag`` → (``did:x:y``, ``frag``); no fragment → (did, None)."""
    did, sep, fragment = did_url.partition("#")
    return did, (fragment if sep else None)


# --- did:key ---------------------------------------------------------------------------------


def did_key_from_multibase(public_key_multibase: str) -> str:
    decode_ed25519_public(public_key_multibase)  # refuse anything that is not an Ed25519 key
    return f"did:key:{public_key_multibase}"


def did_key_vm_id(public_key_multibase: str) -> str:
    """The verification method id of a did:key: ``did:key:z…#z…``."""
    return f"{did_key_from_multibase(public_key_multibase)}#{public_key_multibase}"


def multibase_from_did_key(did_or_url: str) -> str:
    """``did:key:z6Mk…[#…]`` → ``z6Mk…`` (checked to be an Ed25519 key)."""
    did, fragment = split_did_url(did_or_url)
    if not did.startswith("did:key:"):
        raise DidError(f"not a did:key: {did_or_url!r}")
    mb = did[len("did:key:") :]
    try:
        decode_ed25519_public(mb)
    except MultibaseError as exc:
        raise DidError(f"did:key {did!r} is not an Ed25519 key: {exc}") from exc
    if fragment is not None and fragment != mb:
        # did:key documents have exactly one key, named by the multibase value itself.
        raise DidError(f"did:key fragment #{fragment} does not name the key {mb}")
    return mb


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document a did:key expands to (Multikey form of the did:key spec)."""
    mb = multibase_from_did_key(did)
    did = did_key_from_multibase(mb)
    vm_id = f"{did}#{mb}"
    doc: dict[str, Any] = {
        "@context": list(DID_DOCUMENT_CONTEXT),
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": MULTIKEY_TYPE, "controller": did, "publicKeyMultibase": mb}
        ],
    }
    for rel in VERIFICATION_RELATIONSHIPS:
        doc[rel] = [vm_id]
    return doc


# --- did:web ---------------------------------------------------------------------------------


def did_web_to_url(did: str, *, scheme: str = "https") -> str:
    """``did:web:example.com:issuers:abc`` → ``https://example.com/issuers/abc/did.json``.

    A bare domain maps to ``/.well-known/did.json``; ``%3A`` in the host is a port separator.
    ``scheme="http"`` exists for local development only (the did:web spec mandates https).
    """
    did, fragment = split_did_url(did)
    if fragment is not None:
        raise DidError(f"a DID URL with a fragment is not a DID: {did}#{fragment}")
    if not did.startswith("did:web:"):
        raise DidError(f"not a did:web: {did!r}")
    parts = did[len("did:web:") :].split(":")
    host = unquote(parts[0])
    if not host or "/" in host or any(not p for p in parts[1:]):
        raise DidError(f"malformed did:web: {did!r}")
    path = "/".join(unquote(p) for p in parts[1:])
    suffix = f"/{path}/did.json" if path else "/.well-known/did.json"
    return f"{scheme}://{host}{suffix}"


def url_to_did_web(url: str) -> str:
    """``https://example.com/issuers/abc/did.json`` (or ``…/issuers/abc``) → the did:web."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DidError(f"not an http(s) URL: {url!r}")
    if parts.query or parts.fragment:
        raise DidError(f"a did:web URL has no query or fragment: {url!r}")
    host = parts.hostname if parts.port is None else f"{parts.hostname}%3A{parts.port}"
    path = parts.path
    for tail in ("/.well-known/did.json", "/did.json"):
        if path.endswith(tail):
            path = path[: -len(tail)]
            break
    segments = [s for s in path.split("/") if s]
    return ":".join(["did:web", host, *(quote(unquote(s), safe="") for s in segments)])


@dataclass(frozen=True, slots=True)
class VerificationMethodEntry:
    """One key of a did:web document, with the Multikey validity terms it may carry.

    ``expires``: the key must not sign after this time (a rotated-out key keeps verifying what it
    signed before). ``revoked``: the key is compromised; nothing it signed should be trusted
    after this time. Both are Multikey terms (``https://w3id.org/security/multikey/v1``).
    """

    public_key_multibase: str
    fragment: str | None = None  # default: the multibase value itself
    expires: datetime | None = None
    revoked: datetime | None = None


def did_web_document(
    did: str,
    keys: Sequence[VerificationMethodEntry | Ed25519Multikey],
    *,
    also_known_as: Sequence[str] = (),
) -> dict[str, Any]:
    """A did:web DID document listing every key (current first, then historical).

    Every key, including rotated-out ones, stays in ``assertionMethod`` so credentials signed
    before a rotation keep verifying; a revoked key is listed with ``revoked`` so verifiers can
    refuse what it signed after that time.
    """
    did_web_to_url(did)  # validates the DID
    methods = []
    for entry in keys:
        if isinstance(entry, Ed25519Multikey):
            base, fragment = split_did_url(entry.id)
            entry = VerificationMethodEntry(
                entry.public_key_multibase, fragment=fragment if base == did else None
            )
        decode_ed25519_public(entry.public_key_multibase)
        vm: dict[str, Any] = {
            "id": f"{did}#{entry.fragment or entry.public_key_multibase}",
            "type": MULTIKEY_TYPE,
            "controller": did,
            "publicKeyMultibase": entry.public_key_multibase,
        }
        if entry.expires is not None:
            vm["expires"] = format_datetime(entry.expires)
        if entry.revoked is not None:
            vm["revoked"] = format_datetime(entry.revoked)
        methods.append(vm)
    ids = [vm["id"] for vm in methods]
    if len(set(ids)) != len(ids):
        raise DidError("duplicate verification method ids in the DID document")
    doc: dict[str, Any] = {"@context": list(DID_DOCUMENT_CONTEXT), "id": did}
    if also_known_as:
        doc["alsoKnownAs"] = list(also_known_as)
    doc["verificationMethod"] = methods
    doc["assertionMethod"] = ids
    # Only keys neither revoked nor expired may authenticate the controller today.
    doc["authentication"] = [
        vm["id"] for vm in methods if "revoked" not in vm and "expires" not in vm
    ]
    return doc
