"""The rate limit keys on the real client: X-Forwarded-For is believed only from a proxy named in
VERIFIER_TRUSTED_PROXIES (none by default), and then only up to the first address that is not
itself a trusted proxy, reading from the right."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from microcred_shared.service import serve as serving
from microcred_verifier.bootstrap import Adapters, create_app
from microcred_verifier.config import VerifierSettings
from pydantic import ValidationError
from verifier_fakes import MemoryProjections

LIMITED, ALLOWED = 429, 422  # an empty body is refused (422) once past the rate limit


def _app(trusted_proxies: str = "") -> Any:
    settings = VerifierSettings(
        publish_events=False,
        fetch_enabled=False,
        rate_limit_burst=1,
        rate_limit_per_minute=1,
        trusted_proxies=trusted_proxies,  # type: ignore[arg-type]
    )
    return create_app(settings, adapters=Adapters(projections=MemoryProjections()))  # type: ignore[arg-type]


async def _status(app: Any, peer: str, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for is not None else {}
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://v") as client:
        return (await client.post("/verify", content=b"{", headers=headers)).status_code


async def test_by_default_no_peer_is_trusted_not_even_loopback() -> None:
    app = _app()
    first = await _status(app, "127.0.0.1", "198.51.100.1")
    spoofed = await _status(app, "127.0.0.1", "198.51.100.2")
    assert (first, spoofed) == (ALLOWED, LIMITED)


async def test_a_header_spoofed_by_an_untrusted_peer_is_ignored() -> None:
    app = _app("10.0.0.0/8")
    codes = [await _status(app, "203.0.113.9", f"198.51.100.{i}") for i in range(1, 4)]
    assert codes == [ALLOWED, LIMITED, LIMITED]


async def test_clients_behind_a_chain_of_trusted_proxies_are_told_apart() -> None:
    app = _app("10.0.0.0/8, 192.0.2.1")
    ada = await _status(app, "10.0.0.1", "198.51.100.7, 192.0.2.1")
    bob = await _status(app, "10.0.0.1", "198.51.100.8, 192.0.2.1")
    # Ada again, putting a made-up address in front: the proxies' own entries decide.
    ada_spoofing = await _status(app, "10.0.0.2", "1.2.3.4, 198.51.100.7, 192.0.2.1")
    assert (ada, bob, ada_spoofing) == (ALLOWED, ALLOWED, LIMITED)


async def test_a_trusted_proxy_without_the_header_is_itself_the_client() -> None:
    app = _app("10.0.0.1")
    assert [await _status(app, "10.0.0.1") for _ in range(2)] == [ALLOWED, LIMITED]


async def test_ipv6_proxies_and_clients() -> None:
    app = _app("2001:db8::/32")
    first = await _status(app, "2001:db8::1", "2a00:1450:4001::1")
    second = await _status(app, "2001:db8::1", "2a00:1450:4001::2")
    again = await _status(app, "2001:db8:ffff::2", "2a00:1450:4001::1, 2001:db8::5")
    untrusted = [await _status(app, "2a00:1450:4001::9", f"2001:db8::{i}") for i in (7, 8)]
    assert (first, second, again) == (ALLOWED, ALLOWED, LIMITED)
    assert untrusted == [ALLOWED, LIMITED]


def test_the_setting_is_a_comma_separated_list_of_addresses_and_networks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VERIFIER_TRUSTED_PROXIES", "10.0.0.1, 2001:db8::/32")
    assert [str(n) for n in VerifierSettings().trusted_proxies] == ["10.0.0.1/32", "2001:db8::/32"]
    monkeypatch.delenv("VERIFIER_TRUSTED_PROXIES")
    assert VerifierSettings().trusted_proxies == ()


@pytest.mark.parametrize("value", ["*", "10.0.0.1/8", "proxy.internal"])
def test_the_setting_refuses_what_is_not_an_address_or_network(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIFIER_TRUSTED_PROXIES", value)
    with pytest.raises(ValidationError):
        VerifierSettings()


def test_the_server_itself_believes_no_forwarded_header(monkeypatch: pytest.MonkeyPatch) -> None:
    """uvicorn's own default would trust X-Forwarded-For from 127.0.0.1."""
    ran: dict[str, Any] = {}
    monkeypatch.setattr(serving, "configure_tracing", lambda *a, **kw: None)
    monkeypatch.setattr(serving.uvicorn, "run", lambda app, **options: ran.update(options))
    serving.serve(VerifierSettings(), lambda settings, **kw: _app(), host="127.0.0.1", port=1)
    assert ran["proxy_headers"] is False
