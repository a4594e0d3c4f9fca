"""``microcred verify``: offline verification of credential files, with the verifier's checks.

The same domain the verifier service runs (``microcred_verifier.domain``): format and JSON-LD
safe mode, OB 3.0 schema, issuer key, every proof, validity window, recipient. Checks that need
the ecosystem's data (status, issuer trust, entitlement) are reported as skipped.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from microcred_shared.crypto import (
    KeyResolutionError,
    KeyResolver,
    OfflineDocumentLoader,
    default_loader,
    default_offline_resolver,
    load_context_dir,
)
from microcred_shared.crypto.dates import parse_datetime, utc_now
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import CheckName, Freshness, Verdict
from microcred_verifier.domain.verification import verify_credential
from microcred_verifier.service_layer.intake import InputError, present_body

from microcred.commands._io import fail_usage, read_json_or_fail

NOT_VERIFIED = 1
MAX_DEPTH = 64
ACCEPTED = (Verdict.VERIFIED, Verdict.VERIFIED_WITH_WARNINGS)
MARKS = {"passed": "✓", "failed": "✗", "warning": "!", "skipped": "-"}


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)


def check_file(path: Path, knowledge: Knowledge, now: datetime) -> dict[str, Any]:
    """Verify one file; the result object ``--json`` prints (never raises)."""
    try:
        presented = present_body(path.read_bytes(), MAX_DEPTH)
    except (OSError, InputError) as exc:
        return {
            "file": str(path),
            "verdict": Verdict.NOT_VERIFIED.value,
            "verified": False,
            "reason": str(exc),
            "checks": [],
            "proofs": [],
        }
    report = verify_credential(presented, knowledge, now=now)
    proof = report.check(CheckName.PROOF)
    problems = [f"{c.name.value}: {c.reason}" for c in report.checks if c.status == "failed"]
    return {
        "file": str(path),
        **report.to_dict(),
        # The proofs-only fields of the first version of this command, kept for its readers.
        "verified": report.verdict in ACCEPTED,
        "reason": "; ".join(problems) or report.headline,
        "proofs": proof.details.get("proofs", []),
    }


def build_resolver(key_files: list[Path]) -> KeyResolver:
    documents = [read_json_or_fail(path, "key file") for path in key_files]
    try:
        return default_offline_resolver(*documents)
    except KeyResolutionError as exc:
        fail_usage(str(exc))


def build_loader(contexts: Path | None) -> OfflineDocumentLoader:
    if contexts is None:
        return default_loader()
    try:
        return OfflineDocumentLoader(load_context_dir(contexts))
    except (OSError, ValueError) as exc:
        fail_usage(f"--contexts {contexts}: {exc}")


def parse_now(value: str | None) -> datetime:
    if value is None:
        return utc_now()
    try:
        return parse_datetime(value)
    except ValueError as exc:
        fail_usage(f"--now: {exc}")


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
    contexts: Annotated[
        Path | None,
        typer.Option(
            "--contexts", help="Extra JSON-LD contexts: a folder with index.json.", exists=True
        ),
    ] = None,
    now: Annotated[
        str | None, typer.Option("--now", help="Judge validity at this time (ISO 8601).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON result object per file, one per line.")
    ] = False,
) -> None:
    """Verify credential files offline: every check the verifier makes that needs no network."""
    knowledge = Knowledge(
        resolver=build_resolver(keys or []),
        keys_freshness=Freshness("did:key and --keys files"),
        loader=build_loader(contexts),
    )
    moment = parse_now(now)
    all_ok = True
    for path in files:
        outcome = check_file(path, knowledge, moment)
        all_ok = all_ok and Verdict(outcome["verdict"]) in ACCEPTED
        typer.echo(json.dumps(outcome, ensure_ascii=False) if as_json else _human(outcome))
    if not all_ok:
        raise typer.Exit(NOT_VERIFIED)


def _human(outcome: dict[str, Any]) -> str:
    lines = [f"{outcome['file']}: {outcome['verdict'].upper()}"]
    if not outcome["checks"]:
        lines.append(f"    {outcome['reason']}")
    for check in outcome["checks"]:
        lines.append(f"  {MARKS[check['status']]} {check['title']}: {check['reason']}")
    return "\n".join(lines)
