"""The public endpoint never answers 5xx to malformed, huge or deeply nested input."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from conftest import ONEEDTECH
from microcred_verifier.adapters.status_lists import InMemoryStatusLists
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings
from microcred_verifier.domain.model import Freshness


class EmptyProjections:
    async def provider_by_did(self, did: str) -> None:
        return None

    async def provider_by_id(self, provider_id: str) -> None:
        return None

    async def provider_named(self, name: str) -> None:
        return None

    async def achievement(self, achievement_id: str) -> None:
        return None

    async def pathways_from(self, achievement_id: str) -> list[Any]:
        return []

    async def keys_of(self, controller: str) -> list[Any]:
        return []

    async def status_at(self, list_url: str, index: int) -> None:
        return None

    async def freshness(self, projection: str) -> Freshness:
        return Freshness(projection)


def _client(**overrides: Any) -> httpx.AsyncClient:
    settings = VerifierSettings(publish_events=False, fetch_enabled=False, **overrides)
    app = create_app(
        settings,
        adapters=Adapters(projections=EmptyProjections(), status_lists=InMemoryStatusLists()),
    )  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://v")


BODIES = [
    b"",
    b"{",
    b'{"credential": ',
    b"[1,2,3]",
    b'"just a string"',
    b'{"credential": 5}',
    b'{"credential": "not.a.jwt"}',
    b'{"credential": "eyJhbGciOiJub25lIn0.eyJ9.x"}',
    b'{"unknown": 1}',
    b"\xff\xfe\x00",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"credential": ' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"}",
]


@pytest.mark.parametrize("body", BODIES, ids=lambda b: repr(b[:20]))
async def test_malformed_bodies_get_a_problem_not_a_server_error(body: bytes) -> None:
    async with _client() as client:
        response = await client.post(
            "/verify", content=body, headers={"content-type": "application/json"}
        )
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_member_named_twice_is_refused_as_ambiguous_json() -> None:
    """A forged value first, the genuine one last: Python keeps the last, another parser the
    first, so the text has no single meaning to verify (I-JSON, RFC 7493)."""
    body = b'{"credential": {"issuer": "did:key:forged", "issuer": "did:web:genuine"}}'
    async with _client() as client:
        response = await client.post(
            "/verify", content=body, headers={"content-type": "application/json"}
        )
    assert response.status_code == 422
    assert "names the member 'issuer' twice" in response.json()["detail"]


async def test_a_huge_body_is_refused_with_413() -> None:
    async with _client(max_body_bytes=10_000) as client:
        response = await client.post("/verify", content=b"x" * 20_000)
    assert response.status_code == 413


async def test_a_client_over_its_rate_is_told_to_wait() -> None:
    async with _client(rate_limit_burst=2, rate_limit_per_minute=1) as client:
        codes = [(await client.post("/verify", content=b"{")).status_code for _ in range(4)]
    assert codes[:2] == [422, 422]
    assert codes[2:] == [429, 429]


async def test_a_fixture_posted_as_is_gets_a_full_report() -> None:
    document = json.loads((ONEEDTECH / "simple.json").read_text())
    async with _client() as client:
        response = await client.post("/verify", json=document)
    assert response.status_code == 200
    body = response.json()
    assert [c["name"] for c in body["checks"]][:4] == ["format", "schema", "issuer_key", "proof"]
    assert body["verdict"] == "not_verified"  # its https key is in no projection


async def test_the_verify_page_renders_a_verdict_for_a_pasted_credential() -> None:
    text = (ONEEDTECH / "simple-err-expired.json").read_text()
    async with _client() as client:
        response = await client.post("/page/verify", data={"credential": text})
        empty = await client.get("/")
    assert response.status_code == 200
    assert "Not verified" in response.text
    assert "Each check" in response.text
    assert empty.status_code == 200
    assert "<form" in empty.text


def test_schemathesis_finds_no_server_error_in_the_openapi() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    app = create_app(
        VerifierSettings(
            publish_events=False,
            fetch_enabled=False,
            rate_limit_burst=100_000,
            rate_limit_per_minute=1e6,
        ),
        adapters=Adapters(projections=EmptyProjections(), status_lists=InMemoryStatusLists()),  # type: ignore[arg-type]
    )
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    from hypothesis import HealthCheck, settings
    from hypothesis import given as _given

    failures: list[str] = []
    for operation in schema.get_all_operations():
        op = operation.ok()
        if not op.path.startswith("/verify"):
            continue  # health/metrics need the running broker: covered by the integration tests
        strategy = op.as_strategy()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        @_given(case=strategy)
        def run(case: Any) -> None:
            response = _call(case, app)
            if response.status_code >= 500:
                failures.append(f"{case.operation.label}: {response.status_code}")

        run()
    assert failures == []


def _call(case: Any, app: Any) -> Any:
    """Through the ASGI app without its lifespan (no broker in unit tests)."""
    import anyio

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://v"
        ) as client:
            kwargs = case.as_transport_kwargs(base_url="http://v")
            return await client.request(
                **{
                    k: v
                    for k, v in kwargs.items()
                    if k in ("method", "url", "headers", "params", "json", "content")
                }
            )

    return anyio.run(go)
