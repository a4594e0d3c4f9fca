"""Cohort CSV: one completion per row, each row answered on its own."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from microcred_shared.crypto.jsonld_safe import unsignable_iri

from ..domain.credentials import ResultLine
from .commands import IssueCompletion

REQUIRED_COLUMNS = ("completion_id", "achievement_id", "completed_on")
# Optional: email, did, name, grade (→ a "Final grade" result), result_name, result_value.


class CohortFormatError(ValueError):
    pass


@dataclass(frozen=True)
class CohortRow:
    row: int
    completion_id: str | None
    command: IssueCompletion | None
    error: str | None = None


def parse_cohort(text: str, provider_id: str, max_rows: int) -> Iterator[CohortRow]:
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CohortFormatError(f"the CSV lacks the columns {missing}")
    if "email" not in columns and "did" not in columns:
        raise CohortFormatError("the CSV needs an 'email' or a 'did' column")
    for number, raw in enumerate(reader, start=2):
        if number - 1 > max_rows:
            raise CohortFormatError(f"more than {max_rows} rows; split the file")
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        yield _row(number, row, provider_id)


def _row(number: int, row: dict[str, str], provider_id: str) -> CohortRow:
    completion_id = row.get("completion_id") or None
    try:
        completed_on = date.fromisoformat(row.get("completed_on", ""))
    except ValueError:
        return CohortRow(number, completion_id, None, "completed_on must be YYYY-MM-DD")
    if not completion_id or not row.get("achievement_id"):
        return CohortRow(number, completion_id, None, "completion_id and achievement_id needed")
    email, did = row.get("email") or None, row.get("did") or None
    if not email and not did:
        return CohortRow(number, completion_id, None, "the row names no learner (email or did)")
    if email and "@" not in email:
        return CohortRow(number, completion_id, None, f"{email!r} is not an e-mail address")
    if did and (not did.startswith("did:") or unsignable_iri(did)):
        return CohortRow(number, completion_id, None, f"{did!r} is not a DID")
    return CohortRow(
        number,
        completion_id,
        IssueCompletion(
            completion_id=completion_id,
            provider_id=provider_id,
            achievement_id=row["achievement_id"],
            completed_on=completed_on,
            learner_email=email,
            learner_did=did,
            learner_name=row.get("name") or None,
            results=_results(row),
            acting_provider_id=provider_id,
        ),
    )


def _results(row: dict[str, str]) -> tuple[ResultLine, ...]:
    results = []
    if row.get("grade"):
        results.append(ResultLine("Final grade", row["grade"]))
    if row.get("result_name") and row.get("result_value"):
        results.append(ResultLine(row["result_name"], row["result_value"]))
    return tuple(results)
