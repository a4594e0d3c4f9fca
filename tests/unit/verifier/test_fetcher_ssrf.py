"""The verifier's URL fetcher refuses what an attacker would point it at, before connecting."""

from __future__ import annotations

import pytest
from microcred_verifier.adapters.fetcher import SafeFetcher
from microcred_verifier.service_layer.ports import FetchError


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/credential.json",  # plain http in production
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "https://127.0.0.1/credential.json",
        "https://127.1/credential.json",
        "https://[::1]/credential.json",
        "https://10.0.0.1/credential.json",
        "https://172.16.5.4/credential.json",
        "https://192.168.1.1/credential.json",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://[::ffff:127.0.0.1]/credential.json",  # IPv4-mapped loopback
        "https://0.0.0.0/credential.json",
        "https://user:secret@example.org/credential.json",
    ],
)
async def test_a_url_an_attacker_would_choose_is_refused(url: str) -> None:
    with pytest.raises(FetchError):
        await SafeFetcher(allow_private=False).fetch(url)
