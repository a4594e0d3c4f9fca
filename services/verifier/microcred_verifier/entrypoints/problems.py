"""How the verifier's refusals read over HTTP: one problem (RFC 9457) per refusal code. The
bootstrap installs it once for every route (``install_problems``)."""

from __future__ import annotations

from fastapi import FastAPI
from microcred_shared.service.http import (
    ProblemKind,
    install_problem_handlers,
    install_refusal_problems,
)

from ..service_layer.intake import InputError

PROBLEM_KINDS: dict[str, ProblemKind] = {
    "unverifiable_input": ProblemKind(422, "Cannot verify this input"),
}


def install_problems(app: FastAPI) -> None:
    """Problem details for every error a route lets through, this service's refusals by code."""
    install_problem_handlers(app)
    install_refusal_problems(app, InputError, PROBLEM_KINDS)
