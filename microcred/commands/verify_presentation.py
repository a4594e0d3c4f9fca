"""``microcred verify`` on a presentation: the holder's proof, the challenge and domain the
user expects (``--challenge``/``--domain``; whether it was used before only the verifier that
issued it can tell), the holder as each credential's subject, and each credential's offline
checks. The verdict is no better than its weakest credential's, so offline at best unknown."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from microcred_shared.crypto import OfflineDocumentLoader
from microcred_verifier.domain.presentation import (
    check_expected_challenge,
    check_holder_is_subject,
    check_holder_proof,
    embedded_credentials,
    holder_of,
    judge_presentation,
)
from microcred_verifier.domain.verification import Presented, VerificationReport
from microcred_verifier.service_layer.intake import InputError, present

MAX_DEPTH = 64


@dataclass(frozen=True)
class ExpectedChallenge:
    challenge: str | None = None
    domain: str | None = None


def check_presentation(
    presentation: Mapping[str, Any],
    verify: Callable[[Presented], VerificationReport],
    expected: ExpectedChallenge,
    now: datetime,
    loader: OfflineDocumentLoader | None,
) -> dict[str, Any]:
    """The result object for one presentation file (``--json`` prints it); raises InputError
    for a credential in it that is not one."""
    credentials = []
    for index, credential in enumerate(embedded_credentials(presentation)):
        try:
            credentials.append(present(credential, MAX_DEPTH))
        except InputError as exc:
            raise InputError(f"presented credential {index}: {exc.reason}") from exc
    proof = check_holder_proof(presentation, now=now, loader=loader)
    holder = holder_of(presentation)
    checks = [
        proof.check,
        check_expected_challenge(proof, expected.challenge, expected.domain),
        check_holder_is_subject(holder, credentials),
    ]
    report = judge_presentation(holder, checks, [verify(c) for c in credentials], now=now)
    return report.to_dict()


def human(outcome: dict[str, Any], marks: Mapping[str, str]) -> list[str]:
    lines = [f"  {outcome['headline']}", f"  Holder: {outcome['holder']}"]
    lines += [
        f"  {marks[c['status']]} {c['title']}: {c['reason']}" for c in outcome["holder_checks"]
    ]
    for index, credential in enumerate(outcome["credentials"]):
        lines.append(f"  Credential {index}: {credential['verdict'].upper()}")
        lines.append(f"    {credential['headline']}")
    return lines
