"""How the notifier's refusals read over HTTP: one problem (RFC 9457) per refusal code. The
bootstrap installs it once for every route (``install_problems``)."""

from __future__ import annotations

from fastapi import FastAPI
from microcred_shared.service.http import (
    ProblemKind,
    install_problem_handlers,
    install_refusal_problems,
)

from ..service_layer.errors import CommandRefused

PROBLEM_KINDS: dict[str, ProblemKind] = {
    "refused": ProblemKind(400, "Refused"),
    "not_found": ProblemKind(404, "Not found"),
    "unauthorized": ProblemKind(401, "Unauthorized"),
    "invalid": ProblemKind(422, "Invalid request"),
}


def install_problems(app: FastAPI) -> None:
    """Problem details for every error a route lets through, this service's refusals by code."""
    install_problem_handlers(app)
    install_refusal_problems(app, CommandRefused, PROBLEM_KINDS)
