"""HTTP conventions every service follows: RFC 9457 problem details, health, readiness, metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, cast

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from faststream.specification import AsyncAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..logging import get_logger
from ..telemetry import instrument_http
from .runtime import Runtime

PROBLEM_JSON = "application/problem+json"

log = get_logger(__name__)


class Problem(Exception):
    """Raise from a route to answer with problem details (RFC 9457)."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_response(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


@dataclass(frozen=True)
class ProblemKind:
    """How one refusal code reads over HTTP: its status and the problem's title."""

    status: int
    title: str


class Refusal(Protocol):
    """What a service's domain or handler says when it refuses: a machine-readable code and
    words for people (and, where it has them, what was wrong with which field)."""

    code: str
    reason: str


REFUSED = ProblemKind(400, "Refused")


def install_refusal_problems(
    app: FastAPI, refusal: type[Exception], kinds: Mapping[str, ProblemKind]
) -> None:
    """Answer every ``refusal`` a route lets through with problem details: its status and title
    looked up by its code (the domain knows nothing of HTTP), its reason as the detail."""

    async def on_refusal(_: Request, error: Exception) -> Response:
        refused = cast(Refusal, error)
        kind = kinds.get(refused.code, REFUSED)
        extensions: dict[str, Any] = {"code": refused.code}
        errors: Sequence[Mapping[str, str]] = getattr(refused, "errors", ())
        if errors:
            extensions["errors"] = list(errors)
        return problem_response(kind.status, kind.title, refused.reason, **extensions)

    app.add_exception_handler(refusal, on_refusal)


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, error: Exception) -> Response:
        assert isinstance(error, Problem)
        return problem_response(
            error.status, error.title, error.detail, headers=error.headers, **error.extensions
        )

    async def on_http_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        return problem_response(error.status_code, str(error.detail))

    async def on_validation_error(_: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        errors = [
            {"field": ".".join(str(p) for p in item["loc"]), "error": item["msg"]}
            for item in error.errors()
        ]
        return problem_response(
            422, "Invalid request", "the request does not match the API schema", errors=errors
        )

    async def on_unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        return problem_response(500, "Internal error", "the error was logged")

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
    document_problem_responses(app)


PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "Problem details (RFC 9457)",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "a machine-readable reason, where there is one"},
        "errors": {"type": "array", "description": "what was wrong with which field"},
    },
}
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def document_problem_responses(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers above answer: every 4xx as
    ``application/problem+json`` (FastAPI documents its own 422 body otherwise), and a ``4XX``
    problem on every operation that takes input or credentials (400 unreadable body, 401, 403,
    404, 409, 422 and so on)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problem_responses(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for code, response in responses.items():
                # A route that documents its own refusals (the OB 3.0 API's Imsx_StatusInfo)
                # keeps them; FastAPI's own 422 body is what the handlers never send.
                if code.startswith("4") and _problem_or_fastapis(response):
                    response["content"] = dict(content)
            takes_input = any(operation.get(k) for k in ("parameters", "requestBody", "security"))
            if takes_input:
                responses.setdefault(
                    "4XX",
                    {"description": "Refused: problem details (RFC 9457)", "content": content},
                )
    text = str(schema.get("paths", {}))
    for name in _FASTAPI_VALIDATION_SCHEMAS:  # replaced above wherever they were used
        if f"#/components/schemas/{name}" not in text:
            schemas.pop(name, None)
    return schema


def _problem_or_fastapis(response: dict[str, Any]) -> bool:
    documented = str(response.get("content", {}))
    return (
        not documented
        or documented == "{}"
        or any(f"#/components/schemas/{name}" in documented for name in _FASTAPI_VALIDATION_SCHEMAS)
    )


def install_operational_routes(app: FastAPI, runtime: Runtime) -> None:
    """Health, readiness and metrics routes; also traces every other request, since every
    service calls this once on its app."""
    instrument_http(app, runtime.tracer_provider)

    @app.get("/health/live", tags=["operations"])
    async def live() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/health/ready",
        tags=["operations"],
        responses={
            503: {
                "description": "Not ready: MongoDB or Kafka does not answer",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    )
    async def ready() -> Response:
        """Both MongoDB and Kafka answer: send traffic."""
        state = await runtime.readiness()
        return JSONResponse(state, status_code=200 if state["ready"] else 503)

    @app.get("/asyncapi.json", tags=["operations"])
    async def asyncapi() -> Response:
        """The Kafka side of this service (AsyncAPI 3.0): topics it consumes, event types."""
        spec = AsyncAPI(runtime.broker, title=f"microcred {runtime.settings.service_name}")
        return Response(spec.to_specification().to_json(), media_type="application/json")

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(runtime.metrics), media_type=CONTENT_TYPE_LATEST)


def runtime_lifespan(
    runtime: Runtime,
    on_start: Callable[[], Awaitable[None]] | None = None,
    on_stop: Callable[[], Awaitable[None]] | None = None,
) -> Callable[[FastAPI], Any]:
    """Start the runtime (broker, indexes, relay) with the app and stop it after."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        if on_start:
            await on_start()
        try:
            yield
        finally:
            if on_stop:
                await on_stop()
            await runtime.stop()

    return lifespan
