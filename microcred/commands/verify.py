"""``microcred verify``: offline proof verification of credential files.

For now this checks proofs only (did:key resolved locally, ``--keys`` adds Multikey or DID
documents). :func:`check_file` is the reusable unit: the full verifier's CLI extends it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from microcred_shared.crypto import (
    KeyResolutionError,
    KeyResolver,
    default_offline_resolver,
    verify_proofs,
)

from microcred.commands._io import fail_usage, read_json, read_json_or_fail

NOT_VERIFIED = 1


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)


def check_file(path: Path, resolver: KeyResolver) -> dict[str, Any]:
    """Verify one file's proofs; the result object ``--json`` prints (never raises)."""
    try:
        document = read_json(path)
    except ValueError as exc:
        return {"file": str(path), "verified": False, "reason": str(exc), "proofs": []}
    result = verify_proofs(document, resolver)
    return {"file": str(path), **result.to_dict()}


def build_resolver(key_files: list[Path]) -> KeyResolver:
    documents = [read_json_or_fail(path, "key file") for path in key_files]
    try:
        return default_offline_resolver(*documents)
    except KeyResolutionError as exc:
        fail_usage(str(exc))


def verify_command(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE…", help="Credential files.", exists=True)
    ],
    keys: Annotated[
        list[Path] | None,
        typer.Option(
            "--keys", help="Multikey / DID document(s) for non-did:key methods.", exists=True
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON result object per file, one per line.")
    ] = False,
) -> None:
    """Verify the Data Integrity proofs of credential files (offline)."""
    resolver = build_resolver(keys or [])
    all_ok = True
    for path in files:
        outcome = check_file(path, resolver)
        all_ok = all_ok and bool(outcome["verified"])
        if as_json:
            typer.echo(json.dumps(outcome, ensure_ascii=False))
        else:
            typer.echo(_human(outcome))
    if not all_ok:
        raise typer.Exit(NOT_VERIFIED)


def _human(outcome: dict[str, Any]) -> str:
    mark = "✓" if outcome["verified"] else "✗"
    lines = [f"{mark} {outcome['file']}: {'verified' if outcome['verified'] else 'NOT verified'}"]
    for proof in outcome["proofs"]:
        suite = proof["cryptosuite"] or proof["type"]
        lines.append(
            f"    proof {proof['index']} [{proof['status']}] {suite} "
            f"{proof['verificationMethod'] or '-'}: {proof['reason']}"
        )
    if not outcome["proofs"]:
        lines.append(f"    {outcome['reason']}")
    return "\n".join(lines)
