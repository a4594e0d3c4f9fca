"""Verify Data Integrity proofs: every proof of a document, one structured result each.

A document's ``proof`` may be one object or an array (proof sets and ``previousProof``
chains). Nothing here raises for bad input: the verifier service reports each check to the
employer, so every failure becomes a reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from microcred_shared.crypto.dates import parse_datetime, utc_now
from microcred_shared.crypto.errors import (
    CanonicalizationError,
    CryptoError,
    KeyResolutionError,
    MultibaseError,
    ProofError,
)
from microcred_shared.crypto.keys import verify_signature
from microcred_shared.crypto.loader import OfflineDocumentLoader, default_loader
from microcred_shared.crypto.multibase import decode_base58btc
from microcred_shared.crypto.proofs import ASSERTION_METHOD, proofs_of, unsecured_document
from microcred_shared.crypto.resolvers import (
    AsyncKeyResolver,
    DidKeyResolver,
    KeyResolver,
    ResolvedKey,
    StaticKeyResolver,
)
from microcred_shared.crypto.suites import Cryptosuite, suite_for_proof

ProofStatus = Literal["verified", "failed", "unsupported"]


@dataclass(frozen=True, slots=True)
class ProofCheck:
    """The outcome for one proof of a document."""

    index: int
    status: ProofStatus
    reason: str
    proof_id: str | None = None
    type: str | None = None
    cryptosuite: str | None = None
    verification_method: str | None = None
    proof_purpose: str | None = None
    created: str | None = None
    controller: str | None = None  # the resolved key's controller (compare with the issuer)
    key: ResolvedKey | None = None  # the resolved key (validity metadata for rotation checks)

    @property
    def ok(self) -> bool:
        return self.status == "verified"

    @property
    def suite(self) -> str | None:
        return self.cryptosuite or self.type

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.proof_id,
            "type": self.type,
            "cryptosuite": self.cryptosuite,
            "verificationMethod": self.verification_method,
            "controller": self.controller,
            "proofPurpose": self.proof_purpose,
            "created": self.created,
            "status": self.status,
            "ok": self.ok,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """Every proof's outcome; ``error`` is set when the document itself cannot be checked."""

    checks: tuple[ProofCheck, ...]
    error: str | None = None

    @property
    def verified(self) -> bool:
        """At least one proof verified and none failed; proofs of a type we do not support are
        reported but not held against the document (as the 1EdTech validator does)."""
        return (
            self.error is None
            and any(c.status == "verified" for c in self.checks)
            and not any(c.status == "failed" for c in self.checks)
        )

    @property
    def all_verified(self) -> bool:
        """The strict reading: every proof is one we support, and it verified."""
        return self.error is None and bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def reason(self) -> str:
        if self.error is not None:
            return self.error
        bad = [c for c in self.checks if not c.ok]
        if not bad:
            return f"{len(self.checks)} proof(s) verified"
        return "; ".join(f"proof {c.index}: {c.reason}" for c in bad)

    @property
    def controllers(self) -> frozenset[str]:
        return frozenset(c.controller for c in self.checks if c.ok and c.controller)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "reason": self.reason,
            "error": self.error,
            "proofs": [c.to_dict() for c in self.checks],
        }


def verify_proofs(
    document: Any,
    resolver: KeyResolver | None = None,
    *,
    expected_purpose: str = ASSERTION_METHOD,
    now: datetime | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> VerificationResult:
    """Verify every proof of ``document``; never raises for bad input, reports it instead.

    ``resolver`` defaults to did:key only. ``now`` is when a proof's ``expires`` is judged.
    """
    if not isinstance(document, Mapping):
        return VerificationResult((), error="a credential must be a JSON object")
    proofs = proofs_of(document)
    if not proofs:
        return VerificationResult((), error="the document has no proof")
    resolver = resolver or DidKeyResolver()
    loader = loader or default_loader()
    now = now or utc_now()
    canon_cache: dict[str, bytes] = {}
    checks = tuple(
        _verify_one(i, document, proof, resolver, expected_purpose, now, loader, canon_cache)
        for i, proof in enumerate(proofs)
    )
    return VerificationResult(checks)


async def averify_proofs(
    document: Any,
    resolver: AsyncKeyResolver | KeyResolver,
    *,
    expected_purpose: str = ASSERTION_METHOD,
    now: datetime | None = None,
    loader: OfflineDocumentLoader | None = None,
) -> VerificationResult:
    """:func:`verify_proofs` with an async resolver: keys are resolved first, then the
    (CPU-bound) checks run synchronously."""
    keys = StaticKeyResolver()
    failures: dict[str, str] = {}
    if isinstance(document, Mapping):
        for proof in proofs_of(document):
            vm = proof.get("verificationMethod") if isinstance(proof, Mapping) else None
            if isinstance(vm, str) and vm not in keys and vm not in failures:
                try:
                    result = resolver.resolve(vm)
                    key = await result if not isinstance(result, ResolvedKey) else result
                    keys.add(_renamed(key, vm))
                except KeyResolutionError as exc:
                    failures[vm] = str(exc)
    return verify_proofs(
        document,
        _PrefetchedResolver(keys, failures),
        expected_purpose=expected_purpose,
        now=now,
        loader=loader,
    )


def _renamed(key: ResolvedKey, vm: str) -> ResolvedKey:
    # Index by the id the proof used, so the prefetched lookup is exact.
    return key if key.id == vm else replace(key, id=vm)


class _PrefetchedResolver:
    def __init__(self, keys: StaticKeyResolver, failures: Mapping[str, str]) -> None:
        self._keys = keys
        self._failures = failures

    def resolve(self, verification_method_id: str) -> ResolvedKey:
        if verification_method_id in self._failures:
            raise KeyResolutionError(self._failures[verification_method_id])
        return self._keys.resolve(verification_method_id)


def _text(proof: Mapping[str, Any], name: str) -> str | None:
    value = proof.get(name)
    return value if isinstance(value, str) else None


def _verify_one(
    index: int,
    document: Mapping[str, Any],
    proof: Any,
    resolver: KeyResolver,
    expected_purpose: str,
    now: datetime,
    loader: OfflineDocumentLoader,
    canon_cache: dict[str, bytes],
) -> ProofCheck:
    if not isinstance(proof, Mapping):
        return ProofCheck(index, "failed", "a proof must be a JSON object")
    info: dict[str, Any] = {
        "proof_id": _text(proof, "id"),
        "type": _text(proof, "type"),
        "cryptosuite": _text(proof, "cryptosuite"),
        "verification_method": _text(proof, "verificationMethod"),
        "proof_purpose": _text(proof, "proofPurpose"),
        "created": _text(proof, "created"),
    }

    def failed(reason: str, key: ResolvedKey | None = None) -> ProofCheck:
        controller = key.controller if key else None
        return ProofCheck(index, "failed", reason, controller=controller, key=key, **info)

    suite = suite_for_proof(proof)
    if suite is None:
        what = f"{info['type']!r}" + (f"/{info['cryptosuite']!r}" if info["cryptosuite"] else "")
        return ProofCheck(index, "unsupported", f"unsupported proof type {what}", **info)
    try:
        signature = _check_proof_fields(proof, info, expected_purpose, now)
    except ProofError as exc:
        return failed(str(exc))
    try:
        key = resolver.resolve(info["verification_method"])
    except KeyResolutionError as exc:
        return failed(f"verification method not resolved: {exc}")
    except CryptoError as exc:  # a resolver that leaks a lower-level error still reports
        return failed(f"verification method not resolved: {exc}")
    if not key.allows(expected_purpose):
        return failed(f"key {key.id} is not authorised for {expected_purpose}", key)
    try:
        unsecured = _unsecured_for_verification(document, proof)
        hash_data = suite.hash_data(
            unsecured,
            proof,
            loader,
            canonical_document=_cached_canonical(suite, unsecured, loader, canon_cache),
        )
    except (ProofError, CanonicalizationError) as exc:
        return failed(str(exc), key)
    if not verify_signature(key.public_key, signature, hash_data):
        return failed("signature does not match: the credential or its proof was altered", key)
    return ProofCheck(
        index,
        "verified",
        f"{suite.name} signature valid",
        controller=key.controller,
        key=key,
        **info,
    )


def _check_proof_fields(
    proof: Mapping[str, Any], info: Mapping[str, Any], expected_purpose: str, now: datetime
) -> bytes:
    if not info["verification_method"]:
        raise ProofError("proof has no verificationMethod")
    if info["proof_purpose"] != expected_purpose:
        raise ProofError(
            f"proofPurpose is {proof.get('proofPurpose')!r}, expected {expected_purpose!r}"
        )
    for name in ("created", "expires"):
        if name in proof:
            try:
                parse_datetime(proof[name])
            except ValueError as exc:
                raise ProofError(f"proof {name} is not a valid dateTime: {exc}") from exc
    if "expires" in proof and parse_datetime(proof["expires"]) <= now:
        raise ProofError(f"proof expired at {proof['expires']}")
    value = proof.get("proofValue")
    if not isinstance(value, str):
        raise ProofError("proof has no proofValue")
    try:
        signature = decode_base58btc(value)
    except MultibaseError as exc:
        raise ProofError(f"proofValue: {exc}") from exc
    if len(signature) != 64:
        raise ProofError(f"proofValue is {len(signature)} bytes, an Ed25519 signature is 64")
    return signature


def _unsecured_for_verification(
    document: Mapping[str, Any], proof: Mapping[str, Any]
) -> dict[str, Any]:
    unsecured = unsecured_document(document, proof)
    proof_context = proof.get("@context")
    if proof_context is not None:
        # vc-di-eddsa "Verify Proof" step 4: the document's @context must start with the
        # proof's, and the proof's is what was signed (contexts may be appended afterwards).
        doc_ctx = _as_list(document.get("@context"))
        proof_ctx = _as_list(proof_context)
        if doc_ctx[: len(proof_ctx)] != proof_ctx:
            raise ProofError("the document's @context does not start with the proof's @context")
        unsecured["@context"] = proof_context
    return unsecured


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _cached_canonical(
    suite: Cryptosuite,
    unsecured: Mapping[str, Any],
    loader: OfflineDocumentLoader,
    cache: dict[str, bytes],
) -> Callable[[], bytes]:
    """The proofs of a proof set usually cover the same document: canonicalise it once."""

    def compute() -> bytes:
        try:
            key = suite.canonicalization + json.dumps(unsecured, sort_keys=True)
        except (TypeError, ValueError):
            return suite.canonicalize(unsecured, loader)
        if key not in cache:
            cache[key] = suite.canonicalize(unsecured, loader)
        return cache[key]

    return compute
