"""Check 6: revocation and suspension (Bitstring Status List), never silently "active"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from microcred_shared.crypto import verify_proofs
from microcred_shared.crypto.dates import parse_datetime

from .credential import issuer_id, status_entries
from .knowledge import Knowledge, StatusEvidence
from .model import (
    CheckName,
    CheckResult,
    Freshness,
    could_not_check,
    failed,
    passed,
    warning,
)
from .status_list import StatusListError, read_status_bit

NAME = CheckName.STATUS
SUPPORTED_ENTRY_TYPE = "BitstringStatusListEntry"


class _Unknown(Exception):
    """The status of an entry could not be determined."""


def check_status(document: Mapping[str, Any], knowledge: Knowledge) -> CheckResult:
    entries = status_entries(document)
    if not entries:
        return passed(NAME, "no credentialStatus: the issuer did not make it revocable")
    if knowledge.status is None:
        return could_not_check(
            NAME,
            "offline: revocation and suspension not checked (no status list is fetched here)",
            in_short="its revocation status could not be checked (offline)",
        )
    findings: list[str] = []
    freshness: Freshness | None = None
    try:
        for index, entry in enumerate(entries):
            evidence = knowledge.status.get(index) or StatusEvidence(problem="not looked up")
            state, source = _entry_state(document, entry, evidence, knowledge)
            freshness = source or freshness
            if state != "active":
                return failed(NAME, f"{state}", freshness=source, details={"entry": index})
            findings.append(f"entry {index} active")
    except _Unknown as unknown:
        return warning(NAME, f"status unknown: {unknown}", conclusive=False, freshness=freshness)
    return passed(
        NAME, "not revoked, not suspended (" + "; ".join(findings) + ")", freshness=freshness
    )


def _entry_state(
    document: Mapping[str, Any],
    entry: Any,
    evidence: StatusEvidence,
    knowledge: Knowledge,
) -> tuple[str, Freshness | None]:
    if not isinstance(entry, Mapping) or entry.get("type") != SUPPORTED_ENTRY_TYPE:
        kind = entry.get("type") if isinstance(entry, Mapping) else type(entry).__name__
        raise _Unknown(f"status entry of type {kind!r} is not supported")
    if evidence.list_credential is None:
        raise _Unknown(evidence.problem or "the status list could not be obtained")
    _trust_list(document, evidence.list_credential, knowledge)
    try:
        is_set = read_status_bit(evidence.list_credential, entry)
    except StatusListError as exc:
        raise _Unknown(str(exc)) from exc
    if not is_set:
        return "active", evidence.list_freshness
    purpose = entry.get("statusPurpose")
    state = "suspended" if purpose == "suspension" else "revoked"
    announced = evidence.announced
    why = (
        f": {announced.reason}"
        if announced is not None and announced.status == state and announced.reason
        else ""
    )
    return f"{state} (bit {entry.get('statusListIndex')} set in the status list){why}", (
        evidence.list_freshness
    )


def _trust_list(
    document: Mapping[str, Any], list_credential: Mapping[str, Any], knowledge: Knowledge
) -> None:
    """A status list counts only when its issuer is the credential's and its proof verifies
    with a key of that issuer that was valid when it signed the list."""
    issuer = issuer_id(document)
    if issuer_id(list_credential) != issuer:
        raise _Unknown(
            f"the status list is issued by {issuer_id(list_credential)!r}, "
            f"not by the credential's issuer {issuer!r}"
        )
    result = verify_proofs(list_credential, knowledge.resolver, loader=knowledge.loader)
    if not result.verified:
        raise _Unknown(f"the status list credential does not verify: {result.reason}")
    for check in result.checks:
        if check.key is None or not check.ok:
            continue
        if check.key.controller != issuer:
            raise _Unknown(f"the status list is signed by {check.key.controller}, not {issuer}")
        signed_at = _date(check.created)
        if signed_at is not None and not check.key.valid_at(signed_at):
            raise _Unknown(f"the status list was signed by {check.key.id} when it was not valid")


def _date(value: str | None) -> datetime | None:
    try:
        return parse_datetime(value) if value else None
    except ValueError:
        return None
