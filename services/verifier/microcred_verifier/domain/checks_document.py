"""Checks 1 and 2: the document is a well-formed Open Badge (JSON-LD read in safe mode) and it
validates against the official OB 3.0 JSON Schema."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microcred_shared.crypto import CanonicalizationError, OfflineDocumentLoader, check_safe_mode
from microcred_shared.crypto.errors import SafeModeError
from microcred_shared.openbadges import validate_achievement_credential

from .credential import (
    BADGE_TYPES,
    VC_V1_CONTEXT,
    VC_V2_CONTEXT,
    as_list,
    issuer_id,
)
from .model import (
    CheckName,
    CheckResult,
    failed,
    passed,
    skipped,
    warning,
)

MAX_SCHEMA_ERRORS_SHOWN = 10


def check_format(
    document: Any, loader: OfflineDocumentLoader | None, *, encoding: str
) -> CheckResult:
    """@context first entry, badge types, issuer and subject present, and JSON-LD safe mode."""
    name = CheckName.FORMAT
    if not isinstance(document, Mapping):
        return failed(name, "a credential must be a JSON object")
    problems = _structure_problems(document)
    if problems:
        return failed(name, "; ".join(problems), details={"problems": problems})
    try:
        check_safe_mode({k: v for k, v in document.items() if k != "proof"}, loader=loader)
    except SafeModeError as exc:
        return failed(name, f"JSON-LD safe mode: {exc}", details={"problems": [str(exc)]})
    except CanonicalizationError as exc:
        return failed(name, f"not valid JSON-LD: {exc}")
    first = as_list(document.get("@context"))[0]
    if not is_open_badge(document):
        return warning(
            name,
            f"{encoding}; a verifiable credential but not an Open Badge "
            "(type includes neither 'OpenBadgeCredential' nor 'AchievementCredential')",
            details={"encoding": encoding, "open_badge": False},
        )
    if first == VC_V1_CONTEXT:
        return warning(
            name,
            f"{encoding}; a legacy VC 1.1 credential (Open Badges 3.0 requires VC 2.0)",
            details={"encoding": encoding, "vc_version": "1.1"},
        )
    return passed(
        name,
        f"{encoding}; VC 2.0 Open Badge; every term defined by its @context",
        details={"encoding": encoding, "vc_version": "2.0"},
    )


def _structure_problems(document: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    contexts = as_list(document.get("@context"))
    if not contexts:
        problems.append("no @context")
    elif contexts[0] not in (VC_V2_CONTEXT, VC_V1_CONTEXT):
        problems.append(f"@context must start with {VC_V2_CONTEXT!r}, found {contexts[0]!r:.80}")
    if "VerifiableCredential" not in as_list(document.get("type")):
        problems.append("type does not include 'VerifiableCredential'")
    if issuer_id(document) is None:
        problems.append("no issuer (a string or an object with an id)")
    if not document.get("credentialSubject"):
        problems.append("no credentialSubject")
    return problems


def is_open_badge(document: Mapping[str, Any]) -> bool:
    types = as_list(document.get("type"))
    return bool(BADGE_TYPES.intersection(t for t in types if isinstance(t, str)))


def check_schema(document: Any) -> CheckResult:
    name = CheckName.SCHEMA
    if not isinstance(document, Mapping):
        return failed(name, "not a JSON object")
    if not is_open_badge(document):
        return skipped(name, "not an Open Badge: the OB 3.0 schema does not apply")
    errors = validate_achievement_credential(document)
    if not errors:
        return passed(name, "valid against the official OB 3.0 AchievementCredential schema")
    shown = [str(e) for e in errors[:MAX_SCHEMA_ERRORS_SHOWN]]
    more = f" (and {len(errors) - len(shown)} more)" if len(errors) > len(shown) else ""
    return failed(
        name,
        f"{len(errors)} schema violation(s): " + "; ".join(shown) + more,
        details={"errors": [{"path": e.path, "message": e.message} for e in errors]},
    )
