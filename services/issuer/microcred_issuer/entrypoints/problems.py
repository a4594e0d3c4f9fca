"""How the issuer's refusals read over HTTP: one problem (RFC 9457) per refusal code, its title
the code in words. The bootstrap installs it once for every route."""

from __future__ import annotations

from fastapi import FastAPI
from microcred_shared.service.http import (
    ProblemKind,
    install_problem_handlers,
    install_refusal_problems,
)

from ..domain.errors import IssuerError

STATUS_OF_CODE: dict[str, int] = {
    "issuer_error": 400,
    "unknown_provider": 422,
    "unknown_achievement": 422,
    "achievement_of_another_provider": 403,
    "achievement_retired": 422,
    "provider_suspended": 403,
    "forbidden": 403,
    "credential_not_found": 404,
    "invalid_status_change": 409,
    # What we built does not validate against the OB 3.0 schema: our bug, never the caller's.
    "credential_schema_invalid": 500,
    "unknown_key": 404,
    "compromise_in_future": 422,
    "unknown_job": 404,
    # Retried, never final: a new status list's first snapshot is not on Kafka yet.
    "status_list_not_announced": 503,
    "personal_data": 422,
    "unknown_api_key": 404,
    "key_challenge_invalid": 422,
    "key_possession_not_proven": 422,
    "invalid_signing_key": 422,
    "did_not_claimed": 422,
    "vc_jose_unavailable": 409,
    "clr_selection_invalid": 422,
    "share_link_not_found": 404,
    "share_link_withdrawn": 410,
    # The Open Badges API answers these as Imsx_StatusInfo itself (http_ob_api.ImsxRoute).
    "ob_invalid_data": 400,
    "ob_not_the_learners": 403,
    "ob_credential_not_verified": 400,
    "endorsement_not_found": 404,
    "not_an_endorser": 403,
}

PROBLEM_KINDS: dict[str, ProblemKind] = {
    code: ProblemKind(status, code.replace("_", " ")) for code, status in STATUS_OF_CODE.items()
}


def install_problems(app: FastAPI) -> None:
    """Problem details for every error a route lets through, this service's refusals by code."""
    install_problem_handlers(app)
    install_refusal_problems(app, IssuerError, PROBLEM_KINDS)
