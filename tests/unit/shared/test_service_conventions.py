"""The conventions every service's code follows (docs/architecture.md, "One shape for every
service"): boundary schemas named by one family of suffixes, and relative imports inside a
service."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from pydantic import BaseModel

SERVICES = ("catalogue", "issuer", "notifier", "verifier")
REQUEST_SUFFIXES = ("Create", "Update", "Request")
RESPONSE_SUFFIXES = ("Public", "Created", "Response")


def entrypoint_schemas(service: str) -> list[type[BaseModel]]:
    """The pydantic models each service's entrypoints define (not the shared contracts they
    reuse, which are named as contracts)."""
    package = importlib.import_module(f"microcred_{service}.entrypoints")
    found: list[type[BaseModel]] = []
    for module_info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseModel) and value.__module__ == module.__name__:
                found.append(value)
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_every_boundary_schema_of_a_service_ends_in_one_of_the_six_suffixes(service: str) -> None:
    schemas = entrypoint_schemas(service)
    misnamed = [
        schema.__name__
        for schema in schemas
        if not schema.__name__.endswith(REQUEST_SUFFIXES + RESPONSE_SUFFIXES)
    ]
    assert schemas
    assert misnamed == []


def own_absolute_imports(service: str) -> list[str]:
    package = importlib.import_module(f"microcred_{service}")
    root = Path(package.__file__ or "").parent
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            absolute = isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
            if absolute and node.module.split(".")[0] == package.__name__:  # type: ignore[union-attr]
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_its_own_modules_relatively(service: str) -> None:
    assert own_absolute_imports(service) == []
