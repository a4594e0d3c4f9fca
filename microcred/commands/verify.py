"""``microcred verify``: offline verification of credential files, with the verifier's checks.

The same domain the verifier service runs (``microcred_verifier.domain``): format and JSON-LD
safe mode, OB 3.0 schema, issuer key, every proof, validity window, recipient. Checks that need
the ecosystem's data (provider registry, status, achievement) cannot be made here: they are
listed with why, and the verdict follows the service's rule, so an authentic credential is
``unknown`` offline (its issuer is not known to be a recognised provider), never "verified".
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
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
    keys_from_document,
    load_context_dir,
)
from microcred_shared.crypto.dates import parse_datetime, utc_now
from microcred_verifier.domain.credential import issuer_id
from microcred_verifier.domain.documents import document_kind
from microcred_verifier.domain.knowledge import Knowledge
from microcred_verifier.domain.model import CheckName, CheckStatus, Freshness, Verdict
from microcred_verifier.domain.verification import (
    Presented,
    VerificationReport,
    verify_credential,
)
from microcred_verifier.service_layer.intake import InputError, present_body

from microcred.commands import verify_presentation
from microcred.commands._io import fail_usage, read_json_or_fail
from microcred.commands.verify_presentation import ExpectedChallenge

MAX_DEPTH = 64
ACCEPTED = (Verdict.VERIFIED, Verdict.VERIFIED_WITH_WARNINGS)
# Exit codes (documented in the command's help): the worst file decides.
VERIFIED_EXIT, NOT_VERIFIED_EXIT, UNKNOWN_EXIT = 0, 1, 2
EXIT_CODES = {
    Verdict.VERIFIED: VERIFIED_EXIT,
    Verdict.VERIFIED_WITH_WARNINGS: VERIFIED_EXIT,
    Verdict.NOT_VERIFIED: NOT_VERIFIED_EXIT,
    Verdict.UNKNOWN: UNKNOWN_EXIT,
}
MARKS = {"passed": "✓", "failed": "✗", "warning": "!", "skipped": "-"}
UNDETERMINED_MARK = "?"
OFFLINE_DID_WEB = (
    "offline: a did:web issuer's DID document is not fetched here (give it with --keys)"
)
HELP = "\n\n".join(
    (
        "Verify credential files offline: every check the verifier makes that needs no network.",
        "A presentation is checked by its holder's proof, the --challenge and --domain you "
        "issued, the holder as each credential's subject, and each credential as above.",
        "Offline there is no provider registry, no status list and no catalogue: those checks "
        "are listed as not made, with why, so an authentic credential is UNKNOWN here (its "
        "issuer is not known to be a recognised provider), never VERIFIED. The verifier service "
        "(POST /verify) makes them all.",
        "Exit status: 0 every file verified; 1 at least one not verified (a check failed, or "
        "the file is unreadable); 2 otherwise: some verdict is unknown (e.g. authentic, but not "
        "every check could be made), or a usage error.",
    )
)


def register(app: typer.Typer) -> None:
    app.command("verify", help=HELP)(verify_command)


@dataclasses.dataclass(frozen=True)
class OfflineKeys:
    """The keys a user handed in (and did:key), and the DIDs they are documents of."""

    resolver: KeyResolver
    dids: frozenset[str]


def check_file(
    path: Path,
    keys: OfflineKeys,
    knowledge: Knowledge,
    now: datetime,
    expected: ExpectedChallenge | None = None,
) -> dict[str, Any]:
    """Verify one file, a credential or a presentation; the result object ``--json`` prints
    (never raises)."""
    try:
        presented = present_body(path.read_bytes(), MAX_DEPTH)
        if document_kind(presented) == "presentation":
            return {
                "file": str(path),
                **verify_presentation.check_presentation(
                    presented.document,
                    lambda credential: _credential_report(credential, keys, knowledge, now),
                    expected or ExpectedChallenge(),
                    now,
                    knowledge.loader,
                ),
            }
    except (OSError, InputError) as exc:
        return {
            "file": str(path),
            "verdict": Verdict.NOT_VERIFIED.value,
            "verified": False,
            "authentic": False,
            "reason": str(exc),
            "checks": [],
            "not_checked": [],
            "proofs": [],
        }
    report = _credential_report(presented, keys, knowledge, now)
    proof = report.check(CheckName.PROOF)
    problems = [f"{c.name.value}: {c.reason}" for c in report.checks if c.status == "failed"]
    return {
        "file": str(path),
        **report.to_dict(),
        # The first version of this command's fields, kept for its readers: "verified" is the
        # verdict's (never true offline); "authentic", that the issuer's key signed it.
        "verified": report.verdict in ACCEPTED,
        "authentic": _authentic(report.check(CheckName.ISSUER_KEY), proof),
        "reason": "; ".join(problems) or report.headline,
        "proofs": proof.details.get("proofs", []),
    }


def _credential_report(
    presented: Presented, keys: OfflineKeys, knowledge: Knowledge, now: datetime
) -> VerificationReport:
    return verify_credential(presented, _for(presented, keys, knowledge), now=now)


def _for(presented: Presented, keys: OfflineKeys, knowledge: Knowledge) -> Knowledge:
    """A did:web issuer whose document was not given has keys we cannot check here: unknown,
    as when the service cannot obtain the document, not forged."""
    document = presented.document
    issuer = issuer_id(document) if isinstance(document, Mapping) else None
    if issuer is None or not issuer.startswith("did:web:") or issuer in keys.dids:
        return knowledge
    return dataclasses.replace(knowledge, unresolved_dids={issuer: OFFLINE_DID_WEB})


def _authentic(*checks: Any) -> bool:
    return all(
        c.conclusive and c.status in (CheckStatus.PASSED, CheckStatus.WARNING) for c in checks
    )


def build_keys(key_files: list[Path]) -> OfflineKeys:
    documents = [read_json_or_fail(path, "key file") for path in key_files]
    try:
        resolver = default_offline_resolver(*documents)
        dids = frozenset(key.controller for doc in documents for key in keys_from_document(doc))
    except KeyResolutionError as exc:
        fail_usage(str(exc))
    return OfflineKeys(resolver, dids)


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
    challenge: Annotated[
        str | None,
        typer.Option(help="For a presentation: the challenge you issued its holder."),
    ] = None,
    domain: Annotated[
        str | None, typer.Option(help="For a presentation: the domain you issued it for.")
    ] = None,
) -> None:
    offline_keys = build_keys(keys or [])
    knowledge = Knowledge(
        resolver=offline_keys.resolver,
        keys_freshness=Freshness("did:key and --keys files"),
        loader=build_loader(contexts),
    )
    moment = parse_now(now)
    verdicts = []
    for path in files:
        outcome = check_file(
            path, offline_keys, knowledge, moment, ExpectedChallenge(challenge, domain)
        )
        verdicts.append(Verdict(outcome["verdict"]))
        typer.echo(json.dumps(outcome, ensure_ascii=False) if as_json else _human(outcome))
    code = exit_code(verdicts)
    if code != VERIFIED_EXIT:
        raise typer.Exit(code)


def exit_code(verdicts: list[Verdict]) -> int:
    """1 if any file is not verified, else 2 if any is unknown, else 0."""
    codes = {EXIT_CODES[v] for v in verdicts}
    for code in (NOT_VERIFIED_EXIT, UNKNOWN_EXIT):
        if code in codes:
            return code
    return VERIFIED_EXIT


def _human(outcome: dict[str, Any]) -> str:
    lines = [f"{outcome['file']}: {outcome['verdict'].upper()}"]
    if "holder_checks" in outcome:
        return "\n".join(lines + verify_presentation.human(outcome, MARKS))
    if not outcome["checks"]:
        lines.append(f"    {outcome['reason']}")
        return "\n".join(lines)
    lines.append(f"  {outcome['headline']}")
    not_made = {c["name"] for c in outcome["not_checked"]}
    for check in outcome["checks"]:
        if check["name"] in not_made:
            continue  # listed below, with why
        mark = MARKS[check["status"]] if check["conclusive"] else UNDETERMINED_MARK
        lines.append(f"  {mark} {check['title']}: {check['reason']}")
    if outcome["not_checked"]:
        lines.append("  Could not check:")
        lines += [f"    - {c['title']}: {c['reason']}" for c in outcome["not_checked"]]
    return "\n".join(lines)
