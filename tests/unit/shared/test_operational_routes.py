"""The routes every service shares, on an app whose runtime has not connected anywhere."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI
from microcred_shared.events import ProviderTopic
from microcred_shared.events.registry import COMPLETION_REPORTED
from microcred_shared.service.http import install_operational_routes, install_problem_handlers
from microcred_shared.service.runtime import build_runtime
from microcred_shared.settings import ServiceSettings


async def ignore(*_: Any) -> None:
    return None


def an_app() -> FastAPI:
    runtime = build_runtime(ServiceSettings(service_name="example", topic_prefix="x."))
    runtime.subscribe_per_provider(ProviderTopic.COMPLETIONS, [COMPLETION_REPORTED], ignore)
    app = FastAPI()
    install_problem_handlers(app)
    install_operational_routes(app, runtime)
    return app


async def get(path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=an_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.get(path)


async def test_asyncapi_documents_the_consumed_topic_and_its_event_types() -> None:
    response = await get("/asyncapi.json")
    spec = response.json()
    assert spec["asyncapi"] == "3.0.0"
    channel = next(iter(spec["channels"].values()))
    # Every provider's own completions topic, and nothing else.
    assert re.fullmatch(channel["address"], "x.learning.hollin-tu.completions")
    assert not re.fullmatch(channel["address"], "x.learning.hollin-tu.completions.dlq")
    assert COMPLETION_REPORTED.type in str(spec)


async def test_an_unknown_route_answers_with_problem_details() -> None:
    response = await get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404


async def test_readiness_is_refused_before_the_runtime_started() -> None:
    response = await get("/health/ready")
    assert response.status_code == 503
    assert response.json()["ready"] is False


def test_the_openapi_document_says_refusals_are_problem_details() -> None:
    app = an_app()

    @app.get("/things/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    spec = app.openapi()
    responses = spec["paths"]["/things/{thing_id}"]["get"]["responses"]
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert responses["422"]["content"] == problem
    assert responses["4XX"]["content"] == problem  # 400, 401, 404, … answered the same way
    assert "4XX" not in spec["paths"]["/health/live"]["get"]["responses"]  # takes nothing
    assert "503" in spec["paths"]["/health/ready"]["get"]["responses"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
