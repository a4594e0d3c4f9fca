"""Verifying a CLR: the record's own checks, then every credential it bundles, each a full
verification of its own (the same gathering and checks as a credential sent alone)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from ..domain.clr import EmbeddedOutcome, clr_report, embedded_credentials
from ..domain.credential import text
from ..domain.knowledge import Knowledge
from ..domain.verification import Presented, VerificationReport
from .intake import InputError, present

CheckOne = Callable[[Presented], Awaitable[tuple[VerificationReport, Knowledge]]]


async def verify_clr(presented: Presented, check: CheckOne, max_depth: int) -> VerificationReport:
    """``check`` verifies one presented credential; the record is checked first, then each
    bundled credential in its order."""
    envelope, knowledge = await check(presented)
    embedded = [
        await _embedded(index, value, check, max_depth)
        for index, value in enumerate(embedded_credentials(presented.document))
    ]
    return clr_report(presented.document, envelope, knowledge, embedded)


async def _embedded(index: int, value: Any, check: CheckOne, max_depth: int) -> EmbeddedOutcome:
    name = text(value.get("name")) if isinstance(value, Mapping) else None
    try:
        credential = present(value, max_depth)
    except InputError as exc:
        return EmbeddedOutcome(index, name, unreadable=exc.reason)
    report, _ = await check(credential)
    return EmbeddedOutcome(index, name, report=report)
