"""Checks 3 and 4: each proof's key resolves, belongs to the issuer, was not reported
compromised and was valid when the credential was signed; then every proof verifies (Data
Integrity, or the JWS of a VC-JWT)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred_shared.crypto import (
    CryptoError,
    KeyResolutionError,
    ResolvedKey,
    proofs_of,
    split_did_url,
    verify_proofs,
)
from microcred_shared.crypto.dates import format_datetime
from microcred_shared.crypto.suites import suite_for_proof

from .credential import issued_at, issuer_id
from .jwt import JwtCredential, verify_jws
from .knowledge import Knowledge
from .model import (
    CheckName,
    CheckResult,
    could_not_check,
    failed,
    passed,
    warning,
)

NAME = CheckName.ISSUER_KEY


def _judge_key(
    key: ResolvedKey, issuer: str | None, when: datetime | None, label: str
) -> str | None:
    """Why ``key`` may not sign this credential, or None."""
    if issuer is None:
        return f"{label}: the credential names no issuer to own key {key.id}"
    if key.controller != issuer:
        return f"{label}: key {key.id} belongs to {key.controller}, not to the issuer {issuer}"
    if key.revoked is not None:
        # Stricter than the DID document's `revoked` alone (refuse proofs at or after it): a
        # thief signs with any `created` date they like, so no signature by a stolen key can
        # be placed before the theft. The issuer re-signs what it issued with its new key.
        return (
            f"{label}: signed with a key its issuer reported compromised on "
            f"{format_datetime(key.revoked)} ({key.id}); nothing that key signed can be trusted, "
            "whatever date its proof gives"
        )
    if when is not None and not key.valid_at(when):
        return (
            f"{label}: key {key.id} was not valid at {when.isoformat()} "
            f"(valid from {key.valid_from}, until {key.expires}, revoked {key.revoked})"
        )
    return None


@dataclass(frozen=True, slots=True)
class _Unresolved:
    """Why a key did not resolve; ``obtainable=False`` when its DID document could not be had
    (then the key is undetermined, not wrong)."""

    reason: str
    obtainable: bool = True


def _resolve(knowledge: Knowledge, vm: str, issuer: str | None) -> ResolvedKey | _Unresolved:
    """The key; or why not. Only the issuer's own DID can leave a key undetermined: a key of
    another DID is not the issuer's whatever its document says."""
    try:
        return knowledge.resolver.resolve(vm)
    except (KeyResolutionError, CryptoError) as exc:
        did = split_did_url(vm)[0]
        why = knowledge.unresolved_dids.get(did)
        if why is not None and did == issuer:
            return _Unresolved(f"{vm!r} could not be checked: {why}", obtainable=False)
        return _Unresolved(f"cannot resolve {vm!r}: {exc}")


def check_issuer_key(document: Mapping[str, Any], knowledge: Knowledge) -> CheckResult:
    issuer = issuer_id(document)
    problems: list[str] = []
    keys: list[str] = []
    unobtainable: list[str] = []
    for index, proof in enumerate(proofs_of(document)):
        if not isinstance(proof, Mapping) or suite_for_proof(proof) is None:
            continue  # reported by the proof check
        vm = proof.get("verificationMethod")
        if not isinstance(vm, str):
            problems.append(f"proof {index}: no verificationMethod")
            continue
        resolved = _resolve(knowledge, vm, issuer)
        if isinstance(resolved, _Unresolved):
            found = problems if resolved.obtainable else unobtainable
            found.append(f"proof {index}: {resolved.reason}")
            continue
        created = proof.get("created") if isinstance(proof.get("created"), str) else None
        problem = _judge_key(resolved, issuer, issued_at(document, created), f"proof {index}")
        if problem:
            problems.append(problem)
        else:
            keys.append(resolved.id)
    return _key_result(problems, keys, knowledge, unobtainable)


def check_jwt_key(credential: JwtCredential, knowledge: Knowledge) -> CheckResult:
    if credential.kid is None:
        return failed(NAME, "the JWT header has no kid naming the issuer's key")
    issuer = issuer_id(credential.document) or _text(credential.claims.get("iss"))
    resolved = _resolve(knowledge, credential.kid, issuer)
    if isinstance(resolved, _Unresolved):
        found = [f"JWS: {resolved.reason}"]
        if resolved.obtainable:
            return _key_result(found, [], knowledge)
        return _key_result([], [], knowledge, unobtainable=found)
    signed = credential.signed_at or issued_at(credential.document, None)
    problem = _judge_key(resolved, issuer, signed, "JWS")
    return _key_result([problem] if problem else [], [resolved.id], knowledge)


def _key_result(
    problems: list[str],
    keys: list[str],
    knowledge: Knowledge,
    unobtainable: Sequence[str] = (),
) -> CheckResult:
    """A wrong key fails; a key whose DID document could not be obtained is not checked."""
    fresh = knowledge.keys_freshness
    if problems:
        return failed(NAME, "; ".join(problems), freshness=fresh, details={"keys": keys})
    if unobtainable:
        return could_not_check(
            NAME,
            "; ".join(unobtainable),
            freshness=fresh,
            details={"keys": keys},
            in_short="the issuer's DID document could not be obtained",
        )
    if not keys:
        return failed(NAME, "no proof names a key we could check", freshness=fresh)
    return passed(
        NAME,
        f"{len(keys)} key(s) resolved, each the issuer's and valid when it signed",
        freshness=fresh,
        details={"keys": keys},
    )


def check_proofs(document: Any, knowledge: Knowledge, now: datetime) -> CheckResult:
    name = CheckName.PROOF
    result = verify_proofs(document, knowledge.resolver, now=now, loader=knowledge.loader)
    details: dict[str, Any] = {"proofs": [c.to_dict() for c in result.checks]}
    if result.error is not None:
        return failed(name, result.error, details=details)
    bad = [c for c in result.checks if c.status == "failed"]
    if bad:
        reasons = "; ".join(f"proof {c.index}: {c.reason}" for c in bad)
        return failed(name, reasons, details=details)
    good = [c for c in result.checks if c.ok]
    unsupported = [c for c in result.checks if c.status == "unsupported"]
    if not good:
        return failed(name, "no proof of a supported type: " + result.reason, details=details)
    suites = ", ".join(sorted({c.suite or "?" for c in good}))
    if unsupported:
        return warning(
            name,
            f"{len(good)} proof(s) verified ({suites}); {len(unsupported)} of an unsupported "
            "type not checked: " + "; ".join(c.reason for c in unsupported),
            details=details,
        )
    return passed(name, f"{len(good)} proof(s) verified ({suites})", details=details)


def check_jws(credential: JwtCredential, knowledge: Knowledge) -> CheckResult:
    name = CheckName.PROOF
    if credential.kid is None:
        return failed(name, "the JWT names no key (kid)")
    resolved = _resolve(knowledge, credential.kid, None)
    if isinstance(resolved, _Unresolved):
        return failed(name, resolved.reason)
    problem = verify_jws(credential, resolved)
    if problem:
        return failed(name, problem)
    return passed(name, "EdDSA JWS signature verified (VC-JOSE)", details={"kid": credential.kid})


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
