"""Each service answers its refusals through one handler that maps refusal codes to problem
details: every code its code raises has a status and title, and the handler answers with it."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from microcred_catalogue.entrypoints.problems import PROBLEM_KINDS as CATALOGUE_KINDS
from microcred_catalogue.entrypoints.problems import install_problems
from microcred_catalogue.service_layer.errors import CommandRefused as CatalogueRefused
from microcred_catalogue.service_layer.errors import UnknownCourse
from microcred_issuer.domain.errors import IssuerError
from microcred_issuer.entrypoints.problems import PROBLEM_KINDS as ISSUER_KINDS
from microcred_notifier.entrypoints.problems import PROBLEM_KINDS as NOTIFIER_KINDS
from microcred_notifier.service_layer.errors import CommandRefused as NotifierRefused
from microcred_shared.service.http import ProblemKind
from microcred_verifier.entrypoints.problems import PROBLEM_KINDS as VERIFIER_KINDS
from microcred_verifier.service_layer.intake import InputError

SERVICES: list[tuple[str, type[Exception], dict[str, ProblemKind]]] = [
    ("microcred_catalogue", CatalogueRefused, CATALOGUE_KINDS),
    ("microcred_issuer", IssuerError, ISSUER_KINDS),
    ("microcred_notifier", NotifierRefused, NOTIFIER_KINDS),
    ("microcred_verifier", InputError, VERIFIER_KINDS),
]


def import_every_module(package: str) -> None:
    """Refusals are declared where they are raised: load them all before walking subclasses."""
    root: ModuleType = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, f"{package}."):
        if not module.name.endswith(("__main__", ".main")):
            importlib.import_module(module.name)


def every_refusal(base: type[Exception]) -> list[type[Exception]]:
    found, todo = [base], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


@pytest.mark.parametrize(("package", "base", "kinds"), SERVICES, ids=[s[0] for s in SERVICES])
def test_every_refusal_code_of_a_service_has_a_problem_kind(
    package: str, base: type[Exception], kinds: dict[str, ProblemKind]
) -> None:
    import_every_module(package)
    codes = {getattr(refusal, "code") for refusal in every_refusal(base)}  # noqa: B009
    assert codes - set(kinds) == set()


def test_a_refusal_a_route_lets_through_answers_as_problem_details_with_its_code() -> None:
    app = FastAPI()
    install_problems(app)

    @app.get("/courses/{course}")
    async def course(course: str) -> None:
        raise UnknownCourse(f"no course {course!r}", [{"field": "course", "error": "unknown"}])

    response = TestClient(app).get("/courses/c1")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no course 'c1'",
        "code": "unknown_course",
        "errors": [{"field": "course", "error": "unknown"}],
    }
