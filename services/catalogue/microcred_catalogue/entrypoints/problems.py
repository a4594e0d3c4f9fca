"""How the catalogue's refusals read over HTTP: one problem (RFC 9457) per refusal code. The
bootstrap installs it once for every route (``install_problems``); Kafka consumers
dead-letter the same codes."""

from __future__ import annotations

from fastapi import FastAPI
from microcred_shared.service.http import (
    ProblemKind,
    install_problem_handlers,
    install_refusal_problems,
)

from ..service_layer.errors import CommandRefused

NOT_FOUND = ProblemKind(404, "Not found")
INVALID = ProblemKind(422, "Invalid request")

PROBLEM_KINDS: dict[str, ProblemKind] = {
    "refused": ProblemKind(400, "Refused"),
    "not_found": NOT_FOUND,
    "unknown_provider": NOT_FOUND,
    "unknown_course": NOT_FOUND,
    "unauthorized": ProblemKind(401, "Unauthorized"),
    "forbidden": ProblemKind(403, "Forbidden"),
    "invalid": INVALID,
    "not_normalisable": INVALID,
    "conflict": ProblemKind(409, "Conflict"),
    "unavailable": ProblemKind(503, "Unavailable"),
}


def install_problems(app: FastAPI) -> None:
    """Problem details for every error a route lets through, this service's refusals by code."""
    install_problem_handlers(app)
    install_refusal_problems(app, CommandRefused, PROBLEM_KINDS)
